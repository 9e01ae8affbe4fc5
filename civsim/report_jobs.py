"""``civsim report``: the batch that renders the report notebooks for every district-year.

For each district-year it renders the year's annual summary, the plan for the year after, and the
budget projection for the year after, each to ``.ipynb``, ``.html``, ``.pdf`` and ``.docx``, into the
folder of the year each document is about, under names an author recognises::

    reports/<code>-<name>/<year>/工作总结.*          the year's 工作总结
    reports/<code>-<name>/<year + 1>/工作计划.*      the 工作计划 for the year after
    reports/<code>-<name>/<year + 1>/预算测算.*      the budget projection for the year after (+ .xlsx)

``--all`` renders every jurisdiction whose own parameters hold a caseload (``caseload.*``) — at
the year of its latest caseload figure, or at ``--year`` — so a district added under params/
appears without being listed anywhere. A district without a summary or plan text still gets
every figure section and a line saying which text is missing.

The three documents of a district-year format one context (:mod:`civsim.report.context`), which
the batch computes once, before the first of them, and hands them as a folder. The documents
themselves live in :mod:`civsim.report` (summary, plan, budget_document, display, labels). This
module only knows which district-years have a caseload, the month each summary runs to, and how
to turn them into batch jobs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import districts, params as params_module, paths, scenarios as scenarios_module
from .errors import CivsimError
from .report import documents, layouts
from .report.labels import BASELINE

ROOT = districts.ROOT
NOTEBOOKS = paths.notebooks()
REPORTS = ROOT / "reports"
SUMMARY_NOTEBOOK = "annual_summary"
PLAN_NOTEBOOK = "next_year_plan"
BUDGET_NOTEBOOK = "budget_projection"
# the file names of the three documents, as an author calls them
SUMMARY_NAME, PLAN_NAME, BUDGET_NAME = "工作总结", "工作计划", "预算测算"
KERNEL = "python3"
_RUN_ORDER = (BUDGET_NAME, SUMMARY_NAME, PLAN_NAME)


@dataclass(frozen=True)
class DistrictYear:
    """A district-year with a caseload, and the month its summary's figures run to."""

    district: str
    year: int
    as_of_month: int


def own_caseload_years(district, root: Path | None = None) -> set[int]:
    """The years of the caseload figures in a jurisdiction's own parameters (not inherited ones)."""
    found = districts.find(district)
    root = Path(root) if root else params_module.PARAMS
    if not (root / found.slug).is_dir():
        return set()
    leaves = params_module.load(found.code, root).leaves
    return {
        entry.start.year
        for path, leaf in leaves.items()
        if path.startswith("caseload.") and params_module.folder_of(leaf.file) == found.slug
        for entry in leaf.entries
    }


def with_caseload(year: int | None = None, root: Path | None = None, broken: dict | None = None) -> list[DistrictYear]:
    """Every jurisdiction with its own caseload (under ``root``, default params/): at ``year`` when a
    caseload figure is in force by then, else (no year) at the year of its latest caseload figure;
    in districts.csv's order. A jurisdiction whose parameters do not load, or do not cover
    ``year``, goes into ``broken`` (name -> the one line why) when given, so the others still run."""
    out = []
    for district in districts.load_districts().values():
        try:
            years = own_caseload_years(district.code, root)
            if years and year is not None and min(years) <= int(year):
                params_module.check_year(
                    params_module.load(district.code, Path(root) if root else params_module.PARAMS), int(year)
                )
        except CivsimError as exc:
            if broken is None:
                raise
            broken[district.name] = str(exc)
            continue
        if not years:
            continue
        if year is None:
            out.append(DistrictYear(district.name, max(years), as_of_month(district.code, max(years))))
        elif min(years) <= int(year):
            out.append(DistrictYear(district.name, int(year), as_of_month(district.code, int(year))))
    return out


def as_of_month(district, year: int) -> int:
    """The month a summary's figures run to: the summary's date when it falls in the year, else December."""
    code = districts.find(district).code
    found = documents.summary(code, year)
    if found is not None and found.date.year == year:
        return found.date.month
    return 12


