"""最低生活保障 (低保). A claiming household whose per-capita income is below the standard of its area
is paid, per member and month, either the gap (standard − income, at least the floor), or where its
area pays by 档 (分档), the amount of its household's 档 — a fixed sum or a percent of the standard.
分类施保 adds, on top of either, an amount or a percent of the standard for each member in a class
(the elderly, by age from 60, 70 and 80; the disabled, grades 1–2 and 3–4; minors; students; the
seriously ill; members of single-parent families) — every class a member holds, or where the notice
says 就高不重复 the highest alone; a Spring-Festival extra month pays it twice."""

from __future__ import annotations

import numpy as np

from . import Paid, Param, Program, Sentence, static, while_same
from ..roll import AREAS

# 分类施保 classes: 老年人（60、70、80周岁起）, 重度残疾人（一、二级）, 其他残疾人（三、四级）, 未成年人, 在校学生,
# 重病患者, 单亲家庭成员
CLASSES = (
    "elderly",
    "elderly_70",
    "elderly_80",
    "severe_disability",
    "disability",
    "minor",
    "student",
    "seriously_ill",
    "single_parent",
)
CLASS_WORDS = {
    "elderly": "老年人（60周岁及以上）",
    "elderly_70": "70周岁及以上老年人",
    "elderly_80": "80周岁及以上老年人",
    "severe_disability": "重度残疾人（一、二级）",
    "disability": "三、四级残疾人",
    "minor": "未成年人",
    "student": "在校学生",
    "seriously_ill": "重病患者",
    "single_parent": "单亲家庭成员",
}
MEMBER_SHARES = ("elderly", "minor", "severe_disability", "disability", "seriously_ill")
TIERS = ("first", "second", "third")  # 一档、二档、三档 (A、B、C类): a household's tier 1, 2, 3


def pay(month, view) -> Paid:
    """Each claiming household below the standard of its area is paid for each member."""
    # month.by_area("dibao.standard", view.area), made again only when a standard changes
    per_area = month.per_area("dibao.standard", view.area)
    standard = while_same(view, "dibao.standard", per_area, lambda: per_area.astype(np.float32)[view.area])
    gap = standard - month.income
    eligible = (gap > 0) & month.claims(view, month.value("dibao.take_up"))
    present = month.present(view)
    if present is not True:  # True: every candidate is on the roll all the time
        eligible &= present
    paid = np.flatnonzero(eligible)
    floor = month.value("dibao.floor")
    per_person = np.maximum(gap[paid], floor) if floor else gap[paid]
    month.step("每人差额（保障标准−家庭月人均收入）", per_person)
    per_person = by_tier(month, view, paid, per_person)
    month.step("家庭人数", view.size[paid], "人")
    amount = per_person * view.size[paid]
    amount += classified(month, view, paid)
    extra = month.value("supplements.spring_festival.extra_months")  # a month paid twice at Spring Festival
    if extra:
        amount *= 1 + extra
    return Paid(paid, amount)


