"""Alembic migrations of the shared store: from an empty database, idempotent, as designed."""

from __future__ import annotations

import pytest

from pgtest import with_database
from geo._errors import StorageError
from geo.stores.postgis import MIGRATIONS_DIR, SCHEMA_HEAD, connect, migrate, schema_revision

TABLES = {"commune_layers", "roster_streams", "roster_versions", "roster_rows", "role_scopes",
          "store_meta", "alembic_version",
          # revision 0002
          "app_users", "sessions", "tickets", "signin_failures", "signin_known", "audit_log",
          "audit_head", "store_counters", "norm_version", "norm_row", "border_list_version",
          "border_list_row"}
SCOPED = ("commune_layers", "roster_streams", "roster_versions", "roster_rows",
          "border_list_version", "border_list_row")


def test_schema_head_is_the_newest_alembic_revision():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_heads() == [SCHEMA_HEAD]


def test_upgrade_from_empty_then_again_changes_nothing(pg_owner_url, pg_app_url, fresh_database):
    from geo.stores.postgis import PostGISRosterStore

    owner = with_database(pg_owner_url, fresh_database)
    app = with_database(pg_app_url, fresh_database)
    with connect(owner) as con:
        assert schema_revision(con) is None
    with pytest.raises(StorageError, match="has no BorderMap schema; this program needs "
                                           f"revision {SCHEMA_HEAD}: run the database migrations"):
        PostGISRosterStore(app)

    assert migrate(owner) == SCHEMA_HEAD
    with connect(owner) as con:
        tables = {r[0] for r in con.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        store_id = con.execute("SELECT value FROM store_meta").fetchall()
    assert TABLES <= tables
    assert migrate(owner) == SCHEMA_HEAD  # idempotent: nothing to do, no error
    with connect(owner) as con:
        assert con.execute("SELECT value FROM store_meta").fetchall() == store_id
        assert con.execute("SELECT count(*) FROM alembic_version").fetchone()[0] == 1
    assert PostGISRosterStore(app).history().empty


def test_layers_table_is_spatial_and_tables_force_row_level_security(pg_owner_url, pg_app_url):
    with connect(pg_owner_url) as con:
        geom = con.execute("SELECT type, srid FROM geometry_columns WHERE "
                           "f_table_name = 'commune_layers' AND f_geometry_column = 'geom'"
                           ).fetchone()
        gist = con.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'commune_layers'"
                           " AND indexdef ILIKE '%USING gist (geom)%'").fetchall()
        pk = con.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE "
                         "conrelid = 'commune_layers'::regclass AND contype = 'p'").fetchone()
        rls = {r[0]: r[1:] for r in con.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relname = ANY(%s)", (list(SCOPED),)).fetchall()}
        policies = {r[0] for r in con.execute("SELECT tablename FROM pg_policies "
                                              "WHERE policyname = 'province_scope'")}
    assert geom == ("MULTIPOLYGON", 4326)
    assert len(gist) == 1
    assert pk == ("PRIMARY KEY (vintage, code)",)
    # commune_layers: enabled, not FORCEd since 0004 (bordermap_communes_in_bbox reads it as
    # the owner); every other scoped table holds its owner to the policy too
    assert rls == {t: (True, t != "commune_layers") for t in SCOPED}
    assert policies == set(SCOPED)


def test_app_role_cannot_migrate_and_the_password_stays_hidden(pg_app_url, fresh_database):
    app = with_database(pg_app_url, fresh_database)
    password = app.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    with pytest.raises(StorageError, match=r"migration failed: .*permission denied") as info:
        migrate(app)
    assert password not in str(info.value) and ":***@" in str(info.value)
    with connect(app) as con:
        assert schema_revision(con) is None  # the failed revision left nothing behind


def test_unreachable_server_is_a_storage_error_without_password():
    url = "postgresql://someone:hunter2@127.0.0.1:1/nowhere"
    with pytest.raises(StorageError, match=r"someone:\*\*\*@127\.0\.0\.1:1") as info:
        migrate(url)
    assert "hunter2" not in str(info.value)


def test_a_0001_database_with_rosters_upgrades_to_the_shared_stores(pg_owner_url, pg_app_url,
                                                                   fresh_database, monkeypatch):
    """An installation at revision 0001 (rosters only) is refused, then upgraded in place."""
    import pandas as pd

    from geo.stores.postgis import PostGISRosterStore
    from geo.stores.sessions import SessionStore

    owner = with_database(pg_owner_url, fresh_database)
    app = with_database(pg_app_url, fresh_database)
    assert migrate(owner, revision="0001") == "0001"
    with connect(owner) as con, con.transaction():  # a roster stored under 0001
        con.execute("SELECT set_config('bordermap.provinces', '11', true)")
        con.execute("INSERT INTO roster_streams VALUES ('11', '2020', 1)")
        con.execute("INSERT INTO roster_versions VALUES ('11', '2020', 1, 't', 'r.csv', 'ab',"
                    " 'lan', 'per-commune', 'Điện Biên', 0, NULL, true)")
    monkeypatch.setenv("BORDERMAP_DATABASE_URL", app)
    with pytest.raises(StorageError, match=f"is at revision 0001; this program needs revision "
                                           f"{SCHEMA_HEAD}"):
        SessionStore().live_count()

    assert migrate(owner) == SCHEMA_HEAD
    assert SessionStore().live_count() == 0
    hist = PostGISRosterStore(app).history()
    assert hist["version"].tolist() == [1] and isinstance(hist, pd.DataFrame)
