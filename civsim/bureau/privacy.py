"""Personal values that could still slip out of the importer through text it did not read as a
cell: a 身份证号 or a phone number in an export's file name (``张三_420112….xlsx``), echoed in an
error, a message or roll.yaml. They are masked wherever such text leaves the importer; a cell's
value is never put in a message in the first place (callers name the row and column)."""

from __future__ import annotations

import re

from ..errors import CivsimError

ID_OR_PHONE = re.compile(
    r"(?<![0-9０-９])(?:[0-9０-９]{17}[0-9０-９XxＸｘ]|[0-9０-９]{15}|1[3-9][0-9]{9})(?![0-9０-９])"
)
MASK = "＊＊＊"


def masked(text: object) -> str:
    """``text`` with every ID- or phone-shaped run of digits replaced by ＊＊＊."""
    return ID_OR_PHONE.sub(MASK, str(text))


def scrubbed(exc: CivsimError) -> CivsimError:
    """The same error with its file, key, problem and expectation masked."""
    parts = [None if p is None else masked(p) for p in (exc.file, exc.key)]
    return CivsimError(parts[0], parts[1], masked(exc.problem), masked(exc.expected))


# Words of a category label: an unknown 救助类型 cell is shown only when it reads like one (a
# name typed into the column is not repeated in the message).
CATEGORY_WORDS = re.compile(r"低保|特困|边缘|供养|救助|困难|低收入|刚性|保障|五保|孤儿|城市|农村|城镇")


def shown_label(text: str) -> str | None:
    return text if len(text) <= 30 and CATEGORY_WORDS.search(text) else None
