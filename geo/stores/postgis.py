"""Shared PostgreSQL/PostGIS store: connections, Alembic migrations, versioned rosters.

Selected by ``BORDERMAP_DATABASE_URL`` (:attr:`geo.settings.Settings.database_url`);
without it the embedded SQLite store is used. The schema is created and upgraded by
Alembic (:func:`migrate`, revisions in ``geo/stores/migrations/versions``), never by
hand-run SQL.

Province scope
    Every transaction sets ``bordermap.provinces`` (transaction-local) to the
    provinces it may touch, each with its map (``2020:44,2025:12``: the same code names
    different provinces on the two maps); row-level security policies in the database hide and
    refuse every other province's rows (defence in depth: a query that forgets a
    ``WHERE province_code = …`` still cannot leak another province). The
    application must connect as a non-owner role without ``BYPASSRLS`` (member of
    ``bordermap_app``), never as a superuser.

Versions
    Version numbers count per (province, administrative map). An import or restore
    increments the stream's counter row in ``roster_streams`` with
    ``INSERT … ON CONFLICT DO UPDATE``, which holds that row's lock until commit: a
    second writer (thread or process) waits, so no number is lost or duplicated, and
    a failed transaction rolls the counter back with everything else.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from geo._errors import InvalidArgument, InvalidArgumentType, RosterError, StorageError
from geo.roster import COUNT_COLUMNS, ROSTER_COLUMNS, ValidationReport, canonical_frame
from geo.settings import DEFAULT_PROVINCE, VINTAGES, mask_url
from geo.stores import _roster_base as storage
from geo.stores._pgconnect import (  # noqa: F401 (re-exported)
    is_postgres_url,
    libpq_url,
    pooled_connection,
)

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

#: Folder of the Alembic environment and revisions.
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Alembic revision this program's queries are written for (checked on open).
SCHEMA_HEAD = "0004"
#: Session setting read by the row-level security policies.
SCOPE_SETTING = "bordermap.provinces"
#: Scope value for the whole country.
ALL_PROVINCES = "*"

_ROW_COLUMNS = ("commune_code", "chiefs", "deputies", "officers", "reinforcements", "trained",
                "reinforcement_origin", "as_of")


# --------------------------------------------------------------------------- connections

def sqlalchemy_url(url: str) -> str:
    """Return ``url`` with the ``postgresql+psycopg://`` dialect SQLAlchemy needs."""
    return "postgresql+psycopg://" + libpq_url(url).split("://", 1)[1]


def scope_value(provinces: str | list[str] | tuple[str, ...] | None, *,
                vintage: str | None = None) -> str:
    """Return the ``bordermap.provinces`` value: ``<map>:<code>`` entries, or ``*`` for all.

    The same 2-digit code names different provinces on the 2020 and 2025 maps (e.g. 44:
    Quảng Bình in 2020, Quảng Trị in 2025), so every entry names its map: give
    ``"2020:44"`` entries, or bare codes together with ``vintage``. An empty list or
    tuple gives ``""``: no province at all (nothing is visible).

    Raises
    ------
    InvalidArgument
        An entry is neither ``<map>:<2 digits>`` nor, with ``vintage``, two digits.
    """
    if provinces is None or provinces == ALL_PROVINCES:
        return ALL_PROVINCES
    if isinstance(provinces, (list, tuple, frozenset, set)) and not provinces:
        return ""
    if vintage is not None and str(vintage) not in VINTAGES:
        raise InvalidArgument(f"vintage must be one of {', '.join(VINTAGES)}, not {vintage!r}")
    parts = [provinces] if isinstance(provinces, str) else list(provinces)
    entries, bad = [], []
    for entry in (c.strip() for part in parts for c in str(part).split(",") if c.strip()):
        if ":" not in entry and vintage is not None:
            entry = f"{vintage}:{entry}"
        map_, _, code = entry.partition(":")
        if map_ in VINTAGES and len(code) == 2 and code.isdigit():
            entries.append(entry)
        else:
            bad.append(entry)
    if bad or not entries:
        raise InvalidArgument(f"province scope must be '<map>:<2-digit code>' entries (map "
                              f"{' or '.join(VINTAGES)}; bare codes only with a map) or '*', "
                              f"not {provinces!r}")
    return ",".join(sorted(set(entries)))


