"""Batch rendering: failures stay with their own notebook, outputs are whole, parameters are values."""

import json
from pathlib import Path

import nbformat
import pytest

from civsim import batch, batch_jobs, batch_kernels
from civsim.errors import CivsimError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TRICKY = (
    "他说 \"你好\" and 'bye'\nsecond line\twith tab\r\n"
    "not a newline: \\n, triple \"\"\" and ''', braces {district} %s, end\\"
)
TIMEOUT = 4  # seconds per cell


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports") / "420112-东西湖区 {2021}"
    out.mkdir()
    for kind in ("ipynb", "html", "pdf"):  # a previous good report of the notebook that now fails
        (out / f"raises.{kind}").write_text(f"previous {kind}", encoding="utf-8")
    jobs = [
        batch_jobs.Job(FIXTURES / "params.ipynb", out, "good-a", {"text": "东西湖区", "number": 1}, "东西湖区"),
        batch_jobs.Job(FIXTURES / "params.ipynb", out, "good-b", {"text": TRICKY, "number": 2.5}, "tricky"),
        batch_jobs.Job(FIXTURES / "raises.ipynb", out, "raises", {"rows": 3}, "raises"),
        batch_jobs.Job(FIXTURES / "sleeps.ipynb", out, "sleeps", {"seconds": 60}, "sleeps"),
        batch_jobs.Job(FIXTURES / "dies.ipynb", out, "dies", {}, "dies"),
        batch_jobs.Job(FIXTURES / "params.ipynb", out, "typo", {"txet": "东丽区"}, "typo"),
    ]
    outcomes = batch.run(jobs, workers=2, timeout=TIMEOUT, progress=False)
    return out, {o.label: o for o in outcomes}, outcomes


@pytest.mark.slow
def test_outcomes_come_back_in_job_order(batch_run):
    _, _, outcomes = batch_run
    assert [o.label for o in outcomes] == ["东西湖区", "tricky", "raises", "sleeps", "dies", "typo"]
    assert [o.ok for o in outcomes] == [True, True, False, False, False, False]
    assert all(o.seconds > 0 for o in outcomes)


@pytest.mark.slow
def test_good_notebooks_write_four_outputs(batch_run):
    out, by_label, _ = batch_run
    for label, name in (("东西湖区", "good-a"), ("tricky", "good-b")):
        outcome = by_label[label]
        assert outcome.outputs == {kind: out / f"{name}.{kind}" for kind in ("ipynb", "html", "pdf", "docx")}
        assert outcome.error == "" and outcome.cell is None
        assert (out / f"{name}.pdf").read_bytes().startswith(b"%PDF")
        assert '<html lang="zh-CN">' in (out / f"{name}.html").read_text(encoding="utf-8")
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging left behind


@pytest.mark.slow
def test_a_raising_notebook_reports_cell_and_error(batch_run):
    out, by_label, _ = batch_run
    outcome = by_label["raises"]
    assert outcome.cell == 2  # 0-based in the source notebook, papermill's injected cell not counted
    assert outcome.error == "ValueError: 坏数据: 6 rows"
    assert "Traceback" in outcome.detail or "ValueError" in outcome.detail
    assert outcome.outputs == {}
    for kind in ("ipynb", "html", "pdf"):  # the previous good report is untouched
        assert (out / f"raises.{kind}").read_text(encoding="utf-8") == f"previous {kind}"
    assert outcome.failed_notebook == out / "raises.failed.ipynb"
    assert nbformat.read(outcome.failed_notebook, as_version=4).cells


@pytest.mark.slow
def test_a_hanging_cell_is_a_timeout(batch_run):
    out, by_label, _ = batch_run
    outcome = by_label["sleeps"]
    assert outcome.error == "timeout"
    assert outcome.cell == 1
    assert outcome.seconds < 40
    assert not (out / "sleeps.html").exists()


