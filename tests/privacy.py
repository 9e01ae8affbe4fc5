"""The personal data of the shipped sample exports (data/samples/420112-dongxihu), and the scan that
no output of civsim holds any of it: the robustness tests and the README's roll flow (test_wheel) share it."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pandas as pd

from conftest import ROOT

SAMPLE = ROOT / "data" / "samples" / "420112-dongxihu"
ID_SHAPED = re.compile(r"\d{17}[\dXx]|\d{15}")
PHONE_SHAPED = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@functools.cache  # the shipped sample does not change within a session
def personal_data() -> tuple[str, ...]:
    """Every name, 身份证号, phone, address and bank account in the shipped sample's exports."""
    return personal_in(SAMPLE)


def personal_in(folder: Path) -> tuple[str, ...]:
    """Every name, 身份证号, phone, address and bank account in the exports of ``folder``."""
    found = set()
    for path in Path(folder).glob("*.xlsx"):
        raw = pd.read_excel(path, engine="openpyxl", header=None, dtype=str)
        found.update(v.split("：", 1)[1] for v in raw.iloc[:, 0].dropna() if v.startswith("制表人："))
        frame = pd.read_excel(path, engine="openpyxl", header=2, dtype=str)
        for column in (
            "户主姓名",
            "姓名",
            "银行账户名称",
            "户主身份证号",
            "身份证号",
            "联系电话",
            "家庭住址",
            "银行帐号",
        ):
            if column in frame:
                found.update(v for v in frame[column].dropna() if not v.startswith("制表"))
    return tuple(sorted(found))


def scan(text: str, personal: tuple[str, ...]) -> None:
    assert not ID_SHAPED.search(text), ID_SHAPED.search(text).group()
    assert not PHONE_SHAPED.search(text)
    leaked = [v for v in personal if v in text]
    assert not leaked, f"{len(leaked)} personal values in the output"
