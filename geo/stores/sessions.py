"""Signed-in sessions, one-time sign-in tickets and sign-in failure counters (SQLite).

One file, ``<BORDERMAP_HOME>/sessions.sqlite``, shared by every app process that
uses the same data folder: a session created by one process is accepted by
another, and a sign-out, password change or role change in one ends the
session everywhere on its next rerun.

* **Sessions** are keyed by the SHA-256 of a random 256-bit token. The token
  itself lives only in the browser's HttpOnly cookie; the file never holds it,
  so a copy of the file does not sign anybody in. A session has an absolute
  expiry (``expires``), an idle limit checked against ``last_seen``, and may be
  revoked (sign-out, password or role change, account removed or disabled).
* **Tickets** carry a successful sign-in from the websocket (where the password
  is checked) to the HTTP response that sets the cookie: single use, bound to
  the client address, valid for :data:`TICKET_TTL_S` seconds.
* **Counters** hold failed sign-ins per key (``pair``, ``account`` or
  ``address``) and the addresses an account has signed in from; the policy that
  reads them is :mod:`geo.ratelimit`.

Every call opens its own connection (WAL journal, 10 s busy timeout), so the
store is safe across threads and processes.

With ``BORDERMAP_DATABASE_URL`` set (and no file named), the same tables live in
the shared PostgreSQL store (Alembic revision ``0002``) and the same queries run
there (:mod:`geo.stores._backend`): app processes on several hosts then share
sessions, tickets and counters, so any of them accepts a session another created
and a sign-out anywhere ends it everywhere.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from geo._errors import StorageError
from geo.settings import get_settings, mask_url
from geo.stores._backend import pg_transaction, shared_url

log = logging.getLogger(__name__)

#: Lifetime of a sign-in ticket (seconds).
TICKET_TTL_S = 60.0

#: ``last_seen`` is written at most this often per session (seconds).
TOUCH_EVERY_S = 15.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    username   TEXT NOT NULL,
    created    REAL NOT NULL,
    last_seen  REAL NOT NULL,
    expires    REAL NOT NULL,
    revoked    REAL,
    reason     TEXT NOT NULL DEFAULT '',
    client     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (username);
CREATE TABLE IF NOT EXISTS tickets (
    ticket_hash TEXT PRIMARY KEY,
    username    TEXT NOT NULL,
    client      TEXT NOT NULL,
    expires     REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS signin_failures (
    kind         TEXT NOT NULL,
    key          TEXT NOT NULL,
    failures     INTEGER NOT NULL,
    last_failure REAL NOT NULL,
    locked_until REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, key)
);
CREATE TABLE IF NOT EXISTS signin_known (
    username TEXT NOT NULL,
    address  TEXT NOT NULL,
    last_ok  REAL NOT NULL,
    PRIMARY KEY (username, address)
);
"""


#: Session-store files whose schema this process has created or checked: (path, device, inode).
_SCHEMA_READY: set[tuple[str, int, int]] = set()


