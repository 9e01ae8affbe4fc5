"""Jurisdiction runs on Dask: a 2-worker LocalCluster gives what running the districts one by one
gives, roll-ups add up to the fen, a failing district fails alone, outputs are this run's only."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from civsim import batch_dask, batch_jobs, cli, cluster, districts, engine, params, province, report_jobs, scenarios
from civsim.errors import CivsimError
from civsim.report.summary import AnnualSummary

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
YEAR = 2020


@pytest.fixture(scope="module")
def client():
    with cluster.connect(workers=2, memory_limit="1GB") as c:
        yield c


def _synthetic(template: str, code: str, name: str, parent: str, percent: float):
    """A small made-up district: a shipped district's parameters with its caseloads scaled."""
    base = params.load(template)
    shrink = scenarios.parse(
        {"name": "shrink", "changes": [{"path": "caseload", "from": "2000-01-01", "percent": percent}]}
    )
    scaled = scenarios.apply(base, shrink)
    return replace(
        scaled.with_leaves(scaled.leaves, "baseline"),
        district=districts.District(code, name, "ceshi", parent, "district"),
    )


@pytest.fixture(scope="module")
def units():
    """Four test districts: three under 武汉市 (from 东西湖区), one under 天津市 (from 东丽区)."""
    return [
        _synthetic("东西湖区", "420191", "测试甲区", "420100", -50),
        _synthetic("东西湖区", "420192", "测试乙区", "420100", -80),
        _synthetic("东西湖区", "420193", "测试丙区", "420100", 20),
        _synthetic("东丽区", "120191", "测试丁区", "120000", -70),
    ]


@pytest.fixture(scope="module")
def result(client, units):
    return province.run(units, YEAR, client=client, progress=False)


def _fen(values) -> np.ndarray:
    return np.rint(np.asarray(values, float) * 100).astype(np.int64)


@pytest.mark.slow
def test_cluster_results_equal_one_by_one(result, units):
    assert result.ok and list(result.frames) == sorted(u.district.code for u in units)
    for unit in units:
        alone = engine.simulate(unit.district.code, YEAR, params=unit)
        pd.testing.assert_frame_equal(result.frames[unit.district.code], alone)
        assert alone["amount_yuan"].sum() > 0


@pytest.mark.slow
def test_sum_of_districts_is_the_city_to_the_fen(result):
    table = province.roll_up(result.frames, result.districts)
    assert set(zip(table["level"], table["jurisdiction"])) == {
        ("city", "420100"),
        ("province", "420000"),
        ("province", "120000"),
    }
    written = pd.concat([province.written(f) for f in result.frames.values()], ignore_index=True)
    wuhan = written[written["jurisdiction"].isin(["420191", "420192", "420193"])]
    for code, parts in (("420100", wuhan), ("420000", wuhan), ("120000", written[written["jurisdiction"] == "120191"])):
        rolled = table[table["jurisdiction"] == code]
        for measure in engine.MEASURES:
            assert _fen(rolled[measure]).sum() == _fen(parts[measure]).sum()
        # and per month × program × area, not only in total
        per_key = parts.assign(fen=_fen(parts["amount_yuan"])).groupby(province.KEYS)["fen"].sum()
        assert (
            rolled.assign(fen=_fen(rolled["amount_yuan"]))
            .set_index(province.KEYS)["fen"]
            .reindex(per_key.index)
            .to_numpy()
            == per_key.to_numpy()
        ).all()
    assert table.loc[table["jurisdiction"] == "420100", "amount_yuan"].sum() > 0


@pytest.mark.slow
def test_a_failing_district_fails_alone_with_its_cause(client, units):
    # 测试丁区 (from 东丽区) has no 低保 caseload, so a scenario on it cannot apply there
    chosen = scenarios.parse(
        {"name": "more_dibao", "changes": [{"path": "caseload.dibao", "from": "2020-01-01", "percent": 10}]}
    )
    run = province.run(units, YEAR, scenarios=[chosen], client=client, progress=False)
    assert list(run.failures) == ["120191"]
    assert "caseload.dibao" in run.failures["120191"] and "no parameter" in run.failures["120191"]
    assert sorted(run.frames) == ["420191", "420192", "420193"]
    assert set(run.frames["420191"]["scenario"]) == {"baseline", "more_dibao"}
    cover = province.coverage(run).set_index("jurisdiction")
    assert cover.loc["120000", "failed"] == "120191" and cover.loc["120000", "summed"] == 0
    assert cover.loc["420100", "summed"] == 3
    # a jurisdiction missing a district gets no roll-up rather than a short one
    assert set(province.complete_roll_up(run)["jurisdiction"]) == {"420100", "420000"}


def test_districts_under_a_jurisdiction():
    assert [d.code for d in province.districts_under("湖北省", "province")] == ["420112"]
    assert [d.code for d in province.districts_under("420100", "city")] == ["420112"]
    assert [d.code for d in province.districts_under()] == ["120110", "350213", "420112"]
    assert [d.code for d in province.districts_under("厦门市", "city")] == ["350213"]
    with pytest.raises(CivsimError, match="is a city, not a province"):
        province.districts_under("武汉市", "province")
    with pytest.raises(CivsimError, match="city"):
        province.run_district("武汉市", YEAR)


