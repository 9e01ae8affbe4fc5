"""Every district under a jurisdiction — a city, a province, or the whole table — run on Dask,
and the roll-ups of their results to each city and province above them.

The district is the unit of work. :func:`run_district` simulates one district on its own roll and
parameters and returns the engine's tidy table: aggregates per month × program × area, a few
hundred rows however large the roll, so only those travel back from a worker. :func:`run` fans
the districts out over a dask client (:mod:`civsim.cluster`); a district that fails is reported
with its cause and the others finish.

Roll-ups add up to the fen. Every measure is first rounded as the district's own table is written
(money to the fen, counts to 0.01), then summed in integer hundredths, so the city's figure is
exactly the sum of its districts' written figures. A jurisdiction's roll-up covers the districts
listed under it in ``data/districts.csv`` and no others; :func:`coverage` says which, and a
jurisdiction with a failed district gets no roll-up at all rather than a short one.

``--out DIR`` layout (written whole: built in a hidden folder, then moved in)::

    DIR/districts/district=<code>/part-0.parquet    one district's tidy table (hive-partitioned)
    DIR/city.parquet, DIR/province.parquet         roll-ups, jurisdiction = the city / province
    DIR/coverage.csv                               per roll-up: districts listed, summed, failed
    DIR/failures.csv                               only if a district failed: code, name, cause
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from . import districts, engine, params as params_module, scenarios as scenarios_module
from .districts import District
from .errors import CivsimError
from .params import ParamSet
from .tables import write_csv

KEYS = ["scenario", "month", "program", "area"]
HUNDREDTHS = 100  # money to the fen, counts to 0.01: as engine.to_csv_frame writes them


def districts_under(jurisdiction=None, level: str | None = None) -> list[District]:
    """The districts (level ``district``) under a jurisdiction, by code; every district if None.

    ``level`` checks the jurisdiction is a ``city`` or ``province`` (``--city`` / ``--province``).
    """
    table = districts.load_districts()
    if jurisdiction is None:
        found = [d for d in table.values() if d.level == "district"]
        top = None
    else:
        top = districts.find(jurisdiction)
        if level is not None and top.level != level:
            raise CivsimError(
                districts.DISTRICTS_CSV.name,
                top.code,
                f"{top.name} is a {top.level}, not a {level}",
                f"the code or name of a {level}",
            )
        found = [d for d in table.values() if d.level == "district" and top in districts.lineage(d)]
    if not found:
        where = f"under {top.code} {top.name}" if top else ""
        raise CivsimError(
            districts.DISTRICTS_CSV.name,
            top.code if top else None,
            f"no districts listed {where}".strip(),
            "rows of level district whose parent chain reaches it",
        )
    return sorted(found, key=lambda d: d.code)


def ancestors(district: District) -> list[District]:
    """The jurisdictions a district rolls up to, nearest first (武汉市, 湖北省), from data/districts.csv."""
    if not district.parent:
        return []
    return districts.lineage(districts.find(district.parent))


def run_district(district, year: int, scenarios=(), seed: int | None = None) -> pd.DataFrame:
    """One district-year on its own roll: baseline and scenarios, the engine's tidy table.

    ``district`` is a code or name (its parameters are loaded where this runs) or a ParamSet.
    """
    params = district if isinstance(district, ParamSet) else params_module.load(district)
    if params.district.level != "district":
        raise CivsimError(
            districts.DISTRICTS_CSV.name,
            params.district.code,
            f"{params.district.name} is a {params.district.level}",
            "a district (the unit of a run)",
        )
    frame = engine.simulate(params.district.code, int(year), scenarios=tuple(scenarios), seed=seed, params=params)
    engine.require_someone(frame, int(year))
    return frame


def run_districts(batch) -> list[tuple[str, pd.DataFrame | None, str]]:
    """:func:`run_district` for each ``(code, args)`` of a batch: (code, table, "") or, for a
    district that fails, (code, None, its cause); each fails alone. A worker that dies (over its
    memory limit) fails its whole batch with that cause."""
    from . import cluster

    out = []
    for code, args in batch:
        try:
            out.append((code, run_district(*args), ""))
        except Exception as exc:  # one district's failure is its own, the others go on
            out.append((code, None, cluster.cause(exc)))
    return out


def batch_size(districts_: int, workers: int) -> int:
    """Districts per task: eight batches or more per worker, so the last ones leave no worker long
    idle; at most 25."""
    return max(1, min(25, districts_ // max(1, 8 * workers)))


@dataclass
class Run:
    """The districts' tables (by code, in code order) and the cause of each failure."""

    year: int
    districts: dict[str, District]
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures


