"""Province scope for the pages and the CLI: what an actor may pick, and the one check.

Thin use cases over :mod:`geo.scope`; every service that reads or writes a
province's data also checks the scope itself.
"""

from __future__ import annotations

from geo.scope import allowed_provinces, check_province
from geo.scope import province_choices as _choices
from geo.services._base import Actor


def check_access(actor: Actor | None, province: str, *, vintage: str,
                 action: str = "view") -> str:
    """Return the province's code on ``vintage``'s map, or raise if outside ``actor``'s scope.

    Raises
    ------
    ScopeDenied
        The province is outside the scope (the refusal is audited).
    """
    return check_province(actor, province, vintage=vintage, action=action)


def province_choices(actor: Actor | None, vintage: str) -> list[str]:
    """Return the province codes ``actor`` may pick on a map, land-border provinces first."""
    return _choices(actor, vintage)


def visible_provinces(actor: Actor | None, vintage: str = "2020") -> frozenset[str] | None:
    """Return the province codes ``actor`` may see on a map, ``None`` for the whole country.

    The national overview filters its provinces with this (and loads them through
    the services with ``actor``, which refuse any other).
    """
    return allowed_provinces(actor, vintage)


def same_province(code: str, vintage: str) -> list[str]:
    """Return the codes on ``vintage``'s map of the province ``code`` names on the other map.

    2020 → 2025: the province it became part of; 2025 → 2020: the provinces it holds.
    """
    from geo.registry import successor_provinces
    from geo.scope import _predecessors

    if vintage == "2025":
        return successor_provinces(str(code))
    return list(_predecessors().get(str(code), ()))
