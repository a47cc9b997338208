"""Plausibility of an accepted roster: dates, all-zero counts, every unit listed.

Well-formed cells can still describe an impossible roster: an as-of date of
0001-01-01, every count zero, or one commune where a province has 129 (which,
stored as the new version, would replace the other 128 with nothing). The
rules here run after the cell checks of :mod:`geo.roster`, on the per-commune
frame, and return problems for the caller to report:

* a date before :data:`MIN_DATE` is an error (rosters of this project start
  after 2000); a date after today stays a warning (checked by the reader);
* a roster whose counts are all zero is an error for a full roster
  (``partial=False``), a warning otherwise (a partial update may set the
  listed communes to zero; a file merely checked is not stored);
* a roster meant to replace the stored one (``partial=False``) must list every
  xã of the province (:func:`expected_codes`: commune police serve the xã;
  wards and towns may be listed but need not be), else it is an error; a
  *partial update* (``partial=True``) may list some units only: a warning says
  that only they change, and :func:`merge_partial` builds the full roster to
  store. ``partial=None`` (checking a file, not importing it) leaves coverage
  unjudged.
"""

from __future__ import annotations

import datetime as _dt
import logging
from collections.abc import Iterable

import pandas as pd

from geo._errors import RosterError
from geo._text import fold

log = logging.getLogger(__name__)

#: Earliest plausible as-of / since date.
MIN_DATE = _dt.date(2000, 1, 1)

#: Count columns whose total must not be zero.
STAFF_COLUMNS = ("chiefs", "deputies", "officers", "reinforcements")

#: (severity, spreadsheet row or None, column header or None, message).
Finding = tuple[str, "int | None", "str | None", str]


def _listed(codes: Iterable[str], limit: int = 10) -> str:
    codes = sorted(codes)
    more = f" and {len(codes) - limit} more" if len(codes) > limit else ""
    return ", ".join(codes[:limit]) + more


def expected_codes(units: pd.DataFrame) -> list[str]:
    """Return the codes a full roster must list: the xã of ``units`` (all units if none).

    Parameters
    ----------
    units : pandas.DataFrame
        Registry units of one province (columns ``code``, ``unit_type``).
    """
    xa = units[units["unit_type"].astype(str).map(fold_unit_type) == "xa"]
    return sorted(map(str, (xa if len(xa) else units)["code"]))


def fold_unit_type(text: str) -> str:
    """Return a unit type without case or diacritics (``"Xã"`` → ``"xa"``)."""
    return fold(text).replace(" ", "")


def roster_findings(frame: pd.DataFrame, *, expected_codes: Iterable[str],
                    partial: bool | None,
                    province: str, date_column: str | None = None,
                    min_date: _dt.date = MIN_DATE) -> list[Finding]:
    """Return the plausibility problems of a per-commune roster frame.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``commune_code``, the count columns, ``as_of`` (ISO text or
        missing) and optionally ``_row`` (spreadsheet row of each commune).
    expected_codes : iterable of str
        The codes a full roster must list (:func:`expected_codes`).
    partial : bool or None
        True for a declared partial update, False for a full replacement,
        None to leave coverage unjudged.
    province : str
        The province's name, for messages.
    date_column : str, optional
        The date column's header as written in the file, for messages.
    min_date : datetime.date
        Earliest plausible date.

    Returns
    -------
    list of tuple
        ``(severity, row, column, message)``; empty when the roster is plausible.
    """
    out: list[Finding] = []
    rows = frame["_row"] if "_row" in frame else pd.Series([None] * len(frame),
                                                            index=frame.index)
    dates = frame["as_of"].astype(object).where(frame["as_of"].notna(), "")
    early = dates.map(lambda v: bool(v) and str(v) < min_date.isoformat())
    for code, row, value in zip(frame.loc[early, "commune_code"], rows[early], dates[early]):
        out.append(("error", None if pd.isna(row) else int(row), date_column,
                    f"{value} for commune {code} is before {min_date.isoformat()}; "
                    "write the date the counts hold"))
    staff = frame[[c for c in STAFF_COLUMNS if c in frame]].to_numpy(dtype=float)
    if len(frame) and not (staff > 0).any():
        out.append(("error" if partial is False else "warning", None, None,
                    f"every count of the {len(frame)} commune(s) is 0; a roster with nobody "
                    "in post is not plausible (an empty cell of a required count is an "
                    "error, not 0)"))
    expected = set(map(str, expected_codes))
    listed = set(frame["commune_code"].astype(str))
    missing = expected - listed
    if partial is None:
        pass
    elif missing and not partial:
        out.append(("error", None, None,
                    f"the roster lists {len(listed & expected)} of the {len(expected)} "
                    f"communes of {province}; missing: {_listed(missing)}. A roster replaces "
                    "the whole province: list every commune, or declare the file a partial "
                    "update (then only the listed communes change)"))
    elif partial:
        out.append(("warning", None, None,
                    f"partial update: only the {len(listed)} listed commune(s) change; the "
                    f"other {len(missing)} of {province} keep their current counts"))
    log.info("roster plausibility: %d communes of %d, partial=%s, %d finding(s)",
             len(listed), len(expected), partial, len(out))
    return out


def merge_partial(current: pd.DataFrame | None, update: pd.DataFrame) -> pd.DataFrame:
    """Return the full roster after a partial update: ``current`` with ``update``'s rows.

    Parameters
    ----------
    current : pandas.DataFrame or None
        The current stored roster (one row per commune).
    update : pandas.DataFrame
        The partial roster; its communes replace those of ``current``.

    Returns
    -------
    pandas.DataFrame
        A new frame, one row per commune, sorted by code.

    Raises
    ------
    RosterError
        There is no current roster to update.
    """
    if current is None or current.empty:
        raise RosterError("a partial update needs a stored roster to update, and none was "
                          "imported yet; import a roster listing every commune first")
    keep = current[~current["commune_code"].isin(set(update["commune_code"]))]
    out = pd.concat([keep, update[list(current.columns)]], ignore_index=True)
    out = out.sort_values("commune_code", kind="stable").reset_index(drop=True)
    log.info("partial update: %d communes changed, %d kept", len(update), len(keep))
    return out


def roster_to_store(report_roster: pd.DataFrame, *, partial: bool, current: object | None,
                    province: str, vintage: str) -> pd.DataFrame:
    """Return the roster to store for an accepted file: itself, or merged for a partial update.

    Parameters
    ----------
    report_roster : pandas.DataFrame
        The accepted roster of the file.
    partial : bool
        Whether the file is a declared partial update.
    current : StoredRoster or None
        The current stored version (``frame``, ``province``, ``vintage``).
    province, vintage : str
        What the file was validated against.

    Raises
    ------
    RosterError
        A partial update without a current roster, or for another province or map.
    """
    if not partial:
        return report_roster
    if current is not None and (current.province, current.vintage) != (province, vintage):
        raise RosterError(f"the current roster is for {current.province} ({current.vintage}), "
                          f"not {province} ({vintage}); a partial update cannot apply to it")
    return merge_partial(None if current is None else current.frame, report_roster)
