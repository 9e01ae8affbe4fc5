"""A new jurisdiction: its row in data/districts.csv and a parameter folder of commented stubs.

``civsim district new 350213 翔安区 --parent 350200 --pinyin xiangan`` appends the row and writes
``params/350213-xiangan/`` with one stub per leaf that some program requires (no national default
stands in for it): what the leaf is, its unit, who reads it and where such a figure is published.
A stub has a ``unit`` and an empty ``values``, so a folder whose stubs are not filled in does not
load (the error names the file and the leaf) and ``civsim check`` lists every unfilled stub; it
never loads as a zero. A stub for a program the jurisdiction does not pay is deleted.

The pinyin is asked for, not generated: it only names the folder (``<code>-<pinyin>``), and a
generated one would be wrong for the polyphonic characters place names are full of (厦 xia/sha).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from . import districts
from .errors import CivsimError
from .names import ascii_digits, clean

PINYIN = re.compile(r"^[a-z]+$")
NAME_FORBIDDEN = re.compile(r"[\s,\"'\\/]")
# Where a clerk finds each program's rule is its declaration's ``published`` (civsim.programs).
ELSEWHERE = "本地区或上级政府的有关文件"


def level_of(code: str) -> str:
    """GB/T 2260: ``XX0000`` a province (or a province-level city), ``XXXX00`` a city, else a district."""
    return "province" if code.endswith("0000") else "city" if code.endswith("00") else "district"


def required_leaves() -> dict:
    """path -> (Param, reading program keys) for every leaf some program requires."""
    from . import schema

    return {path: (param, readers) for path, (param, readers) in sorted(schema.declared().items()) if param.required}


def _stub_leaf(name: str, param, readers: tuple, depth: int) -> list[str]:
    from .programs import PROGRAMS
    from .report.labels import UNIT_WORDS

    pad = "  " * depth
    words = param.label or param.about or name
    unit = UNIT_WORDS.get(param.unit, param.unit)
    who = "、".join(f"{PROGRAMS[r].label}（{r}）" for r in readers)
    lines = [
        f"{pad}{name}:",
        f"{pad}  # {words}；单位 {unit}；读取：{who}",
        f"{pad}  # 出处：{PROGRAMS[readers[0]].published or ELSEWHERE}",
    ]
    if param.when:
        lines.append(f"{pad}  # 仅当 {param.when} 有在册人数时需要")
    lines += [
        f"{pad}  # 填写：在 values 下按生效日期逐行写，注明文件标题或网址及原文；查不到时写 assumption 说明理由",
        f'{pad}  #   2024-01-01: {{value: …, source: "文件标题或网址", quote: "文件原文"}}',
        f"{pad}  unit: {param.unit}",
        f"{pad}  values:   # 待填写",
    ]
    return lines


def declared_above(parents: list, root: Path) -> set[str]:
    """The leaves the parents' own folders declare (a folder that does not read counts as declaring none:
    its own stubs are reported when the parent is checked)."""
    from .params import _read_folder

    found: set[str] = set()
    for parent in parents:
        folder = root / parent.slug
        if folder.is_dir():
            try:
                found |= set(_read_folder(folder))
            except CivsimError:
                pass
    return found


def stub_files(skip: set[str] = frozenset()) -> dict[str, str]:
    """file stem -> YAML text of every required leaf not in ``skip``, nested by path, each commented."""
    by_stem: dict[str, list[str]] = {}
    for path, (param, readers) in required_leaves().items():
        if path in skip:
            continue
        stem, *rest = path.split(".")
        by_stem.setdefault(stem, []).append((rest, param, readers))
    out = {}
    for stem, leaves in by_stem.items():
        lines = [
            f"# 待填写：{stem}.yaml 中有在册对象时必须规定、且没有全国默认值的参数（由 civsim district new 生成）。",
            "# 每项填入本地区执行的标准并注明出处；本地区不发放的项目、或由上级统一规定（写在上级的参数文件夹）",
            "# 的项目，整项删去。未填写的存根不能加载，`civsim check` 会逐项列出。",
        ]
        opened: list[str] = []
        for rest, param, readers in leaves:
            keys, name = rest[:-1], rest[-1]
            common = 0
            while common < min(len(keys), len(opened)) and keys[common] == opened[common]:
                common += 1
            for depth in range(common, len(keys)):
                lines.append(f"{'  ' * depth}{keys[depth]}:")
            opened = keys
            lines += _stub_leaf(name, param, readers, len(keys))
        out[stem] = "\n".join(lines) + "\n"
    return out


def _checked(code: str, name: str, parent: str | None, pinyin: str, csv: Path, root: Path) -> tuple[str, str | None]:
    """The new row's level and parent code, or one line saying what is wrong."""
    table = districts.load_districts(csv)
    if not (len(code) == 6 and ascii_digits(code)):
        raise CivsimError(csv.name, "CODE", f"bad code {code!r}", "a 6-digit GB/T 2260 code such as 350213")
    if code in table:
        raise CivsimError(csv.name, code, f"already listed as {table[code].name}", "a code not yet in the file")
    if not name or NAME_FORBIDDEN.search(name):
        raise CivsimError(csv.name, "NAME", f"bad name {name!r}", "the Chinese name without spaces, commas or quotes")
    if any(d.name == name for d in table.values()):
        raise CivsimError(csv.name, name, "name already listed", "a name no other jurisdiction in the file has")
    if not PINYIN.match(pinyin or ""):
        raise CivsimError(
            "--pinyin", pinyin, "bad pinyin", "lowercase ASCII letters without tones or spaces, e.g. xiangan"
        )
    level = level_of(code)
    if level == "province":
        if parent:
            raise CivsimError("--parent", parent, f"{code} is a province-level code", "no parent")
    else:
        if not parent:
            raise CivsimError("--parent", None, "missing", "the code of the city or province above it")
        above = table.get(parent) or next((d for d in table.values() if parent in (d.name, d.slug)), None)
        if above is None:
            raise CivsimError(
                "--parent", parent, f"not listed in {csv.name}", "a listed code or name (add the parent first)"
            )
        parent = above.code
        prefix = 2 if above.level == "province" else 4
        if (
            above.level == "district"
            or (level == "city" and above.level != "province")
            or code[:prefix] != parent[:prefix]
        ):
            raise CivsimError(
                "--parent",
                parent,
                f"{above.name} ({above.level}) cannot hold {code} ({level})",
                f"the jurisdiction whose code starts as {code[:prefix]}{'0' * (6 - prefix)}",
            )
    clash = [f.name for f in root.iterdir() if f.is_dir() and f.name.split("-", 1)[0] == code] if root.is_dir() else []
    if clash or (root / f"{code}-{pinyin}").exists():
        raise CivsimError(
            root / (clash[0] if clash else f"{code}-{pinyin}"),
            None,
            "folder already exists",
            "no parameter folder for a code not yet listed",
        )
    return level, parent


