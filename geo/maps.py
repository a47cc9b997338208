"""Folium map builders: a coverage GeoDataFrame in, a ``folium.Map`` out.

This is the one place where data strings become HTML: every commune, district
or country name, layer name and legend label is passed through
:func:`html.escape` here (:func:`_esc`). Commune features carry only their code
and escaped name; the page looks the full record up in Python by code.

The default basemap needs no internet: no tiles, only context layers built from
embedded data (Vietnam and its neighbours from Natural Earth, the province's
districts). OpenStreetMap tiles, or an intranet tile server, can be chosen with
``tiles=`` (or the ``BORDERMAP_TILES`` environment variable, see
:func:`default_tiles`). Display geometry comes from :mod:`geo.display`; classes,
colours, labels, line styles and notes from :mod:`geo.style`, the one style the
briefings use too.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence

import branca.colormap
import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from branca.element import MacroElement
from folium.template import Template

from geo import map_context, map_labels, style
from geo._errors import BorderMapError
from geo.border_list import border_in_use
from geo.display import (DECIMALS, SIMPLIFY_M, _round, clip_to_view, commune_features,
                         district_outline_features, feature_collection, simplify_for_display,
                         view_box)
from geo.i18n import country_label, metric_label, t
from geo.settings import DISPLAY_CRS, get_settings
from geo.style import (BACKGROUND, BORDER_COMMUNE_OUTLINE, BORDER_STYLES, DISTRICT_OUTLINE,
                       INTEGER_METRICS, NO_DATA_COLOR, PALETTES, class_breaks, classify,
                       metric_values, provenance_notes)

#: Re-exported for callers of the earlier single-module API (classes live in geo.style).
__all__ = ["BORDER_STYLES", "INTEGER_METRICS", "PALETTES", "HtmlControl", "TILE_MODES",
           "TILES_ENV", "build_coverage_map", "check_tiles", "class_breaks", "class_colors",
           "classify", "commune_features", "default_tiles", "legend_html", "metric_colormap",
           "selection_layer", "simplify_for_display"]

log = logging.getLogger(__name__)

#: Tile choices besides a URL template: ``offline`` (no tiles) and ``osm``.
TILE_MODES = ("offline", "osm")

#: Environment variable that sets the default tiles: ``offline``, ``osm`` or a URL template.
TILES_ENV = "BORDERMAP_TILES"


def _esc(value: object) -> str:
    """Escape a data string for HTML (the module's one escaping point)."""
    return html.escape("" if value is None else str(value), quote=True)


# --------------------------------------------------------------------------- tiles

def default_tiles() -> str:
    """Return the tile setting from ``BORDERMAP_TILES`` (default ``"offline"``)."""
    return check_tiles(get_settings().tiles)


def check_tiles(tiles: str) -> str:
    """Validate a tile setting: ``offline``, ``osm`` or an ``http(s)`` URL template.

    Raises
    ------
    BorderMapError
        If ``tiles`` is neither a mode nor a URL template with ``{z}``, ``{x}``, ``{y}``.
    """
    value = str(tiles).strip()
    if value.lower() in TILE_MODES:
        return value.lower()
    if value.startswith(("http://", "https://")) and all(k in value for k in ("{z}", "{x}", "{y}")):
        return value
    raise BorderMapError(
        f"tiles must be 'offline', 'osm' or a URL template with {{z}}/{{x}}/{{y}} "
        f"(from {TILES_ENV} or the sidebar), not {tiles!r}")


def _add_tiles(m: folium.Map, tiles: str, lang: str) -> None:
    if tiles == "offline":
        return
    if tiles == "osm":
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=True).add_to(m)
        return
    folium.TileLayer(tiles=tiles, attr=_esc(t("basemap_custom", lang)),
                     name=_esc(t("basemap_custom", lang)), control=True).add_to(m)


# --------------------------------------------------------------------------- classes

def metric_colormap(cov: pd.DataFrame, metric: str, *, lang: str = "vi"
                    ) -> branca.colormap.StepColormap:
    """Return the step colormap of ``metric``, with the classes of :func:`geo.style.build_legend`.

    The colormap's ``index`` holds the class edges and ``colors`` one palette
    colour per class; its ``caption`` is the metric's label in ``lang``.
    """
    legend = style.build_legend(metric_values(cov, metric), metric, lang=lang)
    edges = list(legend.edges)
    return branca.colormap.StepColormap(legend.colors, index=edges, vmin=edges[0],
                                        vmax=edges[-1], caption=legend.title)


