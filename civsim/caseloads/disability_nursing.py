"""The synthetic roll's caseload of disability_nursing (its rule: civsim.programs.disability_nursing)."""
from __future__ import annotations

import numpy as np


def build(b) -> None:
    """Severely disabled persons beyond those already among other programs' members."""
    grade = b.column("persons", "disability_grade")
    present = int(((grade >= 1) & (grade <= 2) & (b.column("persons", "tekun") == 0)).sum())
    b.singles(b.target("caseload.disability.nursing") - present, "disability", "urban",
              disability_grade=np.array([1, 2]), age=50)
