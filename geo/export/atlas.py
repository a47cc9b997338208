"""The district atlas: one PDF with contents, a province overview and a page per district.

Like a QGIS atlas: every district page has the map zoomed to the district (the
other communes greyed), a locator inset, the legend, the district's key figures
and the table of its communes. The classes are the province's on every page
(:func:`geo.style.build_legend` with the overview's edges), so a colour means
the same everywhere in the atlas.

Districts exist on the 2020 map (10 in Điện Biên). The 2025 map has none: its
units are grouped by their **former (2020) district** through the official
crosswalk (:func:`group_units`) — a unit formed from communes of several
districts goes to the district that gave it most of them — and every page
says so.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo._errors import BorderMapError
from geo._text import fold
from geo.export._page import draw_header_footer, new_page, page_title, render_context
from geo.export.model import Briefing, Column, key_figures, table_rows
from geo.export.pdf import _band, _draw_cells, draw_table
from geo.export.static_map import draw_legend, draw_map, draw_notes, render_map_figure
from geo.i18n import t
from geo.settings import METRIC_CRS

log = logging.getLogger(__name__)

#: Map of a district page (left, bottom, width, height in figure fractions).
DISTRICT_MAP_BOX = (0.015, 0.07, 0.50, 0.775)
#: Locator inset of a district page.
LOCATOR_BOX = (0.535, 0.655, 0.15, 0.19)
#: Table rows of a district page (the largest district of Điện Biên has 21 units).
_ROW_H = 0.0165


@dataclass(frozen=True)
class Group:
    """A district of the atlas: its code, name and the codes of its units."""

    code: str
    name: str
    codes: tuple[str, ...]


def group_units(cov: pd.DataFrame) -> tuple[list[Group], bool]:
    """Return the atlas's districts and whether they are former (2020) districts.

    Parameters
    ----------
    cov : DataFrame
        A province's coverage: with ``district_code`` / ``district`` (2020 map),
        or 2025 units (``district_code`` empty), grouped through the crosswalk.

    Returns
    -------
    (list of Group, bool)
        Districts in name order, each with its unit codes in code order; True
        when the units were grouped by former district.

    Raises
    ------
    BorderMapError
        If no unit can be placed in a district.
    """
    codes = cov["code"].astype(str)
    has = "district_code" in cov and (cov["district_code"].fillna("").astype(str) != "").any()
    if has:
        frame = pd.DataFrame({"code": codes.to_numpy(),
                              "district_code": cov["district_code"].fillna("").astype(str),
                              "district": cov["district"].fillna("").astype(str)})
        former = False
    else:
        frame = _former_districts(codes)
        former = True
    frame = frame[frame["district_code"] != ""]
    if frame.empty:
        raise BorderMapError("no unit of the province can be placed in a district; the atlas "
                             "needs districts (2020 map) or the 2020 → 2025 crosswalk")
    groups = [Group(str(dc), str(g["district"].iloc[0]), tuple(sorted(g["code"])))
              for dc, g in frame.groupby("district_code")]
    groups.sort(key=lambda g: (fold(g.name), g.code))
    log.info("atlas groups: %d districts, %d units%s", len(groups),
             sum(len(g.codes) for g in groups), " (former districts)" if former else "")
    return groups, former


def _former_districts(codes: pd.Series) -> pd.DataFrame:
    """Each 2025 unit's former district: the one most of its 2020 communes were in."""
    from geo import registry

    cw = registry.load_crosswalk()
    cw = cw[cw["new_code"].isin(set(codes))]
    old = registry.load_units("2020")[["code", "district_code", "district"]]
    joined = cw.merge(old, left_on="old_code", right_on="code", how="inner")
    counts = (joined.groupby(["new_code", "district_code", "district"]).size()
              .reset_index(name="n")
              .sort_values(["new_code", "n", "district_code"], ascending=[True, False, True])
              .drop_duplicates("new_code"))
    out = pd.DataFrame({"code": codes.to_numpy()})
    out = out.merge(counts[["new_code", "district_code", "district"]], left_on="code",
                    right_on="new_code", how="left")
    return out[["code", "district_code", "district"]].fillna("")


