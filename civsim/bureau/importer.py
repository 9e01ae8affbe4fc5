"""The exports of one district and month → a linked household–person roll folder.

``import_exports(files, district)`` reads every 家庭查询 and 人员查询 file given, checks them
(身份证号 format and check digit, duplicates, a person's household present and single, each
household's 保障人口 equal to its members), joins persons on 户主身份证号, and returns the two
tables; ``write_roll`` writes households.csv, persons.csv and roll.yaml. Each column is read by
:mod:`.cells`. Any problem is one ``CivsimError`` naming the file, row and column, never the value
of a personal field, and nothing is written.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .. import districts
from ..atomic import atomic_path, write_text
from ..errors import CivsimError
from ..roll import HOUSEHOLD_COLUMNS as ROLL_HOUSEHOLDS, PERSON_COLUMNS as ROLL_PERSONS
from . import cells, exports, idcard, privacy
from . import vocab as V

# The columns an export fills, in the roll's own order and types (civsim.roll names them all).
FROM_EXPORT = {
    "households": (
        "household_id",
        "area",
        "size",
        "income",
        "street",
        "community",
        "category",
        "benefit",
        "classified",
        "start",
        "claim_draw",
        "tier",
    ),
    "persons": (
        "person_id",
        "household_id",
        "pid_hash",
        "age",
        "sex",
        "disability_grade",
        "self_care",
        "child_status",
        "institution",
        "tekun",
        "seriously_ill",
        "classified",
        "start",
    ),
}
HOUSEHOLD_COLUMNS = {name: ROLL_HOUSEHOLDS[name][0] for name in FROM_EXPORT["households"]}
PERSON_COLUMNS = {name: ROLL_PERSONS[name][0] for name in FROM_EXPORT["persons"]}

SALT_DIR_ENV = "CIVSIM_SALT_DIR"


@dataclass
class ImportedRoll:
    households: pd.DataFrame
    persons: pd.DataFrame
    month: pd.Period
    district: districts.District
    files: list


# ---------------------------------------------------------------- the two tables


def _households(exs: list, vocab: V.Vocabulary) -> tuple[pd.DataFrame, pd.DataFrame]:
    parts, where = [], []
    for f, ex in enumerate(exs):
        ids, _ = cells.ids(ex, "head_id")
        category, area, placement = cells.categories(ex, vocab, required=True)
        if ex.has("hukou"):
            hukou = cells.coded(ex, "hukou", vocab, "")
            area = np.where(area == "", hukou, area)
        if (area == "").any():
            raise ex.error(
                "hukou",
                cells.first(area == ""),
                "cannot tell urban or rural",
                "a category label naming the area (城市低保 …) or a 户籍类型 column",
            )
        if ex.has("placement"):
            own = cells.coded(ex, "placement", vocab, "")
            placement = np.where(own != "", own, placement)
        size = cells.counts(ex, "size")
        family = cells.counts(ex, "family_size").astype(float) if ex.has("family_size") else np.full(len(ex), np.nan)
        mean, total = cells.amounts(ex, "income_mean"), cells.amounts(ex, "income_total")
        cl_family, cl_persons = cells.amounts(ex, "classified_family"), cells.amounts(ex, "classified_persons")
        classified = np.where(
            np.isnan(cl_family) & np.isnan(cl_persons), np.nan, np.nan_to_num(cl_family) + np.nan_to_num(cl_persons)
        )
        parts.append(
            pd.DataFrame(
                {
                    "head_id": ids.to_numpy(),
                    "area": area,
                    "size": size,
                    "family": family,
                    "mean": mean,
                    "total": total,
                    "street": ex.text("street").to_numpy(),
                    "community": ex.text("community").to_numpy(),
                    "category": category,
                    "benefit": cells.amounts(ex, "benefit"),
                    "classified": classified,
                    "start": cells.months(ex, "start"),
                    "placement": placement,
                    # 分档: the household's 档 where the export has a 保障档次 column (0: none given)
                    "tier": cells.coded(ex, "tier", vocab, "0").astype(np.int64) if ex.has("tier") else 0,
                }
            )
        )
        where.append(pd.DataFrame({"file": f, "pos": np.arange(len(ex))}))
    table, where = pd.concat(parts, ignore_index=True), pd.concat(where, ignore_index=True)
    dup = table.duplicated("head_id", keep="first").to_numpy()
    if dup.any():
        i = cells.first(dup)
        j = cells.first((table["head_id"] == table["head_id"].iat[i]).to_numpy())
        other = exs[where["file"].iat[j]]
        raise exs[where["file"].iat[i]].error(
            "head_id",
            where["pos"].iat[i],
            "duplicate 户主身份证号",
            f"one row per household (it is also on {other.path.name} row {other.rows[where['pos'].iat[j]]})",
        )
    return table, where


def _persons(exs: list, vocab: V.Vocabulary, month: pd.Period) -> tuple[pd.DataFrame, pd.DataFrame]:
    parts, where = [], []
    for f, ex in enumerate(exs):
        ids, derived = cells.ids(ex, "person_id")
        heads, _ = cells.ids(ex, "head_id")
        birth = derived["birth"].dt
        # Age in completed years on the last day of the export month (a birthday in it counts).
        age = (month.year - birth.year - (month.month < birth.month)).to_numpy(np.int64)
        if (age < 0).any():
            raise ex.error("person_id", cells.first(age < 0), "born after the export month", "a birth date before it")
        cats = cells.categories(ex, vocab, required=False)
        placement = cats[2] if cats else np.full(len(ex), "", dtype=object)
        if ex.has("placement"):
            own = cells.coded(ex, "placement", vocab, "")
            placement = np.where(own != "", own, placement)
        in_institution = (~ex.text("institution_name").isin(set(vocab.values["none"]) | {""})).to_numpy()
        ill = (cells.coded(ex, "health", vocab, "0") == "1") | (
            ~ex.text("illness").isin(set(vocab.values["none"]) | {""})
        ).to_numpy()
        classified = np.nan_to_num(cells.amounts(ex, "classified"))
        parts.append(
            pd.DataFrame(
                {
                    "person_key": ids.to_numpy(),
                    "head_id": heads.to_numpy(),
                    "age": age,
                    "sex": derived["sex"].to_numpy(),
                    "disability_grade": cells.grades(ex, vocab),
                    "self_care": cells.coded(ex, "self_care", vocab, "0").astype(np.int64),
                    "child_status": cells.coded(ex, "child", vocab, "none"),
                    "placement": placement,
                    "in_institution": in_institution,
                    "category": cats[0] if cats else np.full(len(ex), "", dtype=object),
                    "seriously_ill": ill.astype(np.int64),
                    "classified": classified,
                    "start": cells.months(ex, "start"),
                    # a family member listed but not covered (是否保障对象 否) counts for the family's size
                    # and income, and is no recipient
                    "covered": cells.coded(ex, "covered", vocab, "1") == "1",
                    "income": cells.amounts(ex, "income"),
                }
            )
        )
        where.append(pd.DataFrame({"file": f, "pos": np.arange(len(ex))}))
    return pd.concat(parts, ignore_index=True), pd.concat(where, ignore_index=True)


def _fail(exs, where, i, field, problem, expected=""):
    return exs[where["file"].iat[i]].error(field, where["pos"].iat[i], problem, expected)


def import_exports(
    files, district: str, month: str | None = None, salt: bytes | None = None, vocab: V.Vocabulary | None = None
) -> ImportedRoll:
    try:
        return _import(files, district, month, salt, vocab)
    except CivsimError as exc:  # a file name may hold a 身份证号: masked in every message
        raise privacy.scrubbed(exc) from None


def _import(files, district: str, month: str | None, salt: bytes | None, vocab: V.Vocabulary | None) -> ImportedRoll:
    vocab = vocab or V.load()
    target = districts.find(district)
    if salt is None:
        salt = read_salt(target)
    # Excel's lock files (~$name.xlsx, while a file is open) sit beside the exports: not exports
    paths = sorted({Path(f) for f in files if not Path(f).name.startswith("~$")}, key=lambda p: (p.name, str(p)))
    if not paths:
        raise CivsimError("civsim roll import", "FILES", "no files given", "the 家庭查询 and 人员查询 exports")
    read = [exports.read(p, vocab) for p in paths]
    hh_ex = [e for e in read if e.kind == "household"]
    pp_ex = [e for e in read if e.kind == "person"]
    for missing, label in ((not hh_ex, "家庭查询"), (not pp_ex, "人员查询")):
        if missing:
            raise CivsimError(
                "civsim roll import",
                "FILES",
                f"no {label} export among the files",
                "a 家庭查询 and a 人员查询 export per category",
            )
    period = _export_month(read, month)
    for ex in read:
        _same_district(ex, target)

    hh, hh_where = _households(hh_ex, vocab)
    pp, pp_where = _persons(pp_ex, vocab, period)

    # A 身份证号 twice: the same household twice is a duplicate; two households is a conflict.
    dup = pp.duplicated("person_key", keep=False).to_numpy()
    if dup.any():
        first_of = pp.groupby("person_key", sort=False)["head_id"].transform("first").to_numpy()
        i = cells.first(dup & (pp.duplicated("person_key", keep="first").to_numpy()))
        two = first_of[i] != pp["head_id"].iat[i]
        raise _fail(
            pp_ex,
            pp_where,
            i,
            "head_id" if two else "person_id",
            "person in two households" if two else "duplicate 身份证号",
            "one row per person, in one household",
        )
    index = pd.Index(hh["head_id"]).get_indexer(pp["head_id"])
    if (index < 0).any():
        raise _fail(
            pp_ex,
            pp_where,
            cells.first(index < 0),
            "head_id",
            "household absent",
            "a 户主身份证号 listed in a 家庭查询 export",
        )
    covered = pp["covered"].to_numpy(bool)
    members = np.bincount(index[covered], minlength=len(hh))
    off = members != hh["size"].to_numpy()
    if off.any():
        i = cells.first(off)
        raise _fail(
            hh_ex,
            hh_where,
            i,
            "size",
            f"保障人口 {hh['size'].iat[i]} but the 人员查询 exports list {members[i]} member(s) covered",
            "保障人口 equal to the household's persons covered",
        )
    listed = np.bincount(index, minlength=len(hh))
    family = hh["family"].to_numpy(float)
    over = listed > np.nan_to_num(family, nan=np.inf)
    if over.any():
        i = cells.first(over)
        raise _fail(
            hh_ex,
            hh_where,
            i,
            "family_size",
            f"家庭人口 {int(family[i])} but the 人员查询 exports list {listed[i]} member(s)",
            "家庭人口 at least the household's persons listed",
        )
    family = np.where(np.isnan(family), np.maximum(listed, hh["size"].to_numpy()), family)
    # Income per person and month: 家庭年均收入 / 12, else 家庭年总收入 / 12 / 家庭人口, else the
    # members' own 年收入 (covered or not) summed.
    own = pp["income"].to_numpy(float)
    from_persons = np.bincount(index, weights=np.nan_to_num(own), minlength=len(hh))
    any_own = np.bincount(index, weights=~np.isnan(own), minlength=len(hh)) > 0
    total = np.where(np.isnan(hh["total"].to_numpy(float)) & any_own, from_persons, hh["total"].to_numpy(float))
    mean = hh["mean"].to_numpy(float)
    hh["income"] = np.round(np.where(~np.isnan(mean), mean / 12, total / 12 / family), 2)  # to the fen

    households = pd.DataFrame(
        {
            "household_id": np.arange(len(hh), dtype=np.int64),
            "area": hh["area"],
            "size": hh["size"],
            "income": hh["income"],
            "street": hh["street"],
            "community": hh["community"],
            "category": hh["category"],
            "benefit": hh["benefit"],
            "classified": hh["classified"],
            "start": hh["start"],
            "claim_draw": 0.0,
            "tier": hh["tier"],
        }
    )[list(HOUSEHOLD_COLUMNS)]

    order = np.argsort(index, kind="stable")
    order = order[covered[order]]
    pp, index = pp.iloc[order].reset_index(drop=True), index[order]
    home = hh.iloc[index].reset_index(drop=True)
    category = np.where(pp["category"] != "", pp["category"], home["category"])
    placement = np.where(pp["placement"] != "", pp["placement"], home["placement"])
    persons = pd.DataFrame(
        {
            "person_id": np.arange(len(pp), dtype=np.int64),
            "household_id": index.astype(np.int64),
            "pid_hash": idcard.hashed(pp["person_key"], salt),
            "age": pp["age"],
            "sex": pp["sex"],
            "disability_grade": pp["disability_grade"],
            "self_care": pp["self_care"],
            "child_status": pp["child_status"],
            "institution": ((placement == "centralized") | pp["in_institution"].to_numpy()).astype(np.int64),
            "tekun": (category == "tekun").astype(np.int64),
            "seriously_ill": pp["seriously_ill"],
            "classified": pp["classified"],
            "start": np.where(pp["start"] != "", pp["start"], home["start"]),
        }
    )
    return ImportedRoll(
        households, persons[list(PERSON_COLUMNS)], period, target, [privacy.masked(p.name) for p in paths]
    )


def _same_district(ex: exports.Export, target: districts.District) -> None:
    """An export whose 所属区(县) names another district is refused, not taken as ``target``'s.
    The cell is shown only where it is a district's name (a misplaced personal value is not)."""
    if not ex.has("district"):
        return
    text = ex.text("district")
    values = pd.Series(pd.unique(text[text != ""]), dtype=object)
    short = target.name[:-1] if len(target.name) > 2 and target.name[-1] in "区县市旗" else target.name
    ours = (
        values.isin({target.name, target.code, short}) | values.str.endswith(target.name) | values.str.endswith(short)
    )
    if ours.all():
        return
    value = values[~ours].iat[0]
    try:
        named = districts.find(value).name
    except CivsimError:
        named = None
    raise ex.error(
        "district",
        cells.first((text == value).to_numpy()),
        f"an export of {named}, not of {target.name}" if named else f"not {target.name}",
        f"{target.name}'s exports (or --district naming the district they are of)",
    )


