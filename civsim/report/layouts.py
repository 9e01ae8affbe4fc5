"""The two page layouts of a report: "standard" (the intranet's) and "gongwen" (GB/T 9704-2012).

The 公文 layout follows the national standard for official documents: A4, margins 37/26/35/28 mm
(top/right/bottom/left, the left one binding), the title in 22 pt 小标宋, the body in 16 pt 仿宋 on a
fixed line of about 28.9 pt (22 lines a page), level-1 headings in 黑体, level-2 in 楷体, page numbers
"— 1 —" in 14 pt 宋体 right on odd and left on even pages, and the date line four characters in from
the right. Each face is named twice: the official name, which a .docx asks for so a bureau PC with
the official fonts shows them, and free stand-ins that the PDF embeds (Debian packages them).
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass

from ..errors import CivsimError

LAYOUTS = ("standard", "gongwen")
DEFAULT = "standard"


@dataclass(frozen=True)
class Face:
    official: str  # the East Asian font a .docx names
    stand_ins: tuple[str, ...]  # what the PDF uses, first installed wins, later ones per glyph
    size_pt: float
    bold: bool = False


@dataclass(frozen=True)
class Layout:
    name: str
    margins_mm: tuple[float, float, float, float]  # top, right, bottom, left
    title: Face
    heading1: Face
    heading2: Face
    heading3: Face
    body: Face
    table: Face
    page_number: Face
    line_pt: float | None  # fixed line height; None: 1.5 lines
    gongwen: bool


SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
GONGWEN = Layout(
    "gongwen",
    (37, 26, 35, 28),
    title=Face("方正小标宋简体", ("FZXiaoBiaoSong-B05S", SERIF), 22, bold=True),
    heading1=Face("黑体", ("SimHei", SANS), 16),
    heading2=Face("楷体_GB2312", ("KaiTi", "AR PL UKai CN", "LXGW WenKai", SERIF), 16),
    heading3=Face("仿宋_GB2312", ("FangSong", "FandolFang", SERIF), 16, bold=True),
    body=Face("仿宋_GB2312", ("FangSong", "FandolFang", SERIF), 16),
    table=Face("仿宋_GB2312", ("FangSong", "FandolFang", SERIF), 12),
    page_number=Face("宋体", ("SimSun", "AR PL UMing CN", SERIF), 14),
    line_pt=28.9,
    gongwen=True,
)
STANDARD = Layout(
    "standard",
    (20, 18, 22, 18),
    title=Face("黑体", (SANS,), 20, bold=True),
    heading1=Face("黑体", (SANS,), 15, bold=True),
    heading2=Face("黑体", (SANS,), 13, bold=True),
    heading3=Face("黑体", (SANS,), 11, bold=True),
    body=Face("宋体", (SANS,), 11),
    table=Face("宋体", (SANS,), 9.5),
    page_number=Face("宋体", (SANS,), 9),
    line_pt=None,
    gongwen=False,
)
_BY_NAME = {"standard": STANDARD, "gongwen": GONGWEN}


def get(layout: str | Layout | None) -> Layout:
    """The layout by name ("standard", "gongwen"); a bad name fails with the names there are."""
    if isinstance(layout, Layout):
        return layout
    name = DEFAULT if layout is None else str(layout)
    if name not in _BY_NAME:
        raise CivsimError("--layout", name, "unknown layout", " or ".join(LAYOUTS))
    return _BY_NAME[name]


def _families(face: Face) -> str:
    return ", ".join(f'"{name}"' for name in (face.official, *face.stand_ins)) + ", serif"


def css(layout: str | Layout) -> str:
    """The print stylesheet of a layout, laid over the page's own (empty for the standard one)."""
    layout = get(layout)
    if not layout.gongwen:
        return ""
    top, right, bottom, left = layout.margins_mm
    number = (
        f'content: "— " counter(page) " —"; font-family: {_families(layout.page_number)}; '
        f"font-size: {layout.page_number.size_pt}pt; vertical-align: top; padding-top: 7mm;"
    )
    return f"""
@page {{ size: A4; margin: {top}mm {right}mm {bottom}mm {left}mm;
        @bottom-center {{ content: none; }} }}
@page :right {{ @bottom-right {{ {number} padding-right: 1em; text-align: right; }} }}
@page :left {{ @bottom-left {{ {number} padding-left: 1em; text-align: left; }} }}
@page :blank {{ @bottom-right {{ content: none; }} @bottom-left {{ content: none; }} }}
html, body {{ font-family: {_families(layout.body)}; font-size: {layout.body.size_pt}pt; color: #000000; }}
body {{ line-height: {layout.line_pt}pt; }}
main.report {{ max-width: none; padding: 0; margin: 0; }}
p {{ margin: 0; text-indent: 2em; text-align: justify; }}
li p, blockquote p, .closing p, td p {{ text-indent: 0; }}
h1 {{ font-family: {_families(layout.title)}; font-size: {layout.title.size_pt}pt; font-weight: bold;
      line-height: 1.45; text-align: center; margin: 0 0 {layout.line_pt}pt; }}
h2 {{ font-family: {_families(layout.heading1)}; font-size: {layout.heading1.size_pt}pt; font-weight: normal;
      margin: 0; line-height: {layout.line_pt}pt; text-indent: 2em; }}
h3 {{ font-family: {_families(layout.heading2)}; font-size: {layout.heading2.size_pt}pt; font-weight: normal;
      margin: 0; line-height: {layout.line_pt}pt; text-indent: 2em; }}
h4 {{ font-family: {_families(layout.heading3)}; font-size: {layout.heading3.size_pt}pt; font-weight: bold;
      margin: 0; line-height: {layout.line_pt}pt; text-indent: 2em; }}
ol, ul {{ margin: 0; padding-left: 2em; }}
blockquote {{ margin: 0; padding: 0; border: none; color: #000000; }}
table {{ font-family: {_families(layout.table)}; font-size: {layout.table.size_pt}pt; line-height: 1.4; color: #000000; }}
th, td {{ border: 0.5pt solid #000000; }}
thead th {{ background: none; }}
.signature {{ text-align: right; padding-right: 4em; margin-top: {layout.line_pt}pt; }}
.date-line {{ text-align: right; padding-right: 4em; }}
.colophon {{ font-size: 10.5pt; line-height: 1.5; margin-top: {layout.line_pt}pt; }}
/* body text runs on from page to page (the block fills 22 lines); a chart, table row or heading does not break */
.jp-OutputArea-child, .jp-Cell, .jp-OutputArea-output {{ break-inside: auto; page-break-inside: auto; }}
img, svg, tr, .together, .closing {{ break-inside: avoid; page-break-inside: avoid; }}
h1, h2, h3, h4 {{ break-after: avoid; page-break-after: avoid; }}
"""