def _file_ident(path: Path) -> tuple[str, int, int] | None:
    """Return ``(path, device, inode)`` of a non-empty file, None when there is none."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (str(path), st.st_dev, st.st_ino) if st.st_size > 0 else None


def sessions_path() -> Path:
    """Return the session database: ``<BORDERMAP_HOME>/sessions.sqlite``."""
    return get_settings().home / "sessions.sqlite"


def token_hash(token: str) -> str:
    """Return the key a token is stored under (SHA-256, hex)."""
    return hashlib.sha256(str(token).encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class SessionRecord:
    """A live session as stored (never holds the token).

    Attributes
    ----------
    key : str
        SHA-256 of the token.
    username : str
        The account it belongs to.
    created, last_seen, expires : float
        Unix times: sign-in, last rerun, absolute end.
    client : str
        The address it was created from.
    """

    key: str
    username: str
    created: float
    last_seen: float
    expires: float
    client: str


class SessionStore:
    """Sessions, tickets and sign-in counters: one SQLite file, or the shared database.

    Parameters
    ----------
    path : Path, optional
        Database file; by default the shared PostgreSQL store when
        ``BORDERMAP_DATABASE_URL`` is set, else :func:`sessions_path`.
    clock : callable
        Returns the current Unix time; inject a fake one in tests.
    url : str, optional
        PostgreSQL URL to use instead of ``BORDERMAP_DATABASE_URL`` (ignored with ``path``).
    """

    def __init__(self, path: Path | None = None, *, clock=time.time,
                 url: str | None = None) -> None:
        self.url = None if path is not None else (url or shared_url())
        self.path = Path(path) if path is not None else sessions_path()
        self.clock = clock

    def __repr__(self) -> str:
        """Return ``SessionStore('<file or masked URL>')``."""
        return f"SessionStore({mask_url(self.url) if self.url else str(self.path)!r})"

    # ------------------------------------------------------------------ plumbing

    @contextlib.contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """Open the database (created with mode 0600 on first use) for one call.

        Raises
        ------
        StorageError
            The folder or file cannot be created, opened or written (or the
            database reached).
        """
        if self.url:
            with pg_transaction(self.url, what="session store", timeout=10.0) as con:
                yield con
            return
        try:
            ident = _file_ident(self.path)
            new = not self.path.exists()
            if new:
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        except (OSError, sqlite3.Error) as err:
            raise StorageError(f"{self.path}: cannot open the session store ({err})") from err
        try:
            con.execute("PRAGMA busy_timeout = 10000")
            # the schema and WAL mode once per file and process (every rerun opens the
            # store); a new or replaced file (another inode) gets them again
            if ident is None or ident not in _SCHEMA_READY:
                with contextlib.suppress(sqlite3.OperationalError):
                    con.execute("PRAGMA journal_mode = WAL")
                con.executescript(_SCHEMA)
                if new:
                    os.chmod(self.path, 0o600)
                if (ident := _file_ident(self.path)) is not None:
                    _SCHEMA_READY.add(ident)
            yield con
        except sqlite3.Error as err:
            raise StorageError(f"{self.path}: session store error ({err})") from err
        finally:
            con.close()

    # ------------------------------------------------------------------ sessions

    def create(self, username: str, *, client: str, lifetime_s: float) -> str:
        """Start a session; return its token (256 random bits, URL-safe text).

        The token is returned once, for the cookie; only its hash is stored.
        """
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self.connect() as con:
            con.execute("INSERT INTO sessions (token_hash, username, created, last_seen, "
                        "expires, client) VALUES (?, ?, ?, ?, ?, ?)",
                        (token_hash(token), username, now, now, now + lifetime_s, client))
            con.execute("DELETE FROM sessions WHERE expires < ? OR revoked < ?",
                        (now - 86400.0, now - 86400.0))  # keep a day for the record
        log.info("session started for %s from %s", username, client)
        return token

    def lookup(self, token: str | None, *, idle_s: float, touch: bool = True
               ) -> SessionRecord | None:
        """Return the live session of ``token``, or None (unknown, revoked, expired, idle).

        Parameters
        ----------
        token : str or None
            The cookie's value.
        idle_s : float
            Idle limit: a session unused for longer is ended (and revoked).
        touch : bool
            Record this call as activity (at most every :data:`TOUCH_EVERY_S`).
        """
        if not token or len(token) > 256:
            return None
        key = token_hash(token)
        now = self.clock()
        with self.connect() as con:
            row = con.execute("SELECT username, created, last_seen, expires, revoked, client "
                              "FROM sessions WHERE token_hash = ?", (key,)).fetchone()
            if row is None or row[4] is not None:
                return None
            username, created, last_seen, expires, _, client = row
            if now >= expires or now - last_seen > idle_s:
                con.execute("UPDATE sessions SET revoked = ?, reason = ? WHERE token_hash = ? "
                            "AND revoked IS NULL",
                            (now, "expired" if now >= expires else "idle", key))
                return None
            if touch and now - last_seen >= TOUCH_EVERY_S:
                con.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", (now, key))
                last_seen = now
        return SessionRecord(key, username, created, last_seen, expires, client)

    def revoke(self, token: str | None, *, reason: str) -> bool:
        """End one session; return True when a live one was ended."""
        if not token:
            return False
        with self.connect() as con:
            cur = con.execute("UPDATE sessions SET revoked = ?, reason = ? WHERE token_hash = ? "
                              "AND revoked IS NULL", (self.clock(), reason, token_hash(token)))
        return cur.rowcount > 0

    def revoke_user(self, username: str, *, reason: str) -> int:
        """End every live session of ``username``; return how many were ended."""
        with self.connect() as con:
            cur = con.execute("UPDATE sessions SET revoked = ?, reason = ? WHERE username = ? "
                              "AND revoked IS NULL", (self.clock(), reason, username))
            con.execute("DELETE FROM tickets WHERE username = ?", (username,))
        if cur.rowcount:
            log.info("%d session(s) of %s ended: %s", cur.rowcount, username, reason)
        return int(cur.rowcount)

    def live_count(self, username: str | None = None) -> int:
        """Return how many unrevoked, unexpired sessions exist (of ``username``)."""
        sql = "SELECT COUNT(*) FROM sessions WHERE revoked IS NULL AND expires > ?"
        args: tuple = (self.clock(),)
        if username is not None:
            sql += " AND username = ?"
            args += (username,)
        with self.connect() as con:
            return int(con.execute(sql, args).fetchone()[0])

    # ------------------------------------------------------------------ tickets

    def issue_ticket(self, username: str, *, client: str) -> str:
        """Return a single-use ticket that turns into a session cookie at ``client``."""
        ticket = secrets.token_urlsafe(32)
        now = self.clock()
        with self.connect() as con:
            con.execute("DELETE FROM tickets WHERE expires < ?", (now,))
            con.execute("INSERT INTO tickets (ticket_hash, username, client, expires) "
                        "VALUES (?, ?, ?, ?)", (token_hash(ticket), username, client,
                                                now + TICKET_TTL_S))
        return ticket

    def redeem_ticket(self, ticket: str | None, *, client: str) -> str | None:
        """Use up a ticket; return its username, or None (unknown, used, expired, other client).

        A ticket presented from another address is used up all the same.
        """
        if not ticket or len(ticket) > 256:
            return None
        now = self.clock()
        with self.connect() as con:  # one statement: two redeemers cannot both get it
            row = con.execute("DELETE FROM tickets WHERE ticket_hash = ? "
                              "RETURNING username, client, expires",
                              (token_hash(ticket),)).fetchone()
        if row is None or now >= row[2] or row[1] != client:
            if row is not None:
                log.warning("sign-in ticket for %s refused (issued to %s, presented by %s%s)",
                            row[0], row[1], client, ", expired" if now >= row[2] else "")
            return None
        return str(row[0])

    # ------------------------------------------------------------------ counters

    def failures(self, kind: str, key: str) -> tuple[int, float, float]:
        """Return ``(failures, last_failure, locked_until)`` of a counter (zeros if none)."""
        with self.connect() as con:
            row = con.execute("SELECT failures, last_failure, locked_until FROM signin_failures "
                              "WHERE kind = ? AND key = ?", (kind, key)).fetchone()
        return (int(row[0]), float(row[1]), float(row[2])) if row else (0, 0.0, 0.0)

    def set_failures(self, kind: str, key: str, failures: int, last_failure: float,
                     locked_until: float) -> None:
        """Write a counter (replacing it)."""
        with self.connect() as con:
            con.execute("INSERT INTO signin_failures (kind, key, failures, last_failure, "
                        "locked_until) VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, key) DO "
                        "UPDATE SET failures = excluded.failures, last_failure = "
                        "excluded.last_failure, locked_until = excluded.locked_until",
                        (kind, key, int(failures), float(last_failure), float(locked_until)))

    def clear_failures(self, kind: str, key: str) -> None:
        """Forget a counter."""
        with self.connect() as con:
            con.execute("DELETE FROM signin_failures WHERE kind = ? AND key = ?", (kind, key))

    def mark_known(self, username: str, address: str) -> None:
        """Remember that ``username`` signed in successfully from ``address``."""
        with self.connect() as con:
            con.execute("INSERT INTO signin_known (username, address, last_ok) VALUES "
                        "(?, ?, ?) ON CONFLICT (username, address) DO UPDATE SET "
                        "last_ok = excluded.last_ok", (username, address, self.clock()))

    def is_known(self, username: str, address: str, *, within_s: float) -> bool:
        """Return True when ``username`` signed in from ``address`` within ``within_s``."""
        with self.connect() as con:
            row = con.execute("SELECT last_ok FROM signin_known WHERE username = ? AND "
                              "address = ?", (username, address)).fetchone()
        return row is not None and self.clock() - float(row[0]) <= within_s
