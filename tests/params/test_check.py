"""civsim check: each leaf's origin, what is missing, uncovered months, reported figures without a
program; and the worked example 翔安区, which loads and simulates 2023 from its own folder."""

import functools
import shutil

import pytest
from ruamel.yaml import YAML

from civsim import cli, district_new, engine, params, params_check, reconcile
from civsim.errors import CivsimError
from civsim.params import PARAMS


@pytest.fixture
def root(tmp_path):
    """A copy of the shipped params tree, to break on purpose."""
    shutil.copytree(PARAMS, tmp_path / "params")
    return tmp_path / "params"


def _origin(report, path):
    return report.leaves.set_index("path").loc[path, "origin"]


def test_origins_are_own_inherited_or_national():
    report = params_check.check("东西湖区", 2020)
    assert report.ok and not report.missing
    assert _origin(report, "dibao.standard.urban") == "本级"
    assert _origin(report, "dibao.gap_ratio.urban") == "继承自武汉市（420100）"
    assert _origin(report, "dibao.gap_ratio.rural") == "全国默认"
    assert _origin(report, "tekun.care.full") == "继承自武汉市（420100）"
    assert report.leaves.set_index("path").loc["dibao.standard.urban", "file"] == "params/420112-dongxihu/dibao.yaml"
    assert report.leaves.set_index("path").loc["dibao.standard.urban", "value"] == "780→830（4月起）"


def test_a_missing_required_leaf_fails_the_check(root, monkeypatch, capsys):
    (root / "420100-wuhan" / "tekun.yaml").unlink()  # 东西湖区 inherits its care standards from 武汉市
    report = params_check.check("东西湖区", 2020, root=root)
    assert not report.ok
    assert {f.path for f in report.missing} == {"tekun.care.full", "tekun.care.partial", "tekun.care.none"}
    assert all(f.program == "tekun" for f in report.missing)
    # the engine refuses the same folder, naming the first missing leaf
    with pytest.raises(CivsimError, match=r"tekun\.care\.(full|partial|none): missing"):
        engine.Simulation(params.load("420112", root), 2020)
    monkeypatch.setattr(params_check, "check", functools.partial(params_check.check, root=root))
    assert cli.main(["check", "--district", "东西湖区", "--year", "2020"]) == 1
    out = capsys.readouterr().out
    assert "二、缺少的必填参数（3项）" in out and "tekun.care.full" in out and "结论：不通过" in out


def test_an_unfilled_stub_is_listed_not_read_as_zero(root):
    (root / "420112-dongxihu" / "edge.yaml").write_text(district_new.stub_files()["edge"], encoding="utf-8")
    with pytest.raises(CivsimError, match="edge.amount: missing values"):
        params.load("420112", root)
    report = params_check.check("东西湖区", 2020, root=root)
    assert not report.ok and [f.path for f in report.missing] == ["edge.amount"]
    assert "存根未填写" in report.missing[0].note
    assert "dibao.standard.urban" in set(report.leaves["path"])  # the rest is still checked


def test_months_before_a_leaf_starts_are_flagged(root):
    file = root / "420100-wuhan" / "temporary.yaml"
    yaml = YAML(typ="safe", pure=True)
    tree = yaml.load(file.read_text(encoding="utf-8"))
    values = tree["approval_limit"]["values"]
    values["2020-04-01"] = values.pop(next(iter(values)))
    with open(file, "w", encoding="utf-8") as out:
        yaml.dump(tree, out)
    report = params_check.check("东西湖区", 2020, root=root)
    flagged = {f.path: f.note for f in report.uncovered}
    assert "2020年1—3月" in flagged["temporary.approval_limit"] and "中止" in flagged["temporary.approval_limit"]
    assert not report.ok and not report.missing  # the engine would stop in January
    assert not [p for p in flagged if p.startswith("caseload.dibao")]  # a roll's anchor target is not monthly


def test_reported_figures_without_a_program_or_a_caseload(tmp_path):
    folder = tmp_path / "reported"
    folder.mkdir()
    (folder / "x.csv").write_text(
        "jurisdiction,year,program,area,measure,period,value,source,quote\n"
        "350213,2023,funeral,all,amount_yuan,2023-01..2023-12,100000,某文件,发放丧葬补贴10万元\n"
        "350213,2023,marriage,all,cases,2023-01..2023-12,900,某文件,办理结婚登记900对\n"
        "350213,2023,tekun,all,persons,2023-12,316,某文件,全区共有特困人员316人\n",
        encoding="utf-8",
    )
    report = params_check.check("翔安区", 2023, reported_folder=folder)
    notes = {f.path: f.note for f in report.unmatched}
    assert set(notes) == {"funeral", "marriage"}
    assert "没有该项目的在册对象" in notes["funeral"] and "没有对应的模拟项目" in notes["marriage"]


def test_xiangan_checks_with_its_assumptions_named():
    report = params_check.check("翔安区", 2023)
    assert report.ok
    assert {"dibao", "tekun", "temporary"} <= set(report.active) and report.not_paid == ["price_subsidy"]
    assert "temporary.approval_limit" in {f.path for f in report.assumed}
    fitted = report.leaves.set_index("path").loc["temporary.multiple"]  # fitted to the reported money
    assert "temporary.multiple" not in {f.path for f in report.assumed} and fitted["origin"] == "本级"
    assert _origin(report, "dibao.standard.urban") == "继承自厦门市（350200）"
    assert report.leaves.set_index("path").loc["dibao.standard.urban", "value"] == "1005→1120（7月起）"


def test_xiangan_simulates_2023_with_its_caseload_exact_at_december():
    results = engine.simulate("翔安区", 2023)
    december = results[(results["month"].astype(str) == "2023-12") & (results["scenario"] == "baseline")]
    dibao = december[december["program"] == "dibao"]
    assert (dibao["households"].sum(), dibao["persons"].sum()) == (2357, 3702)
    assert december.loc[december["program"] == "tekun", "persons"].sum() == 316
    assert not results["program"].str.endswith("price_subsidy").any()  # no trigger declared for Xiamen
    temporary = results[results["program"] == "temporary"]
    assert temporary["person_times"].sum() == pytest.approx(1710, rel=1e-3)  # fitted cases per month


def test_xiangan_reconciles_its_fitted_flows_as_calibrated():
    """翔安区 reports one year of 低保, 特困 and 临时救助 money: the roll is fitted to all of it, so
    each is 校准 (within 5%), none is a check, and the accuracy line says there is none."""
    table = reconcile.reconcile("翔安区", 2023).set_index(["program", "measure"])
    assert table.loc[("dibao", "households"), "model"] == 2357
    money = table.loc[("temporary", "amount_yuan")]
    assert money["reported"] == 9196700 and "temporary.multiple" in money["reason"]
    assert money["class"] == reconcile.CALIBRATED and money["reason_code"] == "calibrated"
    assert not (table["class"] == reconcile.CHECK).any()
    assert reconcile.accuracy_line(table.reset_index()).startswith("检验项0项")
