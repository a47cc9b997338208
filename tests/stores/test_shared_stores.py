"""Users, sessions, audit log, norms and border lists on both backends.

Every test runs twice: on the embedded stores (SQLite/JSON under ``BORDERMAP_HOME``)
and on the shared PostgreSQL store (``BORDERMAP_DATABASE_URL`` set to the app role
of the test cluster, tables emptied around each test). The tests call the same
public functions the app and the CLI call, with no path, so the backend selection
(:func:`geo.stores._backend.shared_url`) is exercised too.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from geo import audit, auth, services
from geo._errors import AuditError, AuthError, StorageError
from geo.norms import NORMS_FILE, read_norms
from geo.services._base import border_list_store, norm_store
from geo.settings import get_settings
from geo.stores.sessions import SessionStore

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery-9"


@pytest.fixture(params=("sqlite", "postgis"))
def backend(request, monkeypatch) -> str:
    """The backend under test; PostgreSQL selected through BORDERMAP_DATABASE_URL."""
    if request.param == "postgis":
        monkeypatch.setenv("BORDERMAP_DATABASE_URL", request.getfixturevalue("pg_url"))
    else:
        monkeypatch.delenv("BORDERMAP_DATABASE_URL", raising=False)
    return request.param


def _home_files() -> set[str]:
    home = get_settings().home
    return {p.name for p in home.iterdir()} if home.exists() else set()


# --------------------------------------------------------------------------- users

def test_accounts_round_trip(backend):
    auth.add_user("lan", PASSWORD, role="planner")
    auth.add_user("minh", PASSWORD, role="commander", must_change=True)
    auth.set_role("lan", "admin")
    auth.set_disabled("minh", True)

    frame = auth.list_users()
    assert frame[["username", "role", "disabled"]].values.tolist() == [
        ["lan", "admin", False], ["minh", "commander", True]]
    assert auth.account("lan").role == "admin"
    assert auth.account("minh") is None  # disabled
    assert auth.authenticate("lan", PASSWORD, client_id="10.0.0.1").role == "admin"
    assert auth.authenticate("lan", "wrong-password-12345", client_id="10.0.0.1") is None
    with pytest.raises(AuthError, match="already exists"):
        auth.add_user("lan", PASSWORD, role="planner")
    auth.remove_user("minh")
    assert auth.list_users()["username"].tolist() == ["lan"]
    assert ("users.json" in _home_files()) == (backend == "sqlite")


def test_every_field_of_a_record_round_trips(backend):
    """Fields the app does not know yet (e.g. a scope, nested values) survive a write."""
    path = auth.users_path()
    auth.add_user("lan", PASSWORD, role="planner")
    with auth._locked(path):
        users = auth._read_file(path)
        users["lan"]["scope"] = ["11", "12"]
        users["lan"]["note"] = {"unit": "Công an tỉnh", "since": 2024}
        users["lan"]["must_change"] = True
        auth._write_file(path, users)
        users["lan"]["scope"] = ["*"]
        auth._write_file(path, users)
        assert auth._read_file(path)["lan"]["scope"] == ["*"]  # the whole country
        users["lan"]["scope"] = ["11", "12"]
        auth._write_file(path, users)
    got = auth._read_file(path)["lan"]
    assert got["scope"] == ["11", "12"]
    assert got["note"] == {"unit": "Công an tỉnh", "since": 2024}
    assert got["must_change"] is True and got["role"] == "planner"
    assert got["hash"].startswith("$2")
    if backend == "postgis":  # the fields the app reads are columns, the rest JSONB
        from geo.stores.postgis import connect

        with connect(os.environ["BORDERMAP_DATABASE_URL"]) as con:
            row = con.execute("SELECT role, must_change, scope, extra FROM app_users"
                              " WHERE username = 'lan'").fetchone()
        assert row == ("planner", True, ["11", "12"],
                       {"note": {"unit": "Công an tỉnh", "since": 2024}})


@pytest.mark.slow  # child processes
def test_concurrent_account_changes_lose_nothing(backend):
    """Three processes each add accounts at once: every account is there afterwards."""
    script = textwrap.dedent("""
        import sys
        from geo import auth, passwords
        passwords.BCRYPT_ROUNDS = 4  # as in every test (conftest._fast_bcrypt)
        for i in range(2):
            auth.add_user(f"u{sys.argv[1]}x{i}", "correct-horse-battery-9", role="commander")
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, str(n)], cwd=REPO,
                              env=dict(os.environ), stderr=subprocess.PIPE, text=True)
             for n in range(3)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 3, errors
    assert sorted(auth.list_users()["username"]) == sorted(
        f"u{n}x{i}" for n in range(3) for i in range(2))


