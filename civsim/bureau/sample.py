"""A seeded sample of a district's exports: a 家庭查询 and a 人员查询 .xlsx per category
(城市低保, 农村低保, 特困人员, 低保边缘), shaped like the information system's — title rows, Chinese
headers with （元）, mixed text and number cells, a footer — with fake names, phones, addresses,
bank accounts and check-digit-valid fake 身份证号 (region code of the district, so they are
plausible but belong to nobody). Amounts follow the district's standards in params at the
month: the 低保 benefit is the gap (standard − income) × 保障人口, so a model of the same rule
reproduces it to the yuan, apart from the 分类施保 that rides on it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from .. import districts, params
from ..errors import CivsimError
from ..programs import tekun
from ..roll import AREAS
from . import idcard, xlsx_writer
from . import vocab as V

# Shares of the sample's households by export (assumption of the sample, near 东西湖区's mix).
GROUPS = (
    ("城市低保", "dibao", "urban", 0.20),
    ("农村低保", "dibao", "rural", 0.55),
    ("特困人员", "tekun", "", 0.10),
    ("低保边缘", "edge", "", 0.15),
)
# Monthly turnover of the sample (an assumption of the sample, near the national 低保 roll's
# yearly entries and exits of 15–20 %): households leaving, households entering, 低保 households
# whose income was re-assessed.
EXIT_RATE, ENTRY_RATE, REASSESSED = 0.015, 0.015, 0.03
SIZE_SHARES = np.array([0.55, 0.27, 0.12, 0.05, 0.01])  # 保障人口 1..5
SURNAMES = list(
    "王李张刘陈杨黄赵周徐孙马朱胡郭何高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任卢姚钟姜崔谭陆汪范廖石金贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙"
)
GIVEN = list("伟芳娜敏静秀英丽强磊洋勇艳杰娟涛明超霞刚桂兰萍鹏辉玲燕红波宁琴云莲浩凯瑞婷欣怡梓轩宇晨睿俊博雅淑慧琳倩")
COMMUNITY_BASES = ("东风", "向阳", "幸福", "和平", "光明", "友谊", "团结", "民主", "建设", "育才", "丰收", "红旗")
ILLNESSES = ("尿毒症", "恶性肿瘤", "白血病", "重症精神病", "脑瘫", "再生障碍性贫血")
GRADE_TEXT = np.array(["一级", "二级", "三级", "四级", "1级", "2", "视力二级", "肢体三级"])
GRADE_VALUE = np.array([1, 2, 3, 4, 1, 2, 2, 3])

HOUSEHOLD_HEADER = [
    "序号",
    "户主姓名",
    "户主身份证号",
    "家庭人口数",
    "保障人口数",
    "家庭年总收入（元）",
    "家庭年均收入（元）",
    "户月保障金额（元）",
    "家庭分类施保总额（元）",
    "人员分类施保总额（元）",
    "合计（元）",
    "所属省",
    "所属市",
    "所属区(县)",
    "所属街(道)",
    "所属社(区)",
    "家庭住址",
    "联系电话",
    "低保（特困）证号",
    "最初享受月(份)",
    "救助类型",
    "户籍类型",
    "供养方式",
    "开户银行",
    "银行账户名称",
    "银行帐号",
]
PERSON_HEADER = [
    "序号",
    "姓名",
    "身份证号",
    "户主身份证号",
    "与户主关系",
    "性别",
    "出生日期",
    "年龄",
    "民族",
    "是否残疾",
    "残疾等级",
    "患病病种",
    "健康状况",
    "生活自理能力",
    "供养机构",
    "儿童类别",
    "最初享受月(份)",
    "救助类型",
    "个人分类施保金额（元）",
    "户籍类型",
    "联系电话",
]


def _names(rng, n: int) -> np.ndarray:
    s = np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)]
    g = np.array(GIVEN)
    return np.char.add(np.char.add(s, g[rng.integers(0, len(g), n)]), g[rng.integers(0, len(g), n)]).astype(object)


def _ids(rng, region: str, birth: np.ndarray, sex: np.ndarray, taken: set) -> np.ndarray:
    """Unique check-digit-valid 身份证号: region, birth date, a sequence whose last digit is odd
    for men and even for women, and the GB 11643 check character."""
    n = len(birth)
    dates = pd.DatetimeIndex(birth).strftime("%Y%m%d").to_numpy().astype(str)
    out = np.empty(n, dtype=object)
    todo = np.arange(n)
    while len(todo):
        seq = rng.integers(0, 50, len(todo)) * 2 + (sex[todo] == "m")
        first = np.char.add(
            np.char.add(region, dates[todo]), np.char.zfill((rng.integers(0, 10, len(todo)) * 100 + seq).astype(str), 3)
        )
        codes = np.frombuffer("".join(first).encode("ascii"), dtype=np.uint8).reshape(-1, 17) - ord("0")
        full = np.char.add(first, idcard.CHECK[(codes.astype(np.int64) @ idcard.WEIGHTS) % 11].view("S1").astype(str))
        fresh = ~pd.Series(full).duplicated().to_numpy() & ~pd.Series(full).isin(taken).to_numpy()
        out[todo[fresh]] = full[fresh]
        taken.update(full[fresh])
        todo = todo[~fresh]
    return out


def _month_text(rng, months: np.ndarray) -> np.ndarray:
    """最初享受月 as the system's versions write it: 2019-03, 201903, 2019年3月 or a date cell."""
    periods = pd.PeriodIndex(months, freq="M")
    style = rng.integers(0, 4, len(months))
    text = np.where(
        style == 0,
        periods.strftime("%Y-%m"),
        np.where(
            style == 1,
            periods.strftime("%Y%m"),
            np.char.add(np.char.add(periods.year.astype(str), "年"), np.char.add(periods.month.astype(str), "月")),
        ),
    )
    out = text.astype(object)
    dates = periods.to_timestamp().to_pydatetime()
    out[style == 3] = dates[style == 3]
    return out


