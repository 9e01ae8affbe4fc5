"""最低生活保障 (低保): a gap benefit. A claiming household whose per-capita income is below the
standard of its area gets (standard − income) per member per month, at least the floor; 分类施保
adds an increment for each member who is elderly, severely disabled, a minor or seriously ill
(an amount, or a percent of the standard); a Spring-Festival extra month pays it twice."""
from __future__ import annotations

import numpy as np

from . import Paid, Param, Program, Sentence
from ..roll import AREAS

CLASSES = ("elderly", "severe_disability", "minor", "seriously_ill")   # 老年人, 重度残疾人, 未成年人, 重病患者
MEMBER_SHARES = ("elderly", "minor", "severe_disability", "disability", "seriously_ill")


def member_classes(roll) -> tuple[np.ndarray, np.ndarray]:
    """The members of 低保 candidate households holding a 分类施保 class: their household rows and
    a class × member flag matrix."""
    persons = roll.persons
    flags = np.stack([persons["age"].to_numpy() >= 60, (persons["disability_grade"].to_numpy() >= 1)
                      & (persons["disability_grade"].to_numpy() <= 2),
                      persons["age"].to_numpy() < 18, persons["seriously_ill"].to_numpy() == 1])
    household = roll.household_row
    in_pool = (roll.households["category"] == "dibao").to_numpy()[household]
    rows = np.flatnonzero(flags.any(axis=0) & in_pool)
    return household[rows], flags[:, rows]


def pay(month, view) -> Paid:
    standard = month.by_area("dibao.standard", view.area)
    gap = standard - month.income
    eligible = (gap > 0) & month.claims(view, month.value("dibao.take_up"))
    on_roll = view.on_roll(month.t)
    paid = np.flatnonzero(eligible if on_roll is None else eligible & on_roll)
    floor = month.value("dibao.floor")
    per_person = np.maximum(gap[paid], floor) if floor else gap[paid]
    amount = per_person * view.size[paid]
    increments = _increments(month, view, paid)
    if increments is not None:
        amount += increments
    extra = month.value("supplements.spring_festival.extra_months")
    return Paid(paid, amount * (1 + extra) if extra else amount)


def _increments(month, view, paid: np.ndarray) -> np.ndarray:
    amounts = np.array([[month.value(f"dibao.classified.{c}.amount"), month.value(f"dibao.classified.{c}.percent")]
                        for c in CLASSES])
    if not amounts.any():
        return None
    household, flags = month.prepared.once("dibao.members", member_classes)
    position = month.prepared.once("dibao.position", lambda roll: _positions(len(roll.households), view.rows))
    member = position[household]
    standard = np.array([month.value(f"dibao.standard.{a}") for a in AREAS])[view.area[member]]
    per_member = (flags * amounts[:, :1]).sum(0) + (flags * amounts[:, 1:]).sum(0) / 100 * standard
    receives = np.zeros(view.n, bool)
    receives[paid] = True
    got = receives[member]
    return np.bincount(member[got], weights=per_member[got], minlength=view.n)[paid]


def _positions(n: int, rows: np.ndarray) -> np.ndarray:
    out = np.full(n, -1, np.int64)
    out[rows] = np.arange(len(rows))
    return out


