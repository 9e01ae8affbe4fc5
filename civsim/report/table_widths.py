"""How wide a Word table's columns are (civsim.report.word): figures whole, short labels on one
line, long text wrapping in what is left.

Word and LibreOffice size an autofit table by its words; a column of figures then gets too little
room and a number breaks across lines (669.99—74 / 7.55). The widths here go into the .docx as
fixed column and cell widths that add up to the text width of the layout.
"""

from __future__ import annotations

import re
import unicodedata

NUMBER = re.compile(r"[+\-−]?[\d,.]+%?(?:—[+\-−]?[\d,.]+%?)?|—")  # a figure, a range a—b, or "—"
CELL_PADDING_EM = 1.6  # the cell margins of Table Grid (0.08 in each side) and a little air
SHORT_EM = 5.0  # a column of words this narrow (four characters and the margins) never wraps


def _ems(text: str) -> float:
    """A text's width in ems: a Chinese character is one, a digit or Latin letter about half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.55 for ch in text)


def column_widths(rows, text_width_em: float) -> list[float]:
    """Column widths in ems filling the text width, so that Word does not break a figure.

    Word sizes an autofit table's columns by their words, and a column of figures (a range such
    as 669.99—747.55 most of all) ends up too narrow: the figures break mid-number. Here a column
    of figures gets room for its widest figure (its header may wrap onto two lines), a column of
    short words (城市, 输入) room for them, and the longer columns of words share the rest by their
    longest cell (they wrap between characters, as Chinese does)."""
    count = max(len(row) for row in rows)
    body = [row for row in rows if not all(is_header for _, is_header in row)] or rows
    want, floor = [], []
    for c in range(count):
        cells = [row[c][0] for row in body if c < len(row) and row[c][0]]
        figures = c > 0 and bool(cells) and all(NUMBER.fullmatch(text) for text in cells)
        header = max((_ems(row[c][0]) for row in rows if c < len(row) and row[c][1]), default=0.0)
        longest = max((_ems(text) for text in cells), default=0.0)
        want.append((max(longest, header / 2) if figures else longest or header) + CELL_PADDING_EM)
        floor.append(want[-1] if figures else min(want[-1], SHORT_EM))
    if sum(floor) >= text_width_em:  # more than the page holds: shrink it all alike
        return [f * text_width_em / sum(floor) for f in floor]
    extra, need = text_width_em - sum(floor), [w - f for w, f in zip(want, floor)]
    if sum(need) > extra:
        return [f + n * extra / sum(need) for f, n in zip(floor, need)]
    return [w * text_width_em / sum(want) for w in want]  # all fits: widen alike to the width


__all__ = ["NUMBER", "column_widths"]