def _mixed(rng, values: np.ndarray, fmt: str = "{:.2f}") -> np.ndarray:
    """About a third of the cells as text ("780.00"), the rest as numbers; NaN stays blank."""
    out = values.astype(object)
    text = (rng.random(len(values)) < 0.35) & ~pd.isna(values)
    out[text] = [fmt.format(v) for v in values[text]]
    out[pd.isna(values)] = None
    return out


def build(district: str, households: int, seed: int = 1, month: str = "2020-10") -> dict:
    """The sample's tables per export: {label: (household frame, person frame)} with the
    headers of the files (values as written, mixed text and numbers)."""
    target = districts.find(district)
    rng = np.random.default_rng(seed)
    period = pd.Period(month, "M")
    date = period.start_time.date()
    p = params.load(target.code)
    streets = V.streets(target.code)
    counts = np.floor(np.array([g[3] for g in GROUPS]) * households).astype(int)
    counts = np.maximum(counts, 1 if households >= len(GROUPS) else 0)  # each export has a household
    counts[1] += households - counts.sum()
    out, id_pool = {}, set()
    for (label, category, area, _), n in zip(GROUPS, counts):
        area_of = np.full(n, area, dtype=object) if area else np.where(rng.random(n) < 0.6, "rural", "urban")
        size = np.ones(n, int) if category == "tekun" else rng.choice(np.arange(1, 6), n, p=SIZE_SHARES)
        family = size + np.where(rng.random(n) < 0.8, 0, rng.integers(1, 3, n))
        standard = np.where(area_of == "urban", p.at("dibao.standard.urban", date), p.at("dibao.standard.rural", date))
        share = {"dibao": rng.random(n) * 0.8, "tekun": rng.random(n) * 0.3, "edge": 1.0 + rng.random(n) * 0.5}[
            category
        ]
        income = np.round(standard * share, 2)  # per person per month
        street_idx = np.empty(n, int)
        for a in ("urban", "rural"):
            pool = np.flatnonzero(streets["sample_area"].to_numpy() == a)
            where = area_of == a
            street_idx[where] = pool[rng.integers(0, len(pool), where.sum())]
        street = streets["street"].to_numpy()[street_idx]
        suffix = np.where(streets["sample_area"].to_numpy()[street_idx] == "urban", "社区", "村")
        community = np.char.add(np.array(COMMUNITY_BASES)[rng.integers(0, len(COMMUNITY_BASES), n)], suffix.astype(str))
        start = period - rng.integers(0, 96, n)
        placement = (
            np.where(rng.random(n) < 0.25, "集中供养", "分散供养") if category == "tekun" else np.full(n, "", object)
        )

        # Persons: the head first, then members; ages by role.
        hh_of = np.repeat(np.arange(n), size)
        role = np.concatenate([np.arange(s) for s in size]) if n else np.zeros(0, int)
        m = len(hh_of)
        sex = np.where(rng.random(m) < 0.5, "m", "f")
        age = np.where(
            role == 0, rng.integers(35, 90, m), np.where(role == 1, rng.integers(30, 85, m), rng.integers(1, 18, m))
        )
        if category == "tekun":
            age = np.where(rng.random(m) < 0.85, rng.integers(60, 98, m), rng.integers(16, 60, m))
        birth = (period.start_time - pd.to_timedelta(age * 365.25 + rng.integers(1, 360, m), unit="D")).to_numpy()
        ids = _ids(rng, target.code, birth, sex, id_pool)
        head_ids = ids[role == 0]
        grade_pick = rng.integers(0, len(GRADE_TEXT), m)
        disabled = rng.random(m) < (0.3 if category == "tekun" else 0.08)
        ill = rng.random(m) < 0.05
        self_care = rng.choice(np.array(["全自理", "半护理", "全护理"]), m, p=[0.7, 0.2, 0.1])
        classified = np.where(
            category == "dibao", np.where(disabled | ill | (age >= 70), np.round(standard[hh_of] * 0.1), 0.0), 0.0
        )
        cl_persons = np.bincount(hh_of, weights=classified, minlength=n)
        cl_family = np.where((category == "dibao") & (rng.random(n) < 0.05), 50.0, 0.0)
        if category == "dibao":
            benefit = np.round(np.maximum(standard - income, p.get("dibao.floor", date)) * size)
        elif category == "tekun":
            benefit = _tekun_standard(p, date, area_of == "urban", placement == "集中供养")
        else:
            benefit = np.full(n, np.nan)
        child = np.where((age < 18) & (rng.random(m) < 0.05), "事实无人抚养儿童", "")
        if category == "tekun":
            row_label = np.char.add(
                np.where(area_of == "urban", "城市特困人员", "农村特困人员"),
                np.where(placement == "集中供养", "（集中供养）", "（分散供养）"),
            ).astype(object)
        elif category == "dibao":
            row_label = np.where(size == 1, label + "单人", label).astype(object)
        else:
            row_label = np.full(n, label, dtype=object)
        hukou = np.where(area_of == "urban", "城镇", "农村")
        mixed = lambda v: _mixed(rng, np.asarray(v, float))  # noqa: E731
        head_names = _names(rng, n)
        names = _names(rng, m)
        names[role == 0] = head_names
        house = pd.DataFrame(
            {
                "序号": np.arange(1, n + 1),
                "户主姓名": head_names,
                "户主身份证号": head_ids,
                "家庭人口数": _mixed(rng, family.astype(float), "{:.0f}"),
                "保障人口数": _mixed(rng, size.astype(float), "{:.0f}"),
                "家庭年总收入（元）": mixed(income * 12 * family),
                "家庭年均收入（元）": mixed(income * 12),
                "户月保障金额（元）": mixed(benefit),
                "家庭分类施保总额（元）": mixed(cl_family),
                "人员分类施保总额（元）": mixed(cl_persons),
                "合计（元）": mixed(np.nan_to_num(benefit) + cl_family + cl_persons),
                "所属省": "湖北省",
                "所属市": "武汉市",
                "所属区(县)": target.name,
                "所属街(道)": street,
                "所属社(区)": community,
                "家庭住址": np.char.add(
                    np.char.add(np.char.add("武汉市" + target.name, street.astype(str)), community),
                    np.char.add(rng.integers(1, 200, n).astype(str), "号"),
                ).astype(object),
                "联系电话": np.char.add("1", rng.integers(3e9, 9.9e9, n).astype(np.int64).astype(str)).astype(object),
                "低保（特困）证号": np.char.add("东民救字", np.char.zfill(np.arange(1, n + 1).astype(str), 6)).astype(
                    object
                ),
                "最初享受月(份)": _month_text(rng, start),
                "救助类型": row_label,
                "户籍类型": hukou,
                "供养方式": placement,
                "开户银行": "中国农业银行武汉东西湖支行",
                "银行账户名称": head_names,
                "银行帐号": np.char.add("6228", np.char.zfill(rng.integers(0, 10**15, n).astype(str), 15)).astype(
                    object
                ),
            }
        )
        person_classified = _mixed(rng, classified)
        person = pd.DataFrame(
            {
                "序号": np.arange(1, m + 1),
                "姓名": names,
                "身份证号": ids,
                "户主身份证号": head_ids[hh_of],
                "与户主关系": np.where(role == 0, "本人", np.where(role == 1, "配偶", "子女")),
                "性别": np.where(sex == "m", "男", "女"),
                "出生日期": pd.DatetimeIndex(birth).strftime("%Y-%m-%d"),
                "年龄": age,
                "民族": "汉族",
                "是否残疾": np.where(disabled, "是", "否"),
                "残疾等级": np.where(disabled, GRADE_TEXT[grade_pick], ""),
                "患病病种": np.where(ill, np.array(ILLNESSES)[rng.integers(0, len(ILLNESSES), m)], ""),
                "健康状况": np.where(ill, "患大病", np.where(disabled, "残疾", "健康")),
                "生活自理能力": self_care if category == "tekun" else "",
                "供养机构": np.where(
                    (placement[hh_of] == "集中供养"), np.char.add(street[hh_of].astype(str), "福利院"), ""
                ),
                "儿童类别": child,
                "最初享受月(份)": _month_text(rng, start[hh_of]),
                "救助类型": row_label[hh_of],
                "个人分类施保金额（元）": person_classified,
                "户籍类型": hukou[hh_of],
                "联系电话": np.char.add("1", rng.integers(3e9, 9.9e9, m).astype(np.int64).astype(str)).astype(object),
            }
        )
        truth = {
            "disability_grade": np.where(disabled, GRADE_VALUE[grade_pick], 0),
            "age": age,
            "sex": sex,
            "classified": classified,
            "seriously_ill": ill.astype(int),
        }
        out[label] = (house, person, truth)
    return out


