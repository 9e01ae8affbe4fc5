"""Names and titles as they enter civsim: normalised (NFKC) and refused when they hold a character a
reader cannot see or that acts on the terminal or the document instead of being shown.

A name typed into ``civsim district new``, a row of ``districts.csv``, a scenario's, plan's or
summary's title all pass here. NFKC folds full-width letters and digits (``３５０２１３``) into
their ASCII forms, so a code typed on a Chinese keyboard is the code it looks like (a title keeps
its full-width punctuation). Control
characters (an ESC starting a terminal escape sequence, a NUL, a form feed that breaks every
.docx), format characters (zero-width spaces and joiners, right-to-left marks and overrides that
make one name look like another or reverse what follows), private-use, unassigned and surrogate
code points, and the blank letters that show as a space are refused in one line that names the
character by its code point, never printing it.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import CivsimError

# Categories a name or title may not hold: control, format, surrogate, private use, unassigned,
# line and paragraph separators.
REFUSED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
# Letters that show as blank space (Hangul fillers, the braille blank): a name padded with them
# looks like another.
BLANK_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
EXPECTED = "text without control, format or invisible characters (as typed on a keyboard)"


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else f" ({unicodedata.category(char)})")


def refused(text: str) -> tuple[int, str] | None:
    """(position, character) of the first character a name or title may not hold, or None."""
    for i, char in enumerate(text):
        if unicodedata.category(char) in REFUSED or char in BLANK_LETTERS:
            return i, char
    return None


# Full-width punctuation and the ideographic space are how Chinese prose is set (，：（）％); NFKC
# would turn a title's into ASCII, so in a title they are kept while letters and digits are folded.
PUNCTUATION = re.compile("([\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u3000]+)")


def normalise(text: str, title: bool = False) -> str:
    """NFKC; in a title, full-width punctuation kept as it is."""
    if not title:
        return unicodedata.normalize("NFKC", text)
    return "".join(
        part if i % 2 else unicodedata.normalize("NFKC", part) for i, part in enumerate(PUNCTUATION.split(text))
    )


def clean(value, file=None, key=None, what: str = "name") -> str:
    """``value`` in NFKC with surrounding spaces removed, or one line naming the file, the key and the
    first character refused (by code point: an escape sequence is never printed as it is). A
    ``what`` of "title" keeps the full-width punctuation of Chinese prose."""
    text = normalise(str(value), title=what == "title").strip()
    found = refused(text)
    if found is not None:
        position, char = found
        raise CivsimError(file, key, f"the {what} holds {_describe(char)} at character {position + 1}", EXPECTED)
    return text


EXCEL_CODE = re.compile(r"^(\d{6})\.0+$")


def code(value: str) -> str:
    """A 6-digit code as written, or as Excel saves a code it took for a number (``420112.0``)."""
    match = EXCEL_CODE.match(value)
    return match.group(1) if match else value


def ascii_digits(value: str) -> bool:
    """Digits 0-9 only (``str.isdigit`` also takes ``٣`` and superscripts)."""
    return value.isascii() and value.isdigit()


__all__ = ["clean", "refused", "ascii_digits", "code"]
