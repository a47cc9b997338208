"""Folium map builders: a coverage GeoDataFrame in, a ``folium.Map`` out.

This is the one place where data strings become HTML: every commune, district
or country name, layer name and legend label is passed through
:func:`html.escape` here (:func:`_esc`). Commune features carry only their code
and escaped name; the page looks the full record up in Python by code.

The default basemap needs no internet: no tiles, only context layers built from
embedded data (Vietnam and its neighbours from Natural Earth, the province's
districts). OpenStreetMap tiles, or an intranet tile server, can be chosen with
``tiles=`` (or the ``BORDERMAP_TILES`` environment variable, see
:func:`default_tiles`). Polygons are simplified for display only (in the metric
CRS, topology kept between neighbouring communes) and rounded to 5 decimals
(about 1 m).
"""

from __future__ import annotations

import html
import json
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

from geo import map_context, map_labels
from geo._errors import BorderMapError
from geo.i18n import country_label, metric_label, t
from geo.settings import DISPLAY_CRS, METRIC_CRS, get_settings

log = logging.getLogger(__name__)

#: Tile choices besides a URL template: ``offline`` (no tiles) and ``osm``.
TILE_MODES = ("offline", "osm")

#: Environment variable that sets the default tiles: ``offline``, ``osm`` or a URL template.
TILES_ENV = "BORDERMAP_TILES"

#: Display simplification tolerance (metres, metric CRS) and coordinate decimals (~1 m).
SIMPLIFY_M = 75.0
DECIMALS = 5

#: Sequential 5-class ColorBrewer palettes per metric (light → dark).
PALETTES = {
    "total_police": ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"],
    "police_per_100km2": ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"],
    "staffing_gap": ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"],
    "reinforcements": ["#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"],
    "border_km": ["#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603"],
}
NO_DATA_COLOR = "#d9d9d9"

#: Metrics whose values are whole numbers (class edges rounded, labels "a–b").
INTEGER_METRICS = frozenset({"total_police", "staffing_gap", "reinforcements"})

#: Border line styles per neighbour: distinct colour and dash.
BORDER_STYLES = {
    "LAO": {"color": "#d7191c", "weight": 4, "dashArray": None, "opacity": 0.95},
    "CHN": {"color": "#7b3294", "weight": 4, "dashArray": "10 6", "opacity": 0.95},
    "KHM": {"color": "#1a9641", "weight": 4, "dashArray": "4 4", "opacity": 0.95},
}
BORDER_COMMUNE_OUTLINE = "#111111"
DISTRICT_OUTLINE = "#525252"

#: Degrees around the province kept of the context layers and border lines.
CONTEXT_PAD_DEG = 1.5

#: Map background outside the context layers (matches the neighbours' fill).
BACKGROUND = "#e6e3da"


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


# --------------------------------------------------------------------------- geometry

def _round(geoms: np.ndarray, decimals: int) -> np.ndarray:
    return shapely.transform(geoms, lambda xy: np.round(xy, decimals))


def simplify_for_display(gdf: gpd.GeoDataFrame, *, tolerance_m: float = SIMPLIFY_M,
                         decimals: int = DECIMALS) -> gpd.GeoDataFrame:
    """Return a display copy: simplified in the metric CRS, in EPSG:4326, rounded.

    Polygons that tile the province are simplified together
    (:func:`shapely.coverage_simplify`), so neighbours keep a shared edge; other
    layers fall back to per-geometry topology-preserving simplification.

    Parameters
    ----------
    gdf : GeoDataFrame
        Any layer with a CRS.
    tolerance_m : float
        Simplification tolerance in metres (0 keeps every vertex).
    decimals : int
        Decimals kept of the EPSG:4326 coordinates (5 ≈ 1 m).

    Raises
    ------
    BorderMapError
        If ``gdf`` has no CRS or the tolerance is negative.
    """
    if gdf.crs is None:
        raise BorderMapError("cannot draw a layer without a CRS; set it before mapping")
    if tolerance_m < 0:
        raise BorderMapError(f"tolerance_m must be ≥ 0, not {tolerance_m!r}")
    out = gdf.copy()
    if tolerance_m > 0 and len(out):
        metric = out.geometry.to_crs(METRIC_CRS).values
        geoms = np.asarray(metric, dtype=object)
        polygonal = np.isin(shapely.get_type_id(geoms), [3, 6]).all()
        simplified = None
        if polygonal and len(geoms) > 1:
            try:
                simplified = shapely.coverage_simplify(geoms, tolerance_m)
            except Exception:  # noqa: BLE001 - not a valid coverage: fall back below
                simplified = None
        if simplified is None:
            simplified = shapely.simplify(geoms, tolerance_m, preserve_topology=True)
        out = out.set_geometry(gpd.GeoSeries(simplified, index=out.index, crs=METRIC_CRS))
    out = out.to_crs(DISPLAY_CRS)
    out = out.set_geometry(gpd.GeoSeries(_round(out.geometry.values, decimals),
                                         index=out.index, crs=DISPLAY_CRS))
    return out


