"""A new program is three files: its rule, its parameters and its cases. Nothing else is edited.

The test writes a winter heating subsidy (取暖补贴: a flat amount per household per month, November
to March, for households on 低保 and 特困 persons) into a temporary copy of the repository, then in a
subprocess importing that copy checks every place a program shows up: the engine's table, the
labels, the reconciliation's 低保金及补贴, the budget projection's lines, the explorer's controls
and the 工作总结's sentence — all without a notebook kernel.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

RULE = '''\
"""取暖补贴: in the heating months (November to March) each household on 低保 and each 特困 person
gets a flat amount a month. One line per group it rides on: dibao_heating, tekun_heating."""
from __future__ import annotations

import numpy as np

from . import Paid, Param, Program

GROUPS = {"dibao": "低保", "tekun": "特困供养"}
MONTHS = (11, 12, 1, 2, 3)


def pay(month, view) -> dict:
    if month.period.month not in MONTHS:
        return {}
    amount = month.value("heating.amount")
    out = {}
    for group in GROUPS:
        if group not in month.results:
            continue
        paid = month.result(group)[3]
        out[f"{group}_heating"] = Paid(paid.rows, np.full(len(paid.rows), amount), over=group)
    return out


PROGRAM = Program(
    key="heating", label="取暖补贴", entity="household", order=240, pay=pay, reads=tuple(GROUPS),
    lines={f"{g}_heating": f"{label}取暖补贴" for g, label in GROUPS.items()},
    declared_by=("heating.amount",),
    params={"heating.amount": Param("yuan/household/month", required=True, label="取暖补贴（每户每月）")},
    method="按每户每月定额在11月至次年3月计发",
    published="区民政局关于困难群众冬季取暖补贴的通知",
)
'''

PARAMS = """\
amount:
  unit: yuan/household/month
  description: 低保、特困家庭冬季取暖补贴（11月至次年3月，每户每月）
  values:
    2019-01-01: {value: 100, assumption: "a test rule: 100 yuan a household a month"}
"""

CASES = """\
- name: 12月城市低保户每户100元
  period: 2020-12
  household: {area: urban, income: 400, category: dibao, members: [{age: 45}, {age: 40}]}
  output: {dibao_heating: 100, dibao: 860}
- name: 6月不发放
  period: 2020-06
  household: {area: urban, income: 400, category: dibao, members: [{age: 45}]}
  output: {dibao_heating: 0}
- name: 1月农村特困人员100元
  period: 2021-01
  household: {area: rural, category: tekun, members: [{age: 75, tekun: 1}]}
  output: {tekun_heating: 100}
"""

CHECK = """\
import json

import pandas as pd

from civsim import engine, explorer, params, programs, reconcile
from civsim.budget import project
from civsim.report import labels, numbers as fmt, text
from civsim.report.summary import AnnualSummary

out = {"family": [programs.family("dibao_heating"), programs.family("tekun_heating")],
       "label": [programs.LINES.get("dibao_heating"), labels.program_label("tekun_heating")],
       "dibao_lines": list(programs.reported_lines("dibao")),
       "detail": labels.reconcile_detail("dibao")}

# the summary notebook's own calls: the year to October, its sentences, its tables
summary = AnnualSummary.compute("东西湖区", 2020, as_of_month=10)
year = summary.all_results[summary.all_results["scenario"] == "baseline"]
heating = year[year["program"].isin(["dibao_heating", "tekun_heating"])]
out["paid_yuan"] = heating.groupby("program")["amount_yuan"].sum().round(2).to_dict()
out["months"] = sorted({int(m.month) for m in heating.loc[heating["amount_yuan"] > 0, "month"]})
out["social_assistance"] = dict((area, paragraph) for area, paragraph, _ in summary.areas())["社会救助"]
flows = summary.flows
out["dibao_family_yuan"] = float(flows.loc[flows["program"].map(programs.family) == "dibao", "amount_yuan"].sum())
out["dibao_heating_yuan"] = float(flows.loc[flows["program"] == "dibao_heating", "amount_yuan"].sum())
out["table"] = summary.program_table().to_string()

table = reconcile.reconcile("420112", 2020, results=summary.all_results)
row = table[(table["program"] == "dibao") & (table["measure"] == "amount_yuan")
            & (table["period"] == "2020-01..2020-10")].iloc[0]
