"""Tests for geo.stores.rosters: versions, history, restore, atomicity, concurrency, schema.

What the SQLite store shares with the PostGIS one (empty store, read back, history and
restore, roll-back, threads restoring and importing at once) is tested once for both
backends in tests/stores/test_store_backends.py; here what is SQLite's own.

Rosters here are tiny hand-made frames for Điện Biên communes 03154/03155/03156
(made-up counts). Crash tests run a child Python process that dies (SIGKILL)
inside the write transaction.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from geo._errors import RosterError, StorageError
from geo.roster import validate_roster
from store_frames import roster

from geo.stores.rosters import (
    SCHEMA_VERSION,
    RosterStore,
    SQLiteRosterStore,
    open_store,
)

REPO = Path(__file__).resolve().parent.parent


def file_digest(path: Path) -> dict[str, str]:
    """SHA-256 of the database and its WAL/SHM side files that exist."""
    out = {}
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        if p.exists():
            out[suffix] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture
def store(tmp_path) -> SQLiteRosterStore:
    return SQLiteRosterStore(tmp_path / "store.sqlite")


# ---------------------------------------------------------------------------
def test_open_store_uses_bordermap_home_and_creates_it(tmp_path, monkeypatch):
    home = tmp_path / "new" / "home"
    monkeypatch.setenv("BORDERMAP_HOME", str(home))
    s = open_store()
    assert isinstance(s, RosterStore)
    assert (home / "bordermap.sqlite").is_file()
    other = open_store(tmp_path / "explicit")
    assert other.path == tmp_path / "explicit" / "bordermap.sqlite"


def test_import_frame_with_defaults_and_rows_are_plain_sql(store):
    v = store.import_roster(roster(3), user="bob")
    got = store.get(v)
    assert (got.source_name, got.kind, got.user) == ("<frame>", "per-commune", "bob")
    assert len(got.sha256) == 64
    pd.testing.assert_frame_equal(got.frame, roster(3))
    con = sqlite3.connect(store.path)
    try:
        rows = con.execute("SELECT version, commune_code, officers FROM roster_row "
                           "ORDER BY commune_code").fetchall()
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        con.close()
    assert rows == [(1, "03154", 3), (1, "03155", 3)]


def test_version_token_changes_on_every_write_only(store, tmp_path):
    t0 = store.version_token()
    store.import_roster(roster(3))
    t1 = store.version_token()
    store.current(), store.history()
    assert store.version_token() == t1
    store.restore(1)
    t2 = store.version_token()
    assert len({t0, t1, t2}) == 3
    # Another store starting again at version 1 gets a different token.
    other = SQLiteRosterStore(tmp_path / "other.sqlite")
    other.import_roster(roster(3))
    assert other.version_token() != t1


def test_rejected_import_leaves_database_byte_identical(store):
    store.import_roster(roster(3), user="alice")
    before = file_digest(store.path)
    bad = validate_roster(b"commune_code,chiefs,deputies,officers,reinforcements,trained,"
                          b"as_of\n99999,1,1,3,0,4,2022-01-15\n")
    with pytest.raises(RosterError, match="1 error") as info:
        store.import_roster(bad, user="mallory")
    assert "unknown commune code" in info.value.problems[0].message
    with pytest.raises(RosterError, match="not a whole number"):
        store.import_roster(roster(3).assign(officers=[3, -1]))
    with pytest.raises(RosterError, match="appears more than once"):
        store.import_roster(roster(3, ("03154", "03154")))
    with pytest.raises(RosterError, match="lacks column"):
        store.import_roster(roster(3).drop(columns="trained"))
    assert file_digest(store.path) == before
    assert store.current().version == 1 and store.current().user == "alice"


# ---------------------------------------------------------------------------
# Crashes: a child process dies inside the write transaction.
CHILD = textwrap.dedent("""
    import os, signal, sys, time
    from pathlib import Path
    import pandas as pd
    from geo.stores.rosters import SQLiteRosterStore

    path, mode, marker = sys.argv[1], sys.argv[2], sys.argv[3]
    store = SQLiteRosterStore(path)

    def hook(stage):
        if stage != "rows-written":
            return
        if mode == "self-kill":
            os.kill(os.getpid(), signal.SIGKILL)
        Path(marker).write_text("holding the write lock")
        time.sleep(120)

    store._hook = hook
    frame = pd.DataFrame({"commune_code": ["03154", "03155", "03156"], "chiefs": [1, 1, 1],
                          "deputies": [9, 9, 9], "officers": [9, 9, 9],
                          "reinforcements": [0, 0, 0], "trained": [9, 9, 9],
                          "reinforcement_origin": [None] * 3, "as_of": [None] * 3})
    store.import_roster(frame, source_name="child.csv", user="child")
    print("import finished", flush=True)
