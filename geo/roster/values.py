"""Cell values of a roster: counts, codes, dates, roles, yes/no — vectorised, with messages.

Each parser takes a column of stripped text and returns the parsed values and
one message per bad cell (NaN where the cell is fine); :func:`on_uniques` runs a
parser once per distinct value, which is what makes 100,000-row per-officer
files fast.
"""

from __future__ import annotations

import datetime as _dt
import re

import numpy as np
import pandas as pd

from geo._text import fold
from geo.roster.columns import COUNT_COLUMNS, MAX_COUNT
from geo.roster.problems import ProblemList, Severity

# Roles, matched after fold(); the Vietnamese titles may end in "Công an xã/phường/thị trấn".
_ROLE_PATTERNS = (
    ("chief", re.compile(r"(chiefs?|truong(congan|ca)?(xa|phuong|thitran|tt)?)")),
    ("deputy", re.compile(
        r"(deput(y|ies)|deputychiefs?|pho|photruong(congan|ca)?(xa|phuong|thitran|tt)?)")),
    ("officer", re.compile(r"(officers?|conganvien|cav)")),
    ("reinforcement", re.compile(r"(reinforcements?|tangcuong|canbotangcuong)")),
)
_YES = frozenset({"yes", "y", "1", "true", "co", "x", "dat"})
_NO = frozenset({"no", "n", "0", "false", "khong", "chua", "ko"})

_INT_TEXT = re.compile(r"[+]?\d+(\.0+)?")
_AMBIGUOUS_THOUSANDS = re.compile(r"\d{1,3}\.0{3}")
_ISO_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_DMY_DATE = re.compile(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}")

def parse_counts(values: pd.Series, *, empty_is_zero: bool
                  ) -> tuple[pd.Series, pd.Series]:
    """Return (integer counts with NaN where bad or empty, message per bad cell or NaN)."""
    text = values.str.replace(r"\s+", "", regex=True)
    num = pd.to_numeric(text.where(text != ""), errors="coerce")
    msg = pd.Series(np.nan, index=values.index, dtype=object)
    is_empty = text == ""
    folded = text.str.lower()
    nonfinite = folded.isin(["nan", "inf", "+inf", "-inf", "infinity", "-infinity"]) | (
        num.notna() & ~np.isfinite(num.fillna(0)))
    not_number = ~is_empty & num.isna() & ~nonfinite
    whole = text.str.fullmatch(_INT_TEXT.pattern).fillna(False).astype(bool)
    ambiguous = text.str.fullmatch(_AMBIGUOUS_THOUSANDS.pattern).fillna(False).astype(bool)
    negative = num.notna() & (num < 0) & ~nonfinite
    fractional = num.notna() & ~negative & ~nonfinite & (num != np.floor(num.fillna(0)))
    huge = num.notna() & ~nonfinite & ~negative & (num > MAX_COUNT)

    def put(mask: pd.Series, make) -> None:
        todo = mask & msg.isna()
        if todo.any():
            msg[todo] = [make(v) for v in values[todo]]

    if not empty_is_zero:
        put(is_empty, lambda v: _EMPTY_COUNT)
    put(nonfinite, lambda v: f"{v!r} is not a finite number")
    put(not_number, lambda v: f"{v!r} is not a number")
    put(negative, lambda v: f"{v!r} is negative")
    put(fractional, lambda v: f"{v!r} is not a whole number")
    put(ambiguous, lambda v: f"{v!r} is ambiguous (thousands separator?); write the "
                             "whole number without separators")
    put(huge, lambda v: f"{v!r} is more than {MAX_COUNT:,} for one commune")
    put(~is_empty & ~whole & msg.isna(), lambda v: f"{v!r} is not a whole number")
    counts = num.where(msg.isna())
    if empty_is_zero:
        counts = counts.where(~is_empty, 0.0)
    return counts, msg


def parse_count_columns(data: pd.DataFrame, columns, *, empty_is_zero=frozenset()
                        ) -> dict[str, tuple[pd.Series, pd.Series]]:
    """:func:`parse_counts` of each of ``columns``, run once on their distinct values.

    The count columns of a roster hold the same few values (0, 1, 2 …), so the
    values of all of them are parsed together, once each. A column named in
    ``empty_is_zero`` reads an empty cell as 0, the others call it an error.
    Returns ``{column: (counts, messages)}`` as :func:`parse_counts` gives them.
    """
    factorized = {c: pd.factorize(data[c].to_numpy(dtype=object)) for c in columns}
    distinct = pd.Index(pd.unique(np.concatenate([u for _, u in factorized.values()])))
    num, msg = parse_counts(pd.Series(distinct, dtype=object), empty_is_zero=True)
    num, msg = num.to_numpy(), msg.to_numpy(dtype=object)
    out = {}
    for c, (codes, uniques) in factorized.items():
        at = distinct.get_indexer(uniques)[codes]
        counts = pd.Series(num[at], index=data.index, dtype=float)
        message = pd.Series(msg[at], index=data.index, dtype=object)
        if c not in empty_is_zero:  # as parse_counts(..., empty_is_zero=False) reads it
            empty = (data[c] == "").to_numpy()
            counts[empty] = np.nan
            message[empty] = _EMPTY_COUNT
        out[c] = counts, message
    return out


#: The message of an empty count cell where empty is not read as 0.
_EMPTY_COUNT = "empty; write 0 if there are none"


