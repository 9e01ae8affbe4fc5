"""Money as it is paid: each entity's monthly amount rounded to the fen, half up (四舍五入), as a
bank transfer carries it; every sum after that is exact in integer fen.

A rule whose notice pays whole yuan (``Program.rounding = "yuan"``) is rounded to the yuan the same
way. Rounding is elementwise, so it gives the same fen on every machine; sums of whole fen are exact
in int64 (and in float64 up to 2**53 fen), so no summation order can move a total.
"""

from __future__ import annotations

import numpy as np

STEP = {"fen": 1, "yuan": 100}  # fen per rounding step
# An amount computed as 12.345 may be held as 12.34499999…; the allowance takes such a float back to
# the half it stands for (it is far below any real fraction of a fen).
_HALF = 0.5 + 1e-6


def fen(yuan, rounding: str = "fen") -> np.ndarray:
    """Yuan (scalar or array) → int64 fen, half away from zero, to the fen or to the whole yuan."""
    return whole_fen(yuan, rounding).astype(np.int64)


def whole_fen(yuan, rounding: str = "fen") -> np.ndarray:
    """:func:`fen` as float64 holding whole numbers (what the engine sums: exact below 2**53 fen),
    made in place over one array."""
    step = STEP[rounding]
    value = np.asarray(np.multiply(yuan, 100 / step, dtype=np.float64))
    out = np.abs(value, out=np.empty_like(value))
    out += _HALF
    np.floor(out, out=out)
    np.copysign(out, value, out=out)
    if step != 1:
        out *= step
    return out


def yuan(fen_) -> np.ndarray:
    """Integer fen → yuan (float64), for tables."""
    return np.asarray(fen_, dtype=np.float64) / 100