def test_moving_to_the_database_copies_the_users_file(pg_url, monkeypatch, cli, tmp_path):
    monkeypatch.delenv("BORDERMAP_DATABASE_URL", raising=False)
    auth.add_user("lan", PASSWORD, role="planner")  # the embedded users file
    auth.add_user("minh", PASSWORD, role="commander", must_change=True)
    file_accounts = auth._read_file(auth.users_path())
    assert cli("db", "import-users", check=False).returncode == 2  # no database configured

    monkeypatch.setenv("BORDERMAP_DATABASE_URL", pg_url)
    assert auth.list_users().empty  # the database has its own (none yet)
    auth.add_user("minh", "another-password-42", role="admin")
    result = cli("db", "import-users")
    assert "1 account(s) copied into the database: lan" in result.stdout
    assert "left unchanged: minh" in result.stderr
    assert auth._read_file(auth.users_path())["lan"] == file_accounts["lan"]
    assert auth.account("minh").role == "admin"  # not overwritten
    assert auth.authenticate("lan", PASSWORD, client_id="cli").role == "planner"
    assert "lan role=planner (copied from users.json)" in audit.read(None)["detail"].tolist()


def test_reused_connections_carry_no_scope_nor_lock(pg_url):
    from geo.stores._backend import pg_transaction, pooled_connection

    with pg_transaction(pg_url, provinces="2020:12", lock="users") as con:
        pid = con.execute("SELECT pg_backend_pid()").fetchone()[0]
    with pooled_connection(pg_url) as raw:
        assert raw.execute("SELECT pg_backend_pid()").fetchone()[0] == pid  # reused
        assert raw.execute("SELECT coalesce(current_setting('bordermap.provinces', true), '')"
                           ", current_setting('lock_timeout')").fetchone() == ("", "0")
        assert raw.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                           " AND pid = pg_backend_pid()").fetchone()[0] == 0


# --------------------------------------------------------------------------- sessions

class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_sessions_live_idle_and_revoked(backend):
    clock = FakeClock()
    store = SessionStore(clock=clock)
    token = store.create("lan", client="10.0.0.1", lifetime_s=3600)
    other = store.create("lan", client="10.0.0.2", lifetime_s=3600)
    rec = store.lookup(token, idle_s=600)
    assert (rec.username, rec.client) == ("lan", "10.0.0.1")
    assert store.live_count("lan") == 2
    assert store.revoke(token, reason="signed out") is True
    assert store.revoke(token, reason="signed out") is False
    assert store.lookup(token, idle_s=600) is None
    clock.now += 601
    assert store.lookup(other, idle_s=600) is None  # idle
    assert store.live_count() == 0  # one signed out, one idle (revoked on lookup)
    assert store.lookup("not-a-token", idle_s=600) is None
    third = store.create("lan", client="x", lifetime_s=10)
    assert store.revoke_user("lan", reason="password changed") == 1
    assert store.lookup(third, idle_s=600) is None
    assert ("sessions.sqlite" in _home_files()) == (backend == "sqlite")


def test_tickets_are_single_use_and_bound_to_the_client(backend):
    store = SessionStore()
    ticket = store.issue_ticket("lan", client="10.0.0.1")
    assert store.redeem_ticket(ticket, client="10.0.0.9") is None  # other address: used up
    assert store.redeem_ticket(ticket, client="10.0.0.1") is None
    ticket = store.issue_ticket("lan", client="10.0.0.1")
    assert store.redeem_ticket(ticket, client="10.0.0.1") == "lan"
    assert store.redeem_ticket(ticket, client="10.0.0.1") is None


def test_failure_counters_and_known_addresses(backend):
    store = SessionStore()
    assert store.failures("pair", "lan|1.2.3.4") == (0, 0.0, 0.0)
    store.set_failures("pair", "lan|1.2.3.4", 3, 100.0, 160.0)
    store.set_failures("pair", "lan|1.2.3.4", 4, 110.0, 170.0)  # replaces
    assert store.failures("pair", "lan|1.2.3.4") == (4, 110.0, 170.0)
    store.clear_failures("pair", "lan|1.2.3.4")
    assert store.failures("pair", "lan|1.2.3.4") == (0, 0.0, 0.0)
    store.mark_known("lan", "1.2.3.4")
    store.mark_known("lan", "1.2.3.4")
    assert store.is_known("lan", "1.2.3.4", within_s=60)
    assert not store.is_known("lan", "5.6.7.8", within_s=60)


# --------------------------------------------------------------------------- audit log

