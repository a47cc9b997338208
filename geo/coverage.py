"""Join the current roster onto the communes and compute coverage metrics.

Attribute join by commune code of the current roster (from the store, or the
sample roster when none was imported) onto the commune polygons, with the border
analysis, then per commune:

``total_police``
    chiefs + deputies + officers + reinforcements.
``police_per_100km2``
    total police per 100 km² of (approximate) commune area.
``police_per_10km_border``
    total police per 10 km of shared international border (border communes only).
``staffing_gap``
    posts missing against the minimum (default 1 chief, 1 deputy, 3 officers per
    xã; border xã one more officer), summed over the three roles.

A roster is kept for the 2020 map. Viewed on the 2025 map, each old commune's
staff is added to the new unit it became; an old commune split between several
new units goes whole to the registry's default new unit, so totals are preserved
exactly (staff are people, not fractions).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo._errors import InvalidArgument
from geo import borders, registry
from geo.boundaries import load_communes
from geo.i18n import METRIC_LABELS
from geo.reference import METRIC_KEYS, PUBLISHED  # noqa: F401 (PUBLISHED re-exported)
from geo.settings import (BORDER_MIN_SHARED_KM, BORDER_TOLERANCE_M, DEFAULT_PROVINCE,
                          SAMPLE_ROSTER)

log = logging.getLogger(__name__)

COUNT_COLUMNS = ["chiefs", "deputies", "officers", "reinforcements", "trained"]

#: Map metrics: key → (English label, Vietnamese label) (labels from :mod:`geo.i18n`).
METRICS = {k: (METRIC_LABELS[k][1], METRIC_LABELS[k][0]) for k in METRIC_KEYS}


@dataclass(frozen=True)
class Minimum:
    """Minimum staffing per xã; border xã get ``border_extra_officers`` more officers."""

    chiefs: int = 1
    deputies: int = 1
    officers: int = 3
    border_extra_officers: int = 1

    def __post_init__(self) -> None:
        for name in ("chiefs", "deputies", "officers", "border_extra_officers"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise InvalidArgument(f"minimum {name} must be a whole number ≥ 0, not {value!r}")


def load_sample_roster(path: Path = SAMPLE_ROSTER) -> pd.DataFrame:
    """Read the committed sample roster (synthetic; see geo.sample)."""
    frame = pd.read_csv(path, dtype={"commune_code": str}, keep_default_na=False,
                        encoding="utf-8")
    for col in COUNT_COLUMNS:
        frame[col] = pd.to_numeric(frame[col]).astype(int)
    return frame


def current_roster(store=None) -> tuple[pd.DataFrame, dict]:
    """Return the current roster frame and its provenance.

    Uses ``store.current()`` when a roster was imported; otherwise the sample roster.
    The provenance dict has ``sample_roster``, ``roster_version``, ``roster_as_of``,
    ``roster_source``.
    """
    stored = None
    if store is None:
        try:
            from geo.stores.rosters import open_store
            store = open_store()
        except ImportError:  # pragma: no cover - storage module always ships
            store = None
    if store is not None:
        stored = store.current()
    if stored is not None:
        frame = stored.frame.copy()
        as_of = frame["as_of"].dropna().astype(str).max() if "as_of" in frame else None
        return frame, {"sample_roster": False, "roster_version": stored.version,
                       "roster_as_of": as_of or None, "roster_source": stored.source_name}
    frame = load_sample_roster()
    return frame, {"sample_roster": True, "roster_version": None,
                   "roster_as_of": str(frame["as_of"].max()), "roster_source": SAMPLE_ROSTER.name}


def roster_to_2025(roster: pd.DataFrame) -> pd.DataFrame:
    """Carry a 2020-map roster onto the 2025 map through the crosswalk (totals preserved)."""
    cw = registry.load_crosswalk()
    target = (cw.sort_values(["old_code", "default"], ascending=[True, False])
              .drop_duplicates("old_code").set_index("old_code")["new_code"])
    frame = roster.copy()
    frame["commune_code"] = frame["commune_code"].map(target).fillna(frame["commune_code"])
    agg = {c: "sum" for c in COUNT_COLUMNS if c in frame}
    if "as_of" in frame:
        agg["as_of"] = "max"
    return frame.groupby("commune_code", as_index=False).agg(agg)


def compute_metrics(communes: gpd.GeoDataFrame, roster: pd.DataFrame, *,
                    minimum: Minimum | None = None) -> gpd.GeoDataFrame:
    """Join ``roster`` onto flagged ``communes`` by code and add the coverage metrics.

    Parameters
    ----------
    communes : GeoDataFrame
        Communes with ``code``, ``unit_type``, ``area_km2``, ``border_countries``,
        ``border_km_lao``, ``border_km_chn``.
    roster : DataFrame
        ``commune_code`` and the counts of :data:`COUNT_COLUMNS`.
    minimum : Minimum, optional
        Minimum staffing; default 1 chief, 1 deputy, 3 officers (+1 in border xã).

    Returns
    -------
    GeoDataFrame
        A new frame with the counts (0 where the roster has no row) and metrics.
    """
    minimum = minimum or Minimum()
    counts = roster.set_index("commune_code").reindex(communes["code"])
    out = communes.copy()
    for col in COUNT_COLUMNS:
        values = counts[col] if col in counts else 0
        out[col] = pd.Series(values, index=counts.index).fillna(0).astype(int).to_numpy()
    out["total_police"] = out[["chiefs", "deputies", "officers", "reinforcements"]].sum(axis=1)
    area = out["area_km2"].replace(0, np.nan)
    out["police_per_100km2"] = out["total_police"] / area * 100
    border_km = out["border_km_lao"] + out["border_km_chn"] + out.get("border_km_khm", 0)
    out["border_km"] = border_km
    out["police_per_10km_border"] = np.where(border_km > 0,
                                             out["total_police"] / border_km.where(border_km > 0) * 10,
                                             np.nan)
    is_xa = (out["unit_type"] == "Xã").to_numpy()
    is_border = (out["border_countries"].fillna("") != "").to_numpy()
    need_officers = minimum.officers + np.where(is_border, minimum.border_extra_officers, 0)
    gap = (np.maximum(minimum.chiefs - out["chiefs"], 0)
           + np.maximum(minimum.deputies - out["deputies"], 0)
           + np.maximum(need_officers - out["officers"], 0))
    out["staffing_gap"] = np.where(is_xa, gap, 0).astype(int)
    return out


def load_coverage(province: str = DEFAULT_PROVINCE, *, vintage: str = "2020",
                  boundaries: str | Path | None = None, store=None,
                  minimum: Minimum | None = None,
                  tolerance_m: float = BORDER_TOLERANCE_M,
                  min_shared_km: float = BORDER_MIN_SHARED_KM) -> gpd.GeoDataFrame:
    """Return one province's communes with border analysis, roster and coverage metrics.

    Parameters
    ----------
    province : str
        Province name or code.
    vintage : {"2020", "2025"}
        Administrative map (the roster is kept for 2020; 2025 goes through the crosswalk).
    boundaries : path, optional
        Official boundaries file instead of the embedded approximate layer.
    store : RosterStore, optional
        Where the current roster comes from; default :func:`geo.stores.rosters.open_store`.
    minimum : Minimum, optional
        Minimum staffing for ``staffing_gap``.
    tolerance_m, min_shared_km : float
        Border adjacency options, passed to :func:`geo.borders.flag_border_communes`.

    Returns
    -------
    GeoDataFrame
        EPSG:4326; ``attrs`` carries ``sample_roster``, ``roster_version``,
        ``roster_as_of``, ``approximate``, ``province``, ``vintage``.
    """
    vintage = str(vintage)
    communes = load_communes(province, vintage=vintage, boundaries=boundaries)
    flagged = borders.flag_border_communes(communes, tolerance_m=tolerance_m,
                                           min_shared_km=min_shared_km)
    roster, prov = current_roster(store)
    if vintage == "2025":
        roster = roster_to_2025(roster)
    out = compute_metrics(flagged, roster, minimum=minimum)
    out.attrs.update(prov)
    out.attrs["approximate"] = bool(communes["approximate"].any())
    out.attrs["province"] = str(communes["province"].iloc[0]) if len(communes) else ""
    out.attrs["vintage"] = vintage
    log.info("coverage: %d communes, %d border, %d police (%s roster)", len(out),
             int((out["border_countries"] != "").sum()), int(out["total_police"].sum()),
             "sample" if prov["sample_roster"] else f"v{prov['roster_version']}")
    return out


def province_totals(cov: pd.DataFrame) -> dict:
    """Return the province totals shown above the map and in briefings."""
    bc = cov["border_countries"].fillna("")
    return {
        "communes": int(len(cov)),
        "border_communes": int((bc != "").sum()),
        "border_communes_lao": int(bc.str.contains("LAO").sum()),
        "border_communes_chn": int(bc.str.contains("CHN").sum()),
        "border_km_lao": float(cov["border_km_lao"].sum()),
        "border_km_chn": float(cov["border_km_chn"].sum()),
        **{c: int(cov[c].sum()) for c in ["chiefs", "deputies", "officers", "reinforcements",
                                          "total_police", "staffing_gap"]},
    }


def district_totals(cov: pd.DataFrame) -> pd.DataFrame:
    """Aggregate counts and metrics per district (2020 map)."""
    agg = cov.groupby(["district_code", "district"], as_index=False).agg(
        communes=("code", "size"), area_km2=("area_km2", "sum"),
        border_km=("border_km", "sum"), chiefs=("chiefs", "sum"),
        deputies=("deputies", "sum"), officers=("officers", "sum"),
        reinforcements=("reinforcements", "sum"), total_police=("total_police", "sum"),
        staffing_gap=("staffing_gap", "sum"))
    agg["police_per_100km2"] = agg["total_police"] / agg["area_km2"] * 100
    return agg
