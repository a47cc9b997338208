"""Append-only audit log: who signed in, imported, restored and exported what, and when.

Events are rows of the ``audit_log`` table in ``<BORDERMAP_HOME>/audit.sqlite``
(``$BORDERMAP_AUDIT_DB`` overrides the path). The file is kept apart from the
roster store so that a rejected import leaves the store byte-identical even
though the rejection itself is logged.

The log is append-only at the database level: triggers abort any ``UPDATE``
or ``DELETE`` on the table. Each row also carries ``hash`` = SHA-256 of the
previous row's hash and its own fields, so an edit made by other means (a
dropped trigger, a hex editor) is detected by :func:`verify_log`.

Text from outside (a username typed into a failed sign-in, a file name) is
stored with control characters escaped and its length capped, so printing the
log cannot drive a terminal.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import logging
import os
import re
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd

from geo._errors import AuditError, InvalidArgument
from geo.settings import get_settings

log = logging.getLogger(__name__)

#: Actions the project records (others are accepted if they match :data:`ACTION_PATTERN`).
KNOWN_ACTIONS = ("signin", "signout", "roster.import", "roster.restore", "boundaries.accept",
                 "boundaries.remove",
                 "export", "users.add", "users.remove", "users.passwd", "users.role")

#: What an action name may look like.
ACTION_PATTERN = re.compile(r"[a-z][a-z0-9_.-]{0,39}")

#: Longest stored username / client / detail (characters).
MAX_USER, MAX_CLIENT, MAX_DETAIL = 128, 128, 2000

COLUMNS = ["id", "ts", "user", "action", "ok", "detail", "client"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_GENESIS = "0" * 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    ts       TEXT    NOT NULL,
    username TEXT    NOT NULL,
    action   TEXT    NOT NULL,
    ok       INTEGER NOT NULL CHECK (ok IN (0, 1)),
    detail   TEXT    NOT NULL DEFAULT '',
    client   TEXT    NOT NULL DEFAULT '',
    hash     TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_user ON audit_log (username);
CREATE INDEX IF NOT EXISTS audit_log_action ON audit_log (action);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
"""


def audit_path() -> Path:
    """Return the audit database: ``$BORDERMAP_AUDIT_DB`` or ``<BORDERMAP_HOME>/audit.sqlite``."""
    return get_settings().audit_db


