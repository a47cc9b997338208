"""National overview: border communes, border km, reinforcements and shortfall per province.

The domain half of the national overview page. It takes the coverage frames of
several provinces (:func:`geo.coverage.load_coverage`, one per province) and
aggregates them: one row per province, one row per neighbouring country
(Laos, China, Cambodia), and national totals that are by construction the sums
of the province rows. Province outlines for the overview map are dissolved from
the communes in a metric CRS.

A commune on two borders (a tri-border commune) counts once in its province
and nationally, and once for each country it borders; so the country rows may
add up to more than the national totals.

Examples
--------
>>> covs = [load_coverage(c, vintage="2025") for c in ("11", "12")]  # doctest: +SKIP
>>> table = summarize_provinces(covs)  # doctest: +SKIP
>>> national_totals(table)["reinforcements"] == table["reinforcements"].sum()  # doctest: +SKIP
True
"""

from __future__ import annotations

import logging
from typing import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geo._errors import InvalidArgument
from geo.border_list import border_in_use, countries_in_use

log = logging.getLogger(__name__)

#: Neighbouring countries, in the order the tables list them.
COUNTRIES = ("LAO", "CHN", "KHM")

#: Metrics of the overview (a column of every province and country row), the map's choices.
NATIONAL_METRICS = ("border_communes", "border_km", "reinforcements", "staffing_gap")

#: Count metrics (the rest are kilometres).
COUNT_METRICS = frozenset({"border_communes", "reinforcements", "staffing_gap", "communes",
                           "total_police"})

#: Columns summed into the national totals (every numeric column of a province row).
SUMMED = ("communes", "border_communes", "border_km", "border_km_lao", "border_km_chn",
          "border_km_khm", "reinforcements", "staffing_gap", "total_police")

#: Display tolerance of the province outlines (m): the overview is drawn at country scale.
OUTLINE_SIMPLIFY_M = 400.0


def _border_km(cov: pd.DataFrame, iso3: str) -> pd.Series:
    col = f"border_km_{iso3.lower()}"
    if col not in cov:
        return pd.Series(0.0, index=cov.index)
    return pd.to_numeric(cov[col], errors="coerce").fillna(0.0)


def _count(cov: pd.DataFrame, col: str) -> pd.Series:
    if col not in cov:
        return pd.Series(0, index=cov.index)
    return pd.to_numeric(cov[col], errors="coerce").fillna(0).astype(int)


def _check_frames(covs: Sequence[pd.DataFrame]) -> None:
    problems = []
    for i, cov in enumerate(covs):
        missing = [c for c in ("code", "province_code", "province", "border_countries")
                   if c not in cov]
        if missing:
            problems.append(f"frame {i}: no column {', '.join(missing)}")
        elif cov["province_code"].nunique() > 1:
            problems.append(f"frame {i}: several provinces "
                            f"({', '.join(sorted(cov['province_code'].astype(str).unique()))})")
    if problems:
        raise InvalidArgument("province coverage frames: " + "; ".join(problems))


def province_row(cov: pd.DataFrame) -> dict:
    """Return one province's overview figures from its coverage frame.

    Parameters
    ----------
    cov : DataFrame
        One province's coverage (:func:`geo.coverage.load_coverage`).

    Returns
    -------
    dict
        ``province_code``, ``province``, ``countries`` (border countries in use,
        space-separated), the :data:`SUMMED` figures, and the provenance flags
        ``sample_roster``, ``approximate`` and ``border_source`` from ``cov.attrs``.
    """
    attrs = getattr(cov, "attrs", {}) or {}
    border = border_in_use(cov)
    used = countries_in_use(cov)
    km = {iso: float(_border_km(cov, iso).sum()) for iso in COUNTRIES}
    countries = [iso for iso in COUNTRIES if used.str.contains(iso).any()]
    return {
        "province_code": str(cov["province_code"].iloc[0]) if len(cov) else "",
        "province": str(cov["province"].iloc[0]) if len(cov) else str(attrs.get("province", "")),
        "countries": " ".join(countries),
        "communes": int(len(cov)),
        "border_communes": int(border.sum()),
        "border_km": float(sum(km.values())),
        **{f"border_km_{iso.lower()}": km[iso] for iso in COUNTRIES},
        "reinforcements": int(_count(cov, "reinforcements").sum()),
        "staffing_gap": int(_count(cov, "staffing_gap").sum()),
        "total_police": int(_count(cov, "total_police").sum()),
        "sample_roster": bool(attrs.get("sample_roster", False)),
        "approximate": bool(attrs.get("approximate", False)),
        "border_source": str(attrs.get("border_source", "")),
    }


