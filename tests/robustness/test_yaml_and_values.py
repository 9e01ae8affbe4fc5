"""Second round of bad parameter and scenario files: YAML that means something else, files that
are not files, values out of range, and scenarios that would be merged or compounded silently.
Each case asserts one line naming the file, the key or line, and what was expected."""

import builtins
import os
from pathlib import Path

import pytest

from civsim import params, scenarios
from civsim.errors import CivsimError

DISTRICT = "东西湖区"
FILE = "420112-dongxihu/dibao.yaml"


def leaf(path="standard.urban", unit="yuan/person/month", value="780", date="2020-01-01", prov="assumption: t"):
    *heads, name = path.split(".")
    body = f"{name}: {{unit: {unit}, values: {{{date}: {{value: {value}, {prov}}}}}}}"
    for head in reversed(heads):
        body = f"{head}: {{{body}}}"
    return body


def one_line(err, *fragments):
    message = str(err.value)
    assert "\n" not in message and "Traceback" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def load(root):
    params._load.cache_clear()
    return params.load(DISTRICT, root)


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)

# name -> (text of 420112-dongxihu/dibao.yaml, fragments the one line must hold)
YAML_CASES = {
    "duplicate key": (
        "standard: {urban: 1}\nstandard: {urban: 2}\n",
        ["dibao.yaml: line 2", 'duplicate key "standard"', "each key once"],
    ),
    "duplicate date": (
        "standard:\n  urban:\n    unit: yuan/person/month\n    values:\n"
        "      2020-01-01: {value: 780, assumption: t}\n      2020-01-01: {value: 830, assumption: t}\n",
        ["dibao.yaml: line 6", "duplicate key"],
    ),
    "sexagesimal 8:30 stays text": (leaf(value="8:30"), ["dibao.yaml", "bad value '8:30'", "finite number"]),
    "no stays text": (leaf(value="no"), ["bad value 'no'", "finite number"]),
    "yes stays text": (leaf(value="yes"), ["bad value 'yes'"]),
    "inf as a value": (leaf(value=".inf"), ["bad value inf", "finite number"]),
    "nan as a value": (leaf(value=".nan"), ["bad value nan", "finite number"]),
    "wrong-case key": (
        "standard: {Urban: {unit: yuan/person/month, values: {2020-01-01: {value: 1, assumption: t}}}}",
        ["dibao.standard.Urban", "bad key", "lowercase"],
    ),
    "wrong-case leaf key": (
        "standard: {urban: {Unit: yuan/person/month, Values: {2020-01-01: 1}}}",
        ["dibao.standard.urban.Unit", "bad key"],
    ),
    "wrong-case entry key": (leaf(prov="Assumption: t"), ["unknown key(s) Assumption"]),
    "empty file": ("", ["dibao.yaml", "the file is empty"]),
    "only comments": ("# 东西湖区低保\n# 待补充\n", ["dibao.yaml", "the file is empty"]),
    "a list at the top": ("- 1\n- 2\n", ["dibao.yaml", "found list"]),
    "alias bomb": (ALIAS_BOMB, ["dibao.yaml", "aliases are expanded"]),
    "recursive alias": ("standard: &a [*a]\n", ["dibao.yaml", "nested too deeply"]),
    "deep nesting": ("standard: " + "[" * 60 + "]" * 60, ["dibao.yaml", "nested too deeply"]),
    "very deep nesting": ("standard: " + "{a: " * 3000 + "1" + "}" * 3000, ["dibao.yaml", "nested too deeply"]),
    "oversized file": (
        "# " + "x" * (1 << 20) + "\nstandard: {}\n",
        ["dibao.yaml", "file too large", "1,048,576 bytes"],
    ),
    "take-up of 45 meaning 45%": (
        leaf("take_up", unit="ratio", value="45"),
        ["dibao.take_up.values.2020-01-01", "share 45 above 1", "0.45"],
    ),
    "share of a group over 1": (leaf("eligible_share", unit="ratio", value="50"), ["share 50 above 1"]),
    "gap ratio as a percent": (
        leaf("gap_ratio.urban", unit="ratio", value="93.5"),
        ["dibao.gap_ratio.urban", "share 93.5 above 1"],
    ),
    "absurd count": (leaf("households", unit="households", value="1.0e+9"), ["absurd value 1e+09 households"]),
}


@pytest.mark.case("yaml")
@pytest.mark.parametrize("text, fragments", YAML_CASES.values(), ids=YAML_CASES.keys())
def test_parameter_file_that_means_something_else(tree, text, fragments):
    root = tree({FILE: text})
    with pytest.raises(CivsimError) as err:
        load(root)
    one_line(err, *fragments)


