"""The `civsim` commands the README shows. Each runs as written with the installed wheel, in a bureau's
workspace made by `civsim init` (tests/install/test_wheel.py; the roll flow on the shipped sample
exports): a command that stops working, or a README line that names an option civsim no longer
has, fails there. `make test` and `make reports` are what CI and the report tests run."""

from __future__ import annotations

import re

from conftest import ROOT


def readme_commands() -> list[str]:
    """The `civsim` lines of the README's shell blocks, without comments and optional [--flag value] parts."""
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)
    lines = [line.split("#", 1)[0].strip() for block in blocks for line in block.splitlines()]
    return [re.sub(r"\s*\[[^\]]*\]", "", line) for line in lines if line.startswith("civsim ")]


def test_the_readme_shows_commands_for_each_user():
    shown = readme_commands()
    assert {line.split()[1] for line in shown} >= {"compare", "project", "report", "roll"}
