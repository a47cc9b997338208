"""Map labels: commune names placed without collisions, neighbouring provinces named.

Commune names are placed greedily by priority (border communes first, then the
largest) on label boxes measured in screen pixels at a ladder of zoom levels
(:data:`LABEL_ZOOMS`). A label placed at one zoom stays placed at every larger
zoom (boxes only move apart when zooming in), so each label gets the smallest
zoom at which it fits; the browser shows it from that zoom on (a CSS class on the
map container, set on every ``zoomend``). At the province's own zoom the labels
that fit are shown; more appear as the user zooms in.

Neighbouring provinces (e.g. Lai Châu, Sơn La around Điện Biên) are named from
the official registry's commune centroids just outside the province, so the
province sits in context on the offline basemap too. Every name is HTML-escaped
here, where the label HTML is built.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.template import Template

from geo._errors import BorderMapError
from geo.i18n import t
from geo.settings import DISPLAY_CRS, METRIC_CRS

log = logging.getLogger(__name__)

#: Zoom levels at which label collisions are resolved (Leaflet zoom, fractional).
LABEL_ZOOMS = (8.0, 8.5, 9.0, 9.5, 10.0, 10.5, 11.0, 12.0)

#: Commune label font size (px) and the width of one character (px, DejaVu Sans).
LABEL_FONT_PX = 11
CHAR_WIDTH_PX = 6.6
LABEL_HEIGHT_PX = 14
#: Free space kept around every label box (px).
LABEL_PAD_PX = 3

#: Unit-type words left out of a commune's label (the tooltip keeps the full name).
UNIT_PREFIXES = ("Thị trấn ", "Phường ", "Xã ", "Đặc khu ")

#: Neighbouring provinces: registry communes this far outside the province count (km).
NEIGHBOUR_MIN_KM = 6.0
NEIGHBOUR_MAX_KM = 30.0
#: At least this many of its communes must lie in that band for a province to be named.
NEIGHBOUR_MIN_COMMUNES = 2
NEIGHBOUR_STYLE = ("font: italic 14px 'DejaVu Sans', Arial, sans-serif; color: #6a6a6a; "
                   "letter-spacing: 1px; white-space: nowrap; text-align: center; "
                   "text-shadow: 0 0 3px #fff, 0 0 3px #fff;")


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def short_name(name: str, unit_type: str | None = None) -> str:
    """Return a commune's label: its name without the unit-type word.

    Examples
    --------
    >>> short_name("Xã Mường Nhé", "Xã")
    'Mường Nhé'
    >>> short_name("Phường Him Lam")
    'Him Lam'
    >>> short_name("Tỉnh Lai Châu")
    'Lai Châu'
    """
    text = str(name or "").strip()
    prefixes = ((f"{unit_type} ",) if unit_type else ()) + UNIT_PREFIXES + ("Tỉnh ",
                                                                           "Thành phố ")
    for prefix in prefixes:
        if text.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix):]
    return text


def label_points(gdf: gpd.GeoDataFrame, *, tolerance_m: float = 200.0) -> gpd.GeoSeries:
    """Return one label point per polygon: the centre of its largest inscribed circle.

    Computed in the metric CRS (a point far from every edge, always inside the
    polygon, unlike a centroid), returned in EPSG:4326.

    Raises
    ------
    BorderMapError
        If ``gdf`` has no CRS.
    """
    if gdf.crs is None:
        raise BorderMapError("cannot place labels on a layer without a CRS")
    if len(gdf) == 0:
        return gpd.GeoSeries([], crs=DISPLAY_CRS)
    metric = np.asarray(gdf.geometry.to_crs(METRIC_CRS).values, dtype=object)
    valid = shapely.make_valid(metric)
    circles = shapely.maximum_inscribed_circle(valid, tolerance_m)
    points = shapely.get_point(circles, 0)
    return gpd.GeoSeries(points, index=gdf.index, crs=METRIC_CRS).to_crs(DISPLAY_CRS)


def _pixels(lon: np.ndarray, lat: np.ndarray, zoom: float) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator pixel coordinates at ``zoom`` (Leaflet's 256-px tiles)."""
    scale = 256.0 * 2.0 ** zoom
    x = scale * (np.asarray(lon, dtype=float) + 180.0) / 360.0
    phi = np.radians(np.clip(np.asarray(lat, dtype=float), -85.0, 85.0))
    y = scale * (1.0 - np.log(np.tan(phi) + 1.0 / np.cos(phi)) / np.pi) / 2.0
    return x, y


