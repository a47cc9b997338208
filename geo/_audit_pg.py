"""The audit log on the shared PostgreSQL store (see :mod:`geo.audit` for the model).

Same rows and the same HMAC chain as the SQLite log (``audit_log``, Alembic revision
``0002``). What differs:

* **Append-only** by privileges and triggers: the app role holds ``SELECT`` and
  ``INSERT`` only, and the triggers ``audit_log_no_update``, ``audit_log_no_delete``
  and ``audit_log_no_truncate`` refuse those statements for every role, the owner
  included (a superuser or the owner could still drop a trigger: :func:`verify`
  reports a missing or disabled trigger).
* **Writers** are serialised by a transaction-level advisory lock, so the chain's
  previous hash and the next id (last id + 1, no gaps) are read under it, on every
  host at once.
* **Head anchor**: the ``audit_head`` row (newest id and hash with their HMAC under
  the key file's key), written in the same transaction as the event, so event and
  anchor can never disagree after a crash. It lives in the database, so it shows
  rows deleted or rewritten by someone who bypassed the triggers without the key;
  it cannot show an owner who deleted the newest rows *and* put back an older
  anchor row (keep database backups or WAL archives for that).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import logging
from collections.abc import Iterator

from geo._audit_anchor import Head, audit_key, check_head, head_mac
from geo._errors import AuditError, StorageError
from geo.settings import mask_url
from geo.stores._backend import PgConnection, pg_transaction

log = logging.getLogger("geo.audit")

#: The append-only triggers every verified log must have (enabled).
TRIGGERS = ("audit_log_no_update", "audit_log_no_delete", "audit_log_no_truncate")


def _where(url: str) -> str:
    return f"audit log in {mask_url(url)}"


@contextlib.contextmanager
def transaction(url: str, *, lock: bool = False) -> Iterator[PgConnection]:
    """One transaction on the log (holding the writers' lock with ``lock``).

    Raises
    ------
    AuditError
        The database cannot be reached or a query fails.
    """
    try:
        with pg_transaction(url, lock="audit" if lock else None, what="audit log") as con:
            yield con
    except StorageError as err:
        raise AuditError(str(err)) from err


def _head(con: PgConnection, key: bytes | None, url: str) -> Head | None:
    row = con.execute("SELECT event_id, hash, mac FROM audit_head").fetchone()
    return None if row is None else check_head(key, row[0], row[1], row[2],
                                               f"{_where(url)} (audit_head)")


def _insert(con: PgConnection, key: bytes, name: str, action: str, okv: int, detail: str,
            client: str, phase: str, ref: int | None) -> Head:
    from geo._audit_chain import _GENESIS, _row_mac

    ts = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")
    last = con.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    new_id = (int(last[0]) if last else 0) + 1
    digest = _row_mac(key, last[1] if last else _GENESIS, ts, name, action, okv, detail,
                      client, phase, ref)
    con.execute("INSERT INTO audit_log (id, ts, username, action, ok, detail, client, hash,"
                " phase, ref, keyed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                (new_id, ts, name, action, okv, detail, client, digest, phase, ref))
    return Head(new_id, digest)


def append(url: str, name: str, action: str, okv: int, detail: str, client: str,
           phase: str, ref: int | None) -> int:
    """Append one keyed event and move the head anchor, in one transaction.

    A log that disagrees with its anchor gets an ``audit.tamper`` event first (in
    the same transaction), so the evidence stays in the log.
    """
    from geo._audit_chain import MAX_DETAIL, _clean, _head_problem

    with transaction(url, lock=True) as con:
        keyed_before = con.execute("SELECT 1 FROM audit_log LIMIT 1").fetchone() is not None
        key = audit_key(create=not keyed_before)
        if key is None:
            raise AuditError("the audit key is missing; the log was keyed with it, so no "
                             "event can be added")
        if keyed_before or con.execute("SELECT 1 FROM audit_head").fetchone():
            try:
                problem = _head_problem(con, _head(con, key, url),
                                        anchor=f"row of audit_head in {mask_url(url)}")
            except AuditError as err:
                problem = str(err)
            if problem and action == "audit.tamper" and problem not in detail:
                detail = _clean(f"{detail}; {problem}", MAX_DETAIL)
            elif problem:
                log.error("audit log: %s", problem)
                _insert(con, key, "-", "audit.tamper", 0, _clean(problem, MAX_DETAIL), "",
                        "done", None)
        head = _insert(con, key, name, action, okv, detail, client, phase, ref)
        con.execute("INSERT INTO audit_head (one, event_id, hash, mac) VALUES (true, ?, ?, ?)"
                    " ON CONFLICT (one) DO UPDATE SET event_id = excluded.event_id,"
                    " hash = excluded.hash, mac = excluded.mac",
                    (head.id, head.hash, head_mac(key, head)))
    return head.id


def verify(url: str) -> int:
    """Check the chain, the head anchor, the triggers and tamper events; return the count.

    Raises
    ------
    AuditError
        As :func:`geo.audit.verify_log`.
    """
    from geo._audit_chain import _check_chain, _check_no_tamper, _head_problem

    where = _where(url)
    key = audit_key(create=False)
    with transaction(url) as con:
        n, keyed_seen = _check_chain(con.execute(
            "SELECT id, ts, username, action, ok, detail, client, hash, phase, ref, keyed"
            " FROM audit_log ORDER BY id").fetchall(), key, where)
        head = _head(con, key, url)
        if keyed_seen or head is not None:
            problem = _head_problem(con, head, anchor=f"row of audit_head in {mask_url(url)}")
            if problem:
                raise AuditError(f"{where}: {problem}")
        have = {r[0] for r in con.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass"
            " AND NOT tgisinternal AND tgenabled <> 'D'").fetchall()}
        dropped = [t for t in TRIGGERS if t not in have]
        if dropped:
            raise AuditError(f"{where}: the append-only trigger(s) {', '.join(dropped)} were "
                             "dropped or disabled")
        _check_no_tamper(con, where)
    log.info("audit log verified: %d events", n)
    return n
