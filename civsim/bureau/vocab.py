"""The exports' vocabulary, kept as data in ``civsim/data/bureau/``: header aliases, category labels and
the labels of coded fields (see civsim/data/bureau/README.md)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..paths import package_data
from ..errors import CivsimError
from ..tables import read_csv

BUREAU = package_data() / "bureau"
KINDS = ("household", "person")
CATEGORIES = ("dibao", "tekun", "edge")
AREAS = ("urban", "rural")
PLACEMENTS = ("centralized", "dispersed")
VALUE_FIELDS = {
    "hukou": AREAS,
    "placement": PLACEMENTS,
    "self_care": ("0", "1", "2"),
    "health": ("0", "1"),
    "child": ("orphan", "unsupported"),
    "covered": ("0", "1"),
    "tier": ("1", "2", "3"),
    "none": ("",),
}
# What each kind of file must have; a missing one is named in the error.
REQUIRED = {"household": ("head_id", "size"), "person": ("person_id", "head_id")}


def label(text: object) -> str:
    """A cell's label as compared with the tables: NFKC (full-width brackets, digits and letters
    become half-width), no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def header(text: object) -> str:
    """A header as compared with the aliases: ``label`` without bracketed parts (（元）, (份)) and
    without a trailing 数 or 份, and 帐 spelt 账."""
    t = re.sub(r"\([^)]*\)", "", label(text)).replace("帐", "账")
    return t[:-1] if len(t) > 2 and t[-1] in "数份" else t


@dataclass(frozen=True)
class Category:
    label: str
    category: str
    area: str  # "" when the label does not say
    placement: str  # "" when the label does not say


@dataclass(frozen=True)
class Vocabulary:
    aliases: dict  # kind -> {normalised header: field}
    canonical: dict  # kind -> {field: the first alias listed, for messages}
    categories: dict  # normalised label -> Category
    values: dict  # field -> {normalised label: value}

    def category(self, text: str, file, key) -> Category:
        found = self.categories.get(label(text))
        if found is None:
            known = "、".join(c.label for c in self.categories.values())
            raise CivsimError(
                file,
                key,
                f"unknown category label {label(text)!r}",
                f"one of {known} (or a new row in {BUREAU / 'categories.csv'})",
            )
        return found


def _check(path: Path, table, column: str, allowed) -> None:
    bad = ~table[column].isin(allowed)
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise CivsimError(
            path,
            f"row {row + 2}, column {column}",
            f"bad value {table[column].iloc[row]!r}",
            " or ".join(a or "blank" for a in allowed),
        )


@lru_cache(maxsize=4)
def load(folder: Path = BUREAU) -> Vocabulary:
    path = folder / "aliases.csv"
    table = read_csv(path, {"file": "str", "field": "str", "alias": "str"}, unique=["file", "alias"])
    _check(path, table, "file", KINDS)
    aliases = {k: {} for k in KINDS}
    canonical = {k: {} for k in KINDS}
    for row, rec in enumerate(table.itertuples(index=False), start=2):
        key = header(rec.alias)
        if aliases[rec.file].get(key, rec.field) != rec.field:
            raise CivsimError(
                path,
                f"row {row}, column alias",
                f"{rec.alias} already names {aliases[rec.file][key]}",
                "each alias naming one field",
            )
        aliases[rec.file][key] = rec.field
        canonical[rec.file].setdefault(rec.field, rec.alias.replace("（元）", ""))
    for kind, fields in REQUIRED.items():
        for field in fields:
            if field not in canonical[kind]:
                raise CivsimError(path, None, f"no alias for the {kind} field {field}", "at least one row per field")

    path = folder / "categories.csv"
    table = read_csv(
        path, {"label": "str", "category": "str", "area": "optional_str", "placement": "optional_str"}, unique=["label"]
    )
    _check(path, table, "category", CATEGORIES)
    _check(path, table, "area", AREAS + ("",))
    _check(path, table, "placement", PLACEMENTS + ("",))
    categories = {
        label(r.label): Category(r.label, r.category, r.area, r.placement) for r in table.itertuples(index=False)
    }

    path = folder / "values.csv"
    table = read_csv(path, {"field": "str", "label": "str", "value": "optional_str"}, unique=["field", "label"])
    _check(path, table, "field", tuple(VALUE_FIELDS))
    values = {f: {} for f in VALUE_FIELDS}
    for row, rec in enumerate(table.itertuples(index=False), start=2):
        if rec.value not in VALUE_FIELDS[rec.field]:
            raise CivsimError(
                path,
                f"row {row}, column value",
                f"bad value {rec.value!r} for {rec.field}",
                " or ".join(v or "blank" for v in VALUE_FIELDS[rec.field]),
            )
        values[rec.field][label(rec.label)] = rec.value
    return Vocabulary(aliases, canonical, categories, values)


def streets(district_code: str, folder: Path = BUREAU):
    """The district's street-level divisions (``street``, ``sample_area``), in file order."""
    path = folder / "streets.csv"
    table = read_csv(
        path, {"district": "str", "street": "str", "sample_area": "str", "source": "str"}, unique=["district", "street"]
    )
    _check(path, table, "sample_area", AREAS)
    table = table[table["district"] == district_code]
    if table.empty:
        raise CivsimError(path, district_code, "no streets listed for this district", "rows district,street,… for it")
    return table.reset_index(drop=True)