def by_tier(month, view, paid: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """分档: in an area paying by 档, a household placed in a 档 gets its amount per member, the
    tier's sum plus its percent of the standard; a household the roll places in no 档 keeps the gap."""
    tiered = np.array([month.value(f"dibao.tiered.{a}") for a in AREAS]) > 0
    if not tiered.any():
        return gap
    area, tier = view.area[paid], view.tier[paid]
    standard = np.array([month.value(f"dibao.standard.{a}") for a in AREAS])
    amounts = np.zeros((len(TIERS) + 1, len(AREAS)))  # row 0: no 档
    for i, t in enumerate(TIERS, start=1):
        amounts[i] = [
            month.optional(f"dibao.tier.{t}.amount.{a}")
            + month.optional(f"dibao.tier.{t}.percent.{a}") / 100 * standard[j]
            for j, a in enumerate(AREAS)
        ]
    placed = tiered[area] & (tier > 0)
    return np.where(placed, amounts[tier, area], gap)


def classified(month, view, paid: np.ndarray) -> np.ndarray | float:
    """分类施保: for each member in a class, the class's amount plus its percent of the standard."""
    amount = np.array([month.value(f"dibao.classified.{c}.amount") for c in CLASSES])
    percent = np.array([month.value(f"dibao.classified.{c}.percent") for c in CLASSES])
    if not amount.any() and not percent.any():
        return 0.0
    household, flags = members_in_classes(view)
    standards = np.array([month.value(f"dibao.standard.{a}") for a in AREAS])
    highest = month.value("dibao.classified.highest_only")

    def members():
        standard = standards[view.area[household]]
        if highest:  # 就高不重复: a member's highest class alone
            return (flags * (amount[:, None] + percent[:, None] / 100 * standard[None, :])).max(axis=0)
        return amount @ flags + percent @ flags / 100 * standard  # the classes a member holds add up

    stamp = np.concatenate([amount, percent, standards, [highest]])
    per_member = while_same(view, "dibao.classified", stamp, members)
    if month.trace is not None:  # the working shows the paid households' members
        on_dibao = np.zeros(view.n, bool)
        on_dibao[paid] = True
        month.step("分类施保（逐人）", per_member[on_dibao[household]])
    # each household's members added up in their order (a household's members are paid together,
    # so the paid households' sums are these), made again only when the amounts change
    per_household = while_same(
        view, "dibao.classified.households", stamp, lambda: np.bincount(household, weights=per_member, minlength=view.n)
    )
    return per_household[paid]


@static
def members_in_classes(view) -> tuple[np.ndarray, np.ndarray]:
    """The members of the candidate households who hold a 分类施保 class: their household (a
    position among the candidates) and a class × member flag matrix (rows in ``CLASSES`` order)."""
    persons, roll = view.roll.persons, view.roll
    age, grade = persons["age"].to_numpy(), persons["disability_grade"].to_numpy()
    single_parent = roll.households["single_parent"].to_numpy()[roll.household_row] == 1
    flags = np.stack(
        [
            age >= 60,
            age >= 70,
            age >= 80,
            (grade >= 1) & (grade <= 2),
            grade >= 3,
            age < 18,
            persons["student"].to_numpy() == 1,
            persons["seriously_ill"].to_numpy() == 1,
            single_parent,
        ]
    )
    position = np.full(len(roll.households), -1, np.int64)
    position[view.rows] = np.arange(view.n)
    household = position[roll.household_row]
    members = np.flatnonzero(flags.any(axis=0) & (household >= 0))
    return household[members], flags[:, members]


PROGRAM = Program(
    key="dibao",
    label="低保",
    entity="household",
    order=10,
    pay=pay,
    uses=("income",),
    candidates=lambda roll: roll.is_("households", "category", "dibao") & ~np.isnan(roll.array("households", "income")),
    params={
        "dibao.standard.urban": Param("yuan/person/month", required=True, label="城市低保标准"),
        "dibao.standard.rural": Param(
            "yuan/person/month", required=True, label="农村低保标准", when="caseload.dibao.rural.households"
        ),
        "dibao.floor": Param("yuan/person/month"),
        "dibao.take_up": Param("ratio", label="低保申领率", control=(0.05, 1.0, 0.01, ".0%")),
        "supplements.spring_festival.extra_months": Param("months"),
        **{f"dibao.classified.{c}.amount": Param("yuan/person/month") for c in CLASSES},
        **{f"dibao.classified.{c}.percent": Param("percent") for c in CLASSES},
        "dibao.classified.highest_only": Param("flag"),
        # 分档: an area pays by 档 where its flag is 1; each 档 a sum and/or a percent of the standard
        **{f"dibao.tiered.{a}": Param("flag") for a in AREAS},
        **{
            f"dibao.tier.{t}.{kind}.{a}": Param(unit, optional=True)
            for t in TIERS
            for a in AREAS
            for kind, unit in (("amount", "yuan/person/month"), ("percent", "percent"))
        },
    },
    roll_params={
        **{f"caseload.dibao.{a}.{m}": Param(m) for a in AREAS for m in ("households", "persons")},
        "dibao.eligible_share": Param("ratio"),
        "dibao.entry_rate": Param("per_month", label="低保月进入率", control=(0.0, 0.05, 0.0005, ".2%"), measured=True),
        "dibao.exit_rate": Param("per_month", label="低保月退出率", control=(0.0, 0.05, 0.0005, ".2%"), measured=True),
        # districts' income structures differ around the national ratio: a spread of 0.1 (assumed)
        **{f"dibao.gap_ratio.{a}": Param("ratio", prior=0.1, bounds=(0.05, 0.95), measured=True) for a in AREAS},
        **{f"dibao.members.{name}": Param("ratio", measured=True) for name in MEMBER_SHARES},
        # drawn only where an add-on or 档 reads them; fitted to the reported money where one does
        "dibao.members.student": Param("ratio", prior=0.1, bounds=(0.0, 0.5)),
        "dibao.members.single_parent": Param("ratio", prior=0.1, bounds=(0.0, 0.5)),
        **{
            f"dibao.tier_share.{t}.{a}": Param("ratio", prior=0.15, bounds=(0.0, 1.0), measured=True)
            for t in TIERS[:2]
            for a in AREAS
        },
    },
    reported_in=("assistance_total",),
    area="社会救助",
    sentence=Sentence(
        held="在册{areas}", each_area="{area}低保{households}{persons}", paid="{span}累计发放低保金及补贴{money}"
    ),
    family_label="低保金及补贴",
    method="模型含低保差额救助金（含春节加发月份）",
    published="市（或省）人民政府、民政局关于调整城乡最低生活保障标准的通知",
)
