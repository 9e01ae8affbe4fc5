"""The synthetic roll's caseload of disability_living (its rule: civsim.programs.disability_living)."""
from __future__ import annotations

import numpy as np

from ..programs.disability_living import CERTIFIED_POOR


def build(b) -> None:
    """Poor disabled persons (grade 3–4) beyond the disabled members of households that are on 低保
    at the anchor."""
    category = b.member_household("category")
    standard = np.where(b.member_household("area") == b.code("area", "urban"), b.value("dibao.standard.urban"),
                        b.value("dibao.standard.rural"))
    on_dibao = ((category == b.code("category", "dibao")) & (b.member_household("income") < standard)
                & (b.member_household("claim_draw") < b.value("dibao.take_up")))
    poor = (b.column("persons", "poor") == 1) | np.isin(category, [b.code("category", c) for c in CERTIFIED_POOR])
    present = int(((b.column("persons", "disability_grade") >= 1) & (b.column("persons", "tekun") == 0) & (on_dibao | poor)).sum())
    b.singles(b.target("caseload.disability.living") - present, "disability", "urban",
              disability_grade=np.array([3, 4]), poor=1, age=50)
