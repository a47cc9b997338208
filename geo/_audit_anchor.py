"""The audit log's secret key and head anchor, both kept outside the log's database.

(On the shared PostgreSQL store the head anchor is the ``audit_head`` row instead,
written in the same transaction as the event; :func:`check_head` checks either.)

The key (``Settings.audit_key_file``, 64 hex digits, mode 0600) keys the HMAC
chain of :mod:`geo.audit`; it is created once, written in full under a private
name and then linked into place. The head anchor (``Settings.audit_head_file``)
holds the newest event's id and hash with their HMAC, so that deleting the
newest events, which leaves a valid chain, is still detected.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from geo._errors import AuditError
from geo.settings import get_settings

log = logging.getLogger("geo.audit")


def _read_key(path: Path) -> bytes:
    try:
        st = path.lstat()
        if not path.is_file() or path.is_symlink():
            raise AuditError(f"{path}: the audit key is not a regular file")
        if st.st_mode & 0o077:
            raise AuditError(f"{path}: the audit key is readable by others (mode "
                             f"{st.st_mode & 0o777:o}); set it to 600")
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as err:
        raise AuditError(f"{path}: cannot read the audit key ({err})") from err
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise AuditError(f"{path}: the audit key is damaged (64 hex digits expected)")
    return bytes.fromhex(text)


def audit_key(*, create: bool) -> bytes | None:
    """Return the audit key; create it (mode 0600) when ``create`` and it does not exist."""
    path = get_settings().audit_key_file
    if path.exists() or path.is_symlink():
        return _read_key(path)
    if not create:
        return None
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.new")
    try:  # written in full under a private name, then linked: never seen half-written
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                     0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32) + "\n")
        os.link(tmp, path)
    except FileExistsError:
        return _read_key(path)
    except OSError as err:
        raise AuditError(f"{path}: cannot create the audit key ({err})") from err
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    log.info("audit key created at %s", path)
    return _read_key(path)


@dataclass(frozen=True)
class Head:
    id: int
    hash: str


def _head_mac(key: bytes, event_id: int, digest: str) -> str:
    return hmac.new(key, f"head:{event_id}:{digest}".encode(), hashlib.sha256).hexdigest()


def check_head(key: bytes | None, event_id: int, digest: str, mac: str, where: str) -> Head:
    """Return the head anchor stored at ``where`` after checking its HMAC.

    Raises
    ------
    AuditError
        The key is missing or the HMAC is wrong (the anchor was altered).
    """
    if key is None:
        raise AuditError(f"{where}: an audit head anchor exists but the audit key "
                         f"{get_settings().audit_key_file} is missing")
    if not hmac.compare_digest(str(mac), _head_mac(key, int(event_id), str(digest))):
        raise AuditError(f"{where}: the audit head anchor was altered (its HMAC is wrong)")
    return Head(int(event_id), str(digest))


def head_mac(key: bytes, head: Head) -> str:
    """Return the HMAC that seals a head anchor."""
    return _head_mac(key, head.id, head.hash)


def read_head(key: bytes | None) -> Head | None:
    path = get_settings().audit_head_file
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        head = Head(int(data["id"]), str(data["hash"]))
        mac = str(data["mac"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise AuditError(f"{path}: the audit head anchor is damaged ({err})") from err
    return check_head(key, head.id, head.hash, mac, str(path))


def write_head(key: bytes, head: Head | None) -> None:
    path = get_settings().audit_head_file
    try:
        if head is None:
            path.unlink(missing_ok=True)
            return
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"id": head.id, "hash": head.hash,
                       "mac": _head_mac(key, head.id, head.hash)}, fh)
        os.replace(tmp, path)
    except OSError as err:
        raise AuditError(f"{path}: cannot write the audit head anchor ({err})") from err
