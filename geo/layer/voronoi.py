"""Seeds and the plain Voronoi method (``--method voronoi``) of the approximate commune layer.

The seeds (:func:`seed_points`) are shared with the fitted method (``geo.layer.build``);
the plain Voronoi layer is kept as a baseline that the fidelity benchmark compares
with the fitted power diagram. Built from the official registry (``geo.registry``):

1. **Seeds.** Each 2020 commune-level unit's official centroid. A centroid that is
   missing, equal to its district's centroid, outside the unit's own bounding box,
   or shared with another unit is replaced, in order, by the centre of the unit's
   own bounding box (when that box is not its district's box), then by the 2025
   registry coordinates of the unit it became (crosswalk). Seeds that still
   coincide are fanned out on a small circle (``FAN_RADIUS_M``) around the shared
   point, so no unit is ever dropped.
2. **Cells.** Voronoi cells of all ~10,000 seeds nationwide (so that neighbouring
   provinces shape each province's edges), computed in the metric CRS and clipped
   to Vietnam's Natural Earth 1:10m land polygon.
3. **Units that fall outside the land polygon** (small islands missing at 1:10m)
   get a disc of ``ISLAND_RADIUS_M`` around their seed, so they still have a polygon.

Districts and provinces are dissolved from the communes. The 2025 layer is
dissolved from the 2020 layer through the official crosswalk; an old commune
split between several new units is partitioned among them by the Voronoi cells of
the new units' official coordinates inside the old commune (see
:func:`build_2025_layer`).
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import registry
from geo._errors import LayerError
from geo.countries import load_vietnam
from geo.settings import DISPLAY_CRS, METRIC_CRS

log = logging.getLogger(__name__)

#: Radius on which coinciding seeds are fanned out (metres).
FAN_RADIUS_M = 1500.0
#: Radius of the disc given to a unit whose seed lies off the land polygon (metres).
ISLAND_RADIUS_M = 1000.0
#: Coordinates of output layers are rounded to this grid (metres), for stable files.
GRID_SIZE_M = 1.0

COMMUNE_COLUMNS = ["code", "name", "unit_type", "district_code", "district",
                   "province_code", "province", "placement", "method", "approximate", "note"]

#: Provenance note of the plain Voronoi method (the fitted method uses APPROXIMATE_NOTE).
VORONOI_NOTE = (
    "Approximate boundaries: plain Voronoi tessellation of official commune centroids "
    "(vietnamadminunits registry), clipped to Natural Earth 1:10m — not official lines."
)


def seed_points(units: pd.DataFrame, crosswalk: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Return one (lon, lat) seed per 2020 unit and how each seed was placed (see module doc)."""
    lon = units["lon"].to_numpy(dtype=float).copy()
    lat = units["lat"].to_numpy(dtype=float).copy()
    n = len(units)
    placement = np.array(["centroid"] * n, dtype=object)

    same_as_district = (np.isclose(lat, units["district_lat"], rtol=0, atol=1e-6) &
                        np.isclose(lon, units["district_lon"], rtol=0, atol=1e-6))
    has_box = units[["south", "west", "north", "east"]].notna().all(axis=1).to_numpy()
    outside_box = has_box & ~((lat >= units["south"]) & (lat <= units["north"]) &
                              (lon >= units["west"]) & (lon <= units["east"])).to_numpy()
    key = pd.Series(np.round(lat, 6).astype(str)) + "," + pd.Series(np.round(lon, 6).astype(str))
    shared = key.duplicated(keep=False).to_numpy()
    bad = np.isnan(lat) | np.isnan(lon) | same_as_district | outside_box | shared

    own_box = has_box & ~units["box_is_district"].to_numpy(dtype=bool)

    new_ll = (crosswalk.sort_values(["old_code", "default"], ascending=[True, False])
              .drop_duplicates("old_code").set_index("old_code")[["new_lat", "new_lon"]])
    for i in np.flatnonzero(bad):
        row = units.iloc[i]
        if own_box[i]:
            lat[i] = (row["south"] + row["north"]) / 2
            lon[i] = (row["west"] + row["east"]) / 2
            placement[i] = "bbox-centre"
        elif row["code"] in new_ll.index and not np.isnan(new_ll.at[row["code"], "new_lat"]):
            lat[i] = new_ll.at[row["code"], "new_lat"]
            lon[i] = new_ll.at[row["code"], "new_lon"]
            placement[i] = "2025-registry"
        elif not (np.isnan(lat[i]) or np.isnan(lon[i])):
            placement[i] = "shared-centroid"
        else:  # pragma: no cover - every unit with a code has coordinates in this registry
            lat[i], lon[i] = row["district_lat"], row["district_lon"]
            placement[i] = "district-centroid"
    return np.column_stack([lon, lat]), list(placement)


