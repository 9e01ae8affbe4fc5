"""Hostile names never write outside reports/ or params/scenarios/ and are escaped in HTML; a
failure in the middle of writing leaves the previous file intact."""

import os
from pathlib import Path

import nbformat
import pytest

from civsim import atomic, batch, batch_jobs, budget, districts, explorer, report_jobs
from civsim.report import display

HOSTILE = ["../../etc/evil", "a/b", "x\x00y", "<script>alert(1)</script>", "..", "/abs"]


@pytest.mark.case("names")
@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_district_name_stays_inside_the_reports_folder(monkeypatch, tmp_path, name):
    evil = districts.District("999999", name, "evil", None, "district")
    monkeypatch.setattr(districts, "find", lambda _: evil)
    out = tmp_path / "reports"
    for job in report_jobs.jobs([(name, 2020, 10)], out=out):
        resolved = job.output("pdf").resolve()
        assert resolved.is_relative_to(out.resolve()), resolved
        assert "\x00" not in str(resolved)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One explorer for the hostile names (building its roll is the slow part); each saves into a
    folder of its own."""
    return explorer.build("东西湖区", 2021, folder=tmp_path_factory.mktemp("scenarios"), debounce=None)


@pytest.mark.case("names")
@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_scenario_name_is_refused_by_the_explorer(app, tmp_path, name):
    app.folder = tmp_path / "scenarios"
    app.control("dibao.standard.urban").percent.value = 5
    app.recompute()
    app.name_box.value = name
    assert app.save() is None
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written == []


@pytest.mark.case("names")
def test_markdown_escapes_tags():
    assert "<script>" not in display.markdown_escape("<script>alert(1)</script>")


@pytest.mark.slow
@pytest.mark.case("names")
def test_a_hostile_value_travels_as_a_value_and_is_escaped_in_html(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('district = "东西湖区"')
    params.metadata["tags"] = ["parameters"]
    notebook.cells = [
        params,
        nbformat.v4.new_code_cell(
            "from civsim.report.display import markdown_escape, show\nshow('# ' + markdown_escape(district) + '民政局')"
        ),
    ]
    source = tmp_path / "hostile.ipynb"
    nbformat.write(notebook, source)
    value = '<script>alert(1)</script>"; import os; os.remove("x") #'
    outcome = batch.run(
        [batch_jobs.Job(source, tmp_path / "out", "hostile", {"district": value})], workers=1, progress=False
    )[0]
    assert outcome.ok, outcome.error
    html = outcome.outputs["html"].read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


class Boom(RuntimeError):
    pass


@pytest.mark.case("writes")
def test_atomic_write_failing_midway_keeps_the_previous_file(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("previous", encoding="utf-8")
    with pytest.raises(Boom):
        with atomic.atomic_path(target) as tmp:
            tmp.write_text("half of the new rep", encoding="utf-8")
            raise Boom
    assert target.read_text(encoding="utf-8") == "previous"
    assert os.listdir(tmp_path) == ["report.html"]


@pytest.mark.slow
@pytest.mark.case("writes")
def test_a_failing_report_run_keeps_the_previous_report(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("fail = False")
    params.metadata["tags"] = ["parameters"]
    notebook.cells = [
        params,
        nbformat.v4.new_markdown_cell("# 报告"),
        nbformat.v4.new_code_cell("assert not fail, 'injected failure'"),
    ]
    source = tmp_path / "nb.ipynb"
    nbformat.write(notebook, source)
    out = tmp_path / "out"
    first = batch.run([batch_jobs.Job(source, out, "report", {"fail": False})], workers=1, progress=False)[0]
    assert first.ok
    before = {kind: path.read_bytes() for kind, path in first.outputs.items()}
    second = batch.run([batch_jobs.Job(source, out, "report", {"fail": True})], workers=1, progress=False)[0]
    assert not second.ok and "injected failure" in second.error
    assert {kind: path.read_bytes() for kind, path in first.outputs.items()} == before


@pytest.mark.case("writes")
def test_a_failing_scenario_save_keeps_the_previous_file(tmp_path, monkeypatch):
    app = explorer.build("东西湖区", 2021, folder=tmp_path, debounce=None)
    app.control("dibao.standard.urban").percent.value = 5
    app.recompute()
    app.name_box.value = "kept"
    assert app.save() is not None
    before = (tmp_path / "kept.yaml").read_bytes()

    def half_then_fail(self, data, *args, **kwargs):
        Path.write_bytes(self, data.encode("utf-8")[:20] if isinstance(data, str) else data[:20])
        raise Boom

    monkeypatch.setattr(Path, "write_text", half_then_fail)
    app.control("dibao.standard.urban").percent.value = 9
    app.overwrite_box.value = True
    with pytest.raises(Boom):
        app.save()
    monkeypatch.undo()
    assert (tmp_path / "kept.yaml").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["kept.yaml"]


@pytest.mark.case("writes")
def test_a_failing_workbook_write_keeps_the_previous_workbook(tmp_path, monkeypatch):
    import openpyxl

    projection = budget.project("东西湖区", 2021, draws=3)
    path = tmp_path / "budget.xlsx"
    budget.to_xlsx(projection, path)
    before = path.read_bytes()

    def half_then_fail(self, target):
        if hasattr(target, "write"):
            target.write(before[:100])
        else:
            Path(target).write_bytes(before[:100])
        raise Boom

    monkeypatch.setattr(openpyxl.Workbook, "save", half_then_fail)
    with pytest.raises(Boom):
        budget.to_xlsx(projection, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["budget.xlsx"]


@pytest.mark.case("yaml")
def test_yaml_is_read_with_one_safe_yaml_1_2_loader():
    root = Path(__file__).resolve().parents[2] / "civsim"
    source = "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*.py"))
    assert "yaml.load(" not in source and "yaml.unsafe_load" not in source and "yaml.Loader" not in source
    assert "yaml.safe_load(" not in source  # PyYAML reads YAML 1.1 and keeps the last duplicate key
    assert 'typ="unsafe"' not in source and source.count('YAML(typ="safe"') == 1
    # the one round-trip editor rewrites the calibration files, on text the safe loader has accepted
    editors = [p.name for p in root.rglob("*.py") if 'YAML(typ="rt")' in p.read_text(encoding="utf-8")]
    assert editors == ["calibration_file.py"] and "read_text_checked(target)" in (
        root / "calibration_file.py"
    ).read_text(encoding="utf-8")
    assert "YAML()" not in source