def _write(path: Path, title: str, frame: pd.DataFrame, export_date: dt.date, clerk: str) -> None:
    unit = frame["所属区(县)"].iat[0] if "所属区(县)" in frame else ""
    stamp = f"导出时间：{export_date.isoformat()}"
    rows = [[title], [f"导出单位：{unit}民政局", None, stamp], list(frame.columns), frame, []]
    rows.append([f"制表人：{clerk}", None, f"制表时间：{export_date.isoformat()}"])
    created = dt.datetime(export_date.year, export_date.month, export_date.day)
    xlsx_writer.write(path, rows, creator="社会救助信息系统", created=created)


def write_sample(
    district: str,
    households: int,
    out: str | Path,
    seed: int = 1,
    month: str = "2020-10",
    months: int = 1,
    exit_rate: float = EXIT_RATE,
    entry_rate: float = ENTRY_RATE,
) -> list[Path]:
    """Write the sample's exports into ``out``; returns the paths (household file, person file
    per category). Names end _YYYYMMDD with the last day of ``month``. With ``months`` > 1, one
    folder per month from ``month`` on (``out/2020-10/…``), the roll turning over between them
    at ``exit_rate`` and ``entry_rate`` a month (see :func:`turned_over`)."""
    out = Path(out)
    period = pd.Period(month, "M")
    tables = build(district, households, seed, month)
    paths = []
    for k in range(max(months, 1)):
        if k:
            tables = turned_over(
                district, tables, period + k, np.random.default_rng([seed, 2, k]), exit_rate, entry_rate
            )
        paths += _write_month(tables, out / str(period + k) if months > 1 else out, period + k, seed)
    return paths