@pytest.mark.slow
def test_a_dead_kernel_is_reported(batch_run):
    out, by_label, _ = batch_run
    outcome = by_label["dies"]
    assert outcome.error == "kernel died"
    assert outcome.cell == 1
    assert not (out / "dies.pdf").exists()


@pytest.mark.slow
def test_parameters_arrive_as_values(batch_run):
    out, _, _ = batch_run
    for name, expected in (("good-a", {"text": "东西湖区", "number": 1}), ("good-b", {"text": TRICKY, "number": 2.5})):
        cells = nbformat.read(out / f"{name}.ipynb", as_version=4).cells
        printed = [o.text for c in cells if c.cell_type == "code" for o in c.outputs if o.output_type == "stream"]
        assert json.loads(printed[-1]) == expected


@pytest.mark.slow
def test_a_misspelt_parameter_fails_instead_of_using_the_default(batch_run):
    out, by_label, _ = batch_run
    outcome = by_label["typo"]
    assert not outcome.ok and outcome.cell is None
    assert "unknown parameter(s) txet" in outcome.error and "number, text" in outcome.error
    assert not list(out.glob("typo*"))


@pytest.mark.slow
def test_summary(batch_run):
    text = batch.summary(batch_run[2])
    assert "东西湖区" in text and "tricky" in text
    assert "单元格 2：ValueError: 坏数据: 6 rows" in text
    assert "超时" in text and "内核退出" in text and "timeout" not in text
    assert text.splitlines()[-1].startswith("完成 2 份，失败 4 份")


@pytest.mark.parametrize(
    "text, safe",
    [
        ("420112-东西湖区", "420112-东西湖区"),
        ("东西湖区 2021/计划", "东西湖区 2021_计划"),
        ("../etc/passwd", "_etc_passwd"),
        ("a\x00b", "a_b"),
        ('报告:"草稿"?', "报告__草稿__"),
        ("  东丽区. ", "东丽区"),
        ("CON", "_CON"),
    ],
)
def test_safe_component(text, safe):
    assert batch_jobs.safe_component(text) == safe


def test_safe_component_limits_length_and_refuses_nothing():
    assert len(batch_jobs.safe_component("区" * 200).encode("utf-8")) <= 120
    for bad in ("..", ".", "", "  "):
        with pytest.raises(CivsimError):
            batch_jobs.safe_component(bad)


@pytest.mark.parametrize(
    "name, parameters",
    [
        ("a/b", {}),
        ("..", {}),
        ("ok", {"x; import os": 1}),
        ("ok", {"class": 1}),
        ("ok", {"path": Path("/tmp")}),
        ("ok", {"pair": (1, 2)}),
        ("ok", {"table": {1: "a"}}),
    ],
)
def test_bad_jobs_are_refused(name, parameters, tmp_path):
    with pytest.raises(CivsimError):
        batch_jobs.Job(FIXTURES / "params.ipynb", tmp_path, name, parameters, "bad")


def test_two_jobs_may_not_write_the_same_report(tmp_path):
    job = batch_jobs.Job(FIXTURES / "params.ipynb", tmp_path, "same", {}, "one")
    with pytest.raises(CivsimError, match="earlier job"):
        batch.run([job, batch_jobs.Job(FIXTURES / "params.ipynb", tmp_path, "same", {}, "two")], progress=False)
    assert batch.run([], progress=False) == []


