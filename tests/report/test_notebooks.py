"""The report notebooks, executed the way `civsim report --all` runs them (civsim.report_jobs.main
→ civsim.batch → papermill → HTML → PDF and .docx), once per test session, then read as a reader would."""

import ast
import contextlib
import io
import re
from pathlib import Path

import docx
import nbformat
import pytest
from pypdf import PdfReader

from civsim import batch_jobs, budget, districts, params, provenance, report_jobs
from shipped import NAMES, SHIPPED, english_words, hex_free, html, output
from civsim.report import context, plan, word
from civsim.errors import CivsimError

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "civsim" / "notebooks"
DOCUMENTS = ("annual_summary", "next_year_plan")

# figures of the seeds that the model reproduces and the summary must say, per district
FIGURES = {
    "东西湖区": [
        "221户",
        "269人",
        "694户",
        "824人",
        "特困供养人员84人",
        "3005人",
        "2144人",
        "861人",
        "108人次",
        "3982户",
        "192.85万元",
    ],
    "东丽区": ["17609名老年人", "1105名老人", "362.24"],  # the reported money, beside the model's moving caseload
    "天津市": ["全市在册残疾人两补对象180000人", "128423人"],
    # the notice's caseloads are the roll's inputs at 2023-12 (its money is not fitted)
    "翔安区": ["2357户3702人", "特困供养人员316人", "集中供养54人", "分散供养262人", "1710人次", "3829.72"],
}
SUMMARY_HEADINGS = ["工作总结", "一、", "工作成效", "二、存在的问题", "三、", "工作计划", "附录"]
PLAN_HEADINGS = ["工作", "资金测算", "标准因素", "人数因素", "一次性及阶段性项目"]


SHIPPED_NAMES = [s.district for s in SHIPPED]


def pdf_text_and_fonts(path: Path) -> tuple[str, set[str]]:
    reader = PdfReader(path)
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return "\n".join(page.extract_text() for page in reader.pages), fonts


def test_every_district_with_a_caseload_is_rendered():
    assert [(s.district, s.year, s.as_of_month) for s in SHIPPED] == [
        ("天津市", 2020, 12),
        ("东丽区", 2020, 12),
        ("东西湖区", 2020, 10),
        ("翔安区", 2023, 12),
    ]
    assert "武汉市" not in SHIPPED_NAMES  # it holds no caseload of its own


@pytest.mark.slow
def test_main_renders_every_report_and_says_so(rendered):
    assert rendered["code"] == 0, rendered["printed"]
    assert f"完成 {3 * len(SHIPPED)} 份，失败 0 份" in rendered["printed"]
    for item in SHIPPED:
        for document in NAMES:
            for kind in ("ipynb", "html", "pdf", "docx"):
                path = output(rendered, item.district, document, kind)
                assert path.is_file() and path.stat().st_size > 0, path
        workbook = output(rendered, item.district, "budget_projection", "xlsx")
        assert workbook.is_file(), workbook


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED_NAMES)
def test_summary_html_has_the_headings_and_the_seed_figures(rendered, name):
    page = html(rendered, name, "annual_summary")
    item = next(s for s in SHIPPED if s.district == name)
    assert "<h1" in page and f"{name}民政局{item.year}年工作总结" in page
    for text in SUMMARY_HEADINGS + FIGURES[name]:
        assert text in page, text
    assert "data:image/png;base64," in page  # the charts are in the page
    assert "报告数" in page and "模型数" in page  # the reconciliation table


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED_NAMES)
@pytest.mark.parametrize("document", DOCUMENTS)
def test_pages_show_no_code_and_no_errors(rendered, name, document):
    page = html(rendered, name, document)
    for code in ("import civsim", "from civsim", "In [", "Out[", "show(", "Traceback", "Error"):
        assert code not in page, code


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED_NAMES)
def test_plan_html_has_its_tasks_or_says_none_are_kept_and_the_budget(rendered, name):
    page = html(rendered, name, "next_year_plan")
    item = next(s for s in SHIPPED if s.district == name)
    for text in PLAN_HEADINGS + [f"{item.year + 1}年"]:
        assert text in page, text
    expected = {
        "天津市": f"未收录天津市{item.year + 1}年工作任务清单",
        "东丽区": "完成时限：元旦春节前",  # the few deadlines seed 000 gives
        "东西湖区": "原文未列各项任务的责任科室和完成时限",  # seed 004's 工作思路 gives none
        "翔安区": f"未收录翔安区{item.year + 1}年工作任务清单",
    }
    assert expected[name] in page


