"""The shipped districts' documents as `civsim report --all` renders them (conftest.rendered), where
each lands, and what no document may hold: the helpers the report and budget tests share."""

from __future__ import annotations

import re
from pathlib import Path

from civsim import batch_jobs, districts, report_jobs

NAMES = {
    "annual_summary": report_jobs.SUMMARY_NAME,
    "next_year_plan": report_jobs.PLAN_NAME,
    "budget_projection": report_jobs.BUDGET_NAME,
}
SHIPPED = report_jobs.with_caseload()


def folder(out: Path, name: str, year: int) -> Path:
    district = districts.find(name)
    return out / batch_jobs.safe_component(district.label) / str(year)


def output(rendered, name, document, kind) -> Path:
    """Where a document lands: the summary in its year's folder, the plan and budget in the next year's."""
    item = next(s for s in SHIPPED if s.district == name)
    year = item.year if document == "annual_summary" else item.year + 1
    return folder(rendered["out"], name, year) / f"{NAMES[document]}.{kind}"


def html(rendered, name, document) -> str:
    return output(rendered, name, document, "html").read_text(encoding="utf-8")


ALLOWED = {"civsim", "P10", "P50", "P90", "CPI", "DNA", "SOS", "APP", "GB", "T"}  # names, codes, units
ENGLISH = re.compile(r"[A-Za-z][A-Za-z0-9_.'\-]*")


def english_words(text: str) -> set[str]:
    """Latin-letter words that are neither allowed names or units nor codes (hashes: words with digits)."""
    return {w for w in ENGLISH.findall(text) if w not in ALLOWED and not re.fullmatch(r"[0-9a-f]{12}\+?", w)} - {""}


def hex_free(text: str) -> str:
    return re.sub(r"\b[0-9a-f]{12}\+?", "", text)  # the colophon's hashes are codes


LEAKS = {
    "warning": re.compile(r"Warning|warnings?\.|DeprecationWarning"),
    "traceback": re.compile(r"Traceback|\b[A-Z][A-Za-z]*(Error|Exception)\b|File \"|line \d+, in "),
    "path": re.compile(r"/(tmp|root|home|var|usr)/|ipykernel_|\.py\b"),
    "missing value": re.compile(r"(?<![A-Za-z])(nan|NaN|None|NaT|<NA>|inf)(?![A-Za-z])"),
    "cut short": re.compile(r"…|\.\.\."),
}


def leaks(text: str) -> dict[str, list[str]]:
    """What of the checked kinds the text holds, a few of each."""
    found = {name: sorted({m.group(0) for m in pattern.finditer(text)})[:5] for name, pattern in LEAKS.items()}
    # a single capital is a code, as in GB/T or the "5+1+N" a plan names its method
    found["english"] = sorted(w for w in english_words(hex_free(text)) if len(w) > 1)[:10]
    return {name: hits for name, hits in found.items() if hits}
