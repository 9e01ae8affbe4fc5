"""特困人员救助供养: the basic standard of the person's area and placement (集中 in an institution,
分散 at home) plus the care standard of their self-care level; a Spring-Festival extra month pays
it twice."""

from __future__ import annotations

import numpy as np

from . import Param, Program, Sentence
from ..roll import AREAS

PLACEMENTS = ("dispersed", "centralized")  # institution 0 / 1
CARE = ("full", "partial", "none")  # self_care 0 / 1 / 2
AREA_WORDS = {"urban": "城市", "rural": "农村"}
PLACEMENT_WORDS = {"dispersed": "分散供养", "centralized": "集中供养"}
CARE_WORDS = {"full": "全自理", "partial": "半护理", "none": "全护理"}


def classes(view) -> np.ndarray:
    """placement × area × self-care level"""
    return (view.institution.astype(np.int64) * len(AREAS) + view.area) * len(CARE) + view.self_care


def rates(month, view) -> np.ndarray:
    basic = np.array([[month.value(f"tekun.standard.{p}.{a}") for a in AREAS] for p in PLACEMENTS])
    # the care standard of each placement and self-care level: the placement's own where the city sets
    # 集中 and 分散 apart, else the one set for both
    care = np.array([[month.either(f"tekun.care.{p}.{c}", f"tekun.care.{c}") for c in CARE] for p in PLACEMENTS])
    return (basic[:, :, None] + care[:, None, :]).ravel() * (
        1 + month.value("supplements.spring_festival.extra_months")
    )


PROGRAM = Program(
    key="tekun",
    label="特困供养",
    entity="person",
    order=20,
    pay=None,
    classes=classes,
    rates=rates,
    candidates=lambda roll: roll.array("persons", "tekun") == 1,
    # no national figure: the city sets the basic standard (≥ 1.3 × its 低保) and the care standards
    params={
        **{
            f"tekun.standard.{p}.{a}": Param(
                "yuan/person/month", required=True, label=f"{AREA_WORDS[a]}特困{PLACEMENT_WORDS[p]}基本生活标准"
            )
            for p in PLACEMENTS
            for a in AREAS
        },
        **{
            f"tekun.care.{c}": Param(
                "yuan/person/month",
                required=True,
                label=f"特困照料护理标准（{CARE_WORDS[c]}）",
                instead=tuple(f"tekun.care.{p}.{c}" for p in PLACEMENTS),
            )
            for c in CARE
        },
        **{
            f"tekun.care.{p}.{c}": Param(
                "yuan/person/month", optional=True, label=f"特困{PLACEMENT_WORDS[p]}照料护理标准（{CARE_WORDS[c]}）"
            )
            for p in PLACEMENTS
            for c in CARE
        },
        "supplements.spring_festival.extra_months": Param("months"),
    },
    roll_params={
        **{f"caseload.tekun.{p}": Param("persons") for p in PLACEMENTS},
        **{f"tekun.{share}": Param("ratio", prior=0.15) for share in ("urban_share", "partial_share", "none_share")},
        "tekun.turnover.entry": Param("per_month"),
        "tekun.turnover.exit": Param("per_month"),
    },
    reported_in=("assistance_total",),
    area="社会救助",
    sentence=Sentence(
        held="特困供养人员{persons}",
        paid="{span}累计发放供养金及补贴{money}",
        split=(("caseload.tekun.centralized", "集中供养"), ("caseload.tekun.dispersed", "分散供养")),
    ),
    family_label="特困供养金及补贴",
    method="模型含特困基本生活标准和照料护理标准",
    published="市民政局关于调整特困人员救助供养标准的通知（常与低保标准同文发布：基本生活标准不低于低保标准的1.3倍，照料护理标准分全自理、半护理、全护理三档）",
)
