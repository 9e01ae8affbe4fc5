"""``civsim init DIR --district 东西湖区``: a bureau's workspace, the folder of its own files.

The workspace holds what the bureau writes or edits (see civsim.paths): the parameter folders of
its jurisdiction and of the parents above it, the folders of fitted values, scenarios, plans,
summaries, reported figures, rolls and reports. A jurisdiction civsim ships as an example
(the repository's params/<code>-<pinyin>/, in the wheel under share/civsim/examples) is copied with
its calibration, plans, summaries and reported figures; a district that is not one gets a folder of
stubs (civsim.district_new), a parent that is not one an empty folder. The shipped scenarios are copied
as examples. A file already in the workspace is never replaced: init run again on a workspace adds
what is missing, e.g. a second district.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from pathlib import Path

from . import districts, paths
from .errors import CivsimError

FOLDERS = (
    "params/calibration",
    "params/scenarios",
    "params/plans",
    "params/summaries",
    "data/reported",
    "rolls",
    "reports",
)


def _reported_codes(file: Path) -> set[str]:
    with open(file, encoding="utf-8-sig", newline="") as f:
        return {row.get("jurisdiction", "") for row in csv.DictReader(f)}


def _copies(examples: Path | None, chain: list[districts.District]) -> tuple[dict[Path, Path], list[str]]:
    """relative target -> shipped file to copy; and the slugs of the chain with no shipped folder."""
    out: dict[Path, Path] = {}
    missing = []
    codes = {d.code for d in chain}
    for d in chain:
        folder = examples / "params" / d.slug if examples is not None else None
        if folder is None or not folder.is_dir():
            missing.append(d.slug)
            continue
        for file in sorted(folder.glob("*.yaml")):
            out[Path("params") / d.slug / file.name] = file
        fitted = examples / "params" / "calibration" / f"{d.slug}.yaml"
        if fitted.is_file():
            out[Path("params") / "calibration" / fitted.name] = fitted
        for kind in ("plans", "summaries"):  # <code>-<year>.yaml
            for file in sorted((examples / "params" / kind).glob(f"{d.code}-*.yaml")):
                out[Path("params") / kind / file.name] = file
    if examples is not None:
        for file in sorted((examples / "params" / "scenarios").glob("*.yaml")):
            out[Path("params") / "scenarios" / file.name] = file
        for file in sorted((examples / "data" / "reported").glob("*.csv")):
            if _reported_codes(file) & codes:
                out[Path("data") / "reported" / file.name] = file
    return out, missing


def init(folder: str | os.PathLike, district: str) -> tuple[Path, list[Path], str | None, list[str]]:
    """Create (or complete) the workspace ``folder`` for ``district``. Returns the folder, the files
    written, the district's folder when it was given stubs, and the parents' folders left empty
    (not shipped as examples). Nothing is written on failure."""
    from . import district_new

    target = Path(folder).expanduser().absolute()
    if target.exists() and not target.is_dir():
        raise CivsimError(target, None, "不是文件夹", "新建工作区的文件夹路径")
    existing = target.is_dir() and any(target.iterdir())
    if existing and not paths.is_workspace(target):
        raise CivsimError(
            target,
            None,
            "文件夹非空，且不是 civsim 工作区（没有 params/ 文件夹）",
            "一个不存在的或空的文件夹，或已有的工作区",
        )
    own_csv = target / "data" / "districts.csv"
    table = districts.load_districts(own_csv if own_csv.is_file() else districts.PACKAGE_CSV)
    found = districts.find(district) if not own_csv.is_file() else _find_in(table, district, own_csv)
    chain = [found]
    while chain[-1].parent and chain[-1].parent in table:
        chain.append(table[chain[-1].parent])
    copies, missing = _copies(paths.examples(), chain)

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".civsim-init-", dir=target.parent))
    written: list[Path] = []
    try:
        for name in FOLDERS:
            (staging / name).mkdir(parents=True, exist_ok=True)
        for relative, source in copies.items():
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, staging / relative)
        for slug in missing:
            (staging / "params" / slug).mkdir(parents=True, exist_ok=True)
        if found.slug in missing and not (target / "params" / found.slug).is_dir():
            root = target / "params" if (target / "params").is_dir() else staging / "params"
            for stem, text in district_new.stub_files(district_new.declared_above(chain[1:], root)).items():
                (staging / "params" / found.slug / f"{stem}.yaml").write_text(text, encoding="utf-8")
        if not target.exists() or not existing:
            if target.exists():
                target.rmdir()  # empty: replaced by the finished workspace at once
            os.rename(staging, target)
            written = sorted(p.relative_to(target) for p in target.rglob("*") if p.is_file())
        else:
            for file in sorted(p for p in staging.rglob("*")):
                goal = target / file.relative_to(staging)
                if file.is_dir():
                    goal.mkdir(parents=True, exist_ok=True)
                elif not goal.exists():  # the bureau's own file is never replaced
                    shutil.copyfile(file, goal)
                    written.append(goal.relative_to(target))
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    stubbed = (
        found.slug if found.slug in missing and (Path("params") / found.slug) in {p.parent for p in written} else None
    )
    return target, written, stubbed, [s for s in missing if s != found.slug]


def _find_in(table: dict, key: str, csv_path: Path) -> districts.District:
    found = table.get(key) or next((d for d in table.values() if key in (d.name, d.pinyin, d.slug, d.label)), None)
    if found is None:
        raise CivsimError(
            csv_path, key, "unknown district", "a code or name listed in the workspace's data/districts.csv"
        )
    return found
