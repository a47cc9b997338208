"""The briefing's static map: a matplotlib figure in the metric CRS, offline.

Communes are painted in the colours a reader sees on the interactive map
(:mod:`geo.style`: the palette blended at the map's fill opacity), so the
legend swatches equal the pixels; the communes outside the selection are
greyed; district and province outlines, the international border in one style
per country, neighbouring countries as grey context, commune labels, scale bar,
north arrow, legend, key figures and provenance notes. Drawn in EPSG:32648 so
the scale bar is true.
"""

from __future__ import annotations

import logging
import textwrap

import geopandas as gpd
import numpy as np
import shapely

from geo import style
from geo.display import district_outlines
from geo.export._page import PAGE_SIZE_IN, draw_header_footer, new_page, render_context
from geo.export.model import Briefing, key_figures, metric_label, short_name
from geo.i18n import country_label, t
from geo.settings import METRIC_CRS

log = logging.getLogger(__name__)

#: Map axes of the briefing page in figure fractions (left, bottom, width, height).
MAP_BOX = (0.015, 0.07, 0.61, 0.795)


def _luminance(rgba) -> float:
    r, g, b = rgba[:3]
    return 0.299 * r + 0.587 * g + 0.114 * b


def _nice_length(span_m: float) -> float:
    """A round scale-bar length (metres) near a fifth of the map's width."""
    target = span_m / 5
    for km in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if km * 1000 >= target:
            return km * 1000.0
    return 1000e3


def _label_point(geom) -> shapely.Point:
    if geom.geom_type == "MultiPolygon":
        geom = max(geom.geoms, key=lambda g: g.area)
    try:
        from shapely.ops import polylabel

        return polylabel(geom, tolerance=100.0)
    except Exception:  # noqa: BLE001 - degenerate polygon: fall back to a point inside
        return geom.representative_point()


def _country_label(ax, geom, name: str, *, extent: tuple[float, float, float, float],
                   m_per_pt: float) -> bool:
    """Write a country's name where the whole label fits inside both the frame and the country."""
    for size in (15, 12, 10, 8):
        half_w = (0.36 * size * len(name) + 6) * m_per_pt
        half_h = 0.75 * size * m_per_pt
        room = shapely.clip_by_rect(geom, extent[0] + half_w, extent[1] + half_h,
                                    extent[2] - half_w, extent[3] - half_h).buffer(-half_h)
        if room.is_empty:
            continue
        p = _label_point(room)
        box = shapely.box(p.x - half_w, p.y - half_h, p.x + half_w, p.y + half_h)
        if geom.contains(box):
            ax.text(p.x, p.y, name, fontsize=size, color="#8c8c8c", ha="center", va="center",
                    fontweight="bold", alpha=0.9, zorder=2)
            return True
    return False


def _draw_scale_bar(ax, xmin: float, xmax: float, ymin: float, ymax: float) -> None:
    from matplotlib.patches import Rectangle

    length = _nice_length(xmax - xmin)
    x0 = xmin + 0.04 * (xmax - xmin)
    y0 = ymin + 0.04 * (ymax - ymin)
    h = 0.011 * (ymax - ymin)
    ax.add_patch(Rectangle((x0 - 0.012 * (xmax - xmin), y0 - 0.028 * (ymax - ymin)),
                           length + 0.045 * (xmax - xmin), h + 0.06 * (ymax - ymin),
                           facecolor="white", edgecolor="#888888", linewidth=0.5, alpha=0.9,
                           zorder=20))
    seg = length / 4
    for i in range(4):
        ax.add_patch(Rectangle((x0 + i * seg, y0), seg, h, facecolor="black" if i % 2 == 0
                               else "white", edgecolor="black", linewidth=0.6, zorder=21))
    for i, frac in ((0, 0), (2, 0.5), (4, 1)):
        value = length * frac / 1000
        ax.text(x0 + i * seg, y0 + h * 1.4, f"{value:g}", ha="center", va="bottom",
                fontsize=6.5, zorder=22)
    ax.text(x0 + length + 0.006 * (xmax - xmin), y0 + h / 2, "km", ha="left", va="center",
            fontsize=6.5, zorder=22)


