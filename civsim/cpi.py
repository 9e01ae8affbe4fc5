"""Monthly CPI, year on year, for the price-subsidy trigger (``civsim/data/cpi_cn_monthly.csv``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .paths import package_data
from .tables import MONTH, Column, read_csv

CPI_CSV = package_data() / "cpi_cn_monthly.csv"
COLUMNS = {
    "region": "str",
    "month": Column("str", pattern=MONTH, meaning="a month YYYY-MM"),
    "cpi_yoy_pct": "optional_float",
    "food_cpi_yoy_pct": "optional_float",
    "source": "optional_str",
}


@lru_cache(maxsize=4)
def series(region: str = "全国", path: Path = CPI_CSV) -> pd.DataFrame:
    """CPI and food CPI y/y (percent) indexed by month. The national series is the only complete
    one (the Tianjin and Hubei series have most months missing), so it is the default."""
    table = read_csv(path, COLUMNS, unique=["region", "month"])
    table = table[table["region"] == region]
    table.index = pd.PeriodIndex(table["month"], freq="M")
    return table[["cpi_yoy_pct", "food_cpi_yoy_pct"]].astype(float)


def for_months(months: pd.PeriodIndex, region: str = "全国") -> tuple[np.ndarray, np.ndarray]:
    """Headline and food y/y per month; NaN where the series has no value (no trigger then)."""
    table = series(region).reindex(months)
    return table["cpi_yoy_pct"].to_numpy(), table["food_cpi_yoy_pct"].to_numpy()
