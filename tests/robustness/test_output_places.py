"""Where outputs may go: never inside civsim's own params/ and data/ (unless writing there is the
command's job), never onto one of the command's inputs (the roll included), a province run's --out
only over what civsim wrote, /dev/stdout in a pipeline as promised; two writers of one shared file
take turns instead of losing a row."""

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from civsim import district_new, districts, province
from civsim import roll_io
from civsim.errors import CivsimError
from civsim.params import PARAMS

from conftest import district_place
from .test_cli_and_outputs import run
from .test_hangs_and_tracebacks import one_line

ROOT = Path(__file__).resolve().parents[2]
PYTHON = [sys.executable, "-m", "civsim.cli"]


@pytest.fixture(scope="module")
def roll_folder(tmp_path_factory):
    """A small roll as `civsim roll import` writes it (households.csv, persons.csv)."""
    from civsim import engine, params

    folder = tmp_path_factory.mktemp("roll")
    roll_io.save(engine.Simulation(params.load("420112"), 2020, 1).roll, folder)
    return folder


IN_TREES = {
    "roll import into a params folder": (
        ["roll", "import", "x.xlsx", "--district", "420112", "--out", str(PARAMS / "420112-dongxihu")],
        "--out",
    ),
    "roll import into data": (
        ["roll", "import", "x.xlsx", "--district", "420112", "--out", str(ROOT / "data" / "roll")],
        "--out",
    ),
    "roll sample into params": (["roll", "sample", "--district", "420112", "--out", str(PARAMS / "sample")], "--out"),
    "simulate --csv into params": (
        ["simulate", "--district", "420112", "--year", "2020", "--csv", str(PARAMS / "defaults" / "out.csv")],
        "--csv",
    ),
    "reconcile --csv into data/reported": (
        ["reconcile", "--district", "420112", "--year", "2020", "--csv", str(ROOT / "data" / "reported" / "model.csv")],
        "--csv",
    ),
    "project --xlsx into data": (
        ["project", "--district", "420112", "--year", "2021", "--xlsx", str(ROOT / "data" / "budget.xlsx")],
        "--xlsx",
    ),
    "report --out into params": (
        ["report", "--district", "420112", "--year", "2020", "--out", str(PARAMS / "reports")],
        "--out",
    ),
    "province --out into data": (["simulate", "--all", "--year", "2020", "--out", str(ROOT / "data")], "--out"),
    "relative path into params": (
        ["simulate", "--district", "420112", "--year", "2020", "--csv", "params/../params/scenarios/x.csv"],
        "--csv",
    ),
}


@pytest.mark.case("outputs")
@pytest.mark.parametrize("argv, flag", IN_TREES.values(), ids=IN_TREES.keys())
def test_an_output_inside_params_or_data_is_refused(capsys, monkeypatch, argv, flag):
    monkeypatch.chdir(ROOT)
    before = {p for tree in ("params", "data") for p in (ROOT / tree).rglob("*")}
    code, err = run(argv, capsys)
    assert code == 2
    one_line(err, flag, "is inside civsim's own")
    assert {p for tree in ("params", "data") for p in (ROOT / tree).rglob("*")} == before


ONTO_INPUTS = {
    "roll check onto households.csv": (
        ["roll", "check", "--district", "420112", "--roll", "{roll}", "--csv", "{roll}/households.csv"],
        "households.csv",
    ),
    "roll check onto persons.csv": (
        ["roll", "check", "--district", "420112", "--roll", "{roll}", "--csv", "{roll}/persons.csv"],
        "persons.csv",
    ),
    "compare onto households.csv": (
        [
            "compare",
            "--district",
            "420112",
            "--year",
            "2021",
            "--scenario",
            "dibao_plus5_july",
            "--roll",
            "{roll}",
            "--csv",
            "{roll}/households.csv",
        ],
        "households.csv",
    ),
    "compare onto persons.csv": (
        [
            "compare",
            "--district",
            "420112",
            "--year",
            "2021",
            "--scenario",
            "dibao_plus5_july",
            "--roll",
            "{roll}",
            "--csv",
            "{roll}/persons.csv",
        ],
        "persons.csv",
    ),
    "simulate onto the roll": (
        ["simulate", "--district", "420112", "--year", "2020", "--roll", "{roll}", "--csv", "{roll}/households.csv"],
        "households.csv",
    ),
    "project onto the roll": (
        ["project", "--district", "420112", "--year", "2021", "--roll", "{roll}", "--xlsx", "{roll}/persons.csv"],
        "persons.csv",
    ),
    "report --out onto a roll file": (
        ["report", "--district", "420112", "--year", "2020", "--out", "{roll}/households.csv"],
        "is a file, not a folder",
    ),
}