@pytest.mark.slow
def test_plan_with_its_default_parameters_shows_sections_deadlines_and_targets(rendered):
    outcome = rendered["defaults"]
    assert outcome.ok, outcome.error
    page = outcome.outputs["html"].read_text(encoding="utf-8")
    for text in (
        "东丽区民政局2022年工作计划",
        "二、增强兜底保障能力",
        "责任科室：社救科",
        "完成时限：12月底",
        "完成时限：6月底前完成协议签署，下半年实施服务",
        "新建老年日照中心4个",
        "新增养老床位150张",
        "2022年主要救助和福利项目资金测算",
        "按基准方案测算，2022年",
    ):
        assert text in page, text


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED_NAMES)
def test_pdfs_hold_the_chinese_headings_in_a_cjk_font(rendered, name):
    text, fonts = pdf_text_and_fonts(output(rendered, name, "annual_summary", "pdf"))
    for heading in ("工作总结", "一、", "二、存在的问题", "附录"):
        assert heading in text, heading
    assert any("CJK" in font or "SC" in font for font in fonts), fonts
    text, fonts = pdf_text_and_fonts(output(rendered, name, "next_year_plan", "pdf"))
    assert "资金测算" in text and any("CJK" in font or "SC" in font for font in fonts)


# ---------------------------------------------------------------- the committed notebooks


@pytest.mark.parametrize(
    "document, defaults",
    [
        (
            "annual_summary",
            {
                "district": "东西湖区",
                "year": 2020,
                "scenario": "baseline",
                "as_of_month": 10,
                "from_districts": False,
                "roll": None,
                "context": None,
            },
        ),
        ("next_year_plan", {"district": "东丽区", "year": 2022, "scenarios": [], "context": None}),
        (
            "budget_projection",
            {
                "district": "东西湖区",
                "year": 2021,
                "years": 3,
                "scenarios": [],
                "draws": 200,
                "seed": 1,
                "xlsx": None,
                "context": None,
            },
        ),
    ],
)
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
    for cell in code[1:]:  # a report, not a program: calls and shows, no loops
        assert not any(
            isinstance(node, (ast.For, ast.While, ast.FunctionDef, ast.ClassDef))
            for node in ast.walk(ast.parse(cell.source))
        )
        assert len(cell.source.splitlines()) <= 4


def test_jobs_pass_exactly_the_notebooks_parameters_into_the_report_folders(tmp_path):
    jobs = report_jobs.jobs([("东西湖区", 2020, 10)], "dibao_plus5_july", tmp_path, layout="gongwen")
    assert [job.name for job in jobs] == ["工作总结", "工作计划", "预算测算"]
    assert [job.out_dir for job in jobs] == [tmp_path / "420112-东西湖区" / "2020"] + [
        tmp_path / "420112-东西湖区" / "2021"
    ] * 2
    assert all(job.layout == "gongwen" for job in jobs)
    assert jobs[0].parameters == {
        "district": "东西湖区",
        "year": 2020,
        "scenario": "baseline",
        "as_of_month": 10,
        "from_districts": False,
        "roll": None,
    }
    assert jobs[1].parameters == {"district": "东西湖区", "year": 2021, "scenarios": ["dibao_plus5_july"]}
    assert jobs[2].parameters == {
        "district": "东西湖区",
        "year": 2021,
        "scenarios": ["dibao_plus5_july"],
        "xlsx": str(tmp_path / "420112-东西湖区" / "2021" / "预算测算.xlsx"),
    }
    for job in jobs:
        book = nbformat.read(job.notebook, as_version=4)
        cell = next(c for c in book.cells if "parameters" in c.metadata.get("tags", []))
        declared = {node.targets[0].id for node in ast.parse(cell.source).body}
        # the summary and plan get every parameter but the context, which the batch passes once it
        # has computed it; the budget keeps its own draws, seed and window, the context's defaults
        assert set(job.parameters) == declared - {"context"} - (
            {"draws", "seed", "years"} if job.name == "预算测算" else set()
        )
        assert job.shared is jobs[0].shared and job.shared.parameter == "context"
    assert jobs[0].shared.name == "420112-2020" and jobs[0].shared.arguments == {
        "district": "420112",
        "year": 2020,
        "scenarios": ["dibao_plus5_july"],
        "from_districts": False,
        "roll": None,
        "parts": ["summary", "plan", "budget"],
    }
    defaults = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in ast.parse(
            next(c for c in nbformat.read(jobs[2].notebook, as_version=4).cells if c.cell_type == "code").source
        ).body
    }
    assert (defaults["draws"], defaults["seed"], defaults["years"]) == (context.DRAWS, 1, budget.YEARS)
    assert [job.shared for job in report_jobs.jobs([("东西湖区", 2020, 10)], shared=False)] == [None] * 3