def _ancestors(parent: str | None, csv: Path) -> list:
    table = districts.load_districts(csv)
    out = []
    while parent and parent in table and table[parent] not in out:
        out.append(table[parent])
        parent = table[parent].parent
    return out


def new(
    code: str, name: str, parent: str | None, pinyin: str, csv: Path | None = None, root: Path | None = None
) -> tuple[districts.District, Path]:
    """Append the row to ``csv`` (the workspace's data/districts.csv, started as a copy of civsim's
    list: the package is never written) and write the stub folder under ``root``; nothing is
    written on failure."""
    from . import atomic
    from .params import PARAMS

    copied = csv is None and not districts.WORKSPACE_CSV.is_file()
    if csv is None:
        csv = districts.WORKSPACE_CSV
        if copied:
            csv.parent.mkdir(parents=True, exist_ok=True)
            atomic.write_bytes(csv, districts.PACKAGE_CSV.read_bytes())
    try:
        return _new_locked(code, name, parent, pinyin, Path(csv), Path(root if root is not None else PARAMS))
    except BaseException:
        if copied:
            csv.unlink(missing_ok=True)  # the copy goes with the row
        raise


def _new_locked(code, name, parent, pinyin, csv: Path, root: Path) -> tuple[districts.District, Path]:
    from . import atomic

    # NFKC: a full-width code is the code it looks like; an escape, a zero-width or a right-to-left
    # character is refused, so a stored name never acts on a terminal nor passes for another
    code, name = clean(code, csv.name, "CODE", "code"), clean(name, csv.name, "NAME")
    pinyin, parent = clean(pinyin or "", "--pinyin", None, "pinyin"), clean(parent or "", "--parent", None, "parent")
    with atomic.locked(csv.parent):  # two at once: the second reads the first one's row
        districts.load_districts.cache_clear()
        return _new(code, name, parent, pinyin, csv, root)


def _new(code: str, name: str, parent: str, pinyin: str, csv: Path, root: Path) -> tuple[districts.District, Path]:
    from . import atomic

    level, parent = _checked(code, name, parent or None, pinyin, csv, root)
    row = districts.District(code, name, pinyin, parent, level)
    folder = root / row.slug
    staging = Path(tempfile.mkdtemp(prefix=f".new-{code}-", dir=root))
    original = csv.read_bytes()
    try:
        for stem, text in stub_files(declared_above(_ancestors(parent, csv), root)).items():
            (staging / f"{stem}.yaml").write_text(text, encoding="utf-8")
        text = original.decode("utf-8")
        atomic.write_text(
            csv, text + ("" if text.endswith("\n") else "\n") + f"{code},{name},{pinyin},{parent or ''},{level}\n"
        )
        try:
            os.rename(staging, folder)
        except OSError as exc:
            atomic.write_bytes(csv, original)  # the row goes with the folder, or neither is there
            raise CivsimError(
                folder, None, f"cannot create the folder ({exc.strerror})", "a writable params folder"
            ) from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        districts.load_districts.cache_clear()
    return row, folder