def _clean(value: object, limit: int) -> str:
    text = "" if value is None else str(value)
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _row_hash(prev: str, ts: str, user: str, action: str, ok: int, detail: str,
              client: str) -> str:
    payload = json.dumps([prev, ts, user, action, ok, detail, client], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@contextlib.contextmanager
def _connect(path: Path | None = None) -> Iterator[sqlite3.Connection]:
    path = path or audit_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        new = not path.exists()
        con = sqlite3.connect(path, timeout=30, isolation_level=None)
    except (OSError, sqlite3.Error) as err:
        raise AuditError(f"{path}: cannot open the audit log ({err})") from err
    try:
        con.executescript(_SCHEMA)
        if new:
            os.chmod(path, 0o600)
        yield con
    except sqlite3.Error as err:
        raise AuditError(f"{path}: audit log error ({err})") from err
    finally:
        con.close()


def record(user: object, action: str, detail: str | Mapping[str, object] = "", *,
           ok: bool = True, client: str | None = None, path: Path | None = None) -> int:
    """Append one event to the audit log.

    Parameters
    ----------
    user : User, str or None
        Who did it: a :class:`geo.auth.User`, a name (``"cli:root"``,
        ``"system"``), or ``None`` for an anonymous caller.
    action : str
        What was done: ``signin``, ``roster.import``, ``roster.restore``,
        ``export``, … (see :data:`KNOWN_ACTIONS`).
    detail : str or mapping
        What it was done to, e.g. ``"roster v3 from roster.xlsx (sha256 …)"``;
        a mapping is stored as JSON with sorted keys.
    ok : bool
        False for a failed or refused attempt.
    client : str, optional
        Where the request came from (remote address, session id, ``"cli"``).
    path : Path, optional
        Audit database; :func:`audit_path` by default.

    Returns
    -------
    int
        The new event's id.

    Raises
    ------
    AuditError
        The log cannot be written (the caller should treat the action as failed).
    ValueError
        ``action`` does not match :data:`ACTION_PATTERN` (a programming error).
    """
    if not ACTION_PATTERN.fullmatch(action or ""):
        raise InvalidArgument(f"invalid audit action {action!r}")
    name = getattr(user, "username", user)
    name = _clean(name if name not in (None, "") else "-", MAX_USER)
    if isinstance(detail, Mapping):
        detail = json.dumps(dict(detail), sort_keys=True, ensure_ascii=False, default=str)
    detail = _clean(detail, MAX_DETAIL)
    client = _clean(client or "", MAX_CLIENT)
    ts = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")
    okv = int(bool(ok))
    with _connect(path) as con:
        con.execute("BEGIN IMMEDIATE")  # serialise writers: the chain needs the last hash
        try:
            last = con.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
            digest = _row_hash(last[0] if last else _GENESIS, ts, name, action, okv, detail,
                               client)
            cur = con.execute(
                "INSERT INTO audit_log (ts, username, action, ok, detail, client, hash) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", (ts, name, action, okv, detail, client, digest))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    log.info("audit: %s %s %s%s", name, action, "ok" if okv else "FAILED",
             f" ({detail[:80]})" if detail else "")
    return int(cur.lastrowid)


def read(limit: int | None = 100, *, user: str | None = None, action: str | None = None,
         ok: bool | None = None, path: Path | None = None) -> pd.DataFrame:
    """Return audit events, newest first, as a new frame.

    Parameters
    ----------
    limit : int or None
        Most events returned; ``None`` for all.
    user, action : str, optional
        Only events of this user / action (exact match; an action ending in
        ``.`` matches its family, e.g. ``"users."``).
    ok : bool, optional
        Only successful (True) or failed (False) events.
    path : Path, optional
        Audit database; :func:`audit_path` by default.

    Returns
    -------
    pandas.DataFrame
        Columns ``id, ts`` (UTC timestamps)``, user, action, ok`` (bool)``, detail, client``.

    Raises
    ------
    AuditError
        The log cannot be read.
    ValueError
        ``limit`` is negative.
    """
    if limit is not None and limit < 0:
        raise InvalidArgument(f"limit must be >= 0, not {limit}")
    where, params = [], []
    if user is not None:
        where.append("username = ?")
        params.append(user)
    if action is not None:
        if action.endswith("."):
            where.append("substr(action, 1, ?) = ?")
            params += [len(action), action]
        else:
            where.append("action = ?")
            params.append(action)
    if ok is not None:
        where.append("ok = ?")
        params.append(int(ok))
    sql = ("SELECT id, ts, username AS user, action, ok, detail, client FROM audit_log"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC")
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    path = path or audit_path()
    if not path.exists():
        rows: list[tuple] = []
    else:
        with _connect(path) as con:
            rows = con.execute(sql, params).fetchall()
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["id"] = frame["id"].astype("int64")
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True, format="ISO8601")
    frame["ok"] = frame["ok"].astype(bool)
    log.info("audit read: %d events", len(frame))
    return frame


def verify_log(*, path: Path | None = None) -> int:
    """Check the hash chain of the whole log; return the number of events checked.

    Raises
    ------
    AuditError
        A row was changed, removed or inserted out of order.
    """
    path = path or audit_path()
    if not path.exists():
        return 0
    prev, n = _GENESIS, 0
    with _connect(path) as con:
        for row in con.execute("SELECT id, ts, username, action, ok, detail, client, hash "
                               "FROM audit_log ORDER BY id"):
            expect = _row_hash(prev, *row[1:7])
            if row[7] != expect:
                raise AuditError(f"{path}: audit log altered at event {row[0]} "
                                 "(hash chain broken)")
            prev, n = row[7], n + 1
    log.info("audit log verified: %d events", n)
    return n
