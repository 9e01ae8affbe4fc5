"""Where civsim's own trees are: the repository root, its data/ and params/ folders."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
PARAMS = ROOT / "params"