""")


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def assert_previous_version_intact(path: Path) -> None:
    fresh = SQLiteRosterStore(path)
    cur = fresh.current()
    assert cur.version == 1 and cur.source_name == "before.csv"
    pd.testing.assert_frame_equal(cur.frame, roster(3))
    assert fresh.history()["version"].tolist() == [1]
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM roster_row").fetchone()[0] == 2
    # The lock is free again: the next import works and gets the next version.
    fresh.timeout = 5.0
    assert fresh.import_roster(roster(4), source_name="after.csv") == 2
    pd.testing.assert_frame_equal(fresh.current().frame, roster(4))


@pytest.mark.slow  # child processes
def test_import_killed_inside_transaction_loses_nothing(store, tmp_path):
    store.import_roster(roster(3), source_name="before.csv")
    proc = subprocess.run([sys.executable, "-c", CHILD, str(store.path), "self-kill",
                           str(tmp_path / "marker")], env=child_env(), cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "import finished" not in proc.stdout
    assert_previous_version_intact(store.path)


@pytest.mark.slow  # child processes
def test_import_killed_by_parent_while_holding_write_lock(store, tmp_path):
    store.import_roster(roster(3), source_name="before.csv")
    marker = tmp_path / "marker"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(store.path), "hold",
                              str(marker)], env=child_env(), cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, child.communicate()[1]
            assert time.monotonic() < deadline, "child never reached the transaction"
            time.sleep(0.05)
        # While the child holds the write lock, readers still see version 1 (WAL) …
        assert store.current().version == 1
        # … and a second writer waits rather than interleaving.
        impatient = SQLiteRosterStore(store.path, timeout=0.2)
        with pytest.raises(StorageError, match="locked"):
            impatient.import_roster(roster(5))
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert_previous_version_intact(store.path)


# ---------------------------------------------------------------------------
# Concurrency: writers are serialised, every version is complete.
def assert_consistent(store: SQLiteRosterStore, frames: dict[str, pd.DataFrame]) -> None:
    hist = store.history()
    assert sorted(hist["version"]) == list(range(1, len(frames) + 1))
    assert sorted(hist["source_name"]) == sorted(frames)
    assert hist["is_current"].sum() == 1
    for v, name in zip(hist["version"], hist["source_name"]):
        pd.testing.assert_frame_equal(store.get(v).frame, frames[name])
    cur = store.current()
    assert cur.version == hist["version"].max()
    pd.testing.assert_frame_equal(cur.frame, frames[cur.source_name])


def test_concurrent_imports_in_threads(store):
    frames = {f"t{i}.csv": roster(i + 1, ("03154", "03155", "03156")[: 1 + i % 3])
              for i in range(6)}
    barrier = threading.Barrier(len(frames))
    inside = []

    def slow(stage: str) -> None:
        if stage == "version-row":
            inside.append(threading.get_ident())
            time.sleep(0.02)  # widen the window in which another writer could interleave

    store._hook = slow
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            barrier.wait()
            store.import_roster(frames[name], source_name=name, user=name)
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(n,)) for n in frames]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(inside) == len(frames)
    assert_consistent(store, frames)


PROC_CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import pandas as pd
    from geo.stores.rosters import SQLiteRosterStore

    path, name, officers, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    store = SQLiteRosterStore(path)
    store._hook = lambda stage: time.sleep(0.3) if stage == "version-row" else None
    frame = pd.DataFrame({"commune_code": ["03154", "03155"], "chiefs": [1, 1],
                          "deputies": [1, 1], "officers": [officers, officers],
                          "reinforcements": [0, 0], "trained": [2, 2],
                          "reinforcement_origin": [None, None],
                          "as_of": ["2022-01-15", "2022-01-15"]})
    while not go.exists():
        time.sleep(0.01)
    print(store.import_roster(frame, source_name=name, user=name))
""")


