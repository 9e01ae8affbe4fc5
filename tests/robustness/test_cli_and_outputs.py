"""The command line with bad arguments and careless output paths: one line on standard error and
exit 2 (130 for Ctrl-C); a refused or failed write leaves the previous file intact and no
temporary file behind; devices, pipes and symlinks are written through, never replaced."""

import errno
import os
import signal
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pandas as pd
import pytest

from civsim import atomic, cli, cli_options, params, synthetic
from civsim import roll_io as population
from civsim.errors import CivsimError

ROOT = Path(__file__).resolve().parents[2]
SIMULATE = ["simulate", "--district", "420112", "--year", "2020"]


def run(argv, capsys):
    """Exit code and standard error of ``civsim argv`` run in this process."""
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse exits itself
        code = exc.code
    return code, capsys.readouterr().err


def assert_one_line(err: str, *fragments):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


ARGUMENT_CASES = {
    "year 0": (["simulate", "--district", "420112", "--year", "0"], ["--year", "out of range", "from 1949 to 2100"]),
    "year -1": (["simulate", "--district", "420112", "--year", "-1"], ["--year", "out of range"]),
    "year 99999": (["reconcile", "--district", "420112", "--year", "99999"], ["--year", "out of range"]),
    "year as text": (["simulate", "--district", "420112", "--year", "二〇二〇"], ["--year", "is not a calendar year"]),
    "year 3000": (["simulate", "--district", "420112", "--year", "3000"], ["--year", "out of range"]),
    "year 2050, beyond the parameters": (
        ["simulate", "--district", "420112", "--year", "2050"],
        ["--year: 2050: outside the years the parameters of 东西湖区 cover", "from 2000 to 2022"],
    ),
    "year 2099 for a budget": (["project", "--district", "420112", "--year", "2099"], ["outside the years"]),
    "year 1960 for a report": (["report", "--district", "420112", "--year", "1960"], ["outside the years"]),
    "draws 1000000000": (
        ["project", "--district", "420112", "--year", "2021", "--draws", "1000000000"],
        ["--draws", "out of range", "from 1 to 10000"],
    ),
    "draws 0": (["project", "--district", "420112", "--year", "2021", "--draws", "0"], ["--draws", "out of range"]),
    "negative seed": (SIMULATE + ["--seed", "-1"], ["--seed", "out of range"]),
    "no workers": (
        ["report", "--district", "420112", "--year", "2020", "--workers", "0"],
        ["--workers", "out of range"],
    ),
    "unknown district": (["simulate", "--district", "火星区", "--year", "2020"], ["火星区", "unknown district"]),
    "unknown command": (["simulat"], ["invalid choice"]),
    "scenario named baseline": (SIMULATE[:-1] + ["2021", "--scenario", "baseline"], ["is the baseline's"]),
    "one scenario twice": (
        SIMULATE[:-1] + ["2021", "--scenario", "dibao_plus5_july", "--scenario", "dibao_plus5_july"],
        ["scenario name 'dibao_plus5_july' is also the name in"],
    ),
}


@pytest.mark.case("cli")
@pytest.mark.parametrize("argv, fragments", ARGUMENT_CASES.values(), ids=ARGUMENT_CASES.keys())
def test_bad_arguments(capsys, argv, fragments):
    code, err = run(argv, capsys)
    assert code == 2
    assert_one_line(err, *fragments)


@pytest.mark.case("cli")
def test_ctrl_c_is_one_line_and_exit_130(capsys, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "cmd_params", interrupted)
    code, err = run(["params", "--district", "420112"], capsys)
    assert code == 130
    assert_one_line(err, "已中断")