@pytest.mark.case("yaml")
def test_numbers_read_as_yaml_1_2(tree):
    """0750 is 750 (YAML 1.1 read it as octal 488); 1e3 is a number (1.1 read it as text)."""
    root = tree({FILE: leaf(value="0750") + "\n" + leaf("floor", value="1e3")})
    loaded = load(root)
    assert loaded.at("dibao.standard.urban", "2020-06") == 750
    assert loaded.at("dibao.floor", "2020-06") == 1000


@pytest.mark.case("yaml")
def test_a_multiple_of_the_standard_may_exceed_one(tree):
    root = tree({"420112-dongxihu/temporary.yaml": leaf("multiple", unit="ratio", value="3.22")})
    assert load(root).at("temporary.multiple", "2020-06") == pytest.approx(3.22)


def _special(root: Path, kind: str) -> Path:
    path = root / FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "folder":
        path.mkdir()
    elif kind == "dangling symlink":
        path.symlink_to(root / "gone.yaml")
    elif kind == "pipe":
        os.mkfifo(path)
    return path


SPECIAL = {"folder": "is a folder", "dangling symlink": "dangling symbolic link", "pipe": "not a regular file"}


@pytest.mark.case("yaml")
@pytest.mark.parametrize("kind", SPECIAL)
def test_a_parameter_file_that_is_not_a_file(tree, kind):
    root = tree({"420112-dongxihu/caseload.yaml": leaf("dibao.urban.households", unit="households", value="1")})
    _special(root, kind)
    with pytest.raises(CivsimError) as err:
        load(root)
    one_line(err, "dibao.yaml", SPECIAL[kind])


@pytest.mark.case("yaml")
def test_an_unreadable_parameter_file(tree, monkeypatch):
    root = tree({FILE: leaf()})
    target = str(root / FILE)
    os.chmod(target, 0)
    real_open = builtins.open

    def refuse(file, *args, **kwargs):  # root reads a mode-000 file; refuse as the OS does for others
        if str(file) == target:
            raise PermissionError(13, "Permission denied", target)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refuse)
    with pytest.raises(CivsimError) as err:
        load(root)
    one_line(err, "dibao.yaml", "cannot read (Permission denied)")


NAMING = {
    "a .yml file": ("420112-dongxihu/dibao.yml", "ends in .yml", "dibao.yaml"),
    "upper-case suffix": ("420112-dongxihu/dibao.YAML", "ends in .YAML", "dibao.yaml"),
    "file name in the wrong case": ("420112-dongxihu/Dibao.yaml", "bad file name 'Dibao.yaml'", "lowercase"),
    "folder name not in districts.csv": (
        "420112-dongxihuqu/dibao.yaml",
        "does not match districts.csv",
        "420112-dongxihu",
    ),
    "folder named by the Chinese name": ("东西湖区/dibao.yaml", "does not match districts.csv", "420112-dongxihu"),
    "folder named by the code alone": ("420112/dibao.yaml", "does not match districts.csv", "420112-dongxihu"),
}


@pytest.mark.case("yaml")
@pytest.mark.parametrize("name, problem, expected", NAMING.values(), ids=NAMING.keys())
def test_a_parameter_file_under_a_name_nothing_reads(tree, name, problem, expected):
    root = tree({name: leaf()})
    with pytest.raises(CivsimError) as err:
        load(root)
    one_line(err, problem, expected)


# Households cannot outnumber persons: the synthetic roll would silently pad households to one person.
@pytest.mark.case("values")
def test_more_households_than_persons(tree):
    root = tree(
        {
            "420112-dongxihu/caseload.yaml": "dibao: {urban: {households: {unit: households, values: {2020-10-01: {value: 300, assumption: t}}},"
            " persons: {unit: persons, values: {2020-10-01: {value: 200, assumption: t}}}}}"
        }
    )
    with pytest.raises(CivsimError) as err:
        load(root)
    one_line(
        err,
        "caseload.yaml",
        "caseload.dibao.urban.households.values.2020-10-01",
        "300 households but 200 persons",
        "no more households than persons",
    )


BASE = params.load(DISTRICT)
SCENARIO_VALUES = {
    "1e308 percent on a count": (
        {"path": "caseload.dibao.urban.persons", "from": "2021-01-01", "percent": 1e308},
        ["is not finite"],
    ),
    "inf as a value": (
        {"path": "dibao.standard.urban", "from": "2021-01-01", "value": float("inf")},
        ["bad amount inf", "finite number"],
    ),
    "nan as a percent": (
        {"path": "dibao.standard.urban", "from": "2021-01-01", "percent": float("nan")},
        ["bad amount nan"],
    ),
    "inf as text": ({"path": "dibao.standard.urban", "from": "2021-01-01", "value": "inf"}, ["bad amount 'inf'"]),
    "take-up set to 45": ({"path": "dibao.take_up", "from": "2021-01-01", "value": 45}, ["share 45 above 1"]),
    "take-up raised past 1": ({"path": "dibao.take_up", "from": "2021-01-01", "percent": 200}, ["share 1.35 above 1"]),
}


