"""Province-scoped accounts, on both backends: what each role × scope may see and do.

Every test runs on the embedded SQLite store and on PostgreSQL/PostGIS (the
``backend`` fixture sets ``BORDERMAP_DATABASE_URL`` to the test cluster's app role;
without a cluster the PostGIS half is skipped locally and fails in CI).

The data: Điện Biên (11) and Lai Châu (12) each have an imported roster (made-up
counts), Điện Biên an official border-commune list. The accounts: commander,
planner and admin, each scoped to Lai Châu, to Lai Châu and Điện Biên, or to the
whole country. Refusals raise :class:`~geo._errors.ScopeDenied` and are written to
the audit log as ``access.denied``; stored data is left as it was.
"""

from __future__ import annotations

import functools

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import audit, auth, passwords, services
from geo._errors import ScopeDenied, StorageError
from geo.roster import validate_roster
from geo.settings import REPO_ROOT

BACKENDS = ("sqlite", "postgis")
ROLES = ("commander", "planner", "admin")
SCOPES = {"lai-chau": "Lai Châu", "two": "Lai Châu,Điện Biên", "country": "all"}
DB, LC = "11", "12"
PAGES = REPO_ROOT / "pages"
TIMEOUT = 300


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(params=BACKENDS)
def backend(request, monkeypatch) -> str:
    """The store backend of this test: SQLite in BORDERMAP_HOME, or the PostGIS cluster."""
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)
    if request.param == "postgis":
        monkeypatch.setenv("BORDERMAP_DATABASE_URL", request.getfixturevalue("pg_url"))
    else:
        monkeypatch.delenv("BORDERMAP_DATABASE_URL", raising=False)
    return request.param


def dien_bien_roster() -> bytes:
    """Điện Biên's committed sample roster (2020 map), one count changed (made-up)."""
    frame = pd.read_csv(REPO_ROOT / "data" / "sample_roster.csv", dtype=str,
                        keep_default_na=False)
    frame.loc[frame["commune_code"] == "03154", "officers"] = "9"
    return frame.to_csv(index=False).encode("utf-8")


def lai_chau_roster() -> bytes:
    """Lai Châu's generated sample roster (2020 map), as a file to upload."""
    from geo.coverage import sample_roster

    return sample_roster("Lai Châu", vintage="2020")[0].to_csv(index=False).encode("utf-8")


def stored_history(backend: str) -> pd.DataFrame:
    """Every stored roster version of both provinces (the CLI operator's view)."""
    parts = [services.roster_history(store=services.roster_store(), province=p, vintage="2020")
             for p in (DB, LC)]
    return pd.concat(parts, ignore_index=True)


@functools.cache
def _checked_rosters() -> tuple:
    """Both provinces' rosters, validated once for the module (a report is only read when
    it is stored; every test stores it again in its own store)."""
    reports = []
    for code, data in ((DB, dien_bien_roster()), (LC, lai_chau_roster())):
        report = validate_roster(data, source_name=f"roster_{code}.csv", province=code,
                                 vintage="2020")
        assert report.ok, report.problems
        reports.append((code, report))
    return tuple(reports)


@pytest.fixture
def seeded(backend) -> dict:
    """Both provinces' rosters and Điện Biên's border list, stored by the CLI operator."""
    operator = services.os_actor()
    store = services.roster_store()
    versions = {}
    for code, report in _checked_rosters():
        versions[code] = services.import_roster(report, actor=operator, store=store)
    listed = services.check_border_list(
        "commune_code,commune_name,country,source\n03154,Xã Sín Thầu,LAO,NĐ 34/2014\n".encode(),
        source_name="list.csv", province="Điện Biên", vintage="2020")
    versions["list"] = services.import_border_list(listed, actor=operator)
    return versions


