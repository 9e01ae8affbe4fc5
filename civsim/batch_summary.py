"""The report batch's summary for the terminal: a line per report (status, seconds, where its files
are or why it failed), then the totals — in Chinese, as its readers are the bureau's."""

from __future__ import annotations

import unicodedata
from typing import Iterable


def _columns(text: str) -> int:
    """Terminal columns: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _columns(text))


# the batch's own failure codes (batch_jobs.Outcome.error), as the table says them
SHOWN = {"timeout": "超时", "kernel died": "内核退出", "worker process crashed": "工作进程崩溃"}


def _said(error: str) -> str:
    for code, words in SHOWN.items():
        error = error.replace(code, words)
    return " ".join(error.split())


def summary(outcomes: Iterable) -> str:
    """A short table for the terminal, in the bureau's words: one line per report (完成 and where its
    files are, or 失败 and why, with the failing cell), then the totals."""
    outcomes = list(outcomes)
    width = max([_columns(o.label) for o in outcomes] + [6])
    lines = [f"{_pad('报告', width)}  {'状态'}  {'用时（秒）'}  说明"]
    for o in outcomes:
        if o.ok:
            first = next(iter(o.outputs.values()))
            detail = f"{first.with_suffix('')}.{{{','.join(o.outputs)}}}"
        else:
            where = f"单元格 {o.cell}：" if o.cell is not None else ""
            detail = where + _said(o.error)
        lines.append(f"{_pad(o.label, width)}  {'完成' if o.ok else '失败'}  {o.seconds:>10.1f}  {detail}")
    failed = sum(not o.ok for o in outcomes)
    lines.append(f"完成 {len(outcomes) - failed} 份，失败 {failed} 份，共 {sum(o.seconds for o in outcomes):.1f} 秒")
    return "\n".join(lines)
