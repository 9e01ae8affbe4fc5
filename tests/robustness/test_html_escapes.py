"""Text from a file or a form — a district's or a street's name, a scenario's title, a plan's or a
summary's title and points — reaches every HTML document escaped: hostile markup shows as text
in the reader's browser and never runs. Each document's parts are rendered through the report
page template directly (as the batch renders an executed notebook), without a kernel."""

import dataclasses
import shutil

import nbformat
import pytest
from IPython.core.formatters import DisplayFormatter

from civsim import params, scenarios
from civsim.report import documents, render

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
MARKUP = {"script": SCRIPT, "img onerror": IMG}
SKIP = {"district", "source", "file", "next_year", "quote", "date", "year"}


def hostile(obj, markup: str):
    """Every shown text field of a plan or summary (recursively) with the markup appended."""
    if isinstance(obj, tuple):
        return tuple(hostile(o, markup) for o in obj)
    if not dataclasses.is_dataclass(obj):
        return obj
    changes = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if f.name in SKIP:
            continue
        changes[f.name] = value + markup if isinstance(value, str) and value else hostile(value, markup)
    return dataclasses.replace(obj, **changes)


@pytest.fixture
def poisoned(monkeypatch, tmp_path):
    """Every loader of shown text returns the markup inside it."""
    folder = tmp_path / "scenarios"
    shutil.copytree(scenarios.SCENARIOS, folder, ignore=shutil.ignore_patterns("app"))
    (folder / "raise2020.yaml").write_text(
        "name: raise2020\ntitle: x\nchanges:\n  - {path: dibao.standard.urban, from: 2020-07-01, percent: 5}\n",
        encoding="utf-8",
    )

    def install(markup: str):
        load, scenario, plan, summary, next_plan = (
            params.load,
            scenarios.load,
            documents.plan,
            documents.summary,
            documents.next_plan,
        )

        def district_named(*args, **kwargs):
            found = load(*args, **kwargs)
            return dataclasses.replace(
                found, district=dataclasses.replace(found.district, name=found.district.name + markup)
            )

        monkeypatch.setattr(params, "load", district_named)
        monkeypatch.setattr(
            scenarios, "load", lambda name, *a, **k: dataclasses.replace(scenario(name, folder), title=markup)
        )
        monkeypatch.setattr(documents, "plan", lambda *a, **k: hostile(plan(*a, **k), markup))
        monkeypatch.setattr(documents, "summary", lambda *a, **k: hostile(summary(*a, **k), markup))
        monkeypatch.setattr(documents, "next_plan", lambda *a, **k: hostile(next_plan(*a, **k), markup))

    return install


def page(parts, tmp_path) -> str:
    """The HTML page of displayed parts, as the report template renders an executed notebook."""
    formatter = DisplayFormatter()
    notebook = nbformat.v4.new_notebook()
    flat = []
    for part in parts:
        flat.extend(part if isinstance(part, (list, tuple)) else [part])
    for part in flat:
        if part is None:
            continue
        if isinstance(part, str):
            from IPython.display import Markdown

            part = Markdown(part)
        data, metadata = formatter.format(part)
        cell = nbformat.v4.new_code_cell("")
        cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=metadata)]
        notebook.cells.append(cell)
    source = tmp_path / "doc.ipynb"
    nbformat.write(notebook, source)
    return render.to_html(source, tmp_path / "doc.html").read_text(encoding="utf-8")


def assert_escaped(html: str, markup: str):
    assert markup not in html, "markup reached the page unescaped"
    tag = markup.split()[0].split(">")[0]  # "<script" or "<img"
    assert tag not in html.replace("<script type=", "").replace("<script>\n", ""), tag
    assert "&lt;" + tag[1:] in html, "the markup's text is not shown"


@pytest.mark.case("escapes")
@pytest.mark.timeout(300)
@pytest.mark.parametrize("markup", MARKUP.values(), ids=MARKUP.keys())
def test_the_annual_summary_escapes_every_text(poisoned, tmp_path, markup):
    from civsim.report.summary import AnnualSummary

    poisoned(markup)
    report = AnnualSummary.compute("东西湖区", 2020, scenario="raise2020", as_of_month=10)
    report.results = report.results.assign(street="吴家山街道" + markup)
    html = page(
        [
            report.heading(),
            report.achievements(),
            report.data_heading(),
            report.program_table(),
            report.street_table(),
            report.plan_against_actual(),
            report.problems(),
            report.next_year(),
            report.closing(),
        ],
        tmp_path,
    )
    assert_escaped(html, markup)
    assert html.count("&lt;" + markup.split()[0][1:].split(">")[0]) >= 5  # title, opening, points, street, plan


@pytest.mark.case("escapes")
@pytest.mark.timeout(300)
@pytest.mark.parametrize("markup", MARKUP.values(), ids=MARKUP.keys())
def test_the_work_plan_escapes_every_text(poisoned, tmp_path, markup):
    from civsim.report.plan import NextYearPlan

    poisoned(markup)
    plan = NextYearPlan.compute("420112", 2021, ["dibao_plus5_july"])
    html = page(
        [plan.heading(), plan.tasks(), plan.budget_heading(), plan.scenario_note(), plan.budget(), plan.closing()],
        tmp_path,
    )
    assert_escaped(html, markup)
    title = html.split("<title>")[1].split("</title>")[0]
    assert "\\" not in title and "&lt;" in title  # the page title shows the text, escaped once


@pytest.mark.case("escapes")
@pytest.mark.timeout(300)
@pytest.mark.parametrize("markup", MARKUP.values(), ids=MARKUP.keys())
def test_the_budget_document_escapes_every_text(poisoned, tmp_path, markup):
    from civsim import budget
    from civsim.budget import workbook
    from civsim.report.display import Table

    poisoned(markup)
    projection = budget.project("东西湖区", 2021, ["dibao_plus5_july"], draws=3)
    sheets = workbook.sheets(projection)
    html = page(
        [
            Table(sheets["中期规划汇总"].round(2)),
            Table(sheets["方案对比"].round(2)),
            workbook.range_notes(sheets["分年度预测"]),
            sheets["假设与说明"],
            sheets["数据来源"],
        ],
        tmp_path,
    )
    assert_escaped(html, markup)


@pytest.mark.case("escapes")
@pytest.mark.parametrize("markup", MARKUP.values(), ids=MARKUP.keys())
def test_a_markdown_heading_with_markup_titles_the_page_escaped(tmp_path, markup):
    from civsim.report.display import markdown_escape

    html = page(["# " + markdown_escape("东西湖区" + markup) + "民政局"], tmp_path)
    assert_escaped(html, markup)
