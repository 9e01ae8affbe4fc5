"""The bureaus' own words: work plans and annual summaries kept as YAML beside the parameters.

The model supplies the figures; what a bureau did and plans to do (party building, marriage
registration, "新建老年日照中心4个") comes from its documents, one file per district-year:

* ``params/plans/<code>-<year>.yaml`` — a work plan (工作计划/工作思路): headings, each with
  numbered tasks that carry a 责任科室, a 完成时限 and quantified targets.
* ``params/summaries/<code>-<year>.yaml`` — an annual summary (工作总结): an opening, the
  qualitative points per area, the problems, and which plan follows it.

Every text carries the sentence it was taken from (``quote``), as every figure does. A file with
a missing or unknown key fails with a CivsimError naming the file and the key's path, so a typo
("responsable") is caught when the report is built, not read by the bureau's director.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .. import districts
from ..errors import CivsimError
from ..names import clean
from ..param_leaves import parse_date
from ..params import PARAMS, read_yaml

PLANS = PARAMS / "plans"
SUMMARIES = PARAMS / "summaries"


@dataclass(frozen=True)
class Target:
    text: str  # a quantified target, e.g. "新增养老床位150张"
    quote: str  # the sentence of the source it restates


@dataclass(frozen=True)
class Task:
    title: str
    description: str
    responsible: str  # 责任科室; "" where the source names none
    deadline: str  # 完成时限, as written ("12月底", "持续推进"); "" where none
    targets: tuple[Target, ...]
    quote: str


@dataclass(frozen=True)
class Section:
    heading: str
    tasks: tuple[Task, ...]


@dataclass(frozen=True)
class Plan:
    district: str  # GB/T 2260 code
    year: int  # the year the plan is for
    source: str
    title: str
    sections: tuple[Section, ...]
    file: str = ""


@dataclass(frozen=True)
class Point:
    text: str
    quote: str


@dataclass(frozen=True)
class Area:
    area: str  # 党的建设, 养老服务, 婚姻登记 …
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Summary:
    district: str
    year: int
    source: str
    title: str
    date: dt.date
    opening: str
    areas: tuple[Area, ...]
    problems: tuple[Point, ...]
    next_year: str | None  # "<code>-<year>" of the plan that follows, or None
    note: str | None = None
    file: str = ""


# key -> required?  (an optional key may be absent or null)
PLAN_KEYS = {"district": True, "year": True, "source": True, "title": True, "sections": True}
SECTION_KEYS = {"heading": True, "tasks": True}
TASK_KEYS = {"title": True, "description": True, "responsible": True, "deadline": True, "targets": True, "quote": True}
TEXT_KEYS = {"text": True, "quote": True}
SUMMARY_KEYS = {
    "district": True,
    "year": True,
    "source": True,
    "title": True,
    "date": True,
    "opening": True,
    "areas": True,
    "problems": True,
    "next_year": False,
    "note": False,
}
AREA_KEYS = {"area": True, "points": True}
TITLES = ("title", "heading", "area")


class _Reader:
    """Checks one file's mapping against its schema; every error names the file and key path."""

    def __init__(self, file: Path):
        self.file = file

    def mapping(self, node, path: str, keys: dict[str, bool]) -> dict:
        where = path or None
        if not isinstance(node, dict):
            raise CivsimError(
                self.file, where, f"found {type(node).__name__}", "a mapping with keys " + ", ".join(keys)
            )
        unknown = sorted(map(str, set(node) - set(keys)))
        if unknown:
            raise CivsimError(self.file, self._join(path, unknown[0]), "unknown key", "one of " + ", ".join(keys))
        for key, required in keys.items():
            if required and key not in node:
                raise CivsimError(self.file, self._join(path, key), "missing key", f"a value for {key}")
        return node

    def text(self, node: dict, path: str, key: str, allow_empty: bool = True) -> str:
        value = node.get(key)
        if value is None and allow_empty:
            return ""
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            raise CivsimError(
                self.file, self._join(path, key), f"bad value {value!r}", "text" if allow_empty else "non-empty text"
            )
        if key in TITLES:  # a title or heading: NFKC, no control or invisible character (.docx, look-alikes)
            return clean(value, self.file, self._join(path, key), "title")
        return value.strip()

    def items(self, node: dict, path: str, key: str) -> list:
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise CivsimError(self.file, self._join(path, key), f"found {type(value).__name__}", "a list")
        return value

    def integer(self, node: dict, key: str) -> int:
        value = node.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit():
            raise CivsimError(self.file, key, f"bad value {value!r}", "a whole number")
        return int(value)

    @staticmethod
    def _join(path: str, key: str) -> str:
        return f"{path}.{key}" if path else key


def _texts(reader: _Reader, raw: list, path: str) -> tuple[Point, ...]:
    out = []
    for i, item in enumerate(raw):
        where = f"{path}[{i}]"
        node = reader.mapping(item, where, TEXT_KEYS)
        out.append(Point(reader.text(node, where, "text", allow_empty=False), reader.text(node, where, "quote")))
    return tuple(out)


