"""Versioned roster store: every import is a new version; nothing is overwritten.

Callers use the small :class:`RosterStore` interface and get an implementation
from :func:`open_store`. Today that is :class:`SQLiteRosterStore`, one SQLite
file under ``BORDERMAP_HOME``; a PostgreSQL/PostGIS backend can implement the
same interface later without touching callers.

Model
    A *version* is one accepted roster (one row per commune) with who imported
    it, when (UTC, ISO 8601), from which file (name and SHA-256), its layout,
    province and administrative map (vintage). The current roster is kept per
    province **and** map: the newest version of that province on that map, so a
    2025 roster never replaces the 2020 one. Restoring an old version creates a
    new version with the old rows (same province and map), marked
    ``restored_from``; history is never rewritten.

SQLite details
    Each write is one ``BEGIN IMMEDIATE … COMMIT`` transaction in WAL journal
    mode with a busy timeout, so concurrent writers (threads or processes) are
    serialised and a crash mid-import leaves the previous version intact. Rows
    are stored in plain tables (no pickles); the schema version is kept in
    ``PRAGMA user_version``.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from geo._errors import (InvalidArgument, InvalidArgumentType, RosterError,
                         StorageError)
from geo.roster import (
    COUNT_COLUMNS,
    ROSTER_COLUMNS,
    ValidationReport,
    canonical_frame,
    detect_vintage,
)
from geo.settings import DEFAULT_PROVINCE, DEFAULT_VINTAGE, VINTAGES, bordermap_home, get_settings
from geo.stores._schema import _MIGRATIONS, _SCHEMA_V1, SCHEMA_VERSION  # noqa: F401
from geo.store_guard import check_store_file, create_store_file
from geo.stores._roster_base import (HISTORY_COLUMNS, _KINDS, RosterStore,  # noqa: F401
                                     StoredRoster, _check_frame, _frame_sha256, _utc_now,
                                     history_frame, province_key)

log = logging.getLogger(__name__)

#: File name of the SQLite store inside ``BORDERMAP_HOME``.
STORE_FILENAME = "bordermap.sqlite"
class SQLiteRosterStore(RosterStore):
    """Roster store in one SQLite file.

    Parameters
    ----------
    path : str or Path
        The database file; created (mode 0600) with its schema if missing.
    timeout : float
        Seconds to wait for another writer before giving up.

    Raises
    ------
    StorageError
        If the file is not a roster store, or was written by a newer schema.
    """

    def __init__(self, path: str | Path, *, timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.timeout = float(timeout)
        #: Test hook called inside write transactions with a stage name
        #: ("version-row", "rows-written"); used to simulate crashes.
        self._hook: Callable[[str], None] | None = None
        # [integrity hook] atomic creation; an empty or foreign file is refused (geo.store_guard)
        if not self.path.exists():
            create_store_file(self.path, self._init_at)
        check_store_file(self.path, tables=("store_meta", "roster_version", "roster_row"),
                         identity_sql="SELECT value FROM store_meta WHERE key = 'store_id'")
        self._ensure_schema()

    def _init_at(self, path: Path) -> None:
        """Write the schema into ``path`` (a new file that becomes the store)."""
        real, self.path = self.path, Path(path)
        try:
            self._ensure_schema()
        finally:
            self.path = real

    def __repr__(self) -> str:
        """Return ``SQLiteRosterStore('/path/to/bordermap.sqlite')``."""
        return f"SQLiteRosterStore({str(self.path)!r})"

    # -- connections ---------------------------------------------------------
    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        con = None
        try:
            con = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            con.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            con.execute("PRAGMA foreign_keys = ON")
            con.execute("PRAGMA synchronous = FULL")
            yield con
        except sqlite3.Error as err:
            raise StorageError(f"roster store {self.path}: {err}") from err
        finally:
            if con is not None:
                con.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One serialised write transaction: BEGIN IMMEDIATE … COMMIT (ROLLBACK on error)."""
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction, so that all its queries see the same snapshot."""
        with self._connect() as con:
            con.execute("BEGIN")
            try:
                yield con
            finally:
                with contextlib.suppress(sqlite3.Error):
                    con.execute("COMMIT")

    def _ensure_schema(self) -> None:
        with self._connect() as con:
            mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("roster store %s: journal mode %s, not WAL", self.path, mode)
            have = con.execute("PRAGMA user_version").fetchone()[0]
            if have == SCHEMA_VERSION:
                return
            if have > SCHEMA_VERSION:
                raise StorageError(
                    f"roster store {self.path} has schema version {have}, newer than this "
                    f"program's {SCHEMA_VERSION}; upgrade the program"
                )
            con.execute("BEGIN IMMEDIATE")
            try:
                have = con.execute("PRAGMA user_version").fetchone()[0]
                for target in range(have + 1, SCHEMA_VERSION + 1):
                    for statement in _MIGRATIONS[target].split(";"):
                        if statement.strip():
                            con.execute(statement)
                    if target == 2:
                        self._backfill_province_codes(con)
                    con.execute(f"PRAGMA user_version = {target}")
                con.execute("INSERT OR IGNORE INTO store_meta (key, value) VALUES (?, ?)",
                            ("store_id", uuid.uuid4().hex))
                con.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    con.execute("ROLLBACK")
                raise
        log.info("roster store %s: schema version %d", self.path, SCHEMA_VERSION)

    @staticmethod
    def _backfill_province_codes(con: sqlite3.Connection) -> None:
        """Give versions stored before schema 2 their province code."""
        names = [r[0] for r in con.execute("SELECT DISTINCT province FROM roster_version")]
        for name in names:
            con.execute("UPDATE roster_version SET province_code = ? WHERE province = ?",
                        (province_key(name), name))

    def _run_hook(self, stage: str) -> None:
        if self._hook is not None:
            self._hook(stage)

    # -- writes --------------------------------------------------------------
    def import_roster(self, report_or_frame: ValidationReport | pd.DataFrame, *,
                      source_name: str | None = None, sha256: str | None = None,
                      user: str | None = None, kind: str | None = None,
                      province: str | None = None, vintage: str | None = None) -> int:
        """Store an accepted roster as a new, current version.

        Parameters
        ----------
        report_or_frame : ValidationReport or pandas.DataFrame
            An accepted report from :func:`geo.roster.validate_roster`, or a
            roster frame with the columns of :data:`geo.roster.ROSTER_COLUMNS`.
        source_name, sha256, kind, province, vintage : str, optional
            Taken from the report when not given; for a frame they default to
            ``"<frame>"``, the SHA-256 of the frame's CSV, ``"per-commune"``,
            the default province and the map its codes belong to (2025 when
            they fit both).
        user : str, optional
            Who imports; ``"unknown"`` when not given.

        Returns
        -------
        int
            The new version number.

        Raises
        ------
        RosterError
            If the report has errors, the frame is not a valid roster, or its
            codes belong to the other map than ``vintage``; the store is not
            touched.
        StorageError
            If the database cannot be written; the previous version stays current.
        """
        if isinstance(report_or_frame, ValidationReport):
            rep = report_or_frame
            if not rep.ok or rep.roster is None:
                raise RosterError(
                    f"roster {rep.source_name} has {len(rep.errors)} error(s) and cannot "
                    "be imported", problems=rep.problems)
            frame = _check_frame(rep.roster)
            source_name = source_name or rep.source_name
            sha256 = sha256 or rep.sha256
            kind = kind or rep.kind
            province = province or rep.province
            if vintage is not None and str(vintage) != rep.vintage:
                raise RosterError(f"roster {rep.source_name} was validated against the "
                                  f"{rep.vintage} map, not the {vintage} map; nothing was "
                                  "stored", problems=rep.problems)
            vintage = rep.vintage
        elif isinstance(report_or_frame, pd.DataFrame):
            frame = _check_frame(report_or_frame)
            source_name = source_name or "<frame>"
            sha256 = sha256 or _frame_sha256(frame)
            kind = kind or "per-commune"
            province = province or DEFAULT_PROVINCE
            found = detect_vintage(frame["commune_code"], province=province).vintage
            if vintage is not None and found not in (None, str(vintage)):
                raise RosterError(f"roster {source_name}: its commune codes belong to the "
                                  f"{found} map, not the {vintage} map; nothing was stored")
            vintage = vintage or found or DEFAULT_VINTAGE
        else:
            raise InvalidArgumentType("report_or_frame must be a ValidationReport or a DataFrame, "
                            f"not {type(report_or_frame).__name__}")
        if str(vintage) not in VINTAGES:
            raise InvalidArgument(f"vintage must be one of {', '.join(VINTAGES)}, "
                                  f"not {vintage!r}")
        if kind not in _KINDS:
            raise InvalidArgument(f"kind must be one of {', '.join(_KINDS)}, not {kind!r}")
        rows = list(zip(
            frame["commune_code"].tolist(),
            *(frame[c].astype(int).tolist() for c in COUNT_COLUMNS),
            [None if pd.isna(v) else str(v) for v in frame["reinforcement_origin"]],
            [None if pd.isna(v) else str(v) for v in frame["as_of"]],
        ))
        with self._write() as con:
            cur = con.execute(
                "INSERT INTO roster_version (imported_at, source_name, sha256, imported_by,"
                " kind, province, vintage, n_rows, province_code)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (_utc_now(), str(source_name), str(sha256), str(user or "unknown"), kind,
                 str(province), str(vintage), len(rows), province_key(province)),
            )
            version = int(cur.lastrowid)
            self._run_hook("version-row")
            con.executemany(
                "INSERT INTO roster_row (version, commune_code, chiefs, deputies, officers,"
                " reinforcements, trained, reinforcement_origin, as_of)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(version, *r) for r in rows],
            )
            self._run_hook("rows-written")
        log.info("roster store %s: imported %s as version %d (%s, %s map, %d communes, by %s)",
                 self.path, source_name, version, province, vintage, len(rows),
                 user or "unknown")
        return version

    def restore(self, version: int, *, user: str | None = None) -> int:
        """Create a new current version with the rows of ``version``.

        The new version has the old one's province and map, so it becomes the
        current roster of that province on that map only.

        Raises
        ------
        StorageError
            If there is no such version.
        """
        version = int(version)
        with self._write() as con:
            old = con.execute("SELECT version FROM roster_version WHERE version = ?",
                              (version,)).fetchone()
            if old is None:
                raise StorageError(self._no_version_message(con, version))
            cur = con.execute(
                "INSERT INTO roster_version (imported_at, source_name, sha256, imported_by,"
                " kind, province, vintage, n_rows, restored_from, province_code)"
                " SELECT ?, source_name, sha256, ?, kind, province, vintage, n_rows, version,"
                " province_code"
                " FROM roster_version WHERE version = ?",
                (_utc_now(), str(user or "unknown"), version),
            )
            new = int(cur.lastrowid)
            self._run_hook("version-row")
            con.execute(
                "INSERT INTO roster_row (version, commune_code, chiefs, deputies, officers,"
                " reinforcements, trained, reinforcement_origin, as_of)"
                " SELECT ?, commune_code, chiefs, deputies, officers, reinforcements, trained,"
                " reinforcement_origin, as_of FROM roster_row WHERE version = ?",
                (new, version),
            )
            self._run_hook("rows-written")
        log.info("roster store %s: restored version %d as version %d (by %s)", self.path,
                 version, new, user or "unknown")
        return new

    # -- reads ---------------------------------------------------------------
    @staticmethod
    def _no_version_message(con: sqlite3.Connection, version: int) -> str:
        lo, hi = con.execute("SELECT min(version), max(version) FROM roster_version").fetchone()
        if lo is None:
            return f"no roster version {version}: nothing has been imported yet"
        return f"no roster version {version} (versions {lo}–{hi})"

    @staticmethod
    def _where(province: str | None, vintage: str | None) -> tuple[str, list[str]]:
        """SQL condition and parameters selecting one province and/or map."""
        terms, params = [], []
        if province is not None:
            terms.append("province_code = ?")
            params.append(province_key(province))
        if vintage is not None:
            terms.append("vintage = ?")
            params.append(str(vintage))
        return (" AND ".join(terms) or "1"), params

    def _load(self, con: sqlite3.Connection, version: int | None, *,
              province: str | None = None, vintage: str | None = None
              ) -> StoredRoster | None:
        sql = ("SELECT version, imported_at, source_name, sha256, imported_by, kind, province,"
               " vintage, n_rows, restored_from FROM roster_version ")
        if version is None:
            where, params = self._where(province, vintage)
            meta = con.execute(sql + f"WHERE {where} ORDER BY version DESC LIMIT 1",
                               params).fetchone()
        else:
            meta = con.execute(sql + "WHERE version = ?", (int(version),)).fetchone()
        if meta is None:
            return None
        rows = con.execute(
            "SELECT commune_code, chiefs, deputies, officers, reinforcements, trained,"
            " reinforcement_origin, as_of FROM roster_row WHERE version = ?"
            " ORDER BY commune_code", (meta[0],)).fetchall()
        if len(rows) != meta[8]:
            raise StorageError(f"roster store {self.path}: version {meta[0]} has {len(rows)} "
                               f"rows, expected {meta[8]}")
        frame = canonical_frame(pd.DataFrame(rows, columns=list(ROSTER_COLUMNS)))
        return StoredRoster(version=int(meta[0]), imported_at=meta[1], source_name=meta[2],
                            sha256=meta[3], user=meta[4], kind=meta[5], province=meta[6],
                            vintage=meta[7], frame=frame,
                            restored_from=None if meta[9] is None else int(meta[9]))

    def current(self, *, province: str | None = None,
                vintage: str | None = None) -> StoredRoster | None:
        """Return the current roster of a province on a map, or ``None`` if there is none.

        Parameters
        ----------
        province : str, optional
            Province name or code; any province when ``None``.
        vintage : {"2020", "2025"}, optional
            The map; any map when ``None`` (then the newest version of all).
        """
        with self._read() as con:
            return self._load(con, None, province=province, vintage=vintage)

    def get(self, version: int) -> StoredRoster:
        """Return one version.

        Raises
        ------
        StorageError
            If there is no such version.
        """
        with self._read() as con:
            got = self._load(con, int(version))
            if got is None:
                raise StorageError(self._no_version_message(con, int(version)))
            return got

    def history(self, *, province: str | None = None,
                vintage: str | None = None) -> pd.DataFrame:
        """Return one row per version, oldest first (columns :data:`HISTORY_COLUMNS`).

        ``is_current`` marks the current version of each province and map;
        ``province`` and ``vintage`` keep only the versions of that province / map.
        """
        where, params = self._where(province, vintage)
        with self._read() as con:
            rows = con.execute(
                "SELECT version, imported_at, source_name, sha256, imported_by, n_rows,"
                " version = (SELECT max(v.version) FROM roster_version v"
                "  WHERE v.province_code IS r.province_code AND v.vintage = r.vintage),"
                " restored_from, kind, province, vintage FROM roster_version r"
                f" WHERE {where} ORDER BY version", params).fetchall()
        return history_frame(rows)

    def version_token(self) -> str:
        """Return ``"<store id>:<last version>"``; it changes on every write.

        A store that was never written to holds no roster: what it gives is the sample
        rosters, the same in every store, so its token names no store (``"empty:0"``)
        and caches keyed on it are shared by every empty store of the process.
        """
        with self._connect() as con:
            store_id, last = con.execute(
                "SELECT (SELECT value FROM store_meta WHERE key = 'store_id'),"
                " (SELECT seq FROM sqlite_sequence WHERE name = 'roster_version')").fetchone()
        return f"{store_id if last else 'empty'}:{last or 0}"


def open_store(home: Path | None = None, *, province: str | None = None,
               vintage: str | None = None) -> RosterStore:
    """Open (creating if needed) the roster store: PostgreSQL when configured, else SQLite.

    Parameters
    ----------
    home : Path, optional
        The data folder; :func:`geo.settings.bordermap_home` when ``None``.
        Created if missing.
    province, vintage : str, optional
        The province and map of the rosters (PostgreSQL store only, whose versions
        count per province and map); default the default province and the 2020 map.

    Returns
    -------
    RosterStore
        A :class:`geo.stores.postgis.PostGISRosterStore` when
        ``BORDERMAP_DATABASE_URL`` is set, else a :class:`SQLiteRosterStore` on
        ``home / "bordermap.sqlite"``.

    Raises
    ------
    StorageError
        If the folder cannot be created, the file is not a roster store, or the
        database cannot be reached or is not migrated.
    """
    url = get_settings().database_url
    if url:
        from geo.stores.postgis import PostGISRosterStore

        return PostGISRosterStore(url, province=province or DEFAULT_PROVINCE,
                                  vintage=vintage or "2020")
    folder = Path(home) if home is not None else bordermap_home()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StorageError(f"cannot create the data folder {folder}: {err}") from err
    return SQLiteRosterStore(folder / STORE_FILENAME)
