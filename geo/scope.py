"""Province scope of an account: which provinces a user may see, export and change.

Every account has a role (what it may do, :mod:`geo.auth`) and a **scope** (where):
one province, several, or the whole country. The scope is stored in the account's
record as a plain JSON list, field ``scope``:

* ``["*"]`` — the whole country;
* ``["11", "12"]`` — **2020-map province codes** (the 63 provinces, the finer of the
  two maps: Hà Giang and Tuyên Quang are two provinces there, one since 2025).

The scope works on both maps. On the 2020 map it is the listed provinces; on the
2025 map it is every 2025 province that contains one of them
(:func:`geo.registry.successor_provinces`): a Hà Giang account sees Tuyên Quang
(2025), which Hà Giang became part of — after 1 July 2025 that is one province and
one provincial police command. Điện Biên and Lai Châu were not merged and keep
their code (11, 12) on both maps.

An account whose record has no scope (made before scopes existed) gets
:func:`default_scope`: an admin the whole country, a planner or commander
**Điện Biên only** — the one province the app knew until then, so nobody sees more
than before. An OpenID Connect identity gets its scope from the role map
(:func:`geo.roles.scope_for_identity`), else the same default.

Enforcement is server-side, in the services layer: every use case that reads or
writes a province's data takes the :class:`geo.services.Actor` and calls
:func:`check_province` (one province) or :func:`restrict_provinces` (several); a
refusal raises :class:`~geo._errors.ScopeDenied` and is written to the audit log
as a denied ``access`` event. The command line's operator (``Actor.scope is None``)
is not restricted: whoever can run ``python -m geo`` can read the data folder.
"""

from __future__ import annotations

import functools
import logging
import warnings
from collections.abc import Iterable

from geo._errors import AuthError, RegistryError, ScopeDenied
from geo._text import fold
from geo.registry import provinces_on_map  # noqa: F401 (re-exported)

log = logging.getLogger(__name__)

#: Stored scope value of the whole country.
WHOLE_COUNTRY = "*"

#: Scope of an account whose record has none, per role (see the module doc).
DEFAULT_SCOPES: dict[str, tuple[str, ...]] = {
    "admin": (WHOLE_COUNTRY,),
    "planner": ("11",),
    "commander": ("11",),
}

#: Words that mean the whole country in a scope given as text.
_ALL_WORDS = {"*", "all", "toanquoc", "canuoc", "wholecountry"}


# --------------------------------------------------------------------------- stored values

def default_scope(role: str | None) -> tuple[str, ...]:
    """Return the scope of an account (or identity) that has none stored: see module doc."""
    return DEFAULT_SCOPES.get(str(role), ())


@functools.lru_cache(maxsize=1)
def _codes_2020() -> frozenset[str]:
    from geo.registry import list_provinces

    return frozenset(list_provinces("2020")["province_code"])


@functools.lru_cache(maxsize=1)
def _predecessors() -> dict[str, tuple[str, ...]]:
    """2025 province code → the 2020 provinces whose communes it holds."""
    from geo.registry import successor_provinces

    out: dict[str, list[str]] = {}
    for old in sorted(_codes_2020()):
        for new in successor_provinces(old):
            out.setdefault(new, []).append(old)
    return {k: tuple(v) for k, v in out.items()}


def normalize_scope(value: object) -> tuple[str, ...] | None:
    """Return a stored scope in canonical form, ``None`` when absent; raise if malformed.

    Canonical: ``("*",)`` or sorted, distinct 2020 province codes.

    Raises
    ------
    AuthError
        Not a list of 2020 province codes or ``"*"``.
    """
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise AuthError(f"scope must be a list of 2020 province codes or ['*'], not {value!r}")
    items = [str(v).strip() for v in value]
    if WHOLE_COUNTRY in items:
        return (WHOLE_COUNTRY,)
    bad = [v for v in items if v not in _codes_2020()]
    if bad or not items:
        raise AuthError(f"scope must be a list of 2020 province codes or ['*'], not {value!r}")
    return tuple(sorted(set(items)))


def parse_scope(text: str | Iterable[str]) -> tuple[str, ...]:
    """Return the stored scope for what an administrator typed.

    ``text`` is ``"all"`` (or ``*``, "toàn quốc"), ``"border"`` (the 25 land-border
    provinces of the 2020 map) or province names / codes separated by commas, matched
    ignoring case and diacritics (``"Lai Châu,dien bien"``). Names are looked up on the
    2020 map first; a 2025 name that is not a 2020 province (e.g. a merged province's
    new name) stands for every 2020 province it holds. Digits are 2020 codes.

    Raises
    ------
    AuthError
        An empty scope, or a name that matches no province (the registry's message).
    """
    from geo.reference import LAND_BORDER_PROVINCES_2020
    from geo.registry import find_province

    parts = [text] if isinstance(text, str) else list(text)
    names = [p.strip() for part in parts for p in str(part).split(",") if p.strip()]
    if not names:
        raise AuthError("empty scope: give province names, 'border' or 'all'")
    codes: set[str] = set()
    for name in names:
        folded = fold(name)
        if folded in _ALL_WORDS:
            return (WHOLE_COUNTRY,)
        if folded == "border":
            codes.update(LAND_BORDER_PROVINCES_2020)
            continue
        try:
            codes.add(find_province(name, vintage="2020"))
            continue
        except RegistryError as err:
            if name.isdigit():
                raise AuthError(f"scope: {err}") from err
            first = err
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                new = find_province(name, vintage="2025")
        except RegistryError:
            raise AuthError(f"scope: {first}") from first
        codes.update(_predecessors().get(new, ()))
    return tuple(sorted(codes))