def _view_box(cov: gpd.GeoDataFrame, pad: float = CONTEXT_PAD_DEG) -> shapely.Geometry:
    minx, miny, maxx, maxy = cov.to_crs(DISPLAY_CRS).total_bounds
    return shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)


def clip_to_view(gdf: gpd.GeoDataFrame, view: shapely.Geometry) -> gpd.GeoDataFrame:
    """Return the parts of ``gdf`` (EPSG:4326) inside the ``view`` box, empty parts dropped."""
    out = gdf.to_crs(DISPLAY_CRS).copy()
    out = out.set_geometry(shapely.intersection(out.geometry.values, view))
    return out[~out.geometry.is_empty].reset_index(drop=True)


# --------------------------------------------------------------------------- classes

def metric_values(cov: pd.DataFrame, metric: str) -> pd.Series:
    """Return the values of ``metric`` per commune (``border_km`` = Laos + China + …)."""
    if metric == "border_km" and "border_km" not in cov:
        cols = [c for c in ("border_km_lao", "border_km_chn", "border_km_khm") if c in cov]
        return cov[cols].sum(axis=1).astype(float)
    if metric not in cov:
        raise BorderMapError(f"unknown map metric {metric!r}; use one of {', '.join(PALETTES)}")
    return pd.to_numeric(cov[metric], errors="coerce").astype(float)


def class_breaks(values: Sequence[float] | np.ndarray, *, k: int = 5, integer: bool = False
                 ) -> list[float]:
    """Return class edges for ``values``: zero as a class of its own, then quantiles.

    Parameters
    ----------
    values : array-like
        The metric per commune; NaN values are ignored.
    k : int
        Maximum number of classes.
    integer : bool
        Round edges up to whole numbers (counts).

    Returns
    -------
    list of float
        Edges ``[e0, e1, …, en]``: class i is ``[e_i, e_{i+1})`` and the last one
        ``[e_{n-1}, e_n]`` (it may hold a single value, ``e_{n-1} == e_n``).
        All-equal values give one class ``[v, v]``.

    Examples
    --------
    >>> class_breaks([0, 0, 0, 1, 2, 3, 4], k=3, integer=True)
    [0.0, 1.0, 2.0, 4.0]
    >>> class_breaks([0, 0, 1], integer=True)
    [0.0, 1.0, 1.0]
    """
    if k < 1:
        raise BorderMapError(f"k must be ≥ 1, not {k!r}")
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return [0.0, 0.0]
    lo, hi = float(v.min()), float(v.max())
    if lo == hi:
        return [lo, hi]
    starts = [lo]
    rest, left = v, k
    if lo == 0 and k > 1:  # "none" (no police, no border, no gap) is a class of its own
        rest = v[v > 0]
        starts.append(float(np.ceil(rest.min())) if integer else float(rest.min()))
        left -= 1
    if left > 1:
        qs = np.quantile(rest, np.arange(1, left) / left, method="inverted_cdf")  # data values
        if integer:
            qs = np.ceil(qs)
        for q in qs:
            if starts[-1] < q <= hi:
                starts.append(float(q))
    return [float(e) for e in starts] + [hi]


def classify(values: Sequence[float] | np.ndarray, edges: Sequence[float]) -> np.ndarray:
    """Return the class index of each value for ``edges`` (−1 for NaN)."""
    v = np.asarray(values, dtype=float)
    idx = np.searchsorted(np.asarray(edges[1:-1], dtype=float), v, side="right")
    return np.where(np.isfinite(v), idx, -1)


def _fmt(value: float, integer: bool) -> str:
    if integer or value == 0:
        return f"{int(round(value))}"
    return f"{value:.1f}" if abs(value) < 100 else f"{value:.0f}"


def class_labels(edges: Sequence[float], *, integer: bool = False,
                 values: Sequence[float] | np.ndarray | None = None) -> list[str]:
    """Return one label per class: ``"0"``, ``"1–2"``, ``"3–7"``, ``"4.5–6.1"``.

    A class whose values (when ``values`` is given) are all equal is labelled
    with that one value.
    """
    n = max(len(edges) - 1, 1)
    seen = None
    if values is not None:
        v = np.asarray(values, dtype=float)
        v = v[np.isfinite(v)]
        cls = classify(v, edges)
        seen = [np.unique(v[cls == i]) for i in range(n)]
    labels = []
    for i in range(n):
        lo, hi = edges[i], edges[min(i + 1, len(edges) - 1)]
        last = i == n - 1
        if seen is not None and len(seen[i]) == 1:
            labels.append(_fmt(float(seen[i][0]), integer))
        elif integer:
            top = hi if last else hi - 1
            labels.append(_fmt(lo, True) if top <= lo else f"{_fmt(lo, True)}–{_fmt(top, True)}")
        else:
            labels.append(_fmt(lo, False) if lo == hi else f"{_fmt(lo, False)}–{_fmt(hi, False)}")
    return labels