def fan_out(xy: np.ndarray, placement: list[str], *, radius_m: float = FAN_RADIUS_M
            ) -> np.ndarray:
    """Spread seeds that coincide (to 1 m) on a circle around their shared point."""
    xy = xy.copy()
    keys = pd.Series([f"{x:.0f},{y:.0f}" for x, y in xy])
    for _, idx in keys.groupby(keys).groups.items():
        if len(idx) < 2:
            continue
        idx = sorted(idx)
        angles = 2 * np.pi * np.arange(len(idx)) / len(idx)
        cx, cy = xy[idx[0]]
        for k, i in enumerate(idx):
            xy[i] = (cx + radius_m * np.cos(angles[k]), cy + radius_m * np.sin(angles[k]))
            placement[i] = placement[i] + "+fanned"
    return xy


def build_national_layer() -> gpd.GeoDataFrame:
    """Build the approximate 2020 commune layer for the whole country.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per 2020 commune-level unit (~10,035), columns
        :data:`COMMUNE_COLUMNS` and ``geometry``, in the metric CRS (EPSG:32648),
        coordinates on a 1 m grid.
    """
    units = registry.load_units("2020")
    crosswalk = registry.load_crosswalk()
    lonlat, placement = seed_points(units, crosswalk)
    seeds = gpd.GeoSeries(gpd.points_from_xy(lonlat[:, 0], lonlat[:, 1]),
                          crs=DISPLAY_CRS).to_crs(METRIC_CRS)
    xy = fan_out(shapely.get_coordinates(seeds.values), placement)
    points = shapely.points(xy)

    land = load_vietnam().to_crs(METRIC_CRS).geometry.iloc[0]
    land = shapely.make_valid(land)
    envelope = shapely.box(*shapely.buffer(land, 200_000).bounds)
    cells = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=envelope,
                                     ordered=True)
    cells = np.asarray(shapely.get_parts(cells))
    if len(cells) != len(points):
        raise LayerError(f"Voronoi returned {len(cells)} cells for {len(points)} seeds")

    shapely.prepare(land)
    inside = shapely.contains_properly(land, cells)
    clipped = cells.copy()
    edge = ~inside
    clipped[edge] = shapely.intersection(cells[edge], land)
    clipped = np.array([polygonal(g) for g in clipped], dtype=object)
    empty = shapely.is_empty(clipped) | (shapely.area(clipped) < 1.0)
    if empty.any():
        discs = shapely.buffer(points[empty], ISLAND_RADIUS_M)
        others = shapely.union_all(clipped[~empty])
        discs = shapely.difference(discs, others)
        clipped[empty] = [polygonal(g) for g in discs]
        for i in np.flatnonzero(empty):
            placement[i] = placement[i] + "+off-land-disc"
    clipped = shapely.set_precision(clipped, GRID_SIZE_M)
    clipped = np.array([polygonal(g) for g in clipped], dtype=object)

    gdf = gpd.GeoDataFrame(
        {
            "code": units["code"],
            "name": units["name"],
            "unit_type": units["unit_type"],
            "district_code": units["district_code"],
            "district": units["district"],
            "province_code": units["province_code"],
            "province": units["province"],
            "placement": placement,
            "method": "voronoi",
            "approximate": True,
            "note": VORONOI_NOTE,
        },
        geometry=clipped,
        crs=METRIC_CRS,
    )
    log.info("tessellation: %d communes nationwide, %d re-seeded, %d off-land discs",
             len(gdf), int(sum(p != "centroid" for p in placement)), int(empty.sum()))
    return gdf


def polygonal(geom) -> shapely.MultiPolygon:
    """Keep only the polygonal parts of a geometry (a MultiPolygon, possibly empty)."""
    if geom is None or shapely.is_empty(geom):
        return shapely.MultiPolygon()
    if geom.geom_type == "MultiPolygon":
        return geom
    if geom.geom_type == "Polygon":
        return shapely.MultiPolygon([geom])
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    polys = []
    for p in parts:
        polys.extend(shapely.get_parts(p) if p.geom_type == "MultiPolygon" else [p])
    return shapely.MultiPolygon(polys)