@pytest.mark.slow
def test_cli_writes_partitions_and_roll_ups_and_only_this_run(client, tmp_path, capsys):
    out = tmp_path / "run"
    address = client.scheduler.address
    # 翔安区's parameters begin in 2022: it fails by name, the others run and roll up
    assert cli.main(["simulate", "--all", "--year", "2020", "--out", str(out), "--scheduler", address]) == 1
    err = capsys.readouterr().err
    assert "3 个区县中 2 个算完" in err and "失败 350213 翔安区" in err and "every count is for a later year" in err
    assert sorted(p.name for p in (out / "districts").iterdir()) == ["district=120110", "district=420112"]
    parts = pd.read_parquet(out / "districts")
    for code in ("120110", "420112"):
        mine = parts[parts["district"].astype(str) == code].drop(columns="district").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, province.written(engine.simulate(code, YEAR)), check_dtype=False)
    cities, provinces = pd.read_parquet(out / "city.parquet"), pd.read_parquet(out / "province.parquet")
    assert set(cities["jurisdiction"]) == {"420100"} and set(provinces["jurisdiction"]) == {"420000", "120000"}
    tianjin = parts[parts["jurisdiction"] == "120110"]
    assert (
        _fen(provinces.loc[provinces["jurisdiction"] == "120000", "amount_yuan"]).sum()
        == _fen(tianjin["amount_yuan"]).sum()
    )
    cover = pd.read_csv(out / "coverage.csv", dtype=str).set_index("jurisdiction")
    assert cover.loc[["120000", "420100", "420000"], "summed"].tolist() == ["1", "1", "1"]
    assert cover.loc[["350200", "350000"], "summed"].tolist() == ["0", "0"]  # no short roll-up for Fujian
    assert pd.read_csv(out / "failures.csv", dtype=str)["district"].tolist() == ["350213"]
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [province.MARKER]  # no staging left
    # a second run into the same folder leaves nothing of the first behind
    assert cli.main(["simulate", "--city", "武汉市", "--year", "2020", "--out", str(out), "--scheduler", address]) == 0
    assert sorted(p.name for p in (out / "districts").iterdir()) == ["district=420112"]
    assert set(pd.read_parquet(out / "province.parquet")["jurisdiction"]) == {"420000"}


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--province", "武汉市", "--out", "x"], "not a province"),
        (["--city", "武汉市"], "--out: missing"),
        (["--city", "武汉市", "--all", "--out", "x"], "exactly one"),
        (["--all", "--out", "x", "--csv", "y.csv"], "--csv: not with --all"),
        (["--all", "--out", "x", "--memory-limit", "lots"], "is not a memory size"),
        (["--all", "--out", "x", "--scheduler", "tcp://127.0.0.1:1", "--workers", "2"], "either an existing cluster"),
    ],
)
def test_cli_refuses_bad_jurisdiction_runs(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["simulate", "--year", "2020", *argv]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.slow
def test_local_cluster_is_sized_to_the_machine():
    import os

    with cluster.connect() as c:
        workers = c.scheduler_info()["workers"].values()
        assert len(workers) == (os.cpu_count() or 1)
        assert all(w["nthreads"] == 1 for w in workers)
        assert {w["memory_limit"] for w in workers} == {cluster.total_memory() // len(workers)}


def test_tianjin_from_its_districts():
    rolled = province.simulate("天津市", YEAR)
    alone = engine.simulate("东丽区", YEAR)
    assert set(rolled["jurisdiction"]) == {"120000"}
    assert _fen(rolled["amount_yuan"]).sum() == _fen(alone["amount_yuan"]).sum()
    summary = AnnualSummary.compute("天津市", YEAR, from_districts=True)
    own = AnnualSummary.compute("天津市", YEAR)
    assert _fen(summary.flows["amount_yuan"]).sum() == _fen(alone["amount_yuan"]).sum()
    assert set(summary.results["program"]) == set(alone["program"]) != set(own.results["program"])
    assert "东丽区" in summary.heading() and "不是天津市全域" in summary.heading()
    assert "东丽区" not in own.heading()


@pytest.mark.slow
def test_report_batch_on_dask_renders_tianjin_from_its_districts_and_isolates_failures(client, tmp_path):
    out = tmp_path / "reports"
    summary = report_jobs.jobs([("天津市", YEAR, 12)], out=out, from_districts=True)[0]
    jobs = [summary, batch_jobs.Job(FIXTURES / "raises.ipynb", out, "raises", {"rows": 3}, "raises")]
    outcomes = batch_dask.run(jobs, client=client, timeout=120, progress=False, kernel_name=report_jobs.KERNEL)
    assert [o.label for o in outcomes] == ["天津市 2020年工作总结", "raises"] and [o.ok for o in outcomes] == [
        True,
        False,
    ]
    assert summary.output("pdf").read_bytes().startswith(b"%PDF")
    page = summary.output("html").read_text(encoding="utf-8")
    assert "天津市民政局2020年工作总结" in page and "所辖区县（东丽区）模型数据之和" in page
    assert outcomes[1].error == "ValueError: 坏数据: 6 rows" and outcomes[1].cell == 2
    assert not (out / "raises.html").exists()


@pytest.mark.slow
def test_any_callable_fans_out_in_order_with_failures_isolated(client):
    done = cluster.map_ordered(client, divmod, [(7, 2), (1, 0), (9, 4)])
    assert [d.result for d in done] == [(3, 1), None, (2, 1)]
    assert [d.ok for d in done] == [True, False, True] and done[1].error.startswith("ZeroDivisionError")
