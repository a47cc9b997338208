"""The audit log's hash chain, shared by the SQLite log (:mod:`geo.audit`) and PostgreSQL's
(:mod:`geo._audit_pg`): row hashes and HMACs, text cleaning, and the checks of the chain,
the head anchor and recorded tampering.

``con`` arguments are a SQLite connection or a :class:`geo.stores._backend.PgConnection`
(both take ``?`` placeholders).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re

from geo._audit_anchor import Head as _Head
from geo._errors import AuditError
from geo.settings import get_settings

#: Longest detail text kept (longer text is cut with "…").
MAX_DETAIL = 2000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_GENESIS = "0" * 64


def _clean(value: object, limit: int) -> str:
    text = "" if value is None else str(value)
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _row_hash(prev: str, ts: str, user: str, action: str, ok: int, detail: str,
              client: str) -> str:
    """Plain SHA-256 chain of rows written before the log was keyed."""
    payload = json.dumps([prev, ts, user, action, ok, detail, client], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _row_mac(key: bytes, prev: str, ts: str, user: str, action: str, ok: int, detail: str,
             client: str, phase: str, ref: int | None) -> str:
    payload = json.dumps(["v1", prev, ts, user, action, ok, detail, client, phase, ref],
                         ensure_ascii=False)
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def _head_problem(con, head: _Head | None, *, anchor: str | None = None) -> str:
    """Say how the log disagrees with its head anchor ("" when it agrees).

    ``con`` is a SQLite connection or a :class:`geo.stores._backend.PgConnection`;
    ``anchor`` names where the anchor is kept (default the head file).
    """
    if head is None:
        return (f"the head anchor {anchor or get_settings().audit_head_file} is missing "
                "although the log holds keyed events")
    row = con.execute("SELECT hash FROM audit_log WHERE id = ?", (head.id,)).fetchone()
    if row is None:
        last = con.execute("SELECT max(id) FROM audit_log").fetchone()[0] or 0
        return (f"event {head.id}, the newest according to the head anchor, is missing "
                f"(the log ends at event {last}): the newest events were deleted")
    if row[0] != head.hash:
        return f"event {head.id} differs from the head anchor: it was rewritten"
    return ""


def _check_chain(rows, key: bytes | None, where: str) -> tuple[int, bool]:
    """Check the hash chain of ``rows`` (id order); return (events, any keyed).

    Each row: ``id, ts, username, action, ok, detail, client, hash, phase, ref, keyed``.

    Raises
    ------
    AuditError
        A row was changed, removed or inserted out of order, or the key is missing.
    """
    prev, n, keyed_seen = _GENESIS, 0, False
    for row in rows:
        if row[10]:
            if key is None:
                raise AuditError(f"{get_settings().audit_key_file}: the audit key is "
                                 "missing; the keyed log cannot be verified")
            keyed_seen = True
            expect = _row_mac(key, prev, *row[1:7], row[8], row[9])
        elif keyed_seen:
            raise AuditError(f"{where}: audit log altered at event {row[0]} (an unkeyed "
                             "event after keyed ones)")
        else:
            expect = _row_hash(prev, *row[1:7])
        if not hmac.compare_digest(row[7], expect):
            raise AuditError(f"{where}: audit log altered at event {row[0]} "
                             "(hash chain broken)")
        prev, n = row[7], n + 1
    return n, keyed_seen


def _check_no_tamper(con, where: str) -> None:
    """Raise :class:`AuditError` when the log records tampering (``audit.tamper``)."""
    tamper = con.execute("SELECT id, detail FROM audit_log WHERE action = 'audit.tamper' "
                         "ORDER BY id LIMIT 1").fetchone()
    if tamper:
        raise AuditError(f"{where}: the log records tampering at event {tamper[0]}: "
                         f"{tamper[1]}")
