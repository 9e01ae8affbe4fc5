"""The district's 低保 dynamics read from its own rolls: a roll history (the folder ``civsim roll
import`` writes for several months) measured month by month, in place of the national defaults.

From each pair of consecutive months, by area (the earlier month's area for an exit, the later
one's for an entry):

* exit rate — 低保 households of month t none of whose members (linked by the salted ``pid_hash``)
  is on a 低保 household in t+1, ÷ the 低保 households of t;
* entry rate — 低保 households of t+1 none of whose members was on a 低保 household in t, ÷ the
  低保 households of t (the engine's definition: new eligible households = rate × stock).

From each month: the gap ratio, the household mean of max(standard − per-capita income, 0) ÷
standard over 低保 households, at the standard in force that month; the 档 shares of an area whose
households carry a ``tier`` (1–3); and the make-up of 低保 members (``dibao.members.*``).

The rates are pooled (events ÷ stock summed over the pairs), the levels averaged over the
months. The engine reads one entry and one exit rate for the district: the by-area rates are
shown, the pooled one is written. Take-up is not measured: a roll holds the households that
claimed, never the eligible households that did not, so nothing on it divides by the eligible.
Only counts and shares leave this module; the hashes link months and are never shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import districts, param_leaves, params as params_module, programs
from ..errors import CivsimError
from ..roll import AREAS, HOUSEHOLD_COLUMNS, PERSON_COLUMNS
from ..roll_tables import read_table
from ..units import UNITS
from . import privacy

# The leaves a roll history measures (params accepts a value measured on the district's own rolls
# over a national statistic about the roll for these; never over a rule's value).
MEMBERS = ("elderly", "minor", "severe_disability", "disability", "seriously_ill")
RATES = ("dibao.entry_rate", "dibao.exit_rate")
MEASURED = programs.MEASURED  # declared on the leaves (Param.measured)
AREA_WORDS = {"urban": "城市", "rural": "农村"}
TAKE_UP = (
    "享受率（take-up）无法从台账得出：台账只记在册（已申领）家庭，不含符合条件而未申领的家庭，"
    "故保留 dibao.take_up 的现值"
)


@dataclass
class MonthRoll:
    month: pd.Period
    households: pd.DataFrame
    persons: pd.DataFrame
    fingerprint: str
    sha256: str  # of households.csv as written by the import

    @property
    def reference(self) -> str:
        """How ``fitted_to`` names this roll (param_leaves.ROLL_REFERENCE)."""
        return f"roll {self.month} (salt fingerprint {self.fingerprint}, households.csv sha256 {self.sha256[:16]})"


@dataclass
class Learnt:
    district: districts.District
    months: list[str]
    references: list[str]
    transitions: pd.DataFrame  # from, to, area, stock, exits, entries
    levels: pd.DataFrame  # month, area, households, gap_ratio, tiered, tier_1, tier_2, tier_3
    members: dict  # share of 低保 members, pooled over the months
    values: dict = field(default_factory=dict)  # leaf path -> (value, how it was measured)

    @property
    def first_day(self) -> dt.date:
        return pd.Period(self.months[0], "M").start_time.date()


def read_history(folder) -> list[MonthRoll]:
    """The month folders of a roll history, in order: two or more consecutive months hashed under
    one salt."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CivsimError(
            folder, None, "not a folder", "a roll history written by `civsim roll import` of several months"
        )
    subs = sorted(p for p in folder.iterdir() if (p / "roll.yaml").is_file())
    if (folder / "roll.yaml").is_file() or len(subs) < 2:
        raise CivsimError(
            folder,
            None,
            "not a roll history of two or more months",
            "the folder `civsim roll import` writes for several month folders (<YYYY-MM>/ and history.yaml)",
        )
    rolls = []
    for sub in subs:
        meta = params_module.read_yaml(sub / "roll.yaml") or {}
        try:
            month = pd.Period(str(meta.get("month", sub.name)), "M")
        except ValueError:
            raise CivsimError(sub / "roll.yaml", "month", f"bad month {meta.get('month')!r}", "YYYY-MM") from None
        path = sub / "households.csv"
        if not path.is_file():
            raise CivsimError(sub, None, "no households.csv", "a month folder written by `civsim roll import`")
        households = read_table(path, HOUSEHOLD_COLUMNS)
        persons = read_table(sub / "persons.csv", PERSON_COLUMNS)
        rolls.append(
            MonthRoll(
                month,
                households,
                persons,
                str(meta.get("salt_fingerprint", "")),
                hashlib.sha256(path.read_bytes()).hexdigest(),
            )
        )
    rolls.sort(key=lambda r: r.month)
    for before, after in zip(rolls, rolls[1:]):
        if after.month != before.month + 1:
            raise CivsimError(
                folder,
                f"{before.month} → {after.month}",
                "months missing or repeated between them",
                "one folder per month without gaps (a rate is per month)",
            )
        if after.fingerprint != before.fingerprint or not after.fingerprint:
            raise CivsimError(
                folder / str(after.month) / "roll.yaml",
                "salt_fingerprint",
                f"not the salt of {before.month}",
                "every month imported with the same salt, so persons link",
            )
    return rolls


