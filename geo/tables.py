"""Commune tables: filtering, display columns, and CSV / XLSX export.

The border-communes page filters the coverage frame with :func:`filter_coverage`,
shows :func:`coverage_table` and offers it for download through
:func:`to_csv_bytes` and :func:`to_xlsx_bytes`. Every exported text cell that a
spreadsheet would read as a formula (beginning with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return) is prefixed with a single quote
(:func:`escape_formulas`), so a commune or file name such as ``=HYPERLINK(...)``
stays text.

Downloads are fit for work: :func:`download_table` adds the trained count and the
reinforcement origin to the shown columns; :func:`provenance_rows` states where
the data come from (boundary source, roster version and as-of date, sample
marking — the notes of :mod:`geo.style`), written as a ``#`` header in the CSV
and as the sheet "Nguồn dữ liệu" of the XLSX, whose table sheet "Danh sách xã"
has a frozen header row, an auto-filter and fitted column widths.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import threading
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from geo._errors import BorderMapError
from geo.border_list import border_in_use, countries_in_use
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
                 "border_listed", "border_disagreement", "border_km_lao", "border_km_chn", "dist_to_border_km", "area_km2", "chiefs",
                 "deputies", "officers", "reinforcements", "total_police", "police_per_100km2",
                 "police_per_10km_border", "staffing_gap", "staffing_surplus", "old_communes"]

#: Columns of the selected-commune record, in order.
RECORD_COLUMNS = ["code", "name", "unit_type", "district", "province", "border_countries",
                  "border_belt", "border_listed", "border_disagreement", "border_km_lao", "border_km_chn", "dist_to_border_km",
                  "area_km2", "chiefs", "deputies", "officers", "reinforcements", "trained",
                  "total_police", "police_per_100km2", "police_per_10km_border",
                  "staffing_gap", "staffing_surplus", "old_communes", "approximate"]

_DISAGREEMENT_KEYS = {"listed but computed interior": "disagree_listed_interior",
                      "computed border but not listed": "disagree_computed_unlisted"}

#: Extra columns of the downloads: trained count and reinforcement origin.
DOWNLOAD_EXTRA_COLUMNS = ["trained", "reinforcement_origin"]

#: Sheet names of the XLSX download (Vietnamese, as the users' spreadsheets have them).
SHEET_COMMUNES = "Danh sách xã"
SHEET_PROVENANCE = "Nguồn dữ liệu"

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


def to_csv_bytes(frame: pd.DataFrame, *,
                 provenance: Sequence[tuple[str, str]] | None = None) -> bytes:
    """Return ``frame`` as formula-safe CSV, UTF-8 with a byte-order mark.

    The byte-order mark makes spreadsheet programs read Vietnamese diacritics
    correctly; the index is not written.

    Parameters
    ----------
    frame : DataFrame
        The table.
    provenance : sequence of (item, value), optional
        Written first, one ``# item,value`` line each (:func:`provenance_rows`),
        so ``pandas.read_csv(..., comment="#")`` reads the table alone.
    """
    buffer = io.StringIO()
    if provenance:
        writer = csv.writer(buffer, lineterminator="\r\n")
        for item, value in provenance:
            writer.writerow([f"# {item}", escape_cell(str(value))])
    escape_formulas(frame).to_csv(buffer, index=False, lineterminator="\r\n")
    data = buffer.getvalue().encode("utf-8-sig")
    log.info("csv export: %d rows, %d columns, %d provenance lines, %d bytes", len(frame),
             frame.shape[1], len(provenance or ()), len(data))
    return data


def _check_sheet_name(sheet_name: str) -> None:
    if not sheet_name or len(sheet_name) > 31 or any(c in sheet_name for c in "[]:*?/\\"):
        raise BorderMapError(f"sheet_name {sheet_name!r} is not a valid Excel sheet name")


def to_xlsx_bytes(frame: pd.DataFrame, *, sheet_name: str = SHEET_COMMUNES,
                  provenance: Sequence[tuple[str, str]] | None = None,
                  provenance_sheet: str = SHEET_PROVENANCE, lang: str = "vi") -> bytes:
    """Return ``frame`` as a formula-safe Excel workbook, ready to work with.

    The table sheet has a frozen header row, an auto-filter over the table and
    column widths fitted to the content; with ``provenance``, a second sheet
    lists where the data come from.

    Parameters
    ----------
    frame : DataFrame
        The table (no index is written).
    sheet_name : str
        Name of the table sheet (default "Danh sách xã").
    provenance : sequence of (item, value), optional
        Rows of the provenance sheet (:func:`provenance_rows`).
    provenance_sheet : str
        Name of the provenance sheet (default "Nguồn dữ liệu").
    lang : {"vi", "en"}
        Language of the provenance sheet's header.

    Raises
    ------
    BorderMapError
        If a sheet name is not a valid Excel sheet name.
    """
    _check_sheet_name(sheet_name)
    if provenance is not None:
        _check_sheet_name(provenance_sheet)
        if provenance_sheet == sheet_name:
            raise BorderMapError("the provenance sheet needs a name of its own")
    safe = escape_formulas(frame)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe.to_excel(writer, sheet_name=sheet_name, index=False)
        _work_ready(writer.sheets[sheet_name], safe)
        if provenance is not None:
            prov = pd.DataFrame([(str(i), escape_cell(str(v))) for i, v in provenance],
                                columns=[t("prov_item", lang), t("prov_value", lang)])
            prov.to_excel(writer, sheet_name=provenance_sheet, index=False)
            _work_ready(writer.sheets[provenance_sheet], prov, max_width=100)
    data = buffer.getvalue()
    log.info("xlsx export: %d rows, %d columns, %d provenance rows, %d bytes", len(frame),
             frame.shape[1], len(provenance or ()), len(data))
    return data


def _work_ready(sheet, frame: pd.DataFrame, *, max_width: int = 45) -> None:
    """Freeze the header row, filter the table, fit the column widths (openpyxl sheet)."""
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "A2"
    if frame.shape[1]:
        last = get_column_letter(frame.shape[1])
        sheet.auto_filter.ref = f"A1:{last}{len(frame) + 1}"
    for i, col in enumerate(frame.columns, start=1):
        cells = [str(col)] + ["" if pd.isna(v) else str(v) for v in frame[col].tolist()]
        width = min(max(len(c) for c in cells) + 2, max_width)
        sheet.column_dimensions[get_column_letter(i)].width = max(width, 6)


def reinforcement_origins(cov: pd.DataFrame, roster: pd.DataFrame) -> pd.Series:
    """Return the reinforcement origin per commune code of ``cov`` (``""`` when none).

    Parameters
    ----------
    cov : DataFrame
        Coverage frame (``code``; ``attrs["vintage"]``).
    roster : DataFrame
        The roster (``commune_code``, ``reinforcement_origin``), kept on the 2020
        map; on the 2025 map its codes are carried over through the crosswalk,
        as the counts are (:func:`geo.coverage.roster_to_2025`).

    Returns
    -------
    pandas.Series
        Index ``cov["code"]``; origins of one commune joined with ``"; "``.
    """
    codes = cov["code"].astype(str)
    if "reinforcement_origin" not in roster or "commune_code" not in roster:
        return pd.Series("", index=codes.to_numpy(), dtype=object)
    frame = roster[["commune_code", "reinforcement_origin"]].copy()
    frame["commune_code"] = frame["commune_code"].astype(str)
    frame["reinforcement_origin"] = frame["reinforcement_origin"].fillna("").astype(str).str.strip()
    frame = frame[frame["reinforcement_origin"] != ""]
    if str(getattr(cov, "attrs", {}).get("vintage", "")) == "2025" and len(frame):
        from geo import registry

        cw = registry.load_crosswalk()
        target = (cw.sort_values(["old_code", "default"], ascending=[True, False])
                  .drop_duplicates("old_code").set_index("old_code")["new_code"])
        frame["commune_code"] = frame["commune_code"].map(target).fillna(frame["commune_code"])
    joined = frame.groupby("commune_code")["reinforcement_origin"].agg(
        lambda s: "; ".join(sorted(set(s))))
    return pd.Series(codes.map(joined).fillna("").to_numpy(), index=codes.to_numpy(),
                     dtype=object)


def download_table(cov: pd.DataFrame, *, lang: str = "vi",
                   roster: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the table the downloads carry: the planners' columns, trained, origin.

    Parameters
    ----------
    cov : DataFrame or GeoDataFrame
        Coverage frame (possibly filtered).
    lang : {"vi", "en"}
        Language of the headers and labels.
    roster : DataFrame, optional
        The current roster, for the reinforcement origin when ``cov`` has no
        ``reinforcement_origin`` column (:func:`geo.coverage.current_roster`).

    Returns
    -------
    pandas.DataFrame
        :func:`coverage_table` with the trained count and the reinforcement origin.
    """
    frame = pd.DataFrame(cov.drop(columns="geometry", errors="ignore")).copy()
    if "reinforcement_origin" not in frame:
        frame["reinforcement_origin"] = (
            reinforcement_origins(frame, roster).to_numpy() if roster is not None else "")
    frame["reinforcement_origin"] = frame["reinforcement_origin"].fillna("").astype(str)
    frame.attrs = dict(getattr(cov, "attrs", {}) or {})
    return coverage_table(frame, lang=lang, columns=TABLE_COLUMNS + DOWNLOAD_EXTRA_COLUMNS)


