"""PDF briefing (A4 landscape): the map, the table of selected communes, the totals.

Page 1 is the map of :func:`geo.export.static_map.render_map_figure`; the table of the
selected communes follows on as many pages as it needs, then the province
totals beside the published figures (:data:`geo.coverage.PUBLISHED`). Every
page carries the marking in its header and footer and "Trang i/n". Pages are
matplotlib figures written with ``PdfPages`` and TrueType (Type 42) fonts, so the
text — diacritics included — is real, extractable text.
"""

from __future__ import annotations

import logging
from pathlib import Path

from geo.export._page import draw_header_footer, new_page, page_title, render_context
from geo.export.model import (
    Briefing,
    Column,
    selection_sums,
    table_columns,
    table_rows,
    totals_header,
    totals_notes,
    totals_rows,
)
from geo.export.static_map import render_map_figure

log = logging.getLogger(__name__)

#: Table rows per page.
ROWS_PER_PAGE = 30

#: Vertical room (in rows) that the totals block takes.
_TOTALS_ROWS = 14

_TOP = 0.845          # figure fraction of the table's header row
_ROW_H = 0.0235       # figure fraction per row (about 0.19 in)


def _paginate(n_rows: int) -> tuple[list[range], bool]:
    """Split the table into pages; return the row ranges and whether totals need a page."""
    pages = [range(i, min(i + ROWS_PER_PAGE, n_rows)) for i in range(0, n_rows, ROWS_PER_PAGE)]
    room = ROWS_PER_PAGE - len(pages[-1])
    return pages, room < _TOTALS_ROWS


def _draw_cells(fig, y: float, cells: list[str], cols: list[Column], *, bold: bool = False,
                size: float = 7.6, x0: float = 0.015) -> None:
    x = x0
    for col, text in zip(cols, cells):
        if col.numeric:
            fig.text(x + col.width - 0.006, y, text, ha="right", va="center", fontsize=size,
                     fontweight="bold" if bold else "normal")
        else:
            fig.text(x + 0.004, y, text, ha="left", va="center", fontsize=size,
                     fontweight="bold" if bold else "normal")
        x += col.width


def _band(fig, y: float, color: str, x0: float = 0.015, width: float = 0.970,
          height: float = _ROW_H) -> None:
    from matplotlib.patches import Rectangle

    fig.add_artist(Rectangle((x0, y - height / 2), width, height, transform=fig.transFigure,
                             facecolor=color, edgecolor="none", zorder=0))


def _table_page(brief: Briefing, rows, rng: range, cols: list[Column], page: tuple[int, int],
                *, last: bool, totals: bool):
    text = brief.text
    with render_context():
        fig = new_page()
        draw_header_footer(fig, brief, page=page)
        page_title(fig, brief, text["table_title"].format(n=len(rows)))
        y = draw_table(fig, brief, rows, rng, cols, top=_TOP, total_row=last)
        if totals:
            draw_totals(fig, brief, y - 1.6 * _ROW_H)
    return fig


def draw_table(fig, brief: Briefing, rows, rng: range, cols: list[Column], *, top: float,
               total_row: bool, x0: float = 0.015, size: float = 7.6,
               row_h: float = _ROW_H) -> float:
    """Draw the header row and rows ``rng`` of the commune table from ``top`` down.

    With ``total_row``, a last row sums the selection's counts. Returns the y of
    the last row drawn.
    """
    width = sum(c.width for c in cols)
    y = top
    _band(fig, y, "#dfe6ee", x0=x0, width=width, height=row_h)
    _draw_cells(fig, y, [c.title for c in cols], cols, bold=True, size=size, x0=x0)
    for k, i in enumerate(rng):
        y -= row_h
        if k % 2:
            _band(fig, y, "#f3f3f3", x0=x0, width=width, height=row_h)
        _draw_cells(fig, y, rows[i][1], cols, size=size, x0=x0)
    if total_row:
        y -= row_h
        _band(fig, y, "#e8e8e8", x0=x0, width=width, height=row_h)
        sums = selection_sums(brief)
        blanks = [""] * (len(cols) - len(sums) - 2)
        _draw_cells(fig, y, ["", brief.text["total_row"], *blanks, *sums], cols, bold=True,
                    size=size, x0=x0)
    return y


def draw_totals(fig, brief: Briefing, y: float) -> None:
    """Draw the province totals beside the published figures, and their notes, from ``y``."""
    import textwrap

    text = brief.text
    titles = totals_header(brief.lang)
    cols = [Column("item", titles[0], 0.30), Column("sel", titles[1], 0.15, True),
            Column("prov", titles[2], 0.16, True), Column("pub", titles[3], 0.15, True),
            Column("diff", titles[4], 0.21, True)]
    fig.text(0.015, y, text["totals_title"], fontsize=10.5, fontweight="bold", va="center")
    y -= 1.3 * _ROW_H
    _band(fig, y, "#dfe6ee", width=sum(c.width for c in cols))
    _draw_cells(fig, y, [c.title for c in cols], cols, bold=True, size=8)
    for k, row in enumerate(totals_rows(brief)):
        y -= _ROW_H
        if k % 2:
            _band(fig, y, "#f3f3f3", width=sum(c.width for c in cols))
        _draw_cells(fig, y, row, cols, size=8)
    notes = totals_notes(brief)
    fig.text(0.015, y - 0.8 * _ROW_H, "\n".join(textwrap.fill(n, 175) for n in notes),
             fontsize=7.2, va="top", color="#333333", style="italic", linespacing=1.35)


def write_pdf(brief: Briefing, path: Path) -> int:
    """Write the PDF briefing of ``brief`` to ``path``; return the number of pages."""
    from matplotlib.backends.backend_pdf import PdfPages

    rows = table_rows(brief)
    cols = table_columns(brief.lang, with_district=brief.has_districts,
                         carried=bool(brief.cov.attrs.get("carried_over")))
    ranges, extra = _paginate(len(rows))
    n_pages = 1 + len(ranges) + (1 if extra else 0)
    # pdf.fonttype is read when the pages are written: keep the rc context open (TrueType).
    with render_context(), PdfPages(
            path, metadata={"Title": brief.title, "Subject": brief.subtitle,
                            "Creator": "bordermap geo.export"}) as pdf:
        pdf.savefig(render_map_figure(brief, page=(1, n_pages)))
        for k, rng in enumerate(ranges):
            last = k == len(ranges) - 1
            pdf.savefig(_table_page(brief, rows, rng, cols, (k + 2, n_pages), last=last,
                                    totals=last and not extra))
        if extra:
            fig = new_page()
            draw_header_footer(fig, brief, page=(n_pages, n_pages))
            page_title(fig, brief, brief.text["totals_title"])
            draw_totals(fig, brief, _TOP)
            pdf.savefig(fig)
    log.info("export pdf: %d pages, %d table rows", n_pages, len(rows))
    return n_pages


__all__ = ["ROWS_PER_PAGE", "draw_table", "draw_totals", "write_pdf"]