def _atlas_columns(lang: str) -> list[Column]:
    text_w = [("code", t("brief_code", lang), 0.042, False),
              ("name", t("brief_name", lang), 0.128, False),
              ("border", t("brief_border", lang), 0.100, False)]
    nums = [(k, t(f"atlas_h_{k}", lang), 0.030, True)
            for k in ("chiefs", "deputies", "officers", "reinforcements", "total_police",
                      "staffing_gap")]
    return [Column(k, title, w, n) for k, title, w, n in text_w + nums]


def _contents_page(fig, brief: Briefing, groups: list[Group], first: int, former: bool) -> None:
    """Contents: overview and one line per district with its page, units, police, gap."""
    lang = brief.lang
    page_title(fig, brief, t("atlas_contents", lang), line3=brief.subtitle)
    cols = [Column("page", t("atlas_col_page", lang), 0.07, True),
            Column("district", t("atlas_col_district", lang), 0.30),
            Column("units", t("atlas_col_units", lang), 0.10, True),
            Column("police", t("atlas_col_police", lang), 0.12, True),
            Column("gap", t("atlas_col_gap", lang), 0.08, True)]
    width = sum(c.width for c in cols)
    cov = brief.cov
    y = 0.80
    _band(fig, y, "#dfe6ee", width=width, height=0.032)
    _draw_cells(fig, y, [c.title for c in cols], cols, bold=True, size=9.5)
    lines = [(str(first), t("atlas_overview", lang), len(cov), int(cov["total_police"].sum()),
              int(cov["staffing_gap"].sum()))]
    for k, g in enumerate(groups):
        rows = cov[cov["code"].astype(str).isin(g.codes)]
        lines.append((str(first + 1 + k), g.name, len(rows), int(rows["total_police"].sum()),
                      int(rows["staffing_gap"].sum())))
    for k, (page, name, n, police, gap) in enumerate(lines):
        y -= 0.034
        if k % 2:
            _band(fig, y, "#f3f3f3", width=width, height=0.032)
        _draw_cells(fig, y, [page, name, str(n), str(police), str(gap)], cols, size=9.5)
    extra = (t("atlas_grouped_2025", lang),) if former else ()
    draw_notes(fig, brief, x=0.015, y=0.085, width=150, extra=extra)


def _locator(fig, brief: Briefing, focus: np.ndarray) -> None:
    """Small map of the province with the district highlighted."""
    import shapely

    communes = brief.cov.to_crs(METRIC_CRS)
    ax = fig.add_axes(LOCATOR_BOX)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_aspect("equal", adjustable="datalim")
    communes.plot(ax=ax, color="#e6e6e6", edgecolor="#c4c4c4", linewidth=0.2)
    communes.loc[focus].plot(ax=ax, color="#c0392b", edgecolor="#7b241c", linewidth=0.3)
    outline = shapely.union_all(communes.geometry.values)
    gpd.GeoSeries([outline], crs=METRIC_CRS).boundary.plot(ax=ax, color="black", linewidth=0.6)
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_linewidth(0.5)
        spine.set_color("#888888")
    ax.set_title(t("atlas_locator", brief.lang), fontsize=7.5, pad=2)