def summarize_provinces(covs: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Return one row per province (:func:`province_row`), largest border first.

    Raises
    ------
    InvalidArgument
        If a frame lacks the coverage columns or holds several provinces
        (all problems reported together).
    """
    _check_frames(covs)
    rows = [province_row(cov) for cov in covs]
    table = pd.DataFrame(rows)
    if table.empty:
        return pd.DataFrame(columns=["province_code", "province", "countries", *SUMMED,
                                     "sample_roster", "approximate", "border_source"])
    table = table.sort_values(["border_km", "province_code"], ascending=[False, True])
    log.info("national summary: %d provinces, %d border communes, %.0f km of border",
             len(table), int(table["border_communes"].sum()), float(table["border_km"].sum()))
    return table.reset_index(drop=True)


def summarize_countries(covs: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Return one row per neighbouring country: its border communes and their figures.

    Columns: ``iso3``, ``provinces`` (provinces with a commune on that border),
    ``border_communes``, ``border_km`` (along that country), ``reinforcements`` and
    ``staffing_gap`` (summed over the communes on that border).
    """
    _check_frames(covs)
    rows = []
    for iso in COUNTRIES:
        provinces, communes, km, reinf, gap = set(), 0, 0.0, 0, 0
        for cov in covs:
            on = countries_in_use(cov).str.contains(iso).to_numpy()
            km += float(_border_km(cov, iso).sum())
            if on.any():
                provinces.add(str(cov["province_code"].iloc[0]))
                communes += int(on.sum())
                reinf += int(_count(cov, "reinforcements")[on].sum())
                gap += int(_count(cov, "staffing_gap")[on].sum())
        rows.append({"iso3": iso, "provinces": len(provinces), "border_communes": communes,
                     "border_km": km, "reinforcements": reinf, "staffing_gap": gap})
    return pd.DataFrame(rows)


def national_totals(provinces: pd.DataFrame) -> dict:
    """Return the national totals: the sum of every :data:`SUMMED` column of the province rows.

    ``provinces`` (the number of rows) and ``sample_provinces`` (rows whose roster
    is sample data) come with them.
    """
    totals = {}
    for col in SUMMED:
        values = pd.to_numeric(provinces[col], errors="coerce").fillna(0) if col in provinces \
            else pd.Series(dtype=float)
        total = values.sum()
        totals[col] = int(total) if col in COUNT_METRICS else float(total)
    totals["provinces"] = int(len(provinces))
    totals["sample_provinces"] = int(provinces["sample_roster"].astype(bool).sum()) \
        if "sample_roster" in provinces else 0
    return totals


def province_outlines(covs: Sequence[gpd.GeoDataFrame], provinces: pd.DataFrame, *,
                      tolerance_m: float = OUTLINE_SIMPLIFY_M) -> gpd.GeoDataFrame:
    """Return the provinces' outlines (dissolved communes) with their overview figures.

    Dissolved and simplified in a metric CRS (:func:`geo.borders.metric_crs_for`),
    returned in EPSG:4326 for display, one row per row of ``provinces``.

    Raises
    ------
    InvalidArgument
        If a frame has no CRS.
    """
    from geo.borders import metric_crs_for

    if not covs:
        return gpd.GeoDataFrame(provinces.copy(), geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    nocrs = [i for i, c in enumerate(covs) if getattr(c, "crs", None) is None]
    if nocrs:
        raise InvalidArgument(f"coverage frames without CRS: {nocrs}")
    parts = [c[["province_code", "geometry"]].to_crs("EPSG:4326") for c in covs]
    allc = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs="EPSG:4326")
    metric = allc.to_crs(metric_crs_for(allc))
    metric["geometry"] = metric.geometry.buffer(0)
    shapes = metric.dissolve("province_code")
    shapes["geometry"] = shapes.geometry.simplify(tolerance_m, preserve_topology=True)
    shapes = shapes.to_crs("EPSG:4326")
    out = provinces.merge(shapes[["geometry"]], left_on="province_code", right_index=True,
                          how="left")
    return gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")


def metric_column(table: pd.DataFrame, metric: str) -> np.ndarray:
    """Return ``metric`` of each row as floats.

    Raises
    ------
    InvalidArgument
        If ``metric`` is not one of :data:`NATIONAL_METRICS`.
    """
    if metric not in NATIONAL_METRICS:
        raise InvalidArgument(f"metric must be one of {', '.join(NATIONAL_METRICS)}, "
                              f"not {metric!r}")
    return pd.to_numeric(table[metric], errors="coerce").to_numpy(dtype=float)
