"""The units a parameter leaf may be declared in, and what each converts to."""

from __future__ import annotations

# declared unit -> (unit after conversion, factor)
UNITS: dict[str, tuple[str, float]] = {
    **{f"yuan/{who}/month": (f"yuan/{who}/month", 1.0) for who in ("person", "household", "bed")},
    **{f"yuan/{who}/year": (f"yuan/{who}/month", 1 / 12) for who in ("person", "household", "bed")},
    **{
        u: (u, 1.0)
        for u in (
            "yuan/person",
            "yuan/household",
            "yuan/case",  # one-off payments
            "ratio",
            "percent",
            "per_month",
            "months",
            "years",
            "flag",
            "persons",
            "households",
            "beds",
            "cases/month",
            "person_times/month",
        )
    },
}
