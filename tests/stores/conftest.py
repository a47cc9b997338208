"""Fixtures for the shared-store tests: the throwaway PostgreSQL/PostGIS cluster.

The cluster comes from ``tests/pg_cluster.py`` (CI starts it in ``.ci/run``), through
``BORDERMAP_TEST_DATABASE_URL`` (app role) and ``BORDERMAP_TEST_DATABASE_OWNER_URL``
(owner, runs migrations). Without them the PostGIS tests are skipped locally, and
fail in CI (``CI=true``): a missing database must never pass silently there.

Under pytest-xdist every worker gets a database of its own (``bordermap_test_<worker>``,
a clone of the PostGIS template, dropped at the end of the session): ``pg_url`` empties
the tables before each test, which must not happen under another worker's test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from pgtest import START_HINT, TEMPLATE_DB, require_env, with_database


def _database_name(url: str) -> str:
    return url.rpartition("/")[2].partition("?")[0]


@pytest.fixture(scope="session")
def pg_owner_url() -> Iterator[str]:
    """URL of the owner role (migrations, clean-up), on this worker's test database."""
    url = require_env("BORDERMAP_TEST_DATABASE_OWNER_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker:
        yield url
        return
    from geo.stores.postgis import connect

    name = f"{_database_name(url)}_{worker}"
    with connect(url) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}")
    try:
        yield with_database(url, name)
    finally:
        from geo.stores._backend import close_idle

        close_idle()  # the app role's pooled connections: the owner may not end them
        # any other connection of the app role to this database (a store a test left
        # open): the app role may end its own sessions, the owner may not
        app_url = os.environ.get("BORDERMAP_TEST_DATABASE_URL")
        if app_url:
            with connect(app_url) as con:
                con.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                            " WHERE datname = %s AND usename = current_user"
                            " AND pid <> pg_backend_pid()", (name,))
        with connect(url) as con:
            con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def pg_app_url(pg_owner_url) -> str:
    """URL of the application role (no superuser, no BYPASSRLS), on a migrated database."""
    from geo.stores.postgis import migrate

    url = with_database(require_env("BORDERMAP_TEST_DATABASE_URL"),
                        _database_name(pg_owner_url))
    migrate(pg_owner_url)
    return url


#: Tables emptied around each test (revision 0002's stores too).
SHARED_TABLES = ("roster_rows, roster_versions, roster_streams, commune_layers, role_scopes, "
                 "app_users, sessions, tickets, signin_failures, signin_known, audit_head, "
                 "store_counters, norm_row, norm_version, border_list_row, border_list_version")


def _truncate(owner_url: str) -> None:
    from geo.stores.postgis import connect

    with connect(owner_url) as con, con.transaction():
        con.execute(f"TRUNCATE {SHARED_TABLES}")
        # The audit log refuses TRUNCATE for every role: only the owner, by switching its
        # trigger off inside this transaction, can empty it between tests.
        con.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_truncate")
        con.execute("TRUNCATE audit_log")
        con.execute("ALTER TABLE audit_log ENABLE TRIGGER USER")  # all, even after a failure


@pytest.fixture
def pg_url(pg_app_url, pg_owner_url) -> str:
    """App-role URL of a migrated database emptied before the test.

    Only before: every test that uses the database starts by emptying it, so emptying it
    again afterwards (35 ms of TRUNCATE) would be done twice for nothing.
    """
    _truncate(pg_owner_url)
    return pg_app_url


@pytest.fixture
def fresh_database(pg_owner_url) -> Iterator[str]:
    """Name of a new, empty database (PostGIS installed, no schema); dropped afterwards."""
    from geo.stores.postgis import connect

    name = f"bordermap_t_{uuid.uuid4().hex[:12]}"
    with connect(pg_owner_url) as con:
        exists = con.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                             (TEMPLATE_DB,)).fetchone()
        if not exists:
            pytest.skip(f"no {TEMPLATE_DB} database on this server ({START_HINT})")
        con.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}")
    try:
        yield name
    finally:
        from geo.stores._backend import close_idle

        close_idle()  # the stores keep idle app-role connections to it
        with connect(pg_owner_url) as con:
            con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
