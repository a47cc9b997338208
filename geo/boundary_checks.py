"""Plausibility of an official boundaries file, after its units are matched to the registry.

A file can match every code and still be wrong: every commune drawn as the
whole province (the areas add up to 100 times the province), 1 m squares
(area 0), or a second polygon for one code placed in another province. The
checks here refuse such files with a :class:`geo._errors.BoundaryFileError`
that names the units and the figures, collecting every problem first:

* duplicate codes (two features for one unit) — merged silently before, now
  refused: a unit is one feature (a multipolygon if it has several parts);
* a unit smaller than :data:`MIN_UNIT_AREA_KM2`;
* a unit larger than :data:`MAX_UNIT_SHARE` of the province (when the
  province has several units), or the units together more than
  :data:`MAX_SUM_RATIO` times the province (less than :data:`MIN_SUM_RATIO`
  times when no unit is missing); the province's area comes from the
  embedded outline, which agrees with the published figures within a few
  per cent;
* a unit whose area differs from the registry's (2025 map) by more than a
  factor :data:`MAX_AREA_FACTOR`;
* a unit whose polygon lies more than :data:`MAX_UNIT_DISTANCE_KM` from the
  registry's position of that unit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo._errors import BoundaryFileError
from geo.settings import DISPLAY_CRS, METRIC_CRS

log = logging.getLogger(__name__)

#: Smallest plausible commune-level unit (km²): the smallest urban wards are about 0.05 km².
MIN_UNIT_AREA_KM2 = 0.01
#: Largest share of the province one unit may cover (provinces with several units).
MAX_UNIT_SHARE = 0.9
#: Plausible range of the units' total area over the province's area.
MAX_SUM_RATIO, MIN_SUM_RATIO = 1.5, 0.5
#: Largest factor between a unit's area and the registry's area for it.
MAX_AREA_FACTOR = 10.0
#: Farthest a unit's polygon may lie from the registry's position of the unit (km).
MAX_UNIT_DISTANCE_KM = 50.0


def _codes(values: Iterable[str], limit: int = 10) -> str:
    values = sorted(map(str, values))
    more = f" and {len(values) - limit} more" if len(values) > limit else ""
    return ", ".join(values[:limit]) + more


def refuse_duplicate_codes(gdf: gpd.GeoDataFrame, *, name: str) -> None:
    """Refuse a file with two or more features for one unit code.

    Raises
    ------
    BoundaryFileError
        Naming the duplicated codes and how far apart their features lie.
    """
    dup = gdf["code"].duplicated(keep=False).to_numpy()
    if not dup.any():
        return
    part = gdf.loc[dup]
    metric = part.to_crs(METRIC_CRS) if part.crs is not None else part
    spans = []
    for code, group in metric.groupby("code"):
        pts = shapely.centroid(group.geometry.to_numpy())
        xy = shapely.get_coordinates(pts)
        span = float(np.ptp(xy, axis=0).max()) / 1000 if len(xy) > 1 else 0.0
        spans.append(f"{code} ({len(group)} features, up to {span:,.0f} km apart)")
    raise BoundaryFileError(
        f"{name}: {len(spans)} unit code(s) appear on more than one feature: "
        f"{'; '.join(spans[:10])}{' …' if len(spans) > 10 else ''}. Each unit must be one "
        "feature (a multipolygon if it has several parts); nothing was loaded")


def check_boundary_plausibility(gdf: gpd.GeoDataFrame, known: pd.DataFrame, *, name: str,
                                province: str, province_area_km2: float | None) -> None:
    """Refuse boundaries whose areas or positions are implausible.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Matched units: ``code`` and polygon ``geometry``, with a CRS.
    known : pandas.DataFrame
        The registry's units of the province (``code``, ``lat``, ``lon``,
        ``area_km2`` — NaN where unknown).
    name : str
        The file's name, for messages.
    province : str
        The province's name, for messages.
    province_area_km2 : float or None
        The province's area; ``None`` skips the checks against it.

    Raises
    ------
    BoundaryFileError
        Every implausible finding, in one message.
    """
    metric = gdf.to_crs(METRIC_CRS)
    area = pd.Series(shapely.area(metric.geometry.to_numpy()) / 1e6,
                     index=gdf["code"].to_numpy())
    problems: list[str] = []
    tiny = area[area < MIN_UNIT_AREA_KM2]
    if len(tiny):
        problems.append(f"{len(tiny)} unit(s) have almost no area (under "
                        f"{MIN_UNIT_AREA_KM2:g} km²): {_codes(tiny.index)}")
    total = float(area.sum())
    n_expected = len(known)
    if province_area_km2 and province_area_km2 > 0:
        if n_expected > 1:
            huge = area[area > MAX_UNIT_SHARE * province_area_km2]
            if len(huge):
                problems.append(
                    f"{len(huge)} unit(s) cover about the whole province "
                    f"({province_area_km2:,.0f} km²) or more: {_codes(huge.index)}")
        ratio = total / province_area_km2
        if ratio > MAX_SUM_RATIO:
            problems.append(f"the units add up to {total:,.0f} km², {ratio:,.1f} times the "
                            f"area of {province} ({province_area_km2:,.0f} km²)")
        elif ratio < MIN_SUM_RATIO and len(area) >= n_expected:
            problems.append(f"the units add up to {total:,.0f} km², only {ratio:.0%} of the "
                            f"area of {province} ({province_area_km2:,.0f} km²)")
    ref = known.set_index("code").reindex(area.index)
    if "area_km2" in ref:
        reg_area = pd.to_numeric(ref["area_km2"], errors="coerce")
        factor = np.maximum(area / reg_area, reg_area / area)
        off = factor[reg_area.notna() & (reg_area > 0) & (area >= MIN_UNIT_AREA_KM2)
                     & (factor > MAX_AREA_FACTOR)]
        if len(off):
            problems.append(f"{len(off)} unit(s) differ from the registry's area by more "
                            f"than a factor {MAX_AREA_FACTOR:g}: {_codes(off.index)}")
    has_pos = ref["lat"].notna().to_numpy() & ref["lon"].notna().to_numpy()
    if has_pos.any():
        pts = gpd.GeoSeries(gpd.points_from_xy(ref["lon"][has_pos], ref["lat"][has_pos]),
                            crs=DISPLAY_CRS).to_crs(METRIC_CRS).to_numpy()
        dist = shapely.distance(metric.geometry.to_numpy()[has_pos], pts) / 1000
        far = area.index[has_pos][dist > MAX_UNIT_DISTANCE_KM]
        if len(far):
            problems.append(f"{len(far)} unit(s) lie more than {MAX_UNIT_DISTANCE_KM:g} km "
                            f"from where the registry places them (up to "
                            f"{float(np.nanmax(dist)):,.0f} km): {_codes(far)}")
    log.info("boundaries %s: %d units, %.1f km² in all (province %s km²), %d problem(s)",
             name, len(area), total,
             "?" if not province_area_km2 else f"{province_area_km2:,.0f}", len(problems))
    if problems:
        raise BoundaryFileError(f"{name}: implausible boundaries — " + "; ".join(problems)
                                + "; nothing was loaded")
