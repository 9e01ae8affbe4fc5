"""The roll month after month: a sample of three months with turnover, imported as one history,
and 新增 / 退出 / 变更 between two months checked against the exports themselves."""

import functools
import re
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from civsim import params, roll_io
from civsim.cli import main
from civsim.errors import CivsimError

MONTHS = ("2020-10", "2020-11", "2020-12")


@pytest.fixture(scope="module")
def months(tmp_path_factory):
    root = tmp_path_factory.mktemp("months")
    mp = pytest.MonkeyPatch()
    mp.setenv("CIVSIM_SALT_DIR", str(root / "salt"))
    assert (
        main(
            [
                "roll",
                "sample",
                "--district",
                "东西湖区",
                "--households",
                "400",
                "--months",
                "3",
                "--out",
                str(root / "exports"),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "roll",
                "import",
                *(str(root / "exports" / m) for m in MONTHS),
                "--district",
                "东西湖区",
                "--out",
                str(root / "history"),
            ]
        )
        == 0
    )
    yield root
    mp.undo()


def _exports(folder, kind):
    """Every category's 家庭查询 (kind 家庭) or 人员查询 (人员) rows of one month, as text."""
    return _read_exports(str(folder), kind).copy()


@functools.cache  # the module's months are written once; reading a workbook is the slow part
def _read_exports(folder, kind):
    folder = Path(folder)
    frames = []
    for path in sorted(folder.glob(f"*{kind}查询_*.xlsx")):
        frame = pd.read_excel(path, header=2, dtype=str, engine="openpyxl")
        frames.append(frame[frame.iloc[:, 2].str.fullmatch(r"\d{17}[\dX]", na=False)].assign(file=path.name))
    return pd.concat(frames, ignore_index=True)


def test_a_month_folder_per_month_with_entries_exits_and_stable_numbers(months):
    folders = sorted(p.name for p in (months / "exports").iterdir())
    assert folders == list(MONTHS)
    before, after = _exports(months / "exports" / MONTHS[0], "家庭"), _exports(months / "exports" / MONTHS[1], "家庭")
    stayed = set(before["户主身份证号"]) & set(after["户主身份证号"])
    entered = after[~after["户主身份证号"].isin(before["户主身份证号"])]
    assert 0 < len(set(before["户主身份证号"]) - stayed) < 20 and 0 < len(entered) < 20
    assert (entered["最初享受月(份)"] == "2020-11").all()
    people = _exports(months / "exports" / MONTHS[1], "人员")
    assert people["身份证号"].is_unique


def test_the_months_import_into_one_history_each_month_a_roll(months):
    meta = (months / "history" / "history.yaml").read_text(encoding="utf-8")
    assert all(f"month: {m}" in meta for m in MONTHS) and "新增户" in meta
    for month in MONTHS:
        roll = roll_io.load_folder(params.load("东西湖区"), 2020, months / "history" / month)
        assert str(roll.anchor) == month and len(roll.households) > 390
    with pytest.raises(CivsimError, match="a roll history, one folder per month .*2020-12"):
        roll_io.load_folder(params.load("东西湖区"), 2020, months / "history")
    first = pd.read_csv(months / "history" / MONTHS[0] / "persons.csv")
    second = pd.read_csv(months / "history" / MONTHS[1] / "persons.csv")
    assert len(set(first["pid_hash"]) & set(second["pid_hash"])) > 0.9 * len(first)  # one salt: linked


def _differs(both, column):
    x, y = pd.to_numeric(both[f"{column}_a"]), pd.to_numeric(both[f"{column}_b"])
    return ~((x.isna() & y.isna()) | np.isclose(x.fillna(-1), y.fillna(-1)))


def test_the_diff_agrees_with_the_exports(months, capsys, tmp_path):
    a, b = (months / "exports" / m for m in MONTHS[:2])
    house_a, house_b = _exports(a, "家庭"), _exports(b, "家庭")
    person_a, person_b = _exports(a, "人员"), _exports(b, "人员")
    gone = set(house_a["户主身份证号"]) - set(house_b["户主身份证号"])
    new = set(house_b["户主身份证号"]) - set(house_a["户主身份证号"])
    both = house_a.merge(house_b, on="户主身份证号", suffixes=("_a", "_b"))
    moved = both[_differs(both, "户月保障金额（元）") | _differs(both, "家庭年均收入（元）")]

    code = main(
        [
            "roll",
            "diff",
            str(months / "history" / MONTHS[0]),
            str(months / "history" / MONTHS[1]),
            "--xlsx",
            str(tmp_path / "diff.xlsx"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    persons_new = len(set(person_b["身份证号"]) - set(person_a["身份证号"]))
    persons_gone = len(set(person_a["身份证号"]) - set(person_b["身份证号"]))
    assert out.startswith(
        f"2020-10 → 2020-11：新增 {len(new)} 户 {persons_new} 人，退出 {len(gone)} 户 "
        f"{persons_gone} 人，变更 {len(moved)} 户"
    ), out
    assert "街道" in out and "类别" in out
    book = openpyxl.load_workbook(tmp_path / "diff.xlsx")
    assert book.sheetnames == ["汇总", "明细"]
    rows = list(book["汇总"].iter_rows(values_only=True))
    assert rows[0][:3] == ("街道", "类别", "新增户") and rows[-1][0] == "合计"
    assert rows[-1][2:] == (len(new), persons_new, len(gone), persons_gone, len(moved))
    detail = list(book["明细"].iter_rows(values_only=True))
    assert len(detail) == 1 + len(new) + len(gone) + len(moved)
    text = "\n".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row)
    assert not re.search(r"\d{17}[\dXx]|\d{15}", text)


def test_rolls_under_other_salts_or_two_folders_of_one_month_are_refused(months, tmp_path, capsys):
    other = tmp_path / "other"
    assert (
        main(
            [
                "roll",
                "import",
                str(months / "exports" / MONTHS[1]),
                "--district",
                "东西湖区",
                "--out",
                str(other),
                "--salt",
                "another-salt-0123456789",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["roll", "diff", str(months / "history" / MONTHS[0]), str(other)]) == 2
    assert "another salt" in capsys.readouterr().err
    twice = tmp_path / "twice"
    shutil.copytree(months / "exports" / MONTHS[0], twice)
    assert (
        main(
            [
                "roll",
                "import",
                str(months / "exports" / MONTHS[0]),
                str(twice),
                "--district",
                "东西湖区",
                "--out",
                str(tmp_path / "h"),
                "--salt",
                "a-salt-0123456789abc",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "a second export of 2020-10" in err and not (tmp_path / "h").exists()
