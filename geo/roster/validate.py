"""Validate a roster file: read it, map its columns, tell its map, check every row.

A roster says, for each commune, how many regular police officers serve there.
Two layouts are accepted, told apart by the header (a ``role`` column means
per-officer):

Per commune (one row per commune)
    ``commune_code`` (GSO 5-digit code; or ``commune_name`` with an optional
    ``district``), ``chiefs``, ``deputies``, ``officers``, ``reinforcements``
    (empty cells count as 0), optional ``reinforcement_origin``, ``trained``
    (officers certified; more than the staff is a warning) and ``as_of``
    (yyyy-mm-dd or dd/mm/yyyy; a date after today is a warning).
Per officer (one row per person)
    ``commune_code`` (or name + district), ``role`` (chief / deputy / officer /
    reinforcement, or the Vietnamese titles), optional ``origin_unit``,
    ``trained`` (yes/no/1/0/có/không) and optional ``since``; aggregated to the
    per-commune form (``as_of`` is the latest ``since`` of the commune).

No personal data are needed. Columns that look like personal names or
identifiers (``name``, ``ho_ten``, ``full_name``, ``cccd``…) are dropped on
reading and never stored; a warning says so. A free-text ``note`` / ``ghi_chu``
column is ignored silently; other unknown columns are ignored with a warning.

Files: CSV in UTF-8 (with or without BOM), UTF-16 or UTF-32 with BOM or
Windows-1258 (what Vietnamese Excel writes), detected without asking and
normalised to NFC; delimiter ``,``, ``;`` or tab, sniffed. XLSX: the first
sheet (or ``sheet=``), read-only, cell values as last saved (formulas are never
evaluated; a formula without a saved value is an error saying so).

:func:`validate_roster` reports every problem at once, each with the file, the
row as a spreadsheet shows it (the header is row 1), the column and the reason;
a file with any error is rejected whole. At most :data:`MAX_PROBLEMS_PER_KIND`
problems of one kind (one check on one column) are listed, then one summary
problem counts the rest. The accepted roster is a new frame
with the columns of :data:`ROSTER_COLUMNS`, one row per commune.

Map (vintage): a roster is keyed to the 2020 map (129 units in Điện Biên) or
the 2025 map (45 units). The caller names it, or a ``vintage`` column does, or
it is detected from the codes and names (:mod:`geo.roster.vintage`); a file
whose codes belong to the other map than the one named is rejected with a
message that says which map they belong to.
"""


from __future__ import annotations

import hashlib
import logging
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from geo.plausibility import expected_codes, roster_findings
from geo._errors import RegistryError, RosterError
from geo._text import fold
from geo.matching import unit_matcher
from geo.registry import find_province, province_name
from geo.roster.columns import REQUIRED, ROSTER_COLUMNS, canonical_header, find_header, map_header
from geo.roster.problems import Kind, ProblemList, ValidationReport
from geo.roster.read import read_cells, read_source
from geo.roster.rules import (_objects_on_uniques, resolve_communes, validate_per_commune,
                              validate_per_officer)
from geo.roster.values import canonical_frame, normalise_codes, report_formulas
from geo.roster.vintage import detect_vintage
from geo.settings import DEFAULT_PROVINCE, DEFAULT_VINTAGE, VINTAGES

log = logging.getLogger(__name__)

__all__ = ["ROSTER_COLUMNS", "read_roster", "validate_roster"]

BorderCodes = set[str] | Callable[[str], set[str]] | None


def _shared_text(column: pd.Series) -> np.ndarray:
    """Return a text column as an object array in which equal cells are one string.

    A per-officer roster repeats a few codes, roles and dates down a million
    rows; one string per distinct value keeps such a column at a pointer a row.
    """
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    return np.asarray(uniques, dtype=object)[codes]


def _file_vintage(data: pd.DataFrame, rows: np.ndarray, column: str | None,
                  probs: ProblemList) -> str | None:
    """Return the map named by the file's ``vintage`` column (one value), or None."""
    if "vintage" not in data:
        return None
    text = data["vintage"].astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    given = text[text != ""]
    bad = ~given.isin(VINTAGES)
    if bad.any():
        at = data.index.get_indexer(given.index[bad])
        vals = given[bad].to_numpy()
        probs.add_rows(rows[at], column, lambda i: [f"{v!r} is not a map; write 2020 or 2025"
                                                    for v in vals[i]], kind="vintage")
        return None
    values = sorted(set(given))
    if len(values) > 1:
        probs.add(None, column, "the file names both maps (2020 and 2025); a roster is kept "
                                "for one map")
        return None
    return values[0] if values else None