def _unit(unit) -> tuple[str, District]:
    if isinstance(unit, ParamSet):
        return unit.district.code, unit.district
    found = unit if isinstance(unit, District) else districts.find(unit)
    return found.code, found


def _scenarios(chosen) -> tuple:
    """Scenario objects, loaded once here: a bad name fails before any district starts."""
    return tuple(s if isinstance(s, scenarios_module.Scenario) else scenarios_module.load(s) for s in chosen)


def run(
    units: Iterable,
    year: int,
    scenarios=(),
    seed: int | None = None,
    client=None,
    progress: bool = True,
    on_result: Callable[[str, pd.DataFrame], None] | None = None,
) -> Run:
    """Run each district (code, District or ParamSet) on ``client`` (default: a LocalCluster sized
    to the machine for this call). ``on_result(code, table)`` sees each table as it arrives."""
    from . import cluster

    units = list(units)
    pairs = [_unit(u) for u in units]
    result = Run(int(year), {code: d for code, d in pairs})
    if len(result.districts) != len(pairs):
        raise CivsimError(None, "districts", "the same district twice", "each district once")
    chosen = _scenarios(scenarios)
    # a code travels, not its parameters: they are loaded on the worker, so a bad file fails that district only
    tasks = [
        (code, (u if isinstance(u, ParamSet) else code, int(year), chosen, seed)) for (code, _), u in zip(pairs, units)
    ]
    if client is None:
        with cluster.connect() as own:
            return run(units, year, chosen, seed, client=own, progress=progress, on_result=on_result)
    start = time.perf_counter()
    # districts travel in batches: a task's own cost on the cluster (scheduling, messages, the
    # worker's bookkeeping) is paid once per batch, not once per district
    size = batch_size(len(tasks), len(client.scheduler_info()["workers"]))
    batches = {tasks[i][0]: tasks[i : i + size] for i in range(0, len(tasks), size)}
    for done in cluster.gather(
        client,
        run_districts,
        [(key, (batch,)) for key, batch in batches.items()],
        progress=progress,
        desc="districts",
        unit="batch",
    ):
        for code, frame, error in done.result if done.ok else [(c, None, done.error) for c, _ in batches[done.key]]:
            if error:
                result.failures[code] = error
            else:
                result.frames[code] = frame
                if on_result is not None:
                    on_result(code, frame)
    result.seconds = time.perf_counter() - start
    result.frames = dict(sorted(result.frames.items()))
    result.failures = dict(sorted(result.failures.items()))
    return result


def written(frame: pd.DataFrame) -> pd.DataFrame:
    """A district's table as written: months as YYYY-MM, money to the fen, counts to 0.01."""
    return engine.to_csv_frame(frame)


def _hundredths(values) -> np.ndarray:
    return np.rint(np.asarray(values, np.float64) * HUNDREDTHS).astype(np.int64)