def _dibao(roll: MonthRoll) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The month's 低保 households and their members (with the household's area), hashes checked."""
    h = roll.households[roll.households["category"].astype(str) == "dibao"]
    p = roll.persons[roll.persons["household_id"].isin(h["household_id"])]
    if (p["pid_hash"].astype(str) == "").any():
        raise CivsimError(
            f"{roll.month}/persons.csv",
            "pid_hash",
            "a 低保 member without a hash, so months cannot be linked",
            "a roll written by `civsim roll import`",
        )
    area = h.set_index("household_id")["area"].astype(str)
    return h, p.assign(area=area.reindex(p["household_id"]).to_numpy())


def _unlinked(h: pd.DataFrame, p: pd.DataFrame, other: set) -> np.ndarray:
    """Per household of ``h``: none of its members' hashes is in ``other``."""
    linked = p.loc[p["pid_hash"].isin(other), "household_id"].unique()
    return ~h["household_id"].isin(linked).to_numpy()


def _turnover(before: MonthRoll, after: MonthRoll) -> pd.DataFrame:
    hb, pb = _dibao(before)
    ha, pa = _dibao(after)
    gone = _unlinked(hb, pb, set(pa["pid_hash"]))
    new = _unlinked(ha, pa, set(pb["pid_hash"]))
    rows = []
    for area in AREAS:
        at_b, at_a = (hb["area"].astype(str) == area).to_numpy(), (ha["area"].astype(str) == area).to_numpy()
        rows.append(
            {
                "from": str(before.month),
                "to": str(after.month),
                "area": area,
                "stock": int(at_b.sum()),
                "exits": int((gone & at_b).sum()),
                "entries": int((new & at_a).sum()),
            }
        )
    return pd.DataFrame(rows)


def _levels(roll: MonthRoll, params) -> list[dict]:
    h, _ = _dibao(roll)
    day = roll.month.start_time.date()
    rows = []
    for area in AREAS:
        mine = h[h["area"].astype(str) == area]
        if mine.empty:
            continue
        standard = params.get(f"dibao.standard.{area}", day, 0.0)
        if standard <= 0:
            raise CivsimError(
                f"params/{params.district.slug}",
                f"dibao.standard.{area}",
                f"no 低保 standard in force in {roll.month}",
                "the standard the roll's incomes are read against",
            )
        income = mine["income"].to_numpy(float)
        known = ~np.isnan(income)
        gap = np.clip((standard - income[known]) / standard, 0.0, 1.0)
        tier = mine["tier"].to_numpy()
        rows.append(
            {
                "month": str(roll.month),
                "area": area,
                "households": len(mine),
                "with_income": int(known.sum()),
                "gap_ratio": float(gap.mean()) if known.any() else np.nan,
                "tiered": int((tier > 0).sum()),
                **{f"tier_{t}": int((tier == t).sum()) for t in (1, 2, 3)},
            }
        )
    return rows


def _members(rolls: list[MonthRoll]) -> dict:
    p = pd.concat([_dibao(r)[1] for r in rolls], ignore_index=True)
    if p.empty:
        return {}
    age, grade = p["age"].to_numpy(), p["disability_grade"].to_numpy()
    flags = {
        "elderly": age >= 60,
        "minor": age < 18,
        "severe_disability": (grade >= 1) & (grade <= 2),
        "disability": (grade >= 3) & (grade <= 4),
        "seriously_ill": p["seriously_ill"].to_numpy() == 1,
    }
    return {name: float(flag.mean()) for name, flag in flags.items()}


def learn(folder, district) -> Learnt:
    """The 低保 dynamics of ``district`` measured on the roll history ``folder`` (module doc)."""
    try:
        return _learn(folder, district)
    except CivsimError as exc:  # a folder name may hold a 身份证号 too
        raise privacy.scrubbed(exc) from None


