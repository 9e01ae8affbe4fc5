"""The synthetic roll's caseload of disability_living (its rule: civsim.programs.disability_living)."""

from __future__ import annotations

import numpy as np

from ..programs.disability_living import CERTIFIED_POOR


def build(b) -> None:
    """Poor disabled persons (grade 3–4) beyond the disabled members of households that are on 低保
    at the anchor."""
    dibao, urban = b.code("category", "dibao"), b.code("area", "urban")
    certified = [b.code("category", c) for c in CERTIFIED_POOR]
    standards, take_up = (b.value("dibao.standard.urban"), b.value("dibao.standard.rural")), b.value("dibao.take_up")
    present = 0  # counted part by part: who in a part is disabled, then whose household holds them
    for n, h, p, household in b.parts_so_far(
        ("category", "area", "income", "claim_draw"), ("disability_grade", "tekun", "poor")
    ):
        disabled = (np.asarray(p["disability_grade"]) >= 1) & (np.asarray(p["tekun"]) == 0)
        if not disabled.any():
            continue
        standard = np.where(np.asarray(h["area"]) == urban, *standards)
        on_dibao = (
            (np.asarray(h["category"]) == dibao)
            & (np.asarray(h["income"], np.float64) < standard)
            & (np.asarray(h["claim_draw"], np.float64) < take_up)
        )
        poor = np.isin(h["category"], certified)
        held = np.broadcast_to(on_dibao | poor, (n,))[household] | (np.asarray(p["poor"]) == 1)
        present += int(np.count_nonzero(disabled & held))
    b.singles(
        b.target("caseload.disability.living") - present,
        "disability",
        "urban",
        disability_grade=np.array([3, 4]),
        poor=1,
        age=50,
    )
