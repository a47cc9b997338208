"""Join a roster onto the communes and compute coverage metrics, on either map.

A roster is kept for one map (2020 or 2025). The coverage of a province on a
map uses, in this order: the current roster stored for that province and map;
on the 2025 map, the current 2020 roster *carried over* (see below); the sample
roster of that map. Per unit:

``total_police``
    chiefs + deputies + officers + reinforcements.
``police_per_100km2``
    total police per 100 km² of (approximate) unit area.
``police_per_10km_border``
    total police per 10 km of shared international border (border units only).
``norm_chiefs``, ``norm_deputies``, ``norm_officers``
    the posts the unit should have on its map (:mod:`geo.norms`, ``data/norms.csv``).
``short_<role>``, ``surplus_<role>``, ``staffing_gap``, ``staffing_surplus``
    shortfall and surplus per role and their sums. A shortfall is never
    netted against a surplus, in another role or another unit: the province's
    gap is the sum of the units' shortfalls.

Carried over (a 2020 roster on the 2025 map)
    The figures are the *posts held before the merger*: each 2025 unit shows
    the sum of its former communes' chiefs, deputies, officers and their
    shortfalls and surpluses measured against the **2020** norms of those
    communes. ``attrs["carried_over"]`` is True, ``old_communes`` names the
    former communes, and every table, map and export labels the columns
    "former commune chiefs (2020)" etc. A 2020 commune that the crosswalk splits
    goes whole to the registry's default new unit (Điện Biên has none), so
    totals are preserved exactly.

A 2025 roster is never split back onto the 2020 map: asking for it raises
:class:`~geo._errors.InvalidArgument`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import borders, registry
from geo._errors import InvalidArgument
from geo.border_list import apply_border_list, border_in_use, countries_in_use
from geo.boundaries import load_communes
from geo.i18n import METRIC_LABELS
from geo.norms import NORM_ROLES, load_norms, norms_for, staffing_balance
from geo.reference import METRIC_KEYS, PUBLISHED  # noqa: F401 (PUBLISHED re-exported)
from geo.settings import (BORDER_MIN_SHARED_KM, BORDER_TOLERANCE_M, DEFAULT_PROVINCE,
                          DEFAULT_VINTAGE, SAMPLE_ROSTER, SAMPLE_ROSTER_2025, VINTAGES)

log = logging.getLogger(__name__)

COUNT_COLUMNS = ["chiefs", "deputies", "officers", "reinforcements", "trained"]

#: Columns added by the norms: posts due, shortfall and surplus per role, and their sums.
BALANCE_COLUMNS = ([f"norm_{r}" for r in NORM_ROLES] + [f"short_{r}" for r in NORM_ROLES]
                   + [f"surplus_{r}" for r in NORM_ROLES] + ["staffing_gap", "staffing_surplus"])

#: Map metrics: key → (English label, Vietnamese label) (labels from :mod:`geo.i18n`).
METRICS = {k: (METRIC_LABELS[k][1], METRIC_LABELS[k][0]) for k in METRIC_KEYS}

#: Sample roster file of each map.
SAMPLE_ROSTERS = {"2020": SAMPLE_ROSTER, "2025": SAMPLE_ROSTER_2025}


def _check_vintage(vintage: object, what: str = "vintage") -> str:
    vintage = str(vintage)
    if vintage not in VINTAGES:
        raise InvalidArgument(f"{what} must be one of {', '.join(VINTAGES)}, not {vintage!r}")
    return vintage


def load_sample_roster(path: Path | None = None, *, vintage: str = "2020") -> pd.DataFrame:
    """Read a committed sample roster (synthetic; see :mod:`geo.sample`)."""
    path = path or SAMPLE_ROSTERS[_check_vintage(vintage)]
    frame = pd.read_csv(path, dtype={"commune_code": str}, keep_default_na=False,
                        encoding="utf-8")
    for col in COUNT_COLUMNS:
        frame[col] = pd.to_numeric(frame[col]).astype(int)
    return frame


def current_roster(store=None, *, province: str = DEFAULT_PROVINCE,
                   vintage: str = DEFAULT_VINTAGE, sample: bool = True,
                   communes: pd.DataFrame | None = None
                   ) -> tuple[pd.DataFrame | None, dict]:
    """Return the current roster of a province on a map, and its provenance.

    Parameters
    ----------
    store : RosterStore, optional
        Where imported rosters are kept; default :func:`geo.stores.rosters.open_store`.
    province : str
        Province name or code.
    vintage : {"2020", "2025"}
        The map the roster is keyed to.
    sample : bool
        Fall back to the sample roster of that map when none was imported;
        otherwise return ``(None, {})``. Điện Biên's sample is the committed file;
        every other province gets a generated one (:func:`sample_roster`).
    communes : DataFrame, optional
        The province's flagged communes on that map, for a generated sample's
        border communes (the registry's units, without border flags, otherwise).

    Returns
    -------
    (DataFrame or None, dict)
        The provenance has ``sample_roster``, ``roster_version``, ``roster_as_of``,
        ``roster_source``, ``roster_vintage``.
    """
    vintage = _check_vintage(vintage)
    if store is None:
        from geo.stores.rosters import open_store
        store = open_store()
    stored = store.current(province=province, vintage=vintage)
    if stored is not None:
        frame = stored.frame.copy()
        as_of = frame["as_of"].dropna().astype(str).max() if "as_of" in frame else None
        return frame, {"sample_roster": False, "roster_version": stored.version,
                       "roster_as_of": as_of or None, "roster_source": stored.source_name,
                       "roster_vintage": vintage}
    if not sample:
        return None, {}
    frame, source = sample_roster(province, vintage=vintage, communes=communes)
    return frame, {"sample_roster": True, "roster_version": None,
                   "roster_as_of": str(frame["as_of"].max()) if len(frame) else None,
                   "roster_source": source, "roster_vintage": vintage}


def sample_roster(province: str = DEFAULT_PROVINCE, *, vintage: str = DEFAULT_VINTAGE,
                  communes: pd.DataFrame | None = None) -> tuple[pd.DataFrame, str]:
    """Return a province's sample roster and where it comes from (synthetic data).

    Điện Biên: the committed file of the map (:data:`SAMPLE_ROSTERS`). Any other
    province: generated for every xã of the registry, deterministic per province and
    map (:func:`geo.sample.build_province_sample`); the border communes (which get
    the reinforcements) are those flagged in ``communes`` when given.
    """
    import warnings

    from geo.reference import is_dien_bien
    from geo.sample import build_province_sample

    vintage = _check_vintage(vintage)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = registry.find_province(str(province), vintage=vintage)
    if is_dien_bien(code):
        return load_sample_roster(vintage=vintage), SAMPLE_ROSTERS[vintage].name
    units = registry.load_units(vintage, province=code)
    if communes is not None and {"code", "border_countries"} <= set(communes.columns):
        flags = communes.drop_duplicates("code").set_index("code")["border_countries"]
        units["border_countries"] = units["code"].map(flags).fillna("")
    return (build_province_sample(units, province_code=code, vintage=vintage),
            f"sample generated for province {code} ({vintage} map)")


def _infer_vintage(communes: pd.DataFrame) -> str:
    vintage = communes.attrs.get("vintage")
    if vintage in VINTAGES:
        return str(vintage)
    has_districts = "district" in communes and bool((communes["district"].fillna("") != "").any())
    return "2020" if has_districts else "2025"


def compute_metrics(communes: gpd.GeoDataFrame, roster: pd.DataFrame, *,
                    vintage: str | None = None,
                    norms: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """Join ``roster`` onto flagged ``communes`` by code and add the coverage metrics.

    Parameters
    ----------
    communes : GeoDataFrame
        Communes with ``code``, ``unit_type``, ``area_km2``, ``border_countries``,
        ``border_km_lao``, ``border_km_chn``.
    roster : DataFrame
        ``commune_code`` and the counts of :data:`COUNT_COLUMNS`, keyed to the
        same map as ``communes``.
    vintage : {"2020", "2025"}, optional
        The map of ``communes`` (for the norms); inferred when ``None`` (the
        2025 map has no districts).
    norms : DataFrame, optional
        Staffing norms (:func:`geo.norms.read_norms`); default :func:`geo.norms.load_norms`.

    Returns
    -------
    GeoDataFrame
        A new frame with the counts (0 where the roster has no row), the metrics
        and :data:`BALANCE_COLUMNS`.
    """
    vintage = _check_vintage(vintage) if vintage is not None else _infer_vintage(communes)
    norms = load_norms() if norms is None else norms
    counts = roster.set_index("commune_code").reindex(communes["code"])
    out = communes.copy()
    for col in COUNT_COLUMNS:
        values = counts[col] if col in counts else 0
        out[col] = pd.Series(values, index=counts.index).fillna(0).astype(int).to_numpy()
    out["total_police"] = out[["chiefs", "deputies", "officers", "reinforcements"]].sum(axis=1)
    _density(out)
    units = pd.DataFrame({"unit_type": out["unit_type"].to_numpy(),
                          "border": border_in_use(out)},
                         index=out.index)
    need = norms_for(units, norms, vintage=vintage)
    balance = staffing_balance(out[list(NORM_ROLES)], need)
    for col in need:
        out[col] = need[col].to_numpy()
    for col in balance:
        out[col] = balance[col].to_numpy()
    log.info("coverage metrics %s: %d units, shortfall %d, surplus %d posts", vintage, len(out),
             int(out["staffing_gap"].sum()), int(out["staffing_surplus"].sum()))
    return out


def _density(out: pd.DataFrame) -> None:
    """Add ``police_per_100km2``, ``border_km`` and ``police_per_10km_border`` in place."""
    area = out["area_km2"].replace(0, np.nan)
    out["police_per_100km2"] = out["total_police"] / area * 100
    border_km = out["border_km_lao"] + out["border_km_chn"] + out.get("border_km_khm", 0)
    out["border_km"] = border_km
    out["police_per_10km_border"] = np.where(
        border_km > 0, out["total_police"] / border_km.where(border_km > 0) * 10, np.nan)


def crosswalk_targets(province: str = DEFAULT_PROVINCE) -> pd.Series:
    """Return old (2020) code → the 2025 unit it became (the default one for a split unit)."""
    cw = registry.load_crosswalk(province=province)
    return (cw.sort_values(["old_code", "default"], ascending=[True, False])
            .drop_duplicates("old_code").set_index("old_code")["new_code"])


def carry_over(communes: gpd.GeoDataFrame, old: pd.DataFrame) -> gpd.GeoDataFrame:
    """Show 2020 coverage (``old``) on the 2025 ``communes``: posts held before the merger.

    Parameters
    ----------
    communes : GeoDataFrame
        Flagged 2025 units (``code``, area and border columns).
    old : DataFrame
        2020 coverage from :func:`compute_metrics` (counts and balance per old
        commune, ``code`` and ``name``).

    Returns
    -------
    GeoDataFrame
        ``communes`` with the sums over each unit's former communes of the
        counts and :data:`BALANCE_COLUMNS` (shortfalls of the old communes
        summed, never netted), ``old_communes`` (their names), ``n_old_communes``,
        the densities, and ``attrs["carried_over"] = True``.
    """
    target = crosswalk_targets(str(communes["province_code"].iloc[0]) if len(communes)
                               else DEFAULT_PROVINCE)
    frame = pd.DataFrame(old.drop(columns="geometry", errors="ignore")).copy()
    frame["new_code"] = frame["code"].map(target).fillna(frame["code"])
    sums = frame.groupby("new_code")[COUNT_COLUMNS + BALANCE_COLUMNS].sum()
    names = frame.sort_values("code").groupby("new_code").agg(
        old_communes=("name", lambda s: "; ".join(s)), n_old_communes=("code", "size"))
    out = communes.copy()
    for col in COUNT_COLUMNS + BALANCE_COLUMNS:
        out[col] = sums[col].reindex(out["code"]).fillna(0).astype("int64").to_numpy()
    out["old_communes"] = names["old_communes"].reindex(out["code"]).fillna("").to_numpy()
    out["n_old_communes"] = names["n_old_communes"].reindex(out["code"]).fillna(0).astype(
        "int64").to_numpy()
    out["total_police"] = out[["chiefs", "deputies", "officers", "reinforcements"]].sum(axis=1)
    _density(out)
    out.attrs["carried_over"] = True
    log.info("carry-over: %d old communes onto %d units; shortfall %d posts", len(frame),
             len(out), int(out["staffing_gap"].sum()))
    return out


def load_coverage(province: str = DEFAULT_PROVINCE, *, vintage: str = DEFAULT_VINTAGE,
                  roster_vintage: str | None = None,
                  boundaries: str | Path | None = None, store=None,
                  norms: pd.DataFrame | None = None,
                  tolerance_m: float = BORDER_TOLERANCE_M,
                  min_shared_km: float = BORDER_MIN_SHARED_KM,
                  border_list: pd.DataFrame | None = None,
                  border_list_label: str = "") -> gpd.GeoDataFrame:
    """Return one province's units with border analysis, roster and coverage metrics.

    Parameters
    ----------
    province : str
        Province name or code.
    vintage : {"2020", "2025"}
        The map shown; default 2025, the map in force.
    roster_vintage : {"2020", "2025"}, optional
        The map of the roster to show. ``None``: the roster kept for ``vintage``;
        on the 2025 map, when only a 2020 roster was imported, that one carried
        over. ``"2020"`` on the 2025 map always carries the 2020 roster over.
    boundaries : path, optional
        Official boundaries file for ``vintage`` instead of the embedded layer.
    store : RosterStore, optional
        Where rosters are kept; default :func:`geo.stores.rosters.open_store`.
    norms : DataFrame, optional
        Staffing norms; default :func:`geo.norms.load_norms` (the stored version,
        else ``data/norms.csv``).
    tolerance_m, min_shared_km : float
        Border adjacency options, passed to :func:`geo.borders.flag_border_communes`.
    border_list : DataFrame, optional
        The official border-commune list in force for this province and map
        (:func:`geo.border_list.validate_border_list`); it decides ``is_border``
        (and so the border norms) while the computed flags stay beside it.
    border_list_label : str
        How the list is named in ``border_source``.

    Returns
    -------
    GeoDataFrame
        EPSG:4326; ``attrs`` carries ``sample_roster``, ``roster_version``,
        ``roster_as_of``, ``roster_vintage``, ``carried_over``, ``approximate``,
        ``province``, ``vintage``, ``norms_source``, ``border_source`` and
        ``border_disagreements`` (:func:`geo.border_list.apply_border_list`).

    Raises
    ------
    InvalidArgument
        For a 2025 roster on the 2020 map (a merged unit's posts cannot be split
        among its former communes).
    """
    vintage = _check_vintage(vintage)
    if roster_vintage is not None:
        roster_vintage = _check_vintage(roster_vintage, "roster_vintage")
    if vintage == "2020" and roster_vintage == "2025":
        raise InvalidArgument(
            "a 2025 roster cannot be shown on the 2020 map: the posts of a merged unit "
            "cannot be split back among its former communes; view it on the 2025 map")
    if store is None:
        from geo.stores.rosters import open_store
        store = open_store()
    if norms is None:
        from geo.stores.norms import norm_store_for
        norms = load_norms(store=norm_store_for(store))
    communes = load_communes(province, vintage=vintage, boundaries=boundaries)
    flagged = apply_border_list(
        borders.flag_border_communes(communes, tolerance_m=tolerance_m,
                                     min_shared_km=min_shared_km),
        border_list, label=border_list_label)
    carry = vintage == "2025" and roster_vintage == "2020"
    roster, prov = None, {}
    if not carry:
        roster, prov = current_roster(store, province=province, vintage=vintage, sample=False)
        if roster is None and vintage == "2025" and roster_vintage is None:
            carry = current_roster(store, province=province, vintage="2020",
                                   sample=False)[0] is not None
        if roster is None and not carry:
            roster, prov = current_roster(store, province=province, vintage=vintage,
                                          communes=flagged)
    if carry:
        old_units = borders.flag_border_communes(load_communes(province, vintage="2020"),
                                                 tolerance_m=tolerance_m,
                                                 min_shared_km=min_shared_km)
        old_roster, prov = current_roster(store, province=province, vintage="2020",
                                          communes=old_units)
        old_cov = compute_metrics(old_units, old_roster, vintage="2020", norms=norms)
        out = carry_over(flagged, old_cov)
    else:
        out = compute_metrics(flagged, roster, vintage=vintage, norms=norms)
        out.attrs["carried_over"] = False
    out.attrs.update(prov)
    out.attrs["approximate"] = bool(communes["approximate"].any())
    out.attrs["province"] = str(communes["province"].iloc[0]) if len(communes) else ""
    out.attrs["vintage"] = vintage
    out.attrs["norms_source"] = norms.attrs.get("norms_source", "")
    out.attrs["border_source"] = flagged.attrs["border_source"]
    out.attrs["border_disagreements"] = flagged.attrs["border_disagreements"]
    log.info("coverage: %d units, %d border, %d police (%s %s roster%s)", len(out),
             int(border_in_use(out).sum()), int(out["total_police"].sum()),
             "sample" if prov.get("sample_roster") else f"v{prov.get('roster_version')}",
             prov.get("roster_vintage"), ", carried over" if carry else "")
    return out


def province_totals(cov: pd.DataFrame) -> dict:
    """Return the province totals shown above the map and in briefings.

    ``staffing_gap`` is the sum of the units' shortfalls and ``staffing_surplus``
    the sum of their surpluses: a surplus in one unit never offsets a shortfall
    in another. ``carried_over`` says whether the counts are posts held before
    the merger (a 2020 roster on the 2025 map).
    """
    bc = countries_in_use(cov)
    return {
        "communes": int(len(cov)),
        "border_communes": int(border_in_use(cov).sum()),
        "border_communes_lao": int(bc.str.contains("LAO").sum()),
        "border_communes_chn": int(bc.str.contains("CHN").sum()),
        "border_km_lao": float(cov["border_km_lao"].sum()),
        "border_km_chn": float(cov["border_km_chn"].sum()),
        **{c: int(cov[c].sum()) for c in ["chiefs", "deputies", "officers", "reinforcements",
                                          "total_police", "staffing_gap", "staffing_surplus"]
           if c in cov},
        "carried_over": bool(getattr(cov, "attrs", {}).get("carried_over", False)),
    }


def district_totals(cov: pd.DataFrame) -> pd.DataFrame:
    """Aggregate counts and metrics per district (2020 map)."""
    agg = cov.groupby(["district_code", "district"], as_index=False).agg(
        communes=("code", "size"), area_km2=("area_km2", "sum"),
        border_km=("border_km", "sum"), chiefs=("chiefs", "sum"),
        deputies=("deputies", "sum"), officers=("officers", "sum"),
        reinforcements=("reinforcements", "sum"), total_police=("total_police", "sum"),
        staffing_gap=("staffing_gap", "sum"), staffing_surplus=("staffing_surplus", "sum"))
    agg["police_per_100km2"] = agg["total_police"] / agg["area_km2"] * 100
    return agg
