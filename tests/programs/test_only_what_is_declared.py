"""A district runs from what it declares: a 低保-only district needs no disability amounts, and the
临时救助 grant per case is the roll's unknown (a national starting value, fitted), not a leaf a
district must invent."""

import pytest

from civsim import engine, params, programs, schema


def _without(p, *prefixes):
    return p.with_leaves({k: v for k, v in p.leaves.items() if not k.startswith(prefixes)}, "baseline")


def test_a_dibao_only_district_runs_from_its_dibao_files():
    base = params.load("东西湖区")
    # 低保 alone: no disability subsidy, no 特困, children, supplements or 临时救助 declared
    only = _without(
        base,
        "disability.",
        "caseload.disability",
        "caseload.tekun",
        "caseload.children",
        "caseload.spring_festival",
        "temporary.cases",
        "tekun.standard",
        "tekun.care",
        "supplements.one_off.disability",
        "children.",
    )
    frame = engine.simulate("东西湖区", 2020, params=only)
    assert (
        set(frame["program"]) <= {"dibao", "dibao_price_subsidy", "dibao_one_off"}
        and (frame["program"] == "dibao").any()
    )
    # the same district with a disability subsidy declared has disabled 低保 members
    assert {"disability_living", "disability_nursing"} <= set(engine.simulate("东西湖区", 2020, params=base)["program"])


def test_the_grant_per_temporary_case_is_a_roll_unknown_with_a_national_start():
    param = programs.PROGRAMS["temporary"].params["temporary.multiple"]
    assert not param.required and param.prior is not None and "temporary.multiple" in programs.UNKNOWNS
    assert programs.PROGRAMS["temporary"].params["temporary.approval_limit"].required  # the street limit is policy
    assert "temporary.multiple" in params.national()
    assert all(
        path != "temporary.multiple"
        for path, _ in schema.missing(params.load("翔安区"), programs.PROGRAMS["temporary"])
    )


@pytest.mark.parametrize("district", ["东西湖区", "翔安区"])
def test_no_district_folder_declares_the_grant_per_case(district):
    p = params.load(district)
    assert "calibration" in p.leaf("temporary.multiple").file or "defaults" in p.leaf("temporary.multiple").file