def account(role: str, scope: str, name: str | None = None) -> services.Actor:
    """Create an account with ``role`` and ``scope``; return its actor as the app builds it."""
    name = name or f"{role[:4]}.{abs(hash(scope)) % 10_000}"
    auth.add_user(name, "mat khau du dai 123", role=role, scope=scope, actor="test")
    return services.actor_for_user(auth.account(name), client="10.0.0.7")


def denials() -> pd.DataFrame:
    return audit.read(100, action="access.denied")


# --------------------------------------------------------------------------- services

@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("role", ROLES)
def test_role_and_scope_decide_what_is_seen_and_done(seeded, backend, role, scope, tmp_path):
    actor = account(role, SCOPES[scope])
    user = auth.account(actor.name)
    sees_db = scope != "lai-chau"

    # what the pickers offer (both maps), what the history shows
    choices = services.province_choices(actor, "2020")
    if scope == "country":
        assert len(choices) == 63 and choices[:2] == ["02", "04"]  # border provinces first
    else:
        assert choices == {"lai-chau": [LC], "two": [DB, LC]}[scope]
    assert (DB in services.province_choices(actor, "2025")) is sees_db
    history = services.roster_history(actor=actor, store=services.roster_store(),
                                      province=LC, vintage="2020")
    assert history["source_name"].tolist() == [f"roster_{LC}.csv"]

    # seeing Điện Biên's figures: only within the scope
    if sees_db:
        cov = services.load_coverage("Điện Biên", vintage="2020", actor=actor)
        assert cov.attrs["roster_version"] == seeded[DB] and not cov.attrs["sample_roster"]
        assert int(cov.set_index("code").loc["03154", "officers"]) == 9
        assert services.current_border_list("dien bien", vintage="2020",
                                            actor=actor).version == seeded["list"]
    else:
        with pytest.raises(ScopeDenied, match=r"Tỉnh Điện Biên \(11\) is outside"):
            services.load_coverage("Điện Biên", vintage="2020", actor=actor)
        with pytest.raises(ScopeDenied):
            services.roster_history(actor=actor, store=services.roster_store(), province=DB)
        assert denials()["user"].tolist() == [actor.name, actor.name]

    # doing: the role decides the kind of action, the scope where
    assert user.can("view") and user.can("export")
    assert user.can("import") is (role != "commander")
    assert user.can("manage_users") is (role == "admin")
    out = tmp_path / "db.html"
    report = validate_roster(dien_bien_roster(), source_name="again.csv", province=DB,
                             vintage="2020")
    before = stored_history(backend)
    if sees_db:
        if role == "commander" and scope == "two":  # the commander's action; once is enough
            path, _ = services.export_briefing("Điện Biên", fmt="html", out=out,
                                               metric="total_police", actor=actor, vintage="2020")
            assert path.exists() and "Sín Thầu" in path.read_text(encoding="utf-8")
        new = services.import_roster(report, actor=actor)
        assert new == seeded[DB] + (1 if backend == "postgis" else 2)
    else:
        with pytest.raises(ScopeDenied):
            services.export_briefing("Điện Biên", fmt="html", out=out, metric="total_police",
                                     actor=actor, vintage="2020")
        with pytest.raises(ScopeDenied):
            services.import_roster(report, actor=actor)
        assert not out.exists()
        pd.testing.assert_frame_equal(stored_history(backend), before)
        refused = denials()
        assert refused["detail"].str.startswith(("export province=11", "import province=11")
                                                ).sum() == 2
        assert set(refused["client"]) == {"10.0.0.7"} and not refused["ok"].any()