def test_main_refuses_a_bad_request_before_running_anything(tmp_path):
    with pytest.raises(CivsimError, match="scenario not found"):
        report_jobs.main(out=tmp_path, scenario="no_such_scenario")
    with pytest.raises(CivsimError, match="--year"):
        report_jobs.main(district="东丽区", out=tmp_path)
    with pytest.raises(CivsimError, match="unknown district"):
        report_jobs.main(district="火星区", year=2020, out=tmp_path)
    with pytest.raises(CivsimError, match="unknown layout"):
        report_jobs.main(out=tmp_path, layout="a4")
    with pytest.raises(CivsimError, match="no jurisdiction has a caseload"):
        report_jobs.main(out=tmp_path, year=1990)
    assert list(tmp_path.iterdir()) == []


def test_as_of_month_comes_from_the_summary_date():
    assert [report_jobs.as_of_month(s.district, s.year) for s in SHIPPED] == [12, 12, 10, 12]
    assert report_jobs.as_of_month("420112", 2020) == 10  # dated 2020-10-21
    assert report_jobs.as_of_month("东丽区", 2020) == 12  # dated 2021-01-11: the whole year
    assert report_jobs.as_of_month("东丽区", 2019) == 12  # no summary kept: the whole year


def test_a_new_district_with_a_caseload_joins_the_batch(monkeypatch, tmp_path):
    """Nothing lists the districts: a folder with a caseload file is enough."""
    new = districts.District("420113", "汉南区", "hannan", "420100", "district")
    table = {**districts.load_districts(), new.code: new}
    monkeypatch.setattr(districts, "load_districts", lambda *a: table)
    root = tmp_path / "params"
    root.mkdir()
    for child in (ROOT / "params").iterdir():
        (root / child.name).symlink_to(child, target_is_directory=child.is_dir())
    (root / new.slug).mkdir()
    (root / new.slug / "caseload.yaml").write_text(
        "tekun:\n  centralized:\n    unit: persons\n    values:\n"
        "      2022-06-01: {value: 12, assumption: a test district}\n",
        encoding="utf-8",
    )
    found = report_jobs.with_caseload(root=root)
    assert ("汉南区", 2022, 12) in [(s.district, s.year, s.as_of_month) for s in found]
    assert [s.district for s in report_jobs.with_caseload(2021, root=root)] == ["天津市", "东丽区", "东西湖区"]


# ---------------------------------------------------------------- the plan's price and volume split


def test_the_plan_splits_its_budget_as_the_workbook_does():
    """The plan's three parts come from civsim.budget.decompose, folded into families, to the fen."""
    from civsim import budget

    parts = budget.decompose("东西湖区", 2021)
    split = plan.families(parts).set_index("family")
    assert (split[["standard", "people", "one_off"]].sum(axis=1) - split["change"]).abs().max() < 0.011
    assert split["amount1"].sum() == pytest.approx(parts["budget_yuan"].sum(), abs=0.01)
    dibao = parts[parts["program"].isin(["dibao", "dibao_price_subsidy", "dibao_one_off"])]
    assert split.loc["dibao", "one_off"] == pytest.approx(dibao["one_off_yuan"].sum(), abs=0.01)
    assert split.loc["dibao", "q0"] == parts.set_index("program").loc["dibao", "base_person_times"]
    # the 2020 one-off grant to severely disabled persons is a family of its own (its own reported line)
    own = parts.set_index("program")["one_off_yuan"]
    assert split.loc["disability_nursing", "one_off"] == pytest.approx(own["disability_nursing"], abs=0.01)
    assert split.loc["disability_nursing_one_off", "one_off"] == pytest.approx(-(344 * 500 + 1194 * 300), abs=0.01)


# ---------------------------------------------------------------- Word, Chinese throughout, provenance


