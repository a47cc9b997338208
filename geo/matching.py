"""One matcher from the names and codes people write to the registry's units.

Rosters, official boundary files and border-commune lists all name communes
the way people write them: "Xã Nà Tòng", "xa na tong", "NA TONG" with a
district beside it, a 5-digit GSO code with or without its leading zero. This
module is the one place that turns such text into a registry code, for one
province on one administrative map:

* case and diacritics are folded (``đ`` is ``d``), a leading unit type word
  ("Xã", "Phường", "Thị trấn", also unaccented "xa …") is dropped;
* a district narrows the candidates on the 2020 map (the 2025 map has none);
* when several units still match, the one whose name matches *with* its
  diacritics wins ("Nà Tòng" is not "Na Tông"); otherwise the match is
  reported as ambiguous, naming every candidate — never guessed;
* a name that only exists in another province is reported as such.

:func:`unit_matcher` returns a cached :class:`UnitMatcher`; its
:meth:`~UnitMatcher.match_many` resolves a whole column once per distinct
(name, district) pair.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from geo._text import fold_unit
from geo.registry import find_province, load_units, province_name

log = logging.getLogger(__name__)

_ASCII_TYPE = re.compile(r"^(xa|phuong|thitran|huyen|quan|thixa|thanhpho|tp)(?=.)")
_TYPE_WORD = re.compile(r"^\s*(thành phố|thị xã|thị trấn|tỉnh|huyện|quận|phường|xã)\s+",
                        re.IGNORECASE)


def exact_key(text: object) -> str:
    """Return ``text`` case-folded with its diacritics kept and its type word dropped.

    Tells "Nà Tòng" from "Na Tông", which :func:`geo._text.fold_unit` cannot.

    Examples
    --------
    >>> exact_key("Xã Nà Tòng") == exact_key("nà tòng")
    True
    """
    nfc = unicodedata.normalize("NFC", str(text)).strip()
    return " ".join(_TYPE_WORD.sub("", nfc, count=1).casefold().split())


def name_keys(text: object) -> tuple[str, str | None]:
    """Return the folded key of a name, and a fallback without an unaccented type word.

    Examples
    --------
    >>> name_keys("xa Muong Nhe")
    ('xamuongnhe', 'muongnhe')
    """
    k = fold_unit(text)
    alt = _ASCII_TYPE.sub("", k, count=1)
    return k, (alt if alt != k else None)


@dataclass(frozen=True)
class Match:
    """The outcome of matching one name: a code, or the reason there is none."""

    code: str | None
    reason: str | None = None


class UnitMatcher:
    """Names and codes of one province's commune-level units on one map.

    Parameters
    ----------
    province : str
        Province name or code (any case, with or without diacritics).
    vintage : {"2020", "2025"}
        The administrative map.

    Raises
    ------
    RegistryError
        If the province or vintage is unknown.
    """

    def __init__(self, province: str, *, vintage: str) -> None:
        self.vintage = str(vintage)
        self.province_code = find_province(province, vintage=self.vintage)
        self.province = province_name(self.province_code, vintage=self.vintage)
        self.national = load_units(self.vintage).set_index("code", drop=False)
        self.units = self.national[self.national["province_code"] == self.province_code]
        #: Every code of the map (nationally), and the province's codes.
        self.codes = frozenset(self.national.index)
        self.local_codes = frozenset(self.units.index)
        self.by_key: dict[str, list[str]] = {}
        self.national_by_key: dict[str, list[str]] = {}
        keys = self.national["name"].map(fold_unit)
        for c, k, p in zip(self.national["code"], keys, self.national["province_code"]):
            self.national_by_key.setdefault(k, []).append(c)
            if p == self.province_code:
                self.by_key.setdefault(k, []).append(c)
        self._district_keys = self.units["district"].map(fold_unit)
        #: (name, district) of each of the province's codes (a check per row looks it up)
        self._name_district = dict(zip(self.units["code"],
                                       zip(self.units["name"], self.units["district"])))
        log.info("matcher %s %s: %d units, %d distinct names", self.province, self.vintage,
                 len(self.units), len(self.by_key))

    def __repr__(self) -> str:
        """Return ``UnitMatcher('Tỉnh Điện Biên', vintage='2025')``."""
        return f"UnitMatcher({self.province!r}, vintage={self.vintage!r})"

    @property
    def has_districts(self) -> bool:
        """Whether this map has districts (2020 does, 2025 does not)."""
        return bool((self.units["district"] != "").any())

    @functools.cached_property
    def national_names(self) -> dict[str, str]:
        """The name of every unit of the map, by code."""
        return dict(zip(self.national["code"], self.national["name"]))

    def describe(self, code: str) -> str:
        """Return ``"Xã Nà Tòng (Huyện Tuần Giáo, Tỉnh Điện Biên, 03263)"`` for a known code."""
        u = self.national.loc[code]
        where = f"{u['district']}, " if u["district"] else ""
        return f"{u['name']} ({where}{u['province']}, {code})"

    def match(self, name: str, district: str = "") -> Match:
        """Return the code of the unit called ``name`` (in ``district``), or why there is none."""
        key, alt = name_keys(name)
        cands = list(self.by_key.get(key, [])) or (list(self.by_key.get(alt, [])) if alt
                                                    else [])
        if not cands:
            elsewhere = self.national_by_key.get(key, []) or (
                self.national_by_key.get(alt, []) if alt else [])
            if elsewhere:
                shown = "; ".join(self.describe(c) for c in elsewhere[:3])
                more = f" and {len(elsewhere) - 3} more" if len(elsewhere) > 3 else ""
                return Match(None, f"no commune named {name!r} in {self.province}; "
                                   f"outside the province: {shown}{more}")
            return Match(None, f"no commune named {name!r} in {self.province} "
                               f"({self.vintage} registry)")
        if district and self.has_districts:
            dkey, dalt = name_keys(district)
            inside = [c for c in cands if self._district_keys.loc[c] in (dkey, dalt)]
            if not inside:
                shown = "; ".join(self.describe(c) for c in cands)
                return Match(None, f"no commune named {name!r} in district {district!r}; "
                                   f"found {shown}")
            cands = inside
        if len(cands) > 1:
            exact = [c for c in cands if exact_key(self.units.loc[c, "name"]) == exact_key(name)]
            if len(exact) == 1:
                return Match(exact[0])
            shown = "; ".join(self.describe(c) for c in cands)
            return Match(None, f"commune name {name!r} matches {len(cands)} communes: {shown}; "
                               "add the district or use commune_code")
        return Match(cands[0])

    def check(self, code: str, name: str = "", district: str = "") -> str | None:
        """Return why ``code`` and the name/district written beside it disagree, or None."""
        unit_name, unit_district = self._name_district[code]
        if name and fold_unit(unit_name) not in name_keys(name):
            return (f"commune_code {code} is {unit_name} but the name column says "
                    f"{name!r}; check which one is right")
        if district and unit_district and fold_unit(unit_district) not in name_keys(
                district):
            return (f"commune_code {code} is in {unit_district} but the district column "
                    f"says {district!r}")
        return None

    def match_many(self, names: pd.Series, districts: pd.Series | None = None
                   ) -> tuple[pd.Series, pd.Series]:
        """Match a column of names (and districts), once per distinct pair.

        Returns
        -------
        codes, reasons : pandas.Series
            Aligned with ``names``: the code (NaN when unmatched) and the reason
            it is unmatched (NaN when matched).
        """
        names = names.fillna("").astype(str)
        dists = (districts.fillna("").astype(str) if districts is not None
                 else pd.Series("", index=names.index, dtype=object))
        pair = names + "\x1f" + dists
        found = {p: self.match(*p.split("\x1f")) for p in pair.unique()}
        codes = pair.map({p: m.code for p, m in found.items()})
        reasons = pair.map({p: m.reason for p, m in found.items()})
        log.info("matcher %s %s: %d names, %d matched", self.province, self.vintage,
                 len(names), int(codes.notna().sum()))
        return codes.astype(object), reasons.astype(object)

    def name_share(self, values: pd.Series) -> float:
        """Share of the non-empty ``values`` that are a unit name of the province."""
        folded = values.dropna().astype(str).map(fold_unit)
        return float(folded.isin(self.by_key.keys()).mean()) if len(folded) else 0.0

    def district_share(self, values: pd.Series) -> float:
        """Share of the non-empty ``values`` that are a district name of the province."""
        known = set(self._district_keys) - {""}
        keys = values.dropna().astype(str).map(name_keys)
        return float(keys.map(lambda k: bool(set(k) & known)).mean()) if len(keys) else 0.0


@functools.lru_cache(maxsize=16)
def _matcher(province_code: str, vintage: str) -> UnitMatcher:
    return UnitMatcher(province_code, vintage=vintage)


def unit_matcher(province: str, *, vintage: str) -> UnitMatcher:
    """Return the (cached) :class:`UnitMatcher` of a province on a map.

    Raises
    ------
    RegistryError
        If the province or vintage is unknown.
    """
    return _matcher_named(str(province), str(vintage))


@functools.lru_cache(maxsize=64)
def _matcher_named(province: str, vintage: str) -> UnitMatcher:
    return _matcher(find_province(province, vintage=vintage), vintage)

