"""One declaration per program: every list of programs derives from them, every leaf read is
declared, and a mistake in a params file or a scenario is an error, not a silent zero."""
import pytest

from civsim import engine, params, programs, reported, scenarios, schema
from civsim.errors import CivsimError
from civsim.report import labels


def test_the_label_table_is_the_declared_lines():
    assert labels.PROGRAM_LABELS == programs.LINES


def test_every_reported_program_code_maps_to_declared_lines_or_is_a_service_count():
    codes = set(reported.load()["program"])
    modelled = [code for code in codes if programs.reported_lines(code)]
    assert {"dibao", "tekun", "disability", "children", "assistance_total", "spring_festival"} <= set(modelled)
    for code in modelled:
        for line in programs.reported_lines(code):
            assert line in programs.LINES


def test_each_declared_program_is_reachable_from_a_reported_code_or_is_its_own():
    for line in programs.LINES:
        family = programs.family(line)
        assert line in programs.reported_lines(family)


def test_programs_read_only_the_leaves_they_declare():
    for district, year in (("东西湖区", 2020), ("东丽区", 2020), ("天津市", 2020)):
        p = params.load(district)
        sim = engine.Simulation(p, year)
        read: set = set()
        sim.run(p, detail=True, read=read)       # detail: every rule runs per entity
        for program in sim.programs:
            paths = {path for key, path in read if key == program.key}
            assert paths and paths <= set(program.params), (district, program.key, paths - set(program.params))


def test_a_misspelled_leaf_is_an_error_naming_the_nearest_declared_one(tree):
    root = tree({"defaults/disability.yaml": "nursng:\n  amount:\n    unit: yuan/person/month\n    values:\n"
                 "      2020-01-01: {value: 80, assumption: test}\n"})
    with pytest.raises(CivsimError, match=r"disability.yaml: disability.nursng.amount: no program or roll reads this leaf "
                                          r"\(expected a declared name \(nearest: disability.nursing.amount\)\)"):
        params.load("东西湖区", root=root)


def test_a_leaf_in_a_unit_its_readers_do_not_expect_is_an_error(tree):
    root = tree({"defaults/dibao.yaml": "floor:\n  unit: percent\n  values:\n    2020-01-01: {value: 5, assumption: test}\n"})
    with pytest.raises(CivsimError, match="dibao.floor: unit percent"):
        params.load("东西湖区", root=root)


def test_a_program_with_a_caseload_but_no_required_leaf_is_an_error():
    base = params.load("东西湖区")
    leaves = {k: v for k, v in base.leaves.items() if k != "disability.nursing.amount"}
    with pytest.raises(CivsimError, match="disability.nursing.amount: missing: 重度残疾人护理补贴"):
        engine.Simulation(base.with_leaves(leaves, "baseline"), 2020)


def test_a_scenario_that_changes_only_leaves_nothing_reads_is_an_error():
    base = params.load("东西湖区")
    nothing = scenarios.Scenario("nothing", "nothing", ())
    with pytest.raises(CivsimError, match="changes no leaf that any program reads"):
        engine.scenario_sets(base, [nothing], 2021)


def test_a_year_before_a_required_standard_is_an_error_not_zeros():
    with pytest.raises(CivsimError, match=r"dibao.standard.urban: no value in force on 2018-01-01"):
        engine.simulate("东西湖区", 2018)


def test_the_schema_lists_every_leaf_with_its_readers():
    rows = {r["path"]: r for r in schema.rows(params.load("东西湖区"))}
    assert rows["dibao.standard.urban"]["read_by"].split(", ")[0] == "dibao"
    assert "price_subsidy" in rows["dibao.standard.urban"]["read_by"]
    assert rows["edge.amount"]["default"] == "required"
    assert rows["dibao.take_up"]["default"] == "national default"


def test_a_disabled_dibao_member_gains_when_the_standard_rises():
    """Cross-program rules: a standard rise that brings a household onto 低保 brings its disabled
    members the living subsidy too, so compare sees them better off in both lines."""
    from civsim import compare

    table = compare.compare("东西湖区", 2021, "dibao_plus5_july")
    dibao = table[table["program"] == "dibao"]
    assert dibao["better_off"].sum() > 0 and dibao["worse_off"].sum() == 0
    every = table[table["program"] == compare.ALL]
    assert every["households"].sum() >= dibao["households"].sum()
