"""The batch's shared work (a district-year's context): done once, in a worker's kernel, before the
jobs reading it, its folder passed to them; its failure fails those jobs only, with its cause."""

from pathlib import Path

import pytest

from civsim import batch, batch_jobs, report_jobs
from civsim.errors import CivsimError
from civsim.report import context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def noop(folder, **arguments):
    """A shared work's function (the schedule only names it here)."""


def jobs(tmp_path):
    shared = batch_jobs.Shared("420112-2020", noop, {"district": "420112"})
    return [
        batch_jobs.Job(FIXTURES / "params.ipynb", tmp_path, "a", {"text": "a"}, shared=shared),
        batch_jobs.Job(FIXTURES / "params.ipynb", tmp_path, "b", {"text": "b"}, shared=shared),
        batch_jobs.Job(FIXTURES / "params.ipynb", tmp_path, "c", {"text": "c"}),
    ]


def test_the_shared_work_comes_once_and_first_and_its_jobs_wait_for_it(tmp_path):
    schedule = batch.Schedule(jobs(tmp_path), tmp_path / "area")
    assert schedule.tasks == [("shared", "420112-2020"), ("job", 0), ("job", 1), ("job", 2)]
    assert schedule.take() == ("shared", "420112-2020")
    assert schedule.take() == ("job", 2) and schedule.take() is None  # a and b wait for the shared work
    function, (shared, folder, timeout, kernel) = schedule.call(("shared", "420112-2020"), 60, "python3")
    assert function is batch.make_shared and shared.arguments == {"district": "420112"}
    assert (folder, timeout, kernel) == (str(tmp_path / "area" / "420112-2020"), 60, "python3")
    assert schedule.finish(("shared", "420112-2020"), "") == []
    assert schedule.take() == ("job", 0)
    function, (job, timeout, kernel) = schedule.call(("job", 0), 60, "python3")
    assert function is batch.run_one and job.parameters == {"text": "a", "context": folder} and job.shared is None
    assert schedule.take() == ("job", 1) and schedule.take() is None


def test_shared_work_that_fails_fails_the_jobs_reading_it_with_its_cause(tmp_path):
    schedule = batch.Schedule(jobs(tmp_path), tmp_path / "area")
    schedule.take()
    assert schedule.finish(("shared", "420112-2020"), "CivsimError: 火星区: unknown district") == [0, 1]
    assert [o.error for o in schedule.outcomes[:2]] == ["420112-2020: CivsimError: 火星区: unknown district"] * 2
    assert not any(o.ok for o in schedule.outcomes[:2]) and schedule.outcomes[2] is None
    assert schedule.tasks == [("job", 2)]
    schedule.finish(schedule.take(), None)  # its worker died under it
    assert schedule.outcomes[2].error == "worker process crashed"


def test_a_job_cannot_set_the_parameter_its_shared_work_sets(tmp_path):
    shared = batch_jobs.Shared("x", noop)
    with pytest.raises(CivsimError, match="'context' is set by the shared work"):
        batch_jobs.Job(FIXTURES / "params.ipynb", tmp_path, "a", {"context": "/tmp/x"}, shared=shared)
    with pytest.raises(CivsimError, match="not a safe file name"):
        batch_jobs.Shared("a/b", noop)
    with pytest.raises(CivsimError, match="unsupported value of type PosixPath"):  # it travels as JSON
        batch_jobs.Shared("x", noop, {"roll": tmp_path})


@pytest.mark.slow
def test_the_pool_fails_only_the_jobs_of_a_failed_shared_work(tmp_path):
    broken = batch_jobs.Shared("000000-2020", context.compute_into, {"district": "000000", "year": 2020})
    planned = [
        batch_jobs.Job(FIXTURES / "params.ipynb", tmp_path, "reads", {"text": "x"}, "reads", shared=broken),
        batch_jobs.Job(FIXTURES / "params.ipynb", tmp_path, "alone", {"text": "东丽区"}, "alone"),
    ]
    outcomes = batch.run(planned, workers=2, progress=False, kernel_name=report_jobs.KERNEL)
    assert [o.ok for o in outcomes] == [False, True]
    assert outcomes[0].error.startswith("000000-2020: CivsimError: ") and "000000" in outcomes[0].error[12:]
    assert "\n" not in outcomes[0].error and outcomes[0].cell is None
    assert not (tmp_path / "reads.ipynb").exists() and (tmp_path / "alone.html").is_file()


def test_a_relative_out_reaches_the_kernels_and_the_shared_work_as_absolute_paths(tmp_path, monkeypatch):
    """`civsim report --out reports`: the kernels run in the package's notebooks folder, so every path
    handed to them is absolute, the user's folder's."""
    monkeypatch.chdir(tmp_path)
    planned = report_jobs.jobs([("东西湖区", 2020, 12)], out=Path("reports"), roll="my_roll")
    budget = next(job for job in planned if job.name == report_jobs.BUDGET_NAME)
    assert Path(budget.parameters["xlsx"]) == tmp_path / "reports" / "420112-东西湖区" / "2021" / "预算测算.xlsx"
    assert {job.parameters.get("roll") for job in planned} - {None} == {str(tmp_path / "my_roll")}
    assert budget.shared.arguments["roll"] == str(tmp_path / "my_roll")