def scope_codes(scope: Iterable[str] | None) -> frozenset[str] | None:
    """Return the 2020 codes of a stored scope, or ``None`` for the whole country."""
    items = tuple(scope or ())
    return None if WHOLE_COUNTRY in items else frozenset(items)


def describe_scope(scope: Iterable[str] | None, *, lang: str = "en") -> str:
    """Return a scope for people: ``"Điện Biên, Lai Châu"`` or "whole country"."""
    from geo.registry import province_name

    codes = scope_codes(scope)
    if codes is None:
        return "toàn quốc" if lang == "vi" else "whole country"
    if not codes:
        return "không có tỉnh nào" if lang == "vi" else "no province"
    return ", ".join(province_name(c, vintage="2020").removeprefix("Tỉnh ")
                     for c in sorted(codes))


# --------------------------------------------------------------------------- actors

def allowed_provinces(actor, vintage: str = "2020") -> frozenset[str] | None:
    """Return the province codes ``actor`` may see on ``vintage``'s map, ``None`` for all.

    ``actor`` is a :class:`geo.services.Actor` (its ``scope``: 2020 codes, ``None`` =
    not restricted) or ``None`` (not restricted: the command line's operator).
    """
    scope = getattr(actor, "scope", None)
    return provinces_on_map(None if scope is None else frozenset(scope), vintage)


def province_choices(actor, vintage: str) -> list[str]:
    """Return the province codes to offer ``actor`` on a map: border provinces first.

    Only provinces in the actor's scope; within each group by code.
    """
    from geo.reference import LAND_BORDER_PROVINCES_2020
    from geo.registry import list_provinces, successor_provinces

    allowed = allowed_provinces(actor, vintage)
    codes = list(list_provinces(vintage)["province_code"])
    border = set(LAND_BORDER_PROVINCES_2020) if vintage == "2020" else {
        n for c in LAND_BORDER_PROVINCES_2020 for n in successor_provinces(c)}
    codes = [c for c in codes if allowed is None or c in allowed]
    return sorted(codes, key=lambda c: (c not in border, c))


def _deny(actor, action: str, codes: Iterable[str], vintage: str) -> ScopeDenied:
    """Audit a refused request and return the error to raise."""
    from geo import audit

    who = getattr(actor, "name", "-")
    listed = ",".join(sorted(codes))
    try:
        audit.record(who, "access.denied",
                     f"{action} province={listed} vintage={vintage}: outside scope "
                     f"{','.join(sorted(getattr(actor, 'scope', None) or ())) or '-'}",
                     ok=False, client=getattr(actor, "client", None) or None)
    except Exception as err:  # noqa: BLE001 - the refusal stands even if the log is down
        log.error("could not audit a refused %s by %s: %s", action, who, err)
    log.warning("%s refused for %s: province(s) %s outside the scope", action, who, listed)
    return ScopeDenied(f"{_names(codes, vintage)} is outside the province scope of user {who!r}")


def _names(codes: Iterable[str], vintage: str) -> str:
    """``"Tỉnh Điện Biên (11)"`` for a refusal message (the code alone if unknown)."""
    from geo.registry import province_name

    out = []
    for code in sorted(codes):
        try:
            out.append(f"{province_name(code, vintage=vintage)} ({code})")
        except RegistryError:
            out.append(str(code))
    return ", ".join(out)


def check_province(actor, province: str, *, vintage: str, action: str = "view") -> str:
    """Return the province's code on ``vintage``'s map if ``actor`` may use it, else raise.

    Parameters
    ----------
    actor : Actor or None
        Who asks (``None`` or ``actor.scope is None``: not restricted).
    province : str
        One province: name (any spelling :func:`geo.registry.find_province` takes) or code.
    vintage : {"2020", "2025"}
        The map ``province`` is named on.
    action : str
        What is asked (``view``, ``export``, ``import``…), for the audit log.

    Raises
    ------
    ScopeDenied
        The province is outside the scope (the refusal is audited).
    RegistryError
        No such province.
    """
    from geo.registry import find_province

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = find_province(str(province), vintage=vintage)
    allowed = allowed_provinces(actor, vintage)
    if allowed is not None and code not in allowed:
        raise _deny(actor, action, [code], vintage)
    return code


def restrict_provinces(actor, spec: str | None, *, vintage: str,
                       action: str = "view") -> str | None:
    """Return a province request reduced to ``actor``'s scope, as a comma list of codes.

    ``spec`` is what :func:`geo.registry.find_provinces` takes. ``"all"`` (or
    ``None``) and ``"border"`` are reduced to the provinces in scope (``None`` is
    returned for ``"all"`` when the actor is not restricted); a list naming a province
    outside the scope is refused whole.

    Raises
    ------
    ScopeDenied
        A named province is outside the scope, or nothing of ``"border"`` / ``"all"``
        is in it (audited).
    """
    from geo.registry import find_provinces

    allowed = allowed_provinces(actor, vintage)
    text = "all" if spec is None else str(spec)
    if allowed is None:
        return None if fold(text) == "all" else text
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        codes = find_provinces(text, vintage=vintage)
    if codes is None or fold(text) == "border":
        kept = sorted(allowed if codes is None else set(codes) & allowed)
        if not kept:
            raise _deny(actor, action, codes or ["all"], vintage)
        return ",".join(kept)
    outside = [c for c in codes if c not in allowed]
    if outside:
        raise _deny(actor, action, outside, vintage)
    return ",".join(codes)


def check_codes(actor, codes: Iterable[str], *, vintage: str, action: str) -> None:
    """Raise :class:`ScopeDenied` (audited) if any province code is outside ``actor``'s scope."""
    allowed = allowed_provinces(actor, vintage)
    outside = sorted({str(c) for c in codes} - allowed) if allowed is not None else []
    if outside:
        raise _deny(actor, action, outside, vintage)
