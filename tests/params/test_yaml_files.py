"""YAML files are parsed once a process: a second read gives an equal, separate tree."""

import datetime as dt

import pytest

from civsim import yaml_cache, yaml_files
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


# every kind of value the files hold, in one text: dates as keys, numbers that YAML 1.1 would
# misread, floats to the last bit, an alias, Chinese, an empty map and list
EVERY_KIND = """\
standard:
  2021-07-01: 780
  2022-01-01: 812.5
codes: [0750, "0750", no, "8:30", 8:30, null, true, 1e3, .inf, -.inf, .nan, -0.0, 0.1, 123456789012345678901]
at: 2021-07-01 08:30:00
1: 整数键
2.5: 小数键
2020-01-01: 日期键
shared: &one {a: [1, 2], b: 城市低保}
again: *one
empty: {}
none: []
"""


def typed(node):
    """The tree with each value's type beside it (True == 1 and 1.0 == 1 would hide a change)."""
    if isinstance(node, dict):
        return [(typed(k), typed(v)) for k, v in node.items()]
    if isinstance(node, list):
        return [typed(v) for v in node]
    return (type(node).__name__, repr(node))


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CIVSIM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(yaml_files, "_PARSED", type(yaml_files._PARSED)())  # nothing parsed in this process
    return tmp_path / "cache"


def test_a_tree_kept_on_disk_reads_back_as_the_parser_gives_it(cache, monkeypatch):
    parsed = yaml_files.parse_yaml(EVERY_KIND, "a.yaml")
    [kept] = list(cache.glob("yaml-*/*.json"))
    assert oct(kept.parent.stat().st_mode & 0o777) == "0o700"
    monkeypatch.setattr(yaml_files, "_PARSED", type(yaml_files._PARSED)())  # as another process
    monkeypatch.setattr(yaml_files, "_parse", lambda text, path: pytest.fail("parsed again"))
    again = yaml_files.parse_yaml(EVERY_KIND, "a.yaml")
    assert typed(again) == typed(parsed) and typed(parsed)[0][1][0] == (
        ("date", "datetime.date(2021, 7, 1)"),
        ("int", "780"),
    )
    assert again["codes"][:5] == [750, "0750", "no", "8:30", "8:30"]


def test_a_damaged_or_foreign_kept_file_is_parsed_anew_and_replaced(cache):
    yaml_files.parse_yaml("a: 1\n", "a.yaml")
    [kept] = list(cache.glob("yaml-*/*.json"))
    for damaged in ('{"map": [["a", 1]', '{"set": ["a"]}', '{"map": [[["a"], 1]]}', ""):
        kept.write_text(damaged, encoding="utf-8")
        yaml_files._PARSED.clear()
        assert yaml_files.parse_yaml("a: 1\n", "a.yaml") == {"a": 1}
        assert kept.read_text(encoding="utf-8") == '{"map":[["a",1]]}'


def test_a_folder_that_cannot_be_written_only_costs_the_parse(tmp_path, monkeypatch):
    blocked = tmp_path / "a file"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("CIVSIM_CACHE_DIR", str(blocked))
    monkeypatch.setattr(yaml_files, "_PARSED", type(yaml_files._PARSED)())
    assert yaml_files.parse_yaml("a: 2020-01-01\n", "a.yaml") == {"a": dt.date(2020, 1, 1)}
    assert blocked.read_text(encoding="utf-8") == ""


def test_a_set_or_a_zoned_time_is_parsed_each_time_and_the_kept_trees_are_bounded(cache, monkeypatch):
    yaml_files.parse_yaml("a: !!set {x, y}\n", "a.yaml")
    zoned = yaml_files.parse_yaml("a: 2021-07-01T08:30:00+08:00\n", "a.yaml")
    assert not list(cache.glob("yaml-*/*.json")) and zoned["a"].utcoffset() == dt.timedelta(hours=8)
    monkeypatch.setattr(yaml_cache, "KEPT", 10)
    for i in range(25):
        yaml_files.parse_yaml(f"a: {i}\n", "a.yaml")
    assert 5 <= len(list(cache.glob("yaml-*/*.json"))) <= 10


def test_a_write_the_disk_refuses_leaves_no_part_of_a_tree(cache, monkeypatch):
    from pathlib import Path

    written = Path.write_text

    def half_then_full(self, text, **options):
        written(self, text[: len(text) // 2], **options)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", half_then_full)
    assert yaml_files.parse_yaml("a: [1, 2, 3]\n", "a.yaml") == {"a": [1, 2, 3]}
    assert [p.name for p in cache.rglob("*") if p.is_file()] == []


def test_a_familys_case_file_is_not_kept(cache, tmp_path):
    from conftest import ROOT

    from civsim import household

    cases = household.load(ROOT / "tests" / "programs" / "cases" / "dibao.yaml")
    household.save(cases[0], tmp_path / "case.yaml")
    assert household.load(tmp_path / "case.yaml")[0].members == cases[0].members
    assert not list(cache.glob("yaml-*/*.json"))
    yaml_files.parse_yaml("a: 1\n", "a.yaml")  # the same cache keeps a parameter file's tree
    assert len(list(cache.glob("yaml-*/*.json"))) == 1
