"""Which administrative map a roster is keyed to: 2020 (129 units in Điện Biên) or 2025 (45).

Every 2025 unit kept the GSO code of one of the 2020 units it merged, so a
code alone rarely tells the map. The evidence, strongest first:

1. codes that exist on one map only (nationally);
2. names written beside shared codes that fit one map's unit and not the other's
   (code 03127 is "Phường Điện Biên Phủ" on the 2025 map, "Phường Him Lam" on
   the 2020 one);
3. names without codes that exist in the province on one map only;
4. a district column naming the province's districts (the 2025 map has none);
5. a file whose codes are (nearly) all of the province's 2025 units and nothing
   else is a 2025 roster.

:func:`detect_vintage` weighs these and says why, or says that the file could
be either map.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd

from geo._text import fold_unit
from geo.matching import name_keys, unit_matcher

log = logging.getLogger(__name__)

#: Share of the province's 2025 units a code list must cover to count as a 2025 roster.
FULL_2025_SHARE = 0.9


@dataclass(frozen=True)
class MapEvidence:
    """What a roster's codes and names say about its map.

    Attributes
    ----------
    vintage : {"2020", "2025"} or None
        The map the file is keyed to, or ``None`` when it could be either.
    reason : str
        One sentence for a user, naming examples.
    mixed : bool
        True when some evidence points to each map.
    known : bool
        False when no code or name of the file is known on either map.
    """

    vintage: str | None
    reason: str
    mixed: bool = False
    known: bool = True


def _examples(codes: list[str], units: pd.DataFrame) -> str:
    shown = [f"{c} {units.loc[c, 'name']}" for c in codes[:3]]
    return ", ".join(shown) + (f" and {len(codes) - 3} more" if len(codes) > 3 else "")


def detect_vintage(codes: pd.Series, names: pd.Series | None = None,
                   districts: pd.Series | None = None, *, province: str) -> MapEvidence:
    """Tell from a roster's codes and names which map it is keyed to.

    Parameters
    ----------
    codes : pandas.Series
        5-digit code text per row (NaN or empty where the row has no code).
    names : pandas.Series, optional
        Commune name per row, aligned with ``codes`` (empty where not given).
    districts : pandas.Series, optional
        District per row; the province's 2020 district names point to the 2020 map.
    province : str
        The roster's province.

    Returns
    -------
    MapEvidence
        The map and the reason, or ``vintage=None`` when nothing decides.
    """
    old, new = unit_matcher(province, vintage="2020"), unit_matcher(province, vintage="2025")
    # One row per distinct (code, name): a 100,000-row per-officer file has a few hundred.
    if names is None:
        codes = pd.Series(pd.unique(codes.fillna("").to_numpy(dtype=object)), dtype=object)
        names = pd.Series("", index=codes.index, dtype=object)
    else:
        pairs = pd.DataFrame({"code": codes.fillna("").to_numpy(dtype=object),
                              "name": names.fillna("").to_numpy(dtype=object)}).drop_duplicates()
        codes, names = pairs["code"].astype(str), pairs["name"].astype(str)
    has = codes != ""
    distinct = sorted(set(codes[has]))
    in_old = {c for c in distinct if c in old.codes}
    in_new = {c for c in distinct if c in new.codes}
    only_old = sorted(in_old - in_new)
    only_new = sorted(in_new - in_old)
    evidence: list[MapEvidence] = []
    if only_old:
        evidence.append(MapEvidence("2020", f"{len(only_old)} code(s) exist only on the 2020 "
                                            f"map ({_examples(only_old, old.national)})"))
    if only_new:
        evidence.append(MapEvidence("2025", f"{len(only_new)} code(s) exist only on the 2025 "
                                            f"map ({_examples(only_new, new.national)})"))
    # Names beside codes that both maps know.
    shared = in_old & in_new
    both = has & codes.map(shared.__contains__).astype(bool) & (names != "")
    if both.any():
        pairs = (codes[both] + "\x1f" + names[both]).unique()
        fit_old, fit_new = [], []
        for pair in pairs:
            code, name = pair.split("\x1f")
            keys = name_keys(name)
            a = fold_unit(old.national_names[code]) in keys
            b = fold_unit(new.national_names[code]) in keys
            if a and not b:
                fit_old.append(code)
            elif b and not a:
                fit_new.append(code)
        if fit_old:
            evidence.append(MapEvidence("2020", f"the names beside {len(fit_old)} code(s) are "
                                                f"2020 units ({_examples(fit_old, old.national)})"))
        if fit_new:
            evidence.append(MapEvidence("2025", f"the names beside {len(fit_new)} code(s) are "
                                                f"2025 units ({_examples(fit_new, new.national)})"))
    # Names without codes.
    loose = names[~has & (names != "")].unique()
    if len(loose):
        k_old, k_new = set(old.national_by_key), set(new.national_by_key)
        n_old = [n for n in loose if (set(name_keys(n)) & k_old) and not (set(name_keys(n)) & k_new)]
        n_new = [n for n in loose if (set(name_keys(n)) & k_new) and not (set(name_keys(n)) & k_old)]
        if n_old:
            evidence.append(MapEvidence("2020", f"{len(n_old)} name(s) exist only on the 2020 "
                                                f"map ({', '.join(n_old[:3])})"))
        if n_new:
            evidence.append(MapEvidence("2025", f"{len(n_new)} name(s) exist only on the 2025 "
                                                f"map ({', '.join(n_new[:3])})"))
    filled = (districts.fillna("").astype(str) if districts is not None
              else pd.Series(dtype=object))
    filled = filled[filled != ""]
    if len(filled) and old.district_share(filled) >= 0.5:
        evidence.append(MapEvidence("2020", "its district column names districts of "
                                            f"{old.province}, and the 2025 map has none"))
    maps = {e.vintage for e in evidence}
    if len(maps) == 1:
        found = MapEvidence(evidence[0].vintage, "; ".join(e.reason for e in evidence))
    elif len(maps) > 1:
        found = MapEvidence(None, "the file mixes the two maps: "
                                  + "; ".join(e.reason for e in evidence), mixed=True)
    else:
        local = [c for c in distinct if c in new.local_codes]
        share = len(local) / max(len(new.units), 1)
        if len(distinct) and len(local) == len(distinct) and share >= FULL_2025_SHARE:
            found = MapEvidence("2025", f"its {len(local)} codes are the units of "
                                        f"{new.province} on the 2025 map "
                                        f"({len(new.units)} units)")
        else:
            any_known = bool(in_old | in_new) or any(
                set(name_keys(n)) & (set(old.national_by_key) | set(new.national_by_key))
                for n in loose)
            found = MapEvidence(None, "its codes and names exist on both the 2020 and the "
                                      "2025 map", known=any_known)
    log.info("roster map: %s (%s)", found.vintage or "undecided", found.reason)
    return found
