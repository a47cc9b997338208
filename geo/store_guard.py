"""Never mistake an emptied or foreign file for a new store.

SQLite treats an empty file as an empty database, and a store that creates
its tables "if not exists" then quietly starts over: the history is gone and
the sample roster reappears. Here a store file is created *atomically*
(schema written to a private temporary file, then linked into place, so an
existing store file is always complete), and an existing file is accepted
only if it is an SQLite database holding the store's own tables and
identity. An empty file, a file of another program or another kind of
database is refused with a :class:`geo._errors.StorageError` naming it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from geo._errors import StorageError

log = logging.getLogger(__name__)

_SQLITE_MAGIC = b"SQLite format 3\x00"


def create_store_file(path: Path, init: Callable[[Path], None]) -> bool:
    """Create ``path`` atomically with the schema written by ``init``; return True if created.

    ``init`` is called with a private temporary file (mode 0600) in the same
    folder; the finished file is then hard-linked to ``path``, which fails
    harmlessly if another process created the store first.

    Raises
    ------
    StorageError
        The folder or the file cannot be written.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.new")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        init(tmp)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        log.info("store %s created", path)
        return True
    except OSError as err:
        raise StorageError(f"cannot create the store {path}: {err}") from err
    finally:
        for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()


def check_store_file(path: Path, *, tables: Iterable[str], identity_sql: str,
                     what: str = "roster store") -> None:
    """Refuse a store file that is empty or belongs to something else.

    Parameters
    ----------
    path : Path
        The existing store file.
    tables : iterable of str
        Tables every store file holds.
    identity_sql : str
        A query returning one non-empty value that only a real store has
        (e.g. its store id).
    what : str
        The store's name in messages.

    Raises
    ------
    StorageError
        The file is empty, not SQLite, lacks the store's tables or identity.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except OSError as err:
        raise StorageError(f"{what} {path}: cannot be read ({err})") from err
    advice = ("it is refused rather than treated as a new, empty store; restore the file "
              "from a backup, or move it aside to start a new store on purpose")
    if size == 0:
        raise StorageError(f"{what} {path} is an empty file: {advice}")
    if head != _SQLITE_MAGIC:
        raise StorageError(f"{what} {path} is not an SQLite database (file is not a "
                           f"database): {advice}")
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as err:
        raise StorageError(f"{what} {path}: cannot be opened ({err})") from err
    try:
        have = {r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = sorted(set(tables) - have)
        if missing:
            kind = "an empty database" if not have else "a database of something else"
            raise StorageError(f"{what} {path} is {kind} (no {', '.join(missing)} table): "
                               f"{advice}")
        row = con.execute(identity_sql).fetchone()
        if not row or not row[0]:
            raise StorageError(f"{what} {path} has no store identity: {advice}")
    except sqlite3.Error as err:
        raise StorageError(f"{what} {path}: {err}") from err
    finally:
        con.close()
