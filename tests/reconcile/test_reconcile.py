"""The reconciliation: every row says whether its figure is an input (输入), was fitted to (校准) or
is an independent check (检验); only checks count in the accuracy line; a money figure the model
misses keeps its remainder as 未解释."""

import numpy as np
import pandas as pd
import pytest

from civsim import districts, programs, reconcile


@pytest.fixture(scope="module")
def dongxihu():
    return reconcile.reconcile("东西湖区", 2020)


def row(table, program, measure, value=None):
    rows = table[(table.program == program) & (table.measure == measure)]
    if value is not None:
        rows = rows[rows.reported == value]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_every_reported_figure_of_the_district_year_is_listed(dongxihu):
    from civsim import reported_figures

    assert len(dongxihu) == len(reported_figures.for_district("420112", 2020)) > 100
    assert list(dongxihu.columns) == reconcile.OUTPUT


def test_every_modelled_row_has_one_of_three_classes_and_a_chinese_reason(dongxihu):
    modelled = dongxihu[dongxihu.model.notna()]
    assert set(modelled["class"]) == {reconcile.INPUT, reconcile.CALIBRATED, reconcile.CHECK}
    assert (dongxihu.loc[dongxihu.model.isna(), "class"] == reconcile.NOT_MODELLED).all()
    assert set(dongxihu.reason_code) <= set(reconcile.REASONS)
    for reason, code in zip(dongxihu.reason, dongxihu.reason_code):
        assert reason.startswith(reconcile.REASONS[code])
        assert not any(word in reason for word in ("matches", "differs", "calibrat", "not modelled", "rests on"))


def test_standards_and_anchor_caseloads_are_inputs(dongxihu):
    r = row(dongxihu, "dibao", "standard_yuan_person_month", 830)
    assert r.model == 830 and r["class"] == reconcile.INPUT and "dibao.standard.urban" in r.reason
    for value in (221, 694):
        r = row(dongxihu, "dibao", "households", value)
        assert r.model == value and r.reason_code == "input_caseload"


def test_a_count_typed_from_the_figure_is_an_input_and_the_product_a_check(dongxihu):
    """344 persons were typed from the sentence; 344 × 500 = 172000 is then the model's own sum."""
    assert row(dongxihu, "disability_nursing_one_off", "persons", 344).reason_code == "input_typed"
    grant = row(dongxihu, "disability_nursing_one_off", "amount_yuan", 172000)
    assert grant.model == 172000 and grant["class"] == reconcile.CHECK


@pytest.mark.parametrize("program", ["temporary", "disability_nursing", "disability_living"])
def test_flows_whose_rate_was_derived_from_them_are_calibrated_not_checks(dongxihu, program):
    r = row(dongxihu, program, "amount_yuan")
    assert r["class"] == reconcile.CALIBRATED and abs(r.diff_pct) <= 5


def test_the_march_grant_to_dibao_recipients_is_a_held_out_check(dongxihu):
    """Nothing is set from the 1169 recipients or the 40.63万: the model pays whoever is on 低保 in
    March, so the two figures check the roll's turnover and areas."""
    for measure in ("persons", "amount_yuan"):
        assert row(dongxihu, "dibao_one_off", measure)["class"] == reconcile.CHECK


def test_a_money_miss_is_unexplained_not_absorbed(dongxihu):
    dibao = row(dongxihu, "dibao", "amount_yuan")
    assert dibao["class"] == reconcile.CHECK and dibao.diff_pct < -5
    assert dibao.unexplained_yuan == pytest.approx(dibao.reported - dibao.model)
    # the 特困 total is reached by the roll's fitted self-care mix (within 5%): calibrated, nothing left
    tekun = row(dongxihu, "tekun", "amount_yuan")
    assert tekun.reason_code == "calibrated" and np.isnan(tekun.unexplained_yuan)
    assert "tekun.none_share" in tekun.reason and "tekun.partial_share" in tekun.reason
    assert dongxihu.loc[dongxihu.reason_code.isin(["within", "matches", "calibrated"]), "unexplained_yuan"].isna().all()


