"""The two report notebooks, executed the way `civsim report --all` runs them (civsim.reports.main
→ civsim.batch → papermill → HTML → PDF), once per test session, then read as a reader would."""
import ast
import contextlib
import io
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from pypdf import PdfReader

from civsim import batch, districts, reports
from civsim.report import plan
from civsim.errors import CivsimError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
DOCUMENTS = ("annual_summary", "next_year_plan")

# figures of the seeds that the model reproduces and the summary must say, per district
FIGURES = {
    "东西湖区": ["221户", "269人", "694户", "824人", "特困供养人员84人", "3005人", "2144人", "861人", "108人次",
             "3982户", "192.85万元"],
    "东丽区": ["17609名老年人", "1105名老人", "362.24万元", "5800.00万元"],
    "天津市": ["全市在册残疾人两补对象180000人", "128423人"],
}
SUMMARY_HEADINGS = ["工作总结", "一、", "工作成效", "二、存在的问题", "三、", "工作计划", "附录"]
PLAN_HEADINGS = ["工作", "资金测算", "标准因素", "人次因素"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Every shipped report, rendered once by reports.main, plus the plan notebook with its defaults."""
    out = tmp_path_factory.mktemp("reports")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = reports.main(out=out)
    defaults = batch.run([batch.Job(NOTEBOOKS / "next_year_plan.ipynb", out / "defaults", "next_year_plan",
                                    label="defaults")], progress=False, kernel_name=reports.KERNEL)
    return {"out": out, "code": code, "printed": printed.getvalue(), "defaults": defaults[0]}


def folder(out: Path, name: str, year: int) -> Path:
    district = districts.find(name)
    return out / batch.safe_component(district.label) / str(year)


def html(rendered, name, document) -> str:
    item = next(s for s in reports.SHIPPED if s.district == name)
    return (folder(rendered["out"], name, item.year) / f"{document}.html").read_text(encoding="utf-8")


def pdf_text_and_fonts(path: Path) -> tuple[str, set[str]]:
    reader = PdfReader(path)
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return "\n".join(page.extract_text() for page in reader.pages), fonts


SHIPPED_NAMES = [s.district for s in reports.SHIPPED]


def test_main_renders_every_shipped_report_and_says_so(rendered):
    assert rendered["code"] == 0, rendered["printed"]
    assert "6 ok, 0 failed" in rendered["printed"]
    for item in reports.SHIPPED:
        for document in DOCUMENTS:
            for kind in ("ipynb", "html", "pdf"):
                path = folder(rendered["out"], item.district, item.year) / f"{document}.{kind}"
                assert path.is_file() and path.stat().st_size > 0, path


@pytest.mark.parametrize("name", SHIPPED_NAMES)
def test_summary_html_has_the_headings_and_the_seed_figures(rendered, name):
    page = html(rendered, name, "annual_summary")
    item = next(s for s in reports.SHIPPED if s.district == name)
    assert "<h1" in page and f"{name}民政局{item.year}年工作总结" in page
    for text in SUMMARY_HEADINGS + FIGURES[name]:
        assert text in page, text
    assert "data:image/png;base64," in page          # the charts are in the page
    assert "报告数" in page and "模型数" in page        # the reconciliation table


@pytest.mark.parametrize("name", SHIPPED_NAMES)
@pytest.mark.parametrize("document", DOCUMENTS)
def test_pages_show_no_code_and_no_errors(rendered, name, document):
    page = html(rendered, name, document)
    for code in ("import civsim", "from civsim", "In [", "Out[", "show(", "Traceback", "Error"):
        assert code not in page, code


@pytest.mark.parametrize("name", SHIPPED_NAMES)
def test_plan_html_has_its_tasks_or_says_none_are_kept_and_the_budget(rendered, name):
    page = html(rendered, name, "next_year_plan")
    item = next(s for s in reports.SHIPPED if s.district == name)
    for text in PLAN_HEADINGS + [f"{item.year + 1}年"]:
        assert text in page, text
    expected = {"天津市": f"未收录天津市{item.year + 1}年工作任务清单",
                "东丽区": "完成时限：元旦春节前",                    # the few deadlines seed 000 gives
                "东西湖区": "原文未列各项任务的责任科室和完成时限"}     # seed 004's 工作思路 gives none
    assert expected[name] in page


def test_plan_with_its_default_parameters_shows_sections_deadlines_and_targets(rendered):
    outcome = rendered["defaults"]
    assert outcome.ok, outcome.error
    page = outcome.outputs["html"].read_text(encoding="utf-8")
    for text in ("东丽区民政局2022年工作计划", "二、增强兜底保障能力", "责任科室：社救科", "完成时限：12月底",
                 "完成时限：6月底前完成协议签署，下半年实施服务", "新建老年日照中心4个", "新增养老床位150张",
                 "2022年主要救助和福利项目资金测算", "按基准方案测算，2022年"):
        assert text in page, text


@pytest.mark.parametrize("name", SHIPPED_NAMES)
def test_pdfs_hold_the_chinese_headings_in_a_cjk_font(rendered, name):
    item = next(s for s in reports.SHIPPED if s.district == name)
    base = folder(rendered["out"], name, item.year)
    text, fonts = pdf_text_and_fonts(base / "annual_summary.pdf")
    for heading in ("工作总结", "一、", "二、存在的问题", "附录"):
        assert heading in text, heading
    assert any("CJK" in font or "SC" in font for font in fonts), fonts
    text, fonts = pdf_text_and_fonts(base / "next_year_plan.pdf")
    assert "资金测算" in text and any("CJK" in font or "SC" in font for font in fonts)


# ---------------------------------------------------------------- the committed notebooks

@pytest.mark.parametrize("document, defaults", [
    ("annual_summary", {"district": "东西湖区", "year": 2020, "scenario": "baseline", "as_of_month": 10,
                        "from_districts": False}),
    ("next_year_plan", {"district": "东丽区", "year": 2022, "scenarios": []}),
])
def test_notebooks_are_committed_thin_and_without_outputs(document, defaults):
    book = nbformat.read(NOTEBOOKS / f"{document}.ipynb", as_version=4)
    nbformat.validate(book)
    assert book.metadata.kernelspec.name == "python3"
    code = [cell for cell in book.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    parameters = [cell for cell in code if "parameters" in cell.metadata.get("tags", [])]
    assert len(parameters) == 1 and parameters[0] is code[0]
    values = {node.targets[0].id: ast.literal_eval(node.value) for node in ast.parse(parameters[0].source).body}
    assert values == defaults
    for cell in code[1:]:                       # a report, not a program: calls and shows, no loops
        assert not any(isinstance(node, (ast.For, ast.While, ast.FunctionDef, ast.ClassDef))
                       for node in ast.walk(ast.parse(cell.source)))
        assert len(cell.source.splitlines()) <= 4


def test_jobs_pass_exactly_the_notebooks_parameters_into_the_report_folders(tmp_path):
    jobs = reports.jobs([("东西湖区", 2020, 10)], "dibao_plus5_july", tmp_path)
    assert [job.name for job in jobs] == list(DOCUMENTS)
    assert all(job.out_dir == tmp_path / "420112-东西湖区" / "2020" for job in jobs)
    assert jobs[0].parameters == {"district": "东西湖区", "year": 2020, "scenario": "baseline", "as_of_month": 10,
                                  "from_districts": False}
    assert jobs[1].parameters == {"district": "东西湖区", "year": 2021, "scenarios": ["dibao_plus5_july"]}
    for job in jobs:
        book = nbformat.read(job.notebook, as_version=4)
        cell = next(c for c in book.cells if "parameters" in c.metadata.get("tags", []))
        declared = {node.targets[0].id for node in ast.parse(cell.source).body}
        assert set(job.parameters) == declared


def test_main_refuses_a_bad_request_before_running_anything(tmp_path):
    with pytest.raises(CivsimError, match="scenario not found"):
        reports.main(out=tmp_path, scenario="no_such_scenario")
    with pytest.raises(CivsimError, match="--year"):
        reports.main(district="东丽区", out=tmp_path)
    with pytest.raises(CivsimError, match="unknown district"):
        reports.main(district="火星区", year=2020, out=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_as_of_month_of_shipped_and_other_district_years():
    assert [reports.as_of_month(s.district, s.year) for s in reports.SHIPPED] == [12, 10, 12]
    assert reports.as_of_month("420112", 2020) == 10
    assert reports.as_of_month("东丽区", 2019) == 12          # no summary kept: the whole year


# ---------------------------------------------------------------- the plan's price and volume split

def frame(rows, year=2021):
    """rows: (program, person_times, amount_yuan), one month each."""
    return pd.DataFrame([{"jurisdiction": "120110", "scenario": "baseline", "month": pd.Period(f"{year}-01", "M"),
                          "program": p, "area": "urban", "households": 0.0, "persons": q, "person_times": q,
                          "amount_yuan": a} for p, q, a in rows])


def test_price_and_volume_add_up_to_the_change_per_program():
    before = frame([("dibao", 1000, 800_000.0), ("dibao_price_subsidy", 1000, 20_000.0), ("funeral", 90, 270_000.0),
                    ("care_institution", 0, 166_200.0), ("spring_festival", 3982, 1_928_500.0)], 2021)
    after = frame([("dibao", 1100, 924_000.0), ("dibao_price_subsidy", 1100, 0.0), ("funeral", 90, 297_000.0),
                   ("care_institution", 0, 200_000.0), ("temporary", 108, 283_600.0)], 2022)
    split = plan.price_volume(before, after).set_index("family")
    assert list(split.index) == ["dibao", "temporary", "care_institution", "funeral", "spring_festival"]
    assert (split["price"] + split["volume"] - (split["amount1"] - split["amount0"])).abs().max() < 0.011
    dibao = split.loc["dibao"]                        # the family: supplements in the money, not the count
    assert (dibao.q0, dibao.q1, dibao.amount0, dibao.amount1) == (1000, 1100, 820_000.0, 924_000.0)
    p0, p1 = 820.0, 840.0
    assert dibao.volume == pytest.approx((p0 + p1) / 2 * 100, abs=0.01)
    assert dibao.price == pytest.approx((p1 - p0) * 1050, abs=0.01)
    assert split.loc["funeral", "volume"] == 0 and split.loc["funeral", "price"] == pytest.approx(27_000.0)
    assert split.loc["care_institution", "price"] == pytest.approx(33_800.0)     # no count: all price
    assert split.loc["temporary", "volume"] == pytest.approx(283_600.0)           # starts: all volume
    assert split.loc["spring_festival", "volume"] == pytest.approx(-1_928_500.0)  # stops: all volume