def metric_colormap(cov: pd.DataFrame, metric: str, *, lang: str = "vi"
                    ) -> branca.colormap.StepColormap:
    """Return the step colormap of ``metric``, with classes computed from ``cov``.

    The colormap's ``index`` holds the class edges and ``colors`` one colour per
    class; its ``caption`` is the metric's label in ``lang``.
    """
    integer = metric in INTEGER_METRICS
    edges = class_breaks(metric_values(cov, metric), integer=integer)
    n = len(edges) - 1
    palette = PALETTES[metric]
    if n > 1:
        colors = [palette[i] for i in np.linspace(0, len(palette) - 1, n).round().astype(int)]
    else:  # one value everywhere: "none" is light, anything else mid-scale
        colors = [palette[0] if edges[0] == 0 else palette[2]]
    return branca.colormap.StepColormap(colors, index=list(edges), vmin=edges[0],
                                        vmax=edges[-1], caption=metric_label(metric, lang))


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


def legend_html(colormap: branca.colormap.StepColormap, *, integer: bool, lang: str,
                values: Sequence[float] | np.ndarray | None = None, no_data: bool = False,
                borders: Sequence[str] = (), districts: bool = True) -> str:
    """Return the legend's HTML: metric classes, then border lines and outlines."""
    labels = class_labels(list(colormap.index), integer=integer, values=values)
    rows = [f'<div class="title">{_esc(colormap.caption)}</div>']
    for color, label in zip(class_colors(colormap), labels):
        rows.append(f'<div><span class="swatch" style="background:{_esc(color)}"></span>'
                    f'{_esc(label)}</div>')
    if no_data:
        rows.append(f'<div><span class="swatch" style="background:{NO_DATA_COLOR}"></span>'
                    f'{_esc(t("legend_no_data", lang))}</div>')
    for iso3 in borders:
        style = BORDER_STYLES.get(iso3, BORDER_STYLES["LAO"])
        dash = "dashed" if style["dashArray"] else "solid"
        rows.append(f'<div><span class="line" style="border-top:4px {dash} {style["color"]}">'
                    f'</span>{_esc(t(f"layer_border_{iso3}", lang))}</div>')
    rows.append(f'<div><span class="swatch" style="background:transparent;border:2px solid '
                f'{BORDER_COMMUNE_OUTLINE}"></span>{_esc(t("legend_border_communes", lang))}</div>')
    if districts:
        rows.append(f'<div><span class="line" style="border-top:2px dashed {DISTRICT_OUTLINE}">'
                    f'</span>{_esc(t("layer_districts", lang))}</div>')
    return "".join(rows)


def provenance_notes(cov: pd.DataFrame, *, lang: str = "vi") -> list[str]:
    """Return the provenance notes that apply to ``cov`` (approximate layer, sample roster)."""
    attrs = getattr(cov, "attrs", {}) or {}
    notes = []
    approximate = attrs.get("approximate")
    if approximate is None and "approximate" in cov:
        approximate = bool(cov["approximate"].any())
    if approximate:
        notes.append(t("approximate_short", lang))
    if attrs.get("sample_roster"):
        notes.append(t("sample_short", lang))
    return notes


# --------------------------------------------------------------------------- layers

def _feature_collection(gdf: gpd.GeoDataFrame, properties: dict[str, Sequence[object]]) -> dict:
    """GeoJSON with ``id`` = commune code and only the given (already escaped) properties."""
    features = []
    geoms = shapely.to_geojson(gdf.geometry.values)
    keys = list(properties)
    for i, geom in enumerate(geoms):
        props = {k: properties[k][i] for k in keys}
        features.append({"type": "Feature", "id": props.get("code", str(i)),
                         "properties": props, "geometry": json.loads(geom)})
    return {"type": "FeatureCollection", "features": features}


def commune_features(cov: gpd.GeoDataFrame, *, tolerance_m: float = SIMPLIFY_M) -> dict:
    """Return the communes as display GeoJSON: ``id`` and properties ``code``, ``name``.

    ``name`` is HTML-escaped (it is shown in the tooltip); nothing else is sent.
    """
    display = simplify_for_display(cov[["code", "name", "geometry"]], tolerance_m=tolerance_m)
    return _feature_collection(display, {
        "code": [str(c) for c in display["code"]],
        "name": [_esc(n) for n in display["name"]],
    })


