"""The synthetic roll's caseload of edge (its rule: civsim.programs.edge)."""

from __future__ import annotations

import numpy as np

from ..roll import AREAS


def build(b) -> None:
    for area in AREAS:
        households = b.target(f"caseload.edge.{area}.households")
        if households == 0:
            continue
        start, end, template = b.spells(households, b.value("edge.turnover.entry"), b.value("edge.turnover.exit"))
        size = b.sizes(households, b.target(f"caseload.edge.{area}.persons"))[template]
        n = len(size)
        ratio = 1 + b.rng.random(n) * (b.value("edge.income_multiple") - 1)
        b.add(
            {
                "area": area,
                "category": "edge",
                "income": ratio * b.value(f"dibao.standard.{area}"),
                "start": start,
                "end": end,
            },
            {"age": np.full(int(size.sum()), 40)},
            np.repeat(np.arange(n), size),
        )
