"""The synthetic roll's caseload of unsupported_child (its rule: civsim.programs.unsupported_child)."""

from __future__ import annotations


def build(b) -> None:
    b.singles(b.target("caseload.children.unsupported"), "children", "urban", child_status="unsupported", age=10)
