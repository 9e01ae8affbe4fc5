"""价格临时补贴: in a month when headline CPI y/y reaches its trigger or food CPI y/y reaches its
own, each person on 低保 or 特困 (and, where ``supplements.price.children`` is 1, each orphan and
de-facto unsupported child) gets the 低保 standard of their area × the higher triggering rise,
rounded to the yuan, at least the floor, times the multiplier (Tianjin doubled it in 2020). One
line per group it rides on: dibao_price_subsidy, tekun_price_subsidy …

A Monte Carlo's draws evaluated together (civsim.engine.draws) give the month's prices one per
draw and each candidate its draw (``view.draw``): the rise is then one per draw, each person reads
their draw's, and a line says which draws paid it (``Paid.draws``)."""

from __future__ import annotations

import numpy as np

from . import Paid, Param, Program
from .. import money

GROUPS = {"dibao": "低保", "tekun": "特困供养", "orphan": "孤儿", "unsupported_child": "事实无人抚养儿童"}
CHILDREN = ("orphan", "unsupported_child")


def price_rise(cpi, food, trigger_cpi: float, trigger_food: float):
    """The y/y rise (percent) that triggers the subsidy, or 0: the higher one if both trigger. With
    one CPI and food CPI per draw (arrays), one rise per draw."""
    if np.ndim(cpi) == 0 and np.ndim(food) == 0:
        rises = [r for r, t in ((cpi, trigger_cpi), (food, trigger_food)) if np.isfinite(r) and t > 0 and r >= t]
        return max(rises, default=0.0)
    rises = [
        np.where(np.isfinite(r) & (r >= t), r, 0.0) if t > 0 else np.zeros(np.shape(r))
        for r, t in ((np.asarray(cpi, np.float64), trigger_cpi), (np.asarray(food, np.float64), trigger_food))
    ]
    return np.maximum(*np.broadcast_arrays(*rises))


def pay(month, view) -> dict:
    rise = price_rise(
        month.cpi,
        month.food,
        month.value("supplements.price.trigger_cpi"),
        month.value("supplements.price.trigger_food"),
    )
    month.step("触发补贴的价格同比涨幅", rise, "%")
    if not np.any(rise):
        return {}
    per_draw = np.ndim(rise) > 0
    floor, multiplier = month.value("supplements.price.floor"), month.value("supplements.price.multiplier")
    groups = [g for g in GROUPS if g not in CHILDREN or month.value("supplements.price.children")]
    out = {}
    for group in groups:
        if not month.has_paid(group):
            continue
        on_group = month.candidates(group)  # paid over the candidates of the program it rides on
        paid = month.payment(group).rows
        if not per_draw:
            # the 低保 standard of the person's area × the rise, rounded to the yuan, at least the floor
            standard = month.per_area("dibao.standard", on_group.area[paid])
            per_person = np.maximum(money.fen(standard * rise / 100, "yuan") / 100, floor) * multiplier
            members = on_group.size[paid] if on_group.entity == "household" else 1
            out[f"{group}_price_subsidy"] = Paid(paid, per_person[on_group.area[paid]] * members, over=group)
            continue
        # one rise per draw: each person at their draw's (those of a draw with none are not paid),
        # the same numbers as the draw alone
        draw = on_group.draw[paid]
        chosen = rise[draw] > 0
        paid, draw = paid[chosen], draw[chosen]
        area = on_group.area[paid]
        standard = month.per_area("dibao.standard", area)
        # draws × areas: each amount as the draw alone makes it, then read by each person's draw and area
        per_person = np.maximum(money.fen(standard[None, :] * rise[:, None] / 100, "yuan") / 100, floor) * multiplier
        members = on_group.size[paid] if on_group.entity == "household" else 1
        out[f"{group}_price_subsidy"] = Paid(paid, per_person[draw, area] * members, over=group, draws=rise > 0)
    return out


PROGRAM = Program(
    key="price_subsidy",
    label="价格临时补贴",
    entity="person",
    order=200,
    pay=pay,
    uses=("prices",),
    reads=tuple(GROUPS),
    lines={f"{g}_price_subsidy": f"{label}价格临时补贴" for g, label in GROUPS.items()},
    # paid only where the jurisdiction or a parent declares its triggers (no national default stands in)
    declared_by=("supplements.price.trigger_cpi", "supplements.price.trigger_food"),
    params={
        "supplements.price.trigger_cpi": Param("percent", required=True, about="价格临时补贴启动条件：CPI同比涨幅"),
        "supplements.price.trigger_food": Param(
            "percent", required=True, about="价格临时补贴启动条件：食品CPI同比涨幅"
        ),
        "supplements.price.floor": Param("yuan/person/month"),
        "supplements.price.multiplier": Param("ratio"),
        "supplements.price.children": Param("flag"),
        "dibao.standard.urban": Param("yuan/person/month", required=True),
        "dibao.standard.rural": Param("yuan/person/month", required=True, when="caseload.dibao.rural.households"),
    },
    method="按低保标准×CPI涨幅计发，达到启动条件的月份才发放",
    published="省（市）发展改革、民政等部门的社会救助和保障标准与物价上涨挂钩联动机制实施文件；本地区不发放价格临时补贴时删去",
)
