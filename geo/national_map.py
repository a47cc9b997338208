"""The national overview map: border provinces shaded by one metric (GeoDataFrame in, map out).

The provinces come from :func:`geo.national_summary.province_outlines`; each
feature carries its province code (the page reads it back from a click) and
the escaped name and value of the chosen metric for the tooltip. Classes and
palettes are those of :mod:`geo.style`; strings are escaped here, the one place
this map's HTML is built.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import logging

import folium
import folium.plugins
import geopandas as gpd
import numpy as np

from geo import style
from geo._errors import BorderMapError
from geo.display import DECIMALS, _round, feature_collection
from geo.i18n import t
from geo.national_summary import COUNT_METRICS, metric_column
from geo.settings import DISPLAY_CRS

log = logging.getLogger(__name__)

#: The palette of :data:`geo.style.PALETTES` each overview metric is drawn with.
PALETTE_OF = {"border_communes": "total_police", "border_km": "border_km",
              "reinforcements": "reinforcements", "staffing_gap": "staffing_gap"}


@functools.lru_cache(maxsize=1)
def _default_countries() -> gpd.GeoDataFrame:
    """Vietnam and its neighbours for the offline context, simplified for display (static)."""
    from geo.countries import load_countries

    shown = load_countries(("VNM", "LAO", "CHN", "KHM")).to_crs(DISPLAY_CRS)
    return shown.set_geometry(shown.geometry.simplify(0.01))


@functools.lru_cache(maxsize=1)
def _default_borders() -> gpd.GeoDataFrame:
    """The land borders with Laos, China and Cambodia (static)."""
    from geo.borders import border_lines

    return border_lines(countries=("LAO", "CHN", "KHM"))


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def national_legend(outlines: gpd.GeoDataFrame, metric: str, *, lang: str = "vi"
                    ) -> style.Legend:
    """Return the legend (classes, colours, each province's class) of ``metric``."""
    values = metric_column(outlines, metric)
    legend = style.build_legend(values, PALETTE_OF[metric], lang=lang,
                                integer=metric in COUNT_METRICS)
    return dataclasses.replace(legend, metric=metric, title=t(f"nmetric_{metric}", lang))


def _legend_html(legend: style.Legend, lines: list[str], lang: str) -> str:
    from geo.maps import legend_border_row, legend_swatch_row

    rows = [f'<div class="title">{_esc(legend.title)}</div>']
    for cls in legend.classes:
        label = cls.label.replace(t("legend_units", lang, n=cls.count),
                                  f"{cls.count} {t('col_provinces', lang).lower()}")
        rows.append(legend_swatch_row(cls.swatch, label))
    rows += [legend_border_row(iso3, lang) for iso3 in lines]
    return "".join(rows)


def build_national_map(outlines: gpd.GeoDataFrame, *, metric: str = "border_km",
                       lang: str = "vi", tiles: str = "offline",
                       borders: gpd.GeoDataFrame | None = None,
                       countries: gpd.GeoDataFrame | None = None,
                       notes: list[str] | None = None) -> folium.Map:
    """Build the national overview map.

    Parameters
    ----------
    outlines : GeoDataFrame
        Province rows with outlines (:func:`geo.national_summary.province_outlines`):
        ``province_code``, ``province`` and the metric columns; any CRS.
    metric : str
        One of :data:`geo.national_summary.NATIONAL_METRICS`.
    lang : {"vi", "en"}
        Language of the legend, tooltip and layer names.
    tiles : str
        ``"offline"`` (context layers only), ``"osm"`` or a URL template.
    borders : GeoDataFrame, optional
        International border lines (``iso3``, ``geometry``); default
        :func:`geo.borders.border_lines` for Laos, China and Cambodia.
    countries : GeoDataFrame, optional
        Country polygons for the offline context; default
        :func:`geo.countries.load_countries`. Not drawn over tiles.
    notes : list of str, optional
        Provenance notes shown in a caption on the map (escaped here).

    Returns
    -------
    folium.Map
        One feature per province (``id`` = province code), a legend, border lines.

    Raises
    ------
    BorderMapError
        Empty frame, a frame without CRS, unknown tiles.
    InvalidArgument
        Unknown metric.
    """
    from geo.map_context import FocusWithoutScroll
    from geo.maps import HtmlControl, _add_tiles, check_tiles

    tiles = check_tiles(tiles)
    if len(outlines) == 0:
        raise BorderMapError("no province to map: the overview is empty")
    if outlines.crs is None:
        raise BorderMapError("the province outlines have no CRS")
    legend = national_legend(outlines, metric, lang=lang)
    shown = outlines.to_crs(DISPLAY_CRS)
    shown = shown[~shown.geometry.is_empty & shown.geometry.notna()]
    shown = shown.set_geometry(_round(shown.geometry.values, DECIMALS))
    values = metric_column(outlines, metric)
    integer = metric in COUNT_METRICS
    text = [style.format_value(v, integer=integer, lang=lang) if np.isfinite(v) else "–"
            for v in values]
    color_of = dict(zip(outlines["province_code"].astype(str), legend.fill_colors()))
    minx, miny, maxx, maxy = shown.total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], tiles=None,
                   prefer_canvas=True, control_scale=True, zoom_start=6, min_zoom=5,
                   max_zoom=12, zoom_snap=0.25, zoom_delta=0.5)
    _add_tiles(m, tiles, lang)
    if tiles == "offline":
        countries = _default_countries() if countries is None else countries.to_crs(
            DISPLAY_CRS).set_geometry(countries.to_crs(DISPLAY_CRS).geometry.simplify(0.01))
        if len(countries):
            folium.GeoJson(
                feature_collection(countries, {"iso3": list(countries["iso3"])}),
                name=_esc(t("layer_context", lang)),
                style_function=lambda f: {"fillColor": style.COUNTRY_FILLS.get(
                    f["properties"]["iso3"], style.CONTEXT_FILL), "fillOpacity": 1.0,
                    "color": style.CONTEXT_EDGE, "weight": 1},
                interactive=False).add_to(m)
    by_code = dict(zip(outlines["province_code"].astype(str), text))
    folium.GeoJson(
        feature_collection(shown, {
            "code": list(shown["province_code"].astype(str)),
            "name": [_esc(n) for n in shown["province"]],
            "value": [_esc(by_code[str(c)]) for c in shown["province_code"]]}),
        name=_esc(t(f"nmetric_{metric}", lang)),
        style_function=lambda f: {"fillColor": color_of.get(f["properties"]["code"],
                                                            style.NO_DATA_COLOR),
                                  "fillOpacity": style.FILL_OPACITY, "color": "#444444",
                                  "weight": 1.2},
        highlight_function=lambda f: {"weight": 3, "color": "#000000", "fillOpacity": 0.9},
        tooltip=folium.GeoJsonTooltip(fields=["name", "value"],
                                      aliases=[_esc(t("national_province_tooltip", lang)),
                                               _esc(t(f"nmetric_{metric}", lang))],
                                      labels=True, sticky=True),
        zoom_on_click=False,
    ).add_to(m)
    if borders is None:
        borders = _default_borders()
    lines = []
    for iso3 in ("LAO", "CHN", "KHM"):
        rows = borders[borders["iso3"] == iso3] if len(borders) else borders
        if len(rows) == 0:
            continue
        rows = rows.to_crs(DISPLAY_CRS)
        rows = rows.set_geometry(_round(rows.geometry.simplify(0.002).values, DECIMALS))
        line_style = {k: v for k, v in style.BORDER_STYLES.get(
            iso3, style.DEFAULT_BORDER_STYLE).items() if v is not None}
        folium.GeoJson(feature_collection(rows, {"iso3": [iso3] * len(rows)}),
                       name=_esc(t(f"layer_border_{iso3}", lang)),
                       style_function=lambda _f, s=line_style: dict(s),
                       interactive=False).add_to(m)
        lines.append(iso3)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    m.add_child(FocusWithoutScroll())  # the wheel scrolls the page until the map is clicked
    m.add_child(HtmlControl(_legend_html(legend, lines, lang), position="bottomleft",
                            css_class="bordermap-control bordermap-legend"))
    if notes:
        m.add_child(HtmlControl(" · ".join(_esc(n) for n in notes), position="bottomright",
                                css_class="bordermap-control bordermap-caption"))
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    log.info("national map: %d provinces, metric %s, %d classes", len(shown), metric,
             len(legend.classes))
    return m
