"""A district-year's context: computed once, saved byte for byte the same, refused in one line when
made for other inputs, and all the documents need: they format it and simulate nothing."""

import filecmp
import json

import pandas as pd
import pytest

from civsim import atomic, provenance
from civsim.errors import CivsimError
from civsim.report import context
from civsim.report.budget_document import BudgetDocument
from civsim.report.plan import NextYearPlan
from civsim.report.summary import AnnualSummary

DISTRICT, YEAR, MONTH = "东西湖区", 2020, 10
SCENARIOS = ["dibao_plus5_july"]  # the plan's and the budget's, from July of the year after
WINDOW = {"draws": 3, "years": 2}  # a small Monte Carlo: the test is of the context, not the budget


@pytest.fixture(scope="module")
def computed():
    return context.compute(DISTRICT, YEAR, scenarios=SCENARIOS, **WINDOW)


@pytest.fixture(scope="module")
def saved(computed, tmp_path_factory):
    return computed.save(tmp_path_factory.mktemp("context") / "420112-2020")


def files(folder):
    return sorted(p.name for p in folder.iterdir())


def test_a_context_holds_every_part_and_the_plan_shares_the_summarys_year(computed, saved):
    assert computed.parts == context.PARTS and computed.errors == {}
    assert computed.key.district == "420112" and computed.key.scenarios == tuple(SCENARIOS)
    assert computed.this_year is computed.results  # one simulation of the year, for both
    assert set(computed.decomposition["scenario"]) == {"baseline", *SCENARIOS}
    assert computed.projection.year == YEAR + 1 and computed.projection.draws == 3
    assert "this_year.parquet" not in files(saved) and "results.parquet" in files(saved)
    manifest = json.loads((saved / "context.json").read_text(encoding="utf-8"))
    assert manifest["tables"]["this_year"]["file"] == "results.parquet"
    assert manifest["key"]["params_hash"] == provenance.params_hash(computed.params)
    assert list(manifest["key"]["scenario_hashes"][0])[0] == SCENARIOS[0]


def test_a_saved_context_reads_back_and_saves_to_the_same_bytes(computed, saved, tmp_path):
    again = context.load(saved).save(tmp_path / "again")
    twice = computed.save(tmp_path / "twice")
    assert files(again) == files(saved) == files(twice)
    for name in files(saved):
        assert filecmp.cmp(saved / name, again / name, shallow=False), name
        assert filecmp.cmp(saved / name, twice / name, shallow=False), name
    loaded = context.load(saved)
    pd.testing.assert_frame_equal(loaded.results, computed.results)
    pd.testing.assert_frame_equal(loaded.projection.samples, computed.projection.samples)
    assert loaded.results.attrs == computed.results.attrs and loaded.this_year is loaded.results
    assert loaded.projection.settings == computed.projection.settings
    assert loaded.projection.years == computed.projection.years and loaded.key == computed.key


def shown(part) -> str:
    """What a document's part shows, as text: a table, an image's bytes, blocks and their parts."""
    if isinstance(part, pd.DataFrame):
        return part.to_string()
    if isinstance(part, (list, tuple)):
        return "\n".join(shown(p) for p in part)
    if hasattr(part, "data"):
        return repr(part.data)
    if hasattr(part, "__dict__"):
        return repr({name: shown(value) for name, value in vars(part).items()})
    return str(part)


SUMMARY_PARTS = (
    "heading",
    "achievements",
    "data_heading",
    "caseload_chart",
    "money_chart",
    "year_on_year_chart",
    "program_table",
    "street_table",
    "plan_against_actual",
    "problems",
    "next_year",
    "closing",
    "appendix",
    "reconciliation_table",
    "reconciliation_notes",
)
PLAN_PARTS = (
    "heading",
    "tasks",
    "budget_heading",
    "scenario_note",
    "budget",
    "year_on_year_chart",
    "money_chart",
    "scenario_chart",
    "closing",
)
BUDGET_PARTS = ("heading", "summary", "basis", "change", "window", "scenarios", "assumptions", "closing")


def documents(folder):
    return (
        AnnualSummary.of(folder, DISTRICT, YEAR, as_of_month=MONTH),
        NextYearPlan.of(folder, DISTRICT, YEAR + 1, SCENARIOS),
        BudgetDocument.of(folder, DISTRICT, YEAR + 1, SCENARIOS, **WINDOW),
    )


REFUSED = (
    "civsim.engine.simulate",
    "civsim.engine.Simulation",
    "civsim.synthetic.synthesize",
    "civsim.budget.project",
    "civsim.budget.projection.project",
    "civsim.budget.decompose",
    "civsim.reconcile.reconcile",
    "civsim.province.simulate",
    "civsim.roll_io.load_folder",
)


