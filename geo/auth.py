"""Users, password hashing and policy, roles, and signing in with a password.

Accounts live in one JSON file *outside* the repository: ``$BORDERMAP_USERS``,
or ``<BORDERMAP_HOME>/users.json``. The file holds bcrypt hashes only, has
mode 0600 and is rewritten atomically (temporary file, ``fsync``,
``os.replace``) under an exclusive lock, so two processes editing it at once
never lose an account or leave half a file. There is no default password
anywhere: when no account exists, :func:`ensure_admin_exists` creates ``admin``
with a random password, returns it once for the caller to print, and marks
the account so that the password must be changed at the first sign-in.

Roles and what they may do (:data:`ROLE_PERMISSIONS`):

=========  ==============================================================
commander  view, export
planner    view, export, upload, import, restore
admin      everything a planner may do, plus manage_users and read_audit
=========  ==============================================================

Signing in goes through :func:`authenticate` (password file) or
:func:`user_from_identity` (an OpenID Connect identity such as Streamlit's
``st.user``); both take their role from :func:`role_for_identity`
(:mod:`geo.roles`). Failed password sign-ins are rate limited per account and
address, per account and per address with an exponential back-off
(:mod:`geo.ratelimit`), and every attempt is written to the audit log.

Every change that affects what a signed-in user may do — password, role,
disabling or removing the account — ends the account's sessions in the shared
session store (:mod:`geo.stores.sessions`); :func:`account` re-reads an
account, which the app does on every rerun.

With ``BORDERMAP_DATABASE_URL`` set, the accounts of the default users file live
in the shared database instead (table ``app_users``, :mod:`geo.stores.users`);
the functions below are the same, and an explicit ``path=`` still names a file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo._errors import (  # noqa: F401
    AccessDenied,
    AuthError,
    BorderMapError,
    InvalidArgument,
    SignInLocked,
)
from geo.accounts import (  # noqa: F401 (re-export)
    _check_outside_repo,
    _locked,
    _now,
    _printable,
    _read_file,
    _read_json,
    _stored_scope,
    _user_db,
    _write_file,
    copy_users_file,
    users_location,
    users_path,
)
from geo.passwords import (  # noqa: F401 (re-export)
    MAX_PASSWORD_BYTES,
    MIN_PASSWORD_LENGTH,
    _dummy_hash,
    _verify,
    generate_password,
    hash_password,
    is_common_password,
    validate_password,
)
from geo.ratelimit import SignInLimiter
from geo.roles import (  # noqa: F401 (re-export)
    DEFAULT_ROLE_MAP,
    ROLES,
    USERS_FILE_ISSUER,
    load_role_map,
    role_for_identity,
)
from geo.stores.sessions import SessionStore

log = logging.getLogger(__name__)

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

#: Name of the account created when there is none.
FIRST_ADMIN = "admin"



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
    must_change_password : bool
        The account's password must be changed before anything else (first admin).
    scope : tuple of str, optional
        The provinces the user may see and change (:mod:`geo.scope`): 2020 province
        codes, or ``("*",)`` for the whole country; ``None`` when none is stored
        (then :func:`geo.scope.default_scope` of the role applies).
    """

    username: str
    role: str
    source: str = "password"
    must_change_password: bool = False
    scope: tuple[str, ...] | None = None

    @property
    def provinces(self) -> tuple[str, ...]:
        """The scope in force: the stored one, else the role's default (:mod:`geo.scope`)."""
        from geo.scope import default_scope

        return self.scope if self.scope is not None else default_scope(self.role)

    def can(self, action: str) -> bool:
        """Return True when the user's role allows ``action`` (nothing before a forced change)."""
        if self.must_change_password:
            return False
        return action in ROLE_PERMISSIONS.get(self.role, frozenset())


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


def validate_role(role: str) -> str:
    """Return ``role`` if it is one of :data:`ROLES`, else raise :class:`AuthError`."""
    if role not in ROLES:
        raise AuthError(f"unknown role {_printable(str(role))!r}: use one of {', '.join(ROLES)}")
    return role


