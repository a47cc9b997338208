"""Build the approximate commune layers nationwide: ``voronoi`` or ``fitted`` (default).

``fitted`` (the embedded default):

1. **Province regions.** The 63 pre-2025 province outlines (OpenStreetMap via ECharts,
   ODbL; :mod:`geo.layer.outlines`) clipped to Natural Earth 1:10m's land polygon; the
   land between a coarse outline and Natural Earth's border or coast goes to the nearest
   province. Natural Earth stays the national border.
2. **Pieces.** One piece per row of the official 2020 → 2025 crosswalk: a 2020 commune
   that goes whole to one 2025 unit is one piece; a commune divided between several
   units has one piece per unit. A piece's site is the commune's seed
   (:func:`geo.layer.voronoi.seed_points`) for whole communes and for a divided
   commune's default unit, otherwise the registry coordinates of the new unit. Sites
   that coincide are fanned out on a 500 m circle; a site outside its province's region
   is moved to the nearest point 200 m inside it.
3. **Targets.** Each 2025 unit's official area (``wardAreaKm2``) is split equally among
   its pieces (the area-balanced split: the registry has no 2020 commune areas). Rule
   for a unit whose pieces lie in two old provinces: each province receives the pieces
   (and so the share of the unit's area) that lie in it. Targets are scaled to add up
   to the region's area. The few units whose registry area is missing or zero (4
   nationwide, none in Điện Biên) get the median area of their 2025 province's units.
4. **Untrusted registry areas.** Per 2025 province, the sum of its units' official areas
   is compared with the area of its old provinces' regions; outside
   :data:`TRUST_RATIO` the areas are not trusted and its old provinces get an
   unweighted split (plain Voronoi of the same sites inside the same regions).
5. **Cells.** Per old province and per connected land part of it (mainland, islands),
   a power diagram of the piece sites clipped to that part, weights fitted by damped
   Newton (:func:`geo.layer.power.fit_power_weights`); an island holding no site joins
   the nearest site's cell.
   Pieces are rounded to a 1 m grid; 2020 communes and 2025 units are both dissolved
   from the same pieces, so 2020 communes nest exactly in 2025 units.

``voronoi``: the plain nationwide Voronoi of :mod:`geo.layer.voronoi`, kept as the
baseline for ``bench/fidelity.py``.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import registry
from geo._errors import LayerError
from geo.countries import load_vietnam
from geo.layer import voronoi
from geo.layer.outlines import build_province_regions, load_province_outlines
from geo.layer.power import fit_power_weights, power_cells
from geo.settings import APPROXIMATE_NOTE, DISPLAY_CRS, METRIC_CRS

log = logging.getLogger(__name__)

#: Build methods: ``fitted`` (power diagram, default) and ``voronoi`` (baseline).
METHODS = ("fitted", "voronoi")
#: Sum of official 2025 areas / region area outside this range → areas not trusted.
TRUST_RATIO = (1 / 1.1, 1.1)
#: Newton stops when every cell is within this relative error of its target.
FIT_TOL = 1e-4
#: No 2020 piece gets less than this share of an equal split of its unit (see
#: :func:`_fit_part`).
MIN_PIECE_SHARE = 0.25
#: Processes that fit provinces in parallel (at most the number of cores).
FIT_WORKERS = 2
#: Radius (metres) on which coinciding piece sites are fanned out.
PIECE_FAN_M = 500.0
#: A site outside its province region is moved this far (metres) inside it.
INSIDE_M = 200.0
GRID_SIZE_M = voronoi.GRID_SIZE_M

COLUMNS_2025 = ["code", "name", "unit_type", "district_code", "district", "province_code",
                "province", "official_area_km2", "n_old_units", "method", "approximate",
                "note"]


@dataclass
class LayerBuild:
    """A nationwide build.

    Attributes
    ----------
    method : str
        ``"fitted"`` or ``"voronoi"``.
    communes_2020 : geopandas.GeoDataFrame
        2020 communes (:data:`geo.layer.voronoi.COMMUNE_COLUMNS`), metric CRS.
    pieces : geopandas.GeoDataFrame or None
        ``old_code``, ``new_code``, ``geometry`` (fitted only).
    provinces : pandas.DataFrame or None
        One row per old province: ``province_code``, ``province``, ``new_province_code``,
        ``n_sites``, ``region_km2``, ``outline_km2``, ``official_km2``, ``ratio``,
        ``trusted``, ``iterations`` (most Newton steps of a land part), ``max_rel_error``
        (worst cell against its target scaled to its land part; NaN when untrusted),
        ``converged`` (fitted only).
    """

    method: str
    communes_2020: gpd.GeoDataFrame
    pieces: gpd.GeoDataFrame | None = None
    provinces: pd.DataFrame | None = None


def _check_method(method: str) -> str:
    if method not in METHODS:
        raise LayerError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    return method


def _to_metric(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    pts = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=DISPLAY_CRS).to_crs(METRIC_CRS)
    return shapely.get_coordinates(pts.values)


def _piece_table(units: pd.DataFrame, crosswalk: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """One row per crosswalk link with its site (metric) and how the seed was placed."""
    lonlat, placement = voronoi.seed_points(units, crosswalk)
    seeds = voronoi.fan_out(_to_metric(lonlat[:, 0], lonlat[:, 1]), placement)
    pos = pd.Series(np.arange(len(units)), index=units["code"])
    cw = crosswalk.reset_index(drop=True)
    idx = pos.reindex(cw["old_code"]).to_numpy()
    if np.isnan(idx.astype(float)).any():
        raise LayerError("crosswalk names 2020 units that the registry does not list")
    own_seed = ~cw["divided"].to_numpy() | cw["default"].to_numpy()
    xy = seeds[idx.astype(int)].copy()
    other = ~own_seed
    xy[other] = _to_metric(cw.loc[other, "new_lon"].to_numpy(), cw.loc[other, "new_lat"].to_numpy())
    pieces = cw[["old_code", "new_code"]].copy()
    pieces["province_code"] = units["province_code"].to_numpy()[idx.astype(int)]
    pieces["x"], pieces["y"] = xy[:, 0], xy[:, 1]
    pieces["site"] = np.where(own_seed, "seed", "new-unit")
    return pieces, placement


def _sites_inside(xy: np.ndarray, region) -> tuple[np.ndarray, np.ndarray]:
    """Move sites outside ``region`` to the nearest point ``INSIDE_M`` inside it."""
    pts = shapely.points(xy)
    outside = ~shapely.contains(region, pts)
    if outside.any():
        inner = shapely.buffer(region, -INSIDE_M)
        target = inner if not shapely.is_empty(inner) else region
        near = shapely.shortest_line(pts[outside], target)
        xy = xy.copy()
        xy[outside] = shapely.get_coordinates(shapely.get_point(near, 1))
    labels = ["x"] * len(xy)
    xy = voronoi.fan_out(xy, labels, radius_m=PIECE_FAN_M)
    return xy, outside


def _trust(pieces: pd.DataFrame, regions: gpd.GeoDataFrame, units25: pd.DataFrame
           ) -> pd.DataFrame:
    """Per old province: its 2025 province, official area share, and whether it is trusted."""
    new_prov = units25.set_index("code")["province_code"]
    area = units25.set_index("code")["area_km2"].where(lambda a: a > 0)
    missing = area.isna()
    area = area.fillna(area.groupby(new_prov).transform("median"))  # stated rule: see doc
    n_pieces = pieces.groupby("new_code")["old_code"].transform("size")
    pieces = pieces.assign(target_km2=pieces["new_code"].map(area).to_numpy() / n_pieces,
                           new_province_code=pieces["new_code"].map(new_prov).to_numpy())
    old = pieces.groupby("province_code").agg(
        official_km2=("target_km2", "sum"), n_sites=("old_code", "size"),
        new_province_code=("new_province_code", lambda s: s.value_counts().index[0]))
    region_km2 = regions.set_index("province_code").area / 1e6
    old["region_km2"] = region_km2.reindex(old.index).to_numpy()
    by_new = old.groupby("new_province_code")[["official_km2", "region_km2"]].sum()
    ratio = by_new["official_km2"] / by_new["region_km2"]
    old["ratio"] = old["new_province_code"].map(ratio).to_numpy()
    old["trusted"] = old["ratio"].between(*TRUST_RATIO).to_numpy()
    if missing.any():
        log.info("registry areas: %d 2025 units without an area (%s) get their province's "
                 "median", int(missing.sum()), ", ".join(missing[missing].index))
    return old.reset_index(), pieces


def _fit_part(xy: np.ndarray, targets: np.ndarray, units: np.ndarray, part, *, trusted: bool):
    """Cells of the sites on one connected land part (fitted, or plain Voronoi).

    Two fits. First the pieces of a 2025 unit share one weight, so the unit's cells
    (together) get the unit's target and, between its own pieces, the split is the
    plain Voronoi of their sites (it follows the official centroids). A piece can
    vanish in that fit; so, second, each piece is fitted on its own, starting from the
    first weights, to the first fit's area raised to at least :data:`MIN_PIECE_SHARE`
    of an equal share of its unit (the unit's other pieces give up that area in
    proportion). No cell is empty, and few sites leave their own cell. Where that
    second fit fails, the unit's area is split equally among its pieces (one fit from
    zero weights).
    """
    if not trusted or len(xy) < 2:
        plain = power_cells(xy, part)
        return plain.cells, plain.areas, 0, (0.0 if trusted else np.nan)
    group = pd.factorize(units)[0]
    unit_target = np.bincount(group, targets)
    if group.max() == 0:
        plain = power_cells(xy, part)
        return plain.cells, plain.areas, 0, 0.0
    first = fit_power_weights(xy, unit_target, part, groups=group, tol=FIT_TOL,
                              min_share=0.0)
    areas = first.diagram.areas
    n_pieces = np.bincount(group)[group]
    fair = areas.sum() / unit_target.sum() * unit_target[group] / n_pieces
    floor = MIN_PIECE_SHARE * fair
    if (areas >= floor).all() and first.converged:
        return first.diagram.cells, areas, first.iterations, first.max_rel_error
    raised = np.maximum(areas, floor)
    extra = np.bincount(group, raised - areas)[group]
    spare = np.bincount(group, raised - floor)[group]
    want = raised - np.where(spare > 0, extra * (raised - floor) / np.where(spare > 0, spare, 1),
                             0.0)
    want = np.maximum(want, floor)
    start = first.weights.copy()
    small = np.flatnonzero(areas < floor)
    d2 = ((xy[small, None, :] - xy[None, :, :]) ** 2).sum(axis=2)
    d2[np.arange(len(small)), small] = np.inf
    # the least weight that puts a site back in its own cell, plus room for its floor
    start[small] = (start[None, :] - d2).max(axis=1) + floor[small]
    second = fit_power_weights(xy, want, part, weights=start, tol=FIT_TOL, max_iter=20,
                               min_step=1 / 64)
    if second.converged and (second.diagram.areas > 0).all():
        return (second.diagram.cells, second.diagram.areas,
                first.iterations + second.iterations, second.max_rel_error)
    # dense city cores (Hà Nội) can defeat the second fit: equal split, from zero weights
    third = fit_power_weights(xy, unit_target[group] / n_pieces, part, tol=FIT_TOL)
    log.debug("fit: %d sites, centroid-following split failed, equal split used", len(xy))
    return third.diagram.cells, third.diagram.areas, third.iterations, third.max_rel_error


def _fit_province(xy: np.ndarray, targets: np.ndarray, units: np.ndarray, region, *,
                  trusted: bool):
    """Cells of one province's sites, fitted land part by land part.

    Each connected part of the region that holds sites (the mainland, an island) is
    fitted on its own, with its sites' targets scaled to its area: weights cannot move
    area across water. A part without any site joins the cell of the nearest site.
    """
    parts = np.asarray(shapely.get_parts(region))
    tree = shapely.STRtree(parts)
    owner = tree.query_nearest(shapely.points(xy), all_matches=False)[1]
    cells = np.full(len(xy), None, dtype=object)
    areas = np.zeros(len(xy))
    iterations, worst = 0, 0.0
    for k in np.unique(owner):
        sel = np.flatnonzero(owner == k)
        c, a, it, rel = _fit_part(xy[sel], targets[sel], units[sel], parts[k],
                                  trusted=trusted)
        cells[sel], areas[sel] = c, a
        iterations, worst = max(iterations, it), max(worst, rel)
    orphans = np.setdiff1d(np.arange(len(parts)), owner)
    if len(orphans):
        nearest = shapely.STRtree(shapely.points(xy)).query_nearest(parts[orphans],
                                                                     all_matches=False)[1]
        for i in np.unique(nearest):
            extra = parts[orphans][nearest == i]
            cells[i] = shapely.union_all([cells[i], *extra])
            areas[i] += shapely.area(extra).sum()
    return cells, iterations, worst, bool(trusted and worst <= FIT_TOL)


def _fit_job(job: tuple) -> tuple:
    xy, targets, units, region, trusted = job
    return _fit_province(xy, targets, units, region, trusted=trusted)


def _run_fits(jobs: list[tuple]) -> list[tuple]:
    """Fit the provinces, in :data:`FIT_WORKERS` forked processes when there are two cores.

    The results do not depend on the process that computes them; largest provinces first
    keeps both workers busy. Falls back to one process where ``fork`` is unavailable.
    """
    workers = min(FIT_WORKERS, os.cpu_count() or 1)
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i][0]))
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")
                                     ) as pool:
                done = list(pool.map(_fit_job, [jobs[i] for i in order]))
        except (OSError, BrokenProcessPool) as err:
            log.info("parallel fit unavailable (%s); fitting in one process", err)
        else:
            out = [None] * len(jobs)
            for i, res in zip(order, done):
                out[i] = res
            return out
    return [_fit_job(job) for job in jobs]


def _build_fitted() -> LayerBuild:
    units = registry.load_units("2020")
    units25 = registry.load_units("2025")
    crosswalk = registry.load_crosswalk()
    land = shapely.make_valid(load_vietnam().to_crs(METRIC_CRS).geometry.iloc[0])
    regions = build_province_regions(load_province_outlines(), land)
    pieces, placement = _piece_table(units, crosswalk)
    provinces, pieces = _trust(pieces, regions, units25)
    region_by_code = dict(zip(regions["province_code"], regions.geometry.values))

    geoms = np.full(len(pieces), None, dtype=object)
    moved = np.zeros(len(pieces), dtype=bool)
    jobs = []
    for row in provinces.itertuples():
        sel = np.flatnonzero(pieces["province_code"].to_numpy() == row.province_code)
        region = region_by_code.get(row.province_code)
        if region is None or shapely.is_empty(region):
            raise LayerError(f"no outline for province {row.province_code}")
        xy, out = _sites_inside(pieces[["x", "y"]].to_numpy()[sel], region)
        moved[sel] = out
        jobs.append((xy, pieces["target_km2"].to_numpy()[sel] * 1e6,
                     pieces["new_code"].to_numpy()[sel], region, bool(row.trusted)))
    results = _run_fits(jobs)
    stats = []
    for row, (cells, it, rel, conv) in zip(provinces.itertuples(), results):
        geoms[pieces["province_code"].to_numpy() == row.province_code] = cells
        stats.append((it, rel, conv))
    provinces["iterations"] = np.array([st[0] for st in stats], dtype=int)
    provinces["max_rel_error"] = np.array([st[1] for st in stats], dtype=float)
    provinces["converged"] = np.array([st[2] for st in stats], dtype=bool)
    names = registry.list_provinces("2020").set_index("province_code")["province"]
    provinces.insert(1, "province", provinces["province_code"].map(names))
    provinces["outline_km2"] = provinces["province_code"].map(
        regions.set_index("province_code")["outline_km2"])

    geoms = shapely.set_precision(geoms, GRID_SIZE_M)
    geoms = np.array([voronoi.polygonal(g) for g in geoms], dtype=object)
    empty = shapely.is_empty(geoms)
    if empty.any():
        raise LayerError(f"{int(empty.sum())} empty cells, e.g. commune "
                         f"{pieces['old_code'].iloc[np.flatnonzero(empty)[0]]}")
    piece_gdf = gpd.GeoDataFrame(pieces[["old_code", "new_code", "province_code"]].copy(),
                                 geometry=geoms, crs=METRIC_CRS)

    moved_codes = set(pieces.loc[moved, "old_code"])
    placement = [p + "+moved-inside-province" if c in moved_codes else p
                 for p, c in zip(placement, units["code"])]
    communes = _dissolve_pieces(piece_gdf, "old_code").reindex(units["code"]).to_numpy()
    gdf = gpd.GeoDataFrame(
        {"code": units["code"], "name": units["name"], "unit_type": units["unit_type"],
         "district_code": units["district_code"], "district": units["district"],
         "province_code": units["province_code"], "province": units["province"],
         "placement": placement, "method": "fitted", "approximate": True,
         "note": APPROXIMATE_NOTE},
        geometry=communes, crs=METRIC_CRS)
    untrusted = provinces.loc[~provinces["trusted"], "new_province_code"].nunique()
    log.info("fitted layer: %d communes in %d pieces, %d provinces (%d fitted, %d in %d "
             "untrusted 2025 provinces), worst fitted area error %.2g %%, %d sites moved",
             len(gdf), len(piece_gdf), len(provinces), int(provinces["trusted"].sum()),
             int((~provinces["trusted"]).sum()), untrusted,
             100 * provinces.loc[provinces["trusted"], "max_rel_error"].max(), int(moved.sum()))
    return LayerBuild(method="fitted", communes_2020=gdf, pieces=piece_gdf, provinces=provinces)


def _dissolve_pieces(pieces: gpd.GeoDataFrame, by: str) -> pd.Series:
    """Union the pieces of each group on the 1 m grid (single pieces are kept as they are)."""
    geoms = pieces.geometry.values
    keys = pieces[by].to_numpy()
    out = {}
    order = np.argsort(keys, kind="stable")
    bounds = np.flatnonzero(np.r_[True, keys[order][1:] != keys[order][:-1], True])
    for a, b in zip(bounds[:-1], bounds[1:]):
        idx = order[a:b]
        geom = geoms[idx[0]] if len(idx) == 1 else voronoi.polygonal(
            shapely.union_all(geoms[idx], grid_size=GRID_SIZE_M))
        out[keys[idx[0]]] = geom
    return pd.Series(out, dtype=object)


@functools.lru_cache(maxsize=2)
def _build(method: str) -> LayerBuild:
    if method == "voronoi":
        return LayerBuild(method="voronoi", communes_2020=voronoi.build_national_layer())
    return _build_fitted()


def build_layers(*, method: str = "fitted") -> LayerBuild:
    """Return the nationwide build for a method (cached; a copy of the 2020 frame).

    Parameters
    ----------
    method : {"fitted", "voronoi"}
        Power diagram fitted to official areas inside province outlines, or the plain
        Voronoi baseline.

    Raises
    ------
    LayerError
        If the method is unknown or a source is missing or inconsistent.
    """
    build = _build(_check_method(method))
    return LayerBuild(method=build.method, communes_2020=build.communes_2020.copy(),
                      pieces=None if build.pieces is None else build.pieces.copy(),
                      provinces=None if build.provinces is None else build.provinces.copy())


def clear_cache() -> None:
    """Forget cached builds (for benchmarks)."""
    _build.cache_clear()


def build_national_layer(*, method: str = "fitted") -> gpd.GeoDataFrame:
    """Return the approximate 2020 commune layer of the whole country (metric CRS).

    Parameters
    ----------
    method : {"fitted", "voronoi"}
        See :func:`build_layers`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per 2020 commune-level unit (10,035), columns
        :data:`geo.layer.voronoi.COMMUNE_COLUMNS` and ``geometry``, EPSG:32648.
    """
    return build_layers(method=method).communes_2020


def build_2025_layer(communes_2020: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the 2025 units made of these 2020 communes.

    Communes of the fitted method (``method`` column ``"fitted"``) are dissolved from
    the same pieces as the cached nationwide build, so they nest exactly; any other
    layer goes through :func:`geo.layer.voronoi.build_2025_layer` (crosswalk, divided
    communes split by the Voronoi cells of the new units' coordinates).

    Parameters
    ----------
    communes_2020 : geopandas.GeoDataFrame
        2020 communes with a ``code`` column, in a metric CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`COLUMNS_2025` and ``geometry``, same CRS, sorted by code.
    """
    if communes_2020.crs is None:
        raise LayerError("communes_2020 has no CRS")
    fitted = "method" in communes_2020 and len(communes_2020) and \
        (communes_2020["method"] == "fitted").all()
    if not fitted:
        return voronoi.build_2025_layer(communes_2020)[COLUMNS_2025 + ["geometry"]]
    pieces = _build("fitted").pieces
    pieces = pieces[pieces["old_code"].isin(set(communes_2020["code"]))]
    pieces = pieces.to_crs(communes_2020.crs)
    merged = _dissolve_pieces(pieces, "new_code")
    new = registry.load_units("2025").set_index("code")
    codes = [c for c in merged.index if c in new.index]
    counts = pieces.groupby("new_code")["old_code"].nunique()
    out = gpd.GeoDataFrame(
        {"code": codes, "name": new.loc[codes, "name"].to_numpy(),
         "unit_type": new.loc[codes, "unit_type"].to_numpy(), "district_code": "",
         "district": "", "province_code": new.loc[codes, "province_code"].to_numpy(),
         "province": new.loc[codes, "province"].to_numpy(),
         "official_area_km2": new.loc[codes, "area_km2"].to_numpy(),
         "n_old_units": counts.reindex(codes).fillna(0).astype(int).to_numpy(),
         "method": "fitted", "approximate": True, "note": APPROXIMATE_NOTE},
        geometry=merged.reindex(codes).to_numpy(), crs=communes_2020.crs)
    log.info("2025 layer (fitted): %d units from %d pieces", len(out), len(pieces))
    return out.sort_values("code").reset_index(drop=True)


def build_province_layers(province_code: str, *, method: str = "fitted"
                          ) -> dict[str, gpd.GeoDataFrame]:
    """Return one province's four layers from the nationwide build.

    Parameters
    ----------
    province_code : str
        2-digit 2020 province code (``"11"``: Điện Biên).
    method : {"fitted", "voronoi"}
        See :func:`build_layers`.

    Returns
    -------
    dict
        ``communes_2020``, ``communes_2025``, ``districts_2020``, ``province``, each a
        GeoDataFrame in the metric CRS.
    """
    national = _build(_check_method(method)).communes_2020
    sub = national[national["province_code"] == str(province_code).zfill(2)]
    if sub.empty:
        raise LayerError(f"no 2020 communes in province {province_code!r}")
    sub = sub.reset_index(drop=True)
    return {
        "communes_2020": sub[voronoi.COMMUNE_COLUMNS + ["geometry"]],
        "communes_2025": build_2025_layer(sub),
        "districts_2020": voronoi.dissolve_districts(sub),
        "province": voronoi.dissolve_province(sub),
    }
