"""Every robustness case is bounded in time (a hang fails the case instead of the suite) and
belongs to a class of bad input; the summary after the run counts the cases of each class."""

from __future__ import annotations

import collections
import signal
from pathlib import Path

import pytest

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
