"""Page furniture shared by the PNG, PDF and atlas pages: fonts, page size, header, footer.

Pages are :class:`matplotlib.figure.Figure` objects with their own canvas (no
pyplot, no global figure state). What stays global in matplotlib is
``rcParams``; every render reads the same settings (:data:`RC`), so renders
share them through :func:`render_context` instead of taking turns: the first
render sets them, the last one restores what was there, and briefings of
concurrent app sessions (threads) are drawn at the same time.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from geo.export.model import Briefing

#: Font used for every text of the PNG and PDF (bundled with matplotlib; covers Vietnamese).
FONT_FAMILY = "DejaVu Sans"

#: Page size (inches) of the map and the PDF pages: A4 landscape.
PAGE_SIZE_IN = (11.69, 8.27)

#: Resolution of the PNG: 11.69 in × 220 dpi = 2,571 px wide.
PNG_DPI = 220

#: Colour of the classification marking.
MARKING_COLOR = "#b00000"


#: matplotlib settings of every page: DejaVu Sans, TrueType fonts embedded in PDFs.
RC = {
    "font.family": FONT_FAMILY,
    "font.size": 9,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "none",
    "axes.unicode_minus": True,
}


_rc_lock = threading.Lock()
_rc_users = 0
_rc_saved: dict = {}


@contextlib.contextmanager
def render_context() -> Iterator[None]:
    """Hold :data:`RC` in matplotlib's rcParams while a page is drawn or written.

    Concurrent renders share the settings (they are the same for every
    briefing): only the counter of renders in progress is locked, never the
    drawing. The first render in sets :data:`RC`; the last one out restores the
    values found. Re-entrant (a PDF writer drawing its map page nests it).
    """
    import matplotlib

    global _rc_users, _rc_saved
    with _rc_lock:
        if _rc_users == 0:
            _rc_saved = {k: matplotlib.rcParams[k] for k in RC}
            matplotlib.rcParams.update(RC)
        _rc_users += 1
    try:
        yield
    finally:
        with _rc_lock:
            _rc_users -= 1
            if _rc_users == 0:
                matplotlib.rcParams.update(_rc_saved)


def new_page():
    """Return a new, empty A4-landscape matplotlib Figure (not pyplot)."""
    from matplotlib.figure import Figure

    return Figure(figsize=PAGE_SIZE_IN, dpi=100)


def draw_header_footer(fig, brief: Briefing, *, page: tuple[int, int] | None) -> None:
    """Marking at the top and bottom centre, dates and CRS at the bottom, page number."""
    text = brief.text
    if brief.marking:
        for y, va in ((0.972, "center"), (0.025, "center")):
            fig.text(0.5, y, brief.marking, fontsize=12, fontweight="bold", color=MARKING_COLOR,
                     ha="center", va=va,
                     bbox={"boxstyle": "square,pad=0.3", "facecolor": "white",
                           "edgecolor": MARKING_COLOR, "linewidth": 1.2})
    fig.text(0.015, 0.025, f"{brief.dates_line()}\n{text['crs']}", fontsize=7.2, ha="left",
             va="center", color="#333333", linespacing=1.4)
    if page is not None:
        fig.text(0.985, 0.025, text["page"].format(i=page[0], n=page[1]), fontsize=8.5,
                 ha="right", va="center")


def page_title(fig, brief: Briefing, text: str, *, line3: str | None = None) -> None:
    """Title, a second line and a third (filters · metric) at the top of a page."""
    from geo.export.model import metric_label

    fig.text(0.015, 0.925, brief.title, fontsize=13, fontweight="bold", ha="left",
             va="baseline")
    fig.text(0.015, 0.895, text, fontsize=10.5, ha="left", va="baseline")
    fig.text(0.015, 0.875, line3 if line3 is not None
             else f"{brief.filters} · {metric_label(brief.metric, brief.lang)}",
             fontsize=8.5, ha="left", va="baseline", color="#333333")