def place_labels(lon: Sequence[float], lat: Sequence[float], widths_px: Sequence[float],
                 *, priority: Sequence[float], zooms: Sequence[float] = LABEL_ZOOMS,
                 height_px: float = LABEL_HEIGHT_PX, pad_px: float = LABEL_PAD_PX
                 ) -> np.ndarray:
    """Return, for each label, the smallest zoom of ``zooms`` at which it fits (NaN: never).

    Greedy placement: at each zoom, labels already placed at a smaller zoom stay
    (zooming in only moves boxes apart); the others are tried in ``priority``
    order (largest first) and kept when their box, centred on the point, meets
    no kept box.

    Parameters
    ----------
    lon, lat : sequence of float
        Label centres (degrees, EPSG:4326).
    widths_px : sequence of float
        Label widths in screen pixels.
    priority : sequence of float
        Higher goes first.
    zooms : sequence of float
        Zoom ladder, ascending.
    height_px, pad_px : float
        Label height and the free space kept around each label.

    Returns
    -------
    numpy.ndarray
        Minimum zoom per label, ``nan`` when it fits at none of ``zooms``.

    Examples
    --------
    >>> place_labels([0, 0.001], [0, 0], [40, 40], priority=[2, 1], zooms=[8, 14, 16]).tolist()
    [8.0, 16.0]
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    half_w = np.asarray(widths_px, dtype=float) / 2.0 + pad_px
    half_h = height_px / 2.0 + pad_px
    if not (len(lon) == len(lat) == len(half_w) == len(priority)):
        raise BorderMapError("place_labels needs one lon, lat, width and priority per label")
    order = np.argsort(-np.asarray(priority, dtype=float), kind="stable")
    min_zoom = np.full(len(lon), np.nan)
    for zoom in sorted(zooms):
        x, y = _pixels(lon, lat, zoom)
        kept = list(np.flatnonzero(np.isfinite(min_zoom)))
        for i in order:
            if np.isfinite(min_zoom[i]):
                continue
            if kept:
                k = np.asarray(kept)
                overlap = ((np.abs(x[k] - x[i]) < half_w[k] + half_w[i])
                           & (np.abs(y[k] - y[i]) < 2 * half_h))
                if overlap.any():
                    continue
            min_zoom[i] = zoom
            kept.append(i)
    return min_zoom


def label_item(lat: float, lon: float, html_text: str, *, size: tuple[int, int],
               css_class: str) -> list:
    """Return one label for :class:`LabelMarkers`: position, escaped HTML, size, class."""
    return [round(float(lat), 5), round(float(lon), 5), html_text, css_class,
            int(size[0]), int(size[1])]


class LabelMarkers(MacroElement):
    """Non-interactive text labels (Leaflet ``divIcon`` markers) added to the parent layer.

    One script loops over the labels (data as JSON) instead of one folium
    ``Marker`` element each: the map renders several times faster. The HTML of
    each label is built by this module from escaped strings.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var layer = {{ this._parent.get_name() }};
            {{ this.items|tojson }}.forEach(function (it) {
                layer.addLayer(L.marker([it[0], it[1]], {
                    interactive: false, keyboard: false,
                    icon: L.divIcon({html: it[2], className: it[3], iconSize: [it[4], it[5]],
                                     iconAnchor: [Math.round(it[4] / 2), Math.round(it[5] / 2)]})
                }));
            });
        })();
        {% endmacro %}
    """)

    def __init__(self, items: list[list]) -> None:
        super().__init__()
        self._name = "LabelMarkers"
        self.items = items


class ZoomClasses(MacroElement):
    """Keep a ``bm-zl-<k>`` class on the map container: k zoom steps are reached.

    Together with :func:`_zoom_css`, labels of class ``bm-lz-<i>`` are hidden
    until the map's zoom reaches ``LABEL_ZOOMS[i]``.
    """

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this.map_name() }};
            var steps = {{ this.zooms|tojson }};
            function update() {
                var z = map.getZoom(), k = 0;
                for (var i = 0; i < steps.length; i++) { if (z + 1e-6 >= steps[i]) k = i + 1; }
                var el = map.getContainer();
                el.className = el.className.replace(/\\bbm-zl-\\d+\\b/g, "").trim()
                               + " bm-zl-" + k;
            }
            map.on("zoomend", update);
            map.whenReady(update);
            update();
        })();
        {% endmacro %}
    """)

    def __init__(self, zooms: Sequence[float] = LABEL_ZOOMS) -> None:
        super().__init__()
        self._name = "ZoomClasses"
        self.zooms = [float(z) for z in zooms]
        self.css = _zoom_css(len(self.zooms))

    def map_name(self) -> str:
        """Return the JavaScript name of the map this element is (indirectly) added to."""
        node = self._parent
        while node is not None and not isinstance(node, folium.Map):
            node = getattr(node, "_parent", None)
        if node is None:
            raise BorderMapError("the label zoom script must be added to a map")
        return node.get_name()


