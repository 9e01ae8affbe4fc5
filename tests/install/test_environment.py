"""environment.yml (conda) lists the same dependencies as pyproject.toml (pip),
requirements/lock.txt pins every one of them to an exact release within its declared range, and
the code is laid out and checked by ruff, in modules under 500 lines."""

import importlib.metadata
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from conftest import ROOT

LOCK = ROOT / "requirements" / "lock.txt"


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower()


def _declared() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project["dependencies"] + project["optional-dependencies"]["dev"]


def _pins() -> dict[str, str]:
    """The lock's `name==version` lines (pip-compile's `# via` comments aside), by canonical name."""
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!-]+)", line)
            assert match, f"{LOCK.name}: not an exact pin: {line!r}"
            name = canonicalize_name(match[1])
            assert name not in pins, f"{LOCK.name}: {name} pinned twice"
            pins[name] = match[2]
    return pins


def test_environment_yml_matches_pyproject():
    pip = {_name(r) for r in _declared()}
    conda = {_name(d) for d in yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]} - {"python"}
    assert pip == conda


def test_versions_agree():
    pip = {_name(r): r.replace(" ", "") for r in _declared()}
    conda = {
        _name(d): d.replace(" ", "") for d in yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    }
    assert all(conda[name] == spec for name, spec in pip.items())


def test_the_lock_pins_every_declared_dependency_within_its_range():
    pins = _pins()
    for requirement in map(Requirement, _declared()):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is declared in pyproject.toml but not pinned in {LOCK.name}: run make lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name], str(requirement))
    assert "civsim" not in pins  # the project itself is installed from the checkout


def test_make_setup_installs_with_the_lock_and_reinstalls_when_it_changes():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^\$\(STAMP\):.*\$\(LOCK\)", makefile, re.M)
    recipe = subprocess.run(
        ["make", "-n", "-B", "-s", ".venv/.civsim-installed"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    install = 'uv pip install --quiet --compile-bytecode --python .venv/bin/python -c requirements/lock.txt -e ".[dev]"'
    assert install in recipe
    assert re.search(r"pip install --quiet uv==[0-9.]+$", recipe, re.M)  # the installer pinned too


def test_the_venv_is_made_from_debians_python_3_11_where_there_is_one_else_the_one_chosen():
    """Debian 12's own python3 (3.11 with venv) where the machine has it, else python3 on PATH;
    PYTHON3=... on the command line chooses another, for the set-up and for `make lock` alike."""

    # as on a fresh shell: not the PYTHON3 of a make that runs these tests (make test PYTHON3=...)
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "PYTHON3")}

    def made_with(*args):
        shown = subprocess.run(
            ["make", "-n", "-B", "-s", "VENV=/nonexistent/venv", *args, "/nonexistent/venv/.civsim-installed", "lock"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        venvs = re.findall(r"(\S+) -m venv /nonexistent/venv", shown)  # the venv and make lock's
        assert len(venvs) == 2, shown
        return set(venvs)

    debian = (
        Path("/usr/bin/python3").exists()
        and not subprocess.run(
            ["/usr/bin/python3", "-c", "import sys, ensurepip; sys.exit(sys.version_info[:2] != (3, 11))"],
            capture_output=True,
        ).returncode
    )
    assert made_with() == {"/usr/bin/python3" if debian else "python3"}
    assert made_with("PYTHON3=/opt/python3.11/bin/python3") == {"/opt/python3.11/bin/python3"}


def test_every_pinned_release_installed_here_runs_on_the_oldest_python_the_makefile_allows():
    """The Makefile refuses a Python older than LOCK_PYTHON; every pinned release installed at its
    pinned version must accept that Python (its Requires-Python), or a fresh set-up would fail."""
    oldest = re.search(r"^LOCK_PYTHON\s*:=\s*(\S+)", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)[1]
    checked = 0
    for name, version in _pins().items():
        try:
            metadata = importlib.metadata.metadata(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        if metadata["Version"] == version:
            checked += 1
            assert SpecifierSet(metadata.get("Requires-Python") or "").contains(oldest), (name, oldest)
    assert checked > 0


@pytest.mark.parametrize(
    "command",
    [("format", "--check"), ("check",)],
    ids=["layout", "errors"],
)
def test_the_code_passes_ruff(command):
    """The layout `ruff format` gives the code, and pyflakes' and pycodestyle's errors as
    pyproject.toml configures them (an unused or undefined name, a syntax slip). `make format` lays
    the code out; `make lint` lists both."""
    checked = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "--no-cache", "civsim", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


MODULE_LINES = 500


def test_every_module_is_under_500_lines():
    """A module is named for one concept; one that grows past 500 lines holds two."""
    long = {
        str(path.relative_to(ROOT)): lines
        for folder in ("civsim", "tests", "benchmarks")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) >= MODULE_LINES
    }
    assert not long, f"modules of {MODULE_LINES} lines or more: {long}"


@pytest.mark.xdist_group("rendered")
def test_grouped_tests_go_to_one_worker(request):
    """`make test` relies on --dist loadgroup to render the documents once: pytest-xdist marks a
    grouped test by suffixing its id with the group, which some pytest releases silently undo."""
    if not request.config.getoption("loadgroup", False):
        pytest.skip("not run by pytest -n N --dist loadgroup (make test)")
    assert request.node.nodeid.endswith("@rendered")


@pytest.mark.slow  # a collection of the whole suite
def test_make_test_collects_everything_and_make_test_fast_all_but_the_slow_tests():
    """The README's `make test` and `make test-fast`: the same pytest command but for test-fast's
    marker filter, run as test-fast's recipe says with --collect-only (in one process: the worker
    count changes nothing collected). Every module is collected; what the filter leaves out is
    exactly the tests marked slow, so `make test` runs them too; both spread over every core."""
    recipes = {}
    for target in ("test", "test-fast"):
        shown = subprocess.run(
            ["make", "-n", "-s", target, "STAMP=Makefile", "SYSTEM=Makefile"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        [line] = [line for line in shown.splitlines() if "pytest" in line]
        recipes[target] = shlex.split(line)
        assert recipes[target][1:5] == ["-n", "auto", "--dist", "loadgroup"], line
    assert recipes["test-fast"] == recipes["test"] + ["-m", "not slow"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}  # the count_slow plugin
    recipe = recipes["test-fast"]
    done = subprocess.run(
        recipe[:1] + recipe[5:] + ["--collect-only", "-q", "-p", "count_slow"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    printed = done.stdout + done.stderr
    assert done.returncode == 0, printed[-3000:]
    fast = sum(int(n) for n in re.findall(r"^tests/\S+: (\d+)$", printed, re.M))
    left_out = re.search(r"^left out: (\d+), marked slow: (\d+); kept, marked slow: (\d+)$", printed, re.M)
    assert left_out, printed[-3000:]
    slow, marked, kept = map(int, left_out.groups())
    assert 0 < slow == marked and kept == 0 and fast > 0
