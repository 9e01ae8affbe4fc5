"""高龄津贴: a flat amount per month by age band for the elderly the roll holds as eligible (the
rule of the jurisdiction decides who: e.g. 东丽区 pays those aged 70+ without a pension)."""

from __future__ import annotations

import numpy as np

from . import Param, Program, Sentence

BANDS = {"age_70_79": 70, "age_80_89": 80, "age_90_99": 90, "age_100_plus": 100}  # band -> lowest age
WORDS = {"age_70_79": "70—79岁", "age_80_89": "80—89岁", "age_90_99": "90—99岁", "age_100_plus": "100岁及以上"}


def rates(month, view) -> np.ndarray:
    """Per band, below 70 first (0)."""
    return np.array([0.0] + [month.optional(f"elderly.allowance.{band}") for band in BANDS])


PROGRAM = Program(
    key="elderly_allowance",
    label="高龄津贴",
    entity="person",
    order=90,
    pay=None,
    rates=rates,
    classes=lambda view: np.searchsorted(list(BANDS.values()), view.age, side="right").astype(np.int64),
    candidates=lambda roll: (roll.array("persons", "elderly_allowance") == 1) & (roll.array("persons", "age") >= 70),
    # a jurisdiction declares the bands it pays; a band it does not declare pays nothing
    params={
        f"elderly.allowance.{band}": Param("yuan/person/month", optional=True, label=f"高龄津贴（{WORDS[band]}）")
        for band in BANDS
    },
    roll_params={
        **{f"caseload.elderly.{band}": Param("persons") for band in BANDS},
        "elderly.turnover.entry": Param("per_month"),
        "elderly.turnover.exit": Param("per_month"),
    },
    area="养老服务",
    sentence=Sentence(shared="elderly", paid="为{held}名老年人发放高龄津贴{money}"),
    method="按年龄段的高龄津贴标准计发",
)
