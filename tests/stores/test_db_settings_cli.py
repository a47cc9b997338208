"""BORDERMAP_DATABASE_URL in the settings (masked), and the ``python -m geo db`` commands."""

from __future__ import annotations

import pytest

from geo import cli
from geo.settings import ENV_VARS, get_settings, mask_url
from geo.stores.postgis import SCHEMA_HEAD


@pytest.mark.parametrize("url, masked", [
    ("postgresql://app:s3cr:et@db:5432/bordermap", "postgresql://app:***@db:5432/bordermap"),
    ("postgresql+psycopg://app:p%40ss@db/x", "postgresql+psycopg://app:***@db/x"),
    ("postgresql://app@db/x", "postgresql://app@db/x"),
    ("postgresql://db/x?sslmode=require&password=abc", "postgresql://db/x?sslmode=require"
                                                      "&password=***"),
    ("", ""),
])
def test_mask_url(url, masked):
    assert mask_url(url) == masked


def test_database_url_setting(monkeypatch):
    assert "BORDERMAP_DATABASE_URL" in ENV_VARS
    monkeypatch.delenv("BORDERMAP_DATABASE_URL", raising=False)
    assert get_settings().database_url == ""
    monkeypatch.setenv("BORDERMAP_DATABASE_URL", " postgresql://app:pw@db/bordermap ")
    settings = get_settings()
    assert settings.database_url == "postgresql://app:pw@db/bordermap"
    assert settings.database_url_masked == "postgresql://app:***@db/bordermap"
    assert "pw@" not in repr(settings.database_url_masked)


def test_db_commands_need_a_database_url(monkeypatch, capsys):
    monkeypatch.delenv("BORDERMAP_DATABASE_URL", raising=False)
    assert cli.main(["db", "upgrade"]) == cli.EXIT_INPUT
    assert "BORDERMAP_DATABASE_URL is not set" in capsys.readouterr().err
    assert cli.main(["db", "publish-layers"]) == cli.EXIT_INPUT


def test_not_a_postgres_url_is_refused(monkeypatch, capsys):
    monkeypatch.setenv("BORDERMAP_DATABASE_URL", "mysql://root:topsecret@db/x")
    assert cli.main(["db", "upgrade"]) == cli.EXIT_INPUT
    err = capsys.readouterr().err
    assert "not a PostgreSQL URL" in err and "topsecret" not in err


def test_cli_upgrade_and_publish_embedded_layer(pg_url, pg_owner_url, monkeypatch, capsys):
    from geo import services
    from geo.stores.postgis import connect, scoped_transaction

    monkeypatch.setenv("BORDERMAP_DATABASE_URL", pg_owner_url)
    assert cli.main(["db", "upgrade"]) == cli.EXIT_OK
    assert f"database schema at revision {SCHEMA_HEAD}" in capsys.readouterr().out
    monkeypatch.setenv("BORDERMAP_DATABASE_URL", pg_url)
    assert cli.main(["db", "publish-layers", "--province", "Điện Biên", "--vintage", "2025"]) \
        == cli.EXIT_OK
    expected = services.load_communes("Điện Biên", vintage="2025")
    assert f"province 11, 2025 map: {len(expected)} communes published" in \
        capsys.readouterr().out
    with connect(pg_url) as con, scoped_transaction(con, "2025:11"):
        codes, area = con.execute(
            "SELECT array_agg(code ORDER BY code), sum(ST_Area(geom::geography)) / 1e6"
            " FROM commune_layers WHERE vintage = '2025'").fetchone()
    assert codes == sorted(expected["code"])
    assert area == pytest.approx(expected["area_km2"].sum(), rel=0.01)
