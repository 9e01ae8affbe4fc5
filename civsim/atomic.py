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

EXPECTED = "a writable file path"


def check_target(target: str | os.PathLike) -> Path:
    """The path that will be written for ``target`` (a symlink's target), or one line why it cannot be."""
    if str(target).endswith(("/", os.sep)):
        raise CivsimError(target, None, "names a folder", "a file name")
    target = Path(target)
    real = Path(os.path.realpath(target))
    try:
        info = os.stat(real)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise CivsimError(target, None, f"cannot write ({exc.strerror})", EXPECTED) from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise CivsimError(target, None, "is a folder", "a file name inside it")
    if info is not None and not stat.S_ISREG(info.st_mode):
        return real   # a device or pipe: written through, its folder untouched
    if info is not None and not (info.st_mode & 0o222 and os.access(real, os.W_OK)):
        raise CivsimError(target, None, "the file is read-only", "a file that may be replaced")
    folder = next((p for p in real.parents if p.exists()), None)   # where the temporary file goes
    if folder is not None and folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        raise CivsimError(target, None, f"cannot write in the folder {folder} (Permission denied)", EXPECTED)
    return real


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
        os.chmod(tmp, 0o666 & ~_umask())   # mkstemp makes 0600; outputs are shared like any file
        os.replace(tmp, real)
    except OSError as exc:
        raise _cannot(target, exc) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


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