def _header(reader: _Reader, raw: dict, code: str, year: int) -> tuple[str, int]:
    """The file's district and year, which must be the ones its name promises."""
    district, file_year = str(reader.integer(raw, "district")), reader.integer(raw, "year")
    if district != code:
        raise CivsimError(
            reader.file, "district", f"is {district} but the file name says {code}", "the code in the file name"
        )
    if file_year != year:
        raise CivsimError(
            reader.file, "year", f"is {file_year} but the file name says {year}", "the year in the file name"
        )
    return district, file_year


def parse_plan(raw, file: Path | str, code: str, year: int) -> Plan:
    """A Plan from the YAML's mapping, validated (``code`` and ``year`` come from the file name)."""
    reader = _Reader(Path(file))
    top = reader.mapping(raw, "", PLAN_KEYS)
    district, year = _header(reader, top, code, year)
    sections = []
    for s, section in enumerate(reader.items(top, "", "sections")):
        spath = f"sections[{s}]"
        node = reader.mapping(section, spath, SECTION_KEYS)
        tasks = []
        for t, task in enumerate(reader.items(node, spath, "tasks")):
            tpath = f"{spath}.tasks[{t}]"
            item = reader.mapping(task, tpath, TASK_KEYS)
            targets = tuple(
                Target(p.text, p.quote)
                for p in _texts(reader, reader.items(item, tpath, "targets"), f"{tpath}.targets")
            )
            tasks.append(
                Task(
                    reader.text(item, tpath, "title", allow_empty=False),
                    reader.text(item, tpath, "description"),
                    reader.text(item, tpath, "responsible"),
                    reader.text(item, tpath, "deadline"),
                    targets,
                    reader.text(item, tpath, "quote"),
                )
            )
        sections.append(Section(reader.text(node, spath, "heading", allow_empty=False), tuple(tasks)))
    return Plan(
        district,
        year,
        reader.text(top, "", "source", allow_empty=False),
        reader.text(top, "", "title", allow_empty=False),
        tuple(sections),
        str(file),
    )


def parse_summary(raw, file: Path | str, code: str, year: int) -> Summary:
    """A Summary from the YAML's mapping, validated (``code`` and ``year`` come from the file name)."""
    reader = _Reader(Path(file))
    top = reader.mapping(raw, "", SUMMARY_KEYS)
    district, year = _header(reader, top, code, year)
    areas = []
    for a, area in enumerate(reader.items(top, "", "areas")):
        apath = f"areas[{a}]"
        node = reader.mapping(area, apath, AREA_KEYS)
        areas.append(
            Area(
                reader.text(node, apath, "area", allow_empty=False),
                _texts(reader, reader.items(node, apath, "points"), f"{apath}.points"),
            )
        )
    next_year = top.get("next_year")
    if next_year is not None:
        text = str(next_year).strip()
        parts = text.split("-")
        if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[0]) != 6:
            raise CivsimError(
                reader.file,
                "next_year",
                f"bad value {next_year!r}",
                "'<code>-<year>' of a plan file, e.g. 420112-2021, or null",
            )
        next_year = text
    return Summary(
        district,
        year,
        reader.text(top, "", "source", allow_empty=False),
        reader.text(top, "", "title", allow_empty=False),
        parse_date(top["date"], reader.file, "date"),
        reader.text(top, "", "opening"),
        tuple(areas),
        _texts(reader, reader.items(top, "", "problems"), "problems"),
        next_year,
        reader.text(top, "", "note") or None,
        str(file),
    )


def _path(folder: Path, district, year: int) -> tuple[Path, str, int]:
    code = districts.find(district).code
    if isinstance(year, bool) or not isinstance(year, int):
        raise CivsimError(folder, "year", f"bad year {year!r}", "a whole number such as 2021")
    return Path(folder) / f"{code}-{year}.yaml", code, year


def plan(district, year: int, folder: Path = PLANS) -> Plan | None:
    """The work plan of a district (code or name) for ``year``, or None when none is kept."""
    path, code, year = _path(folder, district, year)
    if not path.is_file():
        return None
    return parse_plan(read_yaml(path), path, code, year)


def summary(district, year: int, folder: Path = SUMMARIES) -> Summary | None:
    """The annual summary of a district (code or name) for ``year``, or None when none is kept."""
    path, code, year = _path(folder, district, year)
    if not path.is_file():
        return None
    return parse_summary(read_yaml(path), path, code, year)


def next_plan(summary_: Summary, plans: Path = PLANS) -> Plan | None:
    """The plan a summary names as its next year's, falling back to the following year's file."""
    if summary_.next_year:
        code, year = summary_.next_year.split("-")
        return plan(code, int(year), plans)
    return plan(summary_.district, summary_.year + 1, plans)


__all__ = [
    "Target",
    "Task",
    "Section",
    "Plan",
    "Point",
    "Area",
    "Summary",
    "plan",
    "summary",
    "next_plan",
    "parse_plan",
    "parse_summary",
]
