"""Parameter leaves: the dated, sourced values of one dotted path, and how a parameter file spells them.

A leaf is a mapping with a ``unit`` and ``values`` keyed by effective date::

    standard:
      urban:
        unit: yuan/person/month
        values:
          2020-04-01: {value: 830, source: 004_….txt, quote: "城镇低保从780元/月提高到830元/月"}

Every value carries its provenance (a source and quote, an assumption, a calibration with the
figures it was fitted to, or a scenario) and is checked as it is read: a declared unit, a date in
range, a finite value of 0 or more within its unit's bounds, a share at most 1, a count whole.

Values are stored converted to a monthly base unit (a ``yuan/person/year`` figure is divided by
12), so every consumer reads one unit per leaf.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import re
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from .errors import CivsimError
from .units import UNITS

LEAF_KEYS = {"unit", "values", "description", "recurring"}
# Upper bounds per base unit. A value above them is refused, not warned about: it is almost always
# a unit slip (a yearly figure under a monthly unit, fen typed as yuan), and a warning scrolled
# past would carry the slip into every budget. The bounds are ~100× any real standard.
LIMITS = {
    "yuan/person/month": 100_000,
    "yuan/household/month": 100_000,
    "yuan/bed/month": 100_000,
    "yuan/person": 1_000_000,
    "yuan/household": 1_000_000,
    "yuan/case": 1_000_000,
    "ratio": 100,
    "percent": 100,
    "per_month": 1,
    "flag": 1,
    "months": 12,
    "years": 150,
    # counts: more than any province's population
    **{u: 200_000_000 for u in ("persons", "households", "beds", "cases/month", "person_times/month")},
}
EARLIEST, LATEST = dt.date(1949, 10, 1), dt.date(2100, 12, 31)
# A ratio that is a share of a whole — a take-up, a share of a group, a gap as a fraction of the
# line — cannot exceed 1 (a take-up of 45 means 45%, written 0.45); a multiple of the standard can.
SHARE = re.compile(r"(^|\.)(take_up|gap_ratio|[a-z0-9_]*_share)(\.|$)")
WHOLE = ("persons", "households", "beds")  # counts of things: whole numbers (a rate per month need not be)
# A roll a value was measured on (civsim.bureau.dynamics): its month, the salt it was hashed under
# and the hash of its households.csv, so the value names the very file it came from.
ROLL_REFERENCE = re.compile(
    r"roll \d{4}-\d{2} \(salt fingerprint [0-9a-f]{12}, households\.csv sha256 [0-9a-f]{16,64}\)"
)
ENTRY_KEYS = {"value", "source", "quote", "assumption", "calibration", "fitted_to", "scenario", "note", "recurring"}


@dataclass(frozen=True)
class Entry:
    start: dt.date
    value: float  # in the leaf's base unit
    source: str  # seed file, rule, "assumption", "calibration" or "scenario NAME"
    quote: str = ""
    fitted_to: tuple[str, ...] = ()  # for a calibrated value: every reported figure it was fitted to,
    # each "program measure period", or every roll it was measured on
    recurring: bool = True  # False: a phased (阶段性) value, e.g. a raise for some months only


@dataclass(frozen=True)
class Recurring:
    """Whether the payment a leaf sets recurs year after year (declared on supplements and grants)."""

    value: bool
    source: str  # seed file, rule, or "assumption"
    quote: str = ""


@dataclass(frozen=True)
class Leaf:
    path: str
    unit: str  # base unit after conversion
    declared_unit: str
    entries: tuple[Entry, ...]
    file: str = ""
    description: str = ""
    recurring: Recurring | None = None

    def at(self, date: dt.date) -> Entry:
        i = bisect.bisect_right(self._starts, date) - 1
        if i < 0:
            raise CivsimError(
                self.file,
                self.path,
                f"no value in force on {date.isoformat()}",
                f"a value dated on or before it (the first is {self.entries[0].start.isoformat()})",
            )
        return self.entries[i]

    @cached_property
    def _starts(self) -> tuple[dt.date, ...]:  # each entry's first day, in order (what at searches)
        return tuple(e.start for e in self.entries)


def parse_date(value, file=None, key=None) -> dt.date:
    """An ISO date (``2020-04-01``) or month (``2020-04`` → its first day)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if len(text) == 7:
            return dt.date.fromisoformat(text + "-01")
        if len(text) == 10:
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise CivsimError(file, key, f"bad date {text!r}", "an ISO date YYYY-MM-DD or month YYYY-MM")


