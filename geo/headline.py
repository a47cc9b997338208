"""The province's headline figures beside the published ones (the commanders' page).

One row per figure: its label, the value as shown and the caption under it (the
published figure, or the computed border length beside the published one).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.coverage import province_totals
from geo.i18n import t
from geo.reference import PUBLISHED
from geo.tables import column_label

#: Staff counts whose label says "(2020)" when a 2020 roster is carried onto the 2025 map.
_STAFF = ("chiefs", "deputies", "officers", "reinforcements")


@dataclass(frozen=True)
class Figure:
    """One headline figure: what it is, its value as text and the caption under it."""

    key: str
    label: str
    value: str
    caption: str


def _count(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def headline_figures(cov: pd.DataFrame, *, vintage: str, lang: str = "vi") -> list[Figure]:
    """Return the headline figures of a coverage frame, each beside its published figure.

    Parameters
    ----------
    cov : DataFrame
        A province's coverage (:func:`geo.services.load_coverage`).
    vintage : {"2020", "2025"}
        The map shown (the published number of units differs).
    lang : {"vi", "en"}
        Language of labels and captions.
    """
    totals = province_totals(cov)
    published = {
        "communes": PUBLISHED["communes_2025" if vintage == "2025" else "communes_2020"],
        **{k: PUBLISHED[k] for k in _STAFF},
    }
    border_caption = {
        "border_communes_lao": f"{totals['border_km_lao']:.0f} km · " + t(
            "published", lang, value=f"{PUBLISHED['border_km_lao']:.1f} km"),
        "border_communes_chn": f"{totals['border_km_chn']:.0f} km · " + t(
            "published", lang, value=f"{PUBLISHED['border_km_chn']:.1f} km"),
    }
    out = []
    for key in ("communes", "border_communes_lao", "border_communes_chn", *_STAFF):
        label = (column_label(key, lang, carried=True)
                 if totals["carried_over"] and key in _STAFF else t(key, lang))
        caption = (t("published", lang, value=published[key]) if key in published
                   else border_caption[key])
        out.append(Figure(key, label, _count(totals[key]), caption))
    return out