def class_colors(colormap: branca.colormap.StepColormap) -> list[str]:
    """Return the colormap's class colours as ``#rrggbb`` strings."""
    return ["#{:02x}{:02x}{:02x}".format(*(int(round(c * 255)) for c in rgba[:3]))
            for rgba in colormap.colors]


# --------------------------------------------------------------------------- HTML controls

class HtmlControl(MacroElement):
    """A Leaflet control holding fixed HTML (legend, provenance caption).

    The HTML is built by this module from escaped strings; it is rendered with
    ``innerHTML`` and needs no external script (no d3, unlike branca's legend).
    """

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
        .bordermap-control {background: rgba(255,255,255,0.92); padding: 6px 8px;
            border-radius: 4px; box-shadow: 0 0 4px rgba(0,0,0,0.3);
            font: 12px/1.35 "DejaVu Sans", Arial, sans-serif; color: #222; max-width: 280px;}
        .bordermap-legend .swatch {display: inline-block; width: 18px; height: 12px;
            margin-right: 6px; vertical-align: middle; border: 1px solid #777;}
        .bordermap-legend .line {display: inline-block; width: 26px; height: 0;
            margin-right: 6px; vertical-align: middle;}
        .bordermap-legend .title {font-weight: bold; margin-bottom: 3px;}
        .bordermap-caption {font-size: 11px; color: #6b2c00; max-width: 360px;}
        .leaflet-container {background: {{ this.background }};}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function (map) {
            var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
            div.innerHTML = {{ this.html|tojson }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, html_text: str, *, position: str = "bottomright",
                 css_class: str = "bordermap-control", background: str = BACKGROUND) -> None:
        super().__init__()
        self.background = background
        self._name = "HtmlControl"
        self.html = html_text
        self.position = position
        self.css_class = css_class


def legend_swatch_row(color: str, label: str) -> str:
    """One legend row: a colour swatch and its label (the label is escaped)."""
    return (f'<div><span class="swatch" style="background:{_esc(color)}"></span>'
            f'{_esc(label)}</div>')


def legend_border_row(iso3: str, lang: str) -> str:
    """One legend row: the line style of Vietnam's border with ``iso3`` and its label."""
    line = style.border_line(iso3, lang)
    dash = "dashed" if line.dash else "solid"
    return (f'<div><span class="line" style="border-top:4px {dash} {line.color}">'
            f'</span>{_esc(line.label)}</div>')


def legend_html(legend: style.Legend, *, lang: str, no_data: bool = False,
                borders: Sequence[str] = (), districts: bool = True) -> str:
    """Return the legend's HTML: metric classes, then border lines and outlines.

    Swatches show the colours as seen (:attr:`geo.style.LegendClass.swatch`:
    the fill blended at its opacity over the basemap), the same colours as the
    briefing's legend.
    """
    rows = [f'<div class="title">{_esc(legend.title)}</div>']
    rows += [legend_swatch_row(cls.swatch, cls.label) for cls in legend.classes]
    if no_data:
        rows.append(legend_swatch_row(style.rendered_color(NO_DATA_COLOR),
                                      t("legend_no_data", lang)))
    rows += [legend_border_row(iso3, lang) for iso3 in borders]
    rows.append(f'<div><span class="swatch" style="background:transparent;border:2px solid '
                f'{BORDER_COMMUNE_OUTLINE}"></span>{_esc(t("legend_border_communes", lang))}</div>')
    if districts:
        line = style.district_line(lang)
        rows.append(f'<div><span class="line" style="border-top:2px dashed {line.color}">'
                    f'</span>{_esc(line.label)}</div>')
    return "".join(rows)


# --------------------------------------------------------------------------- layers

def _label_point(line: shapely.Geometry, near: shapely.Geometry, area: gpd.GeoSeries,
                 step: float = 0.02, width: float = 0.8) -> tuple[shapely.Point, str]:
    """Pick where to label a border line: along the province, on the side away from it.

    Candidate points along the part of ``line`` inside ``near`` are tried from the
    middle outwards; the first with no commune within ``width`` degrees west of
    it wins (the label is written westwards), else the first with none east.
    """
    along = shapely.intersection(line, near)
    parts = [g for g in shapely.get_parts(along) if not g.is_empty and g.length > 0]
    if not parts:
        return shapely.ops.nearest_points(line, near.centroid)[0], "right"
    longest = max(parts, key=lambda g: g.length)
    fractions = sorted(np.linspace(0.05, 0.95, 19), key=lambda f: abs(f - 0.5))
    tree = area.sindex
    sides = []
    for f in fractions:
        p = longest.interpolate(f, normalized=True)
        west = shapely.LineString([(p.x - width, p.y), (p.x - step, p.y)])
        east = shapely.LineString([(p.x + step, p.y), (p.x + width, p.y)])
        west_free = len(tree.query(west, predicate="intersects")) == 0
        east_free = len(tree.query(east, predicate="intersects")) == 0
        sides.append((p, "left" if west_free else "right" if east_free else ""))
    for wanted in ("left", "right"):  # a label written westwards first, then eastwards
        for p, side in sides:
            if side == wanted:
                return p, side
    return longest.interpolate(0.5, normalized=True), "right"


def _border_layer(lines: gpd.GeoDataFrame, iso3: str, lang: str, view,
                  near: shapely.Geometry, area: gpd.GeoSeries) -> folium.FeatureGroup | None:
    rows = lines[lines["iso3"] == iso3]
    if rows.empty:
        return None
    clipped = clip_to_view(rows, view)
    if clipped.empty:
        return None
    clipped = clipped.set_geometry(_round(clipped.geometry.values, DECIMALS))
    label = t(f"layer_border_{iso3}", lang)
    group = folium.FeatureGroup(name=_esc(label), control=True)
    line_style = {k: v for k, v in BORDER_STYLES.get(iso3, style.DEFAULT_BORDER_STYLE).items()
                  if v is not None}
    folium.GeoJson(
        feature_collection(clipped, {"iso3": [iso3] * len(clipped)}),
        style_function=lambda _f, s=line_style: dict(s),
        tooltip=folium.Tooltip(_esc(label), sticky=True),
        interactive=True, bubbling_mouse_events=False,
    ).add_to(group)
    point, side = _label_point(shapely.line_merge(shapely.union_all(clipped.geometry.values)),
                               near, area)
    outside_left = side == "left"
    folium.Marker(
        [round(point.y, DECIMALS), round(point.x, DECIMALS)],
        icon=folium.DivIcon(
            html=(f'<div style="font: italic bold 12px DejaVu Sans, Arial, sans-serif; '
                  f'color:{line_style["color"]}; white-space:nowrap; text-shadow: 0 0 3px #fff, '
                  f'0 0 3px #fff; text-align:{"right" if outside_left else "left"};">'
                  f'{_esc(label)}</div>'),
            icon_size=(240, 16), icon_anchor=(248, 8) if outside_left else (-8, 8)),
        interactive=False,
    ).add_to(group)
    return group


def _context_layer(countries: gpd.GeoDataFrame, view, lang: str,
                   label_box: shapely.Geometry) -> folium.FeatureGroup:
    clipped = simplify_for_display(clip_to_view(countries, view), tolerance_m=200)
    group = folium.FeatureGroup(name=_esc(t("layer_context", lang)), control=True)
    fills = style.COUNTRY_FILLS
    names = [row["name_vi"] if lang == "vi" else country_label(row["iso3"], "en")
             for _, row in clipped.iterrows()]
    folium.GeoJson(
        feature_collection(clipped, {"iso3": list(clipped["iso3"]),
                                      "name": [_esc(n) for n in names]}),
        style_function=lambda f: {"fillColor": fills.get(f["properties"]["iso3"],
                                                           style.CONTEXT_FILL),
                                  "fillOpacity": 1.0, "color": style.CONTEXT_EDGE, "weight": 1},
        interactive=False,
    ).add_to(group)
    for (_, row), name in zip(clipped.iterrows(), names):
        if row["iso3"] == "VNM":
            continue
        near_part = shapely.intersection(row.geometry, label_box)
        if near_part.is_empty:
            continue
        # the centre of the largest circle inside: as far from the borders as it gets
        point = shapely.get_point(shapely.maximum_inscribed_circle(near_part, 0.01), 0)
        folium.Marker(
            [round(point.y, DECIMALS), round(point.x, DECIMALS)],
            icon=folium.DivIcon(
                html=(f'<div style="font: bold 15px DejaVu Sans, Arial, sans-serif; '
                      f'color:#8c8c8c; letter-spacing:2px; white-space:nowrap;">'
                      f'{_esc(str(name).upper())}</div>'),
                icon_size=(200, 20), icon_anchor=(40, 10)),
            interactive=False,
        ).add_to(group)
    return group


def build_coverage_map(cov: gpd.GeoDataFrame, *, metric: str = "total_police",
                       lang: str = "vi", tiles: str = "offline",
                       borders: gpd.GeoDataFrame | None = None,
                       countries: gpd.GeoDataFrame | None = None,
                       districts: bool = True, features: dict | None = None,
                       tolerance_m: float = SIMPLIFY_M, control_scale: bool = True,
                       context: gpd.GeoDataFrame | None = None, labels: bool = False
                       ) -> folium.Map:
    """Build the commanders' coverage map.

    Parameters
    ----------
    cov : GeoDataFrame
        Coverage frame (:func:`geo.coverage.load_coverage`), any CRS.
    metric : str
        Key of :data:`geo.coverage.METRICS` that shades the communes.
    lang : {"vi", "en"}
        Language of layer names, legend and notes.
    tiles : str
        ``"offline"`` (no tiles: context layers only), ``"osm"`` or a URL template.
    borders : GeoDataFrame, optional
        International border lines (``iso3``, ``geometry``); each neighbour is
        drawn as its own labelled line. Default :func:`geo.borders.border_lines`
        for Laos and China; an empty frame draws none.
    countries : GeoDataFrame, optional
        Country polygons (``iso3``, ``name_vi``, ``geometry``) for the offline
        context layer; default :func:`geo.countries.load_countries` for Vietnam,
        Laos and China; an empty frame draws none. Not drawn over tiles.
    districts : bool
        Outline the districts, dissolved from the communes' ``district_code``
        (only where communes have one: the 2020 map).
    features : dict, optional
        Pre-built display GeoJSON of the communes (:func:`commune_features`), to
        reuse a cached one; built from ``cov`` when omitted.
    tolerance_m : float
        Display simplification in metres.
    control_scale : bool
        Show a scale bar.
    context : GeoDataFrame, optional
        The whole province when ``cov`` is a filtered part of it: the communes
        left out are drawn greyed (:func:`geo.map_context.outside_layer`) and the
        map opens on the whole province. ``features`` may then hold the whole
        province's features.
    labels : bool
        Label the communes (collision-free, by zoom) and the neighbouring
        provinces (:mod:`geo.map_labels`).

    Returns
    -------
    folium.Map
        ``prefer_canvas=True``; layers: context, communes (shaded, tooltip with
        the name), border-commune outlines, districts, border lines; a legend,
        a provenance caption, LayerControl, Fullscreen and MeasureControl.

    Raises
    ------
    BorderMapError
        Unknown metric or tiles, empty frame, or a frame without CRS.
    """
    if metric not in PALETTES:
        raise BorderMapError(f"unknown map metric {metric!r}; use one of {', '.join(PALETTES)}")
    tiles = check_tiles(tiles)
    if len(cov) == 0:
        raise BorderMapError("no commune to map: the coverage frame is empty")
    if cov.crs is None:
        raise BorderMapError("the coverage frame has no CRS")
    if borders is None:
        from geo.borders import border_lines

        borders = border_lines(countries=("LAO", "CHN"))
    if countries is None and tiles == "offline":
        from geo.countries import load_countries

        countries = load_countries(("VNM", "LAO", "CHN"))
    extent = cov if context is None or len(context) == 0 else context
    view = view_box(extent)
    near = shapely.buffer(shapely.union_all(extent.to_crs(DISPLAY_CRS).geometry.values), 0.03)
    minx, miny, maxx, maxy = extent.to_crs(DISPLAY_CRS).total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], tiles=None,
                   prefer_canvas=True, control_scale=control_scale, zoom_start=8,
                   min_zoom=6, max_zoom=16, zoom_snap=0.25, zoom_delta=0.5)
    _add_tiles(m, tiles, lang)
    if countries is not None and len(countries) and tiles == "offline":
        _context_layer(countries, view, lang, view_box(extent, pad=0.1)).add_to(m)

    values = metric_values(cov, metric)
    legend = style.build_legend(values, metric, lang=lang)
    colors = legend.fill_colors()
    color_of = dict(zip(cov["code"].astype(str), colors))
    if features is None:
        features = commune_features(extent, tolerance_m=tolerance_m)
    if extent is not cov:
        outside = map_context.outside_layer(features, cov["code"].astype(str), lang=lang)
        if outside is not None:
            outside.add_to(m)
    communes = folium.GeoJson(
        map_context.with_hover(features, cov, lang=lang),
        name=_esc(t("layer_communes", lang, metric=metric_label(metric, lang))),
        style_function=lambda f: {"fillColor": color_of.get(f["id"], NO_DATA_COLOR),
                                  "fillOpacity": style.FILL_OPACITY, "color": style.COMMUNE_EDGE,
                                  "weight": 0.6},
        highlight_function=lambda f: {"weight": 3, "color": "#000000", "fillOpacity": 0.9},
        tooltip=map_context.hover_tooltip(cov, lang=lang),
        zoom_on_click=False,
    )
    communes.add_to(m)

    border_codes = set(cov.loc[border_in_use(cov), "code"].astype(str))
    if border_codes:
        outline = folium.GeoJson(
            {"type": "FeatureCollection",
             "features": [f for f in features["features"] if f["id"] in border_codes]},
            name=_esc(t("layer_border_communes", lang)),
            style_function=lambda _f: {"fill": False, "color": BORDER_COMMUNE_OUTLINE,
                                       "weight": 2.5, "opacity": 0.9},
            interactive=False,
        )
        outline.add_to(m)
    dist = (district_outline_features(features, dict(zip(
                extent["code"].astype(str), extent["district_code"].fillna("").astype(str))))
            if districts and "district_code" in extent else None)
    if dist is not None:
        folium.GeoJson(
            dist, name=_esc(t("layer_districts", lang)),
            style_function=lambda _f: {"fill": False, "color": DISTRICT_OUTLINE,
                                       "weight": style.DISTRICT_WEIGHT,
                                       "dashArray": style.DISTRICT_DASH, "opacity": 0.9},
            interactive=False,
        ).add_to(m)
    shown_borders: list[str] = []
    if borders is not None and len(borders):
        for iso3 in ("LAO", "CHN", "KHM"):
            group = _border_layer(borders, iso3, lang, view, near,
                                  extent.geometry.to_crs(DISPLAY_CRS))
            if group is not None:
                group.add_to(m)
                shown_borders.append(iso3)

    if labels:
        map_labels.commune_label_layer(cov, lang=lang).add_to(m)
        map_labels.neighbour_label_layer(extent, lang=lang).add_to(m)
    if tiles != "offline":
        m.add_child(map_context.tile_warning(lang=lang))
    m.add_child(map_context.FocusWithoutScroll())
    folium.plugins.Fullscreen(position="topleft").add_to(m)
    folium.plugins.MeasureControl(position="topleft", primary_length_unit="kilometers",
                                  secondary_length_unit="meters",
                                  primary_area_unit="hectares").add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    m.add_child(HtmlControl(
        legend_html(legend, lang=lang, no_data=bool((legend.class_of < 0).any()),
                    borders=shown_borders, districts=dist is not None),
        position="topright", css_class="bordermap-control bordermap-legend"))
    notes = provenance_notes(cov, lang=lang, short=True)
    if notes:
        m.add_child(HtmlControl(" · ".join(_esc(n) for n in notes), position="bottomleft",
                                css_class="bordermap-control bordermap-caption"))
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    log.info("coverage map: %d communes, metric %s, %d classes, %d border lines, tiles %s",
             len(cov), metric, len(legend.classes), len(shown_borders),
             "offline" if tiles == "offline" else ("osm" if tiles == "osm" else "custom"))
    return m


def selection_layer(cov: gpd.GeoDataFrame, code: str | None, *, lang: str = "vi",
                    tolerance_m: float = SIMPLIFY_M) -> folium.FeatureGroup:
    """Return a feature group that outlines the selected commune (empty when none).

    Passed to ``st_folium(feature_group_to_add=...)`` so a new selection updates
    the map without re-rendering it.
    """
    group = folium.FeatureGroup(name=_esc(t("layer_selected", lang)), control=False)
    if code:
        rows = cov[cov["code"].astype(str) == str(code)]
        if len(rows):
            folium.GeoJson(
                commune_features(rows, tolerance_m=tolerance_m),
                style_function=lambda _f: {"fill": False, "color": "#00e5ff", "weight": 4},
                interactive=False,
            ).add_to(group)
    return group
