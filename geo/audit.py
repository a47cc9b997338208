"""Append-only audit log: who signed in, imported, restored and exported what, and when.

Events are rows of the ``audit_log`` table in ``<BORDERMAP_HOME>/audit.sqlite``
(``$BORDERMAP_AUDIT_DB`` overrides the path). The file is kept apart from the
roster store so that a rejected import leaves the store byte-identical even
though the rejection itself is logged.

Tamper evidence, in three layers:

* triggers abort any ``UPDATE`` or ``DELETE`` on the table;
* each row carries ``hash`` = HMAC-SHA256, under a secret key kept outside the
  database (``<BORDERMAP_HOME>/audit.key``, mode 0600, created with the first
  keyed event), of the previous row's hash and its own fields. Without the key
  nobody can rewrite a row and recompute the chain (rows written before the
  key existed keep their plain SHA-256 chain and are verified as such);
* the newest event's id and hash, with their HMAC, are anchored outside the
  log in a head file (``audit.key.head``), written under the log's write lock,
  so deleting the newest rows is detected too.

:func:`verify_log` checks all three: the chain, the head anchor and the
triggers (a write that finds a trigger missing restores it and records an
``audit.tamper`` event, which verification then reports).

Changes go through :func:`action`: it writes an *intent* event before the
change and a *completion* event (``done`` or ``failed``) after it, so an
action whose intent cannot be logged does not happen, and an action
interrupted half-way leaves an intent without completion
(:func:`incomplete_actions`). :func:`record` appends one event.

With ``BORDERMAP_DATABASE_URL`` set (and no ``path=`` given) the log is the
``audit_log`` table of the shared PostgreSQL store (:mod:`geo._audit_pg`): the same
rows and HMAC chain, with the app role granted only ``SELECT``/``INSERT`` and
triggers refusing ``UPDATE``/``DELETE``/``TRUNCATE``; the head anchor is the
``audit_head`` row, moved in the same transaction as the event it names. The key
file stays outside the database (every app host needs the same one).

Text from outside (a username typed into a failed sign-in, a file name) is
stored with control characters escaped and its length capped, so printing the
log cannot drive a terminal.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import logging
import os
import re
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd

from geo._audit_anchor import Head as _Head
from geo._audit_anchor import audit_key as _audit_key
from geo._audit_anchor import read_head as _read_head
from geo._audit_anchor import write_head as _write_head
from geo._audit_chain import (  # noqa: F401 (re-exported: the log's chain, both backends)
    _GENESIS,
    MAX_DETAIL,
    _check_chain,
    _check_no_tamper,
    _clean,
    _head_problem,
    _row_hash,
    _row_mac,
)
from geo._errors import AuditError, InvalidArgument
from geo.settings import get_settings
from geo.stores._backend import shared_url

log = logging.getLogger(__name__)

#: Actions the project records (others are accepted if they match :data:`ACTION_PATTERN`).
KNOWN_ACTIONS = ("signin", "signout", "roster.import", "roster.restore", "boundaries.accept",
                 "boundaries.remove", "export", "users.add", "users.remove", "users.passwd",
                 "users.role", "audit.tamper", "norms.import", "norms.restore",
                 "border_list.import", "border_list.restore")

#: What an action name may look like.
ACTION_PATTERN = re.compile(r"[a-z][a-z0-9_.-]{0,39}")

#: Longest stored username / client / detail (characters).
MAX_USER, MAX_CLIENT = 128, 128

#: Phases of an event: a plain event or completion is ``done``; :func:`action`
#: writes ``intent`` first and ``done`` or ``failed`` after.
PHASES = ("done", "intent", "failed")

COLUMNS = ["id", "ts", "user", "action", "ok", "detail", "client", "phase", "ref"]

_TRIGGERS = {
    "audit_log_no_update": "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE "
                           "ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is "
                           "append-only'); END",
    "audit_log_no_delete": "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE "
                           "ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is "
                           "append-only'); END",
}

_TABLE = """
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
"""
#: Columns added to logs written before keyed chains (existing rows: plain, done).
_ADDED_COLUMNS = {
    "phase": "ALTER TABLE audit_log ADD COLUMN phase TEXT NOT NULL DEFAULT 'done'",
    "ref": "ALTER TABLE audit_log ADD COLUMN ref INTEGER",
    "keyed": "ALTER TABLE audit_log ADD COLUMN keyed INTEGER NOT NULL DEFAULT 0",
}


def audit_path() -> Path:
    """Return the audit database: ``$BORDERMAP_AUDIT_DB`` or ``<BORDERMAP_HOME>/audit.sqlite``."""
    return get_settings().audit_db


# --------------------------------------------------------------------------- connection
def _missing_triggers(con: sqlite3.Connection) -> list[str]:
    have = {r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")}
    return [t for t in _TRIGGERS if t not in have]


def _table_exists(con: sqlite3.Connection) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                       "name = 'audit_log'").fetchone() is not None


@contextlib.contextmanager
def _connect(path: Path | None = None, *, setup: bool = True
             ) -> Iterator[sqlite3.Connection]:
    """Open the log; with ``setup``, create or upgrade the table and note dropped triggers."""
    path = path or audit_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        new = not path.exists()
        con = sqlite3.connect(path, timeout=30, isolation_level=None)
    except (OSError, sqlite3.Error) as err:
        raise AuditError(f"{path}: cannot open the audit log ({err})") from err
    try:
        con.execute("PRAGMA busy_timeout = 30000")
        if setup and not _ready(con):
            dropped = _set_up(con)
            if new:
                os.chmod(path, 0o600)
            if dropped:
                log.error("audit log %s: trigger(s) %s had been dropped; restored", path,
                          ", ".join(dropped))
                _append(con, "-", "audit.tamper", 0,
                        f"append-only trigger(s) {', '.join(dropped)} were missing and have "
                        "been restored", "", "done", None)
        yield con
    except sqlite3.Error as err:
        raise AuditError(f"{path}: audit log error ({err})") from err
    finally:
        con.close()


def _ready(con: sqlite3.Connection) -> bool:
    """Whether the table, its added columns and its triggers are all in place."""
    if not _table_exists(con):
        return False
    cols = {r[1] for r in con.execute("PRAGMA table_info(audit_log)")}
    return set(_ADDED_COLUMNS) <= cols and not _missing_triggers(con)


def _set_up(con: sqlite3.Connection) -> list[str]:
    """Create or upgrade the table and (re)create its triggers, under the write lock.

    Returns the triggers that were missing from an existing table (dropped).
    """
    con.execute("BEGIN IMMEDIATE")
    try:
        existed = _table_exists(con)
        dropped = _missing_triggers(con) if existed else []
        for statement in _TABLE.split(";"):
            if statement.strip():
                con.execute(statement)
        cols = {r[1] for r in con.execute("PRAGMA table_info(audit_log)")}
        for name, sql in _ADDED_COLUMNS.items():
            if name not in cols:
                con.execute(sql)
        for sql in _TRIGGERS.values():
            con.execute(sql)
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            con.execute("ROLLBACK")
        raise
    return dropped


def _append(con: sqlite3.Connection, name: str, action: str, okv: int, detail: str,
            client: str, phase: str, ref: int | None) -> int:
    """Append one keyed row in its own write transaction and move the head anchor.

    Before the head anchor moves on, the log is compared with it; a mismatch
    (newest events deleted, the newest rewritten, the log replaced, the anchor
    forged) is first recorded as an ``audit.tamper`` event, so the evidence
    stays in the log.
    """
    ts = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")
    con.execute("BEGIN IMMEDIATE")  # serialise writers: the chain needs the last hash
    try:
        keyed_before = con.execute("SELECT 1 FROM audit_log WHERE keyed = 1 "
                                   "LIMIT 1").fetchone() is not None
        key = _audit_key(create=not keyed_before)
        if key is None:
            raise AuditError(f"{get_settings().audit_key_file}: the audit key is missing; "
                             "the log was keyed with it, so no event can be added")
        if keyed_before or get_settings().audit_head_file.exists():
            try:
                problem = _head_problem(con, _read_head(key))
            except AuditError as err:
                problem = str(err)
            if problem and action == "audit.tamper" and problem not in detail:
                detail = _clean(f"{detail}; {problem}", MAX_DETAIL)
            elif problem and action != "audit.tamper":  # keep the evidence in the log before the head moves on
                log.error("audit log: %s", problem)
                con.execute("COMMIT")
                _append(con, "-", "audit.tamper", 0, problem, "", "done", None)
                con.execute("BEGIN IMMEDIATE")
        last = con.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        digest = _row_mac(key, last[1] if last else _GENESIS, ts, name, action, okv, detail,
                          client, phase, ref)
        cur = con.execute(
            "INSERT INTO audit_log (ts, username, action, ok, detail, client, hash, phase,"
            " ref, keyed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            (ts, name, action, okv, detail, client, digest, phase, ref))
        new_id = int(cur.lastrowid)
        path = get_settings().audit_head_file
        before = path.read_bytes() if path.exists() else None
        _write_head(key, _Head(new_id, digest))
        try:
            con.execute("COMMIT")
        except BaseException:
            if before is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(before)
            raise
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            con.execute("ROLLBACK")
        raise
    return new_id


def record(user: object, action: str, detail: str | Mapping[str, object] = "", *,
           ok: bool = True, client: str | None = None, path: Path | None = None,
           phase: str = "done", ref: int | None = None) -> int:
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
    phase : {"done", "intent", "failed"}
        ``done`` for a plain event; :func:`action` uses the others.
    ref : int, optional
        For a completion, the id of its intent event.

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
    if phase not in PHASES:
        raise InvalidArgument(f"phase must be one of {', '.join(PHASES)}, not {phase!r}")
    name = getattr(user, "username", user)
    name = _clean(name if name not in (None, "") else "-", MAX_USER)
    if isinstance(detail, Mapping):
        detail = json.dumps(dict(detail), sort_keys=True, ensure_ascii=False, default=str)
    detail = _clean(detail, MAX_DETAIL)
    client = _clean(client or "", MAX_CLIENT)
    okv = int(bool(ok))
    ref = None if ref is None else int(ref)
    url = shared_url(path)
    if url:
        from geo import _audit_pg

        new_id = _audit_pg.append(url, name, action, okv, detail, client, phase, ref)
    else:
        with _connect(path) as con:
            new_id = _append(con, name, action, okv, detail, client, phase, ref)
    log.info("audit: %s %s %s%s%s", name, action, "ok" if okv else "FAILED",
             "" if phase == "done" else f" [{phase}]",
             f" ({detail[:80]})" if detail else "")
    return new_id


class Action:
    """An action in progress (see :func:`action`); set :attr:`result` to say what it did."""

    def __init__(self, intent_id: int) -> None:
        self.intent_id = intent_id
        #: Appended to the completion event's detail (e.g. ``"→ version 4"``).
        self.result = ""


@contextlib.contextmanager
def action(user: object, name: str, detail: str | Mapping[str, object] = "", *,
           client: str | None = None, path: Path | None = None) -> Iterator[Action]:
    """Log an action's intent before it runs and its completion after; fail closed.

    Parameters
    ----------
    user, name, detail, client, path
        As for :func:`record` (``name`` is the action).

    Yields
    ------
    Action
        Set its ``result`` to add what the action did to the completion event.

    Raises
    ------
    AuditError
        The intent cannot be written: the block does not run. If the block
        succeeds but its completion cannot be written, the error is raised
        too (the change happened; its intent stays in the log without a
        completion, see :func:`incomplete_actions`).

    Examples
    --------
    >>> with action("cli:alice", "roster.restore", "version 2") as act:  # doctest: +SKIP
    ...     act.result = f"→ version {store.restore(2)}"
    """
    intent = record(user, name, detail, ok=True, client=client, path=path, phase="intent")
    act = Action(intent)
    try:
        yield act
    except BaseException as err:
        with contextlib.suppress(AuditError):
            record(user, name, f"failed: {type(err).__name__}: {err}", ok=False,
                   client=client, path=path, phase="failed", ref=intent)
        raise
    record(user, name, act.result or "completed", ok=True, client=client, path=path,
           phase="done", ref=intent)


def incomplete_actions(*, path: Path | None = None) -> pd.DataFrame:
    """Return intent events that have no completion (interrupted actions), oldest first."""
    with _reading(path) as con:
        rows = [] if con is None else con.execute(
            "SELECT id, ts, username, action, ok, detail, client, phase, ref FROM audit_log i"
            " WHERE phase = 'intent' AND NOT EXISTS (SELECT 1 FROM audit_log c WHERE"
            " c.ref = i.id) ORDER BY id").fetchall()
    return pd.DataFrame(rows, columns=COLUMNS)


@contextlib.contextmanager
def _reading(path: Path | None) -> Iterator:
    """The log to read from: the shared database, the file, or None (no file yet)."""
    url = shared_url(path)
    if url:
        from geo import _audit_pg

        with _audit_pg.transaction(url) as con:
            yield con
        return
    path = path or audit_path()
    if not path.exists():
        yield None
        return
    with _connect(path) as con:
        yield con


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
    sql = ("SELECT id, ts, username AS user, action, ok, detail, client, phase, ref"
           " FROM audit_log"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC")
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    with _reading(path) as con:
        rows = [] if con is None else con.execute(sql, params).fetchall()
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["id"] = frame["id"].astype("int64")
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True, format="ISO8601")
    frame["ok"] = frame["ok"].astype(bool)
    frame["ref"] = pd.array([None if pd.isna(v) else int(v) for v in frame["ref"]],
                            dtype="Int64")
    log.info("audit read: %d events", len(frame))
    return frame


def verify_log(*, path: Path | None = None) -> int:
    """Check the whole log; return the number of events checked.

    Checks, in order: every row's hash chain (HMAC under the audit key for
    keyed rows, SHA-256 for rows written before the key existed; once keyed,
    every later row must be keyed); the head anchor outside the log (the
    newest events cannot have been deleted, nor the newest rewritten); the
    append-only triggers; and that the log records no tampering
    (``audit.tamper`` events written when a writer found a dropped trigger or
    a head mismatch).

    Raises
    ------
    AuditError
        A row was changed, removed or inserted out of order; the newest rows
        were deleted; a trigger was dropped; the key or head anchor is
        missing or altered.
    """
    url = shared_url(path)
    if url:
        from geo import _audit_pg

        return _audit_pg.verify(url)
    path = path or audit_path()
    settings = get_settings()
    key = _audit_key(create=False)
    if not path.exists():
        if settings.audit_head_file.exists():
            raise AuditError(f"{path}: the audit log is missing, but its head anchor "
                             f"{settings.audit_head_file} says it had events")
        return 0
    with _connect(path, setup=False) as con:
        if not _table_exists(con):
            raise AuditError(f"{path}: not an audit log (no audit_log table)")
        cols = {r[1] for r in con.execute("PRAGMA table_info(audit_log)")}
        extra = "phase, ref, keyed" if {"phase", "ref", "keyed"} <= cols else \
            "'done', NULL, 0"
        n, keyed_seen = _check_chain(con.execute(
            f"SELECT id, ts, username, action, ok, detail, client, hash, {extra} "
            "FROM audit_log ORDER BY id"), key, str(path))
        head = _read_head(key) if (keyed_seen or settings.audit_head_file.exists()) else None
        if keyed_seen or head is not None:
            problem = _head_problem(con, head)
            if problem:
                raise AuditError(f"{path}: {problem}")
        dropped = _missing_triggers(con)
        if dropped:
            raise AuditError(f"{path}: the append-only trigger(s) {', '.join(dropped)} were "
                             "dropped")
        if "phase" in cols:
            _check_no_tamper(con, str(path))
    log.info("audit log verified: %d events", n)
    return n