def _sum(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Group sums in integer hundredths of each (already rounded) measure: exact, order-free."""
    data = frame[by].copy()
    for m in engine.MEASURES:
        data[m] = _hundredths(frame[m])
    summed = data.groupby(by, sort=False, as_index=False, observed=True)[engine.MEASURES].sum()
    for m in engine.MEASURES:
        summed[m] = summed[m] / HUNDREDTHS
    return summed


def _order(frame: pd.DataFrame) -> pd.DataFrame:
    scenario_order = {name: i for i, name in enumerate(dict.fromkeys(frame["scenario"]))}
    return frame.sort_values(
        ["jurisdiction", *KEYS], key=lambda s: s.map(scenario_order) if s.name == "scenario" else s, kind="stable"
    ).reset_index(drop=True)


def roll_up(
    frames: dict[str, pd.DataFrame],
    members: dict[str, District],
    above: Callable[[District], list[District]] = ancestors,
) -> pd.DataFrame:
    """Each jurisdiction above the districts: the sum of its districts' written tables.

    Columns: level (of the jurisdiction), then the engine's columns with ``jurisdiction`` the
    city's or province's code. ``above(district)`` lists the jurisdictions a district rolls up to.
    """
    if not frames:
        return pd.DataFrame(columns=["level", *engine.COLUMNS])
    data = written(pd.concat([f.assign(jurisdiction=code) for code, f in frames.items()], ignore_index=True))
    chains = {code: above(members[code]) for code in frames}
    levels = {a.code: a.level for chain in chains.values() for a in chain}
    parts = []
    for depth in range(max((len(c) for c in chains.values()), default=0)):
        parent = {code: chain[depth].code for code, chain in chains.items() if len(chain) > depth}
        rows = data[data["jurisdiction"].isin(parent.keys())]
        parts.append(_sum(rows.assign(jurisdiction=rows["jurisdiction"].map(parent)), ["jurisdiction", *KEYS]))
    if not parts:
        return pd.DataFrame(columns=["level", *engine.COLUMNS])
    out = _order(pd.concat(parts, ignore_index=True))
    out.insert(0, "level", out["jurisdiction"].map(levels))
    return out


def coverage(result: Run, above: Callable[[District], list[District]] = ancestors) -> pd.DataFrame:
    """Per jurisdiction above the run's districts: how many are listed, summed and failed."""
    rows: dict[str, dict] = {}
    for code, district in result.districts.items():
        for a in above(district):
            row = rows.setdefault(
                a.code, {"jurisdiction": a.code, "name": a.name, "level": a.level, "districts": [], "failed": []}
            )
            row["districts"].append(code)
            if code in result.failures:
                row["failed"].append(code)
    table = [
        {
            "jurisdiction": r["jurisdiction"],
            "name": r["name"],
            "level": r["level"],
            "districts": len(r["districts"]),
            "summed": len(r["districts"]) - len(r["failed"]),
            "failed": " ".join(r["failed"]),
            "codes": " ".join(r["districts"]),
        }
        for r in rows.values()
    ]
    return (
        pd.DataFrame(table, columns=["jurisdiction", "name", "level", "districts", "summed", "failed", "codes"])
        .sort_values("jurisdiction", kind="stable")
        .reset_index(drop=True)
    )


def complete_roll_up(result: Run, above: Callable[[District], list[District]] = ancestors) -> pd.DataFrame:
    """The roll-up of the jurisdictions all of whose districts in the run succeeded."""
    cover = coverage(result, above)
    whole = set(cover.loc[cover["failed"] == "", "jurisdiction"])
    table = roll_up(result.frames, result.districts, above)
    return table[table["jurisdiction"].isin(whole)].reset_index(drop=True)


def simulate(jurisdiction, year: int, scenarios=(), seed: int | None = None, client=None) -> pd.DataFrame:
    """A city's or province's year as the sum of its districts' (engine's tidy form: Period
    months), e.g. for a report rendered from its districts. Districts run one after another in
    this process unless a client is given; any failure raises, as a report must not cover less
    than it says."""
    top = districts.find(jurisdiction)
    members = districts_under(top.code)
    if client is None:
        frames = {d.code: run_district(d.code, year, _scenarios(scenarios), seed) for d in members}
    else:
        result = run(members, year, scenarios, seed, client=client, progress=False)
        if result.failures:
            code, why = next(iter(result.failures.items()))
            raise CivsimError(None, code, f"district failed: {why}", f"every district under {top.name} to run")
        frames = result.frames
    table = roll_up(frames, {d.code: d for d in members})
    table = table[table["jurisdiction"] == top.code].drop(columns="level")
    table["month"] = pd.PeriodIndex(table["month"], freq="M")
    return table.reset_index(drop=True)[engine.COLUMNS]


def coverage_note(jurisdiction) -> str:
    """In the report's words: which districts a roll-up of ``jurisdiction`` sums."""
    top = districts.find(jurisdiction)
    members = districts_under(top.code)
    names = "、".join(d.name for d in members)
    return (
        f"{top.name}的数据为data/districts.csv所列{len(members)}个所辖区县（{names}）模型数据之和；"
        f"未列入的区县不在其内，故不是{top.name}全域的数字。"
    )


# -- writing


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False)


