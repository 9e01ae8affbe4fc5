"""孤儿基本生活费: a flat amount per orphan per month, at the standard of the placement — raised in
an institution (机构集中养育) or at home (社会散居)."""

from __future__ import annotations

import numpy as np

from . import Param, Program, Sentence, static

PLACEMENTS = ("dispersed", "institution")  # institution 0 / 1
WORDS = {"dispersed": "散居", "institution": "机构养育"}


def rates(month, view) -> np.ndarray:
    """The standard of each placement the roll holds (a placement it does not hold needs no standard)."""
    return np.array([month.value(f"children.orphan.{p}") if p in placements(view) else 0.0 for p in PLACEMENTS])


@static
def placements(view) -> set[str]:
    return {PLACEMENTS[i] for i in np.unique(view.institution)}


PROGRAM = Program(
    key="orphan",
    label="孤儿",
    entity="person",
    order=70,
    pay=None,
    rates=rates,
    classes=lambda view: view.institution.astype(np.int64),
    candidates=lambda roll: roll.is_("persons", "child_status", "orphan"),
    # each placement's standard is required where the caseload holds an orphan so placed (and read on
    # first use, for a bureau roll)
    params={
        f"children.orphan.{p}": Param(
            "yuan/person/month",
            required=True,
            when=f"caseload.children.orphan_{p}",
            label=f"孤儿基本生活费（{WORDS[p]}）",
        )
        for p in PLACEMENTS
    },
    roll_params={
        **{f"caseload.children.orphan_{p}": Param("persons") for p in PLACEMENTS},
        "children.turnover.entry": Param("per_month"),
        "children.turnover.exit": Param("per_month"),
    },
    reported_in=("children",),
    area="儿童福利",
    sentence=Sentence(shared="children", held="孤儿{persons}"),
    family_label="孤儿基本生活费及补贴",
    method="模型含孤儿基本生活费",
    published="市民政局关于孤儿、事实无人抚养儿童基本生活保障标准的通知",
)
