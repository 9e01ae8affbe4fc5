"""Published provincial 低保 averages as the default gap ratio of a province's districts.

``civsim/data/dibao_provincial.csv`` holds, per province, month and area, the average 低保 standard and the
average benefit per person per month a provincial civil-affairs department (or the MCA) published,
each row with its source and the sentence it was read from. For a district whose province has rows,
``dibao.gap_ratio.<area>`` takes benefit ÷ standard from each row's month on, over the national
default and under the province's, the city's and the district's own folders and their fitted values
(see :func:`civsim.params._load`). Such a value is evidence about the roll (what recipients of that
province were paid on average), not an assumption, and it is the centre of the calibration prior.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from . import districts
from .errors import CivsimError
from .paths import package_data

TABLE = package_data() / "dibao_provincial.csv"
AREAS = ("urban", "rural")
LEAF = "dibao.gap_ratio.{area}"
COLUMNS = (
    "province_code",
    "province",
    "month",
    "area",
    "standard_yuan_person_month",
    "benefit_yuan_person_month",
    "source",
    "quote",
    "note",
)


def read(path: Path | None = None) -> tuple[dict, ...]:
    """The table's rows, checked: one clear line for the first bad one."""
    path = Path(path or TABLE)
    stat = path.stat()
    return _read(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _read(path: Path, _mtime: int, _size: int) -> tuple[dict, ...]:
    from .tables import Column, read_csv

    table = read_csv(
        path,
        {
            "province_code": Column("str", pattern=r"\d{2}0000"),
            "province": "str",
            "month": Column("str", pattern=r"\d{4}-(?:0[1-9]|1[0-2])"),
            "area": Column("str", allowed=AREAS),
            "standard_yuan_person_month": Column("float", low=0.01, high=100_000),
            "benefit_yuan_person_month": Column("float", low=0.01, high=100_000),
            "source": "str",
            "quote": "str",
            "note": "optional_str",
        },
        unique=["province_code", "month", "area"],
    )
    known = districts.load_districts()
    rows = []
    for row, rec in enumerate(table.to_dict("records"), start=2):
        listed = known.get(rec["province_code"])
        if listed is not None and (listed.level != "province" or listed.name != rec["province"]):
            raise CivsimError(
                path,
                f"row {row}, column province",
                f"{rec['province']!r} is not what districts.csv lists as {rec['province_code']}",
                f"{listed.name} (a province)" if listed.level == "province" else "the code of a province",
            )
        ratio = rec["benefit_yuan_person_month"] / rec["standard_yuan_person_month"]
        if ratio > 1:  # the gap ratio is a share of the standard (the leaf refuses more than 1)
            raise CivsimError(
                path,
                f"row {row}, column benefit_yuan_person_month",
                f"benefit {rec['benefit_yuan_person_month']:g} above the standard "
                f"{rec['standard_yuan_person_month']:g}",
                "an average benefit at most the average standard",
            )
        rows.append({**rec, "row": row, "ratio": round(ratio, 4), "start": dt.date.fromisoformat(rec["month"] + "-01")})
    return tuple(rows)


def province_of(district: districts.District) -> districts.District | None:
    """The district's ancestor (or itself) of level province."""
    return next((d for d in districts.lineage(district) if d.level == "province"), None)


def entries(district: districts.District, path: Path | None = None) -> dict:
    """The gap-ratio entries the province's rows give ``district``: leaf path -> [(first day, ratio,
    source, quote)] in date order, with the table's file; empty where the province has no rows.
    (civsim.params puts them over the national default, under every own folder.)"""
    path = Path(path or TABLE)
    province = province_of(district)
    if province is None:
        return {}
    rows = [r for r in read(path) if r["province_code"] == province.code]
    out = {}
    for area in AREAS:
        own = sorted((r for r in rows if r["area"] == area), key=lambda r: r["start"])
        if own:
            out[LEAF.format(area=area)] = [(r["start"], r["ratio"], _source(r, path), r["quote"]) for r in own]
    return out


def _source(row: dict, path: Path) -> str:
    return (
        f"{row['source']} — {Path(path).name} row {row['row']}: {row['province']} {row['month']} {row['area']}, "
        f"benefit {row['benefit_yuan_person_month']:g} ÷ standard {row['standard_yuan_person_month']:g} "
        f"yuan/person/month = {row['ratio']:g}"
    )
