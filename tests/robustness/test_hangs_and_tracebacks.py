"""What used to hang without bound or end in a traceback: a --scheduler that accepts but never
answers (or is a web server), sizes and numbers no run can finish with, a full disk under --xlsx,
and the web app's kernels, saves and URL. Each is bounded and one line (or a message to the visitor)."""

import asyncio
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from civsim import app, cluster, explorer
from civsim.errors import CivsimError

from .test_cli_and_outputs import run

ROOT = Path(__file__).resolve().parents[2]


def one_line(err, *fragments):
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


class Server:
    """A local TCP server in a thread: ``behaviour(conn)`` handles each connection."""

    def __init__(self, behaviour=None):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.port = self.socket.getsockname()[1]
        self.behaviour, self.conns = behaviour, []
        if behaviour is not None:
            threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.socket.accept()
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self._quietly, args=(conn,), daemon=True).start()

    def _quietly(self, conn):
        try:
            self.behaviour(conn)
        except OSError:  # the test closed the connection first
            pass

    def close(self):
        for conn in self.conns:
            conn.close()
        self.socket.close()


def web_server(conn):  # answers a request, as an HTTP server on the port would
    conn.recv(4096)
    conn.sendall(b"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n")


def banner(conn):  # speaks first, but not dask
    conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")


def silent_after_accept(conn):
    time.sleep(30)


# (behaviour, the probe's wait, what the refusal says); the banner comes at once, but on a loaded
# machine the server's thread may not send it within 0.1 s, so that case waits longer
SCHEDULERS = {
    "listening, never accepting": (None, 0.1, "does not answer within 0.1 s"),
    "accepting, never answering": (silent_after_accept, 0.1, "does not answer within 0.1 s"),
    "a web server": (web_server, 0.1, "does not answer within 0.1 s"),
    "another protocol's banner": (banner, 4, "answers, but not as a dask scheduler ('SSH-2.0"),
}


@pytest.mark.case("hangs")
@pytest.mark.timeout(20)
@pytest.mark.parametrize("behaviour, seconds, fragment", SCHEDULERS.values(), ids=SCHEDULERS.keys())
def test_a_scheduler_that_does_not_answer_is_refused_in_bounded_time(behaviour, seconds, fragment):
    server = Server(behaviour)
    try:
        start = time.monotonic()
        with pytest.raises(CivsimError, match="--scheduler") as info:
            cluster.probe(f"tcp://127.0.0.1:{server.port}", seconds=seconds)
        assert time.monotonic() - start < 5 and fragment in str(info.value)
    finally:
        server.close()


BAD_ADDRESSES = {
    "nothing listening": "tcp://127.0.0.1:{free}",
    "no port": "tcp://127.0.0.1",
    "a port out of range": "tcp://127.0.0.1:70000",
}


@pytest.mark.case("hangs")
@pytest.mark.timeout(20)
@pytest.mark.parametrize("address", BAD_ADDRESSES.values(), ids=BAD_ADDRESSES.keys())
def test_a_bad_scheduler_address_is_one_line(address):
    free = Server()
    free.close()
    with pytest.raises(CivsimError, match="--scheduler"):
        cluster.probe(address.format(free=free.port), seconds=0.3)


@pytest.mark.case("hangs")
@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "--all", "--year", "2020", "--out", "{out}"],
        ["report", "--district", "420112", "--year", "2020", "--out", "{out}"],
    ],
    ids=["simulate", "report"],
)
def test_the_command_line_gives_up_on_a_silent_scheduler_in_one_line(tmp_path, capsys, monkeypatch, argv):
    monkeypatch.setattr(cluster, "CONNECT_S", 0.1)  # the wait is the point, not its length
    server = Server(silent_after_accept)
    try:
        start = time.monotonic()
        code, err = run(
            [a.format(out=tmp_path / "out") for a in argv] + ["--scheduler", f"tcp://127.0.0.1:{server.port}"], capsys
        )
        assert code in (1, 2) and time.monotonic() - start < 40
        assert "--scheduler" in err and "Traceback" not in err
        assert not (tmp_path / "out").exists()  # nothing made before the scheduler answered
    finally:
        server.close()


RANGES = {
    "workers 100000": (["simulate", "--all", "--year", "2020", "--out", "x", "--workers", "100000"], "--workers"),
    "workers 0": (["simulate", "--all", "--year", "2020", "--out", "x", "--workers", "0"], "--workers"),
    "memory 1KB": (["simulate", "--all", "--year", "2020", "--out", "x", "--memory-limit", "1KB"], "--memory-limit"),
    "memory 1PB": (["simulate", "--all", "--year", "2020", "--out", "x", "--memory-limit", "1PB"], "--memory-limit"),
    "memory as words": (["report", "--all", "--memory-limit", "lots"], "--memory-limit"),
    "report memory 1KB": (["report", "--all", "--memory-limit", "1KB"], "--memory-limit"),
    "compare seed -1": (
        ["compare", "--district", "420112", "--year", "2021", "--scenario", "x", "--seed", "-1"],
        "--seed",
    ),
    "sample seed -1": (["roll", "sample", "--district", "420112", "--out", "x", "--seed", "-1"], "--seed"),
    "households 0": (["roll", "sample", "--district", "420112", "--out", "x", "--households", "0"], "--households"),
    "households 10^8": (
        ["roll", "sample", "--district", "420112", "--out", "x", "--households", "100000000"],
        "--households",
    ),
    "month 2020-13": (["roll", "sample", "--district", "420112", "--out", "x", "--month", "2020-13"], "--month"),
    "month 2020-00": (["roll", "sample", "--district", "420112", "--out", "x", "--month", "2020-00"], "--month"),
    "month Jan-20": (["roll", "sample", "--district", "420112", "--out", "x", "--month", "Jan-20"], "--month"),
    "import month 2020-13": (
        ["roll", "import", "x.xlsx", "--district", "420112", "--out", "x", "--month", "2020-13"],
        "--month",
    ),
    "years past 2100": (["project", "--district", "420112", "--year", "2099", "--years", "5"], "--years"),
    "years 11": (["project", "--district", "420112", "--year", "2021", "--years", "11"], "--years"),
    "port 70000": (["app", "--port", "70000"], "--port"),
}


