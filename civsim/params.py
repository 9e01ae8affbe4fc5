"""Dated, sourced parameters: a YAML tree per jurisdiction, inherited from its parents.

Layout: the national defaults (``civsim/data/defaults/*.yaml``, in the package) are the root of every tree; ``params/<code>-<pinyin>/*.yaml``
overrides it for a jurisdiction, nearest jurisdiction winning leaf by leaf. A file's stem is the
first part of a leaf's dotted path (``dibao.yaml`` → ``dibao.standard.urban``). A leaf is a
mapping with a ``unit`` and ``values`` keyed by effective date::

    standard:
      urban:
        unit: yuan/person/month
        values:
          2020-04-01: {value: 830, source: 004_….txt, quote: "城镇低保从780元/月提高到830元/月"}

Values fitted to a bureau's reported figures are not policy and live apart, in
``params/calibration/<folder>.yaml`` (the same tree, every path written in full from its first
part): each entry is a ``calibration`` (how it was fitted) with ``fitted_to`` naming every figure.
From its first date a fitted leaf replaces the value its folder would otherwise have; a policy
file holding a fitted value, or a fit over a value a rule states (rather than an assumption), is an
error.

Values are stored converted to a monthly base unit (a ``yuan/person/year`` figure is divided by
12), so every consumer reads one unit per leaf. A month takes the value in force on its first day.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import re
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import districts, paths, provincial
from .errors import CivsimError
from .units import UNITS  # re-exported: the declared units and what each converts to
from .yaml_files import dump_yaml, parse_yaml, read_text_checked, read_yaml  # noqa: F401  (re-exported)

PARAMS = districts.ROOT / "params"  # the workspace's parameters (civsim.paths)
NATIONAL = paths.package_data() / "defaults"  # the national defaults, shipped in the package
CALIBRATION = Path("calibration")  # under a params root: one file of fitted values per folder

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


def _walk(node, path: str, file: Path, out: dict[str, Leaf]) -> None:
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
        _walk(child, f"{path}.{name}", file, out)


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


def defaults_folder(root: Path = PARAMS) -> Path:
    """The national defaults a params root reads: the package's; a tree of its own given as ``root``
    (a test's, a copy holding a changed national set) may hold its own ``defaults/`` instead. The
    workspace's params/ may not: the defaults come with civsim, and a folder left there (an old
    layout, a file merged into it) would silently stand for all of them."""
    own = Path(root) / "defaults"
    if not own.is_dir():
        return NATIONAL
    if Path(root).resolve() == PARAMS.resolve():
        raise CivsimError(
            own,
            None,
            "全国默认值随 civsim 安装（civsim/data/defaults），工作区中不应有 defaults 文件夹",
            "本地区的取值写在 params/<代码>-<拼音>/ 中；删去或移走此文件夹",
        )
    return own


def national(root: Path = PARAMS) -> dict[str, Leaf]:
    """The national defaults (civsim/data/defaults), as read."""
    return _read_folder(defaults_folder(root))


def _read_folder(folder: Path) -> dict[str, Leaf]:
    leaves: dict[str, Leaf] = {}
    for file in sorted(folder.iterdir()):
        if file.name.startswith(".") or (file.is_dir() and file.suffix.lower() not in (".yaml", ".yml")):
            continue  # an editor's hidden swap file; a folder is checked by districts.check_folders
        if file.suffix.lower() not in (".yaml", ".yml"):  # dibao.yaml.txt, dibao.yaml.bak: would be skipped
            raise CivsimError(
                file,
                None,
                "not a parameter file (it would be skipped)",
                f"only .yaml files in {folder.name}/ (rename it to {file.name.split('.')[0]}.yaml, "
                "or move it out of the folder)",
            )
        if file.suffix != ".yaml":  # would be skipped, or read under a name nothing looks up
            raise CivsimError(file, None, f"parameter file ends in {file.suffix}", f"{file.stem}.yaml")
        if not is_key(file.stem):
            raise CivsimError(
                file,
                None,
                f"bad file name {file.name!r}",
                "a lowercase ASCII name such as dibao.yaml (the first part of every path in it)",
            )
        _walk(read_yaml(file), file.stem, file, leaves)
    for path, leaf in leaves.items():
        fitted = next((e for e in leaf.entries if e.source == "calibration" or e.fitted_to), None)
        if fitted is not None:
            raise CivsimError(
                leaf.file,
                f"{path}.values.{fitted.start.isoformat()}",
                "a fitted value in a policy file",
                f"policy as the rule states it; fitted values in {CALIBRATION.name}/{folder.name}.yaml",
            )
    return leaves


def _read_calibration(file: Path) -> dict[str, Leaf]:
    """A folder's fitted values: each entry a calibration naming the figures it was fitted to, or
    an assumption about the roll that goes with them (a grant paid in January only)."""
    leaves: dict[str, Leaf] = {}
    if not file.is_file():
        return leaves
    tree = read_yaml(file)
    if not isinstance(tree, dict):
        raise CivsimError(file, None, f"found {type(tree).__name__}", "a mapping of parameter names")
    for name, child in tree.items():
        if not is_key(name):
            raise CivsimError(file, str(name), "bad key", "a lowercase ASCII name (letters, digits, _)")
        _walk(child, name, file, leaves)
    for path, leaf in leaves.items():
        for entry in leaf.entries:
            if entry.source != "assumption" and (entry.source != "calibration" or not entry.fitted_to):
                raise CivsimError(
                    file,
                    f"{path}.values.{entry.start.isoformat()}",
                    "a value without its fit",
                    "calibration (how it was fitted) and fitted_to (every figure it was fitted to), or an assumption",
                )
    return leaves


def _refuse_fit_over_statute(inherited: Leaf | None, fitted: Leaf) -> None:
    """A fit replaces an assumption, or evidence about the roll (a published ratio that a program
    declares as the prior of a fitted unknown), never a value a rule states: the 低保 standard in
    force when the fit starts, or stated later, stays what the rule says."""
    from .programs import MEASURED, UNKNOWNS  # the declarations say which leaves are the roll's unknowns

    if inherited is None or fitted.path in UNKNOWNS:
        return
    # a statistic about the roll (a national turnover rate) gives way to the district's own rolls
    if fitted.path in MEASURED and all(
        e.fitted_to and all(map(is_roll_reference, e.fitted_to)) for e in fitted.entries
    ):
        return
    start = fitted.entries[0].start
    over = [e for e in inherited.entries if e.start >= start or e is _in_force(inherited, start)]
    stated = [e for e in over if e is not None and e.source not in ("assumption", "calibration")]
    if stated:
        raise CivsimError(
            fitted.file,
            f"{fitted.path}.values.{start.isoformat()}",
            f"a fitted value over one {Path(inherited.file).name} states from {stated[0].start.isoformat()}",
            "a value stated by a rule or fitted, not both (a fit may replace an assumption)",
        )


def _in_force(leaf: Leaf, day: dt.date) -> Entry | None:
    return leaf.at(day) if leaf.entries[0].start <= day else None


def _fitted_over(inherited: Leaf | None, fitted: Leaf) -> Leaf:
    """A fitted leaf in force from its first date; before it, the value it would otherwise have."""
    if inherited is None:
        return fitted
    if inherited.unit != fitted.unit:
        raise CivsimError(
            fitted.file,
            fitted.path,
            f"unit {fitted.declared_unit} does not match the {inherited.declared_unit} of {inherited.file}",
            f"a unit convertible to {inherited.unit}",
        )
    earlier = tuple(e for e in inherited.entries if e.start < fitted.entries[0].start)
    return replace(
        fitted,
        entries=earlier + fitted.entries,
        description=fitted.description or inherited.description,
        recurring=fitted.recurring or inherited.recurring,
    )


def _check_counts(leaves: dict[str, Leaf]) -> None:
    """``X.households`` cannot exceed ``X.persons`` on any date both are in force: a household has
    at least one member."""
    for path, leaf in leaves.items():
        other = leaves.get(path.removesuffix("households") + "persons") if path.endswith(".households") else None
        if other is None or leaf.unit != "households" or other.unit != "persons":
            continue
        start = max(leaf.entries[0].start, other.entries[0].start)
        for day in sorted({e.start for e in leaf.entries + other.entries if e.start >= start}):
            households, persons = leaf.at(day).value, other.at(day).value
            if households > persons:
                raise CivsimError(
                    leaf.file,
                    f"{path}.values.{day.isoformat()}",
                    f"{households:g} households but {persons:g} persons ({other.path} in {Path(other.file).name})",
                    "no more households than persons",
                )


@dataclass(frozen=True)
class ParamSet:
    """The resolved parameter tree of one jurisdiction (and any scenario applied to it)."""

    district: districts.District
    leaves: dict[str, Leaf] = field(repr=False)
    scenario: str = "baseline"

    def leaf(self, path: str) -> Leaf:
        try:
            return self.leaves[path]
        except KeyError:
            raise CivsimError(
                f"params/{self.district.slug}", path, "no such parameter", "a path listed by `civsim params`"
            ) from None

    def has(self, path: str) -> bool:
        return path in self.leaves

    def at(self, path: str, date) -> float:
        """The value in force on ``date`` (a date, ``YYYY-MM-DD`` or ``YYYY-MM``)."""
        return self.leaf(path).at(parse_date(date)).value

    def monthly(self, path: str, months: pd.PeriodIndex) -> np.ndarray:
        """One value per month: the value in force on each month's first day."""
        leaf = self.leaf(path)
        return np.array([leaf.at(m.start_time.date()).value for m in months])

    def get(self, path: str, date, default: float = 0.0) -> float:
        """Like :meth:`at`, but ``default`` where the leaf is absent or not yet in force."""
        leaf = self.leaves.get(path)
        if leaf is None or leaf.entries[0].start > parse_date(date):
            return default
        return leaf.at(parse_date(date)).value

    def monthly_or_zero(self, path: str, months: pd.PeriodIndex) -> np.ndarray:
        """Like :meth:`monthly`, with 0 for months the leaf is absent or not yet in force."""
        return np.array([self.get(path, m.start_time.date(), 0.0) for m in months])

    def paths(self, prefix: str = "") -> list[str]:
        return sorted(p for p in self.leaves if p == prefix or p.startswith(prefix + ".") or not prefix)

    def resolve(self, date) -> list[dict]:
        """Every leaf in force at ``date``: path, value, unit, source (for the CLI)."""
        day = parse_date(date)
        rows = []
        for path in sorted(self.leaves):
            leaf = self.leaves[path]
            if leaf.entries[0].start <= day:
                entry = leaf.at(day)
                rows.append({"path": path, "value": entry.value, "unit": leaf.unit, "source": entry.source})
        return rows

    def with_leaves(self, leaves: dict[str, Leaf], scenario: str) -> "ParamSet":
        return replace(self, leaves=leaves, scenario=scenario)