def test_the_accuracy_line_counts_only_checks(dongxihu):
    checks = dongxihu[dongxihu["class"] == reconcile.CHECK]
    a = reconcile.accuracy(dongxihu)
    assert a["n"] == len(checks) > 0
    assert a["within"] == int((checks.diff_pct.abs() <= 5).sum()) < a["n"]
    assert a["median_abs_diff_pct"] == pytest.approx(checks.diff_pct.abs().median())
    line = reconcile.accuracy_line(dongxihu)
    assert f"检验项{a['n']}项" in line and "未解释金额" in line
    # fitted rows never count: turning every check into 校准 leaves no checks at all
    fitted = dongxihu.assign(**{"class": dongxihu["class"].replace(reconcile.CHECK, reconcile.CALIBRATED)})
    assert reconcile.accuracy(fitted)["n"] == 0 and "没有独立检验" in reconcile.accuracy_line(fitted)


def test_person_times_count_a_recipient_once_across_supplements():
    """A reported count over a family sums only the lines that own their recipients: a 低保
    recipient with a price subsidy or the one-off grant is one person-time."""
    summed, _ = reconcile.lines("dibao")
    counted = reconcile.counted_lines(summed)
    assert "dibao" in counted and len(counted) < len(summed)
    for line in set(summed) - set(counted):
        program = programs.LINE_PROGRAM[line]
        assert program.lines or program.family == "dibao"
    months = pd.period_range("2020-01", "2020-02", freq="M")
    results = pd.DataFrame(
        [
            {
                "scenario": "baseline",
                "month": m,
                "program": line,
                "area": "urban",
                "households": 10,
                "persons": 20,
                "person_times": 20,
                "amount_yuan": 100.0,
            }
            for m in months
            for line in summed
        ]
    )
    figure = pd.Series({"program": "dibao", "measure": "person_times", "period": "2020-01..2020-02", "area": "all"})
    model, _ = reconcile.model_figure(results, figure, None)
    assert model == 20 * 2 * len(counted)
    money = figure.copy()
    money["measure"] = "amount_yuan"
    assert reconcile.model_figure(results, money, None)[0] == 100.0 * 2 * len(summed)


def test_service_counts_are_listed_as_not_modelled(dongxihu):
    marriage = dongxihu[dongxihu.program == "marriage"]
    assert len(marriage) > 0 and marriage.model.isna().all()
    assert (marriage.reason_code == "not_modelled").all() and np.isnan(marriage.unexplained_yuan).all()


def test_dongli_total_names_the_lines_without_a_caseload():
    table = reconcile.reconcile("东丽区", 2020)
    total = row(table, "assistance_total", "amount_yuan")
    assert "医疗救助" in total.reason and "本地参数未列低保" in total.reason


def test_a_district_year_without_figures_says_so():
    empty = pd.DataFrame(columns=reconcile.OUTPUT)
    assert reconcile.accuracy_line(empty) == "本年度没有可对照的报告数。"


@pytest.mark.parametrize(
    "shipped", sorted((districts.ROOT / "docs" / "reconciliation").glob("*.csv")), ids=lambda p: p.stem
)
def test_the_shipped_reconciliations_are_what_the_model_gives_today(shipped, tmp_path):
    """docs/reconciliation/<code>-<year>.csv is regenerated by `civsim reconcile`, byte for byte."""
    from civsim.cli import main

    code, year = shipped.stem.split("-")
    out = tmp_path / "rec.csv"
    assert main(["reconcile", "--district", code, "--year", year, "--csv", str(out)]) == 0
    assert out.read_bytes() == shipped.read_bytes()


def test_last_year_without_the_same_months_is_not_compared():
    from civsim.report.summary import AnnualSummary

    table = AnnualSummary.compute("东丽区", 2020).program_table()
    # 2019 modelled only the funeral subsidy and half a year of the institutions' subsidy
    assert (table["同比"] == "上年无可比数据").sum() >= 5
    assert not table["同比"].str.contains(r"\+\d{3,}", regex=True).any()