def test_crafted_calls_for_dien_bien_by_a_lai_chau_planner_all_fail(seeded, backend, tmp_path):
    planner = account("planner", "Lai Châu", "lc.planner")
    operator = services.os_actor()
    db_cov = services.load_coverage("Điện Biên", vintage="2025")  # loaded by the operator
    db_roster = validate_roster(dien_bien_roster(), source_name="db.csv", province=DB,
                                vintage="2020")
    db_list = services.check_border_list(
        "commune_code,commune_name,country,source\n03155,Xã Chung Chải,LAO,x\n".encode(),
        source_name="l.csv", province=DB, vintage="2020")
    boundaries = tmp_path / "b.geojson"
    boundaries.write_text('{"type": "FeatureCollection", "features": []}')
    before = stored_history(backend)
    lists_before = services.border_list_history()
    crafted = {
        "coverage": lambda: services.load_coverage("dien bien", vintage="2025", actor=planner),
        "communes by code": lambda: services.flag_communes("11", vintage="2020", actor=planner),
        "border communes": lambda: services.border_communes("Điện Biên", vintage="2020",
                                                            actor=planner),
        "two provinces": lambda: services.border_summary("Lai Châu,Điện Biên", vintage="2020",
                                                         actor=planner),
        "roster check": lambda: services.check_roster(dien_bien_roster(), source_name="db.csv",
                                                      province="Điện Biên", vintage="2020",
                                                      actor=planner),
        "roster import": lambda: services.import_roster(db_roster, actor=planner),
        "roster restore": lambda: services.restore_roster(
            seeded[DB], actor=planner, store=services.store_for(services.roster_store(), DB,
                                                                "2020")),
        "boundaries check": lambda: services.check_boundaries(boundaries, province="Điện Biên",
                                                              vintage="2020", actor=planner),
        "boundaries accept": lambda: services.accept_boundaries(boundaries, actor=planner,
                                                                province="Điện Biên"),
        "boundaries remove": lambda: services.remove_boundaries(actor=planner, province="11"),
        "border list check": lambda: services.check_border_list(
            b"commune_code\n03154\n", province="Điện Biên", vintage="2020", actor=planner),
        "border list import": lambda: services.import_border_list(db_list, actor=planner),
        "border list restore": lambda: services.restore_border_list(seeded["list"],
                                                                    actor=planner),
        "border list read": lambda: services.current_border_list("Điện Biên", vintage="2020",
                                                                 actor=planner),
        "export": lambda: services.export_briefing("Điện Biên", fmt="png",
                                                   out=tmp_path / "x.png", metric="total_police",
                                                   actor=planner),
        "export of a loaded frame": lambda: services.write_briefing(
            db_cov, fmt="html", out=tmp_path / "y.html", metric="total_police", actor=planner),
    }
    for what, call in crafted.items():
        with pytest.raises(ScopeDenied, match="Điện Biên"):
            call()
            pytest.fail(f"{what}: not refused")
    refused = denials()
    assert len(refused) == len(crafted) and set(refused["user"]) == {"lc.planner"}
    assert refused["detail"].str.contains("province=11 ").all()
    # nothing was stored, nothing written
    pd.testing.assert_frame_equal(stored_history(backend), before)
    pd.testing.assert_frame_equal(services.border_list_history(), lists_before)
    assert not list(tmp_path.glob("[xy].*"))
    assert services.current_boundaries("Điện Biên", vintage="2020") is None
    # the operator (CLI) is not restricted
    assert services.current_border_list("Điện Biên", vintage="2020",
                                        actor=operator).version == seeded["list"]


def test_border_and_all_are_reduced_to_the_scope(backend):
    planner = account("planner", "Lai Châu", "lc.planner")
    for spec in ("border", "all", None):
        flagged = services.flag_communes(spec, vintage="2020", actor=planner)
        assert set(flagged["province_code"]) == {LC}
        assert len(flagged) == 106  # every Lai Châu unit of the 2020 registry
    summary = services.border_summary("border", vintage="2025", actor=planner)
    assert set(summary.flagged["province_code"]) == {LC}
    assert services.visible_provinces(planner, "2025") == {LC}
    assert denials().empty  # reducing is not a refusal


