"""Every `civsim` command the README shows runs as written, in a bureau's workspace made by
`civsim init` (the roll flow on the shipped sample exports): a command that stops working, or a
README line that names an option civsim no longer has, fails here. `make test` and `make reports`
are what CI and the report tests run."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow     # the reports start notebook kernels

SAMPLE = ROOT / "data" / "samples" / "420112-dongxihu"


def readme_commands() -> list[str]:
    """The `civsim` lines of the README's shell blocks, without comments and optional [--flag value] parts."""
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)
    lines = [line.split("#", 1)[0].strip() for block in blocks for line in block.splitlines()]
    return [re.sub(r"\s*\[[^\]]*\]", "", line) for line in lines if line.startswith("civsim ")]


def _civsim(args: list[str], cwd, home):
    env = {k: v for k, v in os.environ.items() if k != "CIVSIM_HOME"}
    env.update(PYTHONPATH=str(ROOT), CIVSIM_HOME=str(home), CIVSIM_SALT_DIR=str(cwd / "salt"))
    return subprocess.run([sys.executable, "-m", "civsim.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_the_readme_shows_commands_for_each_user():
    shown = readme_commands()
    assert {line.split()[1] for line in shown} >= {"compare", "project", "report", "roll"}


def test_every_command_the_readme_shows_runs_in_a_workspace(tmp_path):
    home = tmp_path / "workspace"
    for district in ("东西湖区", "东丽区"):
        done = _civsim(["init", str(home), "--district", district], tmp_path, home)
        assert done.returncode == 0, done.stderr
    (tmp_path / "exports").mkdir()
    for export in SAMPLE.glob("*.xlsx"):          # the exports the roll flow imports
        shutil.copy(export, tmp_path / "exports" / export.name)
    for line in readme_commands():
        args = shlex.split(line)[1:]
        args = [str(p) for a in args for p in (sorted(tmp_path.glob(a)) if "*" in a else [a])]
        done = _civsim(args, tmp_path, home)
        assert done.returncode == 0, f"{line}\n{done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr, line
    assert (tmp_path / "budget.xlsx").is_file() and (tmp_path / "my_roll" / "households.csv").is_file()
    assert list((home / "reports").rglob("工作总结.pdf"))