def provenance_rows(cov: pd.DataFrame, *, lang: str = "vi", filters: str = "",
                    origins: Iterable[str] = (), made: dt.date | None = None,
                    boundary_source: str | None = None) -> list[tuple[str, str]]:
    """Return the provenance of a download as ``(item, value)`` rows.

    Boundary source, roster (sample marking, or version and file), as-of date,
    administrative map, province, filters, row count, trained and reinforcement
    totals and origins, export date, then every provenance note of
    :func:`geo.style.provenance_notes`.

    Parameters
    ----------
    cov : DataFrame
        The rows downloaded (a filtered coverage frame with its ``attrs``).
    lang : {"vi", "en"}
        Language of the items.
    filters : str
        Description of the filters applied.
    origins : iterable of str
        Reinforcement origins of the rows (default: the frame's
        ``reinforcement_origin`` column, if any).
    made : datetime.date, optional
        Export date; default today.
    boundary_source : str, optional
        Name of the official boundaries file in use.
    """
    from geo.style import provenance_notes

    attrs = getattr(cov, "attrs", {}) or {}
    unknown = t("prov_unknown", lang)
    if attrs.get("approximate", bool("approximate" in cov and cov["approximate"].any())):
        boundaries = t("approximate_note", lang)
    elif boundary_source:
        boundaries = t("official_boundaries", lang, source=boundary_source)
    elif "note" in cov and len(cov):
        boundaries = str(pd.Series(cov["note"]).iloc[0])
    else:
        boundaries = unknown
    if attrs.get("sample_roster"):
        roster = t("prov_roster_sample", lang)
    elif attrs.get("roster_version") is not None:
        roster = t("prov_roster_version", lang, version=attrs["roster_version"],
                   source=attrs.get("roster_source") or unknown)
    else:
        roster = unknown
    origins = list(origins) or (list(cov["reinforcement_origin"]) if "reinforcement_origin"
                                in cov else [])
    origin_set = sorted({o.strip() for v in origins for o in str(v or "").split(";")
                         if o.strip()})
    rows = [
        (t("prov_boundaries", lang), boundaries),
        (t("prov_roster", lang), roster),
        (t("prov_as_of", lang), str(attrs.get("roster_as_of") or unknown)),
        (t("prov_vintage", lang), str(attrs.get("vintage") or unknown)),
        (t("prov_province", lang), str(attrs.get("province") or unknown)),
        (t("prov_filters", lang), filters or "—"),
        (t("prov_rows", lang), str(len(cov))),
        (t("prov_trained", lang), str(int(cov["trained"].sum())) if "trained" in cov
         else unknown),
        (t("prov_reinforcements", lang), str(int(cov["reinforcements"].sum()))
         if "reinforcements" in cov else unknown),
        (t("prov_origins", lang), "; ".join(origin_set) or "—"),
        (t("prov_made", lang), (made or dt.date.today()).isoformat()),
    ]
    if attrs.get("sample_roster"):
        rows.insert(0, (t("prov_marking", lang).upper(), t("sample_note", lang)))
    shown = {boundaries, t("sample_note", lang)}
    rows += [(t("prov_note", lang), note) for note in provenance_notes(cov, lang=lang)
             if note not in shown]
    return rows


