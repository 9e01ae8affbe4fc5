"""Helpers that turn the model's numbers into what a report notebook displays.

The annual summary and the next-year plan both show Markdown, inline PNG charts and tables with
Chinese headers, and both cut the engine's results the same way (by month, by program family).
Those shared pieces live here: :func:`show` displays report parts in a notebook,
:func:`markdown_escape` makes text from a YAML file safe inside Markdown, and the small
formatters and frame filters keep the two documents' figures written alike.
"""

from __future__ import annotations

import io

import pandas as pd

from .. import engine
from ..programs import family
from . import numbers as fmt


def count_text(value: float) -> str:
    return fmt.persons(value)[:-1]


def wan_text(value: float) -> str:
    return fmt.wan_yuan(value)[:-2]


def png_image(fig):
    """A matplotlib Figure as an inline PNG image (the HTML and PDF embed it; no file is left)."""
    from IPython.display import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=130)
    return Image(data=buffer.getvalue(), format="png")


def markdown_escape(value: str) -> str:
    """Text from a YAML file made safe to drop into Markdown (no accidental emphasis or tags)."""
    out = str(value)
    for char in ("\\", "*", "_", "`", "<", ">", "[", "]", "#", "|"):
        out = out.replace(char, "\\" + char)
    return out


def first_months(results: pd.DataFrame, year: int, last_month: int) -> pd.DataFrame:
    first, last = pd.Period(f"{year}-01", "M"), pd.Period(f"{year}-{last_month:02d}", "M")
    return results[(results["month"] >= first) & (results["month"] <= last)]


def by_family(results: pd.DataFrame) -> pd.DataFrame:
    """The engine's rows with each supplement folded into its program (for charts by program)."""
    keys = ["jurisdiction", "scenario", "month", "program", "area"]
    folded = results.assign(program=results["program"].map(family))
    return folded.groupby(keys, as_index=False, sort=False)[engine.MEASURES].sum()


def main_programs(results: pd.DataFrame) -> pd.DataFrame:
    """The rows of the programs themselves, without supplement lines (whose persons repeat them)."""
    return results[results["program"] == results["program"].map(family)]


def labelled_table(rows: list[dict], corner: str = "项目") -> pd.DataFrame:
    """Rows keyed by Chinese headers, the first column as the row labels, its name in the corner."""
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame = frame.set_index(frame.columns[0])
    frame.index.name = None
    frame.columns.name = corner
    return frame


def show(*parts) -> None:
    """Display report parts in a notebook: text as Markdown, lists part by part, None not at all.

    Each part becomes its own output, so the PDF can break pages between them.
    """
    from IPython.display import Markdown, display

    for part in parts:
        if part is None or (isinstance(part, str) and not part.strip()):
            continue
        if isinstance(part, (list, tuple)):
            show(*part)
        else:
            display(Markdown(part) if isinstance(part, str) else part)


WIDE = 10  # columns (row labels included) from which a table is set smaller in print


class Table:
    """A DataFrame shown as a report table: whole (no row, column or text cut short, as pandas'
    notebook view does past 50 characters), a missing value as "—", and a plain 0, 1, 2 … index
    left out (its rows are told apart by their first column). Its table is marked ``wide`` when it
    has ``WIDE`` or more columns: the print layout sets such a table in smaller, tighter type, so
    that it fits the A4 text width with its row labels whole rather than broken a character to a
    line."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame

    def _plain_index(self) -> bool:
        index = self.frame.index
        return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1 and index.name is None

    def _repr_html_(self):
        plain = self._plain_index()
        html = self.frame.to_html(index=not plain, na_rep="—", max_rows=None, max_cols=None)
        columns = self.frame.shape[1] + (0 if plain else self.frame.index.nlevels)
        if columns >= WIDE:
            html = html.replace('class="dataframe"', 'class="dataframe wide"', 1)
        return html

    def __repr__(self):
        return repr(self.frame)


class Together:
    """Report parts shown as one output, so that the print layout keeps them on one page: a
    heading with the sentence and table under it, rather than a heading left at the foot of a
    page whose table moved on to the next. Text parts are Markdown (raw HTML in them is shown as
    text); the others are shown as their own HTML."""

    def __init__(self, *parts):
        self.parts = [part for part in parts if part is not None and not (isinstance(part, str) and not part.strip())]

    def _repr_html_(self):
        import mistune

        markdown = mistune.create_markdown(escape=True)
        inner = "\n".join(markdown(part) if isinstance(part, str) else part._repr_html_() for part in self.parts)
        return f'<div class="together">{inner}</div>'

    def __repr__(self):
        return "\n\n".join(part if isinstance(part, str) else repr(part) for part in self.parts)


class Closing:
    """A document's 落款 and date line, then its colophon (provenance), as one displayed part.

    It shows as HTML with the classes the layouts style ("signature", "date-line", "colophon"), so
    the 公文 layout can set the date four characters in from the right, and as plain Markdown
    elsewhere. The colophon is marked in the output's metadata so a renderer can tell it is there.
    """

    def __init__(self, issuer: str, date, colophon: str):
        self.issuer, self.date, self.colophon = issuer, date, colophon

    def _repr_html_(self):
        import html

        day = fmt.cn_date(self.date)
        return (
            f'<div class="closing"><p class="signature">{html.escape(self.issuer)}</p>'
            f'<p class="date-line">{day}</p>'
            f'<p class="colophon">{html.escape(self.colophon)}</p></div>'
        ), {"civsim": "colophon"}

    def _repr_markdown_(self):
        return f"{markdown_escape(self.issuer)}\n\n{fmt.cn_date(self.date)}\n\n{markdown_escape(self.colophon)}\n"


__all__ = ["show", "markdown_escape", "by_family", "main_programs", "Table", "Together", "Closing"]