@pytest.mark.case("cli")
def test_ctrl_c_sent_to_a_running_command(tmp_path):
    """A real SIGINT to the process, in the middle of a long projection, with a previous workbook."""
    target = tmp_path / "budget.xlsx"
    target.write_bytes(b"previous")
    script = (
        "import sys; from civsim import cli\nfrom civsim.budget import projection as budget\n"
        "real = budget.project\n"
        "def project(*a, **k):\n"
        "    print('running', file=sys.stderr, flush=True)\n"
        "    return real(*a, **k)\n"
        "budget.project = project\n"
        "sys.exit(cli.main(sys.argv[1:]))\n"
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            script,
            "project",
            "--district",
            "420112",
            "--year",
            "2021",
            "--draws",
            "10000",
            "--xlsx",
            str(target),
        ],
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        # as from a terminal: a test process before this one may have left SIGINT ignored,
        # which a child inherits (and Python then never raises KeyboardInterrupt)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert process.stderr.readline().strip() == "running"
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)  # under a loaded machine the interrupt can take seconds to land
    finally:
        process.kill()
    assert process.returncode == 130
    assert_one_line(err, "已中断")
    assert target.read_bytes() == b"previous" and os.listdir(tmp_path) == ["budget.xlsx"]


def _roll(tmp_path) -> Path:
    folder = tmp_path / "roll"
    population.save(synthetic.synthesize(params.load("东西湖区"), 2020), folder)
    return folder


@pytest.mark.case("writes")
def test_csv_onto_the_rolls_own_input_is_refused(tmp_path, capsys):
    roll = _roll(tmp_path)
    before = (roll / "persons.csv").read_bytes()
    code, err = run(SIMULATE + ["--roll", str(roll), "--csv", str(roll / "persons.csv")], capsys)
    assert code == 2
    assert_one_line(err, "--csv", "persons.csv", "is an input of this command")
    assert (roll / "persons.csv").read_bytes() == before and sorted(os.listdir(roll)) == [
        "households.csv",
        "persons.csv",
    ]


@pytest.mark.case("writes")
def test_csv_onto_a_scenario_file_given_by_path_is_refused(tmp_path, capsys):
    scenario = tmp_path / "mine.yaml"
    scenario.write_text(
        "name: mine\nchanges: [{path: dibao.standard, from: 2021-07-01, percent: 5}]\n", encoding="utf-8"
    )
    before = scenario.read_bytes()
    code, err = run(SIMULATE[:-1] + ["2021", "--scenario", str(scenario), "--csv", str(scenario)], capsys)
    assert code == 2
    assert_one_line(err, "is an input of this command")
    assert scenario.read_bytes() == before


@pytest.mark.case("writes")
def test_csv_onto_a_hard_link_of_a_shipped_input_is_refused(tmp_path, capsys):
    link = tmp_path / "figures.csv"
    source = ROOT / "data" / "reported" / "004_dongxihu_2020.csv"
    try:
        os.link(source, link)
    except OSError:  # another file system: a symlink is followed to the same file
        link.symlink_to(source)
    before = source.read_bytes()
    code, err = run(["reconcile", "--district", "420112", "--year", "2020", "--csv", str(link)], capsys)
    assert code == 2
    assert_one_line(err, "is an input of this command", "004_dongxihu_2020.csv")
    assert source.read_bytes() == before


@pytest.mark.case("writes")
@pytest.mark.parametrize(
    "flag, argv",
    [("--csv", SIMULATE), ("--xlsx", ["project", "--district", "420112", "--year", "2021", "--draws", "2"])],
    ids=["csv", "xlsx"],
)
def test_output_naming_a_folder(tmp_path, capsys, flag, argv):
    (tmp_path / "out").mkdir()
    code, err = run(argv + [flag, str(tmp_path / "out")], capsys)
    assert code == 2
    assert_one_line(err, "out: is a folder")
    assert os.listdir(tmp_path / "out") == []


@pytest.mark.case("writes")
def test_output_onto_a_read_only_file(tmp_path, capsys):
    target = tmp_path / "table.csv"
    target.write_text("previous")
    target.chmod(0o444)
    code, err = run(SIMULATE + ["--csv", str(target)], capsys)
    assert code == 2
    assert_one_line(err, "table.csv: the file is read-only")
    assert target.read_text() == "previous"


