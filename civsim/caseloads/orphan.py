"""The synthetic roll's caseload of orphan (its rule: civsim.programs.orphan)."""

from __future__ import annotations

from ..programs.orphan import PLACEMENTS


def build(b) -> None:
    for institution, placement in enumerate(PLACEMENTS):
        b.singles(
            b.target(f"caseload.children.orphan_{placement}"),
            "children",
            "urban",
            child_status="orphan",
            institution=institution,
            age=10,
        )