def scope_entries(scope_2020: frozenset[str] | None) -> str | list[str]:
    """Return the ``bordermap.provinces`` entries of a user's scope on both maps.

    ``scope_2020`` is the user's scope as 2020 province codes (:mod:`geo.scope`),
    ``None`` = not restricted (``"*"``); on the 2025 map it covers those provinces'
    successors (:func:`geo.registry.provinces_on_map`).
    """
    if scope_2020 is None:
        return ALL_PROVINCES
    from geo.registry import provinces_on_map

    return sorted(f"{vintage}:{code}" for vintage in VINTAGES
                  for code in provinces_on_map(frozenset(scope_2020), vintage))


@contextlib.contextmanager
def connect(url: str, *, timeout: float = 10.0) -> Iterator[psycopg.Connection]:
    """Open an autocommit psycopg connection; errors become :class:`StorageError`.

    The password never appears in messages (:func:`geo.settings.mask_url`).
    """
    import psycopg

    con = None
    try:
        con = psycopg.connect(libpq_url(url), autocommit=True, connect_timeout=int(timeout),
                              application_name="bordermap")
        yield con
    except psycopg.Error as err:
        raise StorageError(f"database {mask_url(url)}: {str(err).strip()}") from err
    finally:
        if con is not None:
            con.close()


@contextlib.contextmanager
def scoped_transaction(con, provinces: str | list[str] | None, *,
                       vintage: str | None = None, lock_timeout_s: float = 30.0) -> Iterator:
    """One transaction on ``con`` that may only see and write ``provinces``.

    ``provinces`` are ``<map>:<code>`` entries, bare codes of ``vintage``'s map, or
    ``"*"`` (:func:`scope_value`). Sets ``bordermap.provinces`` and ``lock_timeout`` with ``set_config(…, true)`` so
    both end with the transaction (safe with connection pools).
    """
    with con.transaction():
        con.execute("SELECT set_config(%s, %s, true), set_config('lock_timeout', %s, true)",
                    (SCOPE_SETTING, scope_value(provinces, vintage=vintage), f"{int(lock_timeout_s * 1000)}ms"))
        yield con


# --------------------------------------------------------------------------- migrations