@pytest.mark.case("hangs")
@pytest.mark.parametrize("argv, flag", RANGES.values(), ids=RANGES.keys())
def test_a_number_out_of_range_is_one_line_at_parse_time(capsys, argv, flag):
    code, err = run(argv, capsys)
    assert code == 2
    one_line(err, f"error: argument {flag}")


FULL = {
    "--xlsx": ["project", "--district", "420112", "--year", "2021", "--draws", "2", "--xlsx", "/dev/full"],
    "--csv": ["simulate", "--district", "420112", "--year", "2020", "--csv", "/dev/full"],
}


@pytest.mark.case("hangs")
@pytest.mark.parametrize("argv", FULL.values(), ids=FULL.keys())
def test_a_full_disk_is_one_line_without_a_cleanup_traceback(argv):
    done = subprocess.run(
        [sys.executable, "-m", "civsim.cli", *argv],
        cwd=ROOT,
        capture_output=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    err = done.stderr.decode("utf-8")
    assert done.returncode != 0
    one_line(err, "/dev/full", "No space left on device")
    assert "Exception ignored" not in err


@pytest.mark.case("app")
def test_the_app_culls_idle_kernels_and_bounds_them(tmp_path):
    argv = app.server(saves=tmp_path).argv
    options = dict(a.removeprefix("--").split("=", 1) for a in argv if a.startswith("--") and "=" in a)
    assert int(options["MappingKernelManager.cull_idle_timeout"]) > 0
    assert (
        0 < int(options["MappingKernelManager.cull_interval"]) <= int(options["MappingKernelManager.cull_idle_timeout"])
    )
    assert options["VoilaConfiguration.multi_kernel_manager_class"] == "civsim.app_kernels.BoundedKernelManager"
    assert 0 < int(options["BoundedKernelManager.max_kernels"]) <= 64


@pytest.mark.case("app")
def test_the_kernel_bound_refuses_one_more_kernel():
    from tornado import web

    from civsim.app_kernels import BoundedKernelManager

    manager = BoundedKernelManager(max_kernels=2)
    manager.list_kernel_ids = lambda: ["a", "b"]
    with pytest.raises(web.HTTPError) as info:
        asyncio.run(manager.start_kernel(kernel_name="python3"))
    assert info.value.status_code == 503 and "访问人数已满" in info.value.log_message


TOKENS = {
    "ampersand": "abc&admin=1",
    "hash": "abc#frag",
    "percent": "100%sure",
    "space and plus": "a b+c",
    "slash and question": "a/b?c",
    "chinese": "令牌",
}


@pytest.mark.case("app")
@pytest.mark.parametrize("token", TOKENS.values(), ids=TOKENS.keys())
def test_a_token_with_url_characters_prints_a_url_that_opens(tmp_path, token):
    url = app.server(token=token, saves=tmp_path).url
    parsed = urllib.parse.urlsplit(url)
    assert parsed.fragment == "" and urllib.parse.parse_qs(parsed.query) == {"token": [token]}
    assert f"--token={token}" in app.server(token=token, saves=tmp_path).argv


@pytest.mark.case("app")
def test_saves_that_is_a_file_is_one_line_before_serving(tmp_path, capsys):
    saves = tmp_path / "saves"
    saves.write_text("not a folder", encoding="utf-8")
    code, err = run(["app", "--port", "1", "--saves", str(saves)], capsys)
    assert code == 2
    one_line(err, "--saves", "is a file, not a folder")


def _explorer(monkeypatch, root):
    monkeypatch.setenv(explorer.VISITOR_SAVES, str(root))
    ex = explorer.build("东西湖区", 2021, debounce=None)
    ex.control("dibao.standard.urban").percent.value = 5
    ex.recompute()
    ex.name_box.value = "plus5"
    return ex


@pytest.mark.case("app")
def test_a_save_the_server_cannot_write_tells_the_visitor(tmp_path, monkeypatch):
    root = tmp_path / "saves"
    root.write_text("a file where the folder should be", encoding="utf-8")
    ex = _explorer(monkeypatch, root)
    assert ex.save() is None
    assert "不能保存" in ex.message and str(tmp_path) not in ex.message


@pytest.mark.case("app")
def test_the_save_message_shows_a_path_among_the_saves_not_the_servers(tmp_path, monkeypatch):
    root = tmp_path / "saves"
    ex = _explorer(monkeypatch, root)
    path = ex.save()
    assert path is not None and path.is_file()
    assert str(tmp_path) not in ex.message and str(path.relative_to(root)) in ex.message
