"""The model beside the bureau's own month: each household's modelled 低保 amount against the
户月保障金额 on the export, the count that match to the yuan and every other household with the
reason — the model's rule or the bureau's. A roll imported from a real export, simulated for its
own month, should match nearly everywhere; what does not is listed, never averaged away."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import CivsimError

# Reason codes, checked in this order; the label is what a bureau user reads.
REASONS = {
    "benefit_missing": "导出表无户月保障金额",
    "income_missing": "导出表无家庭收入，无法按补差计算",
    "not_on_dibao": "模型测算应保，导出表中不是低保户",
    "model_pays_nothing": "导出表有保障金，模型测算收入不低于标准",
    "classified": "差额等于该户分类施保金额",
    "gap_rule": "补差金额不同（分档、取整、最低补助或收入认定）",
}
TOLERANCE = 1.0  # "to the yuan": less than one yuan apart


@dataclass
class BenefitCheck:
    compared: int  # households compared (on 低保 in the export, or paid by the model)
    matched: int  # of which exported and modelled differ by less than a yuan
    rest: pd.DataFrame  # the others: household_id, street, community, area, size, exported,
    # modelled, difference, classified, reason, 原因
    unpaid: list = field(default_factory=list)  # one line per category on the roll paid no cash here

    def for_clerk(self) -> pd.DataFrame:
        """The households that differ as a clerk reads them (the terminal, ``--csv``): Chinese headings,
        the area and reason in words, money in yuan."""
        table = self.rest.drop(columns="原因").rename(columns=CLERK_COLUMNS)[list(CLERK_COLUMNS.values())]
        table["城乡"] = self.rest["area"].map({"urban": "城市", "rural": "农村"}).to_numpy()
        table["原因"] = self.rest["reason"].map(REASONS).to_numpy()
        return table

    def by_reason(self) -> pd.DataFrame:
        """Households and money difference per reason, in the order of ``REASONS``."""
        groups = self.rest.groupby("reason", sort=False).agg(
            households=("household_id", "size"), difference=("difference", "sum")
        )
        groups = groups.reindex([r for r in REASONS if r in groups.index])
        groups.insert(0, "原因", [REASONS[r] for r in groups.index])
        return groups.reset_index()


CLERK_COLUMNS = {
    "household_id": "户编号",
    "street": "街道",
    "community": "社区",
    "area": "城乡",
    "size": "保障人口",
    "exported": "导出金额（元）",
    "modelled": "模型金额（元）",
    "difference": "差额（元）",
    "classified": "分类施保（元）",
    "reason": "原因",
}


def compare_benefits(households: pd.DataFrame, modelled, *, tolerance: float = TOLERANCE) -> BenefitCheck:
    """``modelled``: yuan/month per household for the export month — an array in the table's row
    order, or a Series indexed by household_id."""
    if isinstance(modelled, pd.Series):
        missing = ~households["household_id"].isin(modelled.index)
        if missing.any():
            raise CivsimError(
                "modelled amounts",
                f"household_id {households['household_id'][missing].iat[0]}",
                "no modelled amount",
                "one amount per household of the roll",
            )
        modelled = modelled.reindex(households["household_id"]).to_numpy(float)
    modelled = np.asarray(modelled, dtype=float)
    if modelled.shape != (len(households),):
        raise CivsimError(
            "modelled amounts",
            None,
            f"{modelled.size} amounts for {len(households)} households",
            "one amount per household, in the roll's order",
        )
    exported = households["benefit"].to_numpy(float)
    classified = np.nan_to_num(households["classified"].to_numpy(float))
    on_dibao = (households["category"] == "dibao").to_numpy()
    model_pays = np.nan_to_num(modelled) > 0
    compared = on_dibao | model_pays
    difference = modelled - exported
    matched = compared & (np.abs(difference) < tolerance)

    rules = {
        "benefit_missing": on_dibao & np.isnan(exported),
        "income_missing": np.isnan(households["income"].to_numpy(float)),
        "not_on_dibao": model_pays & ~on_dibao,
        "model_pays_nothing": ~model_pays & (np.nan_to_num(exported) > 0),
        "classified": (classified > 0) & (np.abs(np.abs(difference) - classified) < tolerance),
        "gap_rule": np.ones(len(households), bool),
    }
    reason = np.select(list(rules.values()), list(rules), default="gap_rule")
    rest = compared & ~matched
    table = pd.DataFrame(
        {
            "household_id": households["household_id"].to_numpy(),
            "street": households["street"].to_numpy(),
            "community": households["community"].to_numpy(),
            "area": households["area"].to_numpy(),
            "size": households["size"].to_numpy(),
            "exported": exported,
            "modelled": modelled,
            "difference": difference,
            "classified": classified,
            "reason": reason,
        }
    )[rest].reset_index(drop=True)
    table["原因"] = table["reason"].map(REASONS)
    return BenefitCheck(int(compared.sum()), int(matched.sum()), table)


def check_roll(params, roll) -> BenefitCheck:
    """Simulate a bureau's roll for its own export month and set each household's modelled 低保
    beside its exported 户月保障金额."""
    from .. import engine

    months = pd.period_range(roll.anchor, roll.anchor, freq="M")
    sim = engine.Simulation(params, roll.anchor.year, roll.seed, roll=roll, months=months)
    _, detail = sim.run(params, detail=True)
    modelled = detail.household_totals().get("dibao", pd.Series(0.0, index=roll.households["household_id"]))
    households = roll.households.assign(
        category=roll.households["category"].astype(str), street=roll.households["street"].astype(str)
    )
    result = compare_benefits(households, modelled.reindex(households["household_id"]).to_numpy())
    result.unpaid = unpaid_lines(sim)
    return result


def unpaid_lines(sim) -> list[str]:
    """One line per program whose candidates the roll holds but whose cash the jurisdiction does
    not declare (``schema.unpaid``): counted on the roll, paid nothing."""
    out = []
    for program in sim.programs:
        leaves = [path for path in {**program.params, **program.roll_params} if path in sim.prepared.unpaid]
        if leaves:
            view = sim.prepared.views[program.key]
            unit = "户" if view.entity == "household" else "人"
            out.append(
                f"{program.label}（{program.key}）：台账中{view.n}{unit}，{sim.params.district.name}及上级未规定"
                f"现金标准（{'、'.join(leaves)}），计入在册、不发放"
            )
    return out
