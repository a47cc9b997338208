"""Where accounts are kept: the users file (JSON, mode 0600) or the shared database.

Split from :mod:`geo.auth` (which re-exports these names). The users file is
``$BORDERMAP_USERS`` or ``<BORDERMAP_HOME>/users.json``; with
``BORDERMAP_DATABASE_URL`` set, the default file's accounts live in the database's
``app_users`` table instead (:mod:`geo.stores.users`). Writes are atomic and
serialised by a lock (file lock, or the database's).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import json
import logging
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from geo._errors import AuthError
from geo.roles import ROLES
from geo.settings import REPO_ROOT, get_settings

log = logging.getLogger(__name__)

_FILE_VERSION = 1
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def users_path() -> Path:
    """Return the users file: ``$BORDERMAP_USERS`` or ``<BORDERMAP_HOME>/users.json``."""
    return get_settings().users_file


def users_location() -> str:
    """Say where the accounts are kept: the users file, or the shared database's table."""
    settings = get_settings()
    if _user_db(settings.users_file):
        return f"table app_users of the database {settings.database_url_masked}"
    return str(settings.users_file)


def _check_outside_repo(path: Path) -> None:
    """Refuse a users file inside the repository (``var/`` excepted: it is git-ignored)."""
    path = path.resolve()
    if path.is_relative_to(REPO_ROOT) and not path.is_relative_to(REPO_ROOT / "var"):
        raise AuthError(
            f"{path}: the users file must live outside the repository; set BORDERMAP_HOME "
            "or BORDERMAP_USERS to a folder elsewhere")


def _printable(text: str, limit: int = 64) -> str:
    """Text safe for a log line or message: control characters escaped, length capped."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))
    return text if len(text) <= limit else text[:limit] + "…"


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _user_db(path: Path) -> str | None:
    """The shared database URL when ``path`` is the default users file and one is set."""
    settings = get_settings()
    return (settings.database_url or None) if Path(path) == settings.users_file else None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<path>.lock`` (or on the database's accounts)."""
    url = _user_db(path)
    if url:
        from geo.stores import users as users_db

        with users_db.locked(url):
            yield
        return
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _read_file(path: Path, *, from_file: bool = False) -> dict[str, dict]:
    """Return ``{username: {"role", "hash", "created", "updated"}}``; empty if no file.

    ``from_file`` reads the file even where the database holds the accounts.
    """
    url = None if from_file else _user_db(path)
    if url:
        from geo.stores import users as users_db

        users: object = users_db.read_users(url)
        where = f"database {get_settings().database_url_masked}"
    else:
        users, where = _read_json(path), str(path)
    if not isinstance(users, dict):
        raise AuthError(f"{where}: not a users file (expected an object with 'users')")
    for name, rec in users.items():
        if (not isinstance(rec, dict) or rec.get("role") not in ROLES
                or not str(rec.get("hash", "")).startswith("$2")):
            raise AuthError(f"{where}: user {_printable(name)!r} has no valid role and hash")
        try:
            _stored_scope(rec)
        except AuthError as err:
            raise AuthError(f"{where}: user {_printable(name)!r}: {err}") from err
    return users


def _read_json(path: Path) -> object:
    """The ``users`` member of the users file ({} when there is no file)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return {}
    if st.st_mode & 0o077:
        log.warning("users file %s has mode %o; it should be 0600 (chmod 600 %s)", path,
                    st.st_mode & 0o777, path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise AuthError(f"{path}: cannot read the users file ({err})") from err
    return doc.get("users") if isinstance(doc, dict) else None


def _stored_scope(record: Mapping) -> tuple[str, ...] | None:
    """The ``scope`` field of an account record, canonical, or None when absent."""
    from geo.scope import normalize_scope

    return normalize_scope(record.get("scope"))


def _write_file(path: Path, users: Mapping[str, Mapping]) -> None:
    """Write the users file atomically with mode 0600 (or the database's accounts)."""
    url = _user_db(path)
    if url:
        from geo.stores import users as users_db

        users_db.write_users(url, users)
        return
    _check_outside_repo(path)
    doc = {"version": _FILE_VERSION, "users": {k: dict(users[k]) for k in sorted(users)}}
    fd, tmp = tempfile.mkstemp(prefix=".users-", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def copy_users_file(source: Path) -> tuple[list[str], list[str], dict[str, dict]]:
    """Copy a users file's accounts into the shared database, leaving names it holds alone.

    Returns the names copied, the names skipped and the file's accounts (for the audit).

    Raises
    ------
    AuthError
        ``BORDERMAP_DATABASE_URL`` is not set, or the file is unreadable.
    """
    target = users_path()
    if not _user_db(target):
        raise AuthError("BORDERMAP_DATABASE_URL is not set: the accounts already live in the "
                        "users file; there is no database to copy them to")
    incoming = _read_file(source, from_file=True)
    with _locked(target):
        users = _read_file(target)
        added = [n for n in sorted(incoming) if n not in users]
        users.update({n: dict(incoming[n]) for n in added})
        _write_file(target, users)
    skipped = sorted(set(incoming) - set(added))
    log.info("users: %d account(s) copied from %s into the database, %d already there",
             len(added), source, len(skipped))
    return added, skipped, incoming