def _number(value, file, key) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise CivsimError(file, key, f"bad value {value!r}", "a finite number")
    if value < 0:
        raise CivsimError(file, key, f"negative value {value}", "a value of 0 or more")
    return float(value)


def is_share(path: str) -> bool:
    return bool(SHARE.search(path))


def check_limit(value: float, unit: str, file, key, path: str = "") -> None:
    if not math.isfinite(value):
        raise CivsimError(file, key, f"value {value:g} is not finite", "a finite number")
    if unit == "ratio" and is_share(path) and value > 1:
        raise CivsimError(
            file, key, f"share {value:g} above 1", f"a fraction from 0 to 1 ({value:g}% is written {value / 100:g})"
        )
    limit = LIMITS.get(unit)
    if limit is not None and value > limit:
        raise CivsimError(
            file, key, f"absurd value {value:g} {unit}", f"at most {limit:g} (a yearly figure under a monthly unit?)"
        )


def _parse_entry(raw, start, factor, unit, file, key, path: str = "") -> Entry:
    if not isinstance(raw, dict):
        raw = {"value": raw}
    unknown = set(raw) - ENTRY_KEYS
    if unknown:
        raise CivsimError(
            file,
            key,
            f"unknown key(s) {', '.join(sorted(map(str, unknown)))}",
            "value with source and quote, or assumption, or calibration",
        )
    if "value" not in raw:
        raise CivsimError(file, key, "missing value", "a 'value: <number>'")
    value = _number(raw["value"], file, key) * factor
    check_limit(value, unit, file, key, path)
    if unit in WHOLE and value != int(value):  # 221.7 households would be rounded somewhere without a word
        raise CivsimError(file, key, f"{value:g} {unit} is not a whole number", f"a whole number of {unit}")
    recurring = raw.get("recurring", True)
    if not isinstance(recurring, bool):
        raise CivsimError(file, f"{key}.recurring", f"bad value {recurring!r}", "true or false")
    if raw.get("source") and raw.get("quote"):
        return Entry(start, value, str(raw["source"]), str(raw["quote"]), recurring=recurring)
    for kind in ("calibration", "assumption", "scenario"):
        if raw.get(kind):
            return Entry(
                start,
                value,
                kind if kind != "scenario" else f"scenario {raw[kind]}",
                str(raw[kind]),
                _figures(raw.get("fitted_to", ()), file, f"{key}.fitted_to"),
                recurring,
            )
    raise CivsimError(
        file,
        key,
        "value has no provenance",
        "source and quote, or an assumption (why), or a calibration (which figure, how fitted)",
    )


def is_roll_reference(text: str) -> bool:
    return bool(ROLL_REFERENCE.fullmatch(text))


def _figures(raw, file, key) -> tuple[str, ...]:
    """``fitted_to``: one figure or a list, each "program measure period" (three words), or each a
    roll the value was measured on (:data:`ROLL_REFERENCE`)."""
    figures = [raw] if isinstance(raw, str) else raw
    if not isinstance(figures, (list, tuple)) or not all(
        isinstance(f, str) and (is_roll_reference(f) if f.startswith("roll ") else len(f.split()) == 3) for f in figures
    ):
        raise CivsimError(
            file,
            key,
            f"bad figure list {raw!r}",
            'figures as "program measure period", e.g. "dibao amount_yuan '
            '2020-01..2020-10", or rolls as "roll 2020-10 (salt fingerprint <12 hex>, households.csv sha256 <hex>)"',
        )
    return tuple(figures)


