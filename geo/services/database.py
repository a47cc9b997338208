"""The shared PostgreSQL/PostGIS store: migrations and published commune layers."""

from __future__ import annotations

import logging
from pathlib import Path

from geo.settings import DEFAULT_PROVINCE, DEFAULT_VINTAGE

from geo.services._base import Actor, _record
from geo.services.layers import load_communes

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- shared database

def _database_url() -> str:
    from geo._errors import SettingsError
    from geo.settings import get_settings

    url = get_settings().database_url
    if not url:
        raise SettingsError("BORDERMAP_DATABASE_URL is not set: the embedded SQLite store is in "
                            "use and there is no shared database to work on")
    return url


def upgrade_database() -> str:
    """Bring the shared database's schema to this program's revision (Alembic); return it.

    Run with the URL of the role that owns the tables (not the app role).
    """
    from geo.stores.postgis import migrate

    return migrate(_database_url())


def import_users_file(source: Path | str | None = None, *,
                      actor: Actor) -> tuple[list[str], list[str]]:
    """Copy a users file's accounts into the shared database; return (copied, skipped).

    ``source`` defaults to the users file the embedded store uses (``BORDERMAP_USERS``
    or ``<BORDERMAP_HOME>/users.json``). Each copied account is audited.
    """
    from geo import auth
    from geo.settings import get_settings

    _database_url()
    return auth.import_users_file(Path(source) if source else get_settings().users_file,
                                  actor=actor.name)


def publish_commune_layers(province: str | None = DEFAULT_PROVINCE, *,
                           vintage: str = DEFAULT_VINTAGE, actor: Actor,
                           home: Path | None = None) -> dict[str, int]:
    """Write the communes the app uses into the shared database's ``commune_layers`` (audited).

    Replaces, in one transaction, the published communes of each province covered
    (see :func:`load_communes` for ``province``); returns communes written per province.
    """
    from geo.stores.postgis_layers import publish_layers

    url = _database_url()
    counts = publish_layers(url, load_communes(province, vintage=vintage, home=home,
                                               actor=actor),
                            vintage=vintage)
    _record(actor, "layers.publish", f"vintage={vintage} provinces={','.join(counts)}: "
            f"{sum(counts.values())} communes")
    return counts