def _zoom_css(n: int) -> str:
    rules = [".bm-commune-label{pointer-events:none;}",
             f".bm-commune-label div{{font:{LABEL_FONT_PX}px/{LABEL_HEIGHT_PX}px 'DejaVu Sans',"
             "Arial,sans-serif;color:#1f1f1f;white-space:nowrap;text-align:center;"
             "text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,0 0 4px #fff;}",
             ".bm-commune-label.bm-border div{font-weight:bold;}"]
    for k in range(n + 1):
        hidden = ",".join(f".bm-zl-{k} .bm-lz-{i}" for i in range(k, n))
        if hidden:
            rules.append(hidden + "{display:none;}")
    return "".join(rules)


def commune_label_layer(cov: gpd.GeoDataFrame, *, lang: str = "vi",
                        zooms: Sequence[float] = LABEL_ZOOMS) -> folium.FeatureGroup:
    """Return a layer of commune-name labels, shown from the zoom at which each fits.

    Parameters
    ----------
    cov : GeoDataFrame
        Communes (``name``, optional ``unit_type`` and ``border_countries``), any CRS.
    lang : {"vi", "en"}
        Language of the layer's name (the names themselves are never translated).
    zooms : sequence of float
        Zoom ladder of :func:`place_labels`.

    Returns
    -------
    folium.FeatureGroup
        Non-interactive DivIcon markers (clicks and hovers reach the communes),
        and the zoom script that shows and hides them.

    Raises
    ------
    BorderMapError
        If ``cov`` has no CRS.
    """
    group = folium.FeatureGroup(name=html.escape(t("layer_labels", lang)), control=True)
    if len(cov) == 0:
        return group
    points = label_points(cov)
    unit = cov["unit_type"] if "unit_type" in cov else pd.Series([None] * len(cov),
                                                                   index=cov.index)
    names = [short_name(n, u) for n, u in zip(cov["name"], unit)]
    border = (cov["border_countries"].fillna("").astype(str) != "").to_numpy() \
        if "border_countries" in cov else np.zeros(len(cov), dtype=bool)
    area = cov.geometry.to_crs(METRIC_CRS).area.to_numpy() / 1e6
    widths = np.array([len(n) * CHAR_WIDTH_PX * (1.08 if b else 1.0) + 4
                       for n, b in zip(names, border)])
    lon, lat = points.x.to_numpy(), points.y.to_numpy()
    min_zoom = place_labels(lon, lat, widths, priority=area + np.where(border, 1e6, 0.0),
                            zooms=zooms)
    zoom_list = sorted(zooms)
    items = []
    for name, x, y, w, b, mz in zip(names, lon, lat, widths, border, min_zoom):
        if not np.isfinite(mz):
            continue
        items.append(label_item(
            y, x, f"<div>{_esc(name)}</div>", size=(int(w) + 2, LABEL_HEIGHT_PX),
            css_class=f"bm-commune-label bm-lz-{zoom_list.index(mz)}"
                      + (" bm-border" if b else "")))
    group.add_child(LabelMarkers(items))
    group.add_child(ZoomClasses(zoom_list))
    placed = np.isfinite(min_zoom)
    log.info("commune labels: %d communes, %d shown at zoom %.1f, %d placed by zoom %.1f",
             len(cov), int((min_zoom <= zoom_list[1]).sum()), zoom_list[1], int(placed.sum()),
             zoom_list[-1])
    return group