def _choose_vintage(asked: str | None, data: pd.DataFrame, rows: np.ndarray,
                    headers: dict[str, str], province: str, probs: ProblemList) -> str | None:
    """Return the roster's map, or None after adding the problem that says why it cannot be."""
    column = headers.get("vintage")
    in_file = _file_vintage(data, rows, column, probs)
    if asked is not None and in_file is not None and asked != in_file:
        probs.add(None, column, f"the file says it is keyed to the {in_file} map, but it was "
                                f"given as the {asked} map")
        return None
    named = asked or in_file
    empty = pd.Series("", index=data.index, dtype=object)
    codes, ok = _objects_on_uniques(normalise_codes, data["commune_code"] if "commune_code"
                                    in data else empty)
    evidence = detect_vintage(codes.where(ok.astype(bool), ""),
                              data["commune_name"] if "commune_name" in data else None,
                              data["district"] if "district" in data else None,
                              province=province)
    if named is None and evidence.vintage is None:
        if evidence.mixed:
            probs.add(None, None, "cannot tell which administrative map this roster is keyed "
                                  f"to: {evidence.reason}; say whether it is the 2020 or the "
                                  "2025 map")
            return None
        if evidence.known:
            probs.add(None, None, f"{evidence.reason}: checked against the {DEFAULT_VINTAGE} map, "
                                  "the map in force; say so if it is the 2020 map", "warning")
        return DEFAULT_VINTAGE
    if named is not None and evidence.vintage not in (None, named):
        probs.add(None, headers.get("commune_code") or headers.get("commune_name"),
                  f"this roster is keyed to the {evidence.vintage} map, not the {named} "
                  f"map: {evidence.reason}")
        return None
    return named or evidence.vintage