def jobs(
    items,
    scenario: str = BASELINE,
    out: Path | str | None = None,
    layout: str = layouts.DEFAULT,
    budget: bool = True,
    from_districts: bool = False,
    roll: str | None = None,
    shared: bool = True,
) -> list:
    """The batch Jobs of the summary (for each year), and the plan and budget (for year + 1), of
    each (district, year, as-of month); ``from_districts``: each summary's figures are the sum of
    its districts' (civsim.province). With ``shared`` the three read the district-year's context,
    computed once by the batch (civsim.report.context); without, each notebook computes its own,
    as when run by hand."""
    from . import batch_jobs
    from .report import context

    out = Path(out) if out else REPORTS
    plan_scenarios = [] if scenario == BASELINE else [scenario]
    roll = None if roll is None else str(Path(roll).resolve())  # the kernel runs elsewhere
    result = []
    for district, year, month in items:
        found = districts.find(district)
        year = int(year)
        base = out / batch_jobs.safe_component(found.label)
        this, following = base / batch_jobs.safe_component(str(year)), base / batch_jobs.safe_component(str(year + 1))
        parts = list(context.PARTS if budget else (context.SUMMARY, context.PLAN))
        made = (
            batch_jobs.Shared(
                batch_jobs.safe_component(f"{found.code}-{year}"),
                context.compute_into,
                {
                    "district": found.code,
                    "year": year,
                    "scenarios": plan_scenarios,
                    "from_districts": bool(from_districts),
                    "roll": roll,
                    "parts": parts,
                },
            )
            if shared
            else None
        )
        result.append(
            batch_jobs.Job(
                NOTEBOOKS / f"{SUMMARY_NOTEBOOK}.ipynb",
                this,
                SUMMARY_NAME,
                {
                    "district": found.name,
                    "year": year,
                    "scenario": BASELINE,
                    "as_of_month": int(month),
                    "from_districts": bool(from_districts),
                    "roll": roll,
                },
                f"{found.name} {year}年工作总结",
                layout,
                made,
            )
        )
        result.append(
            batch_jobs.Job(
                NOTEBOOKS / f"{PLAN_NOTEBOOK}.ipynb",
                following,
                PLAN_NAME,
                {"district": found.name, "year": year + 1, "scenarios": plan_scenarios},
                f"{found.name} {year + 1}年工作计划",
                layout,
                made,
            )
        )
        if budget:
            result.append(
                batch_jobs.Job(
                    NOTEBOOKS / f"{BUDGET_NOTEBOOK}.ipynb",
                    following,
                    BUDGET_NAME,
                    {
                        "district": found.name,
                        "year": year + 1,
                        "scenarios": plan_scenarios,
                        # absolute: the kernel runs in the notebooks' folder, inside the package
                        "xlsx": str((following / f"{BUDGET_NAME}.xlsx").absolute()),
                    },
                    f"{found.name} {year + 1}年预算测算",
                    layout,
                    made,
                )
            )
    return result


def _expected_length(job) -> tuple[int, int]:
    """Sort key putting the longest reports first, so no worker is left with a long one while the
    other idles: the budgets (the longest PDF), then the summaries, then the plans; within each, the
    district with more caseloads first, as each caseload brings a program to simulate and a line to
    show. The batch computes each district-year's context just before the first report reading it."""
    district = job.parameters.get("district")
    try:
        caseloads = sum(path.startswith("caseload.") for path in params_module.load(district).leaves) if district else 0
    except CivsimError:  # its job fails with the cause; the order of the others does not depend on it
        caseloads = 0
    return _RUN_ORDER.index(job.name), -caseloads


def main(
    district=None,
    year=None,
    scenario: str = BASELINE,
    workers: int | None = None,
    out=None,
    timeout: float = 600,
    progress: bool = True,
    layout: str = layouts.DEFAULT,
    from_districts: bool = False,
    runner=None,
    roll: str | None = None,
) -> int:
    """Render every district-year with a caseload (no district) or one; print a summary; 1 if any failed.

    A bad district, year, scenario or layout fails here, once, before any notebook starts. ``runner``
    replaces ``batch.run`` (e.g. civsim.batch_dask.run); ``from_districts`` as in :func:`jobs`.
    """
    from . import batch, batch_jobs

    layouts.get(layout)
    if runner is None:
        batch.prepare()
    broken: dict[str, str] = {}
    if district is None:
        # one jurisdiction's broken parameter file fails its own reports, not every one's
        items = [(s.district, s.year, s.as_of_month) for s in with_caseload(year, broken=broken)]
        if not items and broken:
            name, why = next(iter(broken.items()))
            raise CivsimError(name, None, why)
        if not items:
            raise CivsimError(
                "params",
                "caseload",
                f"no jurisdiction has a caseload for {year}",
                "a params/<code>-<pinyin>/caseload.yaml with figures dated by then",
            )
    else:
        if year is None:
            raise CivsimError("civsim report", "--year", "missing", "a year such as 2020")
        items = [(districts.find(district).name, int(year), as_of_month(district, int(year)))]
    if scenario != BASELINE:
        chosen = scenarios_module.load(scenario)
        for name, year_, _ in items:  # the plan is for the year after
            scenarios_module.apply(params_module.load(name), chosen, year_ + 1)
    if from_districts:
        from .province import districts_under

        for name, _, _ in items:  # a city or province with districts listed under it
            districts_under(name)
    planned = jobs(items, scenario, out, layout, from_districts=from_districts, roll=roll)
    order = sorted(range(len(planned)), key=lambda i: (*_expected_length(planned[i]), i))
    done = (runner or batch.run)(
        [planned[i] for i in order], workers=workers, timeout=timeout, progress=progress, kernel_name=KERNEL
    )
    outcomes = [outcome for _, outcome in sorted(zip(order, done), key=lambda pair: pair[0])]
    outcomes += [
        batch_jobs.Outcome(f"{name} {document}", NOTEBOOKS / f"{notebook}.ipynb", {}, False, error=why)
        for name, why in broken.items()
        for document, notebook in (
            (SUMMARY_NAME, SUMMARY_NOTEBOOK),
            (PLAN_NAME, PLAN_NOTEBOOK),
            (BUDGET_NAME, BUDGET_NOTEBOOK),
        )
    ]
    print(batch.summary(outcomes))
    return 0 if all(outcome.ok for outcome in outcomes) else 1


__all__ = [
    "DistrictYear",
    "with_caseload",
    "own_caseload_years",
    "as_of_month",
    "jobs",
    "main",
    "SUMMARY_NAME",
    "PLAN_NAME",
    "BUDGET_NAME",
]
