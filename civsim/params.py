"""Dated, sourced parameters: a YAML tree per jurisdiction, inherited from its parents.

Layout: the national defaults (``civsim/data/defaults/*.yaml``, in the package) are the root of every tree; ``params/<code>-<pinyin>/*.yaml``
overrides it for a jurisdiction, nearest jurisdiction winning leaf by leaf. A file's stem is the
first part of a leaf's dotted path (``dibao.yaml`` → ``dibao.standard.urban``); its tree holds
leaves as :mod:`civsim.param_leaves` reads them (a unit, and values keyed by effective date, each
with its provenance).

Values fitted to a bureau's reported figures are not policy and live apart, in
``params/calibration/<folder>.yaml`` (the same tree, every path written in full from its first
part): each entry is a ``calibration`` (how it was fitted) with ``fitted_to`` naming every figure.
From its first date a fitted leaf replaces the value its folder would otherwise have; a policy
file holding a fitted value, or a fit over a value a rule states (rather than an assumption), is an
error.

The resolved tree of a jurisdiction is a :class:`ParamSet`: the value of each leaf in force on a
day, or one per month (the value in force on the month's first day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import districts, paths, provincial
from .errors import CivsimError
from .param_leaves import Entry, Leaf, is_key, is_roll_reference, parse_date, walk
from .yaml_files import dump_yaml, parse_yaml, read_text_checked, read_yaml  # noqa: F401  (re-exported)

PARAMS = districts.ROOT / "params"  # the workspace's parameters (civsim.paths)
NATIONAL = paths.package_data() / "defaults"  # the national defaults, shipped in the package
CALIBRATION = Path("calibration")  # under a params root: one file of fitted values per folder


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
        walk(read_yaml(file), file.stem, file, leaves)
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
        walk(child, name, file, leaves)
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
