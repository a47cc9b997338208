"""Roster templates: a CSV to fill in, per commune (every unit listed) or per officer."""

from __future__ import annotations

import csv
import io
import logging

from geo.matching import unit_matcher
from geo.settings import DEFAULT_PROVINCE, DEFAULT_VINTAGE

log = logging.getLogger(__name__)


def roster_template(*, per_officer: bool = False, province: str = DEFAULT_PROVINCE,
                    vintage: str = DEFAULT_VINTAGE, unit_types: tuple[str, ...] | None = None) -> str:
    r"""Return a CSV template to fill in, as text.

    Parameters
    ----------
    per_officer : bool
        ``False``: one row per commune of the province with code, name and
        district filled in and counts empty. ``True``: the per-officer header
        and one example row (no personal names).
    province : str
        Province name or code.
    vintage : {"2020", "2025"}
        Administrative map, default 2025 (the map in force; it has no
        districts, so the column is left out).
    unit_types : tuple of str, optional
        Keep only these unit types (e.g. ``("Xã",)``); all commune-level units
        (xã, phường, thị trấn) when ``None``.

    Returns
    -------
    str
        CSV text with ``\n`` line ends. Write it with ``encoding="utf-8-sig"``
        so that Excel shows the diacritics.
    """
    reg = unit_matcher(province, vintage=str(vintage))
    units = reg.units.reset_index(drop=True).sort_values("code")
    if unit_types is not None:
        units = units[units["unit_type"].isin(unit_types)]
    has_district = bool(units["district"].astype(bool).any())
    name_cols = ["commune_code", "commune_name"] + (["district"] if has_district else [])
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    if per_officer:
        out.writerow(name_cols + ["role", "origin_unit", "trained", "since"])
        xa = units[units["unit_type"] == "Xã"]
        u = (xa if len(xa) else units).iloc[0]
        out.writerow([u["code"], u["name"]] + ([u["district"]] if has_district else [])
                     + ["officer", "", "yes", "2024-01-01"])
    else:
        out.writerow(name_cols + ["chiefs", "deputies", "officers", "reinforcements",
                                  "reinforcement_origin", "trained", "as_of"])
        for _, u in units.iterrows():
            out.writerow([u["code"], u["name"]] + ([u["district"]] if has_district else [])
                         + [""] * 7)
    log.info("roster template %s (%s): %d units", reg.province,
             "per-officer" if per_officer else "per-commune", len(units))
    return buf.getvalue()

