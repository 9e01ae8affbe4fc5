"""One declaration per program: every list of programs derives from them, every leaf read is
declared, and a mistake in a params file or a scenario is an error, not a silent zero."""

import pytest

from civsim import districts, engine, params, programs, reported_figures, scenarios, schema
from civsim.errors import CivsimError
from civsim.report import labels


def test_the_label_table_is_the_declared_lines():
    assert labels.PROGRAM_LABELS == programs.LINES


def test_every_reported_program_code_maps_to_declared_lines_or_is_a_service_count():
    codes = set(reported_figures.load()["program"])
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
        sim.run(p, detail=True, read=read)  # detail: every rule runs per entity
        for program in sim.programs:
            paths = {path for key, path in read if key == program.key}
            assert paths and paths <= set(program.params), (district, program.key, paths - set(program.params))


def test_a_misspelled_leaf_is_an_error_naming_the_nearest_declared_one(tree):
    root = tree(
        {
            "defaults/disability.yaml": "nursng:\n  amount:\n    unit: yuan/person/month\n    values:\n"
            "      2020-01-01: {value: 80, assumption: test}\n"
        }
    )
    with pytest.raises(
        CivsimError,
        match=r"disability.yaml: disability.nursng.amount: no program or roll reads this leaf "
        r"\(expected a declared name \(nearest: disability.nursing.amount\)\)",
    ):
        params.load("东西湖区", root=root)


def test_a_leaf_in_a_unit_its_readers_do_not_expect_is_an_error(tree):
    root = tree(
        {"defaults/dibao.yaml": "floor:\n  unit: percent\n  values:\n    2020-01-01: {value: 5, assumption: test}\n"}
    )
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
    import datetime as dt
    from dataclasses import replace

    from civsim.param_leaves import Entry

    base = params.load("东西湖区")
    leaves = dict(base.leaves)
    for path in ("caseload.dibao.urban.households", "caseload.dibao.urban.persons"):  # 低保 counted in 2018
        leaves[path] = replace(base.leaf(path), entries=(Entry(dt.date(2018, 6, 1), base.at(path, "2020-10"), "test"),))
    with pytest.raises(CivsimError, match=r"dibao.standard.urban: no value in force on 2018-"):
        engine.simulate("东西湖区", 2018, params=base.with_leaves(leaves, "baseline"))


def test_a_year_before_every_count_is_an_error_naming_the_first_count():
    frame = engine.simulate("东西湖区", 2018)  # a summary's last-year comparison may run it
    assert not (frame["amount_yuan"] > 0).any()
    with pytest.raises(
        CivsimError,
        match=r"caseload\.\S+: every count is for a later year \(from 20\d\d-\d\d\): a roll for 2018 holds no one",
    ):
        engine.require_someone(frame, 2018)  # for a user's run, one line


def test_the_schema_lists_every_leaf_with_its_readers():
    rows = {r["path"]: r for r in schema.rows(params.load("东西湖区"), params.national(), districts.ROOT)}
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


def test_every_program_paying_its_own_line_declares_its_area_sentence_and_method():
    from civsim.report import text

    placeholders = dict.fromkeys(
        (
            "households",
            "persons",
            "held",
            "times",
            "cases",
            "visits",
            "number",
            "money",
            "own",
            "span",
            "as_of",
            "where",
            "area",
            "areas",
        ),
        "x",
    )
    for program in programs.REGISTRY:
        own = [line for line in program.outputs if programs.family(line) == line]
        if not own:  # it rides on other programs: said, tabled and reconciled with them
            assert program.sentence is None and not program.area, program.key
            continue
        assert program.area and program.sentence is not None and program.method, program.key
        said = program.sentence
        assert said.shared in ("", *text.SHARED), program.key
        for template in (said.paid, said.held, said.each_area):
            template.format(**placeholders)  # only the placeholders the report fills
        assert said.paid or said.held, program.key
        assert not said.each_area or "{areas}" in said.held, program.key
        for leaf, _ in said.split:
            assert leaf in {**program.params, **program.roll_params}, (program.key, leaf)
    keys = [key for _, keys in text.areas() for key in keys]
    assert len(keys) == len(set(keys))
    assert dict(text.areas())["社会救助"] == ("dibao", "tekun", "low_income", "edge", "temporary", "spring_festival")


def test_every_program_with_a_required_leaf_says_where_its_rule_is_published():
    for path, (param, readers) in schema.declared().items():
        if param.required:
            assert programs.PROGRAMS[readers[0]].published, (path, readers[0])


def test_the_reports_name_a_family_and_what_it_sums_from_the_declarations():
    assert labels.family_label("dibao") == "低保金及补贴" and labels.family_label("edge") == "低保边缘家庭救助"
    assert labels.family_label("tekun") == programs.PROGRAMS["tekun"].family_label
    # the lines riding on 低保 are named in what its reconciled figure holds, whatever they are
    detail = labels.reconcile_detail("dibao")
    assert detail.startswith(programs.PROGRAMS["dibao"].method)
    assert all(programs.LINES[line] in detail for line in programs.riders("dibao"))
    assert set(programs.riders("dibao")) == set(programs.reported_lines("dibao")) - {"dibao"}
    assert labels.program_label("price_subsidy") == "价格临时补贴" and labels.program_label("nope") == "nope"
