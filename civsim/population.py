"""The household roll a district pays from: synthesised to match reported caseloads, or loaded.

Two tables:

* ``households`` — the 低保 candidate pool: near-poor households with ``area`` (urban/rural),
  ``size`` and per-capita ``income`` (yuan/person/month) at the anchor month, and a fixed draw
  ``claim_draw`` (a household claims when it is eligible and its draw is below the take-up rate).
  Incomes straddle the line, so raising the standard brings households in.
* ``persons`` — the people the categorical programs pay: ``area``, ``age``, ``disability_grade``
  (0 none, 1–4; 1–2 severe), ``poor`` (in a 低保/低收入 family), ``self_care`` (0 full, 1 partial,
  2 none), ``child_status`` (none/orphan/unsupported), ``institution``, ``tekun``, ``home_care``,
  ``elderly_allowance``, ``low_income_household`` (household id, or -1).

The synthetic roll is built so that at the anchor month (the month of the reported caseloads)
its counts equal the ``caseload.*`` targets exactly; the months around it move by seeded monthly
redraws of income (``IncomePath``), the same draws for every scenario.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import CivsimError
from .params import ParamSet
from .tables import Column, table_file

AREAS = ("urban", "rural")
CHILD_STATUS = ("none", "orphan", "unsupported")
FLAG = Column("int", allowed=(0, 1), meaning="0 no, 1 yes")
HOUSEHOLD_COLUMNS = {"household_id": Column("int", 0), "area": Column("str", allowed=AREAS),
                     "size": Column("int", 1, 50, meaning="persons in the household"),
                     "income": Column("float", 0, 1_000_000, meaning="yuan/person/month"),
                     "claim_draw": Column("float", 0, 1, meaning="a uniform draw")}
PERSON_COLUMNS = {"person_id": Column("int", 0), "area": Column("str", allowed=AREAS), "age": Column("int", 0, 130),
                  "disability_grade": Column("int", allowed=(0, 1, 2, 3, 4), meaning="0 none, 1-4"), "poor": FLAG,
                  "self_care": Column("int", allowed=(0, 1, 2), meaning="0 full, 1 partial, 2 none"),
                  "child_status": Column("str", allowed=CHILD_STATUS), "institution": FLAG, "tekun": FLAG,
                  "home_care": FLAG, "elderly_allowance": FLAG,
                  "low_income_household": Column("int", -1, meaning="household id, or -1")}
ELDERLY_BANDS = {"age_70_79": (70, 79), "age_80_89": (80, 89), "age_90_99": (90, 99), "age_100_plus": (100, 105)}


@dataclass
class Roll:
    households: pd.DataFrame
    persons: pd.DataFrame
    anchor: pd.Period           # the month whose caseloads the roll reproduces
    standard_at_anchor: dict    # area -> 低保 standard at the anchor (income is drawn relative to it)
    seed: int

    def __post_init__(self):
        # Categories keep comparisons on millions of rows fast (codes, not strings).
        for table, column, categories in ((self.households, "area", AREAS), (self.persons, "area", AREAS),
                                          (self.persons, "child_status", CHILD_STATUS)):
            table[column] = pd.Categorical(table[column], categories=categories)

    @property
    def area_code(self) -> np.ndarray:
        return self.households["area"].cat.codes.to_numpy().astype(np.int8)


def caseload_anchor(params: ParamSet, year: int) -> pd.Period:
    """The month of the latest 低保 caseload figure in force by the end of ``year``."""
    leaf = params.leaves.get("caseload.dibao.urban.households") or params.leaves.get("caseload.dibao.rural.households")
    if leaf is None:
        return pd.Period(f"{year}-12", "M")
    entry = leaf.at(pd.Timestamp(f"{year}-12-01").date()) if leaf.entries[0].start.year <= year else leaf.entries[0]
    return pd.Period(entry.start, "M")


def _target(params: ParamSet, path: str, anchor: pd.Period) -> int:
    return int(round(params.get(path, anchor.start_time.date(), 0.0)))


def _sizes(households: int, persons: int, rng: np.random.Generator) -> np.ndarray:
    """Household sizes summing exactly to ``persons`` (each at least 1)."""
    if households == 0:
        return np.zeros(0, np.int16)
    base, extra = divmod(max(persons, households), households)
    sizes = np.full(households, base, np.int16)
    sizes[rng.permutation(households)[:extra]] += 1
    return sizes


def _dibao_pool(params: ParamSet, anchor: pd.Period, rng: np.random.Generator):
    date = anchor.start_time.date()
    frames, standards = [], {}
    take_up = params.at("dibao.take_up", date)
    share = params.at("dibao.eligible_share", date)
    for area in AREAS:
        claimers = _target(params, f"caseload.dibao.{area}.households", anchor)
        persons = _target(params, f"caseload.dibao.{area}.persons", anchor)
        standard = params.at(f"dibao.standard.{area}", date)
        standards[area] = standard
        if claimers == 0 or standard == 0:
            continue
        eligible = max(claimers, int(round(claimers / max(take_up, 1e-9))))
        pool = max(eligible, int(round(eligible / max(share, 1e-9))))
        gap = min(max(params.at(f"dibao.gap_ratio.{area}", date), 0.01), 0.99)
        # Below the line, income/standard = v**k has mean gap k/(k+1) = gap_ratio; above it the
        # near-poor spread evenly up to twice the standard.
        k = gap / (1 - gap)
        ratio = np.concatenate([rng.random(eligible) ** k, 1 + rng.random(pool - eligible)])
        # Exactly `claimers` of the eligible claim at the anchor: their draws lie below take-up.
        draw = np.concatenate([rng.random(claimers) * take_up,
                               take_up + rng.random(eligible - claimers) * (1 - take_up),
                               rng.random(pool - eligible)])
        sizes = np.concatenate([_sizes(claimers, persons, rng),
                                _sizes(pool - claimers, int(round((pool - claimers) * persons / claimers)), rng)])
        frames.append(pd.DataFrame({"area": pd.Categorical.from_codes(np.full(pool, AREAS.index(area), np.int8), AREAS),
                                    "size": sizes, "income": ratio * standard, "claim_draw": draw}))
    households = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        {"area": pd.Series(dtype=str), "size": pd.Series(dtype=np.int16), "income": pd.Series(dtype=float),
         "claim_draw": pd.Series(dtype=float)})
    households.insert(0, "household_id", np.arange(len(households), dtype=np.int64))
    return households, standards


def _segment(n: int, **columns) -> dict:
    return {name: (np.resize(np.asarray(value), n) if np.ndim(value) else np.full(n, value))
            for name, value in columns.items()}


def _persons(params: ParamSet, anchor: pd.Period, rng: np.random.Generator) -> pd.DataFrame:
    date = anchor.start_time.date()
    t = lambda path: _target(params, path, anchor)  # noqa: E731
    parts = []

    # 特困: split by area and self-care level by the shares in params (deterministic counts).
    urban_share = params.at("tekun.urban_share", date)
    partial, none = params.at("tekun.partial_share", date), params.at("tekun.none_share", date)
    shares = np.array([1 - partial - none, partial, none])
    for institution, count in ((1, t("caseload.tekun.centralized")), (0, t("caseload.tekun.dispersed"))):
        urban = int(round(count * urban_share))
        care = np.repeat([0, 1, 2], np.diff(np.round(np.concatenate([[0], np.cumsum(shares)]) * count).astype(int)))
        parts.append(_segment(count, area=np.array(["urban"] * urban + ["rural"] * (count - urban)),
                              age=60, tekun=1, institution=institution, self_care=rng.permutation(care)))

    # 残疾人两项补贴: severe (grade 1–2) persons get nursing; poor disabled (grade 3–4) the living
    # subsidy. The groups do not overlap: 东西湖区 reports 3005 两补对象 = 2144 + 861.
    parts.append(_segment(t("caseload.disability.nursing"), disability_grade=np.array([1, 2]), age=50))
    parts.append(_segment(t("caseload.disability.living"), disability_grade=np.array([3, 4]), poor=1, age=50))

    for status, institution, path in (("orphan", 0, "caseload.children.orphan_dispersed"),
                                      ("orphan", 1, "caseload.children.orphan_institution"),
                                      ("unsupported", 0, "caseload.children.unsupported")):
        parts.append(_segment(t(path), child_status=status, institution=institution, age=10))
    for band, (low, high) in ELDERLY_BANDS.items():
        n = t(f"caseload.elderly.{band}")
        parts.append(_segment(n, age=rng.integers(low, high + 1, n), elderly_allowance=1))
    parts.append(_segment(t("caseload.elderly.home_care"), age=80, home_care=1))

    households, persons_n = t("caseload.low_income.households"), t("caseload.low_income.persons")
    parts.append(_segment(max(persons_n, households), poor=1, age=40,
                          low_income_household=np.repeat(np.arange(households), _sizes(households, persons_n, rng))
                          if households else -1))

    defaults = {"area": "urban", "age": 40, "disability_grade": 0, "poor": 0, "self_care": 0, "child_status": "none",
                "institution": 0, "tekun": 0, "home_care": 0, "elderly_allowance": 0, "low_income_household": -1}
    frames = []
    for part in parts:
        n = len(next(iter(part.values()))) if part else 0
        if n:
            frames.append(pd.DataFrame({c: part.get(c, np.full(n, v)) for c, v in defaults.items()}))
    persons = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(defaults))
    persons = persons.astype({c: "int64" for c in PERSON_COLUMNS if PERSON_COLUMNS[c].kind == "int" and c in persons})
    persons.insert(0, "person_id", np.arange(len(persons), dtype=np.int64))
    return persons


def synthesize(params: ParamSet, year: int, seed: int = 1) -> Roll:
    """A synthetic roll for the jurisdiction whose counts equal its caseload targets at the anchor."""
    anchor = caseload_anchor(params, year)
    rng = np.random.default_rng([seed, int(params.district.code)])
    households, standards = _dibao_pool(params, anchor, rng)
    persons = _persons(params, anchor, rng)
    return Roll(households, persons, anchor, standards, seed)


def _read_table(path: Path, columns: dict[str, str]) -> pd.DataFrame:
    """Read a roll table from CSV, or from Parquet by way of the same validated CSV reader."""
    import tempfile

    from .tables import read_csv

    path = Path(path)
    if path.suffix != ".parquet":
        return read_csv(path, columns, unique=[next(iter(columns))])
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a missing or broken file
        raise CivsimError(path, None, f"cannot read Parquet ({type(exc).__name__})", "a Parquet file") from None
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / (path.stem + ".csv")
        frame.to_csv(copy, index=False)
        try:
            return read_csv(copy, columns, unique=[next(iter(columns))])
        except CivsimError as exc:
            raise CivsimError(path, exc.key, exc.problem, exc.expected) from None


def load(households_path: str | Path, persons_path: str | Path, anchor: str, standards: dict, seed: int = 1) -> Roll:
    """A real roll (a bureau's 台账) from CSV or Parquet files with the synthetic roll's columns."""
    households = _read_table(Path(households_path), HOUSEHOLD_COLUMNS)
    persons = _read_table(Path(persons_path), PERSON_COLUMNS)
    for table, path, column, allowed in ((households, households_path, "area", AREAS), (persons, persons_path, "area", AREAS),
                                         (persons, persons_path, "child_status", CHILD_STATUS)):
        bad = ~table[column].isin(allowed)
        if bad.any():
            row = int(bad.to_numpy().argmax()) + 2
            raise CivsimError(path, f"row {row}, column {column}", f"bad value {table[column].iloc[row - 2]!r}", " or ".join(allowed))
    for column in ("size",):
        if (households[column] < 1).any():
            row = int((households[column] < 1).to_numpy().argmax()) + 2
            raise CivsimError(households_path, f"row {row}, column {column}", "household size below 1", "1 or more")
    if (households["income"] < 0).any():
        row = int((households["income"] < 0).to_numpy().argmax()) + 2
        raise CivsimError(households_path, f"row {row}, column income", "negative income", "0 or more yuan/person/month")
    if len(households) == 0 and len(persons) == 0:
        raise CivsimError(households_path, None, "the roll is empty", "at least one household or person")
    return Roll(households, persons, pd.Period(anchor, "M"), dict(standards), seed)


def load_folder(params: ParamSet, year: int, folder: str | Path, seed: int = 1) -> Roll:
    """A bureau's roll from ``folder/households`` and ``folder/persons`` (``.csv`` or ``.parquet``);
    incomes are read against the 低保 standards in force at the year's caseload anchor month."""
    folder = Path(folder)
    paths = [table_file(folder, name) for name in ("households", "persons")]
    anchor = caseload_anchor(params, year)
    standards = {area: params.at(f"dibao.standard.{area}", anchor.start_time.date()) for area in AREAS}
    return load(paths[0], paths[1], str(anchor), standards, seed)


def save(roll: Roll, folder: str | Path) -> tuple[Path, Path]:
    """Write the roll as ``households.csv`` and ``persons.csv`` (atomically)."""
    from .atomic import atomic_path

    paths = []
    for name, table in (("households", roll.households), ("persons", roll.persons)):
        target = Path(folder) / f"{name}.csv"
        with atomic_path(target) as tmp:
            table.to_csv(tmp, index=False)
        paths.append(target)
    return tuple(paths)


@dataclass
class IncomePath:
    """Per-capita income of each pool household month by month (float32, months × households).

    Each month a recipient's income rises above the anchor line with probability ``exit_rate``;
    a non-recipient's falls below it with the probability that brings ``entry_rate`` × stock new
    eligible households. Walking away from the anchor in both directions keeps the anchor exact.
    The uniform draws are fixed by the seed, so every scenario sees the same roll.
    """
    income: np.ndarray
    months: pd.PeriodIndex


def income_path(roll: Roll, months: pd.PeriodIndex, entry_rate: float, exit_rate: float,
                gap_ratio: dict) -> IncomePath:
    n = len(roll.households)
    income0 = roll.households["income"].to_numpy(np.float32)
    line = np.array([roll.standard_at_anchor.get(a, 0.0) for a in AREAS], np.float32)[roll.area_code]
    gaps = np.clip([gap_ratio[a] for a in AREAS], 0.01, 0.99)
    k = (gaps / (1 - gaps)).astype(np.float32)[roll.area_code]
    span = pd.period_range(min(months[0], roll.anchor), max(months[-1], roll.anchor), freq="M")
    out = np.empty((len(span), n), np.float32)
    a = span.get_loc(roll.anchor)
    out[a] = income0
    below0 = income0 < line
    stock, others = max(below0.sum(), 1), max((~below0).sum(), 1)
    p_in = min(1.0, entry_rate * stock / others)
    rng = np.random.default_rng([roll.seed, 7])
    # Draws for every month, made in one fixed order so paths do not depend on the rates.
    move = rng.random((len(span), n), dtype=np.float32)
    level = rng.random((len(span), n), dtype=np.float32)
    for step, direction in ((1, range(a + 1, len(span))), (-1, range(a - 1, -1, -1))):
        # Going back in time, entries and exits swap roles.
        p_exit, p_enter = (exit_rate, p_in) if step == 1 else (p_in * others / stock, exit_rate * stock / others)
        for j in direction:
            prev = out[j - step]
            below = prev < line
            leave = np.flatnonzero(below & (move[j] < p_exit))
            enter = np.flatnonzero(~below & (move[j] < p_enter))
            out[j] = prev
            out[j, leave] = line[leave] * (1 + level[j, leave])          # above the line, up to 2×
            out[j, enter] = line[enter] * level[j, enter] ** k[enter]    # the recipients' income profile
    keep = [span.get_loc(m) for m in months]
    return IncomePath(out[keep], months)