def test_history_and_restore_follow_the_picked_province(seeded, backend):
    """The data page's history tab: the picked province's versions, restored in its stream.

    The page's store is the default one (on PostGIS bound to Điện Biên's stream); the
    history and the restore name the province and map picked, and run as the actor.
    """
    planner = account("planner", "Lai Châu", "lc.planner")
    store = services.roster_store()
    db_before = services.roster_history(store=store, province=DB, vintage="2020")
    history = services.roster_history(actor=planner, store=store, province=LC, vintage="2020")
    assert history["version"].tolist() == [seeded[LC]]
    assert history["source_name"].tolist() == [f"roster_{LC}.csv"]
    report = validate_roster(lai_chau_roster(), source_name="again.csv", province=LC,
                             vintage="2020")
    newer = services.import_roster(report, actor=planner, store=store)
    new = services.restore_roster(seeded[LC], actor=planner, store=store, province=LC,
                                  vintage="2020")
    lc = services.roster_history(actor=planner, store=store, province=LC, vintage="2020")
    assert lc["version"].tolist() == [seeded[LC], newer, new]
    assert lc["restored_from"].tolist()[-1] == seeded[LC] and lc["is_current"].tolist()[-1]
    assert services.store_for(store, LC, "2020").current().version == new

    with pytest.raises(ScopeDenied, match="Điện Biên"):
        services.restore_roster(seeded[DB], actor=planner, store=store, province=DB,
                                vintage="2020")
    if backend == "sqlite":  # one numbering: Điện Biên's version, refused by its province
        with pytest.raises(ScopeDenied, match="Điện Biên"):
            services.restore_roster(seeded[DB], actor=planner, store=store, province=LC,
                                    vintage="2020")
    else:  # numbers count per stream: the same number in Lai Châu's stream is Lai Châu's
        again = services.restore_roster(seeded[DB], actor=planner, store=store, province=LC,
                                        vintage="2020")
        restored = services.store_for(store, LC, "2020").current()
        assert restored.version == again and restored.source_name == f"roster_{LC}.csv"
    pd.testing.assert_frame_equal(
        services.roster_history(store=store, province=DB, vintage="2020"), db_before)


def test_cli_restores_in_the_named_provinces_history(seeded, backend, capsys):
    from geo import cli

    store = services.roster_store()
    report = validate_roster(lai_chau_roster(), source_name="again.csv", province=LC,
                             vintage="2020")
    services.import_roster(report, actor=services.os_actor(), store=store)
    db_before = services.roster_history(store=store, province=DB, vintage="2020")
    assert cli.main(["roster", "restore", str(seeded[LC]), "--province", "Lai Châu"]) == 0
    restored = services.store_for(store, LC, "2020").current()
    assert restored.restored_from == seeded[LC] and restored.source_name == f"roster_{LC}.csv"
    pd.testing.assert_frame_equal(
        services.roster_history(store=store, province=DB, vintage="2020"), db_before)
    if backend == "sqlite":  # one numbering: Điện Biên's version is not Lai Châu's
        assert cli.main(["roster", "restore", str(seeded[DB]), "--province", LC]) != 0
        assert "not one of province 12's" in capsys.readouterr().err


@pytest.mark.parametrize("backend", ["postgis"], indirect=True)
def test_postgis_transactions_carry_the_actors_scope(seeded, backend):
    """Defence in depth: a store used for a Lai Châu planner cannot read Điện Biên at all."""
    planner = account("planner", "Lai Châu", "lc.planner")
    db_store = services.store_for(services.roster_store(), DB, "2020")
    scoped = services.scoped_store(db_store, planner)
    assert scoped._session_provinces() == []  # bordermap.provinces = '' in its transactions
    assert scoped.current() is None  # the rows exist (the operator sees them) …
    assert db_store.current().version == seeded[DB]
    assert scoped.history().empty  # … but RLS hides them from this actor's transactions
    with pytest.raises(StorageError):
        scoped.import_roster(validate_roster(dien_bien_roster(), source_name="x.csv",
                                             province=DB, vintage="2020"))
    lc_store = services.scoped_store(services.store_for(services.roster_store(), LC, "2020"),
                                     planner)
    assert lc_store._session_provinces() == [f"2020:{LC}"]
    assert lc_store.current().version == seeded[LC]


