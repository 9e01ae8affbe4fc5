import contextlib
from pathlib import Path

import pytest

from civsim import lean_imports

lean_imports.without_iri_grammars()  # as civsim's own processes: 2-3 s less in each test process

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
BENCHMARKS = ROOT / "benchmarks"


def benchmark(name: str):
    """A benchmark script as a module (``benchmarks/`` is not a package), for its smoke test."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCHMARKS))
    return module


def district_place(tmp_path: Path, csv: Path) -> tuple[Path, Path]:
    """A copy of districts.csv at ``csv`` and a params folder holding only 厦门市's own dibao.yaml (for
    `civsim district new` cases): (csv, params root)."""
    import shutil

    from civsim import districts
    from civsim.params import PARAMS

    shutil.copy(districts.DISTRICTS_CSV, csv)
    root = tmp_path / "params"
    (root / "350200-xiamen").mkdir(parents=True)
    shutil.copy(PARAMS / "350200-xiamen" / "dibao.yaml", root / "350200-xiamen" / "dibao.yaml")
    return csv, root


@pytest.fixture
def tree(tmp_path):
    """A small params tree: write files with tree({"defaults/dibao.yaml": "..."}); returns its root."""

    def make(files: dict[str, str]) -> Path:
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return tmp_path

    return make


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """With workers (make test: pytest -n auto --dist loadgroup), the tests reading the session's
    rendered documents run on one worker, so the documents are rendered once, and so do a module's
    tests sharing a module-scoped fixture (a cluster, a served app, a batch run), so it is made once;
    the slow tests are handed out first, so the two workers finish together rather than one waiting
    on a late long test."""
    for item in items:
        group = _group(item)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: keeps each file's order


def pytest_collection_finish(session):
    """What collecting made (modules, tests, parametrized values) lives until the session ends: the
    garbage collector stops scanning it again at every full collection (about a third of its time).
    And it runs less often: the tests make many short-lived frames, and at Python's thresholds
    (700, 10, 10) a worker of `make test-fast` spent 2.0 s collecting, at these 1.0 s."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def _group(item) -> str | None:
    if item.get_closest_marker("xdist_group"):
        return None  # grouped by its module already
    names = getattr(item, "fixturenames", ())
    if "rendered" in names:
        return "rendered"
    info = getattr(item, "_fixtureinfo", None)
    shared = info is not None and any(
        definitions[-1].scope in ("module", "class") for definitions in info.name2fixturedefs.values()
    )
    return item.module.__name__ if shared else None


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """Every shipped report, rendered once a session as `civsim report --all` renders them
    (civsim.report_jobs.main → civsim.batch), plus the plan notebook with its defaults and the budget
    of 东西湖区, both in the 公文 layout: these two ride at the end of the same batch, whose fork
    server and kernels a second batch would start anew; main sees only its own jobs' outcomes."""
    import contextlib
    import io

    from civsim import batch, batch_jobs, report_jobs

    out = tmp_path_factory.mktemp("reports")
    notebooks = ROOT / "civsim" / "notebooks"
    extras = [
        batch_jobs.Job(
            notebooks / "next_year_plan.ipynb", out / "defaults", "next_year_plan", label="defaults", layout="gongwen"
        ),
        batch_jobs.Job(
            notebooks / "budget_projection.ipynb",
            out / "gongwen",
            report_jobs.BUDGET_NAME,
            {"district": "东西湖区", "year": 2021},
            label="gongwen budget",
            layout="gongwen",
        ),
    ]
    extra = []

    def with_extras(jobs, **options):
        done = batch.run([*jobs, *extras], **options)
        extra.extend(done[len(jobs) :])
        return done[: len(jobs)]

    batch.prepare()  # as main does when it runs the batch itself
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = report_jobs.main(out=out, runner=with_extras)
    return {"out": out, "code": code, "printed": printed.getvalue(), "defaults": extra[0], "gongwen_budget": extra[1]}


@pytest.fixture
def copies_runs(monkeypatch):
    """How many parameter sets each call of civsim.engine.draws.Copies.sums ran over, in order: a
    block of draws stacking its sets shows here."""
    from civsim.engine import draws

    counts: list[int] = []
    original = draws.Copies.sums
    monkeypatch.setattr(
        draws.Copies, "sums", lambda self, runs, *a, **k: counts.append(len(runs)) or original(self, runs, *a, **k)
    )
    return counts


@pytest.fixture
def food_up():
    """``with food_up(window, draws) as run: together, one_by_one = run(n)``: the draws in ``draws`` see
    food prices 20 % up all window long; ``run(n)`` gives the first n draws as one block and one by one."""

    import numpy as np
    import pandas as pd

    @contextlib.contextmanager
    def up(window, draws):
        inputs = window.inputs

        def hot(d):
            x = inputs(d)
            if d in draws:
                x["food"] = np.full(len(window.window.months), 20.0)
            return x

        window.inputs = hot
        try:
            yield lambda n: (window.block(range(n)), pd.concat([window.draw(d) for d in range(n)], ignore_index=True))
        finally:
            del window.inputs

    return up
