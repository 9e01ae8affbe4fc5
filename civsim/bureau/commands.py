"""`civsim roll import`: one month's exports into a roll folder, or several months' folders into a
roll history."""

from __future__ import annotations

import sys
from pathlib import Path

from .. import districts
from ..errors import CivsimError
from . import history, importer, privacy
from .exports import exports_in


def run_import(
    files,
    district: str,
    out: str | Path,
    month: str | None = None,
    salt: str | None = None,
    salt_file: str | None = None,
) -> importer.ImportedRoll:
    """`civsim roll import`: import, then write; reports the counts on standard error."""
    target = districts.find(district)
    if salt is not None and len(salt) < 16:
        raise CivsimError("--salt", None, "salt too short", "at least 16 characters")
    key = salt.encode("utf-8") if salt else importer.read_salt(target, salt_file)
    folders = [Path(f) for f in files if Path(f).is_dir()]
    if folders and len(folders) != len(files):
        raise CivsimError("civsim roll import", "FILES", "folders and files mixed", "export files, or month folders")
    if len(folders) > 1:
        if month:
            raise CivsimError(
                "civsim roll import",
                "--month",
                "not with several month folders",
                "the months from the file names (…_YYYYMMDD)",
            )
        rolls = history.import_months(folders, target.code, out, key)
        print(
            f"{target.name} {rolls[0].month}—{rolls[-1].month}: {len(rolls)} 个月 → {privacy.masked(out)}",
            file=sys.stderr,
        )
        return rolls[-1]
    if folders:
        files = exports_in(folders[0])
    roll = importer.import_exports(files, target.code, month, key)
    importer.write_roll(roll, out, key)
    print(
        f"{roll.district.name} {roll.month}: {len(roll.households)} 户 {len(roll.persons)} 人 → {privacy.masked(out)}",
        file=sys.stderr,
    )
    return roll
