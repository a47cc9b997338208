"""Users, password hashing, roles, sign-in rate limiting and the role mapping.

Accounts live in one JSON file *outside* the repository: ``$BORDERMAP_USERS``,
or ``<BORDERMAP_HOME>/users.json``. The file holds bcrypt hashes only, has
mode 0600 and is rewritten atomically (temporary file, ``fsync``,
``os.replace``) under an exclusive lock, so two processes editing it at once
never lose an account or leave half a file. There is no default password
anywhere: when no account exists, :func:`ensure_admin_exists` creates ``admin``
with a random password and returns it once for the caller to print.

Roles and what they may do (:data:`ROLE_PERMISSIONS`):

=========  ==============================================================
commander  view, export
planner    view, export, upload, import, restore
admin      everything a planner may do, plus manage_users and read_audit
=========  ==============================================================

Signing in goes through :func:`authenticate` (password file) or
:func:`user_from_identity` (an OpenID Connect identity such as Streamlit's
``st.user``); both take their role from :func:`role_for_identity`, the one
place where an identity becomes a role. Failed password sign-ins are counted
per username and client; after :data:`MAX_FAILURES` failures within
:data:`FAILURE_WINDOW_S` seconds the pair is locked for the rest of the window
(:class:`SignInLocked`). Every attempt is written to the audit log.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import json
import logging
import os
import re
import secrets
import tempfile
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import pandas as pd

from geo._errors import AccessDenied, AuthError, InvalidArgument, SignInLocked
from geo.settings import REPO_ROOT, get_settings

log = logging.getLogger(__name__)

#: Roles, from least to most privileged.
ROLES = ("commander", "planner", "admin")

#: What each role may do.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "commander": frozenset({"view", "export"}),
    "planner": frozenset({"view", "export", "upload", "import", "restore"}),
    "admin": frozenset({"view", "export", "upload", "import", "restore",
                        "manage_users", "read_audit"}),
}

#: Every action a permission check may name.
ACTIONS = frozenset().union(*ROLE_PERMISSIONS.values())

#: Usernames: 3–32 characters, lowercase letters, digits, ``.``, ``_``, ``-``,
#: starting with a letter.
USERNAME_PATTERN = re.compile(r"[a-z][a-z0-9._-]{2,31}")

#: Shortest password accepted (characters).
MIN_PASSWORD_LENGTH = 10

#: Longest password accepted, in UTF-8 bytes (bcrypt reads no more than 72).
MAX_PASSWORD_BYTES = 72

#: bcrypt cost factor for new hashes (2**12 rounds, about a quarter second).
BCRYPT_ROUNDS = 12

#: Failed sign-ins allowed per username and client within the window.
MAX_FAILURES = 5

#: Length of the failure window (seconds); a locked pair waits for the rest of it.
FAILURE_WINDOW_S = 300.0

#: Name of the account created when there is none.
FIRST_ADMIN = "admin"

#: ``iss`` claim of identities that come from the users file.
USERS_FILE_ISSUER = "bordermap-users"

#: Group names that grant a role when an OIDC identity carries them, unless
#: ``$BORDERMAP_ROLE_MAP`` or ``<BORDERMAP_HOME>/roles.json`` says otherwise.
DEFAULT_ROLE_MAP: dict[str, dict[str, str]] = {
    "groups": {"bordermap-commander": "commander", "bordermap-planner": "planner",
               "bordermap-admin": "admin"},
    "emails": {},
}

_FILE_VERSION = 1
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


# --------------------------------------------------------------------------- errors

# --------------------------------------------------------------------------- users

@dataclass(frozen=True)
class User:
    """A signed-in user.

    Attributes
    ----------
    username : str
        The account name (password file) or the e-mail / subject (OIDC).
    role : {"commander", "planner", "admin"}
        The role, which decides what the user may do.
    source : {"password", "oidc"}
        How the user signed in.
    """

    username: str
    role: str
    source: str = "password"

    def can(self, action: str) -> bool:
        """Return True when the user's role allows ``action``."""
        return action in ROLE_PERMISSIONS.get(self.role, frozenset())