def html_text(page: str) -> str:
    blocks = word.blocks(page)
    return "\n".join([b.text() for b in blocks] + [cell for b in blocks for row in b.rows for cell, _ in row])


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED_NAMES)
@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_word_of_the_reports_is_chinese(rendered, name, document):
    page = html_text(html(rendered, name, document))
    assert english_words(hex_free(page)) == set()
    assert english_words(hex_free(docx_text(output(rendered, name, document, "docx")))) == set()


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED_NAMES)
def test_every_word_of_the_budget_report_is_chinese(rendered, name):
    assert english_words(hex_free(html_text(html(rendered, name, "budget_projection")))) == set()


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED_NAMES)
@pytest.mark.parametrize("document", list(NAMES))
def test_no_source_file_names_and_a_colophon_on_every_output(rendered, name, document):
    page = html_text(html(rendered, name, document))
    assert not re.search(r"\d{3}_[0-9a-f]{16}|\.txt\b", page)
    expected = provenance.of(params.load(name)).line()
    line = next(text for text in page.splitlines() if text.startswith("生成信息："))
    assert line.split("生成日期")[0] == expected.split("生成日期")[0]
    assert line in docx_text(output(rendered, name, document, "docx"))


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED_NAMES)
@pytest.mark.parametrize("document", list(NAMES))
def test_docx_has_heading_styles_tables_and_pictures(rendered, name, document):
    document_ = docx.Document(str(output(rendered, name, document, "docx")))
    styles = {p.style.name for p in document_.paragraphs if p.text}
    assert "Title" in styles and "Heading 1" in styles
    assert document_.tables and document_.inline_shapes
    assert document_.core_properties.title


@pytest.mark.slow
def test_reconciliation_standards_say_urban_or_rural_and_reasons_are_chinese(rendered):
    blocks = word.blocks(html(rendered, "东西湖区", "annual_summary"))
    table = next(
        b.rows for b in blocks if b.kind == "table" and [c for c, _ in b.rows[0]][:3] == ["项目", "城乡", "指标"]
    )
    standards = [[c for c, _ in row] for row in table[1:] if row[2][0] == "月标准（元）"]
    assert {(row[0], row[1]) for row in standards} >= {("低保", "城市"), ("低保", "农村"), ("特困供养", "城市")}
    march = {row[1]: row[4] for row in standards if row[0] == "低保" and row[3] == "3月"}
    assert march == {"城市": "780", "农村": "635"}  # the two rows are told apart
    notes = html_text(html(rendered, "东西湖区", "annual_summary"))
    assert "差异超过5%：模型含低保差额救助金" in notes  # the 低保 check the rules do not reach
    assert "校准\n按报告数推算" in notes  # the flows the roll is fitted to


@pytest.mark.slow
def test_the_plan_lands_in_the_year_it_plans(rendered):
    plan_page = html(rendered, "东西湖区", "next_year_plan")
    assert output(rendered, "东西湖区", "next_year_plan", "html").parent.name == "2021"
    assert "2021年" in plan_page


@pytest.mark.slow
def test_the_gongwen_plan_has_a4_margins_and_dashed_page_numbers(rendered):
    outcome = rendered["defaults"]
    reader = PdfReader(outcome.outputs["pdf"])
    assert len(reader.pages) >= 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert "— 1 —" in reader.pages[0].extract_text() and "— 2 —" in reader.pages[1].extract_text()
    section = docx.Document(str(outcome.outputs["docx"])).sections[0]
    assert [
        round(m.mm) for m in (section.top_margin, section.right_margin, section.bottom_margin, section.left_margin)
    ] == [37, 26, 35, 28]


def test_main_runs_the_longest_reports_first_and_answers_in_job_order(tmp_path):
    """The budgets (the longest PDF) go to the workers first, then the summaries, then the plans;
    the table still lists the reports in the order of jobs()."""
    seen = []

    def runner(jobs, **options):
        seen.extend(jobs)
        return [batch_jobs.Outcome(job.label, job.notebook, {"ipynb": job.output("ipynb")}, ok=True) for job in jobs]

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert report_jobs.main(out=tmp_path, runner=runner, progress=False) == 0
    names = [job.name for job in seen]
    count = len(SHIPPED)
    assert (
        names
        == [report_jobs.BUDGET_NAME] * count + [report_jobs.SUMMARY_NAME] * count + [report_jobs.PLAN_NAME] * count
    )
    caseloads = [
        sum(path.startswith("caseload.") for path in params.load(job.parameters["district"]).leaves)
        for job in seen[:count]
    ]
    assert caseloads == sorted(caseloads, reverse=True) and caseloads[0] > caseloads[-1]
    planned = report_jobs.jobs([(s.district, s.year, s.as_of_month) for s in SHIPPED], out=tmp_path)
    labels = [line.split()[0:2] for line in printed.getvalue().splitlines()[1:-1]]
    assert labels == [job.label.split()[0:2] for job in planned]
