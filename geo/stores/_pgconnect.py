"""PostgreSQL connections: URL checks and the per-process pool of idle connections.

Below both :mod:`geo.stores.postgis` (rosters, migrations, scope) and
:mod:`geo.stores._backend` (which store uses which backend); imports neither.
Connections are reused: :func:`pooled_connection` keeps a few idle connections per
URL and process (opening one costs ~25 ms, mostly authentication). Everything a
transaction sets (province scope, lock timeout, advisory locks) ends with it, so a
reused connection carries nothing over.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

from geo._errors import InvalidArgument, StorageError
from geo.settings import mask_url


def is_postgres_url(url: str | None) -> bool:
    """Return True for a ``postgresql://`` (or ``postgres://``, ``postgresql+psycopg://``) URL."""
    scheme = str(url or "").split("://", 1)[0].lower()
    return scheme in ("postgresql", "postgres") or scheme.startswith("postgresql+")


def libpq_url(url: str) -> str:
    """Return ``url`` as libpq/psycopg expects it (no SQLAlchemy ``+driver`` suffix).

    Raises
    ------
    InvalidArgument
        ``url`` is not a PostgreSQL URL.
    """
    if not is_postgres_url(url):
        raise InvalidArgument(f"not a PostgreSQL URL: {mask_url(url)!r} "
                              "(expected postgresql://user:password@host:port/database)")
    return "postgresql://" + str(url).split("://", 1)[1]



#: Idle connections kept per URL (per process).
MAX_IDLE = 4
_IDLE: dict[str, list] = {}
_IDLE_PID = os.getpid()
_IDLE_LOCK = threading.Lock()
#: Connections inherited through fork(): never used nor closed by the child (closing
#: would end the parent's session on the shared socket).
_INHERITED: list = []


def _take(url: str):
    global _IDLE_PID
    with _IDLE_LOCK:
        if _IDLE_PID != os.getpid():  # forked: the parent's connections are not ours
            _INHERITED.extend(c for cons in _IDLE.values() for c in cons)
            _IDLE.clear()
            _IDLE_PID = os.getpid()
        idle = _IDLE.get(url) or []
        while idle:
            con = idle.pop()
            if not con.closed and not con.broken:
                return con
    return None


def _give_back(url: str, con) -> None:
    import psycopg

    if (con.closed or con.broken
            or con.info.transaction_status != psycopg.pq.TransactionStatus.IDLE):
        con.close()
        return
    with _IDLE_LOCK:
        idle = _IDLE.setdefault(url, [])
        if _IDLE_PID == os.getpid() and len(idle) < MAX_IDLE:
            idle.append(con)
            return
    con.close()


def close_idle() -> int:
    """Close this process's idle connections (e.g. before a database is dropped)."""
    with _IDLE_LOCK:
        cons = [c for idle in _IDLE.values() for c in idle] if _IDLE_PID == os.getpid() else []
        _IDLE.clear()
    for con in cons:
        con.close()
    return len(cons)


@contextlib.contextmanager
def pooled_connection(url: str, *, timeout: float = 10.0) -> Iterator:
    """An autocommit psycopg connection to ``url``, reused from this process's idle ones.

    Returned to the pool only when the block ends normally and no transaction is
    open; closed otherwise. Errors become :class:`StorageError` (password masked).
    """
    import psycopg

    con = _take(url)
    try:
        if con is None:
            con = psycopg.connect(libpq_url(url), autocommit=True,
                                  connect_timeout=max(1, int(timeout)),
                                  application_name="bordermap")
    except psycopg.Error as err:
        raise StorageError(f"database {mask_url(url)}: {str(err).strip()}") from err
    ok = False
    try:
        yield con
        ok = True
    except psycopg.Error as err:
        raise StorageError(f"database {mask_url(url)}: {str(err).strip()}") from err
    finally:
        if ok:
            _give_back(url, con)
        else:
            con.close()


