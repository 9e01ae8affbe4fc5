"""``civsim app``: the scenario explorer and the household calculator (two tabs, 方案模拟 and
单户测算, sharing one model) as a standalone web page for planners and clerks, without JupyterLab.

Voila serves ``civsim/notebooks/scenario_explorer.ipynb`` as a page of its outputs only (no code, no
menus), with one kernel per visitor, so each planner has their own roll and controls; one spare
kernel is kept with the explorer already built (Voila's preheating), so a visitor's page comes in
about a second instead of waiting for a kernel to start and the roll to build. The page
is bound to 127.0.0.1 by default and needs a token (printed in the URL); it uses civsim's Voila
template (``app_data/voila/templates/civsim``), which declares the page zh-CN and drops the
stylesheets the stock template would fetch from a public CDN, so the page requests nothing from
any host but the server. Saves go to a fresh folder per visitor under ``saves`` (the explorer reads
:data:`civsim.explorer.VISITOR_SAVES`) and are offered as a download.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .errors import CivsimError
from .explorer import VISITOR_SAVES
from .scenarios import SCENARIOS

ROOT = paths.ROOT
NOTEBOOK = paths.notebooks() / "scenario_explorer.ipynb"
DATA = Path(__file__).resolve().parent / "app_data"  # JUPYTER_PATH entry holding the template
SAVES = SCENARIOS / "app"
PORT = 8866
# A kernel holds a district's roll: one left by every page ever loaded would fill the memory. An
# idle kernel (no execution for CULL_IDLE_S, its tab open or not) is shut down, checked every
# CULL_INTERVAL_S; at most MAX_KERNELS run at once (civsim.app_kernels).
CULL_IDLE_S = 1800
CULL_INTERVAL_S = 60
MAX_KERNELS = 12


@dataclass(frozen=True)
class Server:
    """How to start the app: the command, its environment and the URL a browser opens."""

    argv: list[str]
    env: dict[str, str]
    url: str


def server(
    host: str = "127.0.0.1", port: int = PORT, token: str | None = None, saves=None, notebook=NOTEBOOK
) -> Server:
    if not 0 < int(port) < 65536:
        raise CivsimError("civsim app", "--port", f"bad port {port}", "a number from 1 to 65535")
    if not Path(notebook).is_file():
        raise CivsimError(notebook, None, "notebook not found", "civsim/notebooks/scenario_explorer.ipynb")
    token = token or secrets.token_urlsafe(18)
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(DATA), env.get("JUPYTER_PATH")) if p)
    env[VISITOR_SAVES] = str(_saves_folder(saves or SAVES))
    argv = [
        sys.executable,
        "-m",
        "civsim.app_server",
        str(notebook),
        "--template=civsim",
        "--theme=light",
        "--no-browser",
        f"--Voila.ip={host}",
        f"--port={int(port)}",
        f"--token={token}",
        # one kernel kept ready with the explorer built: the next visitor's page comes at once
        "--preheat_kernel=True",
        "--pool_size=1",
        "--Voila.port_retries=0",  # a busy port is an error, not a different URL
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_S}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}",
        "--MappingKernelManager.cull_connected=True",  # a tab left open does not hold one for ever
        "--VoilaConfiguration.multi_kernel_manager_class=civsim.app_kernels.BoundedKernelManager",
        f"--BoundedKernelManager.max_kernels={MAX_KERNELS}",
    ]
    shown = f"[{host}]" if ":" in host else host
    # a token holding &, #, % or a space would end or change the URL: quoted, it opens as printed
    return Server(argv, env, f"http://{shown}:{int(port)}/?token={urllib.parse.quote(token, safe='')}")


def _saves_folder(saves) -> Path:
    """The saves folder, made if missing; a file, or a folder the server cannot write, is one line
    now rather than a save failing later with no word to the visitor."""
    folder = Path(saves).resolve()
    if folder.exists() and not folder.is_dir():
        raise CivsimError(
            "--saves", saves, "is a file, not a folder", "a folder for the saved scenarios (made if missing)"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CivsimError(
            "--saves", saves, f"cannot make the folder ({exc.strerror})", "a folder the server can write"
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CivsimError("--saves", saves, "the folder is not writable", "a folder the server can write")
    return folder


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running(port: int | None = None, saves=None, log=None, timeout: float = 60.0):
    """Serve in the background (on a free port by default) for a ``with`` block: yields the
    :class:`Server` once it accepts connections, and stops it afterwards (tests, benchmarks)."""
    app = server(port=port or free_port(), saves=saves)
    out = open(log, "wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(app.argv, env=app.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        port = int(app.url.split(":")[2].split("/")[0])
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the app stopped with exit code {process.returncode} (log: {log})")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the app did not listen within {timeout:.0f} s (log: {log})")
            time.sleep(0.05)
        yield app
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log:
            out.close()


def main(host: str = "127.0.0.1", port: int = PORT, token: str | None = None, saves=None) -> int:
    """Serve until interrupted; prints the URL to open (with its token) first."""
    app = server(host, port, token, saves)
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, int(port)))
        except OSError as exc:
            raise CivsimError(
                "civsim app",
                "--port",
                f"cannot listen on {host}:{port} ({exc.strerror})",
                "a free port, e.g. --port 8867",
            ) from None
    print(f"方案模拟网页：{app.url}", flush=True)
    print(f"保存的方案写入 {app.env[VISITOR_SAVES]}/<每位访客一个文件夹>；按 Ctrl-C 停止", flush=True)
    process = subprocess.Popen(app.argv, env=app.env)
    signal.signal(signal.SIGTERM, lambda *_: process.terminate())  # a service stop reaches Voila too
    try:
        return process.wait()
    except KeyboardInterrupt:  # Ctrl-C reaches Voila as well: let it stop its kernels
        process.wait()
        return 0


__all__ = ["Server", "server", "running", "free_port", "main", "SAVES", "PORT"]