def _audit(actor: str, action: str, detail: str, *, ok: bool = True,
           client: str | None = None) -> None:
    from geo import (
        audit,  # late: audit imports nothing from here, but keep auth standalone
    )

    audit.record(actor, action, detail, ok=ok, client=client)


def _end_sessions(name: str, reason: str) -> int:
    """End every session of ``name`` (the account changed); never fails the change."""
    try:
        return SessionStore().revoke_user(name, reason=reason)
    except BorderMapError as err:  # the users file changed; sessions re-read it anyway
        log.error("could not end the sessions of %s: %s", name, err)
        return 0


def add_user(username: str, password: str, *, role: str, path: Path | None = None,
             actor: str = "cli", must_change: bool = False,
             scope: str | list[str] | tuple[str, ...] | None = None) -> User:
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
    must_change : bool
        The user must choose a new password at the first sign-in (for a password
        generated by an admin and handed over).
    scope : str or list of str, optional
        The provinces the account may see: names or codes separated by commas,
        ``"border"`` or ``"all"`` (:func:`geo.scope.parse_scope`); not stored when
        ``None`` (the role's default applies, :func:`geo.scope.default_scope`).

    Returns
    -------
    User

    Raises
    ------
    AuthError
        Invalid name, password or role, or the account already exists.
    """
    from geo.scope import parse_scope

    name = validate_username(username)
    role = validate_role(role)
    stored_scope = None if scope is None else parse_scope(scope)
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
        if must_change:
            users[name]["must_change"] = True
        if stored_scope is not None:
            users[name]["scope"] = list(stored_scope)
        _write_file(path, users)
    log.info("user %s added with role %s (%d users)", name, role, len(users))
    _audit(actor, "users.add", f"{name} role={role}"
           + ("" if stored_scope is None else f" scope={','.join(stored_scope)}"))
    return User(name, role, must_change_password=must_change, scope=stored_scope)


def set_scope(username: str, scope: str | list[str] | tuple[str, ...], *,
              path: Path | None = None, actor: str = "cli") -> tuple[str, ...]:
    """Change the provinces an account may see and end its sessions; return the new scope.

    ``scope`` as for :func:`add_user` (:func:`geo.scope.parse_scope`).

    Raises
    ------
    AuthError
        No such user, or a scope naming no province.
    """
    from geo.scope import parse_scope

    name = validate_username(username)
    new = parse_scope(scope)
    path = path or users_path()
    with _locked(path):
        users = _read_file(path)
        if name not in users:
            raise AuthError(f"no user {name!r}")
        old = _stored_scope(users[name])
        users[name] = {**users[name], "scope": list(new), "updated": _now()}
        _write_file(path, users)
    ended = _end_sessions(name, "scope changed") if old != new else 0
    before = "default" if old is None else ",".join(old)
    log.info("user %s: scope %s -> %s (%d sessions ended)", name, before, ",".join(new), ended)
    _audit(actor, "users.scope", f"{name} {before}->{','.join(new)}")
    return new


def _check_not_last_admin(users: Mapping[str, Mapping], name: str) -> None:
    """Raise unless ``name`` exists and is not the only active admin (so it may go)."""
    if name not in users:
        raise AuthError(f"no user {name!r}")
    admins = [u for u, r in users.items() if r["role"] == "admin" and not r.get("disabled")]
    if admins == [name]:
        raise AuthError(f"{name!r} is the only admin; add another admin first")


def remove_user(username: str, *, path: Path | None = None, actor: str = "cli") -> None:
    """Delete an account and end its sessions; the last admin cannot be removed.

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
    ended = _end_sessions(name, "account removed")
    log.info("user %s removed (%d users left, %d sessions ended)", name, len(users), ended)
    _audit(actor, "users.remove", name)


def set_password(username: str, password: str, *, path: Path | None = None,
                 actor: str = "cli", must_change: bool = False) -> None:
    """Replace an account's password and end its sessions.

    Parameters
    ----------
    must_change : bool
        Ask for another change at the next sign-in (an admin resetting a password);
        False (default) clears a pending forced change.

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
        record = {**users[name], "hash": hashed, "updated": _now()}
        record.pop("must_change", None)
        if must_change:
            record["must_change"] = True
        users[name] = record
        _write_file(path, users)
    ended = _end_sessions(name, "password changed")
    log.info("password of user %s changed (%d sessions ended)", name, ended)
    _audit(actor, "users.passwd", name)


def set_role(username: str, role: str, *, path: Path | None = None, actor: str = "cli") -> None:
    """Change an account's role and end its sessions; the last admin cannot be demoted.

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
    ended = _end_sessions(name, "role changed") if old != role else 0
    log.info("user %s: role %s -> %s (%d sessions ended)", name, old, role, ended)
    _audit(actor, "users.role", f"{name} {old}->{role}")


def set_disabled(username: str, disabled: bool, *, path: Path | None = None,
                 actor: str = "cli") -> None:
    """Disable (or enable again) an account; disabling ends its sessions.

    A disabled account keeps its role and password but cannot sign in.

    Raises
    ------
    AuthError
        No such user, or disabling the only active admin.
    """
    name = validate_username(username)
    path = path or users_path()
    with _locked(path):
        users = _read_file(path)
        if disabled:
            _check_not_last_admin(users, name)
        elif name not in users:
            raise AuthError(f"no user {name!r}")
        record = {**users[name], "updated": _now()}
        record.pop("disabled", None)
        if disabled:
            record["disabled"] = True
        users[name] = record
        _write_file(path, users)
    ended = _end_sessions(name, "account disabled") if disabled else 0
    log.info("user %s %s (%d sessions ended)", name, "disabled" if disabled else "enabled",
             ended)
    _audit(actor, "users.disable" if disabled else "users.enable", name)


def account(username: str, *, path: Path | None = None) -> User | None:
    """Re-read an account: its :class:`User` now, or None when removed or disabled.

    Raises
    ------
    AuthError
        The users file is unreadable.
    """
    record = _read_file(path or users_path()).get(str(username))
    if record is None or record.get("disabled"):
        return None
    return User(str(username), record["role"],
                must_change_password=bool(record.get("must_change")),
                scope=_stored_scope(record))


def list_users(*, path: Path | None = None) -> pd.DataFrame:
    """Return the accounts as a new frame (username, role, scope, disabled, created, updated).

    ``scope`` is the scope in force as stored (``*`` for the whole country, else 2020
    province codes separated by commas), with ``(default)`` after it when the
    account has none stored (:func:`geo.scope.default_scope`). No hashes.
    """
    from geo.scope import default_scope

    users = _read_file(path or users_path())
    columns = ["username", "role", "scope", "disabled", "created", "updated"]

    def shown(rec: Mapping) -> str:
        stored = _stored_scope(rec)
        if stored is None:
            return ",".join(default_scope(rec["role"])) + " (default)"
        return ",".join(stored)

    frame = pd.DataFrame(
        [{"username": n, "role": r["role"], "scope": shown(r),
          "disabled": bool(r.get("disabled")),
          "created": r.get("created", ""), "updated": r.get("updated", "")}
         for n, r in sorted(users.items())], columns=columns)
    log.info("users: %d accounts", len(frame))
    return frame


def import_users_file(source: Path, *, actor: str = "cli") -> tuple[list[str], list[str]]:
    """Copy the accounts of a users file into the shared database (moving to it).

    Accounts are copied as they are (bcrypt hash, role and every other field); a
    name the database already holds is left alone.

    Returns
    -------
    (list of str, list of str)
        The names copied and the names skipped (already in the database).

    Raises
    ------
    AuthError
        ``BORDERMAP_DATABASE_URL`` is not set, or the file is unreadable.
    """
    added, skipped, incoming = copy_users_file(Path(source))
    for name in added:
        _audit(actor, "users.add", f"{name} role={incoming[name]['role']} (copied from "
               f"{Path(source).name})")
    return added, skipped


def ensure_admin_exists(*, path: Path | None = None) -> str | None:
    """Create the first account when there is none.

    The account must change its password at the first sign-in.

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
                              "created": now, "updated": now, "must_change": True}
        _write_file(path, users)
    log.warning("no user existed: created %r with a random one-time password (accounts in %s)",
                FIRST_ADMIN, users_location() if path == users_path() else path)
    _audit("system", "users.add", f"{FIRST_ADMIN} role=admin (first start)")
    return password


# --------------------------------------------------------------------------- signing in

def authenticate(username: str, password: str, *, client_id: str = "local",
                 path: Path | None = None, limiter: SignInLimiter | None = None
                 ) -> User | None:
    """Check a username and password against the users file.

    Every attempt is logged and written to the audit log (``signin``). An
    unknown user takes as long to reject as a wrong password; a disabled
    account is refused like a wrong password.

    Parameters
    ----------
    username, password : str
        What the user typed (the username is matched case-insensitively).
    client_id : str
        The client's network address as the server saw it (or ``"cli"``);
        failures are counted per account and address (:mod:`geo.ratelimit`).
    path : Path, optional
        Users file; :func:`users_path` by default.
    limiter : SignInLimiter, optional
        Failure counters; those of this ``BORDERMAP_HOME`` by default.

    Returns
    -------
    User or None
        The user, or ``None`` when the name or password is wrong.

    Raises
    ------
    SignInLocked
        Too many recent failures; the password is not even checked.
        ``retry_after`` says how long to wait.
    AuthError
        The users file is unreadable.
    """
    limiter = limiter or SignInLimiter()
    client = _printable(client_id or "", 128)
    name = _printable(str(username).strip().lower(), 64)
    wait = limiter.retry_after(name, client)
    if wait > 0:
        log.warning("sign-in refused for '%s' from %s: locked for %.0f s", name, client, wait)
        _audit(name, "signin", "locked: too many failed attempts", ok=False, client=client)
        raise SignInLocked(f"too many failed sign-ins; try again in {max(1, round(wait / 60))} "
                           "minute(s)", wait)
    record = _read_file(path or users_path()).get(name)
    ok = _verify(password, record["hash"] if record else _dummy_hash()) and record is not None
    disabled = bool(record and record.get("disabled"))
    role = role_for_identity({"iss": USERS_FILE_ISSUER, "sub": name,
                              "role": record["role"]}) if ok and not disabled else None
    if role is not None:
        limiter.record_success(name, client)
        log.info("sign-in ok: %s (%s) from %s", name, role, client)
        _audit(name, "signin", f"role={role}", client=client)
        return User(name, role, must_change_password=bool(record.get("must_change")),
                    scope=_stored_scope(record))
    n = limiter.record_failure(name, client)
    why = ("unknown user" if record is None else "account disabled" if disabled
           else "wrong password")
    log.warning("sign-in failed for '%s' from %s (%s; %d failures)", name, client, why, n)
    _audit(name, "signin", f"failed ({why}, {n} from this address)", ok=False, client=client)
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


def user_from_identity(claims: Mapping[str, object], *,
                       role_map: Mapping[str, Mapping[str, str]] | None = None) -> User | None:
    """Return the :class:`User` for an OpenID Connect identity, or ``None`` if it has no role.

    Use with Streamlit's ``st.login``: ``user_from_identity(st.user.to_dict())``.
    The username is the e-mail, else the ``sub`` claim.
    """
    if not claims.get("is_logged_in", True):
        return None
    from geo.roles import scope_for_identity

    role = role_for_identity(claims, role_map=role_map)
    name = str(claims.get("email") or claims.get("sub") or "")
    if role is None or not name:
        log.warning("identity %r has no BorderMap role", _printable(name or "?"))
        return None
    return User(_printable(name, 128), role, source="oidc",
                scope=scope_for_identity(claims, role_map=role_map))
