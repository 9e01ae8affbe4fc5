"""Where civsim finds files: its package data, and the workspace of the bureau it works for.

Package data (``civsim/data/``, ``civsim/notebooks/``, shipped inside the wheel; an upgrade replaces
it): the national defaults (``defaults/``), the national list of jurisdictions (``districts.csv``),
the provincial averages, the CPI series, the exports' vocabularies (``bureau/``) and the notebooks.

A workspace (a folder of the bureau's own; an upgrade never writes into it) holds everything a
bureau writes or edits: ``params/<code>-<pinyin>/`` for its jurisdiction and the parents it
overrides, ``params/calibration``, ``params/scenarios``, ``params/plans``, ``params/summaries``,
``data/reported``, ``rolls/`` and ``reports/``; optionally ``data/districts.csv``, the whole list of
jurisdictions when it adds its own (``civsim district new`` copies civsim's list there first).

The workspace is, in this order: ``civsim --home DIR``, the ``CIVSIM_HOME`` environment variable,
the repository when civsim runs from its checkout (pyproject.toml beside the package: the
repository is itself a workspace holding the shipped examples), else the current folder. It is read
once, when civsim is imported (``civsim.cli`` sets ``CIVSIM_HOME`` from ``--home`` first).
"""

from __future__ import annotations

import os
import site
import sys
import sysconfig
from pathlib import Path

HOME_ENV = "CIVSIM_HOME"
PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent if (PACKAGE.parent / "pyproject.toml").is_file() else None
EXAMPLES_SHARE = Path("share") / "civsim" / "examples"  # the wheel's copy of the shipped examples
MARKER = "params"  # a workspace is a folder holding params/ (the repository is one)


def package_data() -> Path:
    """civsim's own data, inside the package: national defaults, districts, CPI, vocabularies."""
    return PACKAGE / "data"


def notebooks() -> Path:
    """The report and explorer notebooks, inside the package."""
    return PACKAGE / "notebooks"


def _chosen() -> Path:
    home = os.environ.get(HOME_ENV, "").strip()
    if home:
        return Path(home).expanduser().resolve()
    return CHECKOUT if CHECKOUT is not None else Path.cwd().resolve()


def how_chosen() -> str:
    """How the workspace was chosen, in the words of an error message."""
    if os.environ.get(HOME_ENV, "").strip():
        return f"--home 或 {HOME_ENV}"
    return "civsim 的源码仓库" if CHECKOUT is not None else "当前目录"


def workspace() -> Path:
    """The workspace folder (see the module's docstring); it need not exist yet: see require_workspace."""
    return ROOT


def is_workspace(folder: Path) -> bool:
    return (Path(folder) / MARKER).is_dir()


def require_workspace() -> Path:
    """The workspace, or one line: where civsim looked and how to make one."""
    from .errors import CivsimError

    if not is_workspace(ROOT):
        raise CivsimError(
            ROOT,
            None,
            f"不是 civsim 工作区（没有 {MARKER}/ 文件夹；工作区取自{how_chosen()}）",
            "用 civsim init 目录 --district 区名 创建一个工作区，再用 --home 目录 或在该目录中运行",
        )
    return ROOT


def examples() -> Path | None:
    """The shipped example jurisdictions (a workspace's layout): the repository in a checkout, the
    wheel's copy under ``<prefix>/share/civsim/examples`` when installed, else None."""
    if CHECKOUT is not None:
        return CHECKOUT
    for prefix in dict.fromkeys((sysconfig.get_path("data"), sys.prefix, getattr(site, "USER_BASE", None) or "")):
        if prefix and (Path(prefix) / EXAMPLES_SHARE / MARKER).is_dir():
            return Path(prefix) / EXAMPLES_SHARE
    return None


ROOT = _chosen()
DATA = ROOT / "data"
PARAMS = ROOT / MARKER
