"""Versioned official border-commune lists, one SQLite file under ``BORDERMAP_HOME``.

Every accepted list is a new version with who loaded it, when, from which file
(name and SHA-256), for which province and map; the current list of a province
on a map is its newest version. Restoring an old version creates a new version
with the old rows (``restored_from``); history is never rewritten. The file is
created atomically and an empty or foreign file is refused
(:mod:`geo.store_guard`), as for the roster store.

:class:`PostgresBorderListStore` keeps the same tables in the shared PostgreSQL
store (``BORDERMAP_DATABASE_URL``) and runs the same queries; there, row-level
security limits every transaction to the provinces it works on, and version
numbers come from a locked counter row, so writers in several processes never
lose nor duplicate a version.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from geo._errors import InvalidArgument, StorageError
from geo.settings import VINTAGES, bordermap_home, mask_url
from geo.stores._backend import next_counter, pg_transaction
from geo.store_guard import check_store_file, create_store_file

log = logging.getLogger(__name__)

#: File name of the store inside ``BORDERMAP_HOME``.
STORE_FILENAME = "border_lists.sqlite"
#: Columns of :meth:`BorderListStore.history`.
HISTORY_COLUMNS = ("version", "imported_at", "source_name", "sha256", "user", "rows",
                   "is_current", "restored_from", "province", "vintage")
_WHAT = "border-list store"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS border_list_version (
    version       INTEGER PRIMARY KEY AUTOINCREMENT,
    imported_at   TEXT    NOT NULL,
    source_name   TEXT    NOT NULL,
    sha256        TEXT    NOT NULL,
    imported_by   TEXT    NOT NULL,
    province_code TEXT    NOT NULL,
    vintage       TEXT    NOT NULL,
    n_rows        INTEGER NOT NULL CHECK (n_rows >= 0),
    restored_from INTEGER REFERENCES border_list_version (version)
);
CREATE TABLE IF NOT EXISTS border_list_row (
    version      INTEGER NOT NULL REFERENCES border_list_version (version),
    commune_code TEXT    NOT NULL CHECK (length(commune_code) = 5),
    country      TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    PRIMARY KEY (version, commune_code)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS border_list_key ON border_list_version (province_code, vintage, version)
"""


@dataclass(frozen=True)
class StoredBorderList:
    """One stored list version (``frame``: ``commune_code``, ``country``, ``source``)."""

    version: int
    imported_at: str
    source_name: str
    sha256: str
    user: str
    province: str
    vintage: str
    frame: pd.DataFrame
    restored_from: int | None = None


