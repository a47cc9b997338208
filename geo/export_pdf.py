"""PDF briefing (A4 landscape): the map, the table of selected communes, the totals.

Page 1 is the map of :func:`geo.export.render_map_figure`; the table of the
selected communes follows on as many pages as it needs, then the province
totals beside the published figures (:data:`geo.coverage.PUBLISHED`). Every
page carries the marking in its header and footer and "Trang i/n". Pages are
matplotlib figures written with ``PdfPages`` and TrueType (Type 42) fonts, so the
text — diacritics included — is real, extractable text.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo.export import (
    _RC,
    PAGE_SIZE_IN,
    Briefing,
    _draw_header_footer,
    border_text,
    is_dien_bien,
    metric_label,
)

log = logging.getLogger(__name__)

#: Table rows per page.
ROWS_PER_PAGE = 30

#: Vertical room (in rows) that the totals block takes.
_TOTALS_ROWS = 14

_TOP = 0.845          # figure fraction of the table's header row
_ROW_H = 0.0235       # figure fraction per row (about 0.19 in)


@dataclass(frozen=True)
class Column:
    """A table column: title, width (figure fraction), numeric (right-aligned)."""

    key: str
    title: str
    width: float
    numeric: bool = False


_TABLE_TEXT = {
    "vi": {
        "table_title": "Danh sách đơn vị được chọn ({n})",
        "code": "Mã", "name": "Tên đơn vị", "district": "Huyện", "border": "Biên giới (km)",
        "chiefs": "Trưởng", "deputies": "Phó Trưởng", "officers": "Công an viên",
        "reinforcements": "Tăng cường", "total_police": "Tổng", "staffing_gap": "Thiếu",
        "totals_title": "Tổng hợp toàn tỉnh và số liệu công bố",
        "item": "Chỉ tiêu", "sel": "Đơn vị được chọn", "prov": "Toàn tỉnh (dữ liệu)",
        "pub": "Số liệu công bố", "diff": "Chênh lệch (dữ liệu − công bố)",
        "r_communes": "Đơn vị hành chính cấp xã", "r_chiefs": "Trưởng Công an xã",
        "r_deputies": "Phó Trưởng Công an xã", "r_officers": "Công an viên",
        "r_reinforcements": "Cán bộ tăng cường (Bộ Công an)", "r_total": "Tổng số công an",
        "r_gap": "Vị trí còn thiếu so với định mức",
        "r_lao": "Biên giới với Lào (km)", "r_chn": "Biên giới với Trung Quốc (km)",
        "pub_source": "Số liệu công bố: Công an tỉnh Điện Biên (congan.dienbien.gov.vn) — "
                      "Trưởng, Phó Trưởng, Công an viên; Bộ Công an tăng cường 28 cán bộ cho các "
                      "xã biên giới. Biên giới: UBND tỉnh Điện Biên, văn bản 3667/UBND-NC "
                      "(13/12/2017); Việt Nam – Trung Quốc 40,86 km.",
        "km_note": "Chiều dài biên giới của dữ liệu đo trên đường biên Natural Earth 1:10m "
                   "(ngắn hơn đường biên thực tế do mức khái quát hóa).",
        "total_row": "Tổng các đơn vị được chọn",
    },
    "en": {
        "table_title": "Selected units ({n})",
        "code": "Code", "name": "Name", "district": "District", "border": "Border (km)",
        "chiefs": "Chiefs", "deputies": "Deputies", "officers": "Officers",
        "reinforcements": "Reinf.", "total_police": "Total", "staffing_gap": "Gap",
        "totals_title": "Province totals and published figures",
        "item": "Item", "sel": "Selected units", "prov": "Province (data)",
        "pub": "Published", "diff": "Difference (data − published)",
        "r_communes": "Commune-level units", "r_chiefs": "Commune police chiefs",
        "r_deputies": "Deputy chiefs", "r_officers": "Commune police officers",
        "r_reinforcements": "Reinforcements (Ministry)", "r_total": "Total police",
        "r_gap": "Posts missing against the minimum",
        "r_lao": "Border with Laos (km)", "r_chn": "Border with China (km)",
        "pub_source": "Published figures: Điện Biên provincial police (congan.dienbien.gov.vn) — "
                      "chiefs, deputies, officers; 28 officers reinforced to border communes by "
                      "the Ministry. Border: UBND tỉnh Điện Biên 3667/UBND-NC (13/12/2017); "
                      "Vietnam–China 40.86 km.",
        "km_note": "The data's border lengths are measured on the Natural Earth 1:10m line "
                   "(shorter than the surveyed border because of generalisation).",
        "total_row": "Total of selected units",
    },
}


def table_columns(lang: str, *, with_district: bool = True, carried: bool = False
                  ) -> list[Column]:
    """Return the columns of the commune table, with titles in ``lang``.

    Without districts (the 2025 map) the district column is left out and its
    width goes to the name and border columns. With ``carried`` (a 2020 roster
    on the 2025 map) the count headers end in "(2020)".
    """
    tt = dict(_TABLE_TEXT[lang])
    if carried:  # posts held by the former communes before the merger, not the unit's
        for key in ("chiefs", "deputies", "officers", "reinforcements", "total_police",
                    "staffing_gap"):
            tt[key] = f"{tt[key]} (2020)"
    name_w, border_w = (0.150, 0.190) if with_district else (0.240, 0.275)
    return [
        Column("code", tt["code"], 0.050),
        Column("name", tt["name"], name_w),
        *([Column("district", tt["district"], 0.175)] if with_district else []),
        Column("border", tt["border"], border_w),
        Column("chiefs", tt["chiefs"], 0.060, True),
        Column("deputies", tt["deputies"], 0.075, True),
        Column("officers", tt["officers"], 0.080, True),
        Column("reinforcements", tt["reinforcements"], 0.075, True),
        Column("total_police", tt["total_police"], 0.050, True),
        Column("staffing_gap", tt["staffing_gap"], 0.055, True),
    ]


def _int(value) -> str:
    return "" if pd.isna(value) else str(int(value))


def table_rows(brief: Briefing) -> list[tuple[str, list[str]]]:
    """Return ``(code, cells)`` for each selected commune, in code order."""
    rows = []
    for _, r in brief.table.iterrows():
        cells = [str(r["code"]), str(r["name"])]
        if brief.has_districts:
            cells.append(str(r.get("district", "") or "—"))
        cells.append(border_text(r, brief.lang) or "—")
        cells += [_int(r.get(c)) for c in ("chiefs", "deputies", "officers", "reinforcements",
                                           "total_police", "staffing_gap")]
        rows.append((str(r["code"]), cells))
    return rows


def _num(value: float | None, lang: str, decimals: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", " ").replace(".", ",")
    return text


def _signed(value: float, lang: str, decimals: int) -> str:
    text = _num(abs(value), lang, decimals)
    if round(value, decimals) == 0:
        return text
    return ("+" if value > 0 else "\u2212") + text


def totals_rows(brief: Briefing) -> list[list[str]]:
    """Return the totals block: item, selected, province (data), published, difference."""
    from geo.coverage import PUBLISHED, province_totals

    tt = _TABLE_TEXT[brief.lang]
    cov = brief.cov
    sel = cov.loc[brief.selected]
    tot = province_totals(cov)
    published = is_dien_bien(cov)
    vintage_key = "communes_2025" if brief.vintage == "2025" else "communes_2020"
    spec = [
        ("r_communes", len(sel), tot["communes"], PUBLISHED.get(vintage_key), 0),
        ("r_chiefs", sel["chiefs"].sum(), tot["chiefs"], PUBLISHED.get("chiefs"), 0),
        ("r_deputies", sel["deputies"].sum(), tot["deputies"], PUBLISHED.get("deputies"), 0),
        ("r_officers", sel["officers"].sum(), tot["officers"], PUBLISHED.get("officers"), 0),
        ("r_reinforcements", sel["reinforcements"].sum(), tot["reinforcements"],
         PUBLISHED.get("reinforcements"), 0),
        ("r_total", sel["total_police"].sum(), tot["total_police"],
         sum(PUBLISHED[k] for k in ("chiefs", "deputies", "officers", "reinforcements")), 0),
        ("r_gap", sel["staffing_gap"].sum(), tot["staffing_gap"], None, 0),
        ("r_lao", sel["border_km_lao"].sum(), tot["border_km_lao"],
         PUBLISHED.get("border_km_lao"), 1),
        ("r_chn", sel["border_km_chn"].sum(), tot["border_km_chn"],
         PUBLISHED.get("border_km_chn"), 1),
    ]
    rows = []
    for key, s, p, pub, dec in spec:
        pub = pub if published else None
        diff = None if pub is None else float(p) - float(pub)
        diff_text = "—" if diff is None else _signed(diff, brief.lang, dec)
        rows.append([tt[key], _num(float(s), brief.lang, dec), _num(float(p), brief.lang, dec),
                     _num(pub, brief.lang, dec) if pub is not None else "—", diff_text])
    return rows


def totals_notes(brief: Briefing) -> list[str]:
    """Return the notes under the totals: sources of the published figures, provenance."""
    tt = _TABLE_TEXT[brief.lang]
    notes = [tt["km_note"]]
    if is_dien_bien(brief.cov):
        notes.insert(0, tt["pub_source"])
    return notes + list(brief.notes)


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


def _band(fig, y: float, color: str, x0: float = 0.015, width: float = 0.970) -> None:
    from matplotlib.patches import Rectangle

    fig.add_artist(Rectangle((x0, y - _ROW_H / 2), width, _ROW_H, transform=fig.transFigure,
                             facecolor=color, edgecolor="none", zorder=0))


def _page_title(fig, brief: Briefing, text: str) -> None:
    fig.text(0.015, 0.925, brief.title, fontsize=13, fontweight="bold", ha="left",
             va="baseline")
    fig.text(0.015, 0.895, text, fontsize=10.5, ha="left", va="baseline")
    fig.text(0.015, 0.875, f"{brief.filters} · {metric_label(brief.metric, brief.lang)}",
             fontsize=8.5, ha="left", va="baseline", color="#333333")


def _table_page(brief: Briefing, rows, rng: range, cols: list[Column], page: tuple[int, int],
                *, last: bool, totals: bool):
    import matplotlib
    from matplotlib.figure import Figure

    tt = _TABLE_TEXT[brief.lang]
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=PAGE_SIZE_IN, dpi=100)
        _draw_header_footer(fig, brief, page=page)
        _page_title(fig, brief, tt["table_title"].format(n=len(rows)))
        y = _TOP
        _band(fig, y, "#dfe6ee")
        _draw_cells(fig, y, [c.title for c in cols], cols, bold=True)
        for k, i in enumerate(rng):
            y -= _ROW_H
            if k % 2:
                _band(fig, y, "#f3f3f3")
            _draw_cells(fig, y, rows[i][1], cols)
        if last:
            y -= _ROW_H
            _band(fig, y, "#e8e8e8")
            sel = brief.cov.loc[brief.selected]
            sums = [_int(sel[c].sum()) for c in ("chiefs", "deputies", "officers",
                                                  "reinforcements", "total_police",
                                                  "staffing_gap")]
            blanks = [""] * (len(cols) - len(sums) - 2)
            _draw_cells(fig, y, ["", tt["total_row"], *blanks, *sums], cols, bold=True)
        if totals:
            _draw_totals(fig, brief, y - 1.6 * _ROW_H)
    return fig


def _draw_totals(fig, brief: Briefing, y: float) -> None:
    import textwrap

    tt = _TABLE_TEXT[brief.lang]
    cols = [Column("item", tt["item"], 0.30), Column("sel", tt["sel"], 0.15, True),
            Column("prov", tt["prov"], 0.16, True), Column("pub", tt["pub"], 0.15, True),
            Column("diff", tt["diff"], 0.21, True)]
    fig.text(0.015, y, tt["totals_title"], fontsize=10.5, fontweight="bold", va="center")
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
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages

    from geo.export import render_map_figure

    rows = table_rows(brief)
    cols = table_columns(brief.lang, with_district=brief.has_districts,
                         carried=bool(brief.cov.attrs.get("carried_over")))
    ranges, extra = _paginate(len(rows))
    n_pages = 1 + len(ranges) + (1 if extra else 0)
    # pdf.fonttype is read when the pages are written: keep the rc context open (TrueType).
    with matplotlib.rc_context(_RC), PdfPages(
            path, metadata={"Title": brief.title, "Subject": brief.subtitle,
                            "Creator": "bordermap geo.export"}) as pdf:
        fig = render_map_figure(brief, page=(1, n_pages))
        pdf.savefig(fig)
        for k, rng in enumerate(ranges):
            last = k == len(ranges) - 1
            fig = _table_page(brief, rows, rng, cols, (k + 2, n_pages), last=last,
                              totals=last and not extra)
            pdf.savefig(fig)
        if extra:
            from matplotlib.figure import Figure

            fig = Figure(figsize=PAGE_SIZE_IN, dpi=100)
            _draw_header_footer(fig, brief, page=(n_pages, n_pages))
            _page_title(fig, brief, _TABLE_TEXT[brief.lang]["totals_title"])
            _draw_totals(fig, brief, _TOP)
            pdf.savefig(fig)
    log.info("export pdf: %d pages, %d table rows", n_pages, len(rows))
    return n_pages


__all__ = [
    "ROWS_PER_PAGE",
    "Column",
    "table_columns",
    "table_rows",
    "totals_notes",
    "totals_rows",
    "write_pdf",
]
