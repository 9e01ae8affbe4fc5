"""The synthetic roll's caseload of disability_nursing (its rule: civsim.programs.disability_nursing)."""

from __future__ import annotations

import numpy as np


def build(b) -> None:
    """Severely disabled persons beyond those already among other programs' members."""
    present = 0  # counted part by part
    for _, _, p, household in b.parts_so_far(persons=("disability_grade", "tekun")):
        grade = np.asarray(p["disability_grade"])
        severe = (grade >= 1) & (grade <= 2) & (np.asarray(p["tekun"]) == 0)
        present += int(np.count_nonzero(np.broadcast_to(severe, household.shape)))
    b.singles(
        b.target("caseload.disability.nursing") - present,
        "disability",
        "urban",
        disability_grade=np.array([1, 2]),
        age=50,
    )
