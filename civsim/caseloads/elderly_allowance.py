"""The synthetic roll's caseload of elderly_allowance (its rule: civsim.programs.elderly_allowance)."""

from __future__ import annotations

from ..programs.elderly_allowance import BANDS


def build(b) -> None:
    for band, low in BANDS.items():
        n = b.target(f"caseload.elderly.{band}")
        high = low + (9 if band != "age_100_plus" else 5)
        b.singles(n, "elderly", "urban", age=b.rng.integers(low, high + 1, max(n, 0)), elderly_allowance=1)
