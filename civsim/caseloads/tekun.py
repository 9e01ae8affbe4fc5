"""The synthetic roll's caseload of tekun (its rule: civsim.programs.tekun)."""

from __future__ import annotations

import numpy as np

from ..programs.tekun import PLACEMENTS


def build(b) -> None:
    """One-person 特困 households by placement; area and self-care split by the shares in params."""
    shares = np.array(
        [
            1 - b.value("tekun.partial_share") - b.value("tekun.none_share"),
            b.value("tekun.partial_share"),
            b.value("tekun.none_share"),
        ]
    )
    for institution, placement in enumerate(PLACEMENTS):
        count = b.target(f"caseload.tekun.{placement}")
        urban = int(round(count * b.value("tekun.urban_share")))
        care = np.repeat([0, 1, 2], np.diff(np.round(np.concatenate([[0], np.cumsum(shares)]) * count).astype(int)))
        b.singles(
            count,
            "tekun",
            np.array(["urban"] * urban + ["rural"] * (count - urban)),
            "tekun",
            age=60,
            tekun=1,
            institution=institution,
            self_care=b.rng.permutation(care),
        )
