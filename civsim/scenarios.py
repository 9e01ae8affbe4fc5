"""Scenarios: overlays that change parameter leaves from a date, optionally until a date.

``params/scenarios/<name>.yaml``::

    name: dibao_plus5_july
    title: 城乡低保标准自7月起提高5%
    changes:
      - {path: dibao.standard, from: 2021-07-01, percent: 5}      # a leaf or a whole subtree
      - {path: tekun.standard.urban, from: 2021-07-01, until: 2021-12-31, value: 1800}

``value`` is in the leaf's declared unit (13200 on a ``yuan/person/year`` leaf is 13200 a year). Applying a scenario returns
a new ParamSet; the baseline is untouched. A path that matches nothing, or a period that misses the
simulated year, is an error rather than a silent no-op; so are two changes to one leaf over
overlapping months (they would compound), a file whose ``name`` is not its file name, a scenario
named ``baseline``, and two scenarios of one run with the same name (their money would be summed
under one label).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import CivsimError
from .names import clean
from .param_leaves import Leaf, check_limit, parse_date
from .params import PARAMS, ParamSet, read_yaml
from .units import UNITS
from .tables import is_finite_number

SCENARIOS = PARAMS / "scenarios"
NAME = re.compile(r"^[A-Za-z0-9_\-\u4e00-\u9fff]{1,64}$")
BASELINE = "baseline"  # the run every scenario is compared with; no scenario may take its name
LIVE_NAME = "explorer"  # the explorer's live scenario, before a planner saves it under a name


@dataclass(frozen=True)
class Change:
    path: str
    start: dt.date
    end: dt.date | None  # inclusive
    percent: float | None = None
    value: float | None = None

    def apply(self, old: float) -> float:
        return old * (1 + self.percent / 100) if self.percent is not None else float(self.value)


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    changes: tuple[Change, ...]
    file: str = ""

    def to_dict(self) -> dict:
        changes = []
        for c in self.changes:
            item = {"path": c.path, "from": c.start.isoformat()}
            if c.end:
                item["until"] = c.end.isoformat()
            item["percent" if c.percent is not None else "value"] = c.percent if c.percent is not None else c.value
            changes.append(item)
        return {"name": self.name, "title": self.title, "changes": changes}


def check_name(name: str, file=None) -> str:
    """Scenario names become file names: letters, digits, _ and - only (no path separators)."""
    if not isinstance(name, str) or not NAME.match(name):
        raise CivsimError(file, "name", f"bad scenario name {name!r}", "1-64 letters, digits, _ or -")
    if name.lower() == BASELINE:
        raise CivsimError(file, "name", f"the name {name!r} is the baseline's", "another name for a scenario")
    return name


def _overlaps(a: Change, b: Change) -> bool:
    same_leaves = a.path == b.path or a.path.startswith(b.path + ".") or b.path.startswith(a.path + ".")
    never = dt.date.max
    return same_leaves and a.start <= (b.end or never) and b.start <= (a.end or never)


def parse(raw, file="scenario") -> Scenario:
    if not isinstance(raw, dict):
        raise CivsimError(file, None, "not a mapping", "keys name, title, changes")
    unknown = set(raw) - {"name", "title", "description", "changes"}
    if unknown:
        raise CivsimError(file, ", ".join(sorted(map(str, unknown))), "unknown key", "name, title, changes")
    name = check_name(raw.get("name"), file)
    items = raw.get("changes")
    if not isinstance(items, list) or not items:
        raise CivsimError(file, "changes", "missing or empty", "a list of changes")
    changes = []
    for i, item in enumerate(items):
        key = f"changes[{i}]"
        if not isinstance(item, dict):
            raise CivsimError(file, key, "not a mapping", "path, from, until, percent or value")
        unknown = set(item) - {"path", "from", "until", "percent", "value"}
        if unknown:
            raise CivsimError(
                file,
                key,
                f"unknown key(s) {', '.join(sorted(map(str, unknown)))}",
                "path, from, until, percent or value",
            )
        if not isinstance(item.get("path"), str) or not item["path"]:
            raise CivsimError(file, f"{key}.path", "missing", "a parameter path such as dibao.standard.urban")
        if "from" not in item:
            raise CivsimError(file, f"{key}.from", "missing", "the date the change takes effect")
        start = parse_date(item["from"], file, f"{key}.from")
        end = parse_date(item["until"], file, f"{key}.until") if item.get("until") is not None else None
        if end and end < start:
            raise CivsimError(file, f"{key}.until", f"{end} is before {start}", "an end on or after the start")
        if ("percent" in item) == ("value" in item):
            raise CivsimError(file, key, "needs exactly one of percent or value", "percent: 5 or value: 870")
        amount = item.get("percent", item.get("value"))
        if not is_finite_number(amount):
            raise CivsimError(file, key, f"bad amount {amount!r}", "a finite number")
        if "value" in item and amount < 0:
            raise CivsimError(file, f"{key}.value", f"negative value {amount}", "a value of 0 or more")
        if "percent" in item and amount <= -100:
            raise CivsimError(file, f"{key}.percent", f"{amount}% would make the value negative", "more than -100")
        change = Change(
            item["path"],
            start,
            end,
            percent=float(amount) if "percent" in item else None,
            value=float(amount) if "value" in item else None,
        )
        for j, earlier in enumerate(changes):
            if _overlaps(change, earlier):
                raise CivsimError(
                    file,
                    key,
                    f"changes {change.path} over months that changes[{j}] ({earlier.path}) "
                    "also changes; the two would compound",
                    "one change per parameter and month (end the first with until:, or combine them)",
                )
        changes.append(change)
    title = clean(raw.get("title") or raw.get("description") or name, file, "title", "title")
    return Scenario(name, title, tuple(changes), str(file))


def load(name: str, folder: Path = SCENARIOS) -> Scenario:
    """A scenario by name (``params/scenarios/<name>.yaml``) or by file path."""
    path = Path(name)
    by_name = path.suffix not in (".yaml", ".yml")
    if by_name:
        path = Path(folder) / f"{check_name(name)}.yaml"
        if not os.path.lexists(path) and (path.with_suffix(".yml")).exists():
            raise CivsimError(path.with_suffix(".yml"), None, "scenario file ends in .yml", f"{path.name}")
    if not os.path.lexists(path):
        raise CivsimError(path, None, "scenario not found", f"one of: {', '.join(available(folder)) or 'none'}")
    scenario = parse(read_yaml(path), path)
    if by_name and scenario.name != path.stem:
        raise CivsimError(
            path,
            "name",
            f"name {scenario.name!r} differs from the file name {path.name}",
            f"name: {path.stem} (or rename the file)",
        )
    return scenario


def load_all(names, folder: Path = SCENARIOS) -> list[Scenario]:
    """Several scenarios for one run (names, paths or Scenario objects), each name once."""
    loaded = [n if isinstance(n, Scenario) else load(n, folder) for n in names]
    seen: dict[str, Scenario] = {}
    for scenario in loaded:
        if scenario.name in seen:
            raise CivsimError(
                scenario.file,
                "name",
                f"scenario name {scenario.name!r} is also the name in {seen[scenario.name].file or 'another scenario'}",
                "a different name per scenario of a run",
            )
        seen[scenario.name] = scenario
    return loaded


def available(folder: Path = SCENARIOS) -> list[str]:
    return sorted(p.stem for p in Path(folder).glob("*.yaml"))


def _overlay(leaf: Leaf, change: Change, scenario: Scenario, key: str) -> Leaf:
    after_end = change.end + dt.timedelta(days=1) if change.end else None
    starts = sorted({e.start for e in leaf.entries} | {change.start} | ({after_end} if after_end else set()))
    entries = []
    for start in starts:
        if start < leaf.entries[0].start and start < change.start:
            continue
        inside = start >= change.start and (after_end is None or start < after_end)
        if start < leaf.entries[0].start:  # the change starts before the leaf's first value
            base = leaf.entries[0]
        else:
            base = leaf.at(start)
        if inside:
            # a value is read in the leaf's declared unit: 13200 on a per-year leaf is 13200 a year
            value = change.apply(base.value) if change.value is None else change.value * UNITS[leaf.declared_unit][1]
            check_limit(value, leaf.unit, scenario.file, f"{key} ({leaf.path})", leaf.path)
            entries.append(
                replace(
                    base, start=start, value=value, source=f"scenario {scenario.name}", quote=base.source, fitted_to=()
                )
            )
        else:
            entries.append(replace(base, start=start))
    return replace(leaf, entries=tuple(entries))  # the leaf's other fields (e.g. recurring) stay


def apply(params: ParamSet, scenario: Scenario, year: int | None = None) -> ParamSet:
    """A new ParamSet with the scenario's changes; ``year`` checks each change touches that year."""
    leaves = dict(params.leaves)
    for i, change in enumerate(scenario.changes):
        key = f"changes[{i}]"
        matched = [p for p in leaves if p == change.path or p.startswith(change.path + ".")]
        if not matched:
            raise CivsimError(
                scenario.file,
                f"{key}.path",
                f"no parameter {change.path!r} for {params.district.name}",
                "a leaf or subtree listed by `civsim params`",
            )
        if year is not None and (
            change.start > dt.date(year, 12, 31) or (change.end and change.end < dt.date(year, 1, 1))
        ):
            raise CivsimError(
                scenario.file,
                key,
                f"the period from {change.start} misses the simulated year {year}",
                f"a period that overlaps {year}",
            )
        for path in matched:
            leaves[path] = _overlay(leaves[path], change, scenario, key)
    return params.with_leaves(leaves, scenario.name)


def save(scenario: Scenario, path, comment: str = "") -> Path:
    """Write ``scenario`` as YAML to ``path`` atomically, with the YAML library that reads it back
    (the title on one line, Chinese as is); ``comment`` becomes a first ``#`` line. A scenario that
    would not read back as itself is refused before anything is written."""

    from .atomic import atomic_path
    from .params import dump_yaml, parse_yaml

    path = Path(path)
    head = "".join(f"# {' '.join(line.split())}\n" for line in comment.splitlines() if line.strip())
    text = head + dump_yaml(scenario.to_dict())  # the library and mode params.read_yaml reads with
    if parse(parse_yaml(text, path), path) != replace(scenario, file=str(path)):
        raise CivsimError(path, None, "the scenario does not read back as written", "a scenario YAML can hold")
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path