def _swap_in(staging: Path, out: Path, names: Iterable[str]) -> None:
    """Move each staged output over its target (folders too), then drop the targets this run did
    not make, so ``out`` holds this run's outputs and nothing stale."""
    made = {p.name for p in staging.iterdir()}
    for name in names:
        target = out / name
        if name in made:
            if target.is_dir():
                old = staging / f".old-{name}"
                os.replace(target, old)
                os.replace(staging / name, target)
                shutil.rmtree(old)
            else:
                os.replace(staging / name, target)
        elif target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)


OUTPUTS = ("districts", "city.parquet", "province.parquet", "coverage.csv", "failures.csv")
# Written in an output folder civsim made its own: only such a folder's outputs may be replaced.
MARKER = ".civsim-simulate-out"


def claim(out: Path) -> None:
    """Make ``out`` this command's folder: a new or empty folder gets the marker; a folder holding
    anything else is refused unless an earlier run marked it, so that files of the same names
    (``districts/``, ``failures.csv``) that civsim did not write are never replaced or removed."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise CivsimError("--out", out, "is a file, not a folder", "a folder for the district tables and roll-ups")
    held = (
        [
            p.name
            for p in out.iterdir()
            if p.name != MARKER and not (p.name.startswith(".civsim-") and p.name.endswith(".tmp"))
        ]
        if out.is_dir()
        else []
    )
    if held and not (out / MARKER).is_file():
        raise CivsimError(
            "--out",
            out,
            f"the folder holds {held[0]}{' …' if len(held) > 1 else ''}, which civsim did not write (no {MARKER})",
            "a new or empty folder, or one an earlier `civsim simulate --out` wrote",
        )
    out.mkdir(parents=True, exist_ok=True)
    if not (out / MARKER).is_file():
        from .atomic import write_text

        write_text(out / MARKER, "civsim simulate --out: the outputs in this folder are replaced by the next run\n")


def main(
    jurisdiction=None,
    level: str | None = None,
    year: int = 0,
    scenarios=(),
    seed: int | None = None,
    out=None,
    scheduler: str | None = None,
    workers: int | None = None,
    memory_limit=None,
    progress: bool = True,
) -> int:
    """``civsim simulate --province/--city/--all``: run, write ``out``, print a summary; 1 if any
    district failed (its cause is printed and written to failures.csv)."""
    from . import cluster

    if out is None:
        raise CivsimError("civsim simulate", "--out", "missing", "a folder for the district tables and roll-ups")
    members = districts_under(jurisdiction, level)
    chosen = _scenarios(scenarios)
    out = Path(out)
    if scheduler:
        cluster.reachable(scheduler, workers, memory_limit)  # before the folder is made or claimed
    claim(out)
    staging = Path(tempfile.mkdtemp(prefix=".civsim-", suffix=".tmp", dir=out))
    try:

        def save(code, frame):  # each district's table as it arrives, so memory holds aggregates only
            _write_parquet(written(frame), staging / "districts" / f"district={code}" / "part-0.parquet")

        with cluster.connect(scheduler, workers, memory_limit) as client:
            n = len(client.scheduler_info()["workers"])
            result = run(members, year, chosen, seed, client=client, progress=progress, on_result=save)
        cover = coverage(result)
        table = complete_roll_up(result)
        for name in ("city", "province"):
            part = table[table["level"] == name]
            if not part.empty:
                _write_parquet(part.reset_index(drop=True), staging / f"{name}.parquet")
        if not cover.empty:
            write_csv(cover, staging / "coverage.csv")
        if result.failures:
            write_csv(
                pd.DataFrame(
                    [
                        {"district": c, "name": result.districts[c].name, "cause": why}
                        for c, why in result.failures.items()
                    ]
                ),
                staging / "failures.csv",
            )
        _swap_in(staging, out, OUTPUTS)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    print(
        f"{len(members)} 个区县中 {len(result.frames)} 个算完，用时 {result.seconds:.1f} 秒（{n} 个工作进程）；"
        f"已写出 {out}/districts/ 及 {table['jurisdiction'].nunique()} 个上级辖区的汇总",
        file=sys.stderr,
    )
    for code, why in result.failures.items():
        print(f"失败 {code} {result.districts[code].name}：{why}", file=sys.stderr)
    return 0 if result.ok else 1


__all__ = [
    "districts_under",
    "ancestors",
    "run_district",
    "run_districts",
    "batch_size",
    "run",
    "Run",
    "written",
    "roll_up",
    "coverage",
    "complete_roll_up",
    "simulate",
    "coverage_note",
    "main",
]