def users_path() -> Path:
    """Return the users file: ``$BORDERMAP_USERS`` or ``<BORDERMAP_HOME>/users.json``."""
    return get_settings().users_file


def _check_outside_repo(path: Path) -> None:
    """Refuse a users file inside the repository (``var/`` excepted: it is git-ignored)."""
    path = path.resolve()
    if path.is_relative_to(REPO_ROOT) and not path.is_relative_to(REPO_ROOT / "var"):
        raise AuthError(
            f"{path}: the users file must live outside the repository; set BORDERMAP_HOME "
            "or BORDERMAP_USERS to a folder elsewhere")


def validate_username(username: str) -> str:
    """Return the username in canonical form (stripped, lowercase) or raise.

    Raises
    ------
    AuthError
        If the name does not match :data:`USERNAME_PATTERN`.
    """
    if not isinstance(username, str):
        raise AuthError(f"username must be text, not {type(username).__name__}")
    name = username.strip().lower()
    if not USERNAME_PATTERN.fullmatch(name):
        raise AuthError(
            f"invalid username {_printable(username)!r}: use 3–32 characters, lowercase "
            "letters, digits, '.', '_' or '-', starting with a letter")
    return name


def validate_password(password: str, *, username: str | None = None) -> str:
    """Return the password normalised to Unicode NFC, or raise if it is unacceptable.

    Normalising means a password typed with composed or decomposed Vietnamese
    diacritics (which differ between keyboards) hashes the same.

    Raises
    ------
    AuthError
        Shorter than :data:`MIN_PASSWORD_LENGTH` characters, longer than
        :data:`MAX_PASSWORD_BYTES` bytes in UTF-8, containing control
        characters, or equal to the username.
    """
    if not isinstance(password, str):
        raise AuthError(f"password must be text, not {type(password).__name__}")
    pw = unicodedata.normalize("NFC", password)
    if len(pw) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"password too short: {len(pw)} characters, at least "
                        f"{MIN_PASSWORD_LENGTH} needed")
    if len(pw.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise AuthError(f"password too long: at most {MAX_PASSWORD_BYTES} bytes in UTF-8 "
                        f"(this one has {len(pw.encode('utf-8'))})")
    if _CONTROL.search(pw):
        raise AuthError("password contains control characters (tab, newline…)")
    if username is not None and pw.strip().lower() == username.strip().lower():
        raise AuthError("password must not equal the username")
    return pw


def validate_role(role: str) -> str:
    """Return ``role`` if it is one of :data:`ROLES`, else raise :class:`AuthError`."""
    if role not in ROLES:
        raise AuthError(f"unknown role {_printable(str(role))!r}: use one of {', '.join(ROLES)}")
    return role


def hash_password(password: str, *, rounds: int | None = None) -> str:
    """Return the bcrypt hash of a password (validated first) as text."""
    pw = validate_password(password)
    salt = bcrypt.gensalt(rounds or BCRYPT_ROUNDS)
    return bcrypt.hashpw(pw.encode("utf-8"), salt).decode("ascii")


def _verify(password: object, hashed: str) -> bool:
    """Compare a password with a bcrypt hash; any malformed input is simply False."""
    raw = (unicodedata.normalize("NFC", password).encode("utf-8")
           if isinstance(password, str) else b"")
    if not raw or len(raw) > MAX_PASSWORD_BYTES:
        bcrypt.checkpw(b"x", _dummy_hash().encode("ascii"))  # same cost either way
        return False
    try:
        return bcrypt.checkpw(raw, hashed.encode("ascii"))
    except ValueError:
        return False


_DUMMY: dict[int, str] = {}


def _dummy_hash() -> str:
    """Return a hash to check unknown users against, so they take as long as known ones."""
    if BCRYPT_ROUNDS not in _DUMMY:
        _DUMMY[BCRYPT_ROUNDS] = bcrypt.hashpw(secrets.token_bytes(16),
                                              bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")
    return _DUMMY[BCRYPT_ROUNDS]


def _printable(text: str, limit: int = 64) -> str:
    """Text safe for a log line or message: control characters escaped, length capped."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))
    return text if len(text) <= limit else text[:limit] + "…"


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<path>.lock`` (across threads and processes)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _read_file(path: Path) -> dict[str, dict]:
    """Return ``{username: {"role", "hash", "created", "updated"}}``; empty if no file."""
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
    users = doc.get("users") if isinstance(doc, dict) else None
    if not isinstance(users, dict):
        raise AuthError(f"{path}: not a users file (expected an object with 'users')")
    for name, rec in users.items():
        if (not isinstance(rec, dict) or rec.get("role") not in ROLES
                or not str(rec.get("hash", "")).startswith("$2")):
            raise AuthError(f"{path}: user {_printable(name)!r} has no valid role and hash")
    return users


def _write_file(path: Path, users: Mapping[str, Mapping]) -> None:
    """Write the users file atomically with mode 0600."""
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


def _audit(actor: str, action: str, detail: str, *, ok: bool = True,
           client: str | None = None) -> None:
    from geo import audit  # late: audit imports nothing from here, but keep auth standalone

    audit.record(actor, action, detail, ok=ok, client=client)


def add_user(username: str, password: str, *, role: str, path: Path | None = None,
             actor: str = "cli") -> User:
    """Create an account.

    Parameters
    ----------
    username : str
        New account name (see :func:`validate_username`).
    password : str
        Its password (see :func:`validate_password`).
    role : {"commander", "planner", "admin"}
        Its role.
    path : Path, optional
        Users file; :func:`users_path` by default.
    actor : str
        Who made the change, for the audit log.

    Returns
    -------
    User

    Raises
    ------
    AuthError
        Invalid name, password or role, or the account already exists.
    """
    name = validate_username(username)
    role = validate_role(role)
    hashed = hash_password(validate_password(password, username=name))
    path = path or users_path()
    _check_outside_repo(path)
    with _locked(path):
        users = _read_file(path)
        if name in users:
            raise AuthError(f"user {name!r} already exists (use 'users passwd' to change "
                            "the password)")
        now = _now()
        users[name] = {"role": role, "hash": hashed, "created": now, "updated": now}
        _write_file(path, users)
    log.info("user %s added with role %s (%d users)", name, role, len(users))
    _audit(actor, "users.add", f"{name} role={role}")
    return User(name, role)


def _check_not_last_admin(users: Mapping[str, Mapping], name: str) -> None:
    """Raise unless ``name`` exists and is not the only admin (so it may be removed/demoted)."""
    if name not in users:
        raise AuthError(f"no user {name!r}")
    admins = [u for u, r in users.items() if r["role"] == "admin"]
    if admins == [name]:
        raise AuthError(f"{name!r} is the only admin; add another admin first")


def remove_user(username: str, *, path: Path | None = None, actor: str = "cli") -> None:
    """Delete an account; the last admin cannot be removed.

    Raises
    ------
    AuthError
        No such user, or it is the only admin.
    """
    name = validate_username(username)
    path = path or users_path()
    with _locked(path):
        users = _read_file(path)
        _check_not_last_admin(users, name)
        del users[name]
        _write_file(path, users)
    log.info("user %s removed (%d users left)", name, len(users))
    _audit(actor, "users.remove", name)


def set_password(username: str, password: str, *, path: Path | None = None,
                 actor: str = "cli") -> None:
    """Replace an account's password.

    Raises
    ------
    AuthError
        No such user, or the password is unacceptable.
    """
    name = validate_username(username)
    hashed = hash_password(validate_password(password, username=name))
    path = path or users_path()
    with _locked(path):
        users = _read_file(path)
        if name not in users:
            raise AuthError(f"no user {name!r}")
        users[name] = {**users[name], "hash": hashed, "updated": _now()}
        _write_file(path, users)
    log.info("password of user %s changed", name)
    _audit(actor, "users.passwd", name)


def set_role(username: str, role: str, *, path: Path | None = None, actor: str = "cli") -> None:
    """Change an account's role; the last admin cannot be demoted.

    Raises
    ------
    AuthError
        No such user, unknown role, or demoting the only admin.
    """
    name = validate_username(username)
    role = validate_role(role)
    path = path or users_path()
    with _locked(path):
        users = _read_file(path)
        if role != "admin":
            _check_not_last_admin(users, name)
        elif name not in users:
            raise AuthError(f"no user {name!r}")
        old = users[name]["role"]
        users[name] = {**users[name], "role": role, "updated": _now()}
        _write_file(path, users)
    log.info("user %s: role %s -> %s", name, old, role)
    _audit(actor, "users.role", f"{name} {old}->{role}")


def list_users(*, path: Path | None = None) -> pd.DataFrame:
    """Return the accounts as a new frame (username, role, created, updated) — no hashes."""
    users = _read_file(path or users_path())
    frame = pd.DataFrame(
        [{"username": n, "role": r["role"], "created": r.get("created", ""),
          "updated": r.get("updated", "")} for n, r in sorted(users.items())],
        columns=["username", "role", "created", "updated"])
    log.info("users: %d accounts", len(frame))
    return frame


def generate_password() -> str:
    """Return a random password (about 128 bits, URL-safe characters)."""
    return secrets.token_urlsafe(16)


def ensure_admin_exists(*, path: Path | None = None) -> str | None:
    """Create the first account when there is none.

    Returns
    -------
    str or None
        The random password of the new ``admin`` account — shown once by the
        caller and stored nowhere in clear — or ``None`` when accounts exist.
    """
    path = path or users_path()
    _check_outside_repo(path)
    with _locked(path):
        users = _read_file(path)
        if users:
            return None
        password = generate_password()
        now = _now()
        users[FIRST_ADMIN] = {"role": "admin", "hash": hash_password(password),
                              "created": now, "updated": now}
        _write_file(path, users)
    log.warning("no user existed: created %r with a random one-time password (users file %s)",
                FIRST_ADMIN, path)
    _audit("system", "users.add", f"{FIRST_ADMIN} role=admin (first start)")
    return password


# --------------------------------------------------------------------------- rate limiting

class RateLimiter:
    """Count failed sign-ins per (username, client) in a sliding window.

    Thread-safe and in-process (a Streamlit server is one process). Memory is
    bounded: old failures are pruned and at most ``max_keys`` pairs are kept.

    Parameters
    ----------
    max_failures : int
        Failures allowed within the window; the next attempt is refused.
    window_s : float
        Window length in seconds.
    clock : callable
        Returns the current time in seconds (``time.monotonic``); inject a fake
        one in tests.
    max_keys : int
        Most (username, client) pairs remembered.
    """

    def __init__(self, *, max_failures: int = MAX_FAILURES, window_s: float = FAILURE_WINDOW_S,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000) -> None:
        if max_failures < 1 or window_s <= 0:
            raise InvalidArgument(f"max_failures={max_failures} and window_s={window_s} must be > 0")
        self.max_failures = int(max_failures)
        self.window_s = float(window_s)
        self.clock = clock
        self.max_keys = int(max_keys)
        self._fails: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        q = self._fails.get(key, deque())
        while q and now - q[0] >= self.window_s:
            q.popleft()
        return q

    def retry_after(self, username: str, client: str) -> float:
        """Seconds until the pair may try again; 0.0 when it is not locked."""
        key = (username, client)
        with self._lock:
            now = self.clock()
            q = self._recent(key, now)
            if len(q) < self.max_failures:
                return 0.0
            return max(0.0, q[0] + self.window_s - now)

    def record_failure(self, username: str, client: str) -> int:
        """Count one failure; return the failures now within the window."""
        key = (username, client)
        with self._lock:
            now = self.clock()
            q = self._recent(key, now)
            q.append(now)
            self._fails[key] = q
            if len(self._fails) > self.max_keys:
                self._prune(now)
            return len(q)

    def reset(self, username: str, client: str) -> None:
        """Forget the failures of a pair (after a successful sign-in)."""
        with self._lock:
            self._fails.pop((username, client), None)

    def _prune(self, now: float) -> None:
        for key in [k for k, q in self._fails.items() if not q or now - q[-1] >= self.window_s]:
            del self._fails[key]
        while len(self._fails) > self.max_keys:  # still full: drop the oldest pairs
            del self._fails[min(self._fails, key=lambda k: self._fails[k][-1])]


#: The limiter :func:`authenticate` uses unless given another.
DEFAULT_LIMITER = RateLimiter()


def authenticate(username: str, password: str, *, client_id: str = "local",
                 path: Path | None = None, limiter: RateLimiter | None = None) -> User | None:
    """Check a username and password against the users file.

    Every attempt is logged and written to the audit log (``signin``). An
    unknown user takes as long to reject as a wrong password.

    Parameters
    ----------
    username, password : str
        What the user typed (the username is matched case-insensitively).
    client_id : str
        Who is asking, e.g. the remote address or a per-browser session id;
        failures are counted per (username, client_id).
    path : Path, optional
        Users file; :func:`users_path` by default.
    limiter : RateLimiter, optional
        Failure counter; :data:`DEFAULT_LIMITER` by default.

    Returns
    -------
    User or None
        The user, or ``None`` when the name or password is wrong.

    Raises
    ------
    SignInLocked
        Too many recent failures for this username and client; the password
        is not even checked. ``retry_after`` says how long to wait.
    AuthError
        The users file is unreadable.
    """
    limiter = limiter or DEFAULT_LIMITER
    client = _printable(client_id or "unknown", 128)
    name = _printable(str(username).strip().lower(), 64)
    wait = limiter.retry_after(name, client)
    if wait > 0:
        log.warning("sign-in refused for '%s' from %s: locked for %.0f s", name, client, wait)
        _audit(name, "signin", "locked: too many failed attempts", ok=False, client=client)
        raise SignInLocked(f"too many failed sign-ins; try again in {max(1, round(wait / 60))} "
                           "minute(s)", wait)
    record = _read_file(path or users_path()).get(name)
    ok = _verify(password, record["hash"] if record else _dummy_hash()) and record is not None
    role = role_for_identity({"iss": USERS_FILE_ISSUER, "sub": name,
                              "role": record["role"]}) if ok else None
    if role is not None:
        limiter.reset(name, client)
        log.info("sign-in ok: %s (%s) from %s", name, role, client)
        _audit(name, "signin", f"role={role}", client=client)
        return User(name, role)
    n = limiter.record_failure(name, client)
    why = "unknown user" if record is None else "wrong password"
    log.warning("sign-in failed for '%s' from %s (%s; %d/%d in window)", name, client, why, n,
                limiter.max_failures)
    _audit(name, "signin", f"failed ({n}/{limiter.max_failures})", ok=False, client=client)
    return None


# --------------------------------------------------------------------------- roles

def require_role(user: User | None, action: str) -> None:
    """Raise :class:`AccessDenied` unless ``user`` may perform ``action``.

    Raises
    ------
    AccessDenied
        Nobody is signed in, or the user's role does not include ``action``.
    ValueError
        ``action`` is not one of :data:`ACTIONS` (a programming error).
    """
    if action not in ACTIONS:
        raise InvalidArgument(f"unknown action {action!r}; use one of {', '.join(sorted(ACTIONS))}")
    if user is None:
        raise AccessDenied(f"sign in to {action.replace('_', ' ')}")
    if not user.can(action):
        allowed = [r for r in ROLES if action in ROLE_PERMISSIONS[r]]
        raise AccessDenied(f"user {user.username!r} ({user.role}) may not "
                           f"{action.replace('_', ' ')}; that needs role {' or '.join(allowed)}")


def load_role_map() -> dict[str, dict[str, str]]:
    """Return the OIDC group/e-mail → role map.

    Read from the JSON file named by ``$BORDERMAP_ROLE_MAP``, else
    ``<BORDERMAP_HOME>/roles.json``, else :data:`DEFAULT_ROLE_MAP`. The file
    looks like ``{"groups": {"police-hq": "admin"}, "emails": {"a@b.vn": "planner"}}``.

    Raises
    ------
    AuthError
        The file is unreadable or maps to an unknown role.
    """
    settings = get_settings()
    path = settings.role_map_file
    if not path.exists():
        if settings.role_map_explicit:
            raise AuthError(f"{path}: BORDERMAP_ROLE_MAP names a file that does not exist")
        return {k: dict(v) for k, v in DEFAULT_ROLE_MAP.items()}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise AuthError(f"{path}: cannot read the role map ({err})") from err
    out: dict[str, dict[str, str]] = {"groups": {}, "emails": {}}
    for section in out:
        entries = doc.get(section, {}) if isinstance(doc, dict) else None
        if not isinstance(entries, dict):
            raise AuthError(f"{path}: {section!r} must be an object of name → role")
        for key, role in entries.items():
            if role not in ROLES:
                raise AuthError(f"{path}: {section}.{key} maps to unknown role {role!r}")
            out[section][key.lower() if section == "emails" else key] = role
    return out


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, Iterable):
        return [str(v) for v in value]
    return [str(value)]


def role_for_identity(claims: Mapping[str, object], *,
                      role_map: Mapping[str, Mapping[str, str]] | None = None) -> str | None:
    """Return the role an identity holds, or ``None`` when it holds none.

    The one place where an identity becomes a role:

    * an identity from the users file (``iss`` = :data:`USERS_FILE_ISSUER`)
      has the ``role`` stored there;
    * any other identity (OpenID Connect, e.g. ``st.user.to_dict()``) gets the
      highest role that its ``groups`` / ``roles`` claims or its verified
      ``email`` map to in the role map (:func:`load_role_map`). A ``role``
      claim from an outside provider is not trusted on its own.

    Parameters
    ----------
    claims : mapping
        The identity's claims.
    role_map : mapping, optional
        ``{"groups": {...}, "emails": {...}}``; :func:`load_role_map` by default.

    Returns
    -------
    str or None
        One of :data:`ROLES`, or ``None`` (deny access).
    """
    if claims.get("iss") == USERS_FILE_ISSUER:
        role = claims.get("role")
        return role if role in ROLES else None
    role_map = role_map if role_map is not None else load_role_map()
    found: set[str] = set()
    groups = role_map.get("groups", {})
    for g in _as_list(claims.get("groups")) + _as_list(claims.get("roles")):
        if g in groups:
            found.add(groups[g])
    email = claims.get("email")
    if isinstance(email, str) and claims.get("email_verified", True) is not False:
        role = role_map.get("emails", {}).get(email.strip().lower())
        if role:
            found.add(role)
    found &= set(ROLES)
    return max(found, key=ROLES.index) if found else None


def user_from_identity(claims: Mapping[str, object], *,
                       role_map: Mapping[str, Mapping[str, str]] | None = None) -> User | None:
    """Return the :class:`User` for an OpenID Connect identity, or ``None`` if it has no role.

    Use with Streamlit's ``st.login``: ``user_from_identity(st.user.to_dict())``.
    The username is the e-mail, else the ``sub`` claim.
    """
    if not claims.get("is_logged_in", True):
        return None
    role = role_for_identity(claims, role_map=role_map)
    name = str(claims.get("email") or claims.get("sub") or "")
    if role is None or not name:
        log.warning("identity %r has no BorderMap role", _printable(name or "?"))
        return None
    return User(_printable(name, 128), role, source="oidc")