out["reconciled"] = {"model": float(row["model"]), "reported": float(row["reported"]), "money": fmt.money(row["model"])}

budget = project("东西湖区", 2021, draws=1, years=1)
lines = budget.lines[budget.lines["scenario"] == "baseline"].set_index("program")
out["budget"] = {line: float(lines.loc[line, "mean_yuan"]) for line in ("dibao_heating", "tekun_heating")
                 if line in lines.index}
out["budget_family"] = {line: lines.loc[line, "family"] for line in out["budget"]}

p = params.load("东西湖区")
sim = engine.Simulation(p, 2021)
baseline = sim.run(p)
paid = explorer.paid_programs(baseline)
out["control"] = [s for s in explorer.STANDARDS if s[1] == "heating.amount"]
out["moving"] = "heating.amount" in explorer.moving_leaves(sim, p, baseline, paid)
print(json.dumps(out, ensure_ascii=False, default=str))
"""


def _copy(tmp_path: Path) -> Path:
    """The package, the parameters, the data and the test cases, as a repository holds them."""
    copy = tmp_path / "repo"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("civsim", "params", "data", "tests/programs/cases"):
        shutil.copytree(ROOT / name, copy / name, ignore=skip)
    for name in ("tests/conftest.py", "tests/programs/test_cases.py", "pyproject.toml"):
        shutil.copy2(ROOT / name, copy / name)
    return copy


def _run(copy: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(copy)
    return subprocess.run([sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_a_new_program_is_three_files_and_shows_up_everywhere(tmp_path):
    copy = _copy(tmp_path)
    (copy / "civsim/programs/heating.py").write_text(RULE, encoding="utf-8")
    (copy / "params/420112-dongxihu/heating.yaml").write_text(PARAMS, encoding="utf-8")
    (copy / "tests/programs/cases/heating.yaml").write_text(CASES, encoding="utf-8")

    cases = _run(copy, "-m", "pytest", "-v", "-p", "no:cacheprovider", "tests/programs/test_cases.py", "-k", "heating")
    assert cases.returncode == 0, cases.stdout[-3000:] + cases.stderr[-3000:]
    assert "3 passed" in cases.stdout, cases.stdout[-3000:]

    done = _run(copy, "-c", CHECK)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])

    # labelled, and folded into the program it rides on by the one family rule
    assert out["family"] == ["dibao", "tekun"]
    assert out["label"] == ["低保取暖补贴", "特困供养取暖补贴"]
    # simulated: money in the tidy table, only in the heating months
    assert out["paid_yuan"]["dibao_heating"] > 0 and out["paid_yuan"]["tekun_heating"] > 0
    assert out["months"] == [1, 2, 3, 11, 12]
    # reconciled: part of 低保金及补贴, and said so in the reconciliation's notes
    assert "dibao_heating" in out["dibao_lines"] and "tekun_heating" not in out["dibao_lines"]
    assert out["detail"].endswith("低保取暖补贴")
    assert out["reconciled"]["model"] == round(out["dibao_family_yuan"], 2)
    # described: the summary's 低保金及补贴 is the reconciliation's figure, heating included
    assert out["dibao_heating_yuan"] > 0
    assert f"累计发放低保金及补贴{out['reconciled']['money']}。" in out["social_assistance"]
    assert "低保金及补贴" in out["table"]
    # budgeted: its lines are in the projection, under the caseload they ride on
    assert out["budget"]["dibao_heating"] > 0 and out["budget"]["tekun_heating"] > 0
    assert out["budget_family"] == {"dibao_heating": "dibao", "tekun_heating": "tekun"}
    # offered: its labelled amount is a planner's control where the district pays it
    assert out["control"] == [["heating", "heating.amount", "取暖补贴（每户每月）", "元/户·月"]]
    assert out["moving"] is True


def test_the_copy_without_the_new_files_pays_no_heating(tmp_path):
    """The same check script on an untouched copy: no heating line anywhere (the test above can fail)."""
    copy = _copy(tmp_path)
    done = _run(
        copy,
        "-c",
        textwrap.dedent("""\
        from civsim import programs
        from civsim.report import text
        print("dibao_heating" in programs.LINES, [k for _, keys in text.areas() for k in keys if "heating" in k])
    """),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "False []"
