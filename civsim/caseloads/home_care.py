"""The synthetic roll's caseload of home_care (its rule: civsim.programs.home_care)."""

from __future__ import annotations


def build(b) -> None:
    b.singles(b.target("caseload.elderly.home_care"), "elderly", "urban", age=80, home_care=1)
