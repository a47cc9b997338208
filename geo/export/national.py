"""Briefings of several provinces (a region, the border provinces, the country) as one PDF.

A national or multi-province briefing lists the **border communes** by default
(all communes on request), in one section per province with its subtotal, after
a page of province totals; the map shows every province, the selected communes
in the metric's classes and the others greyed. Pages:

1. the map (border provinces, neighbouring countries, international border),
   the legend, key figures and provenance notes;
2. the province totals: one row per province (units, border units, police,
   reinforcements, missing posts, border km, roster source) and the total;
3. … the commune table, a section per province with its subtotal.

Each province's coverage is loaded on its own (its roster, border list, norms
and provenance), then :func:`combine_coverage` puts them together with the
provenance of all (sample data anywhere is said so; the roster source of each
province is in the totals table). Drawing is fast enough for the whole country:
the communes are painted as one compound path per class (no patch per polygon),
simplified as a coverage to the page's resolution.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import style
from geo._errors import BorderMapError
from geo.export._page import draw_header_footer, new_page, page_title, render_context
from geo.export.model import (
    COUNT_CELLS,
    Briefing,
    Column,
    int_text,
    table_columns,
    table_rows,
)
from geo.i18n import t
from geo.settings import METRIC_CRS

log = logging.getLogger(__name__)

#: Table entries (section heads, communes, subtotals) per page.
ROWS_PER_PAGE = 32

#: Map of the national map page (left, bottom, width, height in figure fractions).
MAP_BOX = (0.015, 0.07, 0.61, 0.795)

_TOP = 0.845
_ROW_H = 0.0228

Progress = Callable[[int, int, str], None]


# --------------------------------------------------------------------------- data

def _short_province(name: str) -> str:
    for word in ("Thành phố ", "Tỉnh "):
        if name.startswith(word):
            return name[len(word):]
    return name


def combine_coverage(parts: Sequence[gpd.GeoDataFrame], *, label: str | None = None,
                     lang: str = "vi") -> gpd.GeoDataFrame:
    """Put the coverage frames of several provinces together, keeping their provenance.

    Parameters
    ----------
    parts : sequence of GeoDataFrame
        One coverage frame per province (:func:`geo.services.load_coverage`),
        all on the same map.
    label : str, optional
        How the set is named in titles (default: "25 tỉnh" / "25 provinces", or
        the names of up to three provinces).
    lang : {"vi", "en"}
        Language of the default label.

    Returns
    -------
    GeoDataFrame
        Every commune (EPSG:4326) with a ``province`` column; ``attrs`` say
        ``provinces`` (the per-province provenance, in order), ``province`` (the
        label), ``vintage``, and the union of the provenance flags
        (``approximate``, ``sample_roster``, ``carried_over`` if any province
        is), the latest ``roster_as_of`` and the border-list sources.

    Raises
    ------
    BorderMapError
        No frame, or frames on different maps.
    """
    if not parts:
        raise BorderMapError("no province to combine")
    vintages = {str(p.attrs.get("vintage", "")) for p in parts}
    if len(vintages) > 1:
        raise BorderMapError(f"provinces on different maps: {', '.join(sorted(vintages))}")
    crs = parts[0].crs
    frames = [p if p.crs == crs else p.to_crs(crs) for p in parts]
    cov = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=crs)
    provinces = []
    for p in parts:
        a = p.attrs
        provinces.append({
            "province": str(a.get("province") or (p["province"].iloc[0] if len(p) else "")),
            "province_code": str(p["province_code"].iloc[0]) if "province_code" in p and len(p)
            else "",
            "sample_roster": bool(a.get("sample_roster")),
            "roster_version": a.get("roster_version"),
            "roster_as_of": a.get("roster_as_of"),
            "carried_over": bool(a.get("carried_over")),
            "approximate": bool(a.get("approximate")),
            "border_source": str(a.get("border_source") or ""),
        })
    if label is None:
        names = [_short_province(p["province"]) for p in provinces]
        label = (", ".join(names) if len(names) <= 3
                 else t("nat_n_provinces", lang, n=len(names)))
    as_of = [str(p["roster_as_of"]) for p in provinces if p["roster_as_of"]]
    sources = sorted({p["border_source"] for p in provinces} - {"", "computed"})
    disagreements = [d for p in parts for d in (p.attrs.get("border_disagreements") or [])]
    cov.attrs = {
        "province": label,
        "provinces": provinces,
        "vintage": vintages.pop(),
        "approximate": any(p["approximate"] for p in provinces),
        "sample_roster": any(p["sample_roster"] for p in provinces),
        "carried_over": any(p["carried_over"] for p in provinces),
        "roster_as_of": max(as_of) if as_of else None,
        "roster_version": None,
        "border_source": "; ".join(sources) if sources else "computed",
        "border_disagreements": disagreements,
    }
    log.info("combine coverage: %d provinces, %d units", len(parts), len(cov))
    return cov


def province_table(brief: Briefing) -> pd.DataFrame:
    """Return one row per province of a combined briefing: units, border units, counts, km.

    Columns: ``province``, ``units``, ``selected`` (units listed in the briefing),
    ``border_units``, the counts of :data:`~geo.export.model.COUNT_CELLS` over
    the selection, ``border_km`` (all countries), ``roster`` (its source); a last
    row ``TOTAL`` sums them.
    """
    from geo.border_list import border_in_use

    cov = brief.cov
    border = border_in_use(cov)
    frame = pd.DataFrame({
        "province": cov["province"].astype(str).to_numpy(),
        "units": 1,
        "selected": brief.selected.astype(int),
        "border_units": np.asarray(border, dtype=int),
        "border_km": cov["border_km"].fillna(0).to_numpy() if "border_km" in cov else 0.0,
    })
    for c in COUNT_CELLS:
        frame[c] = np.where(brief.selected, cov[c].fillna(0).to_numpy(), 0) if c in cov else 0
    order = list(dict.fromkeys(frame["province"]))
    out = frame.groupby("province", sort=False).sum().reindex(order).reset_index()
    info = {p["province"]: p for p in cov.attrs.get("provinces", [])}
    out["roster"] = [_roster_label(info.get(p), brief.lang) for p in out["province"]]
    total = out.drop(columns=["province", "roster"]).sum()
    out.loc[len(out)] = {"province": "TOTAL", "roster": "", **total.to_dict()}
    return out


def _roster_label(info: dict | None, lang: str) -> str:
    if not info:
        return "—"
    if info.get("sample_roster"):
        return t("nat_roster_sample", lang)
    version = info.get("roster_version")
    return t("nat_roster_version", lang, version=version if version is not None else "?")


# --------------------------------------------------------------------------- map

def _compound_path(geoms: np.ndarray):
    """One matplotlib Path with every ring of ``geoms`` (exteriors CCW, holes CW)."""
    from matplotlib.path import Path as MplPath

    polys = shapely.orient_polygons(shapely.get_parts(geoms))
    rings = shapely.get_rings(polys)
    coords, idx = shapely.get_coordinates(rings, return_index=True)
    if not len(coords):
        return None
    starts = np.r_[0, np.flatnonzero(np.diff(idx)) + 1]
    ends = np.r_[starts[1:] - 1, len(coords) - 1]
    codes = np.full(len(coords), MplPath.LINETO, dtype=MplPath.code_type)
    codes[starts] = MplPath.MOVETO
    codes[ends] = MplPath.CLOSEPOLY
    return MplPath(coords, codes)


def _paint(ax, geoms: np.ndarray, keys: list[tuple[str, str]], *, linewidth: float,
           zorder: float) -> None:
    """Paint polygons grouped by (fill, edge): one PathPatch per group."""
    from matplotlib.patches import PathPatch

    groups: dict[tuple[str, str], list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    for (fill, edge), idx in groups.items():
        path = _compound_path(geoms[idx])
        if path is not None:
            # add_artist, not add_patch: the limits are set by the caller, and
            # add_patch would walk every vertex of the compound path to update them.
            ax.add_artist(PathPatch(path, facecolor=fill, edgecolor=edge, linewidth=linewidth,
                                    zorder=zorder))


def draw_national_map(fig, brief: Briefing, box: tuple[float, float, float, float] = MAP_BOX):
    """Draw the map of a combined briefing; return the axes and the line legend entries."""
    import matplotlib.patheffects as pe

    from geo.export.static_map import (_context_layers, _country_label, _draw_north_arrow,
                                       _draw_scale_bar, map_axes, map_extent)
    from geo.i18n import country_label

    communes = brief.cov.to_crs(METRIC_CRS)
    extent = map_extent(communes, box, focus=None, pad=0.03)
    ax, m_per_pt = map_axes(fig, box, extent)
    countries, lines = _context_layers(extent)
    for _, row in countries.iterrows():
        # Simplified to half a point: finer detail does not show on the page, and
        # buffering the full outline inward to find room for a label was slow.
        shape = shapely.simplify(row.geometry, 0.5 * m_per_pt)
        _paint(ax, np.array([shape]), [(style.COUNTRY_FILLS.get(
            row["iso3"], style.CONTEXT_FILL), style.CONTEXT_EDGE)], linewidth=0.4, zorder=1)
        if row["iso3"] != "VNM":
            _country_label(ax, shape, country_label(row["iso3"], brief.lang).upper(),
                           extent=extent, m_per_pt=m_per_pt)
    # Simplified as a coverage (shared edges stay shared) to about half a point.
    geoms = np.asarray(shapely.coverage_simplify(
        np.asarray(communes.geometry.values, dtype=object), 0.5 * m_per_pt), dtype=object)
    keys = [(f, "#5a5a5a" if s else style.UNSELECTED_EDGE)
            for f, s in zip(brief.fills, brief.selected)]
    _paint(ax, geoms, keys, linewidth=0.15, zorder=5)
    entries = []
    province = style.province_line(brief.lang)
    names = communes["province"].astype(str).to_numpy()
    outlines, anchors = [], []
    for name in dict.fromkeys(names):
        shape = shapely.coverage_union_all(geoms[names == name])
        outlines.append(shape.boundary)
        anchors.append((name, shape))
    gpd.GeoSeries(outlines, crs=METRIC_CRS).plot(ax=ax, zorder=8, **province.mpl())
    for _, row in lines.iterrows():
        entry = style.border_line(row["iso3"], brief.lang)
        mpl = entry.mpl()
        series = gpd.GeoSeries([row.geometry], crs=METRIC_CRS)
        series.plot(ax=ax, color="white", linewidth=mpl["linewidth"] + 2.2, zorder=9)
        series.plot(ax=ax, zorder=10, **mpl)
        entries.append(entry)
    entries.append(province)
    for name, shape in anchors:
        p = shape.representative_point()
        ax.text(p.x, p.y, _short_province(name), fontsize=5.6, ha="center", va="center",
                color="#111111", zorder=15, clip_on=True, fontweight="bold",
                path_effects=[pe.withStroke(linewidth=1.4, foreground="white", alpha=0.85)])
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_xlabel("")
    ax.set_ylabel("")
    _draw_scale_bar(ax, extent[0], extent[2], extent[1], extent[3])
    _draw_north_arrow(ax, brief.text["north"])
    return ax, entries


def _map_page(brief: Briefing, table: pd.DataFrame, page: tuple[int, int] | None):
    from geo.export.static_map import draw_legend, draw_notes, draw_titles

    text = brief.text
    fig = new_page()
    _, entries = draw_national_map(fig, brief)
    draw_header_footer(fig, brief, page=page)
    draw_titles(fig, brief)
    px = 0.645
    y = draw_legend(fig, brief, entries, x=px, y=0.855)
    fig.text(px, y, text["figures"], fontsize=10.5, fontweight="bold", va="top")
    fig.text(px, y - 0.03, "\n".join(key_figures(brief, table)), fontsize=8.3, va="top",
             linespacing=1.55)
    draw_notes(fig, brief, x=px, y=0.085)
    return fig


def map_figure(brief: Briefing):
    """Return the map page of a combined briefing as a Figure (the PNG export)."""
    with render_context():
        return _map_page(brief, province_table(brief), None)


def key_figures(brief: Briefing, table: pd.DataFrame) -> list[str]:
    """Key figures of a combined briefing: provinces, units listed, police, reinforcements."""
    text, lang = brief.text, brief.lang
    total = table.iloc[-1]
    return [t("nat_fig_provinces", lang, n=len(table) - 1),
            t("nat_fig_border_units", lang, n=int(total["border_units"]),
              total=int(total["units"])),
            text["fig_selected"].format(n=int(total["selected"])),
            text["fig_police"].format(n=int(total["total_police"])),
            text["fig_reinf"].format(n=int(total["reinforcements"])),
            text["fig_gap"].format(n=int(total["staffing_gap"]))]


# --------------------------------------------------------------------------- tables

def _province_columns(lang: str) -> list[Column]:
    return [Column("province", t("nat_col_province", lang), 0.150),
            Column("units", t("nat_col_units", lang), 0.055, True),
            Column("border_units", t("nat_col_border_units", lang), 0.075, True),
            Column("selected", t("nat_col_selected", lang), 0.075, True),
            Column("chiefs", t("brief_chiefs", lang), 0.060, True),
            Column("deputies", t("brief_deputies", lang), 0.075, True),
            Column("officers", t("brief_officers", lang), 0.080, True),
            Column("reinforcements", t("brief_reinforcements", lang), 0.075, True),
            Column("total_police", t("brief_total_police", lang), 0.055, True),
            Column("staffing_gap", t("brief_staffing_gap", lang), 0.055, True),
            Column("border_km", t("nat_col_border_km", lang), 0.080, True),
            Column("roster", t("nat_col_roster", lang), 0.130)]


def _province_cells(row: pd.Series, lang: str) -> list[str]:
    km = f"{float(row['border_km']):.1f}"
    if lang == "vi":
        km = km.replace(".", ",")
    name = t("nat_total", lang) if row["province"] == "TOTAL" else _short_province(
        str(row["province"]))
    return [name, *(int_text(row[c]) for c in ("units", "border_units", "selected")),
            *(int_text(row[c]) for c in COUNT_CELLS), km, str(row["roster"])]



def _line_spacing(size: float, bold: bool, row_pt: float) -> float:
    """The ``linespacing`` that puts the lines of a multi-line text ``row_pt`` apart.

    With a numeric line spacing matplotlib gives every line the height
    ``linespacing * (ascent + descent)`` of the font's own metrics (the OS/2,
    else hhea table), whatever the line holds, so the lines of a column text
    fall exactly on the table's rows.
    """
    from matplotlib.font_manager import FontProperties, fontManager, get_font

    prop = FontProperties(size=size, weight="bold" if bold else "normal")
    font = get_font(fontManager._find_fonts_by_props(prop))
    for name, asc, desc in (("OS/2", "sTypoAscender", "sTypoDescender"),
                            ("hhea", "ascent", "descent")):
        table = font.get_sfnt_table(name)
        if table is not None:
            em = font.get_sfnt_table("head")["unitsPerEm"]
            return row_pt / ((table[asc] - table[desc]) / em * size)
    return row_pt / (1.17 * size)


def _draw_block(fig, top: float, row_h: float, rows: Sequence[Sequence[str] | None],
                bold: Sequence[bool], cols: list[Column], *, size: float = 7.6,
                x0: float = 0.015) -> None:
    """Draw table rows, the plain ones as one multi-line text per column.

    Row ``k`` is centred at ``top - k * row_h`` (figure fraction); a ``None`` row is
    left blank; ``bold`` rows (subtotals, totals: a few a page) get a text per cell.
    A page then has a few dozen text artists instead of hundreds.
    """
    from geo.export._page import PAGE_SIZE_IN
    from geo.export.pdf import _draw_cells

    for k, (cells, heavy) in enumerate(zip(rows, bold)):
        if cells is not None and heavy:
            _draw_cells(fig, top - k * row_h, list(cells), cols, bold=True, size=size, x0=x0)
    plain = [None if r is None or b else r for r, b in zip(rows, bold)]
    while plain and plain[-1] is None:
        plain.pop()
    if not plain:
        return
    spacing = _line_spacing(size, False, row_h * PAGE_SIZE_IN[1] * 72)
    x = x0
    for j, col in enumerate(cols):
        lines = [r[j] if r is not None and j < len(r) else "" for r in plain]
        if any(lines):
            if col.numeric:
                xt, ha = x + col.width - 0.006, "right"
            else:
                xt, ha = x + 0.004, "left"
            fig.text(xt, top + row_h / 2, "\n".join(lines), ha=ha, va="top", fontsize=size,
                     linespacing=spacing, multialignment=ha)
        x += col.width


def _totals_page(brief: Briefing, table: pd.DataFrame, page: tuple[int, int]):
    from geo.export.pdf import _band, _draw_cells
    from geo.export.static_map import draw_notes

    fig = new_page()
    draw_header_footer(fig, brief, page=page)
    page_title(fig, brief, t("nat_totals_title", brief.lang, n=len(table) - 1))
    cols = _province_columns(brief.lang)
    width = sum(c.width for c in cols)
    row_h = min(_ROW_H, 0.60 / max(len(table), 1))
    y = _TOP
    _band(fig, y, "#dfe6ee", width=width, height=row_h)
    _draw_cells(fig, y, [c.title for c in cols], cols, bold=True, size=7.4)
    rows, bold = [], []
    for k, (_, row) in enumerate(table.iterrows()):
        y -= row_h
        last = k == len(table) - 1
        if last or k % 2:
            _band(fig, y, "#e8e8e8" if last else "#f3f3f3", width=width, height=row_h)
        rows.append(_province_cells(row, brief.lang))
        bold.append(last)
    _draw_block(fig, _TOP - row_h, row_h, rows, bold, cols, size=7.4)
    draw_notes(fig, brief, x=0.015, y=0.085, width=170,
               extra=(t("nat_totals_note", brief.lang),))
    return fig


Entry = tuple[str, list[str], str]


def table_entries(brief: Briefing) -> list[Entry]:
    """Return the commune table as ``(kind, cells, province)`` entries.

    ``kind`` is ``section`` (the province's head), ``row`` (a commune) or
    ``subtotal`` (the province's sums over its listed communes).
    """
    lang = brief.lang
    rows = dict(table_rows(brief))
    # A plain frame: grouping a GeoDataFrame copies and re-checks the geometry per group.
    sel = pd.DataFrame(brief.cov.loc[brief.selected].drop(columns=brief.cov.geometry.name))
    n_cols = len(next(iter(rows.values()))) if rows else 0
    out: list[Entry] = []
    for name, group in sel.groupby("province", sort=False):
        name = str(name)
        group = group.sort_values("code")
        out.append(("section", [t("nat_section", lang, province=name, n=len(group))], name))
        out.extend(("row", rows[str(code)], name) for code in group["code"].astype(str))
        sums = [int_text(group[c].sum()) if c in group else "" for c in COUNT_CELLS]
        out.append(("subtotal", ["", t("nat_subtotal", lang, province=_short_province(name))]
                    + [""] * (n_cols - len(sums) - 2) + sums, name))
    return out


def paginate(entries: list[Entry], per_page: int = ROWS_PER_PAGE, *, lang: str = "vi"
             ) -> list[list[Entry]]:
    """Split the table entries into pages of at most ``per_page`` entries.

    A section head never ends a page, and a page that goes on with a province
    starts with its head marked "(tiếp)" / "(continued)".
    """
    pages: list[list[Entry]] = []
    for kind, cells, name in entries:
        full = not pages or len(pages[-1]) >= per_page or (
            kind == "section" and len(pages[-1]) >= per_page - 1)
        if full:
            pages.append([])
            if kind != "section":
                pages[-1].append(("section", [t("nat_section_cont", lang, province=name)], name))
        pages[-1].append((kind, cells, name))
    return pages


def _table_page(brief: Briefing, entries, cols: list[Column], page: tuple[int, int],
                n_selected: int):
    from geo.export.pdf import _band, _draw_cells

    fig = new_page()
    draw_header_footer(fig, brief, page=page)
    page_title(fig, brief, brief.text["table_title"].format(n=n_selected))
    width = sum(c.width for c in cols)
    y = _TOP
    _band(fig, y, "#dfe6ee", width=width, height=_ROW_H)
    _draw_cells(fig, y, [c.title for c in cols], cols, bold=True)
    stripe = 0
    rows: list[list[str] | None] = []
    bold: list[bool] = []
    for kind, cells, _ in entries:
        y -= _ROW_H
        if kind == "section":
            _band(fig, y, "#cfd9e4", width=width, height=_ROW_H)
            fig.text(0.019, y, cells[0], ha="left", va="center", fontsize=8.2,
                     fontweight="bold")
            stripe = 0
            rows.append(None)
            bold.append(False)
            continue
        if kind == "subtotal":
            _band(fig, y, "#e8e8e8", width=width, height=_ROW_H)
        elif stripe % 2:
            _band(fig, y, "#f3f3f3", width=width, height=_ROW_H)
        stripe += 1
        rows.append(cells)
        bold.append(kind == "subtotal")
    _draw_block(fig, _TOP - _ROW_H, _ROW_H, rows, bold, cols)
    return fig


# --------------------------------------------------------------------------- the PDF

def national_briefing(cov: gpd.GeoDataFrame, *, metric: str, all_communes: bool = False,
                      country: str | None = None, title: str | None = None,
                      marking: str | None = None, lang: str = "vi",
                      made: dt.date | None = None) -> Briefing:
    """Return the :class:`Briefing` of a combined coverage (:func:`combine_coverage`).

    The selection is the border communes (``country="any"``) unless
    ``all_communes`` or another ``country`` filter is given.
    """
    chosen = "all" if all_communes else (country if country not in (None, "all") else "any")
    label = str(cov.attrs.get("province", ""))
    brief = Briefing(cov, metric=metric, country=chosen, title=title or t(
        "brief_title", lang, province=label), marking=marking, lang=lang, made=made)
    if brief.country == "any":
        brief.filters = t("nat_filter_any", lang)
    return brief


def write_national_pdf(brief: Briefing, path: Path, *, progress: Progress | None = None) -> int:
    """Write the PDF of a combined briefing to ``path``; return the number of pages.

    ``progress(page, pages, what)`` is called before each page is drawn.
    """
    from matplotlib.backends.backend_pdf import PdfPages

    if "province" not in brief.cov:
        raise BorderMapError("a national briefing needs a province column")
    table = province_table(brief)
    entries = table_entries(brief)
    pages = paginate(entries, lang=brief.lang)
    cols = table_columns(brief.lang, with_district=brief.has_districts,
                         carried=bool(brief.cov.attrs.get("carried_over")))
    n_pages = 2 + len(pages)
    n_selected = int(brief.selected.sum())

    def step(i: int, what: str) -> None:
        if progress is not None:
            progress(i, n_pages, what)

    with render_context(), PdfPages(
            path, metadata={"Title": brief.title, "Subject": brief.subtitle,
                            "Creator": "bordermap geo.export.national"}) as pdf:
        step(1, t("nat_step_map", brief.lang))
        pdf.savefig(_map_page(brief, table, (1, n_pages)))
        step(2, t("nat_step_totals", brief.lang))
        pdf.savefig(_totals_page(brief, table, (2, n_pages)))
        for k, chunk in enumerate(pages):
            names = ", ".join(dict.fromkeys(name for _, _, name in chunk))
            step(3 + k, t("nat_step_table", brief.lang, what=names))
            pdf.savefig(_table_page(brief, chunk, cols, (3 + k, n_pages), n_selected))
    log.info("export national pdf: %d pages, %d provinces, %d of %d units listed", n_pages,
             len(table) - 1, n_selected, len(brief.cov))
    return n_pages


__all__ = ["MAP_BOX", "ROWS_PER_PAGE", "combine_coverage", "draw_national_map",
           "key_figures", "map_figure", "national_briefing", "paginate", "province_table", "table_entries",
           "write_national_pdf"]