def _draw_north_arrow(ax, letter: str) -> None:
    from matplotlib.patches import Polygon as MplPolygon

    x, y, w, h = 0.94, 0.86, 0.022, 0.07
    ax.add_patch(MplPolygon([(x - w, y), (x, y + h), (x, y + h * 0.25)], closed=True,
                            facecolor="black", edgecolor="black", linewidth=0.6,
                            transform=ax.transAxes, zorder=22))
    ax.add_patch(MplPolygon([(x + w, y), (x, y + h), (x, y + h * 0.25)], closed=True,
                            facecolor="white", edgecolor="black", linewidth=0.6,
                            transform=ax.transAxes, zorder=22))
    ax.text(x, y + h + 0.008, letter, transform=ax.transAxes, ha="center", va="bottom",
            fontsize=12, fontweight="bold", zorder=22)


def _draw_labels(ax, fig, communes: gpd.GeoDataFrame, fills: list, selected: np.ndarray,
                 *, size: float = 5.2) -> int:
    """Label communes with short names, skipping labels that would collide."""
    import matplotlib.patheffects as pe

    scale = fig.dpi / 72.0
    placed: list[tuple[float, float, float, float]] = []
    order = sorted(range(len(communes)),
                   key=lambda i: (not selected[i], -communes.geometry.iloc[i].area))
    points = [_label_point(communes.geometry.iloc[i]) for i in range(len(communes))]
    xy = ax.transData.transform([(p.x, p.y) for p in points])
    frame = ax.bbox.extents  # the axes in display units: labels wholly outside are clipped
    count = 0
    for i in order:
        text = short_name(communes["name"].iloc[i])
        w = (0.6 * size * len(text) + 2) * scale / 2
        h = (size * 1.25) * scale / 2
        x, y = xy[i]
        box = (x - w, y - h, x + w, y + h)
        if any(not (box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3])
               for b in placed):
            continue
        placed.append(box)
        if box[2] < frame[0] or box[0] > frame[2] or box[3] < frame[1] or box[1] > frame[3]:
            # off the map (an atlas page zoomed to one district): it would be clipped
            # away entirely, so it is not drawn, but its room is kept as before
            count += 1
            continue
        dark = selected[i] and _luminance(fills[i]) < 0.45
        color = "white" if dark else ("#222222" if selected[i] else "#8a8a8a")
        halo = "#333333" if dark else "white"
        ax.text(points[i].x, points[i].y, text, fontsize=size, ha="center", va="center",
                color=color, zorder=15, clip_on=True,
                path_effects=[pe.withStroke(linewidth=1.2, foreground=halo, alpha=0.8)])
        count += 1
    return count


def _context_layers(extent: tuple[float, float, float, float]):
    """Neighbouring countries and border lines, in the metric CRS, clipped near the extent."""
    from geo.borders import border_lines
    from geo.countries import load_countries

    box_ll = gpd.GeoSeries([shapely.box(*extent)], crs=METRIC_CRS).to_crs("EPSG:4326")
    x0, y0, x1, y1 = box_ll.total_bounds
    clip = (x0 - 0.5, y0 - 0.5, x1 + 0.5, y1 + 0.5)
    countries = load_countries(("VNM", "LAO", "CHN", "KHM"))
    countries = countries.assign(geometry=shapely.clip_by_rect(countries.geometry.values, *clip))
    countries = countries[~countries.geometry.is_empty].to_crs(METRIC_CRS)
    lines = border_lines(countries=("LAO", "CHN", "KHM"))
    lines = lines.assign(geometry=shapely.clip_by_rect(lines.geometry.values, *clip))
    lines = lines[~lines.geometry.is_empty].to_crs(METRIC_CRS)
    return countries, lines