@pytest.mark.slow  # child processes
def test_concurrent_imports_in_processes(store, tmp_path):
    go = tmp_path / "go"
    frames = {"p1.csv": roster(11), "p2.csv": roster(22)}
    procs = [subprocess.Popen([sys.executable, "-c", PROC_CHILD, str(store.path), name,
                               str(int(frame["officers"].iloc[0])), str(go)],
                              env=child_env(), cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for name, frame in frames.items()]
    time.sleep(1.0)  # let both children import geo and open the store
    go.write_text("go")
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    assert sorted(int(o[0]) for o in outs) == [1, 2]
    assert_consistent(store, frames)


# ---------------------------------------------------------------------------
def test_newer_schema_is_refused(store):
    con = sqlite3.connect(store.path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(StorageError, match="newer than this program"):
        SQLiteRosterStore(store.path)


def test_not_a_database_is_a_storage_error(tmp_path):
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="junk.sqlite"):
        SQLiteRosterStore(path)


def test_new_store_file_is_private(tmp_path):
    s = SQLiteRosterStore(tmp_path / "private.sqlite")
    assert (s.path.stat().st_mode & 0o777) == 0o600


# --------------------------------------------------------------------------- maps

def test_current_roster_is_kept_per_province_and_map(tmp_path):
    store = open_store(tmp_path)
    v1 = store.import_roster(roster(3), user="a", vintage="2020")
    v2 = store.import_roster(roster(5, codes=("03127", "03151")), user="a", vintage="2025")
    assert store.current(province="Điện Biên", vintage="2020").version == v1
    assert store.current(province="dien bien", vintage="2025").version == v2
    assert store.current().version == v2
    hist = store.history()
    assert hist["is_current"].tolist() == [True, True]  # one current per map
    assert store.history(vintage="2020")["version"].tolist() == [v1]
    v3 = store.restore(v1, user="b")
    assert store.current(province="Điện Biên", vintage="2020").version == v3
    assert store.current(province="Điện Biên", vintage="2025").version == v2


def test_frame_keyed_to_the_other_map_is_refused_and_nothing_stored(tmp_path):
    store = open_store(tmp_path)
    with pytest.raises(RosterError, match="belong to the 2020 map, not the 2025 map"):
        store.import_roster(roster(3), user="a", vintage="2025")  # 03154 is 2020-only
    assert store.history().empty
    store.import_roster(roster(3), user="a")  # detected: 2020
    assert store.current().vintage == "2020"


def test_schema_1_store_is_migrated_with_province_codes(tmp_path):
    path = tmp_path / "bordermap.sqlite"
    con = sqlite3.connect(path)
    from geo.stores.rosters import _SCHEMA_V1
    con.executescript(_SCHEMA_V1)
    con.execute("INSERT INTO roster_version (imported_at, source_name, sha256, imported_by,"
                " kind, province, vintage, n_rows) VALUES ('2024-01-01T00:00:00+00:00', 'old.csv',"
                " 'x', 'u', 'per-commune', 'Tỉnh Điện Biên', '2020', 1)")
    con.execute("INSERT INTO roster_row VALUES (1, '03154', 1, 1, 3, 0, 0, NULL, '2024-01-01')")
    con.execute("INSERT INTO store_meta (key, value) VALUES ('store_id', 'v1-store')")
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    store = SQLiteRosterStore(path)
    assert store.current(province="11", vintage="2020").source_name == "old.csv"
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2


def test_report_stored_under_another_map_is_refused(tmp_path):
    store = open_store(tmp_path)
    rep = validate_roster(b"commune_code,chiefs,deputies,officers,reinforcements,trained,as_of\n"
                          b"03154,1,1,3,0,0,2024-01-01\n")
    assert rep.vintage == "2020"
    with pytest.raises(RosterError, match="validated against the 2020 map, not the 2025 map"):
        store.import_roster(rep, vintage="2025")
    assert store.history().empty
