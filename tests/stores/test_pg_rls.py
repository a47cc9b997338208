"""Province scope enforced inside the database: row-level security for the app role.

Connected as the app role (no superuser, no BYPASSRLS) with
``bordermap.provinces = '2020:12'`` (Lai Châu), Điện Biên's (11) roster and layer rows
are invisible and cannot be written; the ceiling in ``role_scopes`` wins over what a
session sets; the layers published for one province replace only that province.
"""

from __future__ import annotations

import geopandas as gpd
import psycopg
import pytest
from shapely.geometry import box

from geo._errors import InvalidArgument, StorageError
from geo.stores.postgis import PostGISRosterStore, connect, scoped_transaction
from geo.stores.postgis_layers import publish_layers
from test_store_backends import roster


def layer(province_code: str, codes: list[str], x0: float = 103.0) -> gpd.GeoDataFrame:
    """Hand-made square communes, 0.1° side, in a row from ``x0``."""
    return gpd.GeoDataFrame({
        "code": codes, "province_code": [province_code] * len(codes),
        "name": [f"Xã {c}" for c in codes], "unit_type": ["Xã"] * len(codes),
        "approximate": [True] * len(codes), "area_km2": [123.4] * len(codes),
    }, geometry=[box(x0 + i / 10, 21.0, x0 + (i + 1) / 10, 21.1) for i in range(len(codes))],
        crs="EPSG:4326")


@pytest.fixture
def seeded(pg_url) -> str:
    """Điện Biên (11) and Lai Châu (12): one roster each, published layers for both."""
    PostGISRosterStore(pg_url, province="11").import_roster(roster(3))
    PostGISRosterStore(pg_url, province="12").import_roster(
        roster(5, ("03700",)).assign(commune_code=["03700"]), province="12")
    publish_layers(pg_url, layer("11", ["03154", "03155"]), vintage="2020")
    publish_layers(pg_url, layer("12", ["03700"], x0=102.5), vintage="2020")
    return pg_url


def counts(url: str, scope: str | None) -> dict[str, list[str]]:
    """Province codes visible per table, with ``bordermap.provinces`` = scope (None: unset)."""
    out = {}
    with connect(url) as con, con.transaction():
        if scope is not None:
            con.execute("SELECT set_config('bordermap.provinces', %s, true)", (scope,))
        for table in ("roster_rows", "roster_versions", "roster_streams", "commune_layers",
                      "current_roster_layer"):
            out[table] = sorted({r[0] for r in con.execute(
                f"SELECT province_code FROM {table}")})
    return out


def test_app_role_is_subject_to_row_level_security(pg_url):
    with connect(pg_url) as con:
        assert con.execute("SELECT rolsuper, rolbypassrls FROM pg_roles "
                           "WHERE rolname = current_user").fetchone() == (False, False)


def test_select_sees_only_the_session_provinces(seeded):
    only_12 = counts(seeded, "2020:12")
    assert all(codes == ["12"] for codes in only_12.values()), only_12
    assert all(codes == ["11", "12"] for codes in counts(seeded, "*").values())
    assert all(codes == ["11", "12"] for codes in counts(seeded, "2020:11, 2020:12").values())
    assert all(codes == [] for codes in counts(seeded, None).values())
    assert all(codes == [] for codes in counts(seeded, "").values())


def test_writes_for_another_province_are_refused(seeded):
    rls = r"new row violates row-level security policy"
    statements = [
        ("INSERT INTO roster_streams VALUES ('11', '2025', 0)", ()),
        ("INSERT INTO roster_rows VALUES ('11', '2020', 1, '03156', 1, 1, 1, 0, 1, NULL, NULL)",
         ()),
        ("INSERT INTO commune_layers (vintage, code, province_code, name, approximate, geom) "
         "VALUES ('2025', '03156', '11', 'x', true, "
         "ST_Multi(ST_MakeEnvelope(103, 21, 103.1, 21.1, 4326)))", ()),
    ]
    for sql, params in statements:
        with connect(seeded) as con:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match=rls):
                with scoped_transaction(con, "2020:12"):
                    con.execute(sql, params)
    with connect(seeded) as con, scoped_transaction(con, "2020:12"):
        assert con.execute("UPDATE roster_streams SET last_version = 99 "
                           "WHERE province_code = '11'").rowcount == 0
        assert con.execute("DELETE FROM commune_layers WHERE province_code = '11'"
                           ).rowcount == 0
    assert counts(seeded, "2020:11")["commune_layers"] == ["11"]


def test_history_cannot_be_deleted_even_in_scope(seeded):
    with connect(seeded) as con:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            with scoped_transaction(con, "2020:11"):
                con.execute("DELETE FROM roster_versions WHERE province_code = '11'")


def test_role_ceiling_wins_over_the_session_setting(seeded, pg_owner_url):
    with connect(pg_owner_url) as con:
        con.execute("INSERT INTO role_scopes VALUES ('bordermap_app', '2020:12')")
    assert all(codes == ["12"] for codes in counts(seeded, "*").values())
    with pytest.raises(StorageError, match="row-level security"):
        PostGISRosterStore(seeded, province="11").import_roster(roster(4))


