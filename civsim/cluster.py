"""A Dask client for work that fans out over districts: an embedded LocalCluster by default, or an
existing cluster by its scheduler address.

``connect()`` with no arguments starts one worker process per core, one thread each (the engine
is numpy-bound and holds the GIL between calls, so processes, not threads, give parallelism),
with the machine's memory split evenly between them as each worker's limit. A worker that grows
past its limit is restarted by its nanny and the task running on it fails with that cause, so
one oversized district cannot take the machine down. ``gather()`` runs tasks, shows progress and
turns each failure into a line naming its cause while the others finish.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from .errors import CivsimError


def total_memory() -> int:
    """Physical memory of this machine in bytes."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


MIN_MEMORY = 256 << 20  # a worker below this cannot hold a district's run: it would be restarted forever


def parse_memory(text: str | int | None, where: str = "--memory-limit") -> int | None:
    """Bytes from "4GB", "3.5GiB", "800MB" or a plain number of bytes; None stays None."""
    if text is None or isinstance(text, int):
        return text
    from dask.utils import parse_bytes

    try:
        value = parse_bytes(str(text).strip())
    except (ValueError, TypeError):
        value = None
    if not value or value <= 0:
        raise CivsimError(None, where, f"bad memory size {text!r}", "a size such as 4GB, 3.5GiB or 800MB")
    return int(value)


CONNECT_S = 10  # to connect, and for a scheduler's greeting: a live one sends it at once
SCHEDULER_EXPECTED = "the address a dask scheduler prints, e.g. tcp://10.0.0.5:8786"


def probe(address: str, seconds: float | None = None) -> None:
    """Refuse, within ``seconds``, an address where no dask scheduler answers: nothing listening, a
    port that accepts but never speaks (the client would wait for its greeting without bound), or
    another server (a web server there would give the comm layer's long traceback). A dask
    scheduler writes its handshake, a length-prefixed frame, as soon as a connection is made."""
    import socket

    seconds = CONNECT_S if seconds is None else seconds
    scheme, _, rest = str(address).rpartition("://")
    if scheme not in ("", "tcp"):
        return  # tls, ucx, inproc: left to the client (with its timeout)
    host, _, port = rest.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise CivsimError(None, "--scheduler", f"bad address {address!r}", SCHEDULER_EXPECTED)
    try:
        with socket.create_connection((host, int(port)), timeout=seconds) as conn:
            conn.settimeout(seconds)
            greeting = b""
            while len(greeting) < 8:
                chunk = conn.recv(8 - len(greeting))
                if not chunk:
                    break
                greeting += chunk
    except socket.timeout:
        raise CivsimError(
            None,
            "--scheduler",
            f"{address} accepts connections but does not answer within {seconds:g} s (not a dask scheduler?)",
            SCHEDULER_EXPECTED,
        ) from None
    except OSError as exc:
        raise CivsimError(
            None, "--scheduler", f"no scheduler answers at {address} ({exc.strerror or exc})", SCHEDULER_EXPECTED
        ) from None
    size = int.from_bytes(greeting, "little") if len(greeting) == 8 else 0
    if not 0 < size < 1 << 24:
        shown = greeting.decode("ascii", "replace").split("\n")[0][:20]
        raise CivsimError(
            None, "--scheduler", f"{address} answers, but not as a dask scheduler ({shown!r})", SCHEDULER_EXPECTED
        )


def reachable(scheduler: str, workers=None, memory_limit=None) -> None:
    """An existing cluster is sized where it was started, and must answer (see :func:`probe`)."""
    if workers is not None or memory_limit is not None:
        raise CivsimError(
            None,
            "--scheduler",
            "given with --workers or --memory-limit",
            "either an existing cluster (sized where it was started) or a local one",
        )
    probe(scheduler)


@contextlib.contextmanager
def connect(
    scheduler: str | None = None, workers: int | None = None, memory_limit: str | int | None = None
) -> Iterator:
    """A ``distributed.Client``: on ``scheduler`` (e.g. ``tcp://10.0.0.5:8786``) if given, else on
    a LocalCluster of ``workers`` processes (default: the core count), each limited to
    ``memory_limit`` (default: the machine's memory divided by the workers)."""
    from distributed import Client, LocalCluster

    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise CivsimError(None, "--workers", f"bad number of workers {workers!r}", "an integer of 1 or more")
    limit = parse_memory(memory_limit)
    if scheduler:
        reachable(scheduler, workers, limit)
        try:
            client = Client(scheduler, timeout=f"{CONNECT_S}s")
        except Exception as exc:  # noqa: BLE001 - whatever the comm layer raises, one line
            raise CivsimError(
                None, "--scheduler", f"no scheduler answers at {scheduler} ({cause(exc)})", SCHEDULER_EXPECTED
            ) from None
        with client:
            yield client
        return
    if workers is not None and workers > 256:
        raise CivsimError(None, "--workers", f"{workers} is out of range", "a number of workers from 1 to 256")
    if limit is not None and not MIN_MEMORY <= limit <= total_memory():
        raise CivsimError(
            None,
            "--memory-limit",
            f"{limit:,} bytes is out of range",
            f"from {MIN_MEMORY >> 20} MiB to this machine's memory",
        )
    n = workers or os.cpu_count() or 1
    limit = limit or total_memory() // n
    import dask

    with dask.config.set(
        {**{f"distributed.nanny.pre-spawn-environ.{k}": v for k, v in WORKER_ENVIRON.items()}, **WORKER_CONFIG}
    ):
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            memory_limit=limit,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        )
    with cluster, Client(cluster) as client:
        yield client