def validate_roster(
    path_or_bytes: str | Path | bytes | BinaryIO,
    *,
    source_name: str | None = None,
    province: str = DEFAULT_PROVINCE,
    vintage: str | None = None,
    sheet: str | None = None,
    border_codes: BorderCodes = None,
    partial: bool | None = None,
) -> ValidationReport:
    r"""Read and check a roster file, reporting every problem at once.

    Parameters
    ----------
    path_or_bytes : str, Path, bytes or binary file object
        The roster: CSV (UTF-8, UTF-8 with BOM, UTF-16 or UTF-32 with BOM or
        Windows-1258; ``,``, ``;`` or tab) or XLSX.
    source_name : str, optional
        The name to show in problems; defaults to the file name.
    province : str
        The province the roster belongs to (name or code, any case/diacritics).
    vintage : {"2020", "2025"}, optional
        The administrative map the commune codes and names refer to; when
        ``None``, the file's ``vintage`` column or its codes and names decide
        (an undecidable file is an error that says so).
    sheet : str, optional
        XLSX sheet name; the first sheet when ``None``. Ignored for CSV.
    border_codes : set of str, or callable, optional
        Codes of the border communes (or a function of the map returning
        them); reinforcements elsewhere are warned about. ``None`` skips that
        check.
    partial : bool, optional
        ``False``: the roster is to replace the stored one, so a roster that
        does not list every xã of the province is an error. ``True``: a partial
        update (only the listed units change; a warning says so). ``None``
        (default): coverage is not judged — checking a file, not importing it.
        See :mod:`geo.plausibility`.

    Returns
    -------
    ValidationReport
        ``roster`` is the accepted per-commune frame, or ``None`` if there is
        any error. Bad content never raises.

    Raises
    ------
    TypeError
        If ``path_or_bytes`` is not a path, bytes or a binary file object.
    RegistryError
        If ``province`` or ``vintage`` is unknown.

    Examples
    --------
    >>> report = validate_roster(b"commune_code,chiefs,deputies,officers,"
    ...     b"reinforcements,trained,as_of\n03154,1,1,3,0,4,2024-05-01\n")
    >>> report.ok, report.roster["officers"].tolist()
    (True, [3])
    """
    if vintage is not None and str(vintage) not in VINTAGES:
        raise RegistryError(f"vintage must be one of {', '.join(VINTAGES)}, not {vintage!r}")
    asked = None if vintage is None else str(vintage)
    province_code = find_province(province, vintage=asked or "2025")
    chosen = asked or "2025"
    raw, name, unreadable = read_source(path_or_bytes, source_name)
    probs = ProblemList(name)
    digest = hashlib.sha256(raw).hexdigest() if raw is not None else ""
    kind: Kind = "per-commune"

    def report(n_rows: int = 0, roster: pd.DataFrame | None = None) -> ValidationReport:
        items = probs.finish()
        rep = ValidationReport(items, roster if not probs.n_errors else None, kind, n_rows,
                               digest, name, province_name(province_code, vintage=chosen),
                               chosen)
        log.info("roster %s: %s, %d data rows, %d communes, %d errors, %d warnings", name,
                 kind, n_rows, 0 if rep.roster is None else len(rep.roster),
                 len(rep.errors), len(rep.warnings))
        return rep

    if unreadable:
        probs.add(None, None, unreadable)
        return report()
    assert raw is not None
    got = read_cells(raw, sheet, probs)
    is_xlsx = raw.startswith(b"PK\x03\x04")
    del raw  # a million-row file: keep neither its bytes nor its text past this point
    if got is None:
        return report()
    cells, formulas = got
    del got
    header_at = find_header(cells)
    if header_at > 0 and (cells.iloc[:header_at] != "").to_numpy().any():
        probs.add(header_at, None, f"rows 1–{header_at} above the header were ignored",
                  "warning")
    header_vals = cells.iloc[header_at].tolist()
    body = cells.iloc[header_at + 1:]
    body_rows = np.arange(header_at + 2, len(cells) + 1)
    nonempty = (body != "").any(axis=1).to_numpy()
    if formulas:  # a row of formulas without saved values is not empty
        nonempty = nonempty | np.isin(body_rows, [i + 1 for i, _ in formulas])
    body, body_rows = body[nonempty], body_rows[nonempty]
    kind = "per-officer" if any(
        canonical_header(fold(h), "per-officer") == "role" for h in header_vals
    ) else "per-commune"
    headers, positions = map_header(header_vals, header_at + 1, body, body_rows, kind, probs)
    missing = [c for c in REQUIRED[kind] if c not in headers]
    if "commune_code" not in headers and "commune_name" not in headers:
        missing.insert(0, "commune_code (or commune_name)")
    for m in missing:
        probs.add(header_at + 1, m, f"missing required column {m}")
    n_rows = int(len(body))
    if n_rows == 0:
        probs.add(None, None, "no data rows under the header")
    if missing or n_rows == 0:
        return report(n_rows)
    if sheet is not None and not is_xlsx:
        probs.add(None, None, f"sheet={sheet!r} ignored: the file is CSV", "warning")

    del cells
    data = pd.DataFrame({c: _shared_text(body[positions[c]]) for c in positions},
                        index=range(n_rows), dtype=object)
    del body
    found = _choose_vintage(asked, data, body_rows, headers, province_code, probs)
    if found is None:
        return report(n_rows)
    chosen = found
    reg = unit_matcher(province_code, vintage=chosen)
    if "district" in headers and not reg.has_districts:
        probs.add(header_at + 1, headers["district"], f"the {reg.vintage} map has no "
                  "districts; the column is ignored", "warning")
    if formulas:
        report_formulas(formulas, body_rows, headers, positions, probs)
    # Asked for only when the checks need them, after the row-sized work is done.
    borders = (lambda: border_codes(chosen)) if callable(border_codes) else border_codes
    codes = resolve_communes(data, body_rows, headers, reg, probs)
    validate = validate_per_commune if kind == "per-commune" else validate_per_officer
    border_check: list = []
    frame = validate(data, body_rows, codes, headers, reg, borders, probs, deferred=border_check)
    del data, codes, body_rows  # the border analysis below does not stack on the rows
    for check in border_check:
        check()
    if probs.n_errors:
        return report(n_rows)
    frame = frame[frame["commune_code"].notna()]
    if frame.empty:
        probs.add(None, None, "no commune has counts")
        return report(n_rows)
    # plausibility: dates, all-zero rosters, every unit listed unless a partial update
    for severity, row, column, message in roster_findings(
            frame, expected_codes=expected_codes(reg.units), partial=partial,
            province=reg.province, date_column=headers.get("as_of") or headers.get("since")):
        probs.add(row, column, message, severity)
    if probs.n_errors:
        return report(n_rows)
    return report(n_rows, canonical_frame(frame))


def read_roster(
    path_or_bytes: str | Path | bytes | BinaryIO,
    *,
    source_name: str | None = None,
    province: str = DEFAULT_PROVINCE,
    vintage: str | None = None,
    sheet: str | None = None,
    border_codes: BorderCodes = None,
    partial: bool | None = None,
) -> pd.DataFrame:
    """Return the accepted roster frame, or raise if the file has any error.

    Same parameters as :func:`validate_roster`. Warnings are issued as one
    ``UserWarning``.

    Raises
    ------
    RosterError
        If the file has errors; ``problems`` holds every problem found.
    """
    rep = validate_roster(path_or_bytes, source_name=source_name, province=province,
                          vintage=vintage, sheet=sheet, border_codes=border_codes,
                          partial=partial)
    if not rep.ok:
        errs = rep.errors
        first = "; ".join(str(p) for p in errs[:3])
        more = f" (and {len(errs) - 3} more)" if len(errs) > 3 else ""
        raise RosterError(f"roster {rep.source_name} rejected: {len(errs)} error(s): "
                          f"{first}{more}", problems=rep.problems)
    if rep.warnings:
        shown = "; ".join(str(p) for p in rep.warnings[:3])
        warnings.warn(f"roster {rep.source_name}: {len(rep.warnings)} warning(s): {shown}",
                      UserWarning, stacklevel=2)
    assert rep.roster is not None
    return rep.roster