def describe_filters(*, border: str = "all", belts: Iterable[str] | None = None,
                     districts: Iterable[str] | None = None, gap_only: bool = False,
                     reinforced_only: bool = False, lang: str = "vi") -> str:
    """Return the filters of the border-communes page in words (for the provenance)."""
    parts = [f"{t('filter_border', lang)}: {t(f'border_{border}', lang)}"]
    if belts is not None and set(belts) != set(BELTS):
        parts.append(f"{t('filter_belt', lang)}: "
                     + ", ".join(belt_label(b, lang) for b in belts))
    if districts:
        parts.append(f"{t('filter_district', lang)}: " + ", ".join(districts))
    if gap_only:
        parts.append(t("filter_gap", lang))
    if reinforced_only:
        parts.append(t("filter_reinforced", lang))
    return "; ".join(parts)


def download_files(cov: pd.DataFrame, *, lang: str = "vi", filters: str = "", store=None,
                   boundary_source: str | None = None, made: dt.date | None = None
                   ) -> tuple[bytes, bytes]:
    """Return the CSV and XLSX downloads of ``cov``, each with its provenance.

    Parameters
    ----------
    cov : DataFrame
        The filtered coverage frame (with its ``attrs``).
    lang : {"vi", "en"}
        Language of headers, labels and provenance items.
    filters : str
        The filters in words (:func:`describe_filters`).
    store : RosterStore, optional
        Where the current roster (for the reinforcement origins) is read from.
    boundary_source : str, optional
        Name of the official boundaries file in use.
    made : datetime.date, optional
        Export date; default today.

    Returns
    -------
    (bytes, bytes)
        CSV (UTF-8 with BOM, ``#`` provenance header) and XLSX (table sheet,
        provenance sheet).
    """
    roster = None
    if "reinforcement_origin" not in cov:
        from geo.coverage import current_roster
        from geo.settings import DEFAULT_PROVINCE, DEFAULT_VINTAGE

        # the roster of the frame's own province and map (never another province's)
        province = (str(cov["province_code"].iloc[0]) if "province_code" in cov and len(cov)
                    else DEFAULT_PROVINCE)
        roster = current_roster(store, province=province,
                                vintage=str(cov.attrs.get("vintage") or DEFAULT_VINTAGE),
                                communes=cov)[0]
    table = download_table(cov, lang=lang, roster=roster)
    origin_col = t("col_reinforcement_origin", lang)
    prov = provenance_rows(cov, lang=lang, filters=filters, origins=table[origin_col],
                           made=made, boundary_source=boundary_source)
    return (to_csv_bytes(table, provenance=prov),
            to_xlsx_bytes(table, provenance=prov, lang=lang))


