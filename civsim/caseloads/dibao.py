"""The synthetic roll's caseload of dibao (its rule: civsim.programs.dibao)."""

from __future__ import annotations

import numpy as np

from ..programs.dibao import MEMBER_SHARES, TIERS
from ..roll import AREAS

# the leaves that make a district pay for its 低保 members' disabilities
DISABILITY_RULES = (
    "disability.nursing.amount",
    "disability.living.grade_1_2",
    "disability.living.grade_3_4",
    "dibao.classified.severe_disability.amount",
    "dibao.classified.severe_disability.percent",
)


def build(b) -> None:
    """The 低保 candidate pool: households straddling the line, exactly the reported claimers below
    it at the anchor, with members whose ages and disabilities follow ``dibao.members.*``."""
    take_up, share = b.value("dibao.take_up"), b.value("dibao.eligible_share")
    rng = b.rng
    for code, area in enumerate(AREAS):
        claimers = b.target(f"caseload.dibao.{area}.households")
        persons = b.target(f"caseload.dibao.{area}.persons")
        if claimers == 0:
            continue
        standard = b.params.at(f"dibao.standard.{area}", b.date)  # a count without a standard in force: the error
        eligible = max(claimers, int(round(claimers / max(take_up, 1e-9))))
        pool = max(eligible, int(round(eligible / max(share, 1e-9))))
        gap = min(max(b.value(f"dibao.gap_ratio.{area}"), 0.01), 0.99)
        # Below the line, income/standard = v**k has mean gap k/(k+1) = gap_ratio; above it the
        # near-poor spread evenly up to twice the standard.
        k = gap / (1 - gap)
        ratio = np.concatenate([rng.random(eligible) ** k, 1 + rng.random(pool - eligible)])
        # Exactly `claimers` of the eligible claim at the anchor: their draws lie below take-up.
        draw = np.concatenate(
            [
                rng.random(claimers) * take_up,
                take_up + rng.random(eligible - claimers) * (1 - take_up),
                rng.random(pool - eligible),
            ]
        )
        size = np.concatenate(
            [b.sizes(claimers, persons), b.sizes(pool - claimers, int(round((pool - claimers) * persons / claimers)))]
        )
        member_of = np.repeat(np.arange(pool), size)
        households = {"area": area, "category": "dibao", "income": ratio * standard, "claim_draw": draw}
        members = _members(b, len(member_of))
        # what only an add-on or 档 reads is drawn only where the district declares one (so a district
        # without them keeps its draws)
        if b.declares(f"dibao.tiered.{area}"):
            shares = np.array([b.value(f"dibao.tier_share.{t}.{area}") for t in TIERS[:2]])
            households["tier"] = 1 + np.searchsorted(np.cumsum(shares), rng.random(pool), side="right")
        if b.declares("dibao.classified.single_parent.amount", "dibao.classified.single_parent.percent"):
            households["single_parent"] = (rng.random(pool) < b.value("dibao.members.single_parent")).astype(int)
        if b.declares("dibao.classified.student.amount", "dibao.classified.student.percent"):
            school_age = (members["age"] >= 6) & (
                members["age"] <= 22
            )  # students among them, at the share of all members
            chance = min(1.0, b.value("dibao.members.student") * len(school_age) / max(school_age.sum(), 1))
            members["student"] = (school_age & (rng.random(len(school_age)) < chance)).astype(int)
        b.add(households, members, member_of)


def _members(b, n: int) -> dict:
    """Ages, disabilities and illness of ``n`` members at the shares in ``dibao.members``."""
    shares = np.array([b.value(f"dibao.members.{name}") for name in MEMBER_SHARES])
    u, v, w = b.rng.random(n), b.rng.random(n), b.rng.random(n)
    # an elderly member (u below the first share) is 60–90, a minor (the next share) 0–17, any
    # other 18–59: each band's first age plus v × its width, cut to a whole year
    band = (u >= shares[0]).astype(np.intp)
    band += u >= shares[0] + shares[1]
    age = np.array([60, 0, 18], np.int16)[band] + (v * np.array([31.0, 18.0, 42.0])[band]).astype(np.int16)
    if b.declares(*DISABILITY_RULES):
        # grades 1–2 for the severely disabled share (w below it), 3–4 for the next, else none
        step = (v * 2).astype(np.int8)
        grade = np.where(w < shares[2], 1 + step, np.where(w < shares[2] + shares[3], 3 + step, 0)).astype(np.int8)
    else:
        # members carry what only the programs the district pays read: a district that declares no
        # disability subsidy (a 低保-only district) needs no disability amounts for its members
        grade = np.zeros(n, np.int8)
    ill = b.rng.random(n) < shares[4]
    return {"age": age, "disability_grade": grade, "seriously_ill": ill.astype(np.int8)}