def _learn(folder, district) -> Learnt:
    target = districts.find(district)
    rolls = read_history(folder)
    params = params_module.load(target.code)
    transitions = pd.concat([_turnover(a, b) for a, b in zip(rolls, rolls[1:])], ignore_index=True)
    levels = pd.DataFrame([row for r in rolls for row in _levels(r, params)])
    if transitions["stock"].sum() == 0 or levels.empty:
        raise CivsimError(folder, None, "no 低保 household on the rolls", "a roll history holding 低保 households")
    months = [str(r.month) for r in rolls]
    span = f"{months[0]}—{months[-1]}（{len(months)} 个月，{len(months) - 1} 次月度变动）"
    learnt = Learnt(target, months, [r.reference for r in rolls], transitions, levels, _members(rolls))
    total = transitions[["stock", "exits", "entries"]].sum()
    for leaf, column, word in (
        ("dibao.exit_rate", "exits", "households on 低保 in a month none of whose members is on 低保 the next month"),
        (
            "dibao.entry_rate",
            "entries",
            "households on 低保 in a month none of whose members was on 低保 the month before",
        ),
    ):
        learnt.values[leaf] = (
            float(total[column] / total["stock"]),
            f"measured on the district's own rolls {span}: {word}, linked by the salted person "
            f"hash, {int(total[column])} in all ÷ {int(total['stock'])} household-months of stock "
            "(both areas pooled; the engine reads one rate)",
        )
    for area, rows in levels.groupby("area"):
        known = rows["with_income"].sum()
        if known:
            gap = float((rows["gap_ratio"].fillna(0) * rows["with_income"]).sum() / known)
            learnt.values[f"dibao.gap_ratio.{area}"] = (
                gap,
                f"measured on the district's own rolls {span}: mean over {int(known)} {area} 低保 household-months "
                "of (standard in force − per-capita income) ÷ standard, floored at 0",
            )
        tiered = int(rows["tiered"].sum())
        if tiered:
            for t, name in ((1, "first"), (2, "second")):
                learnt.values[f"dibao.tier_share.{name}.{area}"] = (
                    float(rows[f"tier_{t}"].sum() / tiered),
                    f"measured on the district's own rolls {span}: share of the {tiered} {area} 低保 household-months "
                    f"with a 档 that are in 档 {t}",
                )
    persons = sum(len(_dibao(r)[1]) for r in rolls)
    for name, share in learnt.members.items():
        learnt.values[f"dibao.members.{name}"] = (
            share,
            f"measured on the district's own rolls {span}: share of the {persons} 低保 member-months",
        )
    return learnt


def render(learnt: Learnt) -> str:
    """The learnt values, by area and pooled, in Chinese for the terminal."""
    t = learnt.transitions.groupby("area", sort=False)[["stock", "exits", "entries"]].sum()
    t.loc["合计"] = t.sum()
    rows = pd.DataFrame(
        {
            "地区": [AREA_WORDS.get(a, a) for a in t.index],
            "在册户月": t["stock"].to_numpy(),
            "退出户": t["exits"].to_numpy(),
            "新增户": t["entries"].to_numpy(),
            "月退出率": (t["exits"] / t["stock"].where(t["stock"] > 0)).map("{:.4f}".format).to_numpy(),
            "月进入率": (t["entries"] / t["stock"].where(t["stock"] > 0)).map("{:.4f}".format).to_numpy(),
        }
    )
    lines = [
        f"{learnt.district.name} 低保动态，读自台账 {learnt.months[0]}—{learnt.months[-1]}"
        f"（{len(learnt.months)} 个月）：",
        rows.to_string(index=False),
        "",
        f"写入参数（自 {learnt.first_day.isoformat()} 起）：",
    ]
    for path, (value, _) in learnt.values.items():
        lines.append(f"  {path} = {value:.4f}")
    lines += ["", TAKE_UP, "所依台账：", *(f"  {r}" for r in learnt.references)]
    return "\n".join(lines) + "\n"


def write(learnt: Learnt, root=None) -> Path:
    """The learnt values into ``params/calibration/<folder>.yaml``, each dated from the first month
    measured with the rolls it was measured on; a value the file held from that day on is replaced."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from .. import calibration_file

    root = Path(root or params_module.PARAMS)
    base = params_module.load(learnt.district.code, root, calibrated=False)
    day = learnt.first_day

    def change(tree):
        for path, (value, how) in learnt.values.items():
            node, name = calibration_file._node(tree, path)
            leaf = base.leaf(path)
            if name not in node:
                node[name] = CommentedMap(
                    [("unit", leaf.declared_unit), ("description", leaf.description), ("values", CommentedMap())]
                )
            values = node[name]["values"]
            for date in [d for d in values if param_leaves.parse_date(d) >= day]:
                del values[date]
            rolls = CommentedSeq(learnt.references)
            rolls.fa.set_flow_style()
            factor = UNITS[leaf.declared_unit][1]
            entry = CommentedMap([("value", round(value / factor, 4)), ("fitted_to", rolls), ("calibration", how)])
            entry.fa.set_flow_style()
            values[dt.date(day.year, day.month, day.day)] = entry  # a new date object each: no YAML anchors

    return calibration_file._edit(base, root, change)