@pytest.mark.case("writes")
def test_output_into_a_read_only_folder(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "table.csv").write_text("previous")
    folder.chmod(0o555)
    if os.geteuid() == 0:  # root writes anywhere; refuse as the OS does for everyone else

        def refuse(*args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied")

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
    try:
        code, err = run(SIMULATE + ["--csv", str(folder / "table.csv")], capsys)
    finally:
        folder.chmod(0o755)
    assert code == 2
    assert_one_line(err, "table.csv: cannot write", "Permission denied")
    assert os.listdir(folder) == ["table.csv"] and (folder / "table.csv").read_text() == "previous"


@pytest.mark.case("writes")
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="a Linux /dev/full is the disk that is always full")
def test_a_full_disk_written_through(capsys):
    code, err = run(SIMULATE + ["--csv", "/dev/full"], capsys)
    assert code == 2
    assert_one_line(err, "/dev/full: cannot write (No space left on device)")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.case("writes")
def test_a_full_disk_midway_keeps_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "table.csv"
    target.write_text("previous")

    def fill_up(self, path, *args, **kwargs):
        Path(path).write_text("jurisdiction,scen")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", fill_up)
    with pytest.raises(CivsimError) as err:
        cli_options.write_table(pd.DataFrame({"a": [1]}), str(target))
    assert str(err.value) == f"{target}: cannot write (No space left on device) (expected a writable file path)"
    assert target.read_text() == "previous" and os.listdir(tmp_path) == ["table.csv"]


@pytest.mark.case("writes")
def test_ctrl_c_midway_keeps_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "table.csv"
    target.write_text("previous")

    def interrupted(self, path, *args, **kwargs):
        Path(path).write_text("jurisdiction,scen")
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cli_options.write_table(pd.DataFrame({"a": [1]}), str(target))
    assert target.read_text() == "previous" and os.listdir(tmp_path) == ["table.csv"]


@pytest.mark.case("writes")
def test_dash_is_standard_output(capsys):
    assert cli.main(SIMULATE + ["--csv", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("jurisdiction,scenario,month,program") and not Path("-").exists()


def _null_device(tmp_path) -> Path:
    """A character device like /dev/null: a private one for root (who could replace the real one),
    the real one for anyone else (who cannot)."""
    if os.geteuid() != 0:
        return Path("/dev/null")
    path = tmp_path / "null"
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return path


@pytest.mark.case("writes")
def test_a_device_is_written_through_not_replaced(tmp_path, capsys):
    device = _null_device(tmp_path)
    assert cli.main(SIMULATE + ["--csv", str(device)]) == 0
    assert stat.S_ISCHR(os.stat(device).st_mode)
    assert [p for p in os.listdir(device.parent) if p.endswith(".tmp")] == []


@pytest.mark.case("writes")
def test_a_pipe_is_written_through(tmp_path):
    pipe = tmp_path / "table.csv"
    os.mkfifo(pipe)
    received = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_text()))
    reader.start()
    atomic.write_text(pipe, "a,b\n1,2\n")
    reader.join(10)
    assert received == ["a,b\n1,2\n"] and stat.S_ISFIFO(os.stat(pipe).st_mode)


@pytest.mark.case("writes")
def test_a_symlink_is_written_through_to_its_target(tmp_path):
    target = tmp_path / "real" / "table.csv"
    target.parent.mkdir()
    target.write_text("previous")
    link = tmp_path / "table.csv"
    link.symlink_to(target)
    atomic.write_text(link, "new")
    assert link.is_symlink() and target.read_text() == "new"
    assert sorted(os.listdir(tmp_path)) == ["real", "table.csv"] and os.listdir(target.parent) == ["table.csv"]


@pytest.mark.case("writes")
def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "table.csv"
    link.symlink_to(tmp_path / "made.csv")
    atomic.write_text(link, "new")
    assert link.is_symlink() and (tmp_path / "made.csv").read_text() == "new"
