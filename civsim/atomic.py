"""Write files whole or not at all: write to a temporary file beside the target, then rename.

Only a regular file (or a name not yet taken) is replaced by a rename. A symbolic link is followed
and its target written; a device, pipe or socket (``/dev/null``, ``/dev/stdout``) is written
through directly, since renaming a file onto it would replace the device itself. A folder, a
read-only file or folder, or a full disk is one line naming the target.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from .errors import CivsimError
from .paths import DATA, PARAMS, ROOT, notebooks, package_data

EXPECTED = "a writable file path"


def check_target(target: str | os.PathLike) -> Path:
    """The path that will be written for ``target`` (a symlink's target), or one line why it cannot be."""
    if str(target).endswith(("/", os.sep)):
        raise CivsimError(target, None, "names a folder", "a file name")
    target = Path(target)
    real = Path(os.path.realpath(target))
    try:
        # the name as given, as open() will follow it: /dev/stdout in a pipeline is a link to
        # "pipe:[…]", which no path names, yet opening /dev/stdout reaches the pipe
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise CivsimError(target, None, f"cannot write ({exc.strerror})", EXPECTED) from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise CivsimError(target, None, "is a folder", "a file name inside it")
    if info is not None and not stat.S_ISREG(info.st_mode):
        return real if real.exists() else target  # a device or pipe: written through, its folder untouched
    if info is not None and not (info.st_mode & 0o222 and os.access(real, os.W_OK)):
        raise CivsimError(target, None, "the file is read-only", "a file that may be replaced")
    folder = next((p for p in real.parents if p.exists()), None)  # where the temporary file goes
    if folder is not None and folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        raise CivsimError(target, None, f"cannot write in the folder {folder} (Permission denied)", EXPECTED)
    return real


def refuse_in_repository(target: str | os.PathLike, flag: str) -> None:
    """An output (file or folder) inside civsim's own ``params/`` or ``data/`` is refused: they hold
    what civsim reads, and a roll or a table written there would be read as parameters or data (a
    command whose job is to write there — ``calibrate --write``, ``district new`` — does not ask)."""
    real = Path(os.path.realpath(target))
    for tree in (PARAMS, DATA, package_data(), notebooks()):  # the workspace's inputs, and the package's
        tree = Path(os.path.realpath(tree))
        if real == tree or tree in real.parents:
            raise CivsimError(
                flag,
                target,
                f"is inside civsim's own {tree.name}/ folder ({tree})",
                f"an output outside {ROOT.name}/params, {ROOT.name}/data and civsim's package, "
                "which hold what civsim reads",
            )


def _cannot(target: Path, exc: OSError) -> CivsimError:
    return CivsimError(target, None, f"cannot write ({exc.strerror or type(exc).__name__})", EXPECTED)


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike):
    """Yield a path to write; on success the target holds what was written.

    For a regular file it is a temporary file in the target's folder that replaces the target; a
    failure inside the block removes it and leaves any previous target intact. For a device or
    pipe it is the target itself.
    """
    target = Path(target)
    real = check_target(target)
    if real.exists() and not real.is_file():
        try:
            yield real
        except OSError as exc:
            raise _cannot(target, exc) from None
        return
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
        os.close(fd)
    except OSError as exc:
        raise _cannot(target, exc) from None
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are shared like any file
        os.replace(tmp, real)
    except OSError as exc:
        raise _cannot(target, exc) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@contextlib.contextmanager
def atomic_folder(target: str | os.PathLike):
    """Yield an empty staging folder beside ``target``; on success it becomes ``target`` (a folder
    already there is replaced whole), so a reader finds the old folder or the new one, never a mix.
    A failure inside the block removes the staging folder and leaves any previous ``target`` intact."""
    import shutil

    target = Path(target)
    if target.exists() and not target.is_dir():
        raise CivsimError(target, None, "is a file", "a folder name")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    except OSError as exc:
        raise _cannot(target, exc) from None
    old = None
    try:
        yield staging
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes 0700; outputs are shared like any folder
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
            os.replace(target, old / target.name)
        try:
            os.replace(staging, target)
        except OSError:
            if old is not None:  # the previous folder goes back
                os.replace(old / target.name, target)
            raise
    except OSError as exc:
        raise _cannot(target, exc) from None
    finally:
        for leftover in (staging, old):
            if leftover is not None and leftover.exists():
                shutil.rmtree(leftover, ignore_errors=True)


LOCK_WAIT_S = 60.0


@contextlib.contextmanager
def locked(folder: str | os.PathLike, wait: float = LOCK_WAIT_S):
    """Hold an exclusive lock (fcntl.flock on the folder itself) for a read-modify-write of a shared
    file in ``folder`` (districts.csv, a calibration file): a second writer waits for the first and
    then reads what it wrote, rather than both reading the old file and one row being lost. The
    lock goes with the process, so a writer that dies never leaves it held. Waiting longer than
    ``wait`` seconds is one line."""
    import fcntl
    import time

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        raise CivsimError(folder, None, f"cannot lock ({exc.strerror})", "a folder civsim may write in") from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise CivsimError(
                        folder,
                        None,
                        f"another civsim has been writing here for over {wait:.0f} s",
                        "to try again once it has finished",
                    ) from None
                time.sleep(0.05)
        yield folder
    finally:
        os.close(fd)  # releases the lock


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(target: str | os.PathLike, text: str) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_bytes(target: str | os.PathLike, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)
