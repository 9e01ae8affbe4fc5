"""The rendered page read as Word sees it: runs of text with their marks, and blocks (headings,
paragraphs, list items, tables, pictures, the closing lines) in the page's order — the input of
:func:`civsim.report.word.build`."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

CLOSING_CLASSES = {"signature": "signature", "date-line": "date", "colophon": "colophon"}


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Block:
    kind: str  # heading, para, item, table, image
    runs: list[Run] = field(default_factory=list)
    level: int = 0  # heading level 1..6, or list depth 0..
    style: str = ""  # para: quote, signature, date, colophon, pre; item: ordered/bullet
    list_id: int = 0  # items of one list share it
    start: int = 1  # first number of an ordered list
    rows: list = field(default_factory=list)  # table: [[(text, is_header), …], …]
    image: bytes = b""

    def text(self) -> str:
        return "".join(r.text for r in self.runs)


class _PageParser(HTMLParser):
    """Collects the blocks of a civsim report page, skipping styles, scripts, anchors and stderr."""

    BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skips its content)
        self.current: Block | None = None
        self.bold = self.italic = 0
        self.lists: list[dict] = []  # open lists: ordered, start, id
        self.next_list = 1
        self.table: list | None = None
        self.row: list | None = None
        self.cell: list[str] | None = None
        self.header = False
        self.quote = 0
        self.closing: str | None = None

    # -- helpers
    def skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def flush(self) -> None:
        block, self.current = self.current, None
        if block is not None and block.text().strip():
            for run in block.runs[:1]:
                run.text = run.text.lstrip()
            for run in block.runs[-1:]:
                run.text = run.text.rstrip()
            self.blocks.append(block)

    def open_block(self, kind: str, **kw) -> None:
        self.flush()
        self.current = Block(kind, **kw)

    def para_style(self) -> str:
        return self.closing or ("quote" if self.quote else "")

    # -- events
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        skip = (
            tag in ("style", "script", "head", "title")
            or "anchor-link" in classes
            or attrs.get("data-mime-type") == "application/vnd.jupyter.stderr"
        )
        if tag not in ("br", "img", "meta", "link", "hr", "input"):
            self.stack.append((tag, skip))
        if self.skipping():
            return
        if tag == "img":
            self.image(attrs.get("src") or "")
        elif tag == "br":
            self.text("\n")
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "blockquote":
            self.flush()
            self.quote += 1
        elif tag == "table":
            self.flush()
            self.table = []
        elif tag == "thead":
            self.header = True
        elif tag == "tr" and self.table is not None:
            self.row = []
            self.table.append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
            self.row.append([self.cell, tag == "th"])
        elif tag in ("ol", "ul"):
            if self.current is not None and self.current.kind == "item":
                self.flush()
            start = attrs.get("start") or "1"
            self.lists.append(
                {"ordered": tag == "ol", "start": int(start) if start.isdigit() else 1, "id": self.next_list}
            )
            self.next_list += 1
        elif tag == "li" and self.lists:
            top = self.lists[-1]
            self.open_block(
                "item",
                level=len(self.lists) - 1,
                style="ordered" if top["ordered"] else "bullet",
                list_id=top["id"],
                start=top["start"],
            )
        elif tag in self.BLOCKS and self.cell is None:
            if (
                tag == "p"
                and self.current is not None
                and self.current.kind == "item"
                and not self.current.text().strip()
            ):
                return  # a loose list item: its <p> is the item's text
            if tag == "p" and self.current is not None and self.current.kind == "item":
                self.text("\n")
                return
            if tag == "p" and classes & set(CLOSING_CLASSES):
                self.closing = CLOSING_CLASSES[next(iter(classes & set(CLOSING_CLASSES)))]
            if tag.startswith("h") and len(tag) == 2:
                self.open_block("heading", level=int(tag[1]))
            else:
                self.open_block("para", style="pre" if tag == "pre" else self.para_style())

    def handle_endtag(self, tag):
        while self.stack:
            open_tag, skip = self.stack.pop()
            was_skipping = skip or self.skipping()
            if open_tag == tag:
                break
        else:
            return
        if was_skipping:
            return
        if tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("em", "i"):
            self.italic = max(0, self.italic - 1)
        elif tag == "blockquote":
            self.flush()
            self.quote = max(0, self.quote - 1)
        elif tag in ("td", "th"):
            self.cell = None
        elif tag == "tr":
            self.row = None
        elif tag == "thead":
            self.header = False
        elif tag == "table" and self.table is not None:
            rows = [[(" ".join("".join(parts).split()), is_header) for parts, is_header in row] for row in self.table]
            if any(rows):
                self.blocks.append(Block("table", rows=rows))
            self.table = None
        elif tag in ("ol", "ul"):
            self.flush()
            if self.lists:
                self.lists.pop()
        elif tag == "li":
            self.flush()
        elif tag in self.BLOCKS and self.cell is None:
            if self.current is not None and self.current.kind == "item":
                return
            self.flush()
            self.closing = None

    def handle_data(self, data):
        if self.skipping():
            return
        self.text(data)

    def text(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
            return
        if self.current is None:
            if not data.strip():
                return
            self.open_block("para", style=self.para_style())
        keep = self.current.style == "pre"
        data = data if keep else re.sub(r"[ \t\r\n]+", " ", data)
        self.current.runs.append(Run(data, bool(self.bold), bool(self.italic)))

    def image(self, src: str) -> None:
        match = re.match(r"data:image/(png|jpeg|gif);base64,(.*)", src, re.S)
        if match and self.table is None:
            self.flush()
            self.blocks.append(Block("image", image=base64.b64decode(match.group(2))))


def blocks(html: str) -> list[Block]:
    """The page's content as blocks, in reading order."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    parser.flush()
    return parser.blocks


# ---------------------------------------------------------------- Word
