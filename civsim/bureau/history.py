"""A bureau's roll month after month: several months' exports imported into one history folder
(one roll folder per month, hashed under one salt), and what changed between two months.

``import_months(folders, district, out, salt)`` writes ``out/<YYYY-MM>/`` (households.csv,
persons.csv, roll.yaml, each a roll ``--roll`` reads) and ``out/history.yaml`` (the months, their
counts and each month's 新增 / 退出 beside the one before). ``diff(a, b)`` links two rolls'
persons by their salted hash (``pid_hash``) and their households through shared members: a
household of the later month none of whose members was on the earlier roll is 新增, one of the
earlier month none of whose members is on the later one 退出, a linked household whose category,
street, 保障人口, income or benefit moved 变更. Counts go by street and category, in Chinese.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..atomic import atomic_path, write_text
from ..errors import CivsimError
from ..roll import HOUSEHOLD_COLUMNS, PERSON_COLUMNS
from ..params import read_yaml
from ..roll_tables import read_table
from . import importer, privacy
from .exports import exports_in

CATEGORY_WORDS = {"dibao": "低保", "tekun": "特困", "edge": "低保边缘", "low_income": "低收入", "other": "其他"}
AREA_WORDS = {"urban": "城市", "rural": "农村"}
CHANGES = {"category": "类别", "street": "街道", "size": "保障人口", "income": "家庭收入", "benefit": "保障金额"}
SUMMARY = ["街道", "类别", "新增户", "新增人", "退出户", "退出人", "变更户"]


# ---------------------------------------------------------------- several months into one history


def import_months(folders, district: str, out, salt: bytes) -> list[importer.ImportedRoll]:
    """Each folder one month's exports → ``out/<month>/``; the months must differ. Nothing is
    written unless every month imports."""
    try:
        return _import_months(folders, district, Path(out), salt)
    except CivsimError as exc:  # a folder name may hold a 身份证号 too
        raise privacy.scrubbed(exc) from None


def _import_months(folders, district: str, out: Path, salt: bytes) -> list[importer.ImportedRoll]:
    rolls = []
    for folder in map(Path, folders):
        files = exports_in(folder)
        if not files:
            raise CivsimError(folder, None, "no exports in this folder", "a folder of one month's .xlsx/.xls exports")
        rolls.append(importer.import_exports(files, district, salt=salt))
    seen: dict = {}
    for folder, roll in zip(folders, rolls):
        if roll.month in seen:
            raise CivsimError(
                folder, None, f"a second export of {roll.month} (also {seen[roll.month]})", "one folder per month"
            )
        seen[roll.month] = folder
    rolls.sort(key=lambda r: r.month)
    fingerprint = hashlib.sha256(b"fingerprint:" + salt).hexdigest()[:12]
    months = []
    for i, roll in enumerate(rolls):
        importer.write_roll(roll, out / str(roll.month), salt)
        row = {"month": str(roll.month), "households": len(roll.households), "persons": len(roll.persons)}
        if i:
            summary = _linked(_tables(rolls[i - 1]), _tables(roll)).summary()
            row.update(
                {
                    "新增户": int(summary["新增户"].sum()),
                    "退出户": int(summary["退出户"].sum()),
                    "变更户": int(summary["变更户"].sum()),
                }
            )
        months.append(row)
    meta = {
        "district": rolls[0].district.code,
        "name": rolls[0].district.name,
        "months": months,
        "salt_fingerprint": fingerprint,
    }
    write_text(out / "history.yaml", yaml.safe_dump(meta, allow_unicode=True, sort_keys=False))
    return rolls


def _tables(roll: importer.ImportedRoll) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    return roll.households, roll.persons, str(roll.month)


# ---------------------------------------------------------------- two months beside each other


@dataclass
class Diff:
    before: str
    after: str
    households: pd.DataFrame  # one row per household event: 变动, 街道, 类别, 户 ids, persons, 变更内容

    def summary(self) -> pd.DataFrame:
        """新增 / 退出 (households and persons) and 变更 households per street and category."""
        h = self.households
        if h.empty:
            return pd.DataFrame(columns=SUMMARY)
        counts = pd.crosstab([h["街道"], h["类别"]], h["变动"])
        persons = h[h["变动"] != "变更"].pivot_table(
            index=["街道", "类别"], columns="变动", values="人数", aggfunc="sum", fill_value=0
        )
        out = pd.DataFrame(index=counts.index)
        for column, source, key in (
            ("新增户", counts, "新增"),
            ("新增人", persons, "新增"),
            ("退出户", counts, "退出"),
            ("退出人", persons, "退出"),
            ("变更户", counts, "变更"),
        ):
            out[column] = source[key].reindex(out.index).fillna(0).astype(int) if key in source else 0
        return out.reset_index()[SUMMARY]


def _folder_tables(folder: Path):
    folder = Path(folder)
    meta_path = folder / "roll.yaml"
    if not meta_path.is_file():
        raise CivsimError(folder, None, "not a roll folder (no roll.yaml)", "a folder written by `civsim roll import`")
    meta = read_yaml(meta_path) or {}  # the one YAML 1.2 reader
    households = read_table(folder / "households.csv", HOUSEHOLD_COLUMNS)
    persons = read_table(folder / "persons.csv", PERSON_COLUMNS)
    return households, persons, str(meta.get("month", folder.name)), meta.get("salt_fingerprint")


def diff(a, b) -> Diff:
    """What changed from roll folder ``a`` to roll folder ``b`` (two months of one district)."""
    try:
        return _diff(a, b)
    except CivsimError as exc:
        raise privacy.scrubbed(exc) from None


def _diff(a, b) -> Diff:
    *ta, salt_a = _folder_tables(a)
    *tb, salt_b = _folder_tables(b)
    if salt_a != salt_b:
        raise CivsimError(
            b,
            "roll.yaml salt_fingerprint",
            f"hashed under another salt than {a}",
            "two rolls imported with the same salt, so their persons can be linked",
        )
    return _linked(tuple(ta), tuple(tb))


def _linked(before, after) -> Diff:
    hb, pb, month_b = before
    ha, pa, month_a = after
    # each person's household before and after, joined on the salted hash
    left = pd.DataFrame({"pid_hash": pb["pid_hash"].to_numpy(), "hh_before": pb["household_id"].to_numpy()})
    right = pd.DataFrame({"pid_hash": pa["pid_hash"].to_numpy(), "hh_after": pa["household_id"].to_numpy()})
    both = left.merge(right, on="pid_hash", how="inner")
    # a later household's earlier self: the one sharing most of its members
    pairs = both.groupby(["hh_after", "hh_before"]).size().rename("shared").reset_index()
    pairs = pairs.sort_values(["hh_after", "shared", "hh_before"], ascending=[True, False, True]).drop_duplicates(
        "hh_after"
    )
    size_of = lambda p: p.groupby("household_id").size()  # noqa: E731

    def label(h):
        return h["street"].astype(str).replace("", "（未填）"), h["area"].astype(str).map(AREA_WORDS).fillna("") + h[
            "category"
        ].astype(str).map(CATEGORY_WORDS).fillna("")

    new = ha[~ha["household_id"].isin(both["hh_after"])]
    gone = hb[~hb["household_id"].isin(both["hh_before"])]
    events = []
    for frame, kind, persons in ((new, "新增", size_of(pa)), (gone, "退出", size_of(pb))):
        street, category = label(frame)
        events.append(
            pd.DataFrame(
                {
                    "变动": kind,
                    "街道": street.to_numpy(),
                    "类别": category.to_numpy(),
                    "户编号（前）": frame["household_id"].to_numpy() if kind == "退出" else -1,
                    "户编号（后）": frame["household_id"].to_numpy() if kind == "新增" else -1,
                    "人数": persons.reindex(frame["household_id"]).fillna(0).astype(int).to_numpy(),
                    "变更内容": "",
                }
            )
        )
    was = hb.set_index("household_id").loc[pairs["hh_before"]].reset_index()
    now = ha.set_index("household_id").loc[pairs["hh_after"]].reset_index()
    moved = {}
    for column, word in CHANGES.items():
        x, y = was[column], now[column]
        if column in ("income", "benefit"):
            x, y = x.astype(float).to_numpy(), y.astype(float).to_numpy()
            moved[word] = ~((np.isnan(x) & np.isnan(y)) | (np.abs(x - y) < 0.005))
        else:
            moved[word] = x.astype(str).to_numpy() != y.astype(str).to_numpy()
    what = pd.DataFrame(moved)
    changed = what.any(axis=1).to_numpy()
    street, category = label(now)
    text = what[changed].apply(lambda row: "、".join(w for w, v in row.items() if v), axis=1) if changed.any() else []
    events.append(
        pd.DataFrame(
            {
                "变动": "变更",
                "街道": street.to_numpy()[changed],
                "类别": category.to_numpy()[changed],
                "户编号（前）": was["household_id"].to_numpy()[changed],
                "户编号（后）": now["household_id"].to_numpy()[changed],
                "人数": size_of(pa).reindex(now["household_id"]).fillna(0).astype(int).to_numpy()[changed],
                "变更内容": np.asarray(text, dtype=object),
            }
        )
    )
    table = (
        pd.concat(events, ignore_index=True).sort_values(["街道", "类别", "变动"], kind="stable").reset_index(drop=True)
    )
    return Diff(month_b, month_a, table)


def render(d: Diff) -> str:
    """The summary for the terminal, in Chinese."""
    summary = d.summary()
    total = summary[SUMMARY[2:]].sum()
    lines = [
        f"{d.before} → {d.after}：新增 {int(total['新增户'])} 户 {int(total['新增人'])} 人，"
        f"退出 {int(total['退出户'])} 户 {int(total['退出人'])} 人，变更 {int(total['变更户'])} 户"
    ]
    if len(summary):
        lines.append(summary.to_string(index=False))
    return "\n".join(lines) + "\n"


def write_xlsx(d: Diff, path) -> Path:
    """汇总 (by street and category, with a 合计 row) and 明细 (each household event) sheets."""
    path = Path(path)
    summary = d.summary()
    total = pd.DataFrame([["合计", ""] + [int(summary[c].sum()) for c in SUMMARY[2:]]], columns=SUMMARY)
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            pd.concat([summary, total], ignore_index=True).to_excel(writer, sheet_name="汇总", index=False)
            d.households.to_excel(writer, sheet_name="明细", index=False)
    return path