def migrate(url: str, *, revision: str = "head") -> str:
    """Upgrade the database schema with Alembic (``alembic upgrade head``); idempotent.

    Connect as the role that owns (or may create) the tables, not the app role.

    Parameters
    ----------
    url : str
        PostgreSQL URL (``postgresql://owner:password@host:5432/bordermap``).
    revision : str
        Target revision; default the newest.

    Returns
    -------
    str
        The revision the database is at afterwards.

    Raises
    ------
    StorageError
        The server cannot be reached or a migration fails (nothing of that revision
        is kept: each revision runs in its own transaction).
    """
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    engine = sa.create_engine(sqlalchemy_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            connection.commit()
            now = MigrationContext.configure(connection).get_current_revision()
    except sa.exc.SQLAlchemyError as err:
        detail = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
        raise StorageError(f"database {mask_url(url)}: migration failed: {detail}") from err
    finally:
        engine.dispose()
    log.info("database %s: schema at revision %s", mask_url(url), now)
    return str(now)


def schema_revision(con) -> str | None:
    """Return the Alembic revision of the database on ``con``, or None if not migrated."""
    import psycopg

    try:
        with con.transaction():
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except psycopg.errors.UndefinedTable:
        return None
    return None if row is None else str(row[0])


# --------------------------------------------------------------------------- rosters

class PostGISRosterStore(storage.RosterStore):
    """Versioned roster store for one province and administrative map, in PostgreSQL.

    Same public interface as :class:`geo.stores.rosters.SQLiteRosterStore` (``import_roster``,
    ``current``, ``get``, ``history``, ``restore``, ``version_token``); versions count
    per (province, map). Every transaction is scoped to the store's province, so the
    database's row-level security hides every other province.

    Parameters
    ----------
    url : str
        ``postgresql://app:password@host:5432/bordermap`` (the app role, not the owner).
    province : str
        Province name or registry code; default the service's default province.
    vintage : {"2020", "2025"}
        The administrative map the rosters are validated against.
    timeout : float
        Seconds to wait for another writer's lock (and at most 10 s to connect).
    scope : frozenset of str, optional
        The provinces of the user the store works for, as 2020 province codes
        (:mod:`geo.scope`); ``None`` = not restricted. Each transaction then sets
        ``bordermap.provinces`` to the store's province only if the scope covers it
        (on the store's map), else to nothing — so row-level security hides the rows
        even if a caller forgot its own check. See :meth:`with_scope`.

    Raises
    ------
    StorageError
        The server cannot be reached, or its schema is missing or of another revision.
    RegistryError
        Unknown province.
    """

    def __init__(self, url: str, *, province: str = DEFAULT_PROVINCE,
                 vintage: str = "2020", timeout: float = 30.0,
                 scope: frozenset[str] | None = None) -> None:
        from geo.registry import find_province

        self.scope = None if scope is None else frozenset(scope)
        self.url = str(url)
        self.vintage = str(vintage)
        self.province = str(province)
        self.province_code = find_province(self.province, vintage=self.vintage)
        self.timeout = float(timeout)
        #: Test hook called inside write transactions ("version-row", "rows-written").
        self._hook: Callable[[str], None] | None = None
        with pooled_connection(self.url, timeout=min(self.timeout, 10.0)) as con:
            have = schema_revision(con)
        if have != SCHEMA_HEAD:
            state = "has no BorderMap schema" if have is None else f"is at revision {have}"
            raise StorageError(f"database {mask_url(self.url)} {state}; this program "
                               f"needs revision {SCHEMA_HEAD}: run the database migrations")

    def __repr__(self) -> str:
        """Return ``PostGISRosterStore('postgresql://app:***@host/db', '11', '2020')``."""
        return (f"PostGISRosterStore({mask_url(self.url)!r}, {self.province_code!r}, "
                f"{self.vintage!r})")

    # -- plumbing --------------------------------------------------------
    def with_scope(self, scope: frozenset[str] | None) -> PostGISRosterStore:
        """Return this store working for a user whose scope is ``scope`` (2020 codes)."""
        import copy

        twin = copy.copy(self)
        twin.scope = None if scope is None else frozenset(scope)
        return twin

    def _session_provinces(self) -> list[str]:
        """What ``bordermap.provinces`` is set to: the store's province and map if in
        scope (``["2020:11"]``), else none."""
        mine = [f"{self.vintage}:{self.province_code}"]
        if self.scope is None:
            return mine
        from geo.registry import provinces_on_map

        return mine if self.province_code in provinces_on_map(self.scope, self.vintage) else []

    @contextlib.contextmanager
    def _transaction(self) -> Iterator:
        with pooled_connection(self.url, timeout=min(self.timeout, 10.0)) as con:
            with scoped_transaction(con, self._session_provinces(),
                                    lock_timeout_s=self.timeout):
                yield con

    def _run_hook(self, stage: str) -> None:
        if self._hook is not None:
            self._hook(stage)

    def _next_version(self, con) -> int:
        """Increment this stream's counter; its row stays locked until commit."""
        return int(con.execute(
            "INSERT INTO roster_streams AS s (province_code, vintage, last_version)"
            " VALUES (%s, %s, 1) ON CONFLICT (province_code, vintage)"
            " DO UPDATE SET last_version = s.last_version + 1 RETURNING last_version",
            (self.province_code, self.vintage)).fetchone()[0])

    def _key(self) -> tuple[str, str]:
        return self.province_code, self.vintage

    def _check_key(self, province: str, vintage: str) -> None:
        from geo.registry import find_province

        code = find_province(province, vintage=vintage) if str(vintage) in (
            "2020", "2025") else None
        if (code, str(vintage)) != self._key():
            raise InvalidArgument(
                f"this roster store holds province {self.province_code}, {self.vintage} "
                f"map; the roster is for {province!r}, {vintage} map")

    # -- writes ----------------------------------------------------------
    def import_roster(self, report_or_frame: ValidationReport | pd.DataFrame, *,
                      source_name: str | None = None, sha256: str | None = None,
                      user: str | None = None, kind: str | None = None,
                      province: str | None = None, vintage: str | None = None) -> int:
        """Store an accepted roster as a new, current version; return its number.

        Same contract as :meth:`geo.stores.rosters.SQLiteRosterStore.import_roster`;
        for a frame, province and vintage default to the store's.

        Raises
        ------
        RosterError
            The report has errors or the frame is not a valid roster.
        InvalidArgument
            The roster is for another province or map than this store's.
        StorageError
            The database cannot be written; the previous version stays current.
        """
        if isinstance(report_or_frame, ValidationReport):
            rep = report_or_frame
            if not rep.ok or rep.roster is None:
                raise RosterError(
                    f"roster {rep.source_name} has {len(rep.errors)} error(s) and cannot "
                    "be imported", problems=rep.problems)
            frame = storage._check_frame(rep.roster)
            source_name, sha256 = source_name or rep.source_name, sha256 or rep.sha256
            kind, province = kind or rep.kind, province or rep.province
            vintage = vintage or rep.vintage
        elif isinstance(report_or_frame, pd.DataFrame):
            frame = storage._check_frame(report_or_frame)
            source_name = source_name or "<frame>"
            sha256 = sha256 or storage._frame_sha256(frame)
            kind, province = kind or "per-commune", province or self.province
            vintage = vintage or self.vintage
        else:
            raise InvalidArgumentType("report_or_frame must be a ValidationReport or a "
                                      f"DataFrame, not {type(report_or_frame).__name__}")
        if kind not in storage._KINDS:
            raise InvalidArgument(f"kind must be one of {', '.join(storage._KINDS)}, "
                                  f"not {kind!r}")
        self._check_key(str(province), str(vintage))
        rows = list(zip(
            frame["commune_code"].tolist(),
            *(frame[c].astype(int).tolist() for c in COUNT_COLUMNS),
            [None if pd.isna(v) else str(v) for v in frame["reinforcement_origin"]],
            [None if pd.isna(v) else str(v) for v in frame["as_of"]],
        ))
        who = str(user or "unknown")
        with self._transaction() as con:
            version = self._next_version(con)
            self._make_current(con, version, (
                storage._utc_now(), str(source_name), str(sha256), who, kind,
                str(province), len(rows), None))
            self._run_hook("version-row")
            # COPY is refused on tables with row-level security: a pipelined executemany.
            con.cursor().executemany(
                f"INSERT INTO roster_rows (province_code, vintage, version, "
                f"{', '.join(_ROW_COLUMNS)}) VALUES ({', '.join(['%s'] * 11)})",
                [(*self._key(), version, *row) for row in rows])
            self._run_hook("rows-written")
        log.info("roster store %r: imported %s as version %d (%d communes, by %s)",
                 self, source_name, version, len(rows), who)
        return version

    def _make_current(self, con, version: int, meta: tuple) -> None:
        con.execute("UPDATE roster_versions SET is_current = false WHERE province_code = %s"
                    " AND vintage = %s AND is_current", self._key())
        con.execute(
            "INSERT INTO roster_versions (province_code, vintage, version, imported_at,"
            " source_name, sha256, imported_by, kind, province, n_rows, restored_from,"
            " is_current) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, true)",
            (*self._key(), version, *meta))

    def restore(self, version: int, *, user: str | None = None) -> int:
        """Create a new current version with the rows of ``version``; return its number.

        Raises
        ------
        StorageError
            There is no such version (nothing is written).
        """
        version = int(version)
        who = str(user or "unknown")
        with self._transaction() as con:
            new = self._next_version(con)  # lock first: the copy reads a settled history
            old = con.execute(
                "SELECT source_name, sha256, kind, province, n_rows FROM roster_versions"
                " WHERE province_code = %s AND vintage = %s AND version = %s",
                (*self._key(), version)).fetchone()
            if old is None:
                raise StorageError(self._no_version_message(con, version))
            src, sha, kind, province, n_rows = old
            self._make_current(con, new, (storage._utc_now(), src, sha, who, kind,
                                          province, n_rows, version))
            self._run_hook("version-row")
            con.execute(
                f"INSERT INTO roster_rows (province_code, vintage, version, "
                f"{', '.join(_ROW_COLUMNS)}) SELECT province_code, vintage, %s, "
                f"{', '.join(_ROW_COLUMNS)} FROM roster_rows WHERE province_code = %s"
                " AND vintage = %s AND version = %s", (new, *self._key(), version))
            self._run_hook("rows-written")
        log.info("roster store %r: restored version %d as version %d (by %s)", self,
                 version, new, who)
        return new

    # -- reads -----------------------------------------------------------
    def _no_version_message(self, con, version: int) -> str:
        lo, hi = con.execute(
            "SELECT min(version), max(version) FROM roster_versions"
            " WHERE province_code = %s AND vintage = %s", self._key()).fetchone()
        if lo is None:
            return f"no roster version {version}: nothing has been imported yet"
        return f"no roster version {version} (versions {lo}–{hi})"

    def _load(self, con, version: int | None):
        sql = ("SELECT version, imported_at, source_name, sha256, imported_by, kind,"
               " province, vintage, n_rows, restored_from FROM roster_versions"
               " WHERE province_code = %s AND vintage = %s AND ")
        meta = con.execute(sql + ("is_current" if version is None else "version = %s"),
                           (*self._key(), *(() if version is None else (version,)))
                           ).fetchone()
        if meta is None:
            return None
        rows = con.execute(
            f"SELECT {', '.join(_ROW_COLUMNS)} FROM roster_rows WHERE province_code = %s"
            " AND vintage = %s AND version = %s ORDER BY commune_code",
            (*self._key(), meta[0])).fetchall()
        if len(rows) != meta[8]:
            raise StorageError(f"roster store {self!r}: version {meta[0]} has {len(rows)} "
                               f"rows, expected {meta[8]}")
        frame = canonical_frame(pd.DataFrame(rows, columns=list(ROSTER_COLUMNS)))
        return storage.StoredRoster(
            version=int(meta[0]), imported_at=meta[1], source_name=meta[2], sha256=meta[3],
            user=meta[4], kind=meta[5], province=meta[6], vintage=meta[7], frame=frame,
            restored_from=None if meta[9] is None else int(meta[9]))

    def _for(self, province: str | None, vintage: str | None) -> PostGISRosterStore:
        """This store, or a sibling bound to another province and/or map (same database)."""
        from geo.registry import find_province

        vintage = str(vintage or self.vintage)
        code = find_province(str(province), vintage=vintage) if province else self.province_code
        if (code, vintage) == (self.province_code, self.vintage):
            return self
        return PostGISRosterStore(self.url, province=code, vintage=vintage, timeout=self.timeout,
                                  scope=self.scope)

    def current(self, *, province: str | None = None, vintage: str | None = None):
        """Return the current version of a province and map (default: the store's own).

        ``None`` if nothing was imported for it.
        """
        store = self._for(province, vintage)
        with store._transaction() as con:
            return store._load(con, None)

    def get(self, version: int):
        """Return one version; raise :class:`StorageError` if there is none."""
        with self._transaction() as con:
            got = self._load(con, int(version))
            if got is None:
                raise StorageError(self._no_version_message(con, int(version)))
            return got

    def history(self, *, province: str | None = None,
                vintage: str | None = None) -> pd.DataFrame:
        """Return one row per version, oldest first (columns ``HISTORY_COLUMNS``).

        Versions of a province and map (default: the store's own).
        """
        store = self._for(province, vintage)
        with store._transaction() as con:
            rows = con.execute(
                "SELECT version, imported_at, source_name, sha256, imported_by, n_rows,"
                " is_current, restored_from, kind, province, vintage FROM roster_versions"
                " WHERE province_code = %s AND vintage = %s ORDER BY version",
                store._key()).fetchall()
        return storage.history_frame(rows)

    def version_token(self) -> str:
        """Return ``"<store id>:<province>:<vintage>:<last version>"`` (``"empty:…:0"`` for a
        stream never written to, as :meth:`geo.stores.rosters.SQLiteRosterStore.version_token`)."""
        with self._transaction() as con:
            store_id, last = con.execute(
                "SELECT (SELECT value FROM store_meta WHERE key = 'store_id'),"
                " (SELECT last_version FROM roster_streams WHERE province_code = %s"
                " AND vintage = %s)", self._key()).fetchone()
        return f"{store_id if last else 'empty'}:{self.province_code}:{self.vintage}:{last or 0}"
