"""Checks of what the border analysis is given (communes, borders, CRS, numbers), split from
:mod:`geo.borders`: each refusal says what was wrong, in terms a caller can fix.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from geo._errors import BorderMapError, InvalidArgument, InvalidArgumentType

_POLYGONAL = [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON]
_LINEAR = [shapely.GeometryType.LINESTRING, shapely.GeometryType.MULTILINESTRING,
           shapely.GeometryType.LINEARRING]


def _check_number(name: str, value: object) -> float:
    if isinstance(value, bool):
        raise InvalidArgumentType(f"{name} must be a number, got {value!r}")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as err:
        raise InvalidArgumentType(f"{name} must be a number, got {value!r}") from err
    if not math.isfinite(number) or number < 0:
        raise InvalidArgument(f"{name} must be a finite number ≥ 0, got {value!r}")
    return number


def _check_metric_crs(metric_crs: object) -> pyproj.CRS:
    try:
        crs = pyproj.CRS.from_user_input(metric_crs)
    except pyproj.exceptions.CRSError as err:
        raise InvalidArgument(f"metric_crs is not a CRS: {metric_crs!r}") from err
    units = {axis.unit_name for axis in crs.axis_info}
    if not crs.is_projected or not units <= {"metre", "meter"}:
        raise InvalidArgument(f"metric_crs must be a projected CRS in metres, got {metric_crs!r}")
    return crs


def _check_communes(communes: object) -> None:
    if not isinstance(communes, gpd.GeoDataFrame):
        raise InvalidArgumentType(f"communes must be a GeoDataFrame, got {type(communes).__name__}")
    if communes.crs is None:
        raise BorderMapError("communes have no CRS; set one with .set_crs(...) — a layer "
                             "without a CRS cannot be measured")
    geoms = np.asarray(communes.geometry.values, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    wrong = ~missing & ~np.isin(shapely.get_type_id(geoms), _POLYGONAL)
    problems = []
    if missing.any():
        problems.append(f"no geometry in row(s) {_rows(communes.index[missing])}")
    if wrong.any():
        problems.append(f"not a polygon in row(s) {_rows(communes.index[wrong])} "
                        f"({_kinds(geoms[wrong])})")
    if problems:
        raise BorderMapError(f"communes column '{communes.geometry.name}': " + "; ".join(problems))


def _check_borders(borders: object) -> None:
    if not isinstance(borders, gpd.GeoDataFrame):
        raise InvalidArgumentType(f"borders must be a GeoDataFrame, got {type(borders).__name__}")
    problems = []
    if borders.crs is None:
        problems.append("no CRS (set one with .set_crs(...))")
    if "iso3" not in borders.columns:
        problems.append("no 'iso3' column")
    else:
        bad = ~borders["iso3"].astype(str).str.fullmatch(r"[A-Za-z]{3}")
        if bad.any():
            problems.append(f"column 'iso3' is not a 3-letter code in row(s) "
                            f"{_rows(borders.index[bad])}")
    geoms = np.asarray(borders.geometry.values, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    wrong = ~missing & ~np.isin(shapely.get_type_id(geoms), _LINEAR)
    if wrong.any():
        problems.append(f"not a line in row(s) {_rows(borders.index[wrong])} "
                        f"({_kinds(geoms[wrong])}); pass border lines, e.g. from border_lines()")
    if len(borders) == 0 or missing.all():
        problems.append("no border line")
    if problems:
        raise BorderMapError("borders: " + "; ".join(problems))


def _kinds(geoms: np.ndarray) -> str:
    return ", ".join(sorted({g.geom_type for g in geoms}))


def _ordered_codes(codes: Iterable[str]) -> list[str]:
    """Return LAO, CHN, KHM (always), then any other codes in alphabetical order."""
    first = ["LAO", "CHN", "KHM"]
    return first + sorted(set(codes) - set(first))


def _rows(labels: Iterable[object], limit: int = 10) -> str:
    labels = [str(v) for v in labels]
    more = f" … (+{len(labels) - limit} more)" if len(labels) > limit else ""
    return ", ".join(labels[:limit]) + more


# --------------------------------------------------------------------------- pieces