def deferred_downloads(cov: pd.DataFrame, **kwargs) -> tuple[Callable[[], bytes],
                                                               Callable[[], bytes]]:
    """Return two callables giving the CSV and the XLSX of :func:`download_files`.

    Nothing is built until one is called (Streamlit calls it when the button is
    clicked, not on every rerun of the page); both files are built together on the
    first call and kept for the other. ``kwargs`` are :func:`download_files`'s.
    """
    frame = cov.copy()
    frame.attrs = dict(cov.attrs)
    built: list[tuple[bytes, bytes]] = []
    lock = threading.Lock()

    def files() -> tuple[bytes, bytes]:
        with lock:
            if not built:
                built.append(download_files(frame, **kwargs))
            return built[0]

    return (lambda: files()[0]), (lambda: files()[1])


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
        ``both``: on both borders; ``none``: not a border commune. Where an
        official border-commune list is loaded (``is_border``), it decides:
        ``any`` includes a listed commune with no computed country, ``LAO`` /
        ``CHN`` use the list's countries when it gives them.
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
    countries = countries_in_use(cov)
    flagged = border_in_use(cov)
    keep = np.ones(len(cov), dtype=bool)
    lao, chn = _has(countries, "LAO").to_numpy(bool), _has(countries, "CHN").to_numpy(bool)
    if border == "any":
        keep &= flagged
    elif border == "LAO":
        keep &= lao
    elif border == "CHN":
        keep &= chn
    elif border == "both":
        keep &= lao & chn
    elif border == "none":
        keep &= ~flagged
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
    if "border_listed" in cov and cov["border_listed"].isna().all():
        # no official list loaded: the list columns would be empty
        columns = [c for c in columns if c not in ("border_listed", "border_disagreement")]
    out = pd.DataFrame(cov[columns]).copy().reset_index(drop=True)
    if "border_listed" in out:
        out["border_listed"] = out["border_listed"].map(lambda v: t("yes" if v else "no", lang))
    if "border_disagreement" in out:
        out["border_disagreement"] = out["border_disagreement"].map(
            lambda v: t(_DISAGREEMENT_KEYS[v], lang) if v in _DISAGREEMENT_KEYS else "")
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