def dissolve_districts(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Dissolve 2020 communes into districts (``district_code``, ``district``, ``n_communes``)."""
    out = communes.dissolve(by=["province_code", "province", "district_code", "district"],
                            aggfunc={"code": "count"}, as_index=False)
    out = out.rename(columns={"code": "n_communes"})
    out["approximate"] = communes["approximate"].all()
    out["note"] = communes["note"].iloc[0] if len(communes) else ""
    if "method" in communes:
        out["method"] = communes["method"].iloc[0] if len(communes) else ""
    out["geometry"] = [polygonal(g) for g in shapely.set_precision(out.geometry.values,
                                                                     GRID_SIZE_M)]
    return out.sort_values("district_code").reset_index(drop=True)


def dissolve_province(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Dissolve communes into their province(s) (``province_code``, ``province``, ``n_communes``)."""
    out = communes.dissolve(by=["province_code", "province"], aggfunc={"code": "count"},
                            as_index=False).rename(columns={"code": "n_communes"})
    out["approximate"] = communes["approximate"].all()
    out["note"] = communes["note"].iloc[0] if len(communes) else ""
    if "method" in communes:
        out["method"] = communes["method"].iloc[0] if len(communes) else ""
    out["geometry"] = [polygonal(g) for g in shapely.set_precision(out.geometry.values,
                                                                     GRID_SIZE_M)]
    return out.reset_index(drop=True)


def build_2025_layer(communes_2020: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Dissolve 2020 commune polygons into 2025 units through the official crosswalk.

    Rule for split communes: an old commune that the crosswalk divides between
    several new units is partitioned among them by the Voronoi cells of the new
    units' official coordinates, clipped to the old commune; an old commune that
    goes whole to one new unit is dissolved into it.

    Parameters
    ----------
    communes_2020 : geopandas.GeoDataFrame
        2020 communes with a ``code`` column, in a metric CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        2025 units: ``code``, ``name``, ``unit_type``, ``district_code`` and
        ``district`` (empty), ``province_code``, ``province``, ``official_area_km2``,
        ``n_old_units``, ``approximate``, ``note``, ``geometry`` (same CRS).
    """
    if communes_2020.crs is None:
        raise LayerError("communes_2020 has no CRS")
    cw = registry.load_crosswalk()
    cw = cw[cw["old_code"].isin(set(communes_2020["code"]))]
    geom_by_code = dict(zip(communes_2020["code"], communes_2020.geometry.values))

    pieces_code, pieces_geom = [], []
    whole = cw[~cw["divided"]]
    pieces_code += list(whole["new_code"])
    pieces_geom += [geom_by_code[c] for c in whole["old_code"]]
    for old_code, group in cw[cw["divided"]].groupby("old_code"):
        old = geom_by_code[old_code]
        pts = gpd.GeoSeries(gpd.points_from_xy(group["new_lon"], group["new_lat"]),
                            crs=DISPLAY_CRS).to_crs(communes_2020.crs).values
        xy = fan_out(shapely.get_coordinates(pts), ["x"] * len(pts))
        cells = shapely.get_parts(shapely.voronoi_polygons(
            shapely.multipoints(shapely.points(xy)),
            extend_to=shapely.box(*shapely.buffer(old, 100_000).bounds), ordered=True))
        for new_code, cell in zip(group["new_code"], cells):
            pieces_code.append(new_code)
            pieces_geom.append(polygonal(shapely.intersection(old, cell)))

    pieces = gpd.GeoDataFrame({"code": pieces_code}, geometry=pieces_geom, crs=communes_2020.crs)
    counts = cw.groupby("new_code")["old_code"].nunique()
    merged = pieces.dissolve(by="code", as_index=False)
    merged["geometry"] = [polygonal(g) for g in shapely.set_precision(merged.geometry.values,
                                                                       GRID_SIZE_M)]
    new = registry.load_units("2025").set_index("code")
    merged = merged[merged["code"].isin(new.index)]
    out = gpd.GeoDataFrame(
        {
            "code": merged["code"].to_numpy(),
            "name": new.loc[merged["code"], "name"].to_numpy(),
            "unit_type": new.loc[merged["code"], "unit_type"].to_numpy(),
            "district_code": "",
            "district": "",
            "province_code": new.loc[merged["code"], "province_code"].to_numpy(),
            "province": new.loc[merged["code"], "province"].to_numpy(),
            "official_area_km2": new.loc[merged["code"], "area_km2"].to_numpy(),
            "n_old_units": counts.reindex(merged["code"]).fillna(0).astype(int).to_numpy(),
            "method": "voronoi",
            "approximate": True,
            "note": VORONOI_NOTE,
        },
        geometry=merged.geometry.to_numpy(),
        crs=communes_2020.crs,
    )
    log.info("2025 layer: %d units from %d old units (%d split)", len(out),
             cw["old_code"].nunique(), cw.loc[cw["divided"], "old_code"].nunique())
    return out.sort_values("code").reset_index(drop=True)