@pytest.mark.parametrize("backend", ["postgis"], indirect=True)
def test_border_lists_are_read_and_written_as_the_actor(seeded, backend, monkeypatch):
    """Defence in depth: the services open the border-list store with the actor's
    provinces, so with their own scope check switched off, Điện Biên's list stays hidden."""
    from geo.services import lists

    planner = account("planner", "Lai Châu", "lc.planner")
    assert services.actor_provinces(planner) == [f"2020:{LC}", f"2025:{LC}"]
    assert services.actor_provinces(None) == "*"
    monkeypatch.setattr(lists, "check_province", lambda *a, **k: None)  # a forgotten check
    assert services.current_border_list("Điện Biên", vintage="2020", actor=planner) is None
    assert services.current_border_list("Điện Biên", vintage="2020").version == seeded["list"]
    with pytest.raises(StorageError, match=f"no border-list version {seeded['list']}"):
        lists.border_list_store(provinces=services.actor_provinces(planner)).get(seeded["list"])
    with pytest.raises(StorageError, match=f"no border-list version {seeded['list']}"):
        services.restore_border_list(seeded["list"], actor=planner)  # the database refuses
    assert services.border_list_history(province=DB)["version"].tolist() == [seeded["list"]]


@pytest.mark.parametrize("backend", ["postgis"], indirect=True)
def test_sql_as_the_app_role_scoped_to_lai_chau_returns_nothing_of_dien_bien(seeded, backend):
    """A direct query as the app's database role, ``bordermap.provinces`` = Lai Châu."""
    from geo.settings import get_settings
    from geo.stores.postgis import connect, scope_value, scoped_transaction
    from geo.stores.postgis_layers import publish_layers

    url = get_settings().database_url
    publish_layers(url, services.load_communes("Lai Châu,Điện Biên", vintage="2020"),
                   vintage="2020")
    planner = account("planner", "Lai Châu", "lc.planner")
    provinces = services.visible_provinces(planner, "2020")
    assert scope_value(sorted(provinces), vintage="2020") == f"2020:{LC}"
    with connect(url) as con, scoped_transaction(con, sorted(provinces), vintage="2020"):
        for table in ("roster_rows", "roster_versions", "roster_streams", "commune_layers",
                      "current_roster_layer"):
            assert con.execute(f"SELECT count(*) FROM {table} WHERE province_code = %s",
                               (DB,)).fetchone()[0] == 0, table
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table
        assert con.execute("SELECT count(*) FROM current_roster_layer WHERE code = '03154'"
                           ).fetchone()[0] == 0  # Sín Thầu (Điện Biên) even by commune code
    with connect(url) as con, scoped_transaction(con, "*"):  # the same query, whole country
        assert con.execute("SELECT count(*) FROM roster_rows WHERE province_code = %s",
                           (DB,)).fetchone()[0] > 0


# --------------------------------------------------------------------------- pages

def page(name: str, actor: services.Actor, **state) -> AppTest:
    """Run a page as the signed-in account of ``actor`` with ``state`` in session_state."""
    at = AppTest.from_file(str(PAGES / name), default_timeout=TIMEOUT)
    at.session_state["user"] = auth.account(actor.name)
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def _refused(at: AppTest) -> bool:
    return any("Không có quyền" in e.value and "Điện Biên" in e.value for e in at.error)


@pytest.mark.parametrize("name", ["map.py", "border.py", "reform.py", "data.py"])
def test_forged_session_state_for_dien_bien_is_refused_on_every_page(seeded, backend, name):
    planner = account("planner", "Lai Châu", "lc.planner")
    at = page(name, planner, province_2025=DB, province_2020=DB)
    assert not at.exception, [e.value for e in at.exception]
    assert _refused(at)
    assert not at.metric and not at.dataframe and not at.get("iframe")
    assert not at.get("download_button")
    assert denials()["user"].tolist()[:1] == ["lc.planner"]


