"""YAML files are parsed once a process: a second read gives an equal, separate tree."""

import datetime as dt

import pytest

from civsim import yaml_files
from civsim.errors import CivsimError


def test_a_second_read_is_a_fresh_copy(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("dibao:\n  standard:\n    urban:\n      2021-01-01: 780\n", encoding="utf-8")
    first = yaml_files.read_yaml(path)
    first["dibao"]["standard"]["urban"] = "changed by a caller"
    second = yaml_files.read_yaml(path)
    assert second == {"dibao": {"standard": {"urban": {dt.date(2021, 1, 1): 780}}}}
    path.write_text("dibao: 1\n", encoding="utf-8")  # a changed file is read anew
    assert yaml_files.read_yaml(path) == {"dibao": 1}


def test_a_bad_file_is_refused_every_time(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("a: 1\na: 2\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(CivsimError, match="duplicate key"):
            yaml_files.read_yaml(path)
