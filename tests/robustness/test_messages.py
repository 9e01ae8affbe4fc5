"""Messages that named the wrong cause now name the right one: a semicolon- or tab-separated CSV,
an unquoted 1,234 (by its row), a 20-digit id (too long, not "negative"), an alias bomb (by its
key), a year outside the parameters in `report --all` (naming --year); and one jurisdiction's
broken parameter file fails its own reports only."""

from pathlib import Path

import pytest

from civsim import batch_jobs, districts, params, reported_figures, report_jobs, tables
from civsim.errors import CivsimError

ROOT = Path(__file__).resolve().parents[2]
HEADER = "jurisdiction,year,program,area,measure,period,value,source,quote"
ROW = "420112,2020,dibao,urban,persons,2020-10,269,s.txt,城市低保221户269人"

SEPARATED = {
    "semicolons": (HEADER.replace(",", ";") + "\n" + ROW.replace(",", ";") + "\n", "the file is semicolon-separated"),
    "tabs": (HEADER.replace(",", "\t") + "\n" + ROW.replace(",", "\t") + "\n", "the file is tab-separated"),
    "semicolons, GBK": (HEADER.replace(",", ";") + "\n", "the file is semicolon-separated"),
}


@pytest.mark.case("messages")
@pytest.mark.parametrize("text, fragment", SEPARATED.values(), ids=SEPARATED.keys())
def test_another_separator_is_named(tmp_path, text, fragment):
    path = tmp_path / "x.csv"
    path.write_bytes(text.encode("gb18030" if "GBK" in fragment else "utf-8"))
    with pytest.raises(CivsimError, match=f"row 1: {fragment}"):
        reported_figures.read(path)


THOUSANDS = {
    "an amount": (
        ROW.replace(",269,", ",1,269,"),
        "row 2: 10 cells but the header has 9 (a number with a thousands separator",
    ),
    "on the fourth row": (
        "\n".join(
            [
                ROW,
                ROW.replace("urban", "rural"),
                ROW.replace("persons", "households").replace(",269,", ",221,"),
                ROW.replace("2020-10", "2020-09").replace(",269,", ",12,345,"),
            ]
        ),
        "row 5: 10 cells",
    ),
    "a text with a comma": (
        ROW.replace("城市低保221户269人", "城市低保,221户"),
        "row 2: 10 cells but the header has 9",
    ),
}


@pytest.mark.case("messages")
@pytest.mark.parametrize("rows, fragment", THOUSANDS.values(), ids=THOUSANDS.keys())
def test_a_row_with_an_extra_cell_is_named(tmp_path, rows, fragment):
    path = tmp_path / "x.csv"
    path.write_text(HEADER + "\n" + rows + "\n", encoding="utf-8")
    with pytest.raises(CivsimError) as info:
        reported_figures.read(path)
    assert fragment in str(info.value)


LONG = {"20 digits": "12345678901234567890", "16 digits past 2**53": "9007199254740993", "30 digits": "1" * 30}


@pytest.mark.case("messages")
@pytest.mark.parametrize("value", LONG.values(), ids=LONG.keys())
def test_a_long_id_is_too_long_not_negative(tmp_path, value):
    path = tmp_path / "households.csv"
    path.write_text(f"household_id,area,size\n{value},urban,2\n", encoding="utf-8")
    with pytest.raises(CivsimError) as info:
        tables.read_csv(path, {"household_id": tables.Column("int", 0), "area": "str", "size": "int"})
    message = str(info.value)
    assert "row 2, column household_id" in message and "too long" in message and "0 or more" not in message


BOMB = """a: &a ["x","x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
standard: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
"""


@pytest.mark.case("messages")
@pytest.mark.parametrize(
    "text, key",
    [
        (BOMB, "standard"),
        (BOMB.replace("standard", "urban"), "urban"),
        ("top:\n  " + BOMB.replace("\n", "\n  "), "top"),
    ],
    ids=["standard", "urban", "nested"],
)
def test_an_alias_bomb_names_its_key(tmp_path, text, key):
    path = tmp_path / "dibao.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CivsimError) as info:
        params.read_yaml(path)
    assert f"dibao.yaml: {key}: more than" in str(info.value)


def fake_runner(jobs, **kwargs):
    return [
        batch_jobs.Outcome(job.label, job.notebook, {"html": Path(f"/tmp/{i}.html")}, True)
        for i, job in enumerate(jobs)
    ]


@pytest.fixture
def dongli_broken(monkeypatch):
    load = params.load

    def broken(district, *args, **kwargs):
        if districts.find(district).code == "120110":
            raise CivsimError(
                "params/120110-dongli/dibao.yaml",
                "dibao.standard.urban.values.2020-01-01",
                "bad value 'x'",
                "a finite number",
            )
        return load(district, *args, **kwargs)

    monkeypatch.setattr(params, "load", broken)


@pytest.mark.case("messages")
@pytest.mark.parametrize("year", [None, 2020], ids=["latest year", "--year 2020"])
def test_one_broken_parameter_file_fails_its_own_reports_only(dongli_broken, capsys, tmp_path, year):
    code = report_jobs.main(year=year, out=tmp_path, runner=fake_runner, progress=False)
    out = capsys.readouterr().out
    assert code == 1
    failed = [line for line in out.splitlines() if "  失败  " in line]
    assert len(failed) == 3 and all(line.startswith("东丽区") and "bad value 'x'" in line for line in failed)
    assert any(line.startswith("东西湖区") and "  完成  " in line for line in out.splitlines())


@pytest.mark.case("messages")
def test_a_broken_file_on_disk_fails_that_jurisdiction_only(tmp_path):
    import shutil

    root = tmp_path / "params"
    shutil.copytree(ROOT / "params", root)
    path = root / "120110-dongli" / "temporary.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nbroken: [\n", encoding="utf-8")
    broken = {}
    found = report_jobs.with_caseload(root=root, broken=broken)
    params.clear_cache()
    assert list(broken) == ["东丽区"] and "temporary.yaml" in broken["东丽区"]
    assert "东西湖区" in [s.district for s in found]


@pytest.mark.case("messages")
@pytest.mark.parametrize("year", [2050, 2099], ids=["2050", "2099"])
def test_report_all_at_a_year_outside_the_parameters_names_year(capsys, year):
    from civsim import cli

    code = cli.main(["report", "--all", "--year", str(year)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"--year: {year}: outside the years the parameters of" in err
