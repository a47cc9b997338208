"""OpenID Connect identities to roles: the role map and the one place an identity becomes a role.

Split from :mod:`geo.auth` (which re-exports every name here).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping

from geo._errors import AuthError
from geo.settings import get_settings

log = logging.getLogger(__name__)

#: Roles, from least to most privileged.
ROLES = ("commander", "planner", "admin")

#: ``iss`` claim of identities that come from the users file.
USERS_FILE_ISSUER = "bordermap-users"

#: Group names that grant a role when an OIDC identity carries them, unless
#: ``$BORDERMAP_ROLE_MAP`` or ``<BORDERMAP_HOME>/roles.json`` says otherwise.
DEFAULT_ROLE_MAP: dict[str, dict[str, str]] = {
    "groups": {"bordermap-commander": "commander", "bordermap-planner": "planner",
               "bordermap-admin": "admin"},
    "emails": {},
}

#: Sections of the role map that grant a scope (group / e-mail → provinces, see
#: :func:`scope_for_identity`).
SCOPE_SECTIONS = {"group_scopes": "groups", "email_scopes": "emails"}


def load_role_map() -> dict[str, dict[str, str]]:
    """Return the OIDC group/e-mail → role map.

    Read from the JSON file named by ``$BORDERMAP_ROLE_MAP``, else
    ``<BORDERMAP_HOME>/roles.json``, else :data:`DEFAULT_ROLE_MAP`. The file
    looks like ``{"groups": {"police-hq": "admin"}, "emails": {"a@b.vn": "planner"}}``
    and may grant province scopes too: ``"group_scopes": {"ca-lai-chau": "Lai Châu"}``,
    ``"email_scopes": {"a@b.vn": "Lai Châu,Điện Biên"}`` (names as
    :func:`geo.scope.parse_scope` takes them, ``"all"`` for the whole country); they
    are kept as stored scopes (2020 codes).

    Raises
    ------
    AuthError
        The file is unreadable, maps to an unknown role or names no province.
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
    from geo.scope import parse_scope

    for section in SCOPE_SECTIONS:
        entries = doc.get(section, {}) if isinstance(doc, dict) else None
        if not isinstance(entries, dict):
            raise AuthError(f"{path}: {section!r} must be an object of name → provinces")
        out[section] = {}
        for key, text in entries.items():
            try:
                scope = parse_scope(text)
            except AuthError as err:
                raise AuthError(f"{path}: {section}.{key}: {err}") from err
            out[section][key.lower() if section == "email_scopes" else key] = ",".join(scope)
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


def scope_for_identity(claims: Mapping[str, object], *,
                       role_map: Mapping[str, Mapping[str, str]] | None = None
                       ) -> tuple[str, ...] | None:
    """Return the province scope an OIDC identity holds, or ``None`` (the role's default).

    The union of the scopes that its ``groups`` / ``roles`` claims and its verified
    ``email`` map to in the role map's ``group_scopes`` and ``email_scopes``
    (:func:`load_role_map`); ``("*",)`` if any of them is the whole country.
    An identity from the users file has its stored scope (``scope`` claim).
    """
    from geo.scope import WHOLE_COUNTRY, normalize_scope

    if claims.get("iss") == USERS_FILE_ISSUER:
        return normalize_scope(claims.get("scope"))
    role_map = role_map if role_map is not None else load_role_map()
    found: set[str] = set()
    groups = role_map.get("group_scopes", {})
    for g in _as_list(claims.get("groups")) + _as_list(claims.get("roles")):
        if g in groups:
            found.update(groups[g].split(","))
    email = claims.get("email")
    if isinstance(email, str) and claims.get("email_verified", True) is not False:
        found.update(filter(None, role_map.get("email_scopes", {}).get(
            email.strip().lower(), "").split(",")))
    if not found:
        return None
    return (WHOLE_COUNTRY,) if WHOLE_COUNTRY in found else tuple(sorted(found))