def _district_page(fig, brief: Briefing, group: Group, page: tuple[int, int],
                   former: bool) -> None:
    lang = brief.lang
    focus = brief.selected
    draw_header_footer(fig, brief, page=page)
    fig.text(0.015, 0.928, group.name, fontsize=15, fontweight="bold", ha="left",
             va="baseline")
    fig.text(0.015, 0.901, brief.subtitle, fontsize=9.5, ha="left", va="baseline",
             color="#333333")
    fig.text(0.015, 0.881, (t("atlas_former_district", lang, district=group.name)
                            + " — " + t("atlas_grouped_2025", lang)) if former
             else brief.title, fontsize=8.0, ha="left", va="baseline", color="#333333")
    _, entries, _ = draw_map(fig, brief, DISTRICT_MAP_BOX, focus=focus, label_size=6.5)
    _locator(fig, brief, focus)
    draw_legend(fig, brief, entries, x=0.705, y=0.855, size=7.2, title_size=8.5, lines=False)
    figures = key_figures(brief)[:4]
    fig.text(0.535, 0.628, brief.text["figures"], fontsize=9, fontweight="bold", va="top")
    fig.text(0.535, 0.602, "\n".join(figures[1:]), fontsize=7.2, va="top", linespacing=1.4)
    rows = table_rows(brief, with_district=False)
    cols = _atlas_columns(lang)
    y = draw_table(fig, brief, rows, range(len(rows)), cols, top=0.530, total_row=True,
                   x0=0.535, size=6.6, row_h=_ROW_H)
    fig.text(0.535, y - 0.022, t("atlas_h_note", lang), fontsize=6.2, va="top",
             color="#333333", wrap=True)
    draw_notes(fig, brief, x=0.535, y=0.045, width=95)


def write_atlas(cov: gpd.GeoDataFrame, path: Path, *, metric: str = "total_police",
                title: str | None = None, marking: str | None = None, lang: str = "vi",
                made: dt.date | None = None,
                progress: Callable[[int, int, str], None] | None = None) -> int:
    """Write the district atlas of ``cov`` to ``path``; return the number of pages.

    Pages: 1 contents; 2 the province overview (the briefing map); then one page
    per district, in name order (:func:`group_units`).

    Parameters
    ----------
    cov : geopandas.GeoDataFrame
        The whole province's coverage.
    path : pathlib.Path
        The PDF to write.
    metric, title, marking, lang, made
        As for :func:`geo.export.export_briefing`; ``title`` defaults to
        "Tập bản đồ lực lượng Công an xã — Tỉnh …".
    progress : callable, optional
        ``progress(page, pages, name)`` before each page is drawn.

    Returns
    -------
    int
    """
    from matplotlib.backends.backend_pdf import PdfPages

    overview = Briefing(cov, metric=metric, marking=marking, lang=lang, made=made,
                        title=title or t("atlas_title", lang,
                                         province=cov.attrs.get("province", "")))
    groups, former = group_units(overview.cov)
    n_pages = 2 + len(groups)
    edges = overview.style_legend.edges

    def step(i: int, name: str) -> None:
        if progress is not None:
            progress(i, n_pages, name)

    with render_context(), PdfPages(
            path, metadata={"Title": overview.title, "Subject": overview.subtitle,
                            "Creator": "bordermap geo.export.atlas"}) as pdf:
        step(1, t("atlas_contents", lang))
        fig = new_page()
        draw_header_footer(fig, overview, page=(1, n_pages))
        _contents_page(fig, overview, groups, 2, former)
        pdf.savefig(fig)
        step(2, t("atlas_overview", lang))
        pdf.savefig(render_map_figure(overview, page=(2, n_pages)))
        for k, group in enumerate(groups):
            step(3 + k, group.name)
            brief = Briefing(cov, metric=metric, codes=group.codes, marking=marking, lang=lang,
                             made=made, title=overview.title, edges=edges,
                             subtitle=t("atlas_district_subtitle", lang, district=group.name,
                                        n=len(group.codes), vintage=overview.vintage or "?"))
            fig = new_page()
            _district_page(fig, brief, group, (3 + k, n_pages), former)
            pdf.savefig(fig)
    log.info("atlas: %d pages (%d districts%s)", n_pages, len(groups),
             ", former districts" if former else "")
    return n_pages


__all__ = ["Group", "group_units", "write_atlas"]
