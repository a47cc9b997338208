"""Commune tables: filtering, display columns, and CSV / XLSX export.

The border-communes page filters the coverage frame with :func:`filter_coverage`,
shows :func:`coverage_table` and offers it for download through
:func:`to_csv_bytes` and :func:`to_xlsx_bytes`. Every exported text cell that a
spreadsheet would read as a formula (beginning with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return) is prefixed with a single quote
(:func:`escape_formulas`), so a commune or file name such as ``=HYPERLINK(...)``
stays text.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable

import numpy as np
import pandas as pd

from geo._errors import BorderMapError
from geo.i18n import STRINGS, belt_label, country_label, t

log = logging.getLogger(__name__)

#: First characters that make a spreadsheet cell a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: Border-country filter choices.
BORDER_FILTERS = ("all", "any", "LAO", "CHN", "both", "none")

#: Border belts, from the border inwards.
BELTS = ("border", "second-line", "interior")

#: Columns of the planners' table, in order.
TABLE_COLUMNS = ["code", "name", "unit_type", "district", "border_countries", "border_belt",
                 "border_km_lao", "border_km_chn", "dist_to_border_km", "area_km2", "chiefs",
                 "deputies", "officers", "reinforcements", "total_police", "police_per_100km2",
                 "police_per_10km_border", "staffing_gap", "staffing_surplus", "old_communes"]

#: Columns of the selected-commune record, in order.
RECORD_COLUMNS = ["code", "name", "unit_type", "district", "province", "border_countries",
                  "border_belt", "border_km_lao", "border_km_chn", "dist_to_border_km",
                  "area_km2", "chiefs", "deputies", "officers", "reinforcements", "trained",
                  "total_police", "police_per_100km2", "police_per_10km_border",
                  "staffing_gap", "staffing_surplus", "old_communes", "approximate"]

_DECIMALS = {"border_km_lao": 1, "border_km_chn": 1, "dist_to_border_km": 1, "area_km2": 1,
             "police_per_100km2": 2, "police_per_10km_border": 2}


def escape_cell(value: object) -> object:
    """Return ``value`` with a leading ``'`` if it is text a spreadsheet would run.

    Parameters
    ----------
    value : object
        A cell value; only ``str`` values are changed.

    Returns
    -------
    object
        ``"'" + value`` for a string beginning with one of :data:`FORMULA_PREFIXES`,
        otherwise ``value`` unchanged.

    Examples
    --------
    >>> escape_cell("=1+1")
    "'=1+1"
    >>> escape_cell("Mường Nhé")
    'Mường Nhé'
    >>> escape_cell(-3)
    -3
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a new frame whose text cells and column names are formula-safe.

    Numbers are left as numbers (a negative number is not a formula); only text
    cells (and headers) are passed through :func:`escape_cell`.
    """
    out = frame.copy()
    for col in out.columns:
        if not (pd.api.types.is_object_dtype(out[col]) or pd.api.types.is_string_dtype(out[col])):
            continue
        out[col] = out[col].map(escape_cell).astype(object)
    out.columns = [escape_cell(str(c)) for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Return ``frame`` as formula-safe CSV, UTF-8 with a byte-order mark.

    The byte-order mark makes spreadsheet programs read Vietnamese diacritics
    correctly; the index is not written.
    """
    data = escape_formulas(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
    log.info("csv export: %d rows, %d columns, %d bytes", len(frame), frame.shape[1], len(data))
    return data


def to_xlsx_bytes(frame: pd.DataFrame, *, sheet_name: str = "communes") -> bytes:
    """Return ``frame`` as a formula-safe Excel workbook (one sheet, no index).

    Raises
    ------
    BorderMapError
        If ``sheet_name`` is not a valid Excel sheet name.
    """
    if not sheet_name or len(sheet_name) > 31 or any(c in sheet_name for c in "[]:*?/\\"):
        raise BorderMapError(f"sheet_name {sheet_name!r} is not a valid Excel sheet name")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        escape_formulas(frame).to_excel(writer, sheet_name=sheet_name, index=False)
    data = buffer.getvalue()
    log.info("xlsx export: %d rows, %d columns, %d bytes", len(frame), frame.shape[1], len(data))
    return data


def _has(countries: pd.Series, iso3: str) -> pd.Series:
    return countries.str.split(";").map(lambda parts: iso3 in parts)


def filter_coverage(cov: pd.DataFrame, *, border: str = "all",
                    belts: Iterable[str] | None = None,
                    districts: Iterable[str] | None = None,
                    gap_only: bool = False, reinforced_only: bool = False) -> pd.DataFrame:
    """Return the communes of ``cov`` that pass every filter (a new frame).

    Parameters
    ----------
    cov : DataFrame or GeoDataFrame
        Coverage frame (:func:`geo.coverage.load_coverage`).
    border : {"all", "any", "LAO", "CHN", "both", "none"}
        ``all``: no filter; ``any``: border communes (Laos or China);
        ``LAO`` / ``CHN``: communes on that border (including the tri-border one);
        ``both``: on both borders; ``none``: not a border commune.
    belts : iterable of str, optional
        Keep only these border belts (``border``, ``second-line``, ``interior``).
    districts : iterable of str, optional
        Keep only these districts (names as in ``cov["district"]``).
    gap_only : bool
        Keep only communes with a staffing gap > 0.
    reinforced_only : bool
        Keep only communes with at least one reinforcement.

    Returns
    -------
    Same type as ``cov``
        The matching rows, in the original order.

    Raises
    ------
    BorderMapError
        Unknown ``border`` choice or belt.
    """
    if border not in BORDER_FILTERS:
        raise BorderMapError(f"border filter must be one of {', '.join(BORDER_FILTERS)}, "
                             f"not {border!r}")
    countries = cov["border_countries"].fillna("").astype(str)
    keep = np.ones(len(cov), dtype=bool)
    lao, chn = _has(countries, "LAO").to_numpy(bool), _has(countries, "CHN").to_numpy(bool)
    if border == "any":
        keep &= (countries != "").to_numpy()
    elif border == "LAO":
        keep &= lao
    elif border == "CHN":
        keep &= chn
    elif border == "both":
        keep &= lao & chn
    elif border == "none":
        keep &= (countries == "").to_numpy()
    if belts is not None:
        belts = list(belts)
        unknown = sorted(set(belts) - set(BELTS))
        if unknown:
            raise BorderMapError(f"unknown border belt(s) {', '.join(unknown)}; "
                                 f"use {', '.join(BELTS)}")
        keep &= cov["border_belt"].isin(belts).to_numpy()
    if districts is not None:
        keep &= cov["district"].isin(list(districts)).to_numpy()
    if gap_only:
        keep &= (cov["staffing_gap"] > 0).to_numpy()
    if reinforced_only:
        keep &= (cov["reinforcements"] > 0).to_numpy()
    out = cov.loc[keep].copy()
    log.info("filter: %d of %d communes (border=%s, belts=%s, districts=%s, gap=%s, "
             "reinforced=%s)", len(out), len(cov), border,
             None if belts is None else len(belts),
             None if districts is None else len(list(districts)), gap_only, reinforced_only)
    return out


def _countries_text(value: str, lang: str) -> str:
    parts = [p for p in str(value or "").split(";") if p]
    return "; ".join(country_label(p, lang) for p in parts)


def coverage_table(cov: pd.DataFrame, *, lang: str = "vi",
                   columns: list[str] | None = None) -> pd.DataFrame:
    """Return the planners' table: chosen columns, labels in ``lang``, rounded numbers.

    Parameters
    ----------
    cov : DataFrame or GeoDataFrame
        Coverage frame (possibly filtered); the geometry is dropped.
    lang : {"vi", "en"}
        Language of the headers and of the country / belt values.
    columns : list of str, optional
        Columns to show, default :data:`TABLE_COLUMNS` (those missing from
        ``cov`` are left out, e.g. ``district`` on the 2025 map is kept empty).

    Returns
    -------
    pandas.DataFrame
        A new plain DataFrame with a default index.
    """
    columns = [c for c in (columns or TABLE_COLUMNS) if c in cov.columns]
    out = pd.DataFrame(cov[columns]).copy().reset_index(drop=True)
    if "border_countries" in out:
        out["border_countries"] = out["border_countries"].map(lambda v: _countries_text(v, lang))
    if "border_belt" in out:
        out["border_belt"] = out["border_belt"].map(lambda v: belt_label(v, lang))
    if "approximate" in out:
        out["approximate"] = out["approximate"].map(lambda v: t("yes" if v else "no", lang))
    for col, decimals in _DECIMALS.items():
        if col in out:
            out[col] = out[col].astype(float).round(decimals)
    carried = bool(getattr(cov, "attrs", {}).get("carried_over"))
    return out.rename(columns={c: column_label(c, lang, carried=carried) for c in out.columns})


def column_label(column: str, lang: str = "vi", *, carried: bool = False) -> str:
    """Return a table column's header; carried-over counts say they are posts held in 2020.

    With ``carried`` (a 2020 roster shown on the 2025 map), ``chiefs`` reads
    "Former commune chiefs (2020)", never "Chiefs", so that a merged unit is not
    read as having several chiefs.
    """
    key = f"col_{column}_carried" if carried else f"col_{column}"
    return t(key if key in STRINGS else f"col_{column}", lang)


def commune_record(cov: pd.DataFrame, code: str, *, lang: str = "vi") -> pd.DataFrame:
    """Return one commune's full record as a two-column (field, value) table.

    Raises
    ------
    BorderMapError
        If no commune of ``cov`` has ``code``.
    """
    rows = cov[cov["code"] == str(code)]
    if rows.empty:
        raise BorderMapError(f"no commune with code {code!r} in this map")
    table = coverage_table(rows, lang=lang, columns=RECORD_COLUMNS)
    values = ["" if pd.isna(v) else str(v) for v in table.iloc[0].tolist()]
    return pd.DataFrame({t("field", lang): list(table.columns), t("value", lang): values})
