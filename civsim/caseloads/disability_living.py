"""The synthetic roll's caseload of disability_living (its rule: civsim.programs.disability_living)."""
from __future__ import annotations

import numpy as np

from ..programs.disability_living import CERTIFIED_POOR


def build(b) -> None:
    """Poor disabled persons (grade 3–4) beyond the disabled members of households that are on 低保
    at the anchor."""
    # told apart per household, then read for each member
    category = b.column("households", "category")
    standard = np.where(b.column("households", "area") == b.code("area", "urban"), b.value("dibao.standard.urban"),
                        b.value("dibao.standard.rural"))
    on_dibao = ((category == b.code("category", "dibao")) & (b.column("households", "income") < standard)
                & (b.column("households", "claim_draw") < b.value("dibao.take_up")))
    poor = np.isin(category, [b.code("category", c) for c in CERTIFIED_POOR])
    held = (on_dibao | poor)[b.column("persons", "household_id")] | (b.column("persons", "poor") == 1)
    present = int(((b.column("persons", "disability_grade") >= 1) & (b.column("persons", "tekun") == 0) & held).sum())
    b.singles(b.target("caseload.disability.living") - present, "disability", "urban",
              disability_grade=np.array([3, 4]), poor=1, age=50)