def map_extent(communes: gpd.GeoDataFrame, box: tuple[float, float, float, float], *,
               focus: np.ndarray | None = None, pad: float = 0.05
               ) -> tuple[float, float, float, float]:
    """Return the map extent (metric CRS) around ``communes[focus]`` with the box's aspect."""
    shown = communes if focus is None else communes.loc[focus]
    xmin, ymin, xmax, ymax = shown.total_bounds
    margin = pad * max(xmax - xmin, ymax - ymin)
    box_w, box_h = box[2] * PAGE_SIZE_IN[0], box[3] * PAGE_SIZE_IN[1]
    w, h = xmax - xmin + 2 * margin, ymax - ymin + 2 * margin
    if w / h < box_w / box_h:  # widen the shorter side so the aspect is true
        w = h * box_w / box_h
    else:
        h = w * box_h / box_w
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def map_axes(fig, box: tuple[float, float, float, float],
             extent: tuple[float, float, float, float]):
    """Add a bare map axes at ``box`` showing ``extent`` (metric CRS), true to scale.

    Returns the axes and how many metres one typographic point spans on the page.
    """
    ax = fig.add_axes(box)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("white")
    return ax, (extent[2] - extent[0]) / (box[2] * PAGE_SIZE_IN[0] * 72)


def draw_map(fig, brief: Briefing, box: tuple[float, float, float, float], *,
             focus: np.ndarray | None = None, label_size: float = 5.2):
    """Draw the map of ``brief`` in a new axes at ``box``; return the axes and the line legend.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    brief : Briefing
    box : (left, bottom, width, height)
        Figure fractions of the map.
    focus : numpy.ndarray of bool, optional
        Communes to zoom to (default: all).
    label_size : float
        Font size of the commune labels.

    Returns
    -------
    (Axes, list of geo.style.LineEntry, int)
        The map axes, the lines drawn (for the legend) and the number of labels.
    """
    text = brief.text
    communes = brief.cov.to_crs(METRIC_CRS)
    extent = map_extent(communes, box, focus=focus)
    ax, m_per_pt = map_axes(fig, box, extent)
    for spine in ax.spines.values():
        spine.set_linewidth(0.8)

    countries, lines = _context_layers(extent)
    for _, row in countries.iterrows():
        gpd.GeoSeries([row.geometry], crs=METRIC_CRS).plot(
            ax=ax, color=style.COUNTRY_FILLS.get(row["iso3"], style.CONTEXT_FILL),
            edgecolor=style.CONTEXT_EDGE, linewidth=0.4, zorder=1)
        if row["iso3"] != "VNM":
            _country_label(ax, row.geometry, country_label(row["iso3"], brief.lang).upper(),
                           extent=extent, m_per_pt=m_per_pt)
    edges = ["#5a5a5a" if s else style.UNSELECTED_EDGE for s in brief.selected]
    communes.plot(ax=ax, color=brief.fills, edgecolor=edges, linewidth=0.35, zorder=5)
    entries = []
    districts = district_outlines(communes)
    if districts is not None:
        entry = style.district_line(brief.lang)
        districts.plot(ax=ax, zorder=7, **entry.mpl())
    outline = shapely.union_all(communes.geometry.values)
    province = style.province_line(brief.lang)
    gpd.GeoSeries([outline], crs=METRIC_CRS).boundary.plot(ax=ax, zorder=8, **province.mpl())
    for _, row in lines.iterrows():
        entry = style.border_line(row["iso3"], brief.lang)
        mpl = entry.mpl()
        gpd.GeoSeries([row.geometry], crs=METRIC_CRS).plot(
            ax=ax, color="white", linewidth=mpl["linewidth"] + 2.2, zorder=9)
        gpd.GeoSeries([row.geometry], crs=METRIC_CRS).plot(ax=ax, zorder=10, **mpl)
        entries.append(entry)
    entries.append(province)
    if districts is not None:
        entries.append(style.district_line(brief.lang))
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_xlabel("")
    ax.set_ylabel("")
    from matplotlib.colors import to_rgba

    fills = [to_rgba(f) for f in brief.fills]
    shown = brief.selected if focus is None else brief.selected & focus
    n_labels = _draw_labels(ax, fig, communes, fills, shown, size=label_size)
    _draw_scale_bar(ax, extent[0], extent[2], extent[1], extent[3])
    _draw_north_arrow(ax, text["north"])
    return ax, entries, n_labels


