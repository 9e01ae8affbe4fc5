"""Every calibrated parameter still reproduces the figure it was fitted to."""
import pytest

from civsim import calibrate, params, reconcile

FITTED = [(district, path, entry) for district in ("东西湖区", "东丽区", "天津市")
          for path, leaf in params.load(district).leaves.items() for entry in leaf.entries if entry.fitted_to]


def test_there_are_fitted_parameters():
    assert FITTED


@pytest.mark.parametrize("district, path, entry", FITTED, ids=[f"{d}-{p}" for d, p, _ in FITTED])
def test_refitting_gives_the_shipped_value(district, path, entry):
    year = int(entry.fitted_to.split()[2][:4])
    value = calibrate.fit(district, year, path, entry.fitted_to, 0, 10 * max(entry.value, 100))
    assert value == pytest.approx(entry.value, abs=0.05)


def test_reconciliation_says_the_figure_was_fitted():
    table = reconcile.reconcile("东西湖区", 2020)
    row = table[(table.program == "dibao") & (table.measure == "amount_yuan")].iloc[0]
    assert row.reason.startswith("calibrated: dibao.increment.rural was fitted to this figure")
    assert abs(row.diff_pct) < 0.1