def _write_month(tables: dict, out: Path, period: pd.Period, seed: int) -> list[Path]:
    export_date = period.end_time.date()
    stamp = export_date.strftime("%Y%m%d")
    rng = np.random.default_rng([seed, 1])
    paths = []
    for label, (house, person, _) in tables.items():
        clerk = _names(rng, 1)[0]
        for frame, kind in ((house, "家庭查询"), (person, "人员查询")):
            path = out / f"{label}{kind}_{stamp}.xlsx"
            _write(path, f"{label}{kind}报表", frame, export_date, clerk)
            paths.append(path)
    return paths


def turned_over(
    district: str, tables: dict, period: pd.Period, rng, exit_rate: float = EXIT_RATE, entry_rate: float = ENTRY_RATE
) -> dict:
    """The next month's exports: some households gone, new ones in (their 最初享受月 this month),
    some 低保 incomes re-assessed, every amount at the standards in force this month. In each
    export every household leaves with probability ``exit_rate`` and Binomial(stock,
    ``entry_rate``) households enter, so the true rates of the sample are exactly these."""
    for name, rate in (("exit_rate", exit_rate), ("entry_rate", entry_rate)):
        if not 0 <= rate <= 1:
            raise CivsimError("civsim roll sample", name, f"{rate:g} is not a monthly rate", "a rate from 0 to 1")
    target = districts.find(district)
    p = params.load(target.code)
    date = period.start_time.date()
    entering = {label: int(rng.binomial(len(house), entry_rate)) for label, (house, _, _) in tables.items()}
    # enough fresh households that each export's share of them covers its entries
    shares = {g[0]: g[3] for g in GROUPS}
    size = max([len(GROUPS)] + [int(np.ceil(k / shares[label])) + 1 for label, k in entering.items()])
    fresh = build(district, size, int(rng.integers(1 << 31)), str(period))
    taken = {i for house, person, _ in tables.values() for i in person["身份证号"]}
    out = {}
    for label, (house, person, truth) in tables.items():
        stay = rng.random(len(house)) >= exit_rate
        house = house[stay].reset_index(drop=True)
        person = person[person["户主身份证号"].isin(set(house["户主身份证号"]))].reset_index(drop=True)
        new_house, new_person, _ = fresh[label]
        clash = set(new_person.loc[new_person["身份证号"].isin(taken), "户主身份证号"])
        new_house = new_house[~new_house["户主身份证号"].isin(clash)].head(entering[label])
        new_person = new_person[new_person["户主身份证号"].isin(set(new_house["户主身份证号"]))]
        new_person = new_person[~new_person["户主身份证号"].isin(clash)].assign(**{"最初享受月(份)": str(period)})
        new_house = new_house.assign(**{"最初享受月(份)": str(period)})
        house = pd.concat([house, new_house], ignore_index=True)
        person = pd.concat([person, new_person], ignore_index=True)
        house["序号"], person["序号"] = np.arange(1, len(house) + 1), np.arange(1, len(person) + 1)
        if label in ("城市低保", "农村低保"):
            house = _reassessed(house, p, date, rng)
        elif label == "特困人员":
            urban, centralized = (house["户籍类型"] == "城镇").to_numpy(), (house["供养方式"] == "集中供养").to_numpy()
            house["户月保障金额（元）"] = _tekun_standard(p, date, urban, centralized)
        out[label] = (house, person, truth)
    return out


