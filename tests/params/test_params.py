"""Dated parameters: loading, inheritance, month-by-month resolution, validation."""

import json

import pandas as pd
import pytest

from civsim import params
from civsim.cli import main
from civsim.errors import CivsimError

MONTHS_2020 = pd.period_range("2020-01", "2020-12", freq="M")
LEAF = "{unit: yuan/person/month, values: {2019-01-01: {value: 780, assumption: test}}}"


def test_dongxihu_urban_dibao_2020_changes_in_april():
    values = params.load("东西湖区").monthly("dibao.standard.urban", MONTHS_2020)
    assert list(values) == [780] * 3 + [830] * 9


def test_load_by_code_or_name_is_the_same():
    assert params.load("420112") is params.load("东西湖区")


def test_district_inherits_its_city_and_overrides(tree):
    root = tree(
        {
            "defaults/dibao.yaml": "take_up: {unit: ratio, values: {2000-01-01: {value: 0.5, assumption: t}}}",
            "420100-wuhan/dibao.yaml": f"standard: {{urban: {LEAF}, rural: {LEAF}}}",
            "420112-dongxihu/dibao.yaml": "standard: {urban: {unit: yuan/person/month, values: {2019-01-01: {value: 900, assumption: t}}}}",
        }
    )
    p = params.load("东西湖区", root)
    assert p.at("dibao.standard.urban", "2020-01") == 900  # district override
    assert p.at("dibao.standard.rural", "2020-01") == 780  # inherited from the city
    assert p.at("dibao.take_up", "2020-01") == 0.5  # inherited from the defaults


def test_yearly_values_are_converted_by_their_unit(tree):
    root = tree(
        {
            "defaults/dibao.yaml": "standard: {rural: {unit: yuan/person/year, values: {2020-01-01: {value: 8160, assumption: t}}}}"
        }
    )
    p = params.load("东西湖区", root)
    assert p.at("dibao.standard.rural", "2020-06") == 680
    assert p.leaf("dibao.standard.rural").unit == "yuan/person/month"


def test_before_the_first_value_is_an_error(tree):
    root = tree({"defaults/dibao.yaml": f"standard: {{urban: {LEAF}}}"})
    with pytest.raises(CivsimError, match="no value in force on 2018-05-01"):
        params.load("东西湖区", root).at("dibao.standard.urban", "2018-05")


@pytest.mark.parametrize(
    "text, match",
    [
        ("standard: {urban: {unit: yuan/person/month, values: {2019-01-01: {value: 780}}}", "malformed|line|expected"),
        (
            "standard: {urban: {unit: yuan/person/month, values: {2019-01-01: {value: 780, assumption: t}}, colour: red}}",
            "unknown key",
        ),
        ("standard: {urban: {values: {2019-01-01: {value: 780, assumption: t}}}}", "missing unit"),
        (
            "standard: {urban: {unit: yuan/person/fortnight, values: {2019-01-01: {value: 780, assumption: t}}}}",
            "unknown unit",
        ),
        ("standard: {urban: {unit: yuan/person/month, values: {01/04/2020: {value: 780, assumption: t}}}}", "bad date"),
        (
            "standard: {urban: {unit: yuan/person/month, values: {2019-01-01: {value: -5, assumption: t}}}}",
            "negative value",
        ),
        ("standard: {urban: {unit: yuan/person/month, values: {2019-01-01: {value: 780}}}}", "no provenance"),
        (
            "standard: {urban: {unit: yuan/person/month, values: {2019-01-01: {value: 780, source: x.txt}}}}",
            "no provenance",
        ),
        (
            "standard: {urban: {unit: yuan/person/month, values: {2019-01-01: {value: abc, assumption: t}}}}",
            "bad value",
        ),
    ],
)
def test_bad_yaml_gets_one_clear_line(tree, text, match):
    root = tree({"defaults/dibao.yaml": text})
    with pytest.raises(CivsimError, match=match) as err:
        params.load("东西湖区", root)
    message = str(err.value)
    assert "dibao.yaml" in message and "\n" not in message


def test_every_shipped_value_has_provenance_and_seed_quotes_are_verbatim():
    from conftest import SEEDS

    seeds = {p.name: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")} if SEEDS.is_dir() else {}
    checked = 0
    for district in ("天津市", "东丽区", "武汉市", "东西湖区"):
        for leaf in params.load(district).leaves.values():
            for entry in leaf.entries:
                assert entry.source and entry.quote, (leaf.file, leaf.path)
                if entry.source in seeds:
                    assert entry.quote in seeds[entry.source], (leaf.file, leaf.path, entry.quote)
                    checked += 1
    assert checked > 20 or not seeds


def test_cli_params_json(capsys):
    assert main(["params", "--district", "东西湖区", "--date", "2020-05", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert set(rows[0]) == {"path", "value", "unit", "source"}
    urban = next(r for r in rows if r["path"] == "dibao.standard.urban")
    assert urban["value"] == 830 and urban["unit"] == "yuan/person/month"


def test_cli_params_table_and_bad_date(capsys):
    assert main(["params", "--district", "420112", "--date", "2020-03"]) == 0
    assert "dibao.standard.urban" in capsys.readouterr().out
    assert main(["params", "--district", "420112", "--date", "March"]) == 2
    assert "bad date" in capsys.readouterr().err


def test_cli_help_runs():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "civsim.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "simulate" in out.stdout and "reconcile" in out.stdout
    # the help, a usage error and a missing workspace answer before pandas is imported (0.6 s)
    probe = (
        "import sys; from civsim import cli; code = cli.main(['--home', sys.argv[1], 'simulate', '--year', '2020']); "
        "print(code, 'pandas' in sys.modules, 'numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe, "/nonexistent"], capture_output=True, text=True)
    assert out.stdout.split() == ["2", "False", "False"] and "不是 civsim 工作区" in out.stderr
