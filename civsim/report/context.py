"""The figures of one district-year, computed once; the documents only format them.

A :class:`Context` holds what the year's 工作总结, the 工作计划 for the year after and its 预算测算
show, in three parts:

* ``summary`` — the year simulated (the baseline and the summary's scenario; on the bureau's roll,
  or as the sum of the districts, where asked), the year before, and the reconciliation with the
  reported figures (or the one line why it could not be made);
* ``plan`` — the year (baseline, synthetic roll) and the year after (baseline and the plan's
  scenarios), and the change between them split by :func:`civsim.budget.decompose` for each;
* ``budget`` — the budget window from the year after (:func:`civsim.budget.project`).

:func:`compute` is where they are simulated; the report classes (:mod:`civsim.report.summary`,
:mod:`~civsim.report.plan`, :mod:`~civsim.report.budget_document`) take a context and only format
it. The batch (:mod:`civsim.report_jobs`) computes each district-year's context once, in its pool,
saves it into the run's temporary folder and hands that folder to the three notebooks as their
``context`` parameter; a notebook run by hand, with no context, computes the part it shows.

:meth:`Context.save` writes Parquet tables and a JSON manifest (:mod:`civsim.report.context_files`),
whole or not at all, byte for byte the same for the same inputs. The manifest's key — jurisdiction,
year, scenarios, seed, roll, budget window, the hashes of the parameters and of each scenario file,
civsim's version and commit — is checked against what a notebook asks for (:func:`get`): a context
made for other inputs, or before a parameter file was edited, is one line, never formatted as if it
were this report's.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import districts, engine, params as params_module, provenance, scenarios as scenarios_module
from ..budget.projection import YEARS, Projection
from ..errors import CivsimError
from ..params import ParamSet
from . import context_files
from .labels import BASELINE

SUMMARY, PLAN, BUDGET = "summary", "plan", "budget"
PARTS = (SUMMARY, PLAN, BUDGET)
DRAWS = 200  # the budget window's Monte Carlo draws, as the budget notebook's default
EXPECTED = "the context civsim report made for this report, or none (context = None: the notebook computes it)"


@dataclass(frozen=True)
class Key:
    """What a context was computed from. ``year`` is the summary's year; the plan and the budget are
    for ``year + 1``."""

    district: str  # GB/T 2260 code
    year: int
    scenario: str = BASELINE  # the summary's
    scenarios: tuple = ()  # the plan's and the budget's (names, the baseline left out)
    seed: int = 1
    from_districts: bool = False  # the summary's figures as the sum of the districts'
    roll: str | None = None  # the folder of the bureau's roll the summary runs on
    draws: int = DRAWS
    years: int = YEARS
    params_hash: str = ""
    scenario_hashes: tuple = ()  # (name, hash) of every scenario named above
    code: str = ""  # civsim's version and commit

    def as_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["scenarios"], data["scenario_hashes"] = list(self.scenarios), [list(p) for p in self.scenario_hashes]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Key":
        data = dict(data)
        data["scenarios"] = tuple(data.get("scenarios", ()))
        data["scenario_hashes"] = tuple(tuple(p) for p in data.get("scenario_hashes", ()))
        return cls(**data)


# the fields each part depends on, besides the parameters, its scenarios' files and the code
FIELDS = {
    SUMMARY: ("district", "year", "scenario", "seed", "from_districts", "roll"),
    PLAN: ("district", "year", "scenarios", "seed"),
    BUDGET: ("district", "year", "scenarios", "seed", "draws", "years"),
}
WORDS = {
    "district": "jurisdiction",
    "scenarios": "plan scenarios",
    "from_districts": "from districts",
    "params_hash": "parameters hash",
    "scenario_hashes": "scenario files",
    "code": "civsim version",
}


def scenario_names(scenarios) -> tuple[str, ...]:
    """Scenario names once each, in order, without the baseline."""
    names = [s.name if isinstance(s, scenarios_module.Scenario) else str(s) for s in (scenarios or ())]
    return tuple(name for name in dict.fromkeys(names) if name != BASELINE)


def _scenario_hash(name: str) -> str:
    text = json.dumps(scenarios_module.load(name).to_dict(), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def code_version() -> str:
    commit = provenance.git_commit()
    return f"{provenance.version()} {commit}" if commit else provenance.version()


def key_of(
    params: ParamSet,
    year: int,
    scenario: str = BASELINE,
    scenarios=(),
    seed: int | None = None,
    from_districts: bool = False,
    roll=None,
    draws: int = DRAWS,
    years: int = YEARS,
) -> Key:
    """The key of a context for these inputs, with the parameters and scenario files as they are now."""
    names = scenario_names(scenarios)
    hashed = ([scenario] if scenario != BASELINE else []) + list(names)
    return Key(
        params.district.code,
        int(year),
        scenario,
        names,
        1 if seed is None else int(seed),
        bool(from_districts),
        None if roll in (None, "") else str(Path(roll).resolve()),
        int(draws),
        int(years),
        provenance.params_hash(params),
        tuple((n, _scenario_hash(n)) for n in dict.fromkeys(hashed)),
        code_version(),
    )


@dataclass
class Context:
    """One district-year's figures (see the module). A part not computed is None; a part that could
    not be computed holds its one-line cause in ``errors``, raised when a document asks for it."""

    key: Key
    params: ParamSet = field(repr=False)
    parts: tuple = ()
    errors: dict = field(default_factory=dict)
    # summary
    results: pd.DataFrame | None = field(default=None, repr=False)
    last_year: pd.DataFrame | None = field(default=None, repr=False)
    reconciliation: pd.DataFrame | None = field(default=None, repr=False)
    reconciliation_error: str | None = None
    # plan (this_year is results itself when the summary runs the baseline on the synthetic roll)
    this_year: pd.DataFrame | None = field(default=None, repr=False)
    next_year: pd.DataFrame | None = field(default=None, repr=False)
    decomposition: pd.DataFrame | None = field(default=None, repr=False)
    # budget
    projection: Projection | None = field(default=None, repr=False)

    @property
    def district(self):
        return self.params.district

    def require(self, part: str, asked: Key | None = None, where: object = "context") -> "Context":
        """This context, when it holds ``part`` and was made for what ``asked`` says (the fields that
        part depends on, the parameters and scenario files as they are now, this civsim); else one line."""
        if part not in self.parts:
            raise CivsimError(where, part, f"this context was made without the {part} part", EXPECTED)
        if asked is not None:
            differs = []
            for name in FIELDS[part] + ("params_hash", "code"):
                mine, theirs = getattr(self.key, name), getattr(asked, name)
                if mine != theirs:
                    differs.append(f"{WORDS.get(name, name)} {_shown(mine)}, not {_shown(theirs)}")
            mine, theirs = dict(self.key.scenario_hashes), dict(asked.scenario_hashes)
            changed = [n for n in theirs if n in mine and mine[n] != theirs[n]]
            if changed:
                differs.append(f"scenario files changed since: {', '.join(changed)}")
            if differs:
                raise CivsimError(where, None, f"made for other inputs: {'; '.join(differs)}", EXPECTED)
        if part in self.errors:  # the line it was refused with, as computing it here would say
            raise CivsimError(None, None, self.errors[part])
        return self

    def save(self, folder) -> Path:
        """Write this context into ``folder`` (replaced whole, atomically): Parquet tables and
        context.json (:mod:`civsim.report.context_files`)."""
        manifest = {
            "key": self.key.as_dict(),
            "parts": list(self.parts),
            "errors": dict(self.errors),
            "reconciliation_error": self.reconciliation_error,
        }
        return context_files.write(
            folder, manifest, {name: getattr(self, name) for name in context_files.TABLES}, self.projection
        )


def _shown(value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(map(str, value)) + "]"
    return "none" if value is None else str(value)


def load(folder) -> Context:
    """The context saved in ``folder`` (one line when it is missing or not a context)."""
    manifest, tables, projection = context_files.read(folder)
    try:
        key = Key.from_dict(manifest["key"])
        parts, errors = tuple(manifest["parts"]), dict(manifest["errors"])
    except (KeyError, TypeError) as exc:
        raise CivsimError(
            folder, None, f"not a whole context ({type(exc).__name__}: {exc})", "a folder written by civsim report"
        ) from None
    return Context(
        key,
        params_module.load(key.district),
        parts,
        errors,
        projection=projection,
        reconciliation_error=manifest.get("reconciliation_error"),
        **tables,
    )


# ---------------------------------------------------------------- computing


def compute(
    district,
    year: int,
    *,
    scenario: str = BASELINE,
    scenarios=(),
    seed: int | None = None,
    from_districts: bool = False,
    roll=None,
    draws: int = DRAWS,
    years: int = YEARS,
    parts=PARTS,
) -> Context:
    """Simulate what the ``parts`` of ``district``'s ``year`` need (see the module). A part whose
    inputs are refused (a scenario that changes nothing, a roll that does not load) keeps its one
    line in ``errors`` rather than failing the others; the document asking for it raises it."""
    params = params_module.load(district)
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise CivsimError("context", "parts", f"unknown part {unknown[0]!r}", ", ".join(PARTS))
    key = key_of(params, year, scenario, scenarios, seed, from_districts, roll, draws, years)
    context = Context(key, params, tuple(p for p in PARTS if p in parts))
    for part, work in ((SUMMARY, _summary), (PLAN, _plan), (BUDGET, _budget)):
        if part in context.parts:
            try:
                work(context)
            except CivsimError as exc:
                context.errors[part] = str(exc)
    return context


def _simulate(params: ParamSet, year: int, scenarios=(), seed: int = 1, roll=None) -> pd.DataFrame:
    chosen = [scenarios_module.load(s) for s in scenarios]
    return engine.simulate(
        params.district.code if roll is None else None, year, scenarios=chosen, seed=seed, params=params, roll=roll
    )


def _summary(context: Context) -> None:
    key, params = context.key, context.params
    extra = () if key.scenario == BASELINE else (key.scenario,)
    if key.from_districts:
        from ..province import simulate

        context.results = simulate(key.district, key.year, extra, key.seed)
        context.last_year = simulate(key.district, key.year - 1, (), key.seed)
    else:
        from .. import roll_io

        roll = None if key.roll is None else roll_io.load_folder(params, key.year, key.roll, key.seed)
        context.results = _simulate(params, key.year, extra, key.seed, roll)
        context.last_year = _simulate(params, key.year - 1, (), key.seed, roll)
    from .. import reconcile

    try:
        context.reconciliation = reconcile.reconcile(key.district, key.year, results=context.results)
    except CivsimError as exc:  # the summary says why in its appendix
        context.reconciliation_error = str(exc)


def _plan(context: Context) -> None:
    from ..budget import decompose

    key, params = context.key, context.params
    plain = (
        SUMMARY not in context.errors
        and context.results is not None
        and key.scenario == BASELINE
        and not key.from_districts
        and key.roll is None
    )
    context.this_year = context.results if plain else _simulate(params, key.year, (), key.seed)
    context.next_year = _simulate(params, key.year + 1, key.scenarios, key.seed)
    this = engine.Simulation(params, key.year, key.seed)
    simulations = (this, engine.Simulation(params, key.year + 1, this.seed, roll=this.roll))
    parts = [
        decompose(
            year=key.year + 1,
            scenario=None if name == BASELINE else scenarios_module.load(name),
            params=params,
            simulations=simulations,
        ).assign(scenario=name)
        for name in (BASELINE, *key.scenarios)
    ]
    context.decomposition = pd.concat(parts, ignore_index=True)


def _budget(context: Context) -> None:
    from ..budget import project

    key = context.key
    context.projection = project(
        key.district, key.year + 1, list(key.scenarios), draws=key.draws, seed=key.seed, years=key.years
    )


def compute_into(folder, district, year: int, **options) -> None:
    """:func:`compute` and :meth:`Context.save` into ``folder``: what the batch runs in its pool."""
    compute(district, year, **options).save(folder)


# ---------------------------------------------------------------- what a notebook calls


def get(folder, part: str, district, year: int, **asked) -> Context:
    """The context of ``part`` for ``district``'s ``year`` and the options ``asked`` (those of
    :func:`compute`): read from ``folder`` and checked against them when a folder is given (a
    batch's), else computed here, that part alone (a notebook run by hand)."""
    if folder in (None, ""):
        return compute(district, year, parts=(part,), **asked)
    context = load(folder)
    params = params_module.load(districts.find(district).code)
    return context.require(part, key_of(params, year, **asked), where=folder)


__all__ = [
    "Context",
    "Key",
    "compute",
    "compute_into",
    "load",
    "get",
    "key_of",
    "scenario_names",
    "PARTS",
    "SUMMARY",
    "PLAN",
    "BUDGET",
    "DRAWS",
]
