"""The sample rosters: synthetic staffing on the 2020 map and on the 2025 map.

Sample data — not real assignments. Deterministic rule (no randomness), for the
115 xã of Điện Biên's 2020 map (phường and thị trấn get no commune police in the
published figures, which count xã only):

* chiefs: one per xã (115);
* deputies: one per xã, and the remaining 38 go one each to the xã with the
  largest approximate area, border communes first (153);
* officers: two per xã, and the remaining 102 are shared out in proportion to
  area, border communes counting double, by largest remainder (332);
* reinforcements: only to border communes, in proportion to their border
  length, by largest remainder (28);
* trained: every officer counted as trained except one in five, rounded down,
  per commune; ``as_of`` is the date of the published figures' year end.

Ties are broken by commune code, so the same inputs always give the same file.

The 2025 sample (:func:`build_sample_roster_2025`) is derived from the 2020 one
and says what it assumes in its ``note`` column: the same people, officers and
reinforcements staying with the unit their commune became, one chief per unit
among the former chiefs and deputies, the others deputy chiefs.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from geo._errors import InvalidArgument
from geo.reference import PUBLISHED_STAFF, SAMPLE_NOTE

log = logging.getLogger(__name__)

SAMPLE_AS_OF = "2021-12-31"

SAMPLE_COLUMNS = ["commune_code", "commune_name", "district", "chiefs", "deputies", "officers",
                  "reinforcements", "reinforcement_origin", "trained", "as_of", "note"]


def _largest_remainder(weights: np.ndarray, total: int, order: np.ndarray) -> np.ndarray:
    """Share ``total`` units in proportion to ``weights``; ties go first in ``order``."""
    weights = np.asarray(weights, dtype=float)
    if total == 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=int)
    exact = weights / weights.sum() * total
    base = np.floor(exact).astype(int)
    left = total - base.sum()
    remainder = exact - base
    rank = np.lexsort((order, -remainder))
    base[rank[:left]] += 1
    return base


def build_sample_roster(communes: pd.DataFrame) -> pd.DataFrame:
    """Return the sample roster for the xã among ``communes``.

    Parameters
    ----------
    communes : DataFrame
        2020 communes with ``code``, ``name``, ``district``, ``unit_type``,
        ``area_km2``, ``border_countries`` and ``border_km_lao``/``border_km_chn``.

    Returns
    -------
    pandas.DataFrame
        One row per xã, columns :data:`SAMPLE_COLUMNS`; totals equal
        :data:`PUBLISHED_STAFF`.
    """
    xa = communes[communes["unit_type"] == "Xã"].sort_values("code").reset_index(drop=True)
    n = len(xa)
    if n == 0:
        raise InvalidArgument("no xã among the communes given")
    order = np.arange(n)
    border = (xa["border_countries"].fillna("") != "").to_numpy()
    area = xa["area_km2"].to_numpy(dtype=float)

    chiefs = np.ones(n, dtype=int)
    deputies = np.ones(n, dtype=int)
    extra = PUBLISHED_STAFF["deputies"] - n
    rank = np.lexsort((order, -area, ~border))
    deputies[rank[:max(extra, 0)]] += 1
    officers = 2 * np.ones(n, dtype=int)
    officers += _largest_remainder(area * np.where(border, 2.0, 1.0),
                                   PUBLISHED_STAFF["officers"] - officers.sum(), order)
    border_km = (xa.get("border_km_lao", 0) + xa.get("border_km_chn", 0)).to_numpy(dtype=float)
    reinforcements = _largest_remainder(np.where(border, border_km, 0.0),
                                        PUBLISHED_STAFF["reinforcements"], order)
    trained = officers - officers // 5
    out = pd.DataFrame({
        "commune_code": xa["code"],
        "commune_name": xa["name"],
        "district": xa["district"],
        "chiefs": chiefs,
        "deputies": deputies,
        "officers": officers,
        "reinforcements": reinforcements,
        "reinforcement_origin": np.where(reinforcements > 0,
                                         "Bộ Công an (mẫu / sample)", ""),
        "trained": trained,
        "as_of": SAMPLE_AS_OF,
        "note": SAMPLE_NOTE,
    })
    log.info("sample roster: %d xã, %d border xã with reinforcements", n,
             int((reinforcements > 0).sum()))
    return out


#: Date of the 2025 sample (the day the 2025 map came into force).
SAMPLE_AS_OF_2025 = "2025-07-01"

#: What the 2025 sample assumes, written into its ``note`` column.
SAMPLE_2025_ASSUMPTION = (
    "Sample data — not real assignments. Assumes the 2021 sample's people serve on the 2025 "
    "map: officers and reinforcements stay with the unit their commune became; of the former "
    "chiefs and deputy chiefs of the merged communes one is the unit's chief, the others "
    "deputy chiefs.")

SAMPLE_COLUMNS_2025 = ["commune_code", "commune_name", "vintage", "chiefs", "deputies",
                       "officers", "reinforcements", "reinforcement_origin", "trained", "as_of",
                       "note"]


def build_sample_roster_2025(roster_2020: pd.DataFrame, units_2025: pd.DataFrame,
                             targets: pd.Series) -> pd.DataFrame:
    """Return the 2025 sample roster, derived from the 2020 sample.

    Rule (stated in every row's ``note``, :data:`SAMPLE_2025_ASSUMPTION`): the
    people of the 2020 sample serve on the 2025 map. Officers, reinforcements
    and trained officers go to the unit their old commune became (sums); the
    former chiefs and deputies of a unit's old communes are its leaders: one is
    the chief, the rest deputy chiefs. A unit none of whose old communes had
    staff (a phường made of former phường) gets no row.

    Parameters
    ----------
    roster_2020 : DataFrame
        The 2020 sample roster (:func:`build_sample_roster`).
    units_2025 : DataFrame
        The province's 2025 units (``code``, ``name``).
    targets : pandas.Series
        Old code → new code (:func:`geo.coverage.crosswalk_targets`).

    Returns
    -------
    pandas.DataFrame
        One row per staffed 2025 unit, columns :data:`SAMPLE_COLUMNS_2025`,
        sorted by code; the totals of officers, reinforcements and leaders
        (chiefs + deputies) equal the 2020 sample's.
    """
    frame = roster_2020.assign(new_code=roster_2020["commune_code"].map(targets))
    if frame["new_code"].isna().any():
        missing = ", ".join(frame.loc[frame["new_code"].isna(), "commune_code"].head(5))
        raise InvalidArgument(f"no 2025 unit for the 2020 commune(s) {missing}")
    sums = frame.groupby("new_code")[["chiefs", "deputies", "officers", "reinforcements",
                                      "trained"]].sum().sort_index()
    leaders = (sums["chiefs"] + sums["deputies"]).to_numpy()
    chiefs = np.minimum(leaders, 1)
    origin = frame[frame["reinforcements"] > 0].groupby("new_code").size()
    names = units_2025.set_index("code")["name"]
    out = pd.DataFrame({
        "commune_code": sums.index,
        "commune_name": names.reindex(sums.index).to_numpy(),
        "vintage": "2025",
        "chiefs": chiefs,
        "deputies": leaders - chiefs,
        "officers": sums["officers"].to_numpy(),
        "reinforcements": sums["reinforcements"].to_numpy(),
        "reinforcement_origin": np.where(sums.index.isin(origin.index),
                                         "Bộ Công an (mẫu / sample)", ""),
        "trained": sums["trained"].to_numpy(),
        "as_of": SAMPLE_AS_OF_2025,
        "note": SAMPLE_2025_ASSUMPTION,
    })
    log.info("sample roster 2025: %d units from %d 2020 xã", len(out), len(roster_2020))
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- other provinces

#: ``reinforcement_origin`` of a generated sample (as in the committed Điện Biên sample).
SAMPLE_ORIGIN = "Bộ Công an (mẫu / sample)"


def sample_seed(province_code: str, vintage: str) -> int:
    """Return the random seed of a province's generated sample: its code and map."""
    return int(str(province_code)) * 10_000 + int(vintage)


def build_province_sample(communes: pd.DataFrame, *, province_code: str,
                          vintage: str) -> pd.DataFrame:
    """Return a generated sample roster for any province (sample data — not real assignments).

    For provinces other than Điện Biên, which has the committed sample
    (:func:`build_sample_roster`). Deterministic: the random numbers come from
    :func:`sample_seed` (the province code and the map), so the same province gives
    the same roster in every process and on every machine. Rule, per xã (phường,
    thị trấn and đặc khu get none, as in the published figures): one chief; one or
    two deputies; two to five officers, one more in a border commune; reinforcements
    (one to three) only in border communes; four in five officers trained.

    Parameters
    ----------
    communes : DataFrame
        The province's communes on ``vintage``'s map, with ``code``, ``name``,
        ``unit_type`` and, when known, ``border_countries`` (border communes).
    province_code : str
        The province's code on that map (the seed).
    vintage : {"2020", "2025"}
        The map.

    Returns
    -------
    pandas.DataFrame
        One row per xã, columns :data:`SAMPLE_COLUMNS` (2020) or
        :data:`SAMPLE_COLUMNS_2025` (2025), ``note`` = :data:`SAMPLE_NOTE`.
    """
    xa = communes[communes["unit_type"] == "Xã"].sort_values("code").reset_index(drop=True)
    n = len(xa)
    rng = np.random.default_rng(sample_seed(province_code, vintage))
    border = (xa["border_countries"].fillna("") != "").to_numpy() if (
        "border_countries" in xa) else np.zeros(n, dtype=bool)
    deputies = rng.integers(1, 3, n)
    officers = rng.integers(2, 6, n) + border.astype(int)
    reinforcements = np.where(border, rng.integers(1, 4, n), 0)
    out = pd.DataFrame({
        "commune_code": xa["code"].astype(str),
        "commune_name": xa["name"],
        "chiefs": np.ones(n, dtype=int),
        "deputies": deputies,
        "officers": officers,
        "reinforcements": reinforcements,
        "reinforcement_origin": np.where(reinforcements > 0, SAMPLE_ORIGIN, ""),
        "trained": officers - officers // 5,
        "as_of": SAMPLE_AS_OF if vintage == "2020" else SAMPLE_AS_OF_2025,
        "note": SAMPLE_NOTE,
    })
    if vintage == "2020":
        out.insert(2, "district", xa["district"].to_numpy() if "district" in xa else "")
        columns = SAMPLE_COLUMNS
    else:
        out.insert(2, "vintage", "2025")
        columns = SAMPLE_COLUMNS_2025
    log.info("generated sample roster for province %s (%s map): %d xã, %d border xã",
             province_code, vintage, n, int(border.sum()))
    return out[columns]
