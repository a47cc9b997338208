"""Display geometry: simplified, rounded EPSG:4326 copies of layers, and district outlines.

Shared by the folium maps (:mod:`geo.maps`) and the briefing's static map
(:mod:`geo.export.static_map`). Polygons are simplified for display only (in
the metric CRS, topology kept between neighbouring communes) and rounded to 5
decimals (about 1 m). The one data string it sends to a browser, the commune
name in the display GeoJSON (shown in tooltips), is HTML-escaped here.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely

from geo._errors import BorderMapError
from geo.settings import DISPLAY_CRS, METRIC_CRS

log = logging.getLogger(__name__)

#: Display simplification tolerance (metres, metric CRS) and coordinate decimals (~1 m).
SIMPLIFY_M = 75.0
DECIMALS = 5

#: Degrees around the province kept of the context layers and border lines.
CONTEXT_PAD_DEG = 1.5


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


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


def view_box(cov: gpd.GeoDataFrame, pad: float = CONTEXT_PAD_DEG) -> shapely.Geometry:
    minx, miny, maxx, maxy = cov.to_crs(DISPLAY_CRS).total_bounds
    return shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)


def clip_to_view(gdf: gpd.GeoDataFrame, view: shapely.Geometry) -> gpd.GeoDataFrame:
    """Return the parts of ``gdf`` (EPSG:4326) inside the ``view`` box, empty parts dropped."""
    out = gdf.to_crs(DISPLAY_CRS).copy()
    out = out.set_geometry(shapely.intersection(out.geometry.values, view))
    return out[~out.geometry.is_empty].reset_index(drop=True)


def feature_collection(gdf: gpd.GeoDataFrame, properties: dict[str, Sequence[object]]
                       ) -> dict:
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
    return feature_collection(display, {
        "code": [str(c) for c in display["code"]],
        "name": [_esc(n) for n in display["name"]],
    })


def district_outlines(communes: gpd.GeoDataFrame) -> gpd.GeoSeries | None:
    """Return the district boundaries of ``communes`` as one line network, or ``None``.

    Each district's boundary is the boundary of the union of its communes; the
    rings are merged into one network, so an edge shared by two districts is
    drawn once (dashes stay regular). Taken from the given polygons — display
    features or the briefing's own communes — so the outlines match them,
    whether they come from the embedded layer or an official file.

    Parameters
    ----------
    communes : GeoDataFrame
        Communes with ``district_code`` (empty on the 2025 map), any CRS.

    Returns
    -------
    geopandas.GeoSeries or None
        One (Multi)LineString in the CRS of ``communes``; ``None`` when no
        commune has a district (the 2025 map) or nothing is left.
    """
    if "district_code" not in communes or not len(communes):
        return None
    codes = communes["district_code"].fillna("").astype(str).to_numpy()
    if not (codes != "").any():
        return None
    geoms = np.asarray(communes.geometry.values, dtype=object)
    rings = [shapely.boundary(shapely.union_all(shapely.make_valid(geoms[codes == code])))
             for code in sorted(set(codes) - {""})]
    network = shapely.line_merge(shapely.union_all(rings))
    if network.is_empty:
        return None
    log.info("district outlines: %d districts", len(rings))
    return gpd.GeoSeries([network], crs=communes.crs)


def district_outline_features(features: dict, district_of: dict[str, str]) -> dict | None:
    """Return :func:`district_outlines` of display commune features as GeoJSON, or ``None``.

    Parameters
    ----------
    features : dict
        Display commune features (:func:`commune_features`).
    district_of : dict
        Commune code → district code.
    """
    geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in features["features"]])
    frame = gpd.GeoDataFrame(
        {"district_code": [str(district_of.get(f["id"], "") or "") for f in features["features"]]},
        geometry=list(geoms), crs=DISPLAY_CRS)
    network = district_outlines(frame)
    if network is None:
        return None
    line = _round(np.array([network.iloc[0]], dtype=object), DECIMALS)[0]
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": json.loads(shapely.to_geojson(line))}]}
