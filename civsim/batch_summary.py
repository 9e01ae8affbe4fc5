"""The report batch's summary for the terminal: a line per report (status, seconds, where its files
are or why it failed), then the totals."""
from __future__ import annotations

import unicodedata
from typing import Iterable


def _columns(text: str) -> int:
    """Terminal columns: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _columns(text))


def summary(outcomes: Iterable) -> str:
    """A short table for the terminal: one line per report, then the totals."""
    outcomes = list(outcomes)
    width = max([_columns(o.label) for o in outcomes] + [6])
    lines = [f"{_pad('report', width)}  {'status':<6}  {'seconds':>7}  detail"]
    for o in outcomes:
        if o.ok:
            first = next(iter(o.outputs.values()))
            detail = f"{first.with_suffix('')}.{{{','.join(o.outputs)}}}"
        else:
            where = f"cell {o.cell}: " if o.cell is not None else ""
            detail = where + " ".join(o.error.split())
        lines.append(f"{_pad(o.label, width)}  {'ok' if o.ok else 'FAILED':<6}  {o.seconds:>7.1f}  {detail}")
    failed = sum(not o.ok for o in outcomes)
    lines.append(f"{len(outcomes) - failed} ok, {failed} failed, {sum(o.seconds for o in outcomes):.1f} s in all")
    return "\n".join(lines)