def _provincial(district, inherited: dict, table=None) -> dict:
    """The gap-ratio leaves of the district's province's published averages (civsim.provincial):
    the inherited leaf's entries before the province's first month, then the province's."""
    out = {}
    for key, rows in provincial.entries(district, table).items():
        own = tuple(Entry(start, value, source, quote) for start, value, source, quote in rows)
        before = inherited.get(key)
        earlier = tuple(e for e in before.entries if e.start < own[0].start) if before is not None else ()
        out[key] = Leaf(
            key,
            "ratio",
            "ratio",
            earlier + own,
            str(table or provincial.TABLE),
            before.description if before is not None else "低保人均补助 ÷ 低保标准（省级统计均值）",
            before.recurring if before is not None else None,
        )
    return out


@lru_cache(maxsize=32)
def _load(code: str, root: Path, calibrated: bool = True) -> ParamSet:
    district = districts.find(code)
    leaves: dict[str, Leaf] = {}
    if not root.is_dir():  # no workspace here (a kernel started elsewhere): not the national defaults alone
        raise CivsimError(
            root,
            None,
            "参数文件夹不存在（不在 civsim 工作区中）",
            "civsim init 创建的工作区：用 --home 或 CIVSIM_HOME 指定，或在其中运行",
        )
    districts.check_folders(root)
    folders = [defaults_folder(root)] + [root / d.slug for d in reversed(districts.lineage(district))]
    for i, folder in enumerate(folders):
        if i == 1:  # published provincial averages: over the national defaults, under every own folder
            leaves.update(_provincial(district, leaves))
        own = _read_folder(folder) if folder.is_dir() else {}
        for path, leaf in own.items():
            inherited = leaves.get(path)
            if inherited is not None and inherited.unit != leaf.unit:
                raise CivsimError(
                    leaf.file,
                    path,
                    f"unit {leaf.declared_unit} does not match the inherited "
                    f"{inherited.declared_unit} of {inherited.file}",
                    f"a unit convertible to {inherited.unit}",
                )
            leaves[path] = leaf
        fitted = _read_calibration(root / CALIBRATION.name / f"{folder.name}.yaml") if calibrated else {}
        for path, leaf in fitted.items():
            _refuse_fit_over_statute(leaves.get(path), leaf)
            leaves[path] = _fitted_over(leaves.get(path), leaf)
    _check_counts(leaves)
    params = ParamSet(district, leaves)
    from . import schema  # the programs declare which leaves exist

    schema.check(params)
    return params