@pytest.mark.slow
def test_one_kernel_per_worker_with_nothing_left_from_the_last_notebook(tmp_path):
    """The worker reuses its kernel, but a notebook never sees the names of the one before."""
    jobs = [
        batch_jobs.Job(FIXTURES / "params.ipynb", tmp_path, "first", {"text": "东丽区", "number": 3}),
        batch_jobs.Job(FIXTURES / "fresh.ipynb", tmp_path, "second", {"name": "text"}),
        batch_jobs.Job(FIXTURES / "fresh.ipynb", tmp_path, "third", {"name": "number"}),
    ]
    outcomes = batch.run(jobs, workers=1, progress=False)
    assert all(o.ok for o in outcomes), batch.summary(outcomes)
    printed = []
    for name in ("second", "third"):
        cells = nbformat.read(tmp_path / f"{name}.ipynb", as_version=4).cells
        printed.append(
            json.loads(
                [o.text for c in cells if c.cell_type == "code" for o in c.outputs if o.output_type == "stream"][-1]
            )
        )
        assert all("civsim-reset" not in c.metadata.get("tags", []) for c in cells)
    assert [p["leftover"] for p in printed] == [False, False]
    assert all(Path(p["cwd"]) == FIXTURES.resolve() for p in printed)
    assert printed[0]["pid"] == printed[1]["pid"]  # the same kernel ran both
    for name in ("first", "second", "third"):  # counted from 1 each time, as a new kernel would
        cells = [c for c in nbformat.read(tmp_path / f"{name}.ipynb", as_version=4).cells if c.cell_type == "code"]
        assert [c.execution_count for c in cells] == list(range(1, len(cells) + 1))
        # the notebook's own line only: no complaint of IPython's history about reused line numbers
        assert len([o for c in cells for o in c.outputs if o.output_type == "stream"]) == 1


@pytest.mark.slow
def test_the_executed_notebook_is_the_one_papermill_writes_by_default(tmp_path, monkeypatch):
    """The batch's engine writes the executed notebook once, at the end, not before and after every
    cell: the file has the same cells, outputs and per-cell status as papermill's own engine gives."""
    import importlib

    import papermill

    writes = []
    for name in ("papermill.engines", "papermill.execute"):
        module = importlib.import_module(name)
        monkeypatch.setattr(
            module, "write_ipynb", lambda nb, path, write=module.write_ipynb: (writes.append(path), write(nb, path))
        )

    def executed(engine_name, name):
        writes.clear()
        target = tmp_path / f"{name}.ipynb"
        papermill.execute_notebook(
            str(FIXTURES / "params.ipynb"),
            str(target),
            parameters={"text": "东丽区"},
            kernel_name="python3",
            progress_bar=False,
            engine_name=engine_name,
        )
        book = nbformat.read(target, as_version=4)
        return len(writes), [
            (
                c.cell_type,
                c.source,
                c.get("outputs"),
                c.metadata.get("tags"),
                c.metadata["papermill"]["status"],
                c.metadata["papermill"]["exception"],
            )
            for c in book.cells
        ]

    default_writes, default = executed(None, "default")
    final_writes, final = executed(batch_kernels.engine(), "final")
    assert final == default and "东丽区" in str(final)
    assert default_writes > 2 * len(default) and final_writes == 2  # the manager's last write and papermill's


def test_prepare_starts_the_fork_server_the_batch_then_uses():
    """reports.main starts the fork server before it plans the jobs, so the server loads the
    renderers meanwhile; the batch's workers then fork from that same server."""
    import multiprocessing
    import os
    from multiprocessing import forkserver

    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork server on this platform: each worker is spawned")
    batch.prepare()
    pid = forkserver._forkserver._forkserver_pid
    assert pid is not None
    os.kill(pid, 0)  # running (raises if not)
    batch.prepare()  # a second call keeps it
    assert forkserver._forkserver._forkserver_pid == pid


@pytest.mark.slow
def test_a_warning_fails_the_report_rather_than_printing_into_it(tmp_path):
    """A library's deprecation would print into the report with the kernel's temporary file name;
    the batch makes every warning an error, so the report fails at its cell instead."""
    outcome = batch.run(
        [batch_jobs.Job(FIXTURES / "warns.ipynb", tmp_path, "warns", {}, "warns")], workers=1, progress=False
    )[0]
    assert not outcome.ok and outcome.outputs == {}
    assert outcome.error == "FutureWarning: 旧的调用方式" and outcome.cell == 2
    assert not (tmp_path / "warns.html").exists()
