"""Staffing norms: how many chiefs, deputy chiefs and officers a unit should have, per map.

A norm is one row of a small table, kept as reviewable data
(``data/norms.csv``), never as constants in code:

``vintage``
    the administrative map (``2020`` or ``2025``);
``unit_type``
    ``Xã``, ``Phường`` or ``Thị trấn`` as the registry writes it;
``border``
    ``yes`` for a border unit (its boundary touches the national border), ``no`` otherwise;
``chiefs``, ``deputies``, ``officers``
    the posts the unit should have (whole numbers ≥ 0);
``source``
    where the figure comes from, or ``assumption: …`` saying what is assumed.

The repository file is the default; an admin can store another version
(:class:`geo.stores.norms.NormStore`, versioned like rosters), and
:func:`load_norms` returns the current one.

The gap of a unit is measured role by role and never nets a shortfall in one
role or place against a surplus in another: :func:`staffing_balance` returns
the shortfall and the surplus separately, and totals are sums of those.
"""

from __future__ import annotations

import functools
import io
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from geo._errors import InvalidArgumentType, NormsError
from geo._text import fold
from geo.settings import NORMS_FILE, VINTAGES

log = logging.getLogger(__name__)

#: Columns of a norms table, in order.
NORM_COLUMNS = ("vintage", "unit_type", "border", "chiefs", "deputies", "officers", "source")
#: The roles a norm counts.
NORM_ROLES = ("chiefs", "deputies", "officers")
#: Largest norm accepted for one role of one unit.
MAX_NORM = 1_000

_YES = {"yes", "y", "1", "true", "co"}
_NO = {"no", "n", "0", "false", "khong"}


def read_norms(path_or_bytes: str | Path | bytes = NORMS_FILE) -> pd.DataFrame:
    """Read and check a norms table (CSV, UTF-8).

    Parameters
    ----------
    path_or_bytes : str, Path or bytes
        The CSV file; the repository's ``data/norms.csv`` by default.

    Returns
    -------
    pandas.DataFrame
        A new frame with :data:`NORM_COLUMNS`; ``border`` is boolean, the
        counts are ``int64``; sorted by vintage, unit type, border.

    Raises
    ------
    NormsError
        Listing every problem: missing column, unknown map, bad border flag,
        count that is not a whole number 0–:data:`MAX_NORM`, empty source,
        the same (map, unit type, border) twice.

    Examples
    --------
    >>> norms = read_norms()
    >>> int(norms.query("vintage == '2020' and unit_type == 'Xã' and not border")["officers"].iloc[0])
    3
    """
    if isinstance(path_or_bytes, (bytes, bytearray)):
        raw, name = bytes(path_or_bytes), "<bytes>"
    elif isinstance(path_or_bytes, (str, Path)):
        path = Path(path_or_bytes)
        try:
            raw, name = path.read_bytes(), path.name
        except OSError as err:
            raise NormsError(f"cannot read the norms file {path}: {err.strerror or err}") from err
    else:
        raise InvalidArgumentType("path_or_bytes must be a path or bytes, "
                                  f"not {type(path_or_bytes).__name__}")
    try:
        frame = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False,
                            encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise NormsError(f"norms {name}: not a UTF-8 CSV table ({err})") from err
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in NORM_COLUMNS if c not in frame.columns]
    if missing:
        raise NormsError(f"norms {name}: missing column(s) {', '.join(missing)}")
    problems: list[str] = []
    out = pd.DataFrame({"vintage": frame["vintage"].str.strip(),
                        "unit_type": frame["unit_type"].str.strip()})
    border = frame["border"].map(lambda v: True if fold(v) in _YES else
                                 False if fold(v) in _NO else None)
    for i in np.flatnonzero(~out["vintage"].isin(VINTAGES).to_numpy()):
        problems.append(f"row {i + 2}: map {frame['vintage'].iloc[i]!r} is not 2020 or 2025")
    for i in np.flatnonzero(border.isna().to_numpy()):
        problems.append(f"row {i + 2}: border {frame['border'].iloc[i]!r} is not yes or no")
    for i in np.flatnonzero((out["unit_type"] == "").to_numpy()):
        problems.append(f"row {i + 2}: unit_type is empty")
    out["border"] = border.fillna(False).astype(bool)
    for role in NORM_ROLES:
        text = frame[role].str.strip()
        ok = text.str.fullmatch(r"\d{1,4}").fillna(False).astype(bool)
        num = pd.to_numeric(text.where(ok), errors="coerce")
        bad = ~ok | (num > MAX_NORM)
        for i in np.flatnonzero(bad.to_numpy()):
            problems.append(f"row {i + 2}: {role} {frame[role].iloc[i]!r} is not a whole "
                            f"number 0–{MAX_NORM:,}")
        out[role] = num.fillna(0).astype("int64")
    out["source"] = frame["source"].str.strip()
    for i in np.flatnonzero((out["source"] == "").to_numpy()):
        problems.append(f"row {i + 2}: source is empty; name the source or write "
                        "'assumption: …'")
    valid = border.notna()
    dup = pd.Series(False, index=out.index)
    dup[valid] = out[valid].duplicated(["vintage", "unit_type", "border"], keep="first")
    for i in np.flatnonzero(dup.to_numpy()):
        problems.append(f"row {i + 2}: {out['vintage'].iloc[i]} {out['unit_type'].iloc[i]} "
                        f"border={'yes' if out['border'].iloc[i] else 'no'} appears twice")
    if out.empty:
        problems.append("no norms in the table")
    if problems:
        raise NormsError(f"norms {name} rejected: {len(problems)} problem(s): "
                         + "; ".join(problems[:10])
                         + (f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""))
    out = out.sort_values(["vintage", "unit_type", "border"]).reset_index(drop=True)
    log.info("norms %s: %d rows", name, len(out))
    return out[list(NORM_COLUMNS)]