@pytest.mark.slow  # every document of a district-year, computed twice
def test_the_documents_from_a_saved_context_simulate_nothing_and_equal_those_computed_by_hand(saved, monkeypatch):
    by_hand = (
        AnnualSummary.compute(DISTRICT, YEAR, as_of_month=MONTH),
        NextYearPlan.compute(DISTRICT, YEAR + 1, SCENARIOS),
        BudgetDocument.compute(DISTRICT, YEAR + 1, SCENARIOS, **WINDOW),
    )

    def refused(*args, **kwargs):
        raise AssertionError("a report simulated")

    with monkeypatch.context() as patched:
        for target in REFUSED:
            patched.setattr(target, refused)
        with pytest.raises(AssertionError, match="a report simulated"):  # what computing would do
            AnnualSummary.compute(DISTRICT, YEAR)
        summary, plan, budget = documents(saved)
        loaded = [
            {name: shown(getattr(document, name)()) for name in parts}
            for document, parts in zip((summary, plan, budget), (SUMMARY_PARTS, PLAN_PARTS, BUDGET_PARTS))
        ]
    for parts, computed in zip(loaded, by_hand):
        for name, text in parts.items():
            assert text == shown(getattr(computed, name)()), name
    assert "2020年工作总结" in summary.heading() and "城乡低保标准自2021年7月起提高5%" in plan.scenario_note()


ASKED = {
    "another year": (lambda f: AnnualSummary.of(f, DISTRICT, YEAR + 1), "year 2020, not 2021"),
    "another district": (lambda f: AnnualSummary.of(f, "东丽区", YEAR), "jurisdiction 420112, not 120110"),
    "another scenario": (
        lambda f: AnnualSummary.of(f, DISTRICT, YEAR, scenario="dibao_plus5_july"),
        "scenario baseline, not dibao_plus5_july",
    ),
    "a roll": (lambda f: AnnualSummary.of(f, DISTRICT, YEAR, roll="rolls/x"), "roll none, not /"),
    "other plan scenarios": (
        lambda f: NextYearPlan.of(f, DISTRICT, YEAR + 1),
        "plan scenarios [dibao_plus5_july], not []",
    ),
    "another plan year": (lambda f: NextYearPlan.of(f, DISTRICT, YEAR + 2, SCENARIOS), "year 2020, not 2021"),
    "other draws": (lambda f: BudgetDocument.of(f, DISTRICT, YEAR + 1, SCENARIOS, years=2), "draws 3, not 200"),
    "another seed": (lambda f: BudgetDocument.of(f, DISTRICT, YEAR + 1, SCENARIOS, seed=2, **WINDOW), "seed 1, not 2"),
}


@pytest.mark.parametrize("make, words", ASKED.values(), ids=ASKED.keys())
def test_a_context_made_for_other_inputs_is_one_line(saved, make, words):
    with pytest.raises(CivsimError) as info:
        make(saved)
    message = str(info.value)
    assert "\n" not in message and str(saved) in message and "made for other inputs" in message
    assert words in message


def test_a_context_made_before_a_parameter_or_the_code_changed_is_refused(saved, monkeypatch):
    monkeypatch.setattr(context, "code_version", lambda: "0.0.0 000000000000")
    with pytest.raises(CivsimError, match=r"civsim version 0\.1\.0 .*, not 0\.0\.0 000000000000"):
        AnnualSummary.of(saved, DISTRICT, YEAR, as_of_month=MONTH)
    monkeypatch.undo()
    monkeypatch.setattr(provenance, "params_hash", lambda params: "ffffffffffff")
    with pytest.raises(CivsimError, match=r"parameters hash [0-9a-f]{12}, not ffffffffffff"):
        NextYearPlan.of(saved, DISTRICT, YEAR + 1, SCENARIOS)


def test_a_missing_part_or_a_refused_one_is_its_one_line(computed, tmp_path):
    summary_only = context.compute("东丽区", YEAR, parts=(context.SUMMARY,))
    folder = summary_only.save(tmp_path / "summary")
    with pytest.raises(CivsimError, match="made without the plan part"):
        NextYearPlan.of(folder, "东丽区", YEAR + 1)
    refused = context.load(folder)
    refused.errors["summary"] = "params/x.yaml: dibao.standard: no standard in force in 2020"
    with pytest.raises(CivsimError) as info:
        AnnualSummary(context.load(refused.save(tmp_path / "refused")))
    assert str(info.value) == "params/x.yaml: dibao.standard: no standard in force in 2020"
    with pytest.raises(CivsimError, match="unknown part 'budgets'"):
        context.compute("东丽区", YEAR, parts=("budgets",))


def test_a_folder_that_holds_no_context_is_one_line(saved, tmp_path):
    with pytest.raises(CivsimError, match="no context here"):
        AnnualSummary.of(tmp_path / "nowhere", DISTRICT, YEAR)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "context.json").write_text("{", encoding="utf-8")
    with pytest.raises(CivsimError, match="not a whole context"):
        context.load(broken)
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "context.json").write_bytes((saved / "context.json").read_bytes())  # no tables beside it
    with pytest.raises(CivsimError, match="not a whole context") as info:
        context.load(partial)
    assert "\n" not in str(info.value)


def test_a_context_folder_is_replaced_whole_or_left_as_it_was(tmp_path):
    target = tmp_path / "ctx"
    with atomic.atomic_folder(target) as staging:
        (staging / "a.txt").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic.atomic_folder(target) as staging:
            (staging / "b.txt").write_text("half", encoding="utf-8")
            raise RuntimeError("interrupted")
    assert files(target) == ["a.txt"]
    with atomic.atomic_folder(target) as staging:
        (staging / "b.txt").write_text("new", encoding="utf-8")
    assert files(target) == ["b.txt"] and files(tmp_path) == ["ctx"]  # nothing left beside it
