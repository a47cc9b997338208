"""The national overview use case: border provinces together, per province and per country."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import geopandas as gpd
import pandas as pd

from geo._errors import InvalidArgument
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
    by_province : dict
        Province code → that province's coverage frame (for the drill-down), with
        its own provenance in ``attrs``.
    """

    vintage: str
    provinces: pd.DataFrame
    countries: pd.DataFrame
    totals: dict
    published: dict
    outlines: gpd.GeoDataFrame
    by_province: Mapping[str, gpd.GeoDataFrame] = field(repr=False)

    @property
    def approximate(self) -> bool:
        """True when any province is drawn from the approximate (embedded) layer."""
        return bool(self.provinces["approximate"].any()) if len(self.provinces) else False

    @property
    def sample_roster(self) -> bool:
        """True when any province's figures come from a sample roster."""
        return bool(self.provinces["sample_roster"].any()) if len(self.provinces) else False

    def communes(self, code: str) -> gpd.GeoDataFrame:
        """Return one province's coverage frame (the drill-down).

        Raises
        ------
        InvalidArgument
            If ``code`` is not one of the overview's provinces.
        """
        if str(code) not in self.by_province:
            raise InvalidArgument(f"province {code!r} is not in this overview "
                                  f"({', '.join(sorted(self.by_province))})")
        return self.by_province[str(code)]


def national_overview(provinces: str = "border", *, vintage: str = DEFAULT_VINTAGE,
                      roster_vintage: str | None = None, actor: Actor | None = None,
                      store=None, home: Path | None = None) -> NationalOverview:
    """Return the national overview of ``provinces`` on the ``vintage`` map.

    Each province's coverage comes from :func:`geo.services.load_coverage` (the
    boundary file, border list and roster in force for it), so the overview and
    the map page agree commune by commune.

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

    Returns
    -------
    NationalOverview
    """
    from geo import national_summary as ns
    from geo.registry import find_provinces, list_provinces
    from geo.services._base import roster_store
    from geo.services.layers import load_coverage

    del actor  # scope checks hook here (province-scoped accounts)
    codes = find_provinces(provinces, vintage=vintage)
    if codes is None:
        codes = sorted(list_provinces(vintage)["province_code"].astype(str))
    if store is None:
        store = roster_store(home)
    by_province = {}
    for code in codes:
        by_province[code] = load_coverage(code, vintage=vintage, roster_vintage=roster_vintage,
                                          store=store, home=home)
    covs = list(by_province.values())
    table = ns.summarize_provinces(covs)
    published = {**PUBLISHED_NATIONAL, "source": PUBLISHED_NATIONAL_SOURCE,
                 "province_reinforcements": {DIEN_BIEN_CODE: int(PUBLISHED["reinforcements"])}}
    overview = NationalOverview(
        vintage=vintage, provinces=table, countries=ns.summarize_countries(covs),
        totals=ns.national_totals(table), published=published,
        outlines=ns.province_outlines(covs, table), by_province=by_province)
    log.info("national overview (%s map): %d provinces, %d border communes, "
             "%d reinforcements", vintage, len(table), overview.totals["border_communes"],
             overview.totals["reinforcements"])
    return overview
