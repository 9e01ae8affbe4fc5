"""Every benchmark in a smoke form (tiny sizes, a few districts, one draw): none can break unnoticed
(the app's on the app the browser tests serve: tests/app/test_app.py).
They assert what each benchmark computes, never how fast (the figures are for `make bench`)."""

from __future__ import annotations


import pytest

from conftest import BENCHMARKS, benchmark as bench


def test_every_benchmark_has_a_smoke_form_here():
    # app: in tests/app/test_app.py
    smoked = {"run", "explorer", "app", "batch", "import", "budget", "batch_dask", "national", "province"}
    assert {p.stem for p in BENCHMARKS.glob("*.py")} <= smoked


def test_run_engine_at_a_small_size():
    figures = bench("run").measure(2_000)
    assert figures["households"] > 1_000 and figures["persons"] > figures["households"] // 2
    assert figures["engine_s"] > 0 and figures["floor_s"] >= 0 and figures["households_per_s"] > 0


def test_budget_with_one_draw(capsys):
    assert bench("budget").main(["--draws", "1", "--repeat", "1"]) in (0, 1)  # 1: over the target, still ran
    out = capsys.readouterr().out
    assert "1 draws, baseline:" in out and "1 draws, baseline + dibao_plus5_july:" in out


def test_explorer_recompute_once(capsys):
    assert bench("explorer").main(["--repeat", "1"]) in (0, 1)
    assert "control change -> recompute: median" in capsys.readouterr().out


def test_national_templates_cover_the_year_and_a_small_nation_runs_without_a_cluster(capsys):
    national = bench("national")
    units, above = national.nation(4, 40e6 * 4 / 2800)
    assert "翔安区" in capsys.readouterr().err  # its parameters begin in 2022: not a 2020 template
    assert len({u.district.code for u in units}) == 4 and all(len(above[u.district.code]) == 2 for u in units)
    from civsim import province

    frame = province.run_district(units[0], national.YEAR)
    assert national.headline_persons(frame, national.anchor(units[0])) > 0


def test_the_national_numbers_are_those_recorded():
    """A change for speed moves no fen: the first districts of the nation pay what REFERENCE says
    (a rule or parameter changed on purpose records its new sum there)."""
    national = bench("national")
    count, recorded = national.REFERENCE
    units, _ = national.nation(2800, 40e6, first=count)
    whole, _ = national.nation(40, 40e6 * 40 / 2800)
    assert [u.district.code for u in units] == [u.district.code for u in national.nation(2800, 40e6)[0][:count]]
    assert national.total_fen(units) == recorded
    assert national.total_fen(whole[:1]) != national.total_fen(units[:1])  # the sizes follow the nation's


def test_national_district_years_in_process(capsys):
    bench("national").main(["--districts", "40", "--in-process", "2"])
    out = capsys.readouterr().out
    assert f"pay {bench('national').REFERENCE[1]:,} fen in 2020 (unchanged)" in out
    assert "2 district-years in this process:" in out and "ms fixed +" in out


def test_province_what_if_without_a_cluster():
    figures = bench("province").measure(3, workers=None)
    assert figures["districts"] == 3 and figures["scenarios"] == ["baseline", "dibao_plus5_july"]
    assert figures["scenario_yuan"] > figures["baseline_yuan"] > 0


@pytest.mark.slow
def test_national_on_the_cluster(capsys):
    bench("national").main(["--districts", "3", "--workers", "1", "--memory-limit", "2GB"])
    out = capsys.readouterr().out
    assert "3 districts (0 failed)" in out and "亿元" in out


@pytest.mark.slow
def test_province_on_the_cluster(capsys):
    bench("province").main(["--districts", "3", "--workers", "1"])
    assert "3 districts" in capsys.readouterr().out


@pytest.mark.slow
def test_import_a_few_households(capsys):
    bench("import").main(200)
    assert "| 200 |" in capsys.readouterr().out


@pytest.mark.slow
def test_batch_one_district(capsys):
    from civsim import report_jobs

    district = report_jobs.with_caseload()[0].district
    bench("batch").main(["--district", district, "--document", report_jobs.PLAN_NAME])
    assert "1 reports on" in (printed := capsys.readouterr().out) and "same outputs" in printed


@pytest.mark.slow
def test_batch_dask_one_report(capsys):
    from civsim import report_jobs

    bench("batch_dask").main(1, 1, report_jobs.PLAN_NAME)  # a plan: lighter than a city's summary
    assert "best of 1: process pool" in (printed := capsys.readouterr().out)
    assert printed.count(": 1 reports in") == 2
