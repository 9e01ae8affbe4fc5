"""``civsim report``: the batch that renders the two report notebooks for every district-year.

``main`` renders one annual summary (for ``year``) and one plan (for ``year + 1``) per
district-year, executed in parallel and written to
``reports/<code>-<name>/<year>/{annual_summary,next_year_plan}.{ipynb,html,pdf}``.

The documents themselves live in :mod:`civsim.report`: :mod:`~civsim.report.summary`
(工作总结), :mod:`~civsim.report.plan` (工作计划), with :mod:`~civsim.report.display` and
:mod:`~civsim.report.labels` shared between them. This module only knows which district-years
ship, the month each summary runs to, and how to turn them into batch jobs.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import districts, params as params_module, scenarios as scenarios_module
from .errors import CivsimError
from .report import documents
from .report.labels import BASELINE

ROOT = districts.ROOT
NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"
SUMMARY_NOTEBOOK = "annual_summary"
PLAN_NOTEBOOK = "next_year_plan"
KERNEL = "python3"


@dataclass(frozen=True)
class Shipped:
    """A district-year whose reports ship with civsim, and the month its summary's figures run to."""
    district: str
    year: int
    as_of_month: int


# The seeds' summaries: 东丽区 dated 2021-01-11 (whole year), 东西湖区 2020-10-21 ("截止10月份"),
# 天津市 2020-12-26 (whole year).
SHIPPED = (Shipped("东丽区", 2020, 12), Shipped("东西湖区", 2020, 10), Shipped("天津市", 2020, 12))


def as_of_month(district, year: int) -> int:
    """The month a summary's figures run to: the shipped one, else the summary's date, else December."""
    code = districts.find(district).code
    for item in SHIPPED:
        if districts.find(item.district).code == code and item.year == year:
            return item.as_of_month
    found = documents.summary(code, year)
    if found is not None and found.date.year == year:
        return found.date.month
    return 12


def jobs(items, scenario: str = BASELINE, out: Path | str | None = None, from_districts: bool = False) -> list:
    """The batch Jobs of the summary (for each year) and plan (for year + 1) of each district-year.

    ``from_districts``: each summary's figures are the sum of its districts' (civsim.province)."""
    from . import batch

    out = Path(out) if out else REPORTS
    plan_scenarios = [] if scenario == BASELINE else [scenario]
    result = []
    for district, year, month in items:
        found = districts.find(district)
        folder = out / batch.safe_component(found.label) / batch.safe_component(str(year))
        result.append(batch.Job(NOTEBOOKS / f"{SUMMARY_NOTEBOOK}.ipynb", folder, SUMMARY_NOTEBOOK,
                                {"district": found.name, "year": int(year), "scenario": BASELINE, "as_of_month": int(month),
                                 "from_districts": bool(from_districts)},
                                f"{found.name} {year}年工作总结"))
        result.append(batch.Job(NOTEBOOKS / f"{PLAN_NOTEBOOK}.ipynb", folder, PLAN_NOTEBOOK,
                                {"district": found.name, "year": int(year) + 1, "scenarios": plan_scenarios},
                                f"{found.name} {int(year) + 1}年工作计划"))
    return result


def main(district=None, year=None, scenario: str = BASELINE, workers: int | None = None, out=None,
         timeout: float = 600, progress: bool = True, from_districts: bool = False, runner=None) -> int:
    """Render the shipped district-years (no district) or one; print a summary; 1 if any failed.

    A bad district, year or scenario fails here, once, before any notebook starts. ``runner``
    replaces ``batch.run`` (e.g. civsim.batch_dask.run); ``from_districts`` as in :func:`jobs`.
    """
    from . import batch

    if district is None:
        items = [(s.district, s.year, s.as_of_month) for s in SHIPPED]
    else:
        if year is None:
            raise CivsimError("civsim report", "--year", "missing", "a year such as 2020")
        items = [(districts.find(district).name, int(year), as_of_month(district, int(year)))]
    if scenario != BASELINE:
        chosen = scenarios_module.load(scenario)
        for name, year_, _ in items:           # the plan is for the year after
            scenarios_module.apply(params_module.load(name), chosen, year_ + 1)
    if from_districts:
        from .province import districts_under

        for name, _, _ in items:               # a city or province with districts listed under it
            districts_under(name)
    run = runner or batch.run
    outcomes = run(jobs(items, scenario, out, from_districts), workers=workers, timeout=timeout, progress=progress,
                   kernel_name=KERNEL)
    print(batch.summary(outcomes))
    return 0 if all(outcome.ok for outcome in outcomes) else 1


__all__ = ["SHIPPED", "Shipped", "as_of_month", "jobs", "main"]