def test_a_dien_bien_roster_uploaded_by_a_lai_chau_planner_is_refused(seeded, backend):
    planner = account("planner", "Lai Châu", "lc.planner")
    before = stored_history(backend)
    # with the picker as the page offers it (Lai Châu): the communes are not Lai Châu's
    at = page("data.py", planner, roster_vintage="2020")
    assert not at.exception, [e.value for e in at.exception]
    at.get("file_uploader")[0].upload("dien_bien.csv", dien_bien_roster(), "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("lỗi" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "roster_accept"]
    # with a forged province (Điện Biên) for the roster's map: refused before reading it
    at = page("data.py", planner, roster_vintage="2020", province_2020=DB)
    at.get("file_uploader")[0].upload("dien_bien.csv", dien_bien_roster(), "text/csv").run()
    assert _refused(at) and not [b for b in at.button if b.key == "roster_accept"]
    assert "upload province=11" in " ".join(denials()["detail"])
    # a validated Điện Biên report slipped into the session cannot be accepted either
    forged = validate_roster(dien_bien_roster(), source_name="db.csv", province=DB,
                             vintage="2020")
    with pytest.raises(ScopeDenied):
        services.import_roster(forged, actor=planner)
    pd.testing.assert_frame_equal(stored_history(backend), before)


@pytest.mark.parametrize("role", ROLES)
def test_pages_show_each_role_its_scope(seeded, backend, role):
    """Two provinces: Điện Biên by default, Lai Châu when picked, the data page by role."""
    actor = account(role, "Lai Châu,Điện Biên")
    at = page("map.py", actor)
    assert not at.exception, [e.value for e in at.exception]
    figures = {m.label: m.value for m in at.metric}
    assert figures["Số xã"] == "45"  # Điện Biên, 2025 map
    at = page("map.py", actor, province_2025=LC)
    figures = {m.label: m.value for m in at.metric}
    assert figures["Số xã"] == "38"  # Lai Châu, 2025 map
    data = page("data.py", actor)
    if role == "commander":
        assert any("Không có quyền" in e.value for e in data.error) and not data.dataframe
    else:
        assert not data.exception and len(data.get("file_uploader")) == 3


def test_a_province_without_an_imported_roster_shows_its_sample_labelled(backend):
    admin = account("admin", "all", "quan.tri")
    at = page("map.py", admin, province_2025=LC)
    assert not at.exception, [e.value for e in at.exception]
    assert any("Dữ liệu mẫu" in w.value for w in at.warning)
    figures = {m.label: m.value for m in at.metric}
    assert figures["Số xã"] == "38"
    assert figures["Trưởng Công an xã"] == "36"  # one per xã of Lai Châu's generated sample


def test_a_new_roster_of_the_picked_province_shows_at_once(seeded, backend):
    """The pages' cache key follows the picked province's roster stream (both backends)."""
    planner = account("planner", "Lai Châu", "lc.planner")
    at = page("map.py", planner, vintage="2020")
    assert not at.exception, [e.value for e in at.exception]
    before = int({m.label: m.value for m in at.metric}["Công an viên"])
    frame = pd.read_csv(__import__("io").BytesIO(lai_chau_roster()), dtype=str,
                        keep_default_na=False)
    frame.loc[0, "officers"] = str(int(frame.loc[0, "officers"]) + 5)
    report = validate_roster(frame.to_csv(index=False).encode("utf-8"), source_name="new.csv",
                             province=LC, vintage="2020")
    services.import_roster(report, actor=planner)
    at = page("map.py", planner, vintage="2020")
    assert int({m.label: m.value for m in at.metric}["Công an viên"]) == before + 5
