"""Where the scenario page saves: a given folder, ``params/scenarios``, or under ``civsim app`` a
fresh folder per visitor (one visitor never overwrites another's file)."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from ..scenarios import SCENARIOS

# Set by ``civsim app``: saves go to a fresh folder per visitor under this one.
VISITOR_SAVES = "CIVSIM_APP_SAVES"


def visitor_folder(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-")
    folder = Path(tempfile.mkdtemp(prefix=stamp, dir=root))
    os.chmod(folder, 0o777 & ~_umask())
    return folder


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _save_folder(folder) -> tuple[Path | None, Path | None]:
    """(folder, visitor root): a given folder; else, under ``civsim app``, a per-visitor folder made
    on the first save; else ``params/scenarios``."""
    if folder is not None:
        return Path(folder), None
    root = os.environ.get(VISITOR_SAVES)
    return (None, Path(root)) if root else (SCENARIOS, None)
