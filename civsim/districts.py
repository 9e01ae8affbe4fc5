"""Jurisdictions by GB/T 2260 code: names, parents, and where their parameters live."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import CivsimError
from .names import ascii_digits, clean, code as code_text
from .paths import DATA, ROOT, package_data  # noqa: F401  (ROOT re-exported: many modules find the workspace through it)

# civsim's national list; a workspace that adds jurisdictions holds the whole list in its own
# data/districts.csv (civsim district new copies this one there first), read in its place
PACKAGE_CSV = package_data() / "districts.csv"
WORKSPACE_CSV = DATA / "districts.csv"
DISTRICTS_CSV = WORKSPACE_CSV if WORKSPACE_CSV.is_file() else PACKAGE_CSV
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
def load_districts(path: Path | None = None) -> dict[str, District]:
    from .tables import read_csv

    path = path or (WORKSPACE_CSV if WORKSPACE_CSV.is_file() else PACKAGE_CSV)
    table = read_csv(
        path, {"code": "str", "name": "str", "pinyin": "str", "parent": "optional_str", "level": "str"}, unique=["code"]
    )
    districts = {}
    for row, rec in enumerate(table.itertuples(index=False), start=2):
        # NFKC, and no control, format or invisible character: a name is shown and compared as read
        rec = rec._replace(
            **{
                column: clean(getattr(rec, column) or "", path, f"row {row}, column {column}", column)
                for column in ("code", "name", "pinyin", "parent", "level")
            }
        )
        rec = rec._replace(code=code_text(rec.code), parent=code_text(rec.parent))  # Excel's 420112.0
        if not (ascii_digits(rec.code) and len(rec.code) == 6):
            raise CivsimError(path, f"row {row}, column code", f"bad code {rec.code!r}", "a 6-digit GB/T 2260 code")
        if rec.level not in LEVELS:
            raise CivsimError(path, f"row {row}, column level", f"bad level {rec.level!r}", " or ".join(LEVELS))
        if not rec.pinyin.isascii() or not rec.pinyin.isalpha():
            raise CivsimError(path, f"row {row}, column pinyin", f"bad pinyin {rec.pinyin!r}", "ASCII letters")
        districts[rec.code] = District(rec.code, rec.name, rec.pinyin, rec.parent or None, rec.level)
    rows = {code: row for row, code in enumerate(districts, start=2)}
    for d in districts.values():
        if d.parent and d.parent not in districts:
            raise CivsimError(
                path,
                f"row {rows[d.code]}, column parent",
                f"parent {d.parent} of {d.name} is not listed",
                "the parent's own row in the same file",
            )
    for d in districts.values():  # following parents must end at a top level, never come back
        seen, current = [d.code], d
        while current.parent:
            if current.parent in seen:
                loop = " → ".join(seen[seen.index(current.parent) :] + [current.parent])
                raise CivsimError(
                    path,
                    f"row {rows[current.code]}, column parent",
                    f"parents form a loop ({loop})",
                    "a chain of parents ending at a province with no parent",
                )
            seen.append(current.parent)
            current = districts[current.parent]
    return districts


RESERVED_FOLDERS = ("defaults", "scenarios", "plans", "summaries", "calibration")


def check_folders(root: Path) -> None:
    """A parameter folder named for a jurisdiction (by code, pinyin or name) must be exactly its
    ``<code>-<pinyin>`` from districts.csv; otherwise it would be skipped and its district run on
    the defaults without a word."""
    root = Path(root)
    if not root.is_dir():
        return
    table = load_districts()
    slugs = {d.slug for d in table.values()}
    names = {key: d for d in table.values() for key in (d.code, d.pinyin, d.name, d.label)}
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or folder.name in slugs or folder.name in RESERVED_FOLDERS:
            continue
        head = folder.name.split("-", 1)[0]
        match = names.get(folder.name) or names.get(head)
        if match is not None or (len(head) == 6 and head.isdigit()):
            expected = match.slug if match else "a <code>-<pinyin> listed in districts.csv"
            raise CivsimError(
                folder, None, "parameter folder does not match districts.csv", f"the folder name {expected}"
            )


def find(district: str | int) -> District:
    """A jurisdiction by its 6-digit code or its Chinese name (``"420112"`` or ``"东西湖区"``)."""
    key = clean(district, DISTRICTS_CSV.name, None, "district")
    table = load_districts()
    key = code_text(key)  # a code Excel turned into a number, 420112.0
    if key in table:
        return table[key]
    found = [d for d in table.values() if key in (d.name, d.pinyin, d.slug, d.label)]
    if len(found) > 1:  # two 朝阳区, or two jurisdictions spelt chaoyang: which one is not for civsim to guess
        raise CivsimError(
            DISTRICTS_CSV.name,
            key,
            "names more than one jurisdiction: "
            + ", ".join(f"{d.code} {d.name} (under {d.parent or 'none'})" for d in found),
            "the code of the one meant",
        )
    if found:
        return found[0]
    known = ", ".join(f"{d.code} {d.name}" for d in table.values())
    raise CivsimError(DISTRICTS_CSV.name, key, "unknown district", f"one of {known}")


def lineage(district: District) -> list[District]:
    """The district and its ancestors, nearest first (东西湖区, 武汉市, 湖北省)."""
    table = load_districts()
    chain, current = [], district
    while current is not None and current not in chain:  # load_districts refuses loops; stay finite anyway
        chain.append(current)
        current = table.get(current.parent) if current.parent else None
    return chain