@pytest.mark.case("outputs")
@pytest.mark.parametrize("argv, fragment", ONTO_INPUTS.values(), ids=ONTO_INPUTS.keys())
def test_an_output_onto_an_input_is_refused_and_the_roll_kept(capsys, roll_folder, argv, fragment):
    before = {p.name: p.read_bytes() for p in roll_folder.iterdir()}
    code, err = run([a.format(roll=roll_folder) for a in argv], capsys)
    assert code == 2
    one_line(err, fragment)
    assert {p.name: p.read_bytes() for p in roll_folder.iterdir()} == before


STDOUT = {
    "simulate": ["simulate", "--district", "420112", "--year", "2020", "--csv", "/dev/stdout"],
    "reconcile": ["reconcile", "--district", "420112", "--year", "2020", "--csv", "/dev/stdout"],
}


@pytest.mark.case("outputs")
@pytest.mark.parametrize("argv", STDOUT.values(), ids=STDOUT.keys())
def test_csv_to_dev_stdout_in_a_pipeline(argv):
    done = subprocess.run(
        PYTHON + argv,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    lines = done.stdout.decode("utf-8").splitlines()
    assert len(lines) > 10 and "," in lines[0]


SOMEONE_ELSES = {
    "a districts folder": lambda out: (out / "districts").mkdir() or (out / "districts" / "mine.txt").write_text("x"),
    "a failures.csv": lambda out: (out / "failures.csv").write_text("my own notes"),
    "a city.parquet": lambda out: (out / "city.parquet").write_bytes(b"PAR1"),
    "anything": lambda out: (out / "notes.docx").write_bytes(b"PK"),
}


@pytest.mark.case("outputs")
@pytest.mark.parametrize("fill", SOMEONE_ELSES.values(), ids=SOMEONE_ELSES.keys())
def test_a_province_run_refuses_a_folder_civsim_did_not_write(tmp_path, capsys, fill):
    out = tmp_path / "out"
    out.mkdir()
    fill(out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    code, err = run(["simulate", "--all", "--year", "2020", "--out", str(out)], capsys)
    assert code == 2
    one_line(err, "--out", "which civsim did not write")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.case("outputs")
def test_a_province_run_claims_a_new_folder_and_may_replace_its_own(tmp_path):
    out = tmp_path / "new" / "out"
    province.claim(out)
    assert (out / province.MARKER).is_file()
    (out / "failures.csv").write_text("an earlier run's", encoding="utf-8")
    province.claim(out)  # marked: its outputs may be replaced
    (out / ".civsim-x.tmp").mkdir()
    province.claim(out)  # a staging folder left by an interrupted run does not count


@pytest.fixture
def place(tmp_path):
    """districts.csv under a data/ folder, and 厦门市's own dibao.yaml alone under params/."""
    csv = tmp_path / "data" / "districts.csv"
    csv.parent.mkdir()
    yield district_place(tmp_path, csv)
    districts.load_districts.cache_clear()


@pytest.mark.case("losses")
@pytest.mark.parametrize("writers", [2, 4])
def test_district_new_at_once_keeps_every_row(place, monkeypatch, writers):
    csv, root = place
    slow = district_new.stub_files

    def stubs_slowly(*args, **kwargs):  # widen the read-modify-write window
        time.sleep(0.1)
        return slow(*args, **kwargs)

    monkeypatch.setattr(district_new, "stub_files", stubs_slowly)
    rows = [
        ("350203", "思明区", "siming"),
        ("350205", "海沧区", "haicang"),
        ("350206", "湖里区", "huli"),
        ("350211", "集美区", "jimei"),
    ][:writers]
    errors = []

    def add(code, name, pinyin):
        try:
            district_new.new(code, name, "350200", pinyin, csv=csv, root=root)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=row) for row in rows]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    districts.load_districts.cache_clear()
    table = districts.load_districts(csv)
    assert {code for code, _, _ in rows} <= set(table)
    assert all((root / f"{code}-{pinyin}").is_dir() for code, _, pinyin in rows)


@pytest.mark.case("losses")
def test_a_lock_held_too_long_is_one_line(tmp_path):
    from civsim import atomic

    with atomic.locked(tmp_path):
        with pytest.raises(CivsimError, match="another civsim has been writing here"):
            with atomic.locked(tmp_path, wait=0.05):
                pass
