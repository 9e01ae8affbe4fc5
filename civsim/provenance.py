"""Where an output came from: civsim version, code commit, parameters, roll, seed and date.

Every report and workbook carries one colophon line built here, so a printed page can be traced
back to the inputs that made it. The parameters hash covers every leaf in force for the
jurisdiction (value, unit, start, source), so a scenario overlay or an edited YAML file changes
it; the roll hash covers the roll's tables, or says "synthetic" when the model built the roll.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import subprocess
from dataclasses import dataclass

from .districts import ROOT

SYNTHETIC = "synthetic"


@functools.lru_cache(maxsize=1)
def version() -> str:
    try:
        from importlib.metadata import version as installed

        return installed("civsim")
    except Exception:  # not installed (running from a source tree)
        return "unknown"


@functools.lru_cache(maxsize=1)
def git_commit() -> str | None:
    """The checked-out commit (12 hex digits, "+" when tracked files are modified), or None."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, timeout=10
        )
        if head.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return head.stdout.strip() + ("+" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def params_hash(params) -> str:
    """12 hex digits over every leaf of a ParamSet: path, unit, and each entry's start, value, source."""
    digest = hashlib.sha256()
    for path in sorted(params.leaves):
        leaf = params.leaves[path]
        digest.update(f"{path}|{leaf.unit}\n".encode())
        for entry in leaf.entries:
            digest.update(f"{entry.start.isoformat()}|{entry.value!r}|{entry.source}\n".encode())
    return digest.hexdigest()[:12]


def roll_hash(roll) -> str:
    """12 hex digits over the roll's households, persons and anchor month, or "synthetic"."""
    if roll is None:
        return SYNTHETIC
    import pandas as pd

    digest = hashlib.sha256()
    for table in (roll.households, roll.persons):
        digest.update(",".join(map(str, table.columns)).encode())
        digest.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
    digest.update(str(roll.anchor).encode())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Provenance:
    version: str
    commit: str | None
    params_hash: str
    roll: str  # roll hash, or "synthetic"
    seed: int
    generated: dt.date

    def line(self) -> str:
        """The colophon in Chinese: "生成信息：civsim 0.1.0；代码版本 3e8e9c4d12ab；…；生成日期 2026年12月2日。\""""
        roll = "模型合成" if self.roll == SYNTHETIC else self.roll
        commit = f"代码版本 {self.commit}；" if self.commit else ""
        day = f"{self.generated.year}年{self.generated.month}月{self.generated.day}日"
        return (
            f"生成信息：civsim {self.version}；{commit}参数摘要 {self.params_hash}；名册 {roll}；"
            f"随机种子 {self.seed}；生成日期 {day}。"
        )

    def as_dict(self) -> dict:
        """The same as plain values (for a workbook's 说明 sheet or a JSON file)."""
        return {
            "civsim": self.version,
            "commit": self.commit or "",
            "params_hash": self.params_hash,
            "roll": self.roll,
            "seed": self.seed,
            "generated": self.generated.isoformat(),
        }


def of(params, seed: int | None = None, roll=None, today: dt.date | None = None) -> Provenance:
    """The provenance of an output made from ``params`` (a ParamSet), ``seed`` (None: the engine's 1)
    and ``roll`` (None: the synthetic roll)."""
    return Provenance(
        version(),
        git_commit(),
        params_hash(params),
        roll_hash(roll),
        1 if seed is None else int(seed),
        today or dt.date.today(),
    )


__all__ = ["Provenance", "of", "params_hash", "roll_hash", "git_commit", "version", "SYNTHETIC"]
