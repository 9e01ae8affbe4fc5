"""A bureau's workspace: `civsim init`, and which folder civsim reads (--home, CIVSIM_HOME, the checkout)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from civsim import districts, paths, workspace
from civsim.errors import CivsimError
from conftest import ROOT


def _civsim(*args, cwd, home=None):
    env = {k: v for k, v in os.environ.items() if k != "CIVSIM_HOME"}
    env["PYTHONPATH"] = str(ROOT)
    if home is not None:
        env["CIVSIM_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "civsim.cli", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_checkout_is_a_workspace_and_the_package_holds_the_national_data():
    assert paths.CHECKOUT == ROOT and paths.workspace() == ROOT and paths.is_workspace(ROOT)
    assert paths.examples() == ROOT
    assert (paths.package_data() / "defaults" / "dibao.yaml").is_file() and not (ROOT / "params" / "defaults").exists()
    assert districts.DISTRICTS_CSV == paths.package_data() / "districts.csv"
    assert (paths.notebooks() / "annual_summary.ipynb").is_file()


def test_init_copies_the_shipped_district_and_its_parents(tmp_path):
    folder, written, stubbed, empty = workspace.init(tmp_path / "ws", "东西湖区")
    assert folder == tmp_path / "ws" and stubbed is None and empty == ["420000-hubei"]
    for name in (
        "params/420112-dongxihu/dibao.yaml",
        "params/420100-wuhan/dibao.yaml",
        "params/calibration/420112-dongxihu.yaml",
        "params/plans/420112-2021.yaml",
        "params/summaries/420112-2020.yaml",
        "data/reported/004_dongxihu_2020.csv",
    ):
        assert (folder / name).read_bytes() == (ROOT / name).read_bytes(), name
    assert not (folder / "params" / "120110-dongli").exists()  # another district's: not copied
    assert not (folder / "data" / "reported" / "000_dongli_2020.csv").exists()
    assert all((folder / name).is_dir() for name in workspace.FOLDERS)
    assert not list(tmp_path.glob(".civsim-init-*"))


def test_init_again_adds_a_district_and_keeps_the_bureaus_edits(tmp_path):
    folder = workspace.init(tmp_path / "ws", "东西湖区")[0]
    edited = folder / "params" / "420112-dongxihu" / "dibao.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "# 本局修改\n", encoding="utf-8")
    written = workspace.init(folder, "东丽区")[1]
    assert edited.read_text(encoding="utf-8").endswith("# 本局修改\n")
    assert (folder / "params" / "120110-dongli" / "temporary.yaml").is_file()
    assert (folder / "params" / "120000-tianjin" / "dibao.yaml").is_file()
    assert not any(p.parts[:2] == ("params", "420112-dongxihu") for p in written)


def test_a_district_not_shipped_gets_stubs(tmp_path):
    folder, written, stubbed, empty = workspace.init(tmp_path / "ws", "湖北省")
    assert stubbed == "420000-hubei" and empty == []
    stubs = sorted((folder / "params" / "420000-hubei").glob("*.yaml"))
    assert stubs and all("values:" in p.read_text(encoding="utf-8") for p in stubs)


@pytest.mark.parametrize("setup", ["a file", "a non-empty folder"])
def test_init_refuses_a_place_that_is_not_a_workspace(tmp_path, setup):
    target = tmp_path / "target"
    if setup == "a file":
        target.write_text("x")
    else:
        target.mkdir()
        (target / "notes.txt").write_text("本局文件")
    with pytest.raises(CivsimError) as err:
        workspace.init(target, "东西湖区")
    assert "\n" not in str(err.value) and str(target) in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target"]


def test_an_unknown_district_writes_nothing(tmp_path):
    with pytest.raises(CivsimError, match="unknown district"):
        workspace.init(tmp_path / "ws", "不存在区")
    assert list(tmp_path.iterdir()) == []


def test_home_and_civsim_home_choose_the_workspace(tmp_path):
    ws = workspace.init(tmp_path / "ws", "东丽区")[0]
    (ws / "params" / "120110-dongli" / "temporary.yaml").unlink()  # differs from the repository's
    args = ("params", "--district", "东丽区", "--date", "2020-06", "--json")
    repo = _civsim(*args, cwd=tmp_path)
    by_env = _civsim(*args, cwd=tmp_path, home=ws)
    by_flag = _civsim("--home", ws, *args, cwd=tmp_path)
    assert repo.returncode == by_env.returncode == by_flag.returncode == 0, by_env.stderr
    assert by_env.stdout == by_flag.stdout != repo.stdout


def test_no_workspace_is_one_line(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    done = _civsim("simulate", "--district", "东丽区", "--year", "2020", cwd=tmp_path, home=empty)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "不是 civsim 工作区" in done.stderr and "civsim init" in done.stderr


def test_district_new_in_a_workspace_copies_the_list_there(tmp_path):
    ws = workspace.init(tmp_path / "ws", "东西湖区")[0]
    package_list = districts.PACKAGE_CSV.read_bytes()
    done = _civsim("district", "new", "420102", "江岸区", "--parent", "420100", "--pinyin", "jiangan", cwd=ws, home=ws)
    assert done.returncode == 0, done.stderr
    own = (ws / "data" / "districts.csv").read_bytes()
    assert own.startswith(package_list) and own.endswith("420102,江岸区,jiangan,420100,district\n".encode())
    assert districts.PACKAGE_CSV.read_bytes() == package_list
    assert (ws / "params" / "420102-jiangan").is_dir()
    done = _civsim("init", ws, "--district", "江岸区", cwd=tmp_path)  # the workspace's list: known there
    assert done.returncode == 0, done.stderr


def test_a_kernel_outside_any_workspace_stops_rather_than_reading_the_defaults_alone(tmp_path):
    """A notebook opened by hand in a folder that is no workspace: one line, not the national defaults."""
    env = dict(os.environ)
    env.update(PYTHONPATH=str(ROOT), CIVSIM_HOME=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", "from civsim import params; params.load('东西湖区')"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0 and "参数文件夹不存在" in done.stderr and str(tmp_path / "params") in done.stderr


def test_a_defaults_folder_in_the_workspace_is_one_line(tmp_path):
    """National defaults come with civsim: a params/defaults left in a workspace would stand for all of them."""
    ws = workspace.init(tmp_path / "ws", "东丽区")[0]
    (ws / "params" / "defaults").mkdir()
    (ws / "params" / "defaults" / "dibao.yaml").write_bytes(
        (paths.package_data() / "defaults" / "dibao.yaml").read_bytes()
    )
    done = _civsim("simulate", "--district", "东丽区", "--year", "2020", cwd=ws, home=ws)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "defaults" in done.stderr