def check_year(params: ParamSet, year: int, flag: str = "--year") -> None:
    """A year within the years the parameters cover: from the earliest dated value to one year
    after the latest (a plan or budget looks a year ahead); beyond that every value would be
    carried forward from an old year without a word."""
    first = min(leaf.entries[0].start.year for leaf in params.leaves.values())
    last = max(leaf.entries[-1].start.year for leaf in params.leaves.values()) + 1
    if not first <= year <= last:
        raise CivsimError(
            flag,
            str(year),
            f"outside the years the parameters of {params.district.name} cover",
            f"a year from {first} to {last} (the latest dated value is of {last - 1})",
        )


def folder_of(file: str | Path) -> str:
    """The parameter folder a leaf's file belongs to: its own, or the one a calibration file is for."""
    file = Path(file)
    return file.stem if file.parent.name == CALIBRATION.name else file.parent.name


def clear_cache() -> None:
    """Forget the parameter sets read so far (after a file under params/ was rewritten)."""
    _load.cache_clear()


def load(district: str | int, root: Path = PARAMS, calibrated: bool = True) -> ParamSet:
    """The parameters of a jurisdiction by GB/T 2260 code or Chinese name, with its parents' inherited
    (and, unless ``calibrated`` is False, the values fitted to its reported figures)."""
    return _load(districts.find(district).code, Path(root), calibrated)