def test_audit_log_records_reads_and_verifies(backend):
    audit.record("cli:alice", "export", "briefing.pdf", client="cli")
    with audit.action("cli:alice", "roster.restore", "version 2") as act:
        act.result = "→ version 3"
    with pytest.raises(RuntimeError), audit.action("lan", "norms.import", "n.csv"):
        raise RuntimeError("disk full")
    frame = audit.read(None)
    assert frame["action"].tolist() == ["norms.import", "norms.import", "roster.restore",
                                        "roster.restore", "export"]
    assert frame["phase"].tolist() == ["failed", "intent", "done", "intent", "done"]
    assert frame["id"].tolist() == [5, 4, 3, 2, 1]
    assert frame["ref"].tolist()[:3] == [4, pd.NA, 2]
    assert audit.read(user="lan", ok=False)["detail"].str.contains("disk full").all()
    assert len(audit.read(action="roster.")) == 2
    assert audit.incomplete_actions().empty
    assert audit.verify_log() == 5
    assert ("audit.sqlite" in _home_files()) == (backend == "sqlite")


def test_audit_log_is_append_only_for_the_app_role(pg_url, monkeypatch):
    import psycopg

    from geo.stores.postgis import connect

    monkeypatch.setenv("BORDERMAP_DATABASE_URL", pg_url)
    audit.record("cli:alice", "export", "a.pdf")
    with connect(pg_url) as con:
        for sql in ("UPDATE audit_log SET detail = 'nothing happened'",
                    "DELETE FROM audit_log", "TRUNCATE audit_log",
                    "DELETE FROM audit_head", "DROP TRIGGER audit_log_no_update ON audit_log"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(sql)
    assert audit.verify_log() == 1


def test_owner_cannot_rewrite_the_audit_log_unless_dropping_its_triggers(pg_url, pg_owner_url,
                                                                         monkeypatch):
    import psycopg

    from geo.stores.postgis import connect

    monkeypatch.setenv("BORDERMAP_DATABASE_URL", pg_url)
    for n in range(3):
        audit.record("cli:alice", "export", f"file{n}.pdf")
    with connect(pg_owner_url) as con:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            con.execute("UPDATE audit_log SET detail = 'x' WHERE id = 2")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            con.execute("DELETE FROM audit_log WHERE id = 3")
        con.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
    with pytest.raises(AuditError, match="audit_log_no_update were dropped or disabled"):
        audit.verify_log()
    with connect(pg_owner_url) as con:
        con.execute("UPDATE audit_log SET detail = 'nothing' WHERE id = 2")
        con.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update")
    with pytest.raises(AuditError, match="altered at event 2"):
        audit.verify_log()


def test_deleting_the_newest_audit_events_is_detected(pg_url, pg_owner_url, monkeypatch):
    from geo.stores.postgis import connect

    monkeypatch.setenv("BORDERMAP_DATABASE_URL", pg_url)
    for n in range(3):
        audit.record("cli:alice", "export", f"file{n}.pdf")
    with connect(pg_owner_url) as con, con.transaction():
        con.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_delete")
        con.execute("DELETE FROM audit_log WHERE id = 3")
        con.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_delete")
    with pytest.raises(AuditError, match="event 3, the newest according to the head anchor"):
        audit.verify_log()
    audit.record("cli:alice", "export", "after.pdf")  # the next writer records the evidence
    frame = audit.read(None)
    assert frame["action"].tolist()[:2] == ["export", "audit.tamper"]
    with pytest.raises(AuditError, match="records tampering"):
        audit.verify_log()


# --------------------------------------------------------------------------- norms

def test_norm_versions_history_and_restore(backend):
    store = norm_store()
    assert store.current() is None and store.history().empty
    base = read_norms(NORMS_FILE)
    more = base.copy()
    more.loc[0, "officers"] = int(more.loc[0, "officers"]) + 2
    assert services.norms_token() == "norms:0"
    assert store.import_norms(base, source_name="norms.csv", user="lan") == 1
    assert store.import_norms(more, source_name="more.csv", user="lan") == 2
    assert services.norms_token() == "norms:2"  # part of the pages' cache key
    assert int(store.current().frame.loc[0, "officers"]) == int(base.loc[0, "officers"]) + 2
    assert store.restore(1, user="minh") == 3
    cur = store.current()
    assert (cur.version, cur.restored_from, cur.user) == (3, 1, "minh")
    pd.testing.assert_frame_equal(cur.frame, store.get(1).frame)
    hist = store.history()
    assert hist["version"].tolist() == [1, 2, 3]
    assert hist["is_current"].tolist() == [False, False, True]
    with pytest.raises(StorageError, match="no norms version 9"):
        store.restore(9)
    assert store.history()["version"].tolist() == [1, 2, 3]  # nothing written


# --------------------------------------------------------------------------- border lists

def border_list(codes=("03154", "03155"), country="LAO") -> pd.DataFrame:
    return pd.DataFrame({"commune_code": list(codes), "country": [country] * len(codes),
                         "source": ["Quyết định 1/2020 (made up)"] * len(codes)})


def _import(store, province: str, codes=("03154", "03155")) -> int:
    return store.import_list(border_list(codes), source_name=f"{province}.csv",
                             sha256="ab" * 32, user="lan", province=province, vintage="2020")


def test_border_list_versions_per_province(backend):
    store = border_list_store()
    token0 = store.version_token()
    assert _import(store, "11") == 1
    assert _import(store, "12", ("03300",)) == 2
    assert _import(store, "11", ("03154",)) == 3
    assert store.version_token() != token0
    assert store.current("11", "2020").frame["commune_code"].tolist() == ["03154"]
    assert store.current("11", "2025") is None
    assert store.restore(1, user="minh") == 4
    cur = store.current("11", "2020")
    assert (cur.version, cur.restored_from, cur.province) == (4, 1, "11")
    assert cur.frame["commune_code"].tolist() == ["03154", "03155"]
    hist = store.history(province="11")
    assert hist["version"].tolist() == [1, 3, 4]
    assert hist["is_current"].tolist() == [False, False, True]
    assert store.history()["is_current"].tolist() == [False, True, False, True]
    assert store.get(2).frame["commune_code"].tolist() == ["03300"]
    with pytest.raises(StorageError, match="no border-list version 7"):
        store.get(7)


def test_border_lists_row_level_security(pg_url, monkeypatch):
    from geo.stores.border_lists import PostgresBorderListStore
    from geo.stores.postgis import connect, scoped_transaction

    monkeypatch.setenv("BORDERMAP_DATABASE_URL", pg_url)
    everyone = border_list_store()
    _import(everyone, "11")
    _import(everyone, "12", ("03300",))
    lai_chau = border_list_store(provinces=["2020:12"])
    assert isinstance(lai_chau, PostgresBorderListStore)
    assert lai_chau.current("11", "2020") is None
    assert lai_chau.history()["province"].tolist() == ["12"]
    with pytest.raises(StorageError, match="no border-list version 1"):
        lai_chau.get(1)
    with pytest.raises(StorageError, match="row-level security"):
        _import(lai_chau, "11")
    with connect(pg_url) as con:  # a direct query as the app role, scoped to Lai Châu
        with scoped_transaction(con, "2020:12"):
            rows = con.execute("SELECT commune_code FROM border_list_row").fetchall()
        with con.transaction():  # no scope at all: nothing
            none = con.execute("SELECT count(*) FROM border_list_version").fetchone()[0]
    assert rows == [("03300",)] and none == 0


@pytest.mark.slow  # child processes
def test_concurrent_border_list_imports_keep_history_consistent(backend):
    """Two processes import at once: versions 1..n, none lost or duplicated."""
    script = textwrap.dedent("""
        import sys
        import pandas as pd
        from geo.services._base import border_list_store
        store = border_list_store()
        for i in range(4):
            store.import_list(pd.DataFrame({"commune_code": ["03154"], "country": ["LAO"],
                                            "source": ["d"]}), source_name=f"{sys.argv[1]}-{i}",
                              sha256="0" * 64, user="t", province=sys.argv[1], vintage="2020")
    """)
    border_list_store()  # create the SQLite file first (atomic creation is tested elsewhere)
    procs = [subprocess.Popen([sys.executable, "-c", script, code], cwd=REPO,
                              env=dict(os.environ), stderr=subprocess.PIPE, text=True)
             for code in ("11", "12")]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    hist = border_list_store().history()
    assert hist["version"].tolist() == list(range(1, 9))
    for code in ("11", "12"):
        names = hist[hist["province"] == code]["source_name"].tolist()
        assert names == [f"{code}-{i}" for i in range(4)]  # each writer's order kept
        assert border_list_store().current(code, "2020").source_name == f"{code}-3"


@pytest.mark.slow  # child processes
def test_concurrent_audit_writers_keep_one_chain(backend):
    """Two processes append at once: ids 1..n without gaps, and the chain verifies."""
    script = textwrap.dedent("""
        import sys
        from geo import audit
        for i in range(5):
            audit.record(f"cli:{sys.argv[1]}", "export", f"{sys.argv[1]}-{i}")
    """)
    audit.record("cli:setup", "export", "first")  # the key exists before the race
    procs = [subprocess.Popen([sys.executable, "-c", script, who], cwd=REPO,
                              env=dict(os.environ), stderr=subprocess.PIPE, text=True)
             for who in ("a", "b")]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    frame = audit.read(None).iloc[::-1]
    assert frame["id"].tolist() == list(range(1, 12))
    for who in ("a", "b"):
        assert frame[frame["user"] == f"cli:{who}"]["detail"].tolist() == [
            f"{who}-{i}" for i in range(5)]
    assert audit.verify_log() == 11
