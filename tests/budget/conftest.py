"""What the budget tests share: the first budget year of their windows, and the three components
of a change (标准因素, 人数因素, 一次性及阶段性项目) compared to the fen."""

import numpy as np

YEAR = 2021
COMPONENTS = ["standard_yuan", "people_yuan", "one_off_yuan"]


def fen(values) -> np.ndarray:
    return np.round(np.asarray(values, dtype=float) * 100).astype(np.int64)