def on_uniques(fn):
    """Wrap ``fn(series) -> tuple of series`` to run once per distinct value.

    Per-officer files repeat the same few values down 100,000 rows, so this is
    much faster than working on every cell.
    """

    def wrapper(values: pd.Series, **kwargs):
        codes, uniques = pd.factorize(values.to_numpy(dtype=object))
        results = fn(pd.Series(uniques, dtype=object), **kwargs)
        return tuple(pd.Series(r.to_numpy()[codes], index=values.index, dtype=r.dtype)
                     for r in results)

    wrapper.__doc__ = fn.__doc__
    return wrapper


def normalise_codes(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return (5-digit code text, well-formed flag) for commune code cells."""
    code = values.str.replace(r"\.0+$", "", regex=True)
    well_formed = (values != "") & code.str.fullmatch(r"\d{1,5}").fillna(False).astype(bool)
    return code.where(~well_formed, code.str.zfill(5)), well_formed


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return (ISO date text or NaN, message per bad non-empty cell or NaN)."""
    text = values.str.strip()
    text = text.str.replace(r"[ T]00:00(:00(\.0+)?)?$", "", regex=True)
    iso_mask = text.str.fullmatch(_ISO_DATE.pattern).fillna(False).astype(bool)
    dmy_mask = text.str.fullmatch(_DMY_DATE.pattern).fillna(False).astype(bool)
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    if iso_mask.any():
        parsed[iso_mask] = pd.to_datetime(text[iso_mask], format="%Y-%m-%d", errors="coerce")
    if dmy_mask.any():
        norm = text[dmy_mask].str.replace(r"[.\-]", "/", regex=True)
        parsed[dmy_mask] = pd.to_datetime(norm, format="%d/%m/%Y", errors="coerce")
    bad = (text != "") & parsed.isna()
    msg = pd.Series(np.nan, index=values.index, dtype=object)
    if bad.any():
        msg[bad] = [f"{v!r} is not a valid date (use yyyy-mm-dd or dd/mm/yyyy)"
                    for v in values[bad]]
    iso = parsed.dt.strftime("%Y-%m-%d").astype(object).where(parsed.notna(), np.nan)
    return iso, msg


def parse_roles(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    uniq = values.unique()
    table: dict[str, str | None] = {}
    for v in uniq:
        f = fold(v)
        table[v] = next((r for r, pat in _ROLE_PATTERNS if pat.fullmatch(f)), None)
    role = values.map(table)
    msg = pd.Series(np.nan, index=values.index, dtype=object)
    empty = values == ""
    msg[empty] = "role is empty; use chief, deputy, officer or reinforcement"
    bad = role.isna() & ~empty
    if bad.any():
        msg[bad] = [f"{v!r} is not a role; use chief, deputy, officer or reinforcement "
                    "(or Trưởng Công an xã, Phó Trưởng Công an xã, Công an viên, tăng cường)"
                    for v in values[bad]]
    return role, msg


def parse_yes_no(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    table = {}
    for v in values.unique():
        f = fold(v)
        table[v] = 1.0 if f in _YES else 0.0 if f in _NO else np.nan
    flag = values.map(table).astype(float)
    msg = pd.Series(np.nan, index=values.index, dtype=object)
    bad = flag.isna()
    if bad.any():
        msg[bad] = [("empty; " if v == "" else f"{v!r} is not yes or no; ")
                    + "write yes/no, 1/0 or có/không" for v in values[bad]]
    return flag, msg


def emit(probs: ProblemList, rows: np.ndarray, column: str | None, msg: pd.Series,
          severity: Severity = "error", *, kind: str = "value") -> None:
    bad = msg.notna().to_numpy()
    if bad.any():
        texts = msg.to_numpy()[bad]
        probs.add_rows(rows[bad], column, lambda i: texts[i].tolist(), severity, kind=kind)


def report_formulas(formulas: set[tuple[int, int]], rows: np.ndarray,
                     headers: dict[str, str], positions: dict[str, int],
                     probs: ProblemList) -> None:
    """Report formula cells without a saved value, instead of calling them empty."""
    for canon, j in positions.items():
        at = np.array(sorted(i + 1 for i, jj in formulas if jj == j), dtype=np.int64)
        at = at[np.isin(at, rows)]
        if not len(at):
            continue
        what = "number" if canon in COUNT_COLUMNS else "value"
        probs.add_rows(at, headers[canon], "formula without a saved value — open and save "
                       f"the file in Excel, or type the {what}", kind="formula")
        probs.mute(headers[canon], at)


def future_dates(probs: ProblemList, rows: np.ndarray, column: str, text: pd.Series,
                  iso: pd.Series) -> None:
    """Warn about dates after today (``iso`` holds yyyy-mm-dd text or NaN)."""
    today = _dt.date.today().isoformat()
    # Parsed years have four digits, so yyyy-mm-dd text sorts like the dates.
    future = (iso.notna() & (iso.astype(object).fillna("") > today)).to_numpy()
    if future.any():
        shown = text.to_numpy()[future]
        probs.add_rows(rows[future], column,
                       lambda i: [f"{v!r} is a date in the future (today is {today}); "
                                  "check the year" for v in shown[i]],
                       "warning", kind="future-date")


def canonical_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a new roster frame with the canonical columns, dtypes and order."""
    columns = {"commune_code": frame["commune_code"].astype(str).to_numpy()}
    for c in COUNT_COLUMNS:
        columns[c] = frame[c].to_numpy().astype("int64")
    for c in ("reinforcement_origin", "as_of"):
        vals = frame[c].astype(object).where(frame[c].notna(), None).to_numpy()
        vals = [None if (v is None or v == "") else str(v) for v in vals]
        columns[c] = pd.Series(vals, dtype="str")
    out = pd.DataFrame(columns, index=range(len(frame)))  # one frame, not a column at a time
    return out.sort_values("commune_code", kind="stable").reset_index(drop=True)


