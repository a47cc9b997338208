"""The sample roster: synthetic per-commune staffing whose totals equal the published figures.

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