def _parse_leaf(node: dict, path: str, file: Path) -> Leaf:
    unknown = set(node) - LEAF_KEYS
    if unknown:
        raise CivsimError(
            file, path, f"unknown key(s) {', '.join(sorted(map(str, unknown)))}", "unit, values, description, recurring"
        )
    if "unit" not in node:
        raise CivsimError(file, path, "missing unit", "a unit such as yuan/person/month")
    declared = node["unit"]
    if declared not in UNITS:
        raise CivsimError(file, path, f"unknown unit {declared!r}", "one of " + ", ".join(UNITS))
    unit, factor = UNITS[declared]
    values = node.get("values")
    if not isinstance(values, dict) or not values:
        raise CivsimError(file, path, "missing values", "values keyed by effective date")
    entries, spelt = [], {}
    for date_key, raw in values.items():
        start = parse_date(date_key, file, f"{path}.values")
        if not EARLIEST <= start <= LATEST:
            raise CivsimError(
                file,
                f"{path}.values",
                f"date {start.isoformat()} out of range",
                f"a date between {EARLIEST.isoformat()} and {LATEST.isoformat()}",
            )
        if start in spelt:  # 2020-04 and 2020-04-01, or a date quoted and unquoted: one date twice
            raise CivsimError(
                file,
                f"{path}.values",
                f"the date {start.isoformat()} twice ({spelt[start]!s} and {date_key!s})",
                "each effective date once",
            )
        spelt[start] = date_key
        entries.append(_parse_entry(raw, start, factor, unit, file, f"{path}.values.{start.isoformat()}", path))
    entries.sort(key=lambda e: e.start)
    recurring = _parse_recurring(node["recurring"], file, f"{path}.recurring") if "recurring" in node else None
    return Leaf(path, unit, declared, tuple(entries), str(file), str(node.get("description", "")), recurring)


def _parse_recurring(raw, file, key) -> Recurring:
    """``recurring: {value: true|false, source: …, quote: …}`` or ``{value: …, assumption: …}``."""
    expected = "value: true or false, with source and quote or an assumption"
    if not isinstance(raw, dict) or not isinstance(raw.get("value"), bool):
        raise CivsimError(file, key, f"bad declaration {raw!r}", expected)
    unknown = set(raw) - {"value", "source", "quote", "assumption"}
    if unknown:
        raise CivsimError(file, key, f"unknown key(s) {', '.join(sorted(map(str, unknown)))}", expected)
    if raw.get("source") and raw.get("quote"):
        return Recurring(raw["value"], str(raw["source"]), str(raw["quote"]))
    if raw.get("assumption"):
        return Recurring(raw["value"], "assumption", str(raw["assumption"]))
    raise CivsimError(file, key, "declaration has no provenance", expected)


def walk(node, path: str, file: Path, out: dict[str, Leaf]) -> None:
    """Read the tree ``node`` found at ``path`` of ``file`` into ``out``, leaf by leaf (a ``both``
    leaf as its urban and rural twins)."""
    if not isinstance(node, dict):
        raise CivsimError(
            file, path, f"found {type(node).__name__}", "a mapping of names or a leaf with unit and values"
        )
    if "values" in node or "unit" in node:
        leaf = _parse_leaf(node, path, file)
        # 城乡统一: one figure a notice gives town and country alike, declared once as `<x>.both`
        twins = [path[: -len("both")] + area for area in ("urban", "rural")] if path.endswith(".both") else [path]
        for twin in twins:
            if twin in out:
                raise CivsimError(
                    file,
                    twin,
                    f"declared twice ({path} holds it too)",
                    "either one figure for both areas (both) or one per area (urban, rural)",
                )
            out[twin] = replace(leaf, path=twin)
        return
    for name, child in node.items():
        if not is_key(name):
            raise CivsimError(file, f"{path}.{name}", "bad key", "a lowercase ASCII name (letters, digits, _)")
        walk(child, f"{path}.{name}", file, out)


def prune(tree: dict) -> None:
    """Drop the mappings of a parameter tree left without any leaf (no unit, no values) below them."""
    for key in list(tree):
        if isinstance(tree[key], dict) and "unit" not in tree[key] and "values" not in tree[key]:
            prune(tree[key])
            if not tree[key]:
                del tree[key]


def is_key(name) -> bool:
    """A parameter name: lowercase ASCII letters, digits and _ (``Urban`` would be a tree nothing reads)."""
    return isinstance(name, str) and name.replace("_", "").isalnum() and name.isascii() and name == name.lower()