def synthesize(b) -> None:
    """The 低保 candidate pool: households straddling the line, exactly the reported claimers below
    it at the anchor, with members whose ages and disabilities follow ``dibao.members.*``."""
    take_up, share = b.value("dibao.take_up"), b.value("dibao.eligible_share")
    rng = b.rng
    for code, area in enumerate(AREAS):
        claimers = b.target(f"caseload.dibao.{area}.households")
        persons = b.target(f"caseload.dibao.{area}.persons")
        standard = b.value(f"dibao.standard.{area}")
        if claimers == 0 or standard == 0:
            continue
        eligible = max(claimers, int(round(claimers / max(take_up, 1e-9))))
        pool = max(eligible, int(round(eligible / max(share, 1e-9))))
        gap = min(max(b.value(f"dibao.gap_ratio.{area}"), 0.01), 0.99)
        # Below the line, income/standard = v**k has mean gap k/(k+1) = gap_ratio; above it the
        # near-poor spread evenly up to twice the standard.
        k = gap / (1 - gap)
        ratio = np.concatenate([rng.random(eligible) ** k, 1 + rng.random(pool - eligible)])
        # Exactly `claimers` of the eligible claim at the anchor: their draws lie below take-up.
        draw = np.concatenate([rng.random(claimers) * take_up, take_up + rng.random(eligible - claimers) * (1 - take_up),
                               rng.random(pool - eligible)])
        size = np.concatenate([b.sizes(claimers, persons), b.sizes(pool - claimers, int(round((pool - claimers) * persons / claimers)))])
        member_of = np.repeat(np.arange(pool), size)
        b.add({"area": area, "category": "dibao", "income": ratio * standard,
               "claim_draw": draw}, _members(b, len(member_of)), member_of)


def _members(b, n: int) -> dict:
    """Ages, disabilities and illness of ``n`` members at the shares in ``dibao.members``."""
    shares = np.array([b.value(f"dibao.members.{name}") for name in MEMBER_SHARES])
    u, v, w = b.rng.random(n), b.rng.random(n), b.rng.random(n)
    elderly, minor = u < shares[0], (u >= shares[0]) & (u < shares[0] + shares[1])
    age = np.where(elderly, 60 + (v * 31).astype(int), np.where(minor, (v * 18).astype(int), 18 + (v * 42).astype(int)))
    grade = np.where(w < shares[2], 1 + (v * 2).astype(int), np.where(w < shares[2] + shares[3], 3 + (v * 2).astype(int), 0))
    ill = b.rng.random(n) < shares[4]
    return {"age": age, "disability_grade": grade, "seriously_ill": ill.astype(int)}


PROGRAM = Program(
    key="dibao", label="低保", entity="household", order=10, pay=pay, synthesize=synthesize, uses=("income",),
    candidates=lambda roll: (roll.households["category"] == "dibao").to_numpy() & roll.households["income"].notna().to_numpy(),
    params={
        "dibao.standard.urban": Param("yuan/person/month", required=True, label="城市低保标准"),
        "dibao.standard.rural": Param("yuan/person/month", required=True, label="农村低保标准"),
        "dibao.floor": Param("yuan/person/month"), "dibao.take_up": Param("ratio", label="低保申领率", control=(0.05, 1.0, 0.01, ".0%")),
        "supplements.spring_festival.extra_months": Param("months"),
        **{f"dibao.classified.{c}.amount": Param("yuan/person/month") for c in CLASSES},
        **{f"dibao.classified.{c}.percent": Param("percent") for c in CLASSES},
    },
    roll_params={
        **{f"caseload.dibao.{a}.{m}": Param(m) for a in AREAS for m in ("households", "persons")},
        "dibao.eligible_share": Param("ratio"),
        "dibao.entry_rate": Param("per_month", label="低保月进入率", control=(0.0, 0.05, 0.0005, ".2%")),
        "dibao.exit_rate": Param("per_month", label="低保月退出率", control=(0.0, 0.05, 0.0005, ".2%")),
        # districts' income structures differ around the national ratio: a spread of 0.1 (assumed)
        **{f"dibao.gap_ratio.{a}": Param("ratio", prior=0.1, bounds=(0.05, 0.95)) for a in AREAS},
        **{f"dibao.members.{name}": Param("ratio") for name in MEMBER_SHARES},
    },
    reported_in=("assistance_total",),
    area="社会救助",
    sentence=Sentence(held="在册{areas}", each_area="{area}低保{households}{persons}", paid="{span}累计发放低保金及补贴{money}"),
    family_label="低保金及补贴",
    method="模型含低保差额救助金（含春节加发月份）",
    published="市（或省）人民政府、民政局关于调整城乡最低生活保障标准的通知",
)
