"""The national overview use case: border provinces together, per province and per country."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo._errors import BorderMapError
from geo.reference import PUBLISHED, PUBLISHED_NATIONAL, PUBLISHED_NATIONAL_SOURCE, DIEN_BIEN_CODE
from geo.services._base import Actor
from geo.settings import DEFAULT_VINTAGE

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NationalOverview:
    """What the national overview shows.

    Attributes
    ----------
    vintage : str
        The administrative map (``"2020"``: the 25 land-border provinces; ``"2025"``:
        the provinces they became part of).
    provinces : DataFrame
        One row per province (:func:`geo.national_summary.summarize_provinces`).
    countries : DataFrame
        One row per neighbouring country (:func:`geo.national_summary.summarize_countries`).
    totals : dict
        National totals, the sums of the province rows
        (:func:`geo.national_summary.national_totals`).
    published : dict
        Published figures to show beside the totals (``reinforcements``: nearly 400
        nationwide) and per province (``province_reinforcements``: code → figure).
    outlines : GeoDataFrame
        The province rows with their outlines (EPSG:4326), for the overview map.
    from_cache : bool
        True when the tables were read back from the summary cache
        (:mod:`geo.summary_cache`) rather than computed.
    key : str or None
        The data fingerprint the overview was computed from (provinces, rosters,
        border lists, norms, boundary files, program): a cache key for views of it.

    The communes of one province (the drill-down) come from
    :func:`geo.services.load_coverage`.
    """

    vintage: str
    provinces: pd.DataFrame
    countries: pd.DataFrame
    totals: dict
    published: dict
    outlines: gpd.GeoDataFrame = field(repr=False)
    from_cache: bool = False
    key: str | None = None

    @property
    def approximate(self) -> bool:
        """True when any province is drawn from the approximate (embedded) layer."""
        return bool(self.provinces["approximate"].any()) if len(self.provinces) else False

    @property
    def sample_roster(self) -> bool:
        """True when any province's figures come from a sample roster."""
        return bool(self.provinces["sample_roster"].any()) if len(self.provinces) else False


@functools.lru_cache(maxsize=16)
def _province_codes(provinces: str, vintage: str) -> tuple[str, ...]:
    """Return the province codes of a province spec (the registry is static data)."""
    from geo.registry import find_provinces, list_provinces

    codes = find_provinces(provinces, vintage=vintage)
    if codes is None:
        codes = sorted(list_provinces(vintage)["province_code"].astype(str))
    return tuple(codes)


def _fingerprint(codes: list[str], vintage: str, roster_vintage: str | None, store,
                 home: Path | None) -> str | None:
    """Return the summary-cache key of an overview, or None when a store cannot say."""
    from geo import summary_cache
    from geo.services._base import norm_store
    from geo.services.lists import border_list_token
    from geo.stores.boundaries import BoundaryStore

    try:
        boundaries = BoundaryStore(home)
        try:
            norms = norm_store(home).current()
            norms_version = None if norms is None else norms.version
        except (BorderMapError, AttributeError, TypeError):
            norms_version = "n/a"
        return summary_cache.fingerprint([
            "national", vintage, roster_vintage, ",".join(codes), store.version_token(),
            border_list_token(home), norms_version,
            *(boundaries.version_token(c, vintage) for c in codes),
            summary_cache.code_and_data_token()])
    except (BorderMapError, OSError, AttributeError) as err:
        log.warning("national overview not cached (no data version): %s", err)
        return None


def national_overview(provinces: str = "border", *, vintage: str = DEFAULT_VINTAGE,
                      roster_vintage: str | None = None, actor: Actor | None = None,
                      store=None, home: Path | None = None,
                      use_cache: bool = True) -> NationalOverview:
    """Return the national overview of ``provinces`` on the ``vintage`` map.

    Each province's coverage comes from :func:`geo.services.load_coverage` (the
    boundary file, border list and roster in force for it), so the overview and
    the map page agree commune by commune. The result is kept in the summary
    cache of ``home`` (:mod:`geo.summary_cache`) under a fingerprint of the
    rosters, border lists, norms, boundary files, program and data: every
    process sharing ``home`` reads it back until one of them changes.

    Parameters
    ----------
    provinces : str
        ``"border"`` (the land-border provinces, default), ``"all"``, or names/codes
        separated by commas (:func:`geo.registry.find_provinces`).
    vintage : {"2020", "2025"}
        The administrative map.
    roster_vintage : {"2020", "2025"}, optional
        Passed to :func:`geo.services.load_coverage`.
    actor : Actor, optional
        Who asks (for scope checks on province-scoped accounts).
    store : RosterStore, optional
        Roster store; default that of ``home``.
    home : Path, optional
        ``BORDERMAP_HOME``.
    use_cache : bool
        Read and write the summary cache (False: always compute, nothing written).

    Returns
    -------
    NationalOverview
    """
    from geo import national_summary as ns
    from geo import summary_cache
    from geo.services._base import roster_store
    from geo.services.layers import load_coverage

    if actor is not None:  # a province-scoped account sees its provinces only
        from geo.scope import restrict_provinces

        provinces = restrict_provinces(actor, provinces, vintage=vintage) or "all"
    codes = list(_province_codes(str(provinces), vintage))
    if store is None:
        store = roster_store(home)
    published = {**PUBLISHED_NATIONAL, "source": PUBLISHED_NATIONAL_SOURCE,
                 "province_reinforcements": {DIEN_BIEN_CODE: int(PUBLISHED["reinforcements"])}}
    key = _fingerprint(codes, vintage, roster_vintage, store, home) if use_cache else None
    kept = summary_cache.read_frames("national", key, home=home) if key else None
    if kept is not None and {"provinces", "countries", "outlines"} <= set(kept):
        table = kept["provinces"]
        log.info("national overview (%s map): %d provinces from the summary cache",
                 vintage, len(table))
        return NationalOverview(vintage=vintage, provinces=table, countries=kept["countries"],
                                totals=ns.national_totals(table), published=published,
                                outlines=kept["outlines"], from_cache=True, key=key)
    covs = [load_coverage(code, vintage=vintage, roster_vintage=roster_vintage, store=store,
                          home=home, actor=actor) for code in codes]
    table = ns.summarize_provinces(covs)
    overview = NationalOverview(
        vintage=vintage, provinces=table, countries=ns.summarize_countries(covs),
        totals=ns.national_totals(table), published=published,
        outlines=ns.province_outlines(covs, table), key=key)
    if key:
        summary_cache.write_frames("national", key, {
            "provinces": overview.provinces, "countries": overview.countries,
            "outlines": overview.outlines}, home=home)
    log.info("national overview (%s map): %d provinces, %d border communes, "
             "%d reinforcements", vintage, len(table), overview.totals["border_communes"],
             overview.totals["reinforcements"])
    return overview
