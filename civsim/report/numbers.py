"""Numbers as the bureaus' reports write them: 1219.16万元, 4.60亿元, 221户269人, 1—10月, 2021年1月11日.

Narrative sentences are built from simulated figures, so every unit and rounding rule lives here,
once, and is tested. Rounding is half up on the displayed digits (as people and spreadsheets round:
0.125 → 0.13), done in Decimal so that binary floats do not turn a 5 into a 4.
"""

from __future__ import annotations

import datetime as dt
import numbers
from decimal import ROUND_HALF_UP, Decimal

from ..errors import CivsimError

WAN = Decimal(10_000)
YI = Decimal(100_000_000)
MONTH_DASH = "\u2014"  # em dash, as in "1—10月"


def _decimal(value: object, what: str) -> Decimal:
    """A finite Decimal from an int, float, Decimal or numpy number; anything else is a caller's bug."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, Decimal)):
        raise CivsimError(None, what, f"cannot format {value!r}", "a number")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, numbers.Integral):
        number = Decimal(int(value))
    else:
        # str() gives the shortest repr, so 1.005 rounds as the 1.005 the reader sees, not 1.00499…
        number = Decimal(str(float(value)))
    if not number.is_finite():
        raise CivsimError(None, what, f"cannot format {value!r}", "a finite number")
    return number


def _fixed(number: Decimal, places: int) -> str:
    """``number`` rounded half up (away from zero on ties) to ``places`` decimals; never "-0.00"."""
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:.{places}f}"


def rounded(value: object, places: int = 2) -> Decimal:
    """A number rounded half up to ``places`` decimals, as a table shows it (for sums of shown figures)."""
    return Decimal(_fixed(_decimal(value, "rounded"), places))


def wan_yuan(yuan: object, places: int = 2) -> str:
    """Yuan shown in 万元 with two decimals: 12191600 → "1219.16万元"."""
    return _fixed(_decimal(yuan, "wan_yuan") / WAN, places) + "万元"


def yi_yuan(yuan: object, places: int = 2) -> str:
    """Yuan shown in 亿元 with two decimals: 460000000 → "4.60亿元"."""
    return _fixed(_decimal(yuan, "yi_yuan") / YI, places) + "亿元"


def money(yuan: object) -> str:
    """亿元 for totals of one 亿 or more (after rounding), else 万元, as the reports quote money."""
    number = _decimal(yuan, "money")
    if abs(Decimal(_fixed(number / WAN, 2))) >= WAN:
        return yi_yuan(number)
    return wan_yuan(number)


def yuan(value: object, places: int = 0) -> str:
    """Plain yuan for standards and per-person amounts: 1010 → "1010元"."""
    return _fixed(_decimal(value, "yuan"), places) + "元"


def _count(value: object, unit: str, what: str) -> str:
    return _fixed(_decimal(value, what), 0) + unit


def households(n: object) -> str:
    """A household count: 221 → "221户" (a simulated mean is rounded half up)."""
    return _count(n, "户", "households")


def persons(n: object) -> str:
    """A person count: 269 → "269人"."""
    return _count(n, "人", "persons")


def person_times(n: object) -> str:
    """Person-times, where a person helped twice counts twice: 108 → "108人次"."""
    return _count(n, "人次", "person_times")


def cases(n: object) -> str:
    """A count of cases: 901 → "901件"."""
    return _count(n, "件", "cases")


def pct(ratio: object, places: int = 2, signed: bool = False) -> str:
    """A ratio as a percentage: 0.0512 → "5.12%"; ``signed`` adds "+" to rises."""
    text = _fixed(_decimal(ratio, "pct") * 100, places) + "%"
    if signed and not text.startswith("-") and Decimal(text[:-1]) != 0:
        text = "+" + text
    return text


def growth(ratio: object, places: int = 2) -> str:
    """A change in words, as in "比去年增长5.12%": "增长5.12%", "下降3.00%" or "持平"."""
    text = pct(ratio, places)
    if Decimal(text[:-1]) == 0:
        return "持平"
    return "下降" + text[1:] if text.startswith("-") else "增长" + text


def cn_date(day: dt.date) -> str:
    """A date as reports date themselves: 2021-01-11 → "2021年1月11日" (datetimes and Timestamps too)."""
    if not all(hasattr(day, a) for a in ("year", "month", "day")):
        raise CivsimError(None, "cn_date", f"cannot format {day!r}", "a date")
    return f"{day.year}年{day.month}月{day.day}日"


def _month(month: object, what: str) -> int:
    if isinstance(month, bool) or not isinstance(month, numbers.Integral) or not 1 <= int(month) <= 12:
        raise CivsimError(None, what, f"bad month {month!r}", "an integer from 1 to 12")
    return int(month)


def month_range(first: int, last: int) -> str:
    """A flow over months: (1, 10) → "1—10月" with an em dash; one month → "10月"."""
    first, last = _month(first, "month_range"), _month(last, "month_range")
    if first > last:
        raise CivsimError(
            None, "month_range", f"first month {first} is after last month {last}", "first <= last within one year"
        )
    return f"{last}月" if first == last else f"{first}{MONTH_DASH}{last}月"


def as_of(month: int) -> str:
    """A stock at a month's end, in the seeds' wording: 10 → "截止10月份"."""
    return f"截止{_month(month, 'as_of')}月份"


__all__ = [
    "rounded",
    "wan_yuan",
    "yi_yuan",
    "money",
    "yuan",
    "households",
    "persons",
    "person_times",
    "cases",
    "pct",
    "growth",
    "cn_date",
    "month_range",
    "as_of",
]