class BorderListStore:
    """Border-commune lists in one SQLite file.

    Parameters
    ----------
    home : Path, optional
        The data folder (default ``BORDERMAP_HOME``); the file is created if missing.

    Raises
    ------
    StorageError
        The file is not a border-list store, or cannot be created.
    """

    def __init__(self, home: Path | None = None, *, timeout: float = 30.0) -> None:
        folder = Path(home) if home is not None else bordermap_home()
        self.path = folder / STORE_FILENAME
        self.timeout = float(timeout)
        if not self.path.exists():
            create_store_file(self.path, self._init_at)
        check_store_file(self.path, tables=("store_meta", "border_list_version",
                                            "border_list_row"),
                         identity_sql="SELECT value FROM store_meta WHERE key = 'store_id'",
                         what=_WHAT)

    def __repr__(self) -> str:
        """Return ``BorderListStore('/path/to/border_lists.sqlite')``."""
        return f"BorderListStore({str(self.path)!r})"

    @staticmethod
    def _init_at(path: Path) -> None:
        con = sqlite3.connect(path, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    con.execute(statement)
            con.execute("INSERT INTO store_meta (key, value) VALUES ('store_id', ?)",
                        (uuid.uuid4().hex,))
            con.execute("COMMIT")
        finally:
            con.close()

    def _next_version(self, con) -> int:
        """The next version number (SQLite: under the write lock ``BEGIN IMMEDIATE``)."""
        return int(con.execute("SELECT coalesce(max(version), 0) + 1 FROM "
                               "border_list_version").fetchone()[0])

    @contextlib.contextmanager
    def _connect(self, write: bool = False, province: str | None = None,
                 vintage: str | None = None) -> Iterator[sqlite3.Connection]:
        con = None
        try:
            con = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            con.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            con.execute("PRAGMA synchronous = FULL")
            con.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield con
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        except sqlite3.Error as err:
            raise StorageError(f"{_WHAT} {self.path}: {err}") from err
        finally:
            if con is not None:
                con.close()

    # -- writes ----------------------------------------------------------------
    def import_list(self, frame: pd.DataFrame, *, source_name: str, sha256: str, user: str,
                    province: str, vintage: str) -> int:
        """Store an accepted list as the new current version of its province and map.

        Raises
        ------
        InvalidArgument
            Unknown map, or a frame without the list columns or with no row.
        StorageError
            The database cannot be written (the previous version stays current).
        """
        if str(vintage) not in VINTAGES:
            raise InvalidArgument(f"vintage must be one of {', '.join(VINTAGES)}, "
                                  f"not {vintage!r}")
        missing = {"commune_code", "country", "source"} - set(frame.columns)
        if missing or frame.empty:
            raise InvalidArgument("a border list needs commune_code, country and source and "
                                  "at least one row")
        rows = list(zip(frame["commune_code"].astype(str), frame["country"].astype(str),
                        frame["source"].astype(str)))
        with self._connect(write=True, province=str(province), vintage=str(vintage)) as con:
            version = self._next_version(con)
            con.execute(
                "INSERT INTO border_list_version (version, imported_at, source_name, sha256,"
                " imported_by, province_code, vintage, n_rows) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (version, _utc_now(), str(source_name), str(sha256), str(user), str(province),
                 str(vintage), len(rows)))
            con.executemany("INSERT INTO border_list_row (version, commune_code, country, "
                            "source) VALUES (?, ?, ?, ?)", [(version, *r) for r in rows])
        log.info("%s: %s stored as version %d (province %s, %s map, %d communes, by %s)",
                 _WHAT, source_name, version, province, vintage, len(rows), user)
        return version

    def restore(self, version: int, *, user: str) -> int:
        """Create a new current version with the rows of ``version``; return its number.

        Raises
        ------
        StorageError
            There is no such version.
        """
        version = int(version)
        with self._connect(write=True) as con:
            if con.execute("SELECT 1 FROM border_list_version WHERE version = ?",
                           (version,)).fetchone() is None:
                raise StorageError(f"no border-list version {version}")
            new = self._next_version(con)
            con.execute(
                "INSERT INTO border_list_version (version, imported_at, source_name, sha256,"
                " imported_by, province_code, vintage, n_rows, restored_from) SELECT ?, ?,"
                " source_name, sha256, ?, province_code, vintage, n_rows, version"
                " FROM border_list_version WHERE version = ?",
                (new, _utc_now(), str(user), version))
            con.execute("INSERT INTO border_list_row (version, commune_code, country, source)"
                        " SELECT ?, commune_code, country, source FROM border_list_row"
                        " WHERE version = ?", (new, version))
        log.info("%s: restored version %d as version %d (by %s)", _WHAT, version, new, user)
        return new

    # -- reads -----------------------------------------------------------------
    def _load(self, con, meta: tuple | None) -> StoredBorderList | None:
        if meta is None:
            return None
        rows = con.execute("SELECT commune_code, country, source FROM border_list_row"
                           " WHERE version = ? ORDER BY commune_code", (meta[0],)).fetchall()
        if len(rows) != meta[7]:
            raise StorageError(f"{self!r}: version {meta[0]} has {len(rows)} rows, "
                               f"expected {meta[7]}")
        return StoredBorderList(
            int(meta[0]), meta[1], meta[2], meta[3], meta[4], meta[5], meta[6],
            pd.DataFrame(rows, columns=["commune_code", "country", "source"]),
            None if meta[8] is None else int(meta[8]))

    _META = ("SELECT version, imported_at, source_name, sha256, imported_by, province_code,"
             " vintage, n_rows, restored_from FROM border_list_version ")

    def current(self, province: str, vintage: str) -> StoredBorderList | None:
        """Return the current list of a province (2-digit code) on a map, or None."""
        with self._connect(province=str(province), vintage=str(vintage)) as con:
            meta = con.execute(self._META + "WHERE province_code = ? AND vintage = ?"
                               " ORDER BY version DESC LIMIT 1",
                               (str(province), str(vintage))).fetchone()
            return self._load(con, meta)

    def get(self, version: int) -> StoredBorderList:
        """Return one version; raise :class:`StorageError` if there is none."""
        with self._connect() as con:
            got = self._load(con, con.execute(self._META + "WHERE version = ?",
                                              (int(version),)).fetchone())
        if got is None:
            raise StorageError(f"no border-list version {version}")
        return got

    def history(self, *, province: str | None = None,
                vintage: str | None = None) -> pd.DataFrame:
        """Return one row per version, oldest first (:data:`HISTORY_COLUMNS`)."""
        terms, params = [], []
        if province is not None:
            terms.append("province_code = ?")
            params.append(str(province))
        if vintage is not None:
            terms.append("vintage = ?")
            params.append(str(vintage))
        with self._connect(province=None if province is None else str(province),
                           vintage=None if vintage is None else str(vintage)) as con:
            rows = con.execute(
                "SELECT version, imported_at, source_name, sha256, imported_by, n_rows,"
                " version = (SELECT max(v.version) FROM border_list_version v"
                "  WHERE v.province_code = r.province_code AND v.vintage = r.vintage),"
                " restored_from, province_code, vintage FROM border_list_version r"
                f" WHERE {' AND '.join(terms) or '1 = 1'} ORDER BY version", params).fetchall()
        out = pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
        out["is_current"] = out["is_current"].astype(bool)
        out["restored_from"] = pd.array(
            [None if pd.isna(v) else int(v) for v in out["restored_from"]], dtype="Int64")
        return out

    def version_token(self) -> str:
        """Return ``"<store id>:<last version>"``; it changes on every write."""
        with self._connect() as con:
            store_id, last = con.execute(
                "SELECT (SELECT value FROM store_meta WHERE key = 'store_id'),"
                " (SELECT max(version) FROM border_list_version)").fetchone()
        return f"{store_id}:{last or 0}"


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class PostgresBorderListStore(BorderListStore):
    """Border-commune lists in the shared PostgreSQL store; same interface and queries.

    Parameters
    ----------
    url : str
        PostgreSQL URL of the app role (``BORDERMAP_DATABASE_URL``).
    provinces : str or list of str
        ``<map>:<code>`` entries this store may ever see or write (row-level security,
        :func:`geo.stores.postgis.scope_value`; :func:`geo.stores.postgis.scope_entries`
        gives a user's), or ``"*"`` (default) for the whole country. A transaction about
        one province (``current``, ``import_list``, ``history(province=…)``) is
        narrowed to it (and to its map when given).
    timeout : float
        Seconds to wait for another writer's lock.

    Raises
    ------
    StorageError
        The server cannot be reached, or its schema is not this program's.
    """

    def __init__(self, url: str, *, provinces: str | list[str] = "*",
                 timeout: float = 30.0) -> None:
        from geo.stores.postgis import scope_value

        self.url = str(url)
        self.provinces = scope_value(provinces)
        self.timeout = float(timeout)
        with self._connect():
            pass  # reach the server and check its schema now

    def __repr__(self) -> str:
        """Return ``PostgresBorderListStore('postgresql://app:***@host/db')``."""
        return f"PostgresBorderListStore({mask_url(self.url)!r})"

    def _next_version(self, con) -> int:
        return next_counter(con, "border_lists")

    @contextlib.contextmanager
    def _connect(self, write: bool = False, province: str | None = None,
                 vintage: str | None = None) -> Iterator:
        scope = self.provinces
        if province is not None and province.isdigit() and len(province) == 2:
            wanted = [f"{v}:{province}" for v in VINTAGES if vintage in (None, v)]
            scope = [e for e in wanted if scope == "*" or e in scope.split(",")]
        with pg_transaction(self.url, provinces=scope, what=_WHAT,
                            timeout=self.timeout) as con:
            yield con

    def version_token(self) -> str:
        """Return ``"<store id>:<last version>"``; it changes on every write."""
        with self._connect() as con:
            store_id, last = con.execute(
                "SELECT (SELECT value FROM store_meta WHERE key = 'store_id'),"
                " (SELECT last_value FROM store_counters WHERE name = 'border_lists')"
            ).fetchone()
        return f"{store_id}:{last or 0}"
