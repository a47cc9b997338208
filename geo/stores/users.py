"""Accounts in the shared PostgreSQL store (the embedded default is the users file).

:mod:`geo.auth` keeps its accounts as ``{username: record}``, a record being a mapping
with at least ``role`` and ``hash``. This module stores that same mapping in the
``app_users`` table (Alembic revision ``0002``) so that several app hosts share one
set of accounts:

* the fields the app reads have columns: ``role``, ``hash`` (bcrypt), ``disabled``,
  ``must_change``, ``scope`` (``text[]``: the provinces an account may see, ``["*"]``
  for the whole country; a scope that is not a list of strings goes to ``extra``),
  ``created``, ``updated``;
* any other field of a record goes to ``extra`` (JSONB), so a field added later
  round-trips without a migration.

A change is read-modify-write under :func:`locked`: one transaction holding an
advisory lock, so two processes editing accounts at once never lose one (as the
file's ``flock`` does for the users file).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Iterator, Mapping

from geo.stores._backend import PgConnection, pg_transaction

#: Fields with their own column (the rest go to ``extra``).
COLUMNS = ("role", "hash", "disabled", "must_change", "scope", "created", "updated")
_FLAGS = ("disabled", "must_change")

#: The transaction of the :func:`locked` block this thread/task is in, if any.
_CURRENT: contextvars.ContextVar[PgConnection | None] = contextvars.ContextVar(
    "bordermap_users_tx", default=None)


@contextlib.contextmanager
def locked(url: str) -> Iterator[None]:
    """Run the block in one transaction that holds the accounts' write lock.

    :func:`read_users` and :func:`write_users` called inside the block use it.
    """
    if _CURRENT.get() is not None:  # nested: already inside the transaction
        yield
        return
    with pg_transaction(url, lock="users", what="user store") as con:
        token = _CURRENT.set(con)
        try:
            yield
        finally:
            _CURRENT.reset(token)


@contextlib.contextmanager
def _transaction(url: str) -> Iterator[PgConnection]:
    con = _CURRENT.get()
    if con is not None:
        yield con
        return
    with pg_transaction(url, what="user store") as con:
        yield con


def _record(row: tuple) -> dict:
    role, hashed, disabled, must_change, scope, created, updated, extra = row
    rec = dict(extra or {})
    rec.update(role=role, hash=hashed, created=created, updated=updated)
    if disabled:
        rec["disabled"] = True
    if must_change:
        rec["must_change"] = True
    if scope is not None:
        rec["scope"] = list(scope)
    return rec


def read_users(url: str) -> dict[str, dict]:
    """Return ``{username: record}`` for every account, as the users file would."""
    with _transaction(url) as con:
        rows = con.execute("SELECT username, role, hash, disabled, must_change, scope, created,"
                           " updated, extra FROM app_users ORDER BY username").fetchall()
    return {str(r[0]): _record(r[1:]) for r in rows}


def _row(name: str, rec: Mapping) -> tuple:
    scope = rec.get("scope")
    columns = set(COLUMNS)
    if not (isinstance(scope, (list, tuple)) and all(isinstance(s, str) for s in scope)):
        scope = None  # absent, or not a list of strings: kept as it is, in extra
        columns.discard("scope")
    extra = {k: v for k, v in rec.items() if k not in columns}
    return (str(name), str(rec.get("role", "")), str(rec.get("hash", "")),
            bool(rec.get("disabled")), bool(rec.get("must_change")), scope,
            str(rec.get("created", "")), str(rec.get("updated", "")),
            json.dumps(extra, ensure_ascii=False, default=str))


def write_users(url: str, users: Mapping[str, Mapping]) -> None:
    """Make the table hold exactly ``users``: upsert each account, delete the others.

    Call it inside :func:`locked` after :func:`read_users` (read-modify-write).
    """
    with _transaction(url) as con:
        names = sorted(users)
        if names:
            con.execute("DELETE FROM app_users WHERE NOT (username = ANY (?))", (names,))
        else:
            con.execute("DELETE FROM app_users")
        con.executemany(
            "INSERT INTO app_users (username, role, hash, disabled, must_change, scope,"
            " created, updated, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)"
            " ON CONFLICT (username) DO UPDATE SET role = excluded.role,"
            " hash = excluded.hash, disabled = excluded.disabled,"
            " must_change = excluded.must_change, scope = excluded.scope,"
            " created = excluded.created, updated = excluded.updated,"
            " extra = excluded.extra",
            [_row(n, users[n]) for n in names])
