"""The wheel a bureau installs: built from the repository's files, installed into a fresh venv outside
the repository, a workspace made with `civsim init`, every command the README shows run there as
written (districts' reports and the roll flow on the shipped sample exports included) and the
explorer's notebook run there; an upgrade leaves the workspace as it was.

The fresh venv has civsim's dependencies through a .pth naming this interpreter's site-packages
and JUPYTER_PATH naming the data they installed (no download: the build runs without isolation, the
wheel installs with --no-deps --no-index)."""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import docx
import nbformat
import pytest

from conftest import ROOT
from privacy import SAMPLE, personal_data, scan
from test_readme_commands import readme_commands

pytestmark = pytest.mark.slow
SOURCES = ("civsim", "params", "data/reported", "pyproject.toml")  # what the wheel is built from


def _run(args, cwd, env, ok=True, timeout=300):
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if ok:
        assert done.returncode == 0, f"{args}: {done.stderr[-3000:]}"
    return done


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"  # the repository's tracked files, not its caches or outputs
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "app")
    for name in SOURCES:
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy2)(
            ROOT / name, source / name, **({"ignore": skip} if (ROOT / name).is_dir() else {})
        )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CIVSIM_HOME")}
    _run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", tmp / "dist", source], tmp, env)
    wheel = next((tmp / "dist").glob("civsim-*.whl"))

    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], tmp, env)
    python = venv / "bin" / "python"
    own = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp, env).stdout.strip())
    shared = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")} | {
        p for p in sys.path if p.endswith(("site-packages", "dist-packages")) and Path(p).is_dir()
    }
    (own / "_civsim_test_dependencies.pth").write_text("\n".join(sorted(shared)) + "\n", encoding="utf-8")
    # and the data those packages installed beside them (nbconvert's templates): <prefix>/share/jupyter
    data = [str(s) for s in (Path(p).parents[2] / "share" / "jupyter" for p in sorted(shared)) if s.is_dir()]
    env["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys(data + [p for p in [env.get("JUPYTER_PATH")] if p]))
    install = [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel]
    _run(install, tmp, env)
    package = Path(_run([python, "-c", "import civsim; print(civsim.__file__)"], tmp, env).stdout.strip()).parent
    return {
        "tmp": tmp,
        "env": env,
        "venv": venv,
        "python": python,
        "package": package,
        "wheel": wheel,
        "install": install,
        "civsim": venv / "bin" / "civsim",
    }


def test_the_wheel_holds_the_package_data_and_the_examples(installed):
    package = installed["package"]
    assert package.is_relative_to(installed["venv"]) and not package.is_relative_to(ROOT)
    for name in (
        "data/defaults/dibao.yaml",
        "data/districts.csv",
        "data/cpi_cn_monthly.csv",
        "data/dibao_provincial.csv",
        "data/bureau/aliases.csv",
        "notebooks/scenario_explorer.ipynb",
        "notebooks/annual_summary.ipynb",
        "report/templates/civsim",
        "app_data/voila/templates/civsim",
    ):
        assert (package / name).exists(), name
    examples = installed["venv"] / "share" / "civsim" / "examples"
    assert (examples / "params" / "420112-dongxihu" / "dibao.yaml").is_file()
    assert (examples / "data" / "reported" / "004_dongxihu_2020.csv").is_file()


def test_the_readme_commands_and_the_explorer_run_in_a_workspace_outside_the_repository(installed):
    tmp, env, civsim = installed["tmp"], installed["env"], installed["civsim"]
    package_before = _snapshot(installed["package"])

    outside = _run([civsim, "simulate", "--district", "东西湖区", "--year", "2020"], tmp, env, ok=False)
    assert outside.returncode == 2 and "不是 civsim 工作区" in outside.stderr and outside.stderr.count("\n") == 1

    for district in ("东西湖区", "东丽区"):
        _run([civsim, "init", "ws", "--district", district], tmp, env)
    ws = tmp / "ws"
    assert (ws / "params" / "420112-dongxihu" / "dibao.yaml").is_file()
    assert (ws / "params" / "calibration" / "420112-dongxihu.yaml").is_file()
    assert (ws / "params" / "420000-hubei").is_dir() and not any((ws / "params" / "420000-hubei").iterdir())
    assert not (ws / "params" / "defaults").exists() and (ws / "rolls").is_dir() and (ws / "reports").is_dir()

    # from the workspace itself, and from elsewhere with --home
    here = _run([civsim, "simulate", "--district", "东西湖区", "--year", "2020"], ws, env).stdout
    home = _run([civsim, "--home", ws, "simulate", "--district", "东西湖区", "--year", "2020"], tmp, env).stdout
    assert here == home and "420112,baseline,2020-01,dibao" in here

    # the README's commands as written, from a folder holding the bureau's exports, the workspace
    # chosen by CIVSIM_HOME (relative paths are the user's folder's: the kernels run elsewhere)
    user = tmp / "user"
    (user / "exports").mkdir(parents=True)
    for export in SAMPLE.glob("*.xlsx"):
        shutil.copy(export, user / "exports" / export.name)
    readme = dict(env, CIVSIM_HOME=str(ws), CIVSIM_SALT_DIR=str(tmp / "salt"))
    for line in readme_commands():
        args = [str(p) for a in shlex.split(line)[1:] for p in (sorted(user.glob(a)) if "*" in a else [a])]
        done = _run([civsim, *args], user, readme, ok=False, timeout=600)
        assert done.returncode == 0 and "Traceback" not in done.stderr, f"{line}\n{done.stderr[-2000:]}"
    assert (user / "budget.xlsx").is_file() and (user / "my_roll" / "households.csv").is_file()
    for district, code in (("东西湖区", "420112"), ("东丽区", "120110")):
        summary = ws / "reports" / f"{code}-{district}" / "2020"
        for suffix in ("html", "pdf", "docx"):
            assert (summary / f"工作总结.{suffix}").stat().st_size > 10_000
        assert (ws / "reports" / f"{code}-{district}" / "2021" / "预算测算.xlsx").stat().st_size > 5_000
        assert district in (summary / "工作总结.html").read_text(encoding="utf-8")
    # 东西湖区's from the imported roll: a table by street, its 低保边缘 families (paid nothing)
    # counted, and no name, 身份证号, phone, address or account of the exports in its HTML or Word file
    summary = ws / "reports" / "420112-东西湖区" / "2020"
    page = (summary / "工作总结.html").read_text(encoding="utf-8")
    assert "分街道（乡镇）情况" in page and "吴家山街道" in page and "低保边缘家庭救助" in page
    written = docx.Document(str(summary / "工作总结.docx"))
    document = "\n".join(
        [p.text for p in written.paragraphs]
        + [cell.text for table in written.tables for row in table.rows for cell in row.cells]
    )
    assert "吴家山街道" in document
    personal = personal_data()
    for text in (page, document):
        scan(text, personal)

    explorer = installed["package"] / "notebooks" / "scenario_explorer.ipynb"
    out = tmp / "explorer.ipynb"
    _run(
        [
            installed["python"],
            "-m",
            "papermill",
            explorer,
            out,
            "-k",
            "python3",
            "--cwd",
            ws,
            "-p",
            "district",
            "东西湖区",
            "-p",
            "year",
            "2021",
        ],
        ws,
        env,
        timeout=600,
    )
    executed = nbformat.read(out, as_version=4)
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert outputs and not [o for o in outputs if o.get("output_type") == "error"]

    # nothing the commands did wrote into the installed package
    assert _snapshot(installed["package"]) == package_before

    # an upgrade (the wheel reinstalled) leaves the workspace as it was
    workspace_before = _snapshot(ws)
    _run(installed["install"][:-1] + ["--force-reinstall", installed["wheel"]], tmp, env)
    assert _snapshot(ws) == workspace_before