def test_owner_sees_nothing_without_a_scope(seeded, pg_owner_url):
    """FORCE ROW LEVEL SECURITY: the table owner is held to the policies too — except on
    ``commune_layers`` (revision 0004), which ``bordermap_communes_in_bbox`` reads as the
    owner with its own scope filter, so that it can use the GiST index."""
    seen = counts(pg_owner_url, None)
    assert seen.pop("commune_layers") == seen.pop("current_roster_layer") == ["11", "12"]
    assert all(codes == [] for codes in seen.values())
    with connect(pg_owner_url) as con:  # the polygons, without any roster figure
        assert con.execute("SELECT count(*) FROM current_roster_layer"
                           " WHERE roster_version IS NOT NULL OR officers IS NOT NULL"
                           ).fetchone()[0] == 0
    assert counts(seeded, None)["commune_layers"] == []  # the app role: still nothing


def test_store_scope_is_its_province(seeded):
    stored = PostGISRosterStore(seeded, province="12").current()
    assert stored.frame["commune_code"].tolist() == ["03700"]
    assert PostGISRosterStore(seeded, province="11").current().frame["commune_code"].tolist() \
        == ["03154", "03155"]


def test_publish_replaces_one_province_and_map_only(seeded):
    publish_layers(seeded, layer("11", ["03154"]), vintage="2020")
    publish_layers(seeded, layer("11", ["03156", "03157", "03158"]), vintage="2025")
    with connect(seeded) as con, scoped_transaction(con, "*"):
        got = con.execute("SELECT province_code, vintage, count(*), min(ST_GeometryType(geom)),"
                          " min(ST_SRID(geom)), min(area_km2)"
                          " FROM commune_layers GROUP BY 1, 2 ORDER BY 1, 2").fetchall()
    assert [g[:3] for g in got] == [("11", "2020", 1), ("11", "2025", 3), ("12", "2020", 1)]
    assert {g[3:] for g in got} == {("ST_MultiPolygon", 4326, 123.4)}


def test_publish_refuses_bad_input_and_keeps_layers_on_failure(seeded):
    with pytest.raises(InvalidArgument, match="vintage must be one of"):
        publish_layers(seeded, layer("11", ["03154"]), vintage="2019")
    with pytest.raises(InvalidArgument, match="lacks column"):
        publish_layers(seeded, layer("11", ["03154"]).drop(columns="province_code"),
                       vintage="2020")
    with pytest.raises(StorageError, match="commune_layers"):
        publish_layers(seeded, layer("11", ["0315X"]), vintage="2020")  # check constraint
    assert counts(seeded, "2020:11")["commune_layers"] == ["11"]
    with connect(seeded) as con, scoped_transaction(con, "2020:11"):
        assert con.execute("SELECT count(*) FROM commune_layers").fetchone()[0] == 2


def test_scope_names_the_map_of_each_province(pg_url):
    """Code 44 is Quảng Bình on the 2020 map and Quảng Trị on the 2025 map: a session
    scoped to ``2020:44`` sees Quảng Bình's 2020 rows and none of Quảng Trị's 2025 rows."""
    publish_layers(pg_url, layer("44", ["19000", "19001"]), vintage="2020")  # Quảng Bình
    publish_layers(pg_url, layer("44", ["19300"], x0=106.0), vintage="2025")  # Quảng Trị
    with connect(pg_url) as con, scoped_transaction(con, "*"):
        con.execute("INSERT INTO roster_streams VALUES ('44', '2020', 0), ('44', '2025', 0)")

    def seen(scope):
        with connect(pg_url) as con, con.transaction():
            con.execute("SELECT set_config('bordermap.provinces', %s, true)", (scope,))
            return {t: sorted(con.execute(f"SELECT province_code, vintage FROM {t}"
                                          ).fetchall()) for t in ("commune_layers",
                                                                  "roster_streams")}

    qb = seen("2020:44")
    assert qb["commune_layers"] == [("44", "2020")] * 2
    assert qb["roster_streams"] == [("44", "2020")]
    assert all(rows == [("44", "2025")] for rows in seen("2025:44").values())
    assert all(rows == [] for rows in seen("44").values())  # a bare code names no map
    with connect(pg_url) as con:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            with scoped_transaction(con, "2020:44"):
                con.execute("INSERT INTO roster_streams VALUES ('12', '2025', 0)")
        with scoped_transaction(con, ["44"], vintage="2020"):
            assert con.execute("DELETE FROM commune_layers WHERE vintage = '2025'"
                               ).rowcount == 0


def test_role_ceiling_names_the_map_too(seeded, pg_owner_url):
    publish_layers(seeded, layer("12", ["03701"], x0=102.0), vintage="2025")
    with connect(pg_owner_url) as con:
        con.execute("INSERT INTO role_scopes VALUES ('bordermap_app', '2025:12')")
    with connect(seeded) as con, scoped_transaction(con, "*"):
        assert con.execute("SELECT DISTINCT province_code, vintage FROM commune_layers"
                           ).fetchall() == [("12", "2025")]


def test_scope_value_needs_a_map():
    from geo.stores.postgis import scope_entries, scope_value

    assert scope_value(["2025:12", "2020:44", "2020:44"]) == "2020:44,2025:12"
    assert scope_value("44, 12", vintage="2025") == "2025:12,2025:44"
    assert scope_value([]) == "" and scope_value(None) == "*"
    for bad in ("44", "2019:44", "2020:4", "2020:44,x"):
        with pytest.raises(InvalidArgument, match="province scope"):
            scope_value(bad)
    # Quảng Bình (2020: 44) became part of Quảng Trị (2025: 44)
    assert scope_entries(frozenset({"44"})) == ["2020:44", "2025:44"]
    assert scope_entries(frozenset({"12"})) == ["2020:12", "2025:12"]
    assert scope_entries(None) == "*"