# Dask starts its workers with MALLOC_TRIM_THRESHOLD_ at 64 kB (to hand freed memory back to the
# system), which also fixes glibc's mmap threshold at 128 kB: every array above it is then mapped and
# unmapped afresh, page by page, and a district-year's many month-sized arrays cost 40 % more CPU than
# in a plain process. Arrays under 32 MB come from the heap again, and the heap keeps up to 64 MB it
# freed rather than handing it back after each array and faulting it in again (some 1,400 page
# faults, 3–5 ms of system time, a district-year); a worker's memory past that is still returned.
WORKER_ENVIRON = {"MALLOC_MMAP_THRESHOLD_": 32 * 2**20, "MALLOC_TRIM_THRESHOLD_": 64 * 2**20}
# A worker samples its own stack every 10 ms for the dashboard's profile, which no civsim command
# shows: 6–7 % of a district-year's CPU. Local workers run without it, and preload what civsim's
# processes leave out of their libraries (2.2 s of CPU a worker at its first report otherwise).
WORKER_CONFIG = {"distributed.worker.profile.enabled": False, "distributed.worker.preload": ["civsim.lean_imports"]}


def cause(exc: BaseException) -> str:
    """One line saying why a task failed."""
    from distributed import KilledWorker

    if isinstance(exc, CivsimError):
        return str(exc)
    if isinstance(exc, KilledWorker):
        return "worker died while running it (over its memory limit, or crashed)"
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@dataclass
class Done:
    """What became of one task: its result, or the cause of its failure."""

    key: str
    result: object = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def gather(
    client,
    fn: Callable,
    items: Iterable[tuple[str, tuple]],
    progress: bool = True,
    desc: str = "tasks",
    unit: str = "task",
) -> Iterator[Done]:
    """Run ``fn(*args)`` for each ``(key, args)`` on the client; yield a Done per task as each
    finishes (not in order). Results are released on the cluster as soon as they arrive."""
    from distributed import as_completed
    from tqdm.auto import tqdm

    items = list(items)
    keys = [key for key, _ in items]
    if len(set(keys)) != len(keys):
        raise CivsimError(None, "tasks", "the same key twice", "one task per key")
    name = f"{getattr(fn, '__name__', 'task')}-{uuid.uuid4().hex[:8]}"  # keys unique to this call
    # pure=False: a task reads files (params, CPI) on the worker, so never reuse a cached result
    futures = {client.submit(fn, *args, key=f"{name}-{key}", pure=False, retries=0): key for key, args in items}
    with tqdm(total=len(futures), disable=not progress, desc=desc, unit=unit) as bar:
        for future in as_completed(futures):
            key = futures.pop(future)
            try:
                done = Done(key, future.result())
            except Exception as exc:  # one task's failure is its own, the others go on
                done = Done(key, error=cause(exc))
            future.release()
            bar.set_postfix_str(key, refresh=False)
            bar.update(1)
            yield done


def map_ordered(client, fn: Callable, args: Iterable[tuple], progress: bool = False) -> list[Done]:
    """``fn(*a)`` for each ``a`` on the client, in input order (e.g. the draws of a Monte Carlo)."""
    items = [(str(i), tuple(a)) for i, a in enumerate(args)]
    out = {d.key: d for d in gather(client, fn, items, progress=progress)}
    return [out[key] for key, _ in items]


def worker_peak_memory(client) -> dict[str, int]:
    """Peak resident memory (bytes) of each worker process since it started."""
    return client.run(_peak_rss)


def _peak_rss() -> int:
    """VmHWM, the high-water mark of this process's own memory. Not ru_maxrss: on Linux that keeps
    the RSS of the process it was forked from across exec, so a worker would report its parent's."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


__all__ = [
    "WORKER_ENVIRON",
    "WORKER_CONFIG",
    "connect",
    "gather",
    "map_ordered",
    "Done",
    "cause",
    "parse_memory",
    "total_memory",
    "worker_peak_memory",
]
