"""临时救助: incidents per month, each paid a multiple of the monthly urban 低保 standard, capped by
the street approval limit. The street reserve (a share of the prior year's 低保 total) is a
budget figure: :func:`street_reserve`."""
from __future__ import annotations

from . import Payment


def pay(month) -> list:
    cases = month.value("temporary.cases")
    if cases == 0:
        return []
    grant = min(month.value("temporary.multiple") * month.value("dibao.standard.urban"),
                month.value("temporary.approval_limit", float("inf")))
    return [Payment("temporary", "urban", 0, cases, cases, cases * grant)]


def street_reserve(prior_year_dibao_yuan: float, reserve_percent: float) -> float:
    return prior_year_dibao_yuan * reserve_percent / 100