@pytest.mark.case("values")
@pytest.mark.parametrize("change, fragments", SCENARIO_VALUES.values(), ids=SCENARIO_VALUES.keys())
def test_scenario_value_out_of_range(change, fragments):
    with pytest.raises(CivsimError) as err:
        scenarios.apply(BASE, scenarios.parse({"name": "bad", "changes": [change]}, "bad.yaml"), 2021)
    one_line(err, "bad.yaml", "changes[0]", *fragments)


def write_scenario(folder: Path, stem: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


PLUS5 = "{path: dibao.standard, from: 2021-07-01, percent: 5}"
SCENARIO_FILES = {
    "named like the baseline": ("baseline", "name: baseline\nchanges: [" + PLUS5 + "]", ["name", "is the baseline's"]),
    "baseline in another case": ("Baseline", "name: Baseline\nchanges: [" + PLUS5 + "]", ["is the baseline's"]),
    "name differs from the file": (
        "plus5",
        "name: plus7\nchanges: [" + PLUS5 + "]",
        ["plus5.yaml", "differs from the file name"],
    ),
    "duplicate key": ("plus5", "name: plus5\nname: plus6\nchanges: [" + PLUS5 + "]", ["line 2", "duplicate key"]),
    "empty file": ("plus5", "", ["plus5.yaml", "the file is empty"]),
    "overlapping changes on one leaf": (
        "plus5",
        "name: plus5\nchanges:\n  - " + PLUS5 + "\n  - {path: dibao.standard, from: 2021-10-01, percent: 3}\n",
        ["changes[1]", "would compound", "until:"],
    ),
    "a subtree and its leaf": (
        "plus5",
        "name: plus5\nchanges:\n  - "
        + PLUS5
        + "\n  - {path: dibao.standard.urban, from: 2021-01-01, until: 2021-07-31, value: 900}\n",
        ["changes[1]", "changes[0] (dibao.standard)", "would compound"],
    ),
    "inf as a percent": (
        "plus5",
        "name: plus5\nchanges: [{path: dibao.standard, from: 2021-07-01, percent: .inf}]",
        ["bad amount inf"],
    ),
}


@pytest.mark.case("scenarios")
@pytest.mark.parametrize("stem, text, fragments", SCENARIO_FILES.values(), ids=SCENARIO_FILES.keys())
def test_bad_scenario_file(tmp_path, stem, text, fragments):
    write_scenario(tmp_path, stem, text)
    with pytest.raises(CivsimError) as err:
        scenarios.load(stem, tmp_path)
    one_line(err, *fragments)


@pytest.mark.case("scenarios")
def test_changes_to_one_leaf_in_turn_are_fine(tmp_path):
    write_scenario(
        tmp_path,
        "steps",
        "name: steps\nchanges:\n"
        "  - {path: dibao.standard.urban, from: 2021-01-01, until: 2021-06-30, value: 850}\n"
        "  - {path: dibao.standard.urban, from: 2021-07-01, value: 900}\n",
    )
    applied = scenarios.apply(BASE, scenarios.load("steps", tmp_path), 2021)
    assert applied.at("dibao.standard.urban", "2021-03") == 850 and applied.at("dibao.standard.urban", "2021-09") == 900


@pytest.mark.case("scenarios")
def test_a_yml_scenario_is_named_not_skipped(tmp_path):
    (tmp_path / "plus5.yml").write_text("name: plus5\nchanges: [" + PLUS5 + "]", encoding="utf-8")
    with pytest.raises(CivsimError) as err:
        scenarios.load("plus5", tmp_path)
    one_line(err, "plus5.yml", "ends in .yml", "plus5.yaml")


@pytest.mark.case("scenarios")
def test_two_scenario_files_with_one_name(tmp_path):
    a = write_scenario(tmp_path / "a", "same", "name: same\nchanges: [" + PLUS5 + "]")
    b = write_scenario(
        tmp_path / "b", "same", "name: same\nchanges: [{path: tekun.standard, from: 2021-07-01, percent: 5}]"
    )
    with pytest.raises(CivsimError) as err:
        scenarios.load_all([str(a), str(b)])
    one_line(err, str(b), "scenario name 'same' is also the name in", str(a))


@pytest.mark.case("scenarios")
def test_a_scenario_object_named_baseline_is_refused_before_it_is_run():
    with pytest.raises(CivsimError) as err:
        scenarios.parse(
            {"name": "baseline", "changes": [{"path": "dibao.standard", "from": "2021-07-01", "percent": 5}]},
            "mine.yaml",
        )
    one_line(err, "mine.yaml", "is the baseline's")
