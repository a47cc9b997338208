"""The roster store interface and the checks every backend shares (SQLite, PostGIS).

:class:`RosterStore` is what callers use; :mod:`geo.stores.rosters` holds the
SQLite implementation and :func:`~geo.stores.rosters.open_store`,
:mod:`geo.stores.postgis` the PostgreSQL one. Both import this module, never
each other's implementation.
"""

from __future__ import annotations

import abc
import functools
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from geo._errors import BorderMapError, RosterError
from geo.registry import find_province
from geo.roster import COUNT_COLUMNS, MAX_COUNT, ROSTER_COLUMNS, ValidationReport, canonical_frame

#: Columns of :meth:`RosterStore.history`.
HISTORY_COLUMNS = (
    "version", "imported_at", "source_name", "sha256", "user", "rows", "is_current",
    "restored_from", "kind", "province", "vintage",
)
_KINDS = ("per-commune", "per-officer")


@functools.lru_cache(maxsize=64)
def province_key(province: object) -> str:
    """Return the 2-digit code of a stored province name (or the text itself if unknown)."""
    try:
        return find_province(str(province), vintage="2025")
    except BorderMapError:
        return str(province)


@dataclass(frozen=True)
class StoredRoster:
    """One stored roster version.

    Attributes
    ----------
    version : int
        Version number (1, 2, …; never reused).
    imported_at : str
        UTC time of the import, ISO 8601 (``2024-05-01T08:30:00+00:00``).
    source_name, sha256 : str
        The imported file's name and the SHA-256 of its bytes.
    user : str
        Who imported (or restored) it.
    kind : {"per-commune", "per-officer"}
        The file's layout.
    province, vintage : str
        What the roster was validated against.
    frame : pandas.DataFrame
        The roster, columns :data:`geo.roster.ROSTER_COLUMNS`, one row per commune.
    restored_from : int or None
        The version this one copies, for a restore.
    """

    version: int
    imported_at: str
    source_name: str
    sha256: str
    user: str
    kind: str
    province: str
    vintage: str
    frame: pd.DataFrame
    restored_from: int | None = None


class RosterStore(abc.ABC):
    """Interface of a versioned roster store (SQLite today; PostgreSQL later)."""

    @abc.abstractmethod
    def import_roster(self, report_or_frame: ValidationReport | pd.DataFrame, *,
                      source_name: str | None = None, sha256: str | None = None,
                      user: str | None = None, kind: str | None = None,
                      province: str | None = None, vintage: str | None = None) -> int:
        """Store an accepted roster as a new version and return its number."""

    @abc.abstractmethod
    def current(self, *, province: str | None = None,
                vintage: str | None = None) -> StoredRoster | None:
        """Return the current roster of a province on a map (newest of any when not given)."""

    @abc.abstractmethod
    def get(self, version: int) -> StoredRoster:
        """Return one version; raise :class:`StorageError` if there is none."""

    @abc.abstractmethod
    def history(self, *, province: str | None = None,
                vintage: str | None = None) -> pd.DataFrame:
        """Return one row per version, oldest first (columns :data:`HISTORY_COLUMNS`)."""

    @abc.abstractmethod
    def restore(self, version: int, *, user: str | None = None) -> int:
        """Create a new version copying ``version``'s rows; return its number."""

    @abc.abstractmethod
    def version_token(self) -> str:
        """Return a cheap token that changes on every write (for cache keys)."""


# ---------------------------------------------------------------------------
def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _frame_sha256(frame: pd.DataFrame) -> str:
    return hashlib.sha256(frame.to_csv(index=False).encode("utf-8")).hexdigest()


def _check_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the canonical copy of a roster frame, or raise RosterError saying what is wrong."""
    missing = [c for c in ROSTER_COLUMNS if c not in frame.columns]
    if missing:
        raise RosterError(f"roster frame lacks column(s) {', '.join(missing)}")
    if frame.empty:
        raise RosterError("roster frame has no rows")
    codes = frame["commune_code"].astype(str)
    bad = codes[~codes.str.fullmatch(r"\d{5}")]
    if len(bad):
        raise RosterError(f"roster frame: commune_code {bad.iloc[0]!r} is not a 5-digit code")
    dup = codes[codes.duplicated()]
    if len(dup):
        raise RosterError(f"roster frame: commune {dup.iloc[0]} appears more than once")
    for c in COUNT_COLUMNS:
        values = pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float)
        wrong = ~np.isfinite(values) | (values < 0) | (values != np.floor(values)) | (
            values > MAX_COUNT)
        if wrong.any():
            i = int(np.flatnonzero(wrong)[0])
            raise RosterError(f"roster frame: {c} of commune {codes.iloc[i]} is "
                              f"{frame[c].iloc[i]!r}, not a whole number 0–{MAX_COUNT:,}")
    return canonical_frame(frame)




def history_frame(rows) -> pd.DataFrame:
    """Return history rows (in :data:`HISTORY_COLUMNS` order) as the typed history frame."""
    out = pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
    out["version"] = out["version"].astype("int64")
    out["rows"] = out["rows"].astype("int64")
    out["is_current"] = out["is_current"].astype(bool)
    out["restored_from"] = pd.array(
        [None if pd.isna(v) else int(v) for v in out["restored_from"]], dtype="Int64")
    return out