def norms_to_csv(norms: pd.DataFrame) -> str:
    """Return a norms frame as CSV text in the file format (``border`` as yes/no)."""
    out = norms[list(NORM_COLUMNS)].copy()
    out["border"] = out["border"].map({True: "yes", False: "no"})
    return out.to_csv(index=False, lineterminator="\n")


def load_norms(*, store=None) -> pd.DataFrame:
    """Return the norms in force: the current stored version, else the repository file.

    Parameters
    ----------
    store : NormStore, optional
        Where an admin's version is kept; ``None`` reads the repository file only.

    Returns
    -------
    pandas.DataFrame
        As :func:`read_norms`; ``attrs`` has ``norms_source`` (file name) and
        ``norms_version`` (``None`` for the repository file).
    """
    stored = store.current() if store is not None else None
    if stored is not None:
        norms = stored.frame.copy()
        norms.attrs.update(norms_source=stored.source_name, norms_version=stored.version)
        return norms
    norms = _read_file_cached(NORMS_FILE)
    norms.attrs.update(norms_source=NORMS_FILE.name, norms_version=None)
    return norms


def _read_file_cached(path: Path) -> pd.DataFrame:
    """:func:`read_norms` of a file, read again only when its size or mtime changed (a copy)."""
    try:
        st = path.stat()
    except OSError:
        return read_norms(path)  # raises NormsError naming the file
    return _read_file(str(path), st.st_mtime_ns, st.st_size).copy()


@functools.lru_cache(maxsize=4)
def _read_file(path: str, mtime_ns: int, size: int) -> pd.DataFrame:
    del mtime_ns, size  # cache-key parts only
    return read_norms(Path(path))


def norms_for(units: pd.DataFrame, norms: pd.DataFrame, *, vintage: str) -> pd.DataFrame:
    """Return the norm of every unit: ``norm_chiefs``, ``norm_deputies``, ``norm_officers``.

    Parameters
    ----------
    units : DataFrame
        ``unit_type`` and ``border`` (bool) per unit.
    norms : DataFrame
        A norms table (:func:`read_norms`).
    vintage : {"2020", "2025"}
        The map the units belong to.

    Returns
    -------
    pandas.DataFrame
        Aligned with ``units`` (same index); units of a type the table does not
        list get a norm of 0 (logged).
    """
    table = norms[norms["vintage"] == str(vintage)].set_index(["unit_type", "border"])
    key = pd.MultiIndex.from_arrays([units["unit_type"].astype(str).to_numpy(),
                                     units["border"].astype(bool).to_numpy()])
    found = table.reindex(key)
    unknown = found["chiefs"].isna().to_numpy()
    if unknown.any():
        log.warning("norms %s: no norm for %d unit(s) of type %s; counted as 0", vintage,
                    int(unknown.sum()), ", ".join(sorted(set(units["unit_type"][unknown]))))
    return pd.DataFrame({f"norm_{r}": found[r].fillna(0).astype("int64").to_numpy()
                         for r in NORM_ROLES}, index=units.index)


def staffing_balance(counts: pd.DataFrame, need: pd.DataFrame) -> pd.DataFrame:
    """Return shortfall and surplus per role, never netted against each other.

    Parameters
    ----------
    counts : DataFrame
        ``chiefs``, ``deputies``, ``officers`` per unit.
    need : DataFrame
        ``norm_chiefs``, ``norm_deputies``, ``norm_officers``, aligned with ``counts``.

    Returns
    -------
    pandas.DataFrame
        ``short_<role>`` and ``surplus_<role>`` per role, ``staffing_gap`` (the
        sum of the shortfalls) and ``staffing_surplus`` (the sum of the surpluses).

    Examples
    --------
    >>> c = pd.DataFrame({"chiefs": [0], "deputies": [3], "officers": [2]})
    >>> n = pd.DataFrame({"norm_chiefs": [1], "norm_deputies": [1], "norm_officers": [3]})
    >>> staffing_balance(c, n)[["staffing_gap", "staffing_surplus"]].iloc[0].tolist()
    [2, 2]
    """
    out = pd.DataFrame(index=counts.index)
    for role in NORM_ROLES:
        diff = counts[role].to_numpy(dtype="int64") - need[f"norm_{role}"].to_numpy(dtype="int64")
        out[f"short_{role}"] = np.maximum(-diff, 0)
        out[f"surplus_{role}"] = np.maximum(diff, 0)
    out["staffing_gap"] = out[[f"short_{r}" for r in NORM_ROLES]].sum(axis=1).astype("int64")
    out["staffing_surplus"] = out[[f"surplus_{r}" for r in NORM_ROLES]].sum(axis=1).astype(
        "int64")
    return out
