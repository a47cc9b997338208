"""Which backend a store uses, and a PostgreSQL connection that runs the SQLite queries.

One rule for every store (users, sessions, audit log, norms, border lists):

* a caller that names a **file** (a users file, an audit database, a session
  database) gets that file — the embedded backend;
* otherwise ``BORDERMAP_DATABASE_URL`` (:attr:`geo.settings.Settings.database_url`),
  when set, selects the shared PostgreSQL store;
* otherwise the embedded SQLite/JSON file under ``BORDERMAP_HOME``.

The PostgreSQL tables of these stores (Alembic revision ``0002``) have the same names
and columns as their SQLite tables, so each store keeps one set of queries written
with SQLite's ``?`` placeholders; :class:`PgConnection` turns them into psycopg's
``%s``. Those queries therefore never contain a literal ``?`` or ``%``.

Connections are reused: :func:`pooled_connection` keeps a few idle connections per
URL and process (opening one costs ~25 ms, mostly authentication; a session lookup
on a reused one ~1 ms). Only transactions of :func:`pg_transaction` use them, and
everything those set (province scope, lock timeout, advisory locks) ends with the
transaction, so a reused connection carries nothing over.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from geo._errors import StorageError
from geo.settings import get_settings, mask_url
from geo.stores._pgconnect import (  # noqa: F401 (re-exported: the pool)
    MAX_IDLE,
    close_idle,
    pooled_connection,
)

#: URLs whose schema revision was checked by this process (the check costs a query).
_CHECKED: set[str] = set()


def shared_url(explicit: object | None = None) -> str | None:
    """Return the PostgreSQL URL a store should use, or None for the embedded backend.

    Parameters
    ----------
    explicit : object, optional
        The file the caller named (``path=…``); naming one selects the embedded backend.
    """
    if explicit is not None:
        return None
    return get_settings().database_url or None


class PgConnection:
    """A psycopg connection that takes SQLite-style ``?`` placeholders.

    ``execute``/``executemany`` return psycopg cursors (``fetchone``, ``fetchall``,
    ``rowcount``), as sqlite3's do.
    """

    def __init__(self, con) -> None:
        self.raw = con

    def execute(self, sql: str, params: tuple | list = ()):
        """Run one statement; ``?`` placeholders."""
        return self.raw.execute(sql.replace("?", "%s"), tuple(params))

    def executemany(self, sql: str, rows) -> None:
        """Run one statement per parameter row (pipelined)."""
        self.raw.cursor().executemany(sql.replace("?", "%s"), list(rows))


def check_schema(url: str, con) -> None:
    """Refuse a database whose Alembic revision is not this program's (once per process).

    Raises
    ------
    StorageError
        The database has no BorderMap schema or another revision.
    """
    if url in _CHECKED:
        return
    from geo.stores.postgis import SCHEMA_HEAD, schema_revision

    have = schema_revision(con)
    if have != SCHEMA_HEAD:
        state = "has no BorderMap schema" if have is None else f"is at revision {have}"
        raise StorageError(f"database {mask_url(url)} {state}; this program needs revision "
                           f"{SCHEMA_HEAD}: run the database migrations (python -m geo db "
                           "upgrade)")
    _CHECKED.add(url)


@contextlib.contextmanager
def pg_transaction(url: str, *, provinces: str | list[str] | None = None,
                   lock: str | None = None, what: str = "store",
                   timeout: float = 30.0) -> Iterator[PgConnection]:
    """One transaction on the shared store, scoped to ``provinces`` (default: all).

    Parameters
    ----------
    url : str
        PostgreSQL URL (the app role).
    provinces : str or list of str, optional
        ``<map>:<code>`` entries the transaction may see and write (row-level
        security, :func:`geo.stores.postgis.scope_value`); ``None`` or ``"*"`` for the
        whole country.
    lock : str, optional
        Name of a transaction-level advisory lock taken first: writers that name the
        same lock run one after the other (across processes and hosts).
    what : str
        The store's name, for error messages.
    timeout : float
        Seconds to wait for locks (and at most 10 s to connect).

    Raises
    ------
    StorageError
        The server cannot be reached, its schema is not this program's, or a query fails
        (the whole transaction is rolled back). The password never appears.
    """
    import psycopg

    from geo.stores.postgis import scoped_transaction

    with pooled_connection(url, timeout=min(timeout, 10.0)) as con:
        check_schema(url, con)
        try:
            with scoped_transaction(con, provinces, lock_timeout_s=timeout):
                if lock is not None:
                    con.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                                (f"bordermap.{lock}",))
                yield PgConnection(con)
        except psycopg.Error as err:
            raise StorageError(f"{what} {mask_url(url)}: {str(err).strip()}") from err


def next_counter(con: PgConnection, name: str) -> int:
    """Increment the counter ``name`` of ``store_counters`` and return it.

    The counter's row stays locked until the transaction ends, so a second writer
    waits: numbers are never duplicated, and a rolled-back transaction uses none.
    """
    return int(con.execute(
        "INSERT INTO store_counters AS c (name, last_value) VALUES (?, 1)"
        " ON CONFLICT (name) DO UPDATE SET last_value = c.last_value + 1"
        " RETURNING last_value", (name,)).fetchone()[0])