def _tekun_standard(p, date, urban: np.ndarray, centralized: np.ndarray) -> np.ndarray:
    """特困 households' monthly amount: the basic standard of their placement and area, the table
    the 特困 program pays from (a district without one is an error)."""
    basic = np.array([[p.at(f"tekun.standard.{c}.{a}", date) for a in AREAS] for c in tekun.PLACEMENTS])
    return basic[centralized.astype(int), np.where(urban, AREAS.index("urban"), AREAS.index("rural"))]


def _reassessed(house: pd.DataFrame, p, date, rng) -> pd.DataFrame:
    """A few incomes re-assessed; each 低保 benefit the gap at this month's standard × 保障人口."""
    house = house.copy()
    number = lambda column: pd.to_numeric(house[column], errors="coerce").to_numpy(float)  # noqa: E731
    size, family = number("保障人口数"), number("家庭人口数")
    urban = (house["户籍类型"] == "城镇").to_numpy()
    standard = np.where(urban, p.at("dibao.standard.urban", date), p.at("dibao.standard.rural", date))
    income = number("家庭年均收入（元）") / 12
    again = rng.random(len(house)) < REASSESSED
    income[again] = np.round(np.minimum(income[again] * rng.uniform(0.6, 1.1, again.sum()), standard[again] * 0.95), 2)
    benefit = np.round(np.maximum(standard - income, p.get("dibao.floor", date)) * size)
    house["家庭年均收入（元）"] = np.round(income * 12, 2)
    house["家庭年总收入（元）"] = np.round(income * 12 * family, 2)
    house["户月保障金额（元）"] = benefit
    house["合计（元）"] = (
        benefit + np.nan_to_num(number("家庭分类施保总额（元）")) + np.nan_to_num(number("人员分类施保总额（元）"))
    )
    return house