# ---------------------------------------------------------------- which installed font draws a character


def _font_files(family: str) -> list[tuple[str, int]]:
    """(file, index in collection) of the installed faces of exactly this family (fontconfig)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    out = subprocess.run([fc_list, f"{family}:style=Regular", "file", "index"], capture_output=True, text=True).stdout
    out = out or subprocess.run([fc_list, family, "file", "index"], capture_output=True, text=True).stdout
    found = []
    for line in out.splitlines():
        file, _, rest = line.partition(": ")
        index = rest.strip().rstrip(":").replace("index=", "")
        found.append((file.rstrip(":"), int(index) if index.isdigit() else 0))
    return sorted(set(found))


@functools.lru_cache(maxsize=32)
def _cmap(family: str) -> frozenset[int] | None:
    """The code points an installed family draws, or None when it is not installed."""
    from fontTools.ttLib import TTFont

    files = _font_files(family)
    if not files:
        return None
    file, index = files[0]
    font = TTFont(file, fontNumber=index, lazy=True)
    return frozenset(font.getBestCmap())


def installed(face: Face) -> list[str]:
    """The face's stand-ins that are installed here, in order."""
    return [name for name in face.stand_ins if _cmap(name) is not None]


def missing_glyphs(text: str, face: Face) -> list[str]:
    """The characters of ``text`` that no installed stand-in of ``face`` draws (per-glyph fallback
    through the chain, as the PDF renderer does); spaces and line breaks are not asked for."""
    maps = [_cmap(name) for name in installed(face)]
    return [ch for ch in dict.fromkeys(text) if not ch.isspace() and not any(ord(ch) in m for m in maps)]


__all__ = ["LAYOUTS", "DEFAULT", "Face", "Layout", "GONGWEN", "STANDARD", "get", "css", "installed", "missing_glyphs"]
