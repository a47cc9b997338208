"""Before and after the 1 July 2025 reform: each 2025 unit, its old communes, posts then and now.

For every unit of the 2025 map, :func:`reform_table` gives

* its former 2020 communes (names and codes, through the official crosswalk);
* the posts they held before the merger (the current 2020 roster, or the 2020
  sample), with the sum of their shortfalls and surpluses against the 2020
  norms — a surplus in one old commune never cancels a shortfall in another;
* the posts now, from the current 2025 roster (or the 2025 sample), with the
  unit's shortfall and surplus against the 2025 norms.

``attrs`` says which rosters were used and whether they are samples. The map
of the same comparison is the 2025 coverage frame of :func:`reform_coverage`.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import pandas as pd

from geo.coverage import load_coverage
from geo.settings import DEFAULT_PROVINCE

log = logging.getLogger(__name__)

#: Posts compared before and after.
POSTS = ("chiefs", "deputies", "officers", "reinforcements")

#: Columns of :func:`reform_table`, in order.
REFORM_COLUMNS = (
    ["code", "name", "unit_type", "border_countries", "n_old_communes", "old_communes",
     "old_codes"]
    + [f"{p}_2020" for p in POSTS] + ["shortfall_2020", "surplus_2020"]
    + [f"{p}_now" for p in POSTS] + ["shortfall_now", "surplus_now", "shortfall_change"]
)


def reform_coverage(province: str = DEFAULT_PROVINCE, *, store=None,
                    norms: pd.DataFrame | None = None, boundaries=None
                    ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return the 2025 coverage carried over from the 2020 roster, and the 2025 coverage now.

    Both frames are on the 2025 map (same units, same order); the first has
    ``attrs["carried_over"] = True``.
    """
    before = load_coverage(province, vintage="2025", roster_vintage="2020", store=store,
                           norms=norms, boundaries=boundaries)
    after = load_coverage(province, vintage="2025", roster_vintage="2025", store=store,
                          norms=norms, boundaries=boundaries)
    return before, after


def reform_table(province: str = DEFAULT_PROVINCE, *, store=None,
                 norms: pd.DataFrame | None = None, boundaries=None) -> pd.DataFrame:
    """Return one row per 2025 unit: its old communes, their 2020 posts, and the posts now.

    Parameters
    ----------
    province : str
        Province name or code.
    store : RosterStore, optional
        Where rosters are kept; default :func:`geo.stores.rosters.open_store`.
    norms : DataFrame, optional
        Staffing norms; default :func:`geo.norms.load_norms`.
    boundaries : path, optional
        Official 2025 boundaries instead of the embedded layer.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REFORM_COLUMNS`, sorted by code. ``attrs``:
        ``sample_2020`` / ``sample_2025`` (whether each roster is sample data),
        ``roster_2020`` / ``roster_2025`` (their sources), ``province``.

    Examples
    --------
    >>> table = reform_table("Điện Biên")  # doctest: +SKIP
    >>> len(table), int(table["chiefs_2020"].sum())  # doctest: +SKIP
    (45, 115)
    """
    before, after = reform_coverage(province, store=store, norms=norms, boundaries=boundaries)
    crosswalk = before[["code"]].copy()
    out = pd.DataFrame({
        "code": before["code"].to_numpy(),
        "name": before["name"].to_numpy(),
        "unit_type": before["unit_type"].to_numpy(),
        "border_countries": before["border_countries"].fillna("").to_numpy(),
        "n_old_communes": before["n_old_communes"].to_numpy(),
        "old_communes": before["old_communes"].to_numpy(),
        "old_codes": _old_codes(crosswalk["code"], province),
    })
    now = after.set_index("code").reindex(out["code"])
    for p in POSTS:
        out[f"{p}_2020"] = before[p].to_numpy()
    out["shortfall_2020"] = before["staffing_gap"].to_numpy()
    out["surplus_2020"] = before["staffing_surplus"].to_numpy()
    for p in POSTS:
        out[f"{p}_now"] = now[p].to_numpy()
    out["shortfall_now"] = now["staffing_gap"].to_numpy()
    out["surplus_now"] = now["staffing_surplus"].to_numpy()
    out["shortfall_change"] = out["shortfall_now"] - out["shortfall_2020"]
    out = out[list(REFORM_COLUMNS)].sort_values("code").reset_index(drop=True)
    out.attrs.update(province=before.attrs.get("province", ""),
                     sample_2020=bool(before.attrs.get("sample_roster")),
                     sample_2025=bool(after.attrs.get("sample_roster")),
                     roster_2020=before.attrs.get("roster_source", ""),
                     roster_2025=after.attrs.get("roster_source", ""),
                     approximate=bool(before.attrs.get("approximate")))
    log.info("reform %s: %d units, %d old communes, shortfall %d before, %d now",
             out.attrs["province"], len(out), int(out["n_old_communes"].sum()),
             int(out["shortfall_2020"].sum()), int(out["shortfall_now"].sum()))
    return out


def _old_codes(new_codes: pd.Series, province: str) -> list[str]:
    from geo.coverage import crosswalk_targets

    target = crosswalk_targets(province)
    olds = target.groupby(target).apply(lambda s: "; ".join(sorted(s.index)))
    return [olds.get(c, "") for c in new_codes]


def reform_totals(table: pd.DataFrame) -> dict:
    """Return the province totals of a :func:`reform_table` (sums; shortfalls never netted)."""
    cols = [c for c in table.columns if c.endswith(("_2020", "_now")) or c == "n_old_communes"]
    return {"units": int(len(table)), **{c: int(table[c].sum()) for c in cols}}
