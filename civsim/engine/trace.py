"""A rule's working, recorded as it computes: which parameters it read (value, unit, from when,
source) and the steps it names (``month.step``), per month and program.

The engine keeps a trace only when asked (``Prepared.trace``, set by the household calculator on
its one-household roll): with none, ``month.value`` and ``month.step`` cost one ``is None`` test,
so the vectorised runs pay nothing. The values recorded are the candidates' own (a traced roll
holds the one household), so what the calculator shows is what the engine computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Reading:
    """One parameter a rule read: its value in the leaf's base unit, and the entry it came from."""

    period: object
    program: str
    path: str
    value: float
    unit: str = ""
    start: object = None  # the date the value is in force from (None: not declared, read as 0)
    source: str = ""
    quote: str = ""
    description: str = ""


@dataclass(frozen=True)
class Step:
    """One named step of a rule: its values over the candidates (or those at ``rows``)."""

    period: object
    program: str
    label: str
    values: tuple
    unit: str = "元"


@dataclass
class Trace:
    readings: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    _seen: set = field(default_factory=set)

    def attach(self, prepared) -> "Trace":
        """Record the working of the months run on ``prepared``: a roll of one household (a trace
        keeps each candidate's values, which on a district's roll would be every household's)."""
        if len(prepared.roll.households) != 1:
            raise ValueError(
                f"a trace records one household's working; this roll has {len(prepared.roll.households)} households"
            )
        prepared.trace = self
        return self

    def read(self, month, path: str, value: float) -> None:
        key = (month.period, month.program, path)
        if key in self._seen:
            return
        self._seen.add(key)
        leaf = month.params.leaves.get(path)
        if leaf is None:
            self.readings.append(Reading(month.period, month.program, path, float(value)))
            return
        entry = leaf.at(month._date)
        self.readings.append(
            Reading(
                month.period,
                month.program,
                path,
                float(value),
                leaf.unit,
                entry.start,
                entry.source,
                entry.quote,
                leaf.description,
            )
        )

    def step(self, month, label: str, values, unit: str, rows) -> None:
        values = np.atleast_1d(np.asarray(values, dtype=float))
        if rows is not None and len(values) > 1:
            values = values[rows]
        step = Step(month.period, month.program, label, tuple(values.tolist()), unit)
        if step not in self.steps:  # a value the rule reads twice is one step
            self.steps.append(step)

    def of(self, period, program: str) -> tuple[list, list]:
        """(readings, steps) of one program's month."""
        return (
            [r for r in self.readings if r.period == period and r.program == program],
            [s for s in self.steps if s.period == period and s.program == program],
        )


__all__ = ["Trace", "Reading", "Step"]