def neighbour_provinces(cov: gpd.GeoDataFrame, *, vintage: str | None = None,
                        min_km: float = NEIGHBOUR_MIN_KM, max_km: float = NEIGHBOUR_MAX_KM,
                        units: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the provinces next to ``cov`` and a point to write each name at.

    A province is a neighbour when at least :data:`NEIGHBOUR_MIN_COMMUNES` of its
    communes (registry centroids) lie between ``min_km`` and ``max_km`` outside
    the communes of ``cov``; its label goes at the one of those communes nearest
    to their mean (a point on that province's land, outside ``cov``).

    Parameters
    ----------
    cov : GeoDataFrame
        The province's communes (the whole province, not a filtered part).
    vintage : {"2020", "2025"}, optional
        Registry vintage; default ``cov.attrs["vintage"]``, else 2025.
    min_km, max_km : float
        The band outside the province searched for neighbouring communes.
    units : DataFrame, optional
        Registry units (``province``, ``province_code``, ``lat``, ``lon``), for tests;
        default :func:`geo.registry.load_units`.

    Returns
    -------
    pandas.DataFrame
        ``province`` (short name, e.g. "Lai Châu"), ``lon``, ``lat``, ``communes``.
    """
    empty = pd.DataFrame({"province": [], "lon": [], "lat": [], "communes": []})
    if len(cov) == 0 or cov.crs is None:
        return empty
    if units is None:
        from geo import registry

        units = registry.load_units(vintage or (cov.attrs or {}).get("vintage") or "2025")
    own = set(cov["province_code"].astype(str)) if "province_code" in cov else set()
    others = units[~units["province_code"].astype(str).isin(own)].dropna(subset=["lat", "lon"])
    area = shapely.union_all(np.asarray(cov.geometry.to_crs(METRIC_CRS).values, dtype=object))
    box = shapely.buffer(shapely.envelope(area), max_km * 1000)
    # only the registry points in the box's longitude/latitude range (padded by 0.1°, more
    # than the bow of a projected edge) are projected: a few hundred, not all ~10,000
    west, south, east, north = gpd.GeoSeries([box], crs=METRIC_CRS).to_crs(DISPLAY_CRS).total_bounds
    others = others[others["lon"].between(west - 0.1, east + 0.1)
                    & others["lat"].between(south - 0.1, north + 0.1)]
    pts = gpd.GeoSeries(gpd.points_from_xy(others["lon"], others["lat"]), index=others.index,
                        crs=DISPLAY_CRS).to_crs(METRIC_CRS)
    near = np.asarray(shapely.intersects(box, np.asarray(pts.values, dtype=object)))
    others, pts = others[near], pts[near]
    dist_km = np.asarray(shapely.distance(area, np.asarray(pts.values, dtype=object))) / 1000
    band = others[(dist_km >= min_km) & (dist_km <= max_km)]
    rows = []
    for province, part in band.groupby("province", sort=True):
        if len(part) < NEIGHBOUR_MIN_COMMUNES:
            continue
        mean_lon, mean_lat = part["lon"].mean(), part["lat"].mean()
        best = ((part["lon"] - mean_lon) ** 2 + (part["lat"] - mean_lat) ** 2).idxmin()
        rows.append({"province": short_name(province), "lon": float(part.at[best, "lon"]),
                     "lat": float(part.at[best, "lat"]), "communes": len(part)})
    out = pd.DataFrame(rows) if rows else empty
    log.info("neighbour provinces: %d (%s)", len(out), ", ".join(out["province"]))
    return out


def neighbour_label_layer(cov: gpd.GeoDataFrame, *, lang: str = "vi",
                          neighbours: pd.DataFrame | None = None) -> folium.FeatureGroup:
    """Return a layer naming the neighbouring provinces (non-interactive labels).

    ``neighbours`` defaults to :func:`neighbour_provinces` of ``cov``.
    """
    group = folium.FeatureGroup(name=html.escape(t("layer_neighbours", lang)), control=True)
    if neighbours is None:
        neighbours = neighbour_provinces(cov)
    items = []
    for _, row in neighbours.iterrows():
        name = str(row["province"])
        width = int(len(name) * 9.5 + 8)
        items.append(label_item(row["lat"], row["lon"],
                                f'<div style="{NEIGHBOUR_STYLE}">{_esc(name)}</div>',
                                size=(width, 18), css_class="bm-neighbour-label"))
    group.add_child(LabelMarkers(items))
    return group
