"""Who acts, the audit helpers and the store openers shared by every use case."""

from __future__ import annotations

import getpass
import logging
from dataclasses import dataclass
from pathlib import Path

from geo import audit
from geo._text import fold

log = logging.getLogger(__name__)

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- actors

@dataclass(frozen=True)
class Actor:
    """Who does something, for store history and the audit log.

    Attributes
    ----------
    name : str
        Account name (app) or ``cli:<operating-system user>`` (CLI).
    client : str
        Where the request came from (remote address, ``"cli"``).
    note : str
        Free text the caller adds (e.g. the CLI's ``--user``), kept beside the name.
    scope : frozenset of str, optional
        The provinces the actor may see and change, as 2020 province codes
        (:mod:`geo.scope`); ``None`` = not restricted (the command line's operator,
        who can read the data folder anyway). The app always sets it from the
        signed-in account (:func:`actor_for_user`).
    """

    name: str
    client: str = ""
    note: str = ""
    scope: frozenset[str] | None = None


def actor_for_user(user, *, client: str = "") -> Actor:
    """Return the actor of a signed-in :class:`geo.auth.User`, with its province scope.

    A user with no usable scope gets an empty one (sees nothing), never ``None``.
    """
    from geo.scope import scope_codes

    if user is None:
        return Actor(name="-", client=client, scope=frozenset())
    codes = scope_codes(user.provinces)
    return Actor(name=user.username, client=client,
                 scope=None if codes is None else frozenset(codes))


def os_actor(note: str | None = None) -> Actor:
    """Return the actor of a command-line call: the operating-system user."""
    try:
        name = f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        name = "cli"
    return Actor(name=name, client="cli", note=(note or "").strip())


def _note(actor: Actor) -> str:
    return f" [note: user given as {actor.note!r}]" if actor.note else ""


def _record(actor: Actor, action: str, detail: str, *, ok: bool = True) -> None:
    audit.record(actor.name, action, detail + _note(actor), ok=ok, client=actor.client or None)


def _action(actor: Actor, action: str, detail: str):
    """Audit intent now, completion when the block ends (the block runs only if logged)."""
    return audit.action(actor.name, action, detail + _note(actor), client=actor.client or None)



# --------------------------------------------------------------------------- stores

def _province_code(province: str | None, vintage: str) -> str | None:
    from geo.registry import find_province

    if province is None or fold(province) == "all":
        return None
    return find_province(province, vintage=vintage)


def roster_store(home: Path | None = None):
    """Return the roster store of ``home`` (default ``BORDERMAP_HOME``)."""
    from geo.stores.rosters import open_store

    return open_store(home)


def store_for(store, province: str, vintage: str):
    """Return the store that keeps ``province``'s rosters on ``vintage``'s map.

    The PostGIS store is bound to one province and map (versions count per stream)
    and gives its sibling; the SQLite store keeps every stream and is returned.
    """
    pick = getattr(store, "_for", None)
    return store if pick is None else pick(province, vintage)


def scoped_store(store, actor: Actor | None):
    """Return ``store`` narrowed to ``actor``'s provinces where the backend can do it.

    The PostGIS store then sets ``bordermap.provinces`` of every transaction from
    the actor's scope, so the database's row-level security applies too (defence in
    depth); the SQLite store has no such layer and is returned as it is.
    """
    scope = getattr(actor, "scope", None)
    if scope is None or not hasattr(store, "with_scope"):
        return store
    return store.with_scope(scope)


def actor_provinces(actor: Actor | None) -> str | list[str]:
    """Return the ``provinces`` a shared store opened for ``actor`` is limited to.

    ``"*"`` when ``actor`` is None or not restricted; else ``<map>:<code>`` entries of
    its provinces on both maps (:func:`geo.stores.postgis.scope_entries`), for
    :func:`border_list_store` (row-level security, defence in depth).
    """
    scope = getattr(actor, "scope", None)
    if scope is None:
        return "*"
    from geo.stores.postgis import scope_entries

    return scope_entries(frozenset(scope))


def norm_store(home: Path | None = None):
    """Return the staffing-norm store of ``home`` (default ``BORDERMAP_HOME``)."""
    from geo.stores.norms import open_norm_store

    return open_norm_store(home)


def border_list_store(home: Path | None = None, *, create: bool = True,
                      provinces: str | list[str] = "*"):
    """Return the border-list store of ``home`` (default ``BORDERMAP_HOME``).

    With ``create=False`` (reading only) return None while no list was ever loaded,
    so that reading never creates a store file. With ``BORDERMAP_DATABASE_URL`` set,
    the shared database's store, limited by row-level security to ``provinces``
    (``<map>:<code>`` entries, e.g. :func:`actor_provinces`, or ``"*"`` for all; the
    embedded store ignores it).
    """
    from geo.settings import bordermap_home
    from geo.stores._backend import shared_url
    from geo.stores.border_lists import STORE_FILENAME, BorderListStore

    url = shared_url()
    if url:
        from geo.stores.border_lists import PostgresBorderListStore

        return PostgresBorderListStore(url, provinces=provinces)

    folder = Path(home) if home is not None else bordermap_home()
    if not create and not (folder / STORE_FILENAME).exists():
        return None
    return BorderListStore(home)
