"""An export's columns read as the roll's values, a column at a time: yuan amounts, counts of
persons, months (in the forms clerks type, or an Excel date serial), coded labels through the
vocabulary, disability grades, categories (from 救助类型 or the file's name) and 身份证号. Each
parser is applied to a column's distinct values only; a cell it cannot read is one ``CivsimError``
naming the file, row and column, never the cell's value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import CivsimError
from . import exports, idcard, privacy
from . import vocab as V

EXCEL_SERIALS = (18264, 73051)  # 1950-01-01 … 2099-12-31 as Excel day numbers
GRADES = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def first(mask) -> int:
    """The first row where ``mask`` holds."""
    return int(np.asarray(mask).argmax())


def _per_value(text: pd.Series, parse):
    """``parse`` applied to the distinct values only (a column holds far fewer than its rows)."""
    codes, uniques = pd.factorize(text)
    return parse(pd.Series(uniques, dtype=object)), codes


def amounts(ex: exports.Export, field: str) -> np.ndarray:
    """Yuan amounts, text or number; blank is NaN; garbage or a negative amount is an error."""

    def parse(u):
        u = u.astype("string[pyarrow]").str.replace(r"[,，元¥￥]", "", regex=True).astype(object)
        return pd.to_numeric(u.replace("", None), errors="coerce").to_numpy(float)

    text = ex.text(field)
    parsed, codes = _per_value(text, parse)
    values = parsed[codes] if len(codes) else np.zeros(0)
    bad = (np.isnan(values) & (text != "").to_numpy()) | (values < 0)
    if bad.any():
        raise ex.error(field, first(bad), "not an amount", "a number of yuan, or blank")
    return values


def counts(ex: exports.Export, field: str) -> np.ndarray:
    values = amounts(ex, field)
    bad = np.isnan(values) | (values % 1 != 0) | (values < 1)
    if bad.any():
        raise ex.error(field, first(bad), "not a count of persons", "a whole number, at least 1")
    return values.astype(np.int64)


def months(ex: exports.Export, field: str) -> np.ndarray:
    """'YYYY-MM' from 2019-03, 201903, 2019/3, 2019年3月, 2019-03-01 00:00:00, or an Excel date
    serial (43525 is 2019-03-01) where the cell lost its date format; blank is ''."""

    def parse(u):
        serial = pd.to_numeric(u.where(u.str.fullmatch(r"[1-9]\d{4}(?:\.\d+)?")), errors="coerce")
        serial = serial.where(serial.between(EXCEL_SERIALS[0], EXCEL_SERIALS[1]))
        dates = pd.to_datetime("1899-12-30") + pd.to_timedelta(serial.fillna(0).astype(np.int64), unit="D")
        u = u.where(serial.isna(), dates.dt.strftime("%Y-%m"))
        parts = u.str.extract(r"^((?:19|20)\d{2})\D{0,1}(\d{1,2})(?:\D.*|\d{2}.*)?$")
        month = pd.to_numeric(parts[1], errors="coerce")
        good = parts[0].notna() & month.between(1, 12)
        out = np.where(good, parts[0].fillna("") + "-" + month.fillna(0).astype(int).astype(str).str.zfill(2), None)
        out[(u == "").to_numpy()] = ""
        return out

    text = ex.text(field)
    parsed, codes = _per_value(text, parse)
    values = parsed[codes] if len(codes) else np.zeros(0, dtype=object)
    bad = pd.isna(values)
    if bad.any():
        raise ex.error(field, first(bad), "not a month", "YYYY-MM, YYYYMM or YYYY年M月")
    return values.astype(object)


def coded(ex: exports.Export, field: str, vocab: V.Vocabulary, default: str) -> np.ndarray:
    """A coded field through its table in values.csv; blank and the 'none' labels give ``default``."""
    text = ex.text(field)
    table = vocab.values[field]
    known = {**{k: default for k in vocab.values["none"]}, "": default, **table}  # 否 is a 是否保障对象 label
    out = text.map(known)
    bad = out.isna().to_numpy()
    if bad.any():
        raise ex.error(field, first(bad), "unknown label", "one of " + "、".join(k for k in table) + " or blank")
    return out.to_numpy()


def grades(ex: exports.Export, vocab: V.Vocabulary) -> np.ndarray:
    text = ex.text("disability_grade")
    none = set(vocab.values["none"]) | {""}
    grade = text.str.extract(r"([一二三四1-4])级?$")[0].map(GRADES)
    bad = (grade.isna() & ~text.isin(none)).to_numpy()
    if bad.any():
        raise ex.error("disability_grade", first(bad), "unknown disability grade", "一级…四级, 1–4, or blank/无")
    grade = grade.fillna(0).to_numpy(np.int64)
    if ex.has("disabled"):  # 是否残疾 = 否 overrides a stray grade
        grade[ex.text("disabled").isin({"否", "无"}).to_numpy()] = 0
    return grade


def categories(ex: exports.Export, vocab: V.Vocabulary, required: bool):
    """(category, area, placement) arrays per row: from 救助类型 where given, else from a label in
    the file's name or title; None when neither says and ``required`` is False."""
    file_label = None
    matches = [c for k, c in vocab.categories.items() if k in ex.label_text]
    if matches:
        file_label = max(matches, key=lambda c: len(V.label(c.label)))
    text = ex.text("category") if ex.has("category") else pd.Series("", index=range(len(ex)))
    blank = (text == "").to_numpy()
    if blank.any() and file_label is None:
        if not required:  # a person's category may come from the household
            if not ex.has("category"):
                return None
            file_label = V.Category("", "", "", "")
        else:
            raise ex.error(
                "category",
                first(blank),
                "cannot tell the category",
                "a 救助类型 column, or a category label in the file name or title row (e.g. 城市低保家庭查询)",
            )
    labels = {}
    for value in pd.unique(text[~blank]):  # a handful of distinct labels, not rows
        try:
            labels[value] = vocab.category(value, ex.path, None)
        except CivsimError as exc:
            shown = privacy.shown_label(value)
            raise ex.error(
                "category",
                first((text == value).to_numpy()),
                f"unknown category label {shown!r}"
                if shown
                else "unknown category label (not shown: it reads like no category)",
                exc.expected,
            ) from None
    out = []
    for attribute in ("category", "area", "placement"):
        fallback = getattr(file_label, attribute) if file_label else ""
        mapping = {value: getattr(c, attribute) for value, c in labels.items()}
        out.append(text.map(mapping).fillna(fallback).to_numpy(dtype=object))
    return tuple(out)


def ids(ex: exports.Export, field: str):
    ids = idcard.upgraded(ex.text(field))
    problem, derived = idcard.validate(ids)
    bad = problem != ""
    if bad.any():
        i = first(bad)
        raise ex.error(
            field, i, "empty" if ids.iloc[i] == "" else problem[i], "an 18-character 身份证号 stored as text"
        )
    return ids, derived
