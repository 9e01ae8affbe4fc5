"""养老机构运营补贴: an operating subsidy per bed per month; the beds are a count in params."""

from __future__ import annotations

import numpy as np

from . import Cases, Param, Program, Sentence


def pay(month, view) -> Cases:
    beds = month.optional("caseload.elderly.beds")
    return Cases(np.zeros(2), np.array([beds * month.value("elderly.institution.per_bed"), 0.0]))


PROGRAM = Program(
    key="care_institution",
    label="养老机构运营补贴",
    entity="case",
    order=110,
    pay=pay,
    caseload=("caseload.elderly.beds",),
    params={
        "caseload.elderly.beds": Param("beds"),
        "elderly.institution.per_bed": Param("yuan/bed/month", required=True, about="养老机构运营补贴（每张床位每月）"),
    },
    area="养老服务",
    sentence=Sentence(shared="elderly", paid="发放养老机构运营补贴{money}"),
    method="按床位数计发运营补贴",
    published="区（市）民政局养老机构运营补贴文件",
)