def _export_month(read: list, month: str | None) -> pd.Period:
    if month:
        try:
            return pd.Period(month, "M")
        except (ValueError, TypeError):
            raise CivsimError("civsim roll import", "--month", f"bad month {month!r}", "YYYY-MM") from None
    months = {e.month for e in read}
    if None in months or len(months) != 1:
        names = "、".join(e.path.name for e in read if e.month is None) or "the files"
        raise CivsimError(
            names,
            None,
            "cannot tell the export month from the file names",
            "names ending _YYYYMMDD of one month, or --month YYYY-MM",
        )
    return months.pop()


# ---------------------------------------------------------------- salt and output


def salt_path(district: districts.District) -> Path:
    """The district's salt file, outside the repository: $CIVSIM_SALT_DIR/<code>.salt, by default
    ~/.config/civsim/salt/<code>.salt."""
    folder = Path(os.environ.get(SALT_DIR_ENV) or Path.home() / ".config" / "civsim" / "salt")
    return folder / f"{district.code}.salt"


def read_salt(district: districts.District, path: str | Path | None = None) -> bytes:
    """The salt from ``path`` or the district's salt file; a missing default file is created
    with 32 random bytes (hex), readable by its owner only, and announced on standard error."""
    explicit = path is not None
    path = Path(path) if explicit else salt_path(district)
    if path.resolve().is_relative_to(districts.ROOT):
        raise CivsimError(path, None, "the salt file is inside the repository", "a salt file outside it")
    if not path.is_file():
        if explicit:
            raise CivsimError(path, None, "salt file not found", "an existing salt file")
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            tmp.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
            os.chmod(tmp, 0o600)
        os.chmod(path, 0o600)
        print(f"已创建密钥文件 {path}：请妥善保存，下月导入用同一密钥，同一人的编码才能对应", file=sys.stderr)
    salt = path.read_text(encoding="ascii", errors="replace").strip()
    if len(salt) < 16:
        raise CivsimError(path, None, "salt too short", "at least 16 characters")
    return salt.encode("utf-8")


def write_roll(roll: ImportedRoll, out: str | Path, salt: bytes) -> Path:
    out = Path(out)
    from ..tables import write_csv  # a cell Excel would run as a formula is written as text

    write_csv(roll.households, out / "households.csv")
    write_csv(roll.persons, out / "persons.csv")
    meta = {
        "month": str(roll.month),
        "district": roll.district.code,
        "name": roll.district.name,
        "households": len(roll.households),
        "persons": len(roll.persons),
        "files": roll.files,
        "pid_hash": "HMAC-SHA256 of 身份证号, 80 bits, base32",
        "salt_fingerprint": hashlib.sha256(b"fingerprint:" + salt).hexdigest()[:12],
    }
    write_text(out / "roll.yaml", yaml.safe_dump(meta, allow_unicode=True, sort_keys=False))
    return out
