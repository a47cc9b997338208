"""Versioned staffing norms, in the same SQLite file as the rosters.

Every stored norms table is a new version with who stored it, when and from
which file; the newest is current; restoring an old version makes a new
version. With no version stored, :func:`geo.norms.load_norms` uses the
repository's ``data/norms.csv``.

:class:`PostgresNormStore` keeps the same tables in the shared PostgreSQL store
(``BORDERMAP_DATABASE_URL``) and runs the same queries. Norms are national (per
map, unit type and border flag): no province, no row-level security.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo._errors import StorageError
from geo.norms import NORM_COLUMNS, norms_to_csv, read_norms
from geo.settings import mask_url
from geo.stores._backend import next_counter, pg_transaction, shared_url
from geo.stores.rosters import SQLiteRosterStore, _utc_now, open_store

log = logging.getLogger(__name__)

#: Columns of :meth:`NormStore.history`.
NORM_HISTORY_COLUMNS = ("version", "imported_at", "source_name", "sha256", "user", "rows",
                        "is_current", "restored_from")


@dataclass(frozen=True)
class StoredNorms:
    """One stored norms version (``frame`` as :func:`geo.norms.read_norms` returns it)."""

    version: int
    imported_at: str
    source_name: str
    sha256: str
    user: str
    frame: pd.DataFrame
    restored_from: int | None = None


class NormStore:
    """Norm versions kept beside the rosters (same file, same transactions).

    Parameters
    ----------
    rosters : SQLiteRosterStore
        The roster store whose database holds the norm tables.
    """

    def __init__(self, rosters: SQLiteRosterStore) -> None:
        self.rosters = rosters

    def __repr__(self) -> str:
        """Return ``NormStore('/path/to/bordermap.sqlite')``."""
        return f"NormStore({str(self.rosters.path)!r})"

    @contextlib.contextmanager
    def _write(self) -> Iterator:
        """One serialised write transaction."""
        with self.rosters._write() as con:
            yield con

    @contextlib.contextmanager
    def _read(self) -> Iterator:
        """One read transaction (one snapshot)."""
        with self.rosters._read() as con:
            yield con

    def _next_version(self, con) -> int:
        """The next version number (SQLite: under the write lock ``BEGIN IMMEDIATE``)."""
        return int(con.execute("SELECT coalesce(max(version), 0) + 1 FROM norm_version"
                               ).fetchone()[0])

    def import_norms(self, norms: pd.DataFrame | bytes | str | Path, *,
                     source_name: str | None = None, user: str | None = None) -> int:
        """Check and store a norms table as the new current version; return its number.

        Raises
        ------
        NormsError
            If the table is not valid (nothing is stored).
        StorageError
            If the database cannot be written.
        """
        if isinstance(norms, pd.DataFrame):
            frame = read_norms(norms_to_csv(norms).encode("utf-8"))
            source_name = source_name or "<frame>"
        else:
            frame = read_norms(norms)
            source_name = source_name or (Path(norms).name if isinstance(norms, (str, Path))
                                          else "<bytes>")
        text = norms_to_csv(frame)
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        with self._write() as con:
            version = self._next_version(con)
            con.execute(
                "INSERT INTO norm_version (version, imported_at, source_name, sha256,"
                " imported_by, n_rows) VALUES (?, ?, ?, ?, ?, ?)",
                (version, _utc_now(), str(source_name), sha, str(user or "unknown"),
                 len(frame)))
            con.executemany(
                "INSERT INTO norm_row (version, vintage, unit_type, border, chiefs, deputies,"
                " officers, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(version, r.vintage, r.unit_type, int(r.border), int(r.chiefs),
                  int(r.deputies), int(r.officers), r.source) for r in frame.itertuples()])
        log.info("norm store: %s stored as version %d (%d rows, by %s)", source_name, version,
                 len(frame), user or "unknown")
        return version

    def restore(self, version: int, *, user: str | None = None) -> int:
        """Create a new current version with the rows of ``version``.

        Raises
        ------
        StorageError
            If there is no such version.
        """
        version = int(version)
        with self._write() as con:
            if con.execute("SELECT 1 FROM norm_version WHERE version = ?",
                           (version,)).fetchone() is None:
                raise StorageError(f"no norms version {version}")
            new = self._next_version(con)
            con.execute(
                "INSERT INTO norm_version (version, imported_at, source_name, sha256,"
                " imported_by, n_rows, restored_from) SELECT ?, ?, source_name, sha256, ?,"
                " n_rows, version FROM norm_version WHERE version = ?",
                (new, _utc_now(), str(user or "unknown"), version))
            con.execute("INSERT INTO norm_row (version, vintage, unit_type, border, chiefs,"
                        " deputies, officers, source) SELECT ?, vintage, unit_type, border,"
                        " chiefs, deputies, officers, source FROM norm_row WHERE version = ?",
                        (new, version))
        log.info("norm store: restored version %d as version %d", version, new)
        return new

    def _load(self, version: int | None) -> StoredNorms | None:
        sql = ("SELECT version, imported_at, source_name, sha256, imported_by, restored_from"
               " FROM norm_version ")
        with self._read() as con:
            meta = (con.execute(sql + "ORDER BY version DESC LIMIT 1").fetchone()
                    if version is None else
                    con.execute(sql + "WHERE version = ?", (int(version),)).fetchone())
            if meta is None:
                return None
            rows = con.execute("SELECT vintage, unit_type, border, chiefs, deputies, officers,"
                               " source FROM norm_row WHERE version = ?",
                               (meta[0],)).fetchall()
        frame = pd.DataFrame(rows, columns=list(NORM_COLUMNS))
        frame["border"] = frame["border"].astype(bool)
        frame = read_norms(norms_to_csv(frame).encode("utf-8"))
        return StoredNorms(int(meta[0]), meta[1], meta[2], meta[3], meta[4], frame,
                           None if meta[5] is None else int(meta[5]))

    def current(self) -> StoredNorms | None:
        """Return the newest stored norms, or ``None`` (then the repository file applies)."""
        return self._load(None)

    def get(self, version: int) -> StoredNorms:
        """Return one stored version; raise :class:`StorageError` if there is none."""
        got = self._load(int(version))
        if got is None:
            raise StorageError(f"no norms version {version}")
        return got

    def version_token(self) -> str:
        """Return ``"norms:<newest version>"``; it changes on every import or restore."""
        with self._read() as con:
            last = con.execute("SELECT coalesce(max(version), 0) FROM norm_version").fetchone()
        return f"norms:{int(last[0])}"

    def history(self) -> pd.DataFrame:
        """Return one row per stored version, oldest first (:data:`NORM_HISTORY_COLUMNS`)."""
        with self._read() as con:
            rows = con.execute(
                "SELECT version, imported_at, source_name, sha256, imported_by, n_rows,"
                " version = (SELECT max(version) FROM norm_version), restored_from"
                " FROM norm_version ORDER BY version").fetchall()
        out = pd.DataFrame(rows, columns=list(NORM_HISTORY_COLUMNS))
        out["is_current"] = out["is_current"].astype(bool)
        return out


class PostgresNormStore(NormStore):
    """Norm versions in the shared PostgreSQL store; same interface and queries.

    Parameters
    ----------
    url : str
        PostgreSQL URL of the app role (``BORDERMAP_DATABASE_URL``).

    Raises
    ------
    StorageError
        The server cannot be reached, or its schema is not this program's.
    """

    def __init__(self, url: str) -> None:
        self.url = str(url)
        with self._read():
            pass  # reach the server and check its schema now

    def __repr__(self) -> str:
        """Return ``PostgresNormStore('postgresql://app:***@host/db')``."""
        return f"PostgresNormStore({mask_url(self.url)!r})"

    @contextlib.contextmanager
    def _write(self) -> Iterator:
        with pg_transaction(self.url, what="norm store") as con:
            yield con

    _read = _write

    def _next_version(self, con) -> int:
        return next_counter(con, "norms")  # locks the counter row until commit


def norm_store_for(rosters) -> NormStore | None:
    """Return the norm store beside a roster store (same backend), or None."""
    if isinstance(rosters, SQLiteRosterStore):
        return NormStore(rosters)
    url = getattr(rosters, "url", None)
    return PostgresNormStore(url) if url else None


def open_norm_store(home: Path | None = None) -> NormStore:
    """Open the norm store: the shared database when configured, else ``home``'s file."""
    url = shared_url()
    if url:
        return PostgresNormStore(url)
    store = open_store(home)
    assert isinstance(store, SQLiteRosterStore)
    return NormStore(store)