def district_outlines(features: dict, district_of: dict[str, str]) -> dict | None:
    """Return district outlines (GeoJSON lines) dissolved from display commune features.

    The communes were simplified together, so neighbours share edges exactly and
    each district's boundary is the union of its communes.

    Parameters
    ----------
    features : dict
        Display commune features (:func:`commune_features`).
    district_of : dict
        Commune code → district code.

    Returns
    -------
    dict or None
        A FeatureCollection of (Multi)LineStrings, or ``None`` when no commune
        has a district (the 2025 map).
    """
    codes = np.asarray([str(district_of.get(f["id"], "") or "") for f in features["features"]])
    if not (codes != "").any():
        return None
    geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in features["features"]])
    rings = [shapely.boundary(shapely.union_all(shapely.make_valid(geoms[codes == code])))
             for code in sorted(set(codes) - {""})]
    # one network: an edge shared by two districts is drawn once (dashes stay regular)
    network = shapely.line_merge(shapely.union_all(rings))
    network = _round(np.array([network], dtype=object), DECIMALS)[0]
    if network.is_empty:
        return None
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": json.loads(shapely.to_geojson(network))}]}


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
    style = {k: v for k, v in BORDER_STYLES.get(iso3, BORDER_STYLES["LAO"]).items()
             if v is not None}
    folium.GeoJson(
        _feature_collection(clipped, {"iso3": [iso3] * len(clipped)}),
        style_function=lambda _f, s=style: dict(s),
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
                  f'color:{style["color"]}; white-space:nowrap; text-shadow: 0 0 3px #fff, '
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
    fills = {"VNM": "#fbfaf5", "LAO": "#e6e3da", "CHN": "#e6e3da", "KHM": "#e6e3da"}
    names = [row["name_vi"] if lang == "vi" else country_label(row["iso3"], "en")
             for _, row in clipped.iterrows()]
    folium.GeoJson(
        _feature_collection(clipped, {"iso3": list(clipped["iso3"]),
                                      "name": [_esc(n) for n in names]}),
        style_function=lambda f: {"fillColor": fills.get(f["properties"]["iso3"], "#eeeeee"),
                                  "fillOpacity": 1.0, "color": "#a8a8a8", "weight": 1},
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
    view = _view_box(extent)
    near = shapely.buffer(shapely.union_all(extent.to_crs(DISPLAY_CRS).geometry.values), 0.03)
    minx, miny, maxx, maxy = extent.to_crs(DISPLAY_CRS).total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], tiles=None,
                   prefer_canvas=True, control_scale=control_scale, zoom_start=8,
                   min_zoom=6, max_zoom=16, zoom_snap=0.25, zoom_delta=0.5)
    _add_tiles(m, tiles, lang)
    if countries is not None and len(countries) and tiles == "offline":
        _context_layer(countries, view, lang, _view_box(extent, pad=0.1)).add_to(m)

    values = metric_values(cov, metric)
    colormap = metric_colormap(cov, metric, lang=lang)
    classes = classify(values.to_numpy(), list(colormap.index))
    palette = class_colors(colormap)
    colors = [palette[i] if i >= 0 else NO_DATA_COLOR for i in classes]
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
                                  "fillOpacity": 0.78, "color": "#6f6f6f", "weight": 0.6},
        highlight_function=lambda f: {"weight": 3, "color": "#000000", "fillOpacity": 0.9},
        tooltip=map_context.hover_tooltip(cov, lang=lang),
        zoom_on_click=False,
    )
    communes.add_to(m)

    border_codes = set(cov.loc[cov["border_countries"].fillna("") != "", "code"].astype(str))
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
    dist = (district_outlines(features, dict(zip(
                extent["code"].astype(str), extent["district_code"].fillna("").astype(str))))
            if districts and "district_code" in extent else None)
    if dist is not None:
        folium.GeoJson(
            dist, name=_esc(t("layer_districts", lang)),
            style_function=lambda _f: {"fill": False, "color": DISTRICT_OUTLINE, "weight": 2,
                                       "dashArray": "6 3", "opacity": 0.9},
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
        legend_html(colormap, integer=metric in INTEGER_METRICS, lang=lang,
                    values=values.to_numpy(), no_data=bool((classes < 0).any()),
                    borders=shown_borders, districts=dist is not None),
        position="topright", css_class="bordermap-control bordermap-legend"))
    notes = provenance_notes(cov, lang=lang)
    if notes:
        m.add_child(HtmlControl(" · ".join(_esc(n) for n in notes), position="bottomleft",
                                css_class="bordermap-control bordermap-caption"))
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    log.info("coverage map: %d communes, metric %s, %d classes, %d border lines, tiles %s",
             len(cov), metric, len(colormap.colors), len(shown_borders),
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
