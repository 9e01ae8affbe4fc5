"""environment.yml (conda) lists the same dependencies as pyproject.toml (pip)."""
import re
import tomllib

import yaml

from conftest import ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower()


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    conda = {_name(d) for d in yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]} - {"python"}
    assert pip == conda


def test_versions_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip = {_name(r): r.replace(" ", "") for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    conda = {_name(d): d.replace(" ", "") for d in yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]}
    assert all(conda[name] == spec for name, spec in pip.items())
