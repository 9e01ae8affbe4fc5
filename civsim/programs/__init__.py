"""One declaration per program, one file each; everything else derives from them.

A module here defines ``PROGRAM = Program(...)``: its key and Chinese label, the entity it pays
(household, person, or case — a flow of cases with no roll behind it), the parameter leaves it
reads (unit, and whether a national default exists or the jurisdiction must declare it), which
persons or households could ever receive it (``candidates``, over the roll's columns), the monthly
rule ``pay(month, view)`` vectorised over those candidates, which other programs' results of the
same month it reads, and which reported lines it makes up (how a synthetic roll holds its caseload
lives apart, in ``civsim.caseloads``). It also says how the reports word it: its area of work (``area``), its sentence in the
工作总结 (``sentence``), the name of its money with what rides on it (``family_label``), how the
model arrives at it (``method``) and where a clerk finds its rule (``published``). ``REGISTRY`` is
discovered from the package, so a new program is a new file here, its parameter file and its test
cases; every list of programs (labels, families, the summary's sentences, budget and reconciliation
lines, the explorer's controls, parameter stubs) derives from the declarations (docs/programs.md).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Param:
    """A parameter leaf a program (or the roll) reads: its unit and whether it must be declared."""

    unit: str
    required: bool = False  # True: no national default; a jurisdiction paying the program declares it
    optional: bool = False  # True: absent means the jurisdiction does not pay this part (read as 0)
    label: str = ""  # the Chinese name of a standard a planner may change (the explorer's controls)
    control: tuple | None = None  # a roll behaviour a planner may move: (min, max, step, readout format)
    about: str = ""  # what the leaf is, in a clerk's words, where it has no label (stubs, check)
    when: str = ""  # a required leaf needed only where this caseload leaf counts someone
    # (the institution-orphan standard where orphans live in an institution)
    instead: tuple[str, ...] = ()  # a required leaf not needed where all of these are declared (a care
    # standard set per placement instead of one for both)
    # A roll unknown fitted jointly to reported figures (civsim.calibrate.fit_roll): the spread σ
    # around the value in force without calibration (inf: no national figure, fitted freely), and
    # the range it is fitted within.
    prior: float | None = None
    bounds: tuple[float, float] = (0.0, 1.0)
    # A fact about the roll a district's own rolls measure month by month (civsim.bureau.dynamics): a
    # value so measured may replace a national statistic, never a rule's value.
    measured: bool = False


@dataclass(frozen=True)
class Paid:
    """One month of a line: the candidates paid (positions in the view) and their amounts (yuan).
    ``over`` names another program whose candidates ``rows`` index instead (a supplement paid per
    household of the program it rides on). ``draws``: where a Monte Carlo's draws are evaluated
    together (civsim.engine.draws), which of them pay the line this month (None: all)."""

    rows: np.ndarray
    amount: np.ndarray
    over: str | None = None
    draws: np.ndarray | None = None


@dataclass(frozen=True)
class Cases:
    """One month of a case-flow line (no roll behind it): counts and money per area (urban, rural).
    A month without money counts no cases; ``counts`` says whether the count is of persons or
    households (one person-time each either way)."""

    persons: np.ndarray
    amount: np.ndarray
    counts: str = "persons"


@dataclass(frozen=True)
class Sentence:
    """How the 工作总结 words a program's months up to the as-of month (civsim.report.text).

    The templates hold placeholders the report fills: {households} {persons} (on the roll at the
    as-of month, with 户/人), {held} (those persons, a bare number), {times} (person-times, 人次),
    {cases} (person-times as 件), {visits} (person-times as 户), {number} (person-times, a bare
    number), {money} (the program and every line riding on it), {own} (its own lines only), {span}
    (1—10月), {as_of} (截止10月份) and {where} (全区/全市)."""

    paid: str = ""  # the money: "{span}累计发放低收入家庭救助金{money}"
    held: str = ""  # who is on the roll, said after "截止10月份，全区" and left out when it
    # rounds to nobody: "在册低收入家庭{households}{persons}"
    each_area: str = ""  # held per area, into held's {areas}: "{area}低保{households}{persons}"
    split: tuple[tuple[str, str], ...] = ()  # (caseload leaf, word): the persons split as these leaves
    shared: str = ""  # a sentence several programs make together (civsim.report.text.SHARED)


@dataclass(frozen=True)
class Program:
    key: str
    label: str  # the Chinese name a bureau writes
    entity: str  # "household", "person" or "case"
    params: dict[str, Param]
    pay: Callable | None
    order: int  # display order in reports and workbooks (evaluation follows ``reads``)
    candidates: Callable | None = None  # roll -> bool mask over the entity's table (static attributes)
    reads: tuple[str, ...] = ()  # lines of other programs this one reads in the same month
    lines: dict[str, str] = field(default_factory=dict)  # extra output lines: code -> Chinese label
    family: str | None = None  # the program whose "…金及补贴" reported line includes this one
    caseload: tuple[str, ...] = ()  # for a case program: the leaves whose counts make it active
    roll_params: dict[str, Param] = field(default_factory=dict)  # leaves the synthetic roll reads for it
    reported_in: tuple[str, ...] = ()  # reported aggregates its lines belong to ("disability", "assistance_total")
    # A flat rule: each candidate falls in a static class (``classes(view)``, ints) and is paid
    # ``rates(month, view)[class]`` while on the roll; the engine then counts classes once per roll
    # and never touches each person in a month. A candidate of class -1 is left to ``pay`` (the
    # part of a rule that depends on the month, such as who is on 低保).
    classes: Callable | None = None
    rates: Callable | None = None
    # Leaves whose declaration makes the program apply at all: paid only where the jurisdiction or a
    # parent declares one of them (价格临时补贴's triggers), never from a national default; once one is
    # declared, every required leaf must be.
    declared_by: tuple[str, ...] = ()
    # What the rule reads of the month besides the parameters, the roll and other lines: "income"
    # (the 低保 pool's incomes this month, moved by the roll's rates) and "prices" (CPI and food CPI
    # y/y). A Monte Carlo draw changes only these and the roll's rates, so a program using neither,
    # nor reading a line of one that does, pays the same in every draw (civsim.engine.Fixed).
    uses: tuple[str, ...] = ()
    # How a payment is rounded (civsim.money): to the fen, or to the whole yuan where the notice says so.
    rounding: str = "fen"
    # How the reports word it. A line riding on another program (``family``) is said with it.
    area: str = ""  # area of work in the 工作总结 (社会救助, 残疾人福利, 儿童福利 …)
    sentence: Sentence | None = None  # its sentence in the 工作总结
    family_label: str = ""  # its money with what rides on it (低保金及补贴); else its label
    method: str = ""  # how the model arrives at its money (the reconciliation's notes)
    published: str = ""  # where a clerk finds its rule (the parameter stubs)

    def evaluate(self, month, view):
        """This month's payment over the candidates: the program's rule, or its flat classes."""
        if self.rates is None:
            return self.pay(month, view)
        classes = view.keep(self.classes, ("classes", self.key))
        amount = np.where(classes >= 0, np.append(self.rates(month, view), 0.0)[classes], 0.0)
        month.step("按所属类别核定的月标准", amount)
        rows = np.flatnonzero((amount != 0) & month.present(view))
        if self.pay is None:
            return Paid(rows, amount[rows])
        rest = self.pay(month, view)
        return Paid(np.concatenate([rows, rest.rows]), np.concatenate([amount[rows], rest.amount]))

    def __reduce__(self):
        # A declaration travels (to a worker process) by its key: its rules are module functions.
        return (_declared, (self.key,))

    @property
    def outputs(self) -> dict[str, str]:
        """Every line code the program writes, with its Chinese label."""
        return self.lines or {self.key: self.label}


def _declared(key: str) -> "Program":
    return PROGRAMS[key]


def static(compute: Callable) -> Callable:
    """A lookup over a program's candidates that no month changes (who among them is a 低保 member,
    which placements the roll holds): ``compute(view)`` is made once per roll and kept with it."""

    @functools.wraps(compute)
    def kept(view):
        return view.keep(compute)

    return kept


def while_same(view, key: str, inputs, compute: Callable):
    """``compute()``, kept with the view while ``inputs`` (the month's values it is made from) stay
    as they are: the months of a run mostly read the same standards, so a lookup over every
    candidate is made once rather than each month (the last one alone is kept)."""
    slot = view.keep(lambda _: {}, ("while_same", key))
    stamp = np.asarray(inputs, np.float64).tobytes()
    if slot.get("stamp") != stamp:
        slot["value"], slot["stamp"] = compute(), stamp
    return slot["value"]


def _discover() -> tuple[Program, ...]:
    found = [importlib.import_module(f"{__name__}.{m.name}").PROGRAM for m in pkgutil.iter_modules(__path__)]
    return tuple(sorted(found, key=lambda p: p.order))


def _evaluation_order(programs: tuple[Program, ...]) -> tuple[Program, ...]:
    """The programs in an order where each runs after every program whose lines it reads (display
    order among those free to go), so the order follows from what the rules read."""
    line_of = {line: p.key for p in programs for line in p.outputs}
    unknown = [(p.key, r) for p in programs for r in p.reads if r not in line_of]
    if unknown:
        raise RuntimeError(f"program {unknown[0][0]} reads {unknown[0][1]}, a line no program writes")
    done: list[Program] = []
    waiting = list(programs)
    while waiting:
        ready = next(
            (p for p in waiting if all(line_of[r] in {d.key for d in done} or line_of[r] == p.key for r in p.reads)),
            None,
        )
        if ready is None:
            raise RuntimeError(f"programs {', '.join(p.key for p in waiting)} read each other's lines in a circle")
        done.append(ready)
        waiting.remove(ready)
    return tuple(done)


REGISTRY: tuple[Program, ...] = _discover()
"""Every program, in display order (``Program.order``)."""
EVALUATION: tuple[Program, ...] = _evaluation_order(REGISTRY)
"""Every program, in the order a month evaluates them: after the programs whose lines it reads."""
PROGRAMS: dict[str, Program] = {p.key: p for p in REGISTRY}
LINES: dict[str, str] = {line: label for p in REGISTRY for line, label in p.outputs.items()}
"""Every output line of every program, in display order, with its Chinese label."""
LINE_PROGRAM: dict[str, Program] = {line: p for p in REGISTRY for line in p.outputs}
UNKNOWNS: dict[str, tuple[str, Param]] = {
    path: (p.key, param)
    for p in REGISTRY
    for path, param in {**p.params, **p.roll_params}.items()
    if param.prior is not None
}
"""The roll's unknowns a joint fit sets (civsim.calibrate.fit_roll): path -> (program, declaration)."""
MEASURED: tuple[str, ...] = tuple(
    dict.fromkeys(path for p in REGISTRY for path, param in {**p.params, **p.roll_params}.items() if param.measured)
)
"""The leaves a district's roll history measures (civsim.bureau.dynamics)."""


def family(line: str) -> str:
    """The program a line's money is reported under: dibao_price_subsidy and dibao_one_off → dibao;
    a program's own line → itself. The one rule every report, table, budget and reconciliation
    folds lines by; a code no program declares stays itself."""
    program = LINE_PROGRAM.get(line)
    if program is None:
        return line
    if program.lines:  # a supplement writing one line per program it rides on: <program>_<supplement>
        return next((p for p in PROGRAMS if line.startswith(p + "_") and p != program.key), program.key)
    return program.family or program.key


def riders(key: str) -> tuple[str, ...]:
    """The lines of other programs folded into a program's money (its price subsidy, one-offs …)."""
    return tuple(line for line in LINES if family(line) == key and line != key)


def area(line: str) -> str:
    """The area of work a line is reported in: its own program's, else its family's."""
    program = LINE_PROGRAM.get(line)
    if program is not None and program.area:
        return program.area
    owner = PROGRAMS.get(family(line))
    return owner.area if owner is not None else ""


def family_label(key: str) -> str:
    """The name the reports give a program's money with what rides on it: dibao → 低保金及补贴."""
    program = PROGRAMS.get(key)
    if program is not None:
        return program.family_label or program.label
    return LINES.get(key, key)


def reported_lines(code: str) -> tuple[str, ...]:
    """The lines a reported figure's program code sums: a family (dibao → 低保金及补贴), an aggregate
    some programs declare themselves part of (disability, assistance_total), or one line."""
    lines = tuple(line for line in LINES if family(line) == code)
    if not lines:
        lines = tuple(line for line in LINES if code in PROGRAMS[family(line)].reported_in)
    return lines or ((code,) if code in LINES else ())