def draw_titles(fig, brief: Briefing) -> None:
    """Draw a map page's title, subtitle and filters line (top left)."""
    fig.text(0.015, 0.928, brief.title, fontsize=15, fontweight="bold", ha="left",
             va="baseline")
    fig.text(0.015, 0.901, brief.subtitle, fontsize=9.5, ha="left", va="baseline",
             color="#333333")
    fig.text(0.015, 0.881, brief.filters, fontsize=8.5, ha="left", va="baseline",
             color="#333333")


def draw_legend(fig, brief: Briefing, entries, *, x: float, y: float, size: float = 8.5,
                title_size: float = 10.5, lines: bool = True) -> float:
    """Draw the metric legend (and the line legend) from ``(x, y)`` down; return the y below."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    text = brief.text
    fig.text(x, y, metric_label(brief.metric, brief.lang), fontsize=title_size,
             fontweight="bold", va="top")
    handles = [Patch(facecolor=c.swatch, edgecolor="#5a5a5a", linewidth=0.5, label=c.label)
               for c in brief.style_legend.classes]
    n_unselected = int((~brief.selected).sum())
    if n_unselected:
        handles.append(Patch(facecolor=style.UNSELECTED_FILL, edgecolor=style.UNSELECTED_EDGE,
                             linewidth=0.5, label=f"{text['not_selected']}  "
                             f"({t('legend_units', brief.lang, n=n_unselected)})"))
    step = 0.036 * size / 8.5
    leg = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(x - 0.006, y - 0.025),
                     frameon=False, fontsize=size, handlelength=2.2, handleheight=1.3,
                     borderaxespad=0, labelspacing=0.45)
    fig.add_artist(leg)
    y = y - 0.05 - step * len(handles)
    if not lines:
        return y
    fig.text(x, y, text["lines"], fontsize=title_size, fontweight="bold", va="top")
    line_handles = [Line2D([], [], label=e.label, **e.mpl()) for e in entries]
    leg2 = fig.legend(handles=line_handles, loc="upper left",
                      bbox_to_anchor=(x - 0.006, y - 0.025), frameon=False,
                      fontsize=size, handlelength=3.2, borderaxespad=0, labelspacing=0.45)
    fig.add_artist(leg2)
    return y - 0.05 - 0.034 * size / 8.5 * len(line_handles)


def render_map_figure(brief: Briefing, *, page: tuple[int, int] | None = None):
    """Draw the briefing map on a new A4-landscape matplotlib Figure (not pyplot).

    Parameters
    ----------
    brief : Briefing
        The briefing content.
    page : (int, int), optional
        ``(page, pages)`` to print "Trang 1/4" in the footer (PDF).

    Returns
    -------
    matplotlib.figure.Figure
    """
    text = brief.text
    with render_context():
        fig = new_page()
        _, entries, n_labels = draw_map(fig, brief, MAP_BOX)
        draw_header_footer(fig, brief, page=page)
        draw_titles(fig, brief)
        # right panel: legend, lines, figures, notes
        px = 0.645
        y_fig = draw_legend(fig, brief, entries, x=px, y=0.855)
        fig.text(px, y_fig, text["figures"], fontsize=10.5, fontweight="bold", va="top")
        fig.text(px, y_fig - 0.03, "\n".join(key_figures(brief)), fontsize=8.3, va="top",
                 linespacing=1.55)
        draw_notes(fig, brief, x=px, y=0.085)
    log.info("export map: %d communes (%d selected, %d labelled), %d classes", len(brief.cov),
             int(brief.selected.sum()), n_labels, len(brief.legend))
    return fig


def draw_notes(fig, brief: Briefing, *, x: float, y: float, width: int = 66,
               extra: tuple[str, ...] = ()) -> None:
    """Write the provenance notes and sources upwards from ``(x, y)``."""
    notes = list(extra) + list(brief.notes) + [
        brief.text["sources"].format(vintage=brief.vintage or "")]
    wrapped = "\n".join(textwrap.fill(n, width) for n in notes)
    fig.text(x, y, wrapped, fontsize=7.4, va="bottom",
             color="#7a1f1f" if brief.notes else "#333333", linespacing=1.35, style="italic")


__all__ = ["MAP_BOX", "draw_legend", "draw_map", "draw_notes", "map_extent",
           "render_map_figure"]
