"""Policy is statute: no leaf a program reads as policy is fitted to a reported figure, and a figure
the rules cannot reach stays a visible miss instead of a plug."""
import pytest

from civsim import calibrate, params, programs, reconcile
from civsim.errors import CivsimError

POLICY = {path for program in programs.REGISTRY for path in program.params}


@pytest.mark.parametrize("district", ["东西湖区", "东丽区", "天津市"])
def test_no_policy_leaf_is_fitted_to_a_reported_figure(district):
    fitted = [path for path, leaf in params.load(district).leaves.items()
              if path in POLICY and any(entry.fitted_to for entry in leaf.entries)]
    assert fitted == []


def test_the_reported_dibao_total_is_beyond_the_gap_rule():
    """Even with every recipient at zero income (gap ratio 0.99) the 1—10月 低保金及补贴 of 1219.16万
    is not reached: the difference stays unexplained rather than fitted away."""
    with pytest.raises(CivsimError, match="no value in"):
        calibrate.fit("东西湖区", 2020, "dibao.gap_ratio.rural", "dibao amount_yuan 2020-01..2020-10", 0.01, 0.99)
    row = reconcile.reconcile("东西湖区", 2020).query("program == 'dibao' and measure == 'amount_yuan'").iloc[0]
    assert row.diff_pct < -5 and row.reason_code == "differs" and row.unexplained_yuan > 0
