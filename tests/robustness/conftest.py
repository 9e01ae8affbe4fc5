"""Every robustness case is bounded in time (a hang fails the case instead of the suite) and
belongs to a class of bad input; the summary after the run counts the cases of each class.
Below, what the bureau-export cases share (test_bad_exports, test_export_formats,
test_export_privacy): the shipped sample's file names, a cell by its header, the CLI's output,
the sample read to rows and rows written back as a workbook."""

from __future__ import annotations

import collections
import datetime as dt
import re
import signal
from pathlib import Path

import openpyxl
import pytest

from civsim.bureau import idcard
from civsim.cli import main
from privacy import SAMPLE

TIMEOUT_S = 120  # per case, generous for a loaded machine; a property test marks its own bound
HERE = Path(__file__).resolve().parent


class CaseTimeout(Exception):
    pass


def pytest_configure(config):
    config.addinivalue_line("markers", "case(klass): the class of bad input a robustness case belongs to")
    config.addinivalue_line("markers", "timeout(seconds): a longer time bound for one robustness case")


def _in_here(item) -> bool:
    return Path(item.path).resolve().parent == HERE


@pytest.fixture(autouse=True)
def _time_bound(request):
    """SIGALRM interrupts even a blocking read (a pipe, a lock) and fails the case."""
    marker = request.node.get_closest_marker("timeout")
    seconds = marker.args[0] if marker else TIMEOUT_S

    def expire(signum, frame):
        raise CaseTimeout(f"case took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def klass(item) -> str:
    marker = item.get_closest_marker("case")
    return marker.args[0] if marker else "unclassified"


_outcomes: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not _in_here(item):
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        _outcomes[klass(item)]["passed" if report.passed else report.outcome] += 1


def pytest_terminal_summary(terminalreporter):
    if not _outcomes:
        return
    write = terminalreporter.write_line
    terminalreporter.section("robustness cases per class")
    total = collections.Counter()
    for name in sorted(_outcomes):
        counts = _outcomes[name]
        total.update(counts)
        write(
            f"{name:<14} {sum(counts.values()):>4} cases  " + "  ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        )
    write(f"{'total':<14} {sum(total.values()):>4} cases  " + "  ".join(f"{k} {v}" for k, v in sorted(total.items())))


# ---------------------------------------------------------------- the bureau-export cases


SALT = "test-salt-0123456789"
HOUSE, PERSON = "城市低保家庭查询_20201031.xlsx", "城市低保人员查询_20201031.xlsx"
FIRST = 4  # first data row (two title rows, then the header)


def _col(ws, name):
    return next(c.column for c in ws[3] if c.value == name)


def _cell(ws, row, name):
    return ws.cell(row=row, column=_col(ws, name))


def _valid_id(first17="42011219800101123"):
    return first17 + idcard.check_digit(first17)


def _run_cli(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


# the sample's sheets as rows, and rows written back as a workbook

PAIR = (HOUSE, PERSON)
HEADER = 2  # 0-based row of the header in the sample's sheets


def _grid(name) -> list[list]:
    ws = openpyxl.load_workbook(SAMPLE / name).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d")
    return str(v)


def _write_xlsx(path, sheets, active=0):
    """sheets: [(title, rows, merges, hidden)]; merges as openpyxl ranges ("A5:A7")."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows, merges, hidden in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for rng in merges:
            ws.merge_cells(rng)
        if hidden:
            ws.sheet_state = "hidden"
    wb.active = active
    wb.save(path)


def _column(rows, name) -> int:
    return rows[HEADER].index(name)


def _data(rows):
    return [r for r in rows[HEADER + 1 :] if r[2] and re.fullmatch(r"\d{17}[\dX]", str(r[2]))]


def _last_month(rows):
    """The same households a month earlier: other amounts (what a stale sheet would give)."""
    older = [list(r) for r in rows]
    col = _column(older, "户月保障金额（元）")
    for row in _data(older):
        row[col] = 1.0
    return older
