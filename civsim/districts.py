"""Jurisdictions by GB/T 2260 code: names, parents, and where their parameters live."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import CivsimError

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
DISTRICTS_CSV = DATA / "districts.csv"
LEVELS = ("province", "city", "district")


@dataclass(frozen=True)
class District:
    code: str
    name: str
    pinyin: str
    parent: str | None
    level: str

    @property
    def slug(self) -> str:
        """Folder name of this jurisdiction's parameters and reports, e.g. ``420112-dongxihu``."""
        return f"{self.code}-{self.pinyin}"

    @property
    def label(self) -> str:
        """Folder label of its reports, e.g. ``420112-东西湖区``."""
        return f"{self.code}-{self.name}"


@lru_cache(maxsize=8)
def load_districts(path: Path = DISTRICTS_CSV) -> dict[str, District]:
    from .tables import read_csv

    table = read_csv(path, {"code": "str", "name": "str", "pinyin": "str", "parent": "optional_str",
                            "level": "str"}, unique=["code"])
    districts = {}
    for row, rec in enumerate(table.itertuples(index=False), start=2):
        if not (rec.code.isdigit() and len(rec.code) == 6):
            raise CivsimError(path, f"row {row}, column code", f"bad code {rec.code!r}", "a 6-digit GB/T 2260 code")
        if rec.level not in LEVELS:
            raise CivsimError(path, f"row {row}, column level", f"bad level {rec.level!r}", " or ".join(LEVELS))
        if not rec.pinyin.isascii() or not rec.pinyin.isalpha():
            raise CivsimError(path, f"row {row}, column pinyin", f"bad pinyin {rec.pinyin!r}", "ASCII letters")
        districts[rec.code] = District(rec.code, rec.name, rec.pinyin, rec.parent or None, rec.level)
    for row, d in enumerate(districts.values(), start=2):
        if d.parent and d.parent not in districts:
            raise CivsimError(path, f"row {row}, column parent", f"parent {d.parent} of {d.name} is not listed",
                              "the parent's own row in the same file")
    return districts


def find(district: str | int) -> District:
    """A jurisdiction by its 6-digit code or its Chinese name (``"420112"`` or ``"东西湖区"``)."""
    key = str(district).strip()
    table = load_districts()
    if key in table:
        return table[key]
    for d in table.values():
        if key in (d.name, d.pinyin, d.slug, d.label):
            return d
    known = ", ".join(f"{d.code} {d.name}" for d in table.values())
    raise CivsimError(DISTRICTS_CSV.name, key, "unknown district", f"one of {known}")


def lineage(district: District) -> list[District]:
    """The district and its ancestors, nearest first (东西湖区, 武汉市, 湖北省)."""
    table = load_districts()
    chain, current = [], district
    while current is not None:
        chain.append(current)
        current = table.get(current.parent) if current.parent else None
    return chain
