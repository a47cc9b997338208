"""The roster store's interface on both backends: embedded SQLite and PostgreSQL/PostGIS.

The same tests run against :class:`~geo.stores.rosters.SQLiteRosterStore` and
:class:`~geo.stores.postgis.PostGISRosterStore` (the ``store`` fixture is
parametrised). Rosters are tiny hand-made frames for Điện Biên communes
03154/03155/03156 (made-up counts).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from store_frames import roster

from geo._errors import InvalidArgument, RosterError, StorageError
from geo.roster import ROSTER_COLUMNS, validate_roster
from geo.stores.rosters import HISTORY_COLUMNS, RosterStore, SQLiteRosterStore, open_store

REPO = Path(__file__).resolve().parents[2]
BACKENDS = ("sqlite", "postgis")


def open_backend(backend: str, target: str, **kwargs) -> RosterStore:
    """Open a store: ``target`` is a SQLite file path or a PostgreSQL URL."""
    if backend == "sqlite":
        return SQLiteRosterStore(target, **kwargs)
    from geo.stores.postgis import PostGISRosterStore

    return PostGISRosterStore(target, **kwargs)


@pytest.fixture(params=BACKENDS)
def backend(request) -> tuple[str, str]:
    """(backend name, target): a fresh SQLite file or an emptied PostGIS database."""
    if request.param == "sqlite":
        return "sqlite", str(request.getfixturevalue("tmp_path") / "store.sqlite")
    return "postgis", request.getfixturevalue("pg_url")


@pytest.fixture
def store(backend) -> RosterStore:
    return open_backend(*backend)


def test_empty_store(store):
    assert store.current() is None
    hist = store.history()
    assert list(hist.columns) == list(HISTORY_COLUMNS) and hist.empty
    assert store.version_token().endswith(":0")
    with pytest.raises(StorageError, match="nothing has been imported"):
        store.get(1)


def test_import_report_and_read_back(store):
    raw = ("commune_code,chiefs,deputies,officers,reinforcements,reinforcement_origin,trained,"
           "as_of\n03155,1,2,6,2,Bộ Công an,5,2021-12-31\n03154,1,1,3,0,,4,2022-01-15\n"
           ).encode()
    rep = validate_roster(raw, source_name="roster.csv")
    assert rep.ok
    assert store.import_roster(rep, user="alice") == 1
    cur = store.current()
    assert (cur.version, cur.source_name, cur.user, cur.kind, cur.vintage) == (
        1, "roster.csv", "alice", "per-commune", "2020")
    assert cur.province == "Tỉnh Điện Biên"
    assert cur.sha256 == hashlib.sha256(raw).hexdigest()
    assert cur.restored_from is None
    stamp = datetime.fromisoformat(cur.imported_at)
    assert stamp.utcoffset().total_seconds() == 0
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 60
    pd.testing.assert_frame_equal(cur.frame, rep.roster)
    assert list(cur.frame.columns) == list(ROSTER_COLUMNS)


def test_history_and_restore(store):
    v1 = store.import_roster(roster(3), source_name="a.csv", user="alice")
    v2 = store.import_roster(roster(7, ("03154", "03155", "03156")), source_name="b.csv",
                             user="bob")
    v3 = store.restore(v1, user="carol")
    assert (v1, v2, v3) == (1, 2, 3)
    hist = store.history()
    assert hist["version"].tolist() == [1, 2, 3]
    assert hist["source_name"].tolist() == ["a.csv", "b.csv", "a.csv"]
    assert hist["user"].tolist() == ["alice", "bob", "carol"]
    assert hist["rows"].tolist() == [2, 3, 2]
    assert hist["is_current"].tolist() == [False, False, True]
    assert hist["restored_from"].tolist() == [pd.NA, pd.NA, 1]
    cur = store.current()
    assert cur.version == 3 and cur.restored_from == 1 and cur.user == "carol"
    pd.testing.assert_frame_equal(cur.frame, roster(3))
    pd.testing.assert_frame_equal(store.get(2).frame, roster(7, ("03154", "03155", "03156")))
    with pytest.raises(StorageError, match=r"no roster version 9 \(versions 1–3\)"):
        store.restore(9, user="x")
    assert len(store.history()) == 3
    assert store.import_roster(roster(4)) == 4  # the failed restore used no number


def test_version_token_changes_on_every_write_only(store):
    t0 = store.version_token()
    store.import_roster(roster(3))
    t1 = store.version_token()
    store.current(), store.history(), store.get(1)
    assert store.version_token() == t1
    store.restore(1)
    t2 = store.version_token()
    assert len({t0, t1, t2}) == 3


def test_empty_stores_share_a_token_written_ones_do_not(backend, tmp_path):
    """An empty store gives the sample rosters, the same everywhere: its token names no
    store, so caches of the default data serve every home; once written, a store's token
    names it, so two stores at the same version never share a cache entry."""
    name, target = backend
    first = open_backend(name, target)
    assert first.version_token().startswith("empty:")
    first.import_roster(roster(3))
    assert not first.version_token().startswith("empty:")
    assert first.version_token().endswith(":1")
    if name == "sqlite":  # another store (another home) at the same version
        other = open_backend(name, str(tmp_path / "other.sqlite"))
        assert other.version_token() == "empty:0"
        other.import_roster(roster(3))
        assert other.version_token().endswith(":1")
        assert first.version_token() != other.version_token()


def test_rejected_import_leaves_store_unchanged(store):
    store.import_roster(roster(3), user="alice")
    before = (store.version_token(), store.history())
    bad = validate_roster(b"commune_code,chiefs,deputies,officers,reinforcements,trained,"
                          b"as_of\n99999,1,1,3,0,4,2022-01-15\n")
    with pytest.raises(RosterError, match="1 error"):
        store.import_roster(bad, user="mallory")
    with pytest.raises(RosterError, match="not a whole number"):
        store.import_roster(roster(3).assign(officers=[3, -1]))
    with pytest.raises(RosterError, match="appears more than once"):
        store.import_roster(roster(3, ("03154", "03154")))
    with pytest.raises(InvalidArgument, match="kind must be one of"):
        store.import_roster(roster(3), kind="per-district")
    assert store.version_token() == before[0]
    pd.testing.assert_frame_equal(store.history(), before[1])


def test_error_inside_transaction_rolls_back(store):
    store.import_roster(roster(3))

    def boom(stage: str) -> None:
        if stage == "rows-written":
            raise RuntimeError("simulated failure")

    store._hook = boom
    with pytest.raises(RuntimeError, match="simulated"):
        store.import_roster(roster(9))
    with pytest.raises(RuntimeError, match="simulated"):
        store.restore(1)
    store._hook = None
    assert store.history()["version"].tolist() == [1]
    assert store.import_roster(roster(5)) == 2  # no number was lost to the failures
    pd.testing.assert_frame_equal(store.current().frame, roster(5))


def assert_consistent(store: RosterStore, frames: dict[str, pd.DataFrame]) -> None:
    """Versions 1..N without gaps or duplicates, each one complete, one current."""
    hist = store.history()
    assert hist["version"].tolist() == list(range(1, len(frames) + 1))
    assert sorted(hist["source_name"]) == sorted(frames)
    assert hist["is_current"].tolist() == [False] * (len(frames) - 1) + [True]
    for v, name in zip(hist["version"], hist["source_name"]):
        pd.testing.assert_frame_equal(store.get(v).frame, frames[name])
    cur = store.current()
    assert cur.version == len(frames)
    pd.testing.assert_frame_equal(cur.frame, frames[cur.source_name])


def test_concurrent_imports_and_restores_in_threads(store):
    store.import_roster(roster(1), source_name="base.csv")
    n = 8
    barrier = threading.Barrier(n)
    store._hook = lambda stage: time.sleep(0.02) if stage == "version-row" else None
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            barrier.wait()
            if i % 2:
                store.restore(1, user=f"r{i}")
            else:
                store.import_roster(roster(10 + i), source_name=f"i{i}.csv")
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    hist = store.history()
    assert hist["version"].tolist() == list(range(1, n + 2))
    assert (hist["restored_from"] == 1).sum() == n // 2
    assert hist["is_current"].sum() == 1 and bool(hist["is_current"].iloc[-1])
    for v, name in zip(hist["version"], hist["source_name"]):
        expected = roster(1) if name == "base.csv" else roster(10 + int(name[1:-4]))
        pd.testing.assert_frame_equal(store.get(v).frame, expected)


CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import pandas as pd
    sys.path[:0] = [sys.argv[5], str(Path(sys.argv[5]).parent)]
    from test_store_backends import open_backend, roster

    backend, target, worker, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    store = open_backend(backend, target)
    store._hook = lambda stage: time.sleep(0.05) if stage == "version-row" else None
    while not go.exists():
        time.sleep(0.01)
    for k in range(3):
        name = f"p{worker}-{k}.csv"
        print(store.import_roster(roster(100 * worker + k), source_name=name, user=name),
              flush=True)
""")


@pytest.mark.slow
def test_concurrent_imports_in_processes(backend, tmp_path):
    """Three app processes import three rosters each at once: versions 1..9, none lost."""
    name, target = backend
    open_backend(name, target)  # create the SQLite file before the children race for it
    go = tmp_path / "go"
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, name, target, str(w), str(go),
                               str(Path(__file__).parent)], env=env, cwd=REPO,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for w in (1, 2, 3)]
    time.sleep(1.0)  # let the children import geo and open the store
    go.write_text("go")
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [o[1][-2000:] for o in outs]
    numbers = sorted(int(v) for out, _ in outs for v in out.split())
    assert numbers == list(range(1, 10))
    frames = {f"p{w}-{k}.csv": roster(100 * w + k) for w in (1, 2, 3) for k in range(3)}
    assert_consistent(open_backend(name, target), frames)


# --------------------------------------------------------------------------- PostGIS only

def test_postgis_versions_count_per_province_and_map(pg_url):
    from geo.stores.postgis import PostGISRosterStore

    s2020 = PostGISRosterStore(pg_url, province="11", vintage="2020")
    s2025 = PostGISRosterStore(pg_url, province="Điện Biên", vintage="2025")
    lai_chau = PostGISRosterStore(pg_url, province="Lai Châu", vintage="2020")
    assert [s2020.import_roster(roster(1)), s2020.import_roster(roster(2))] == [1, 2]
    assert s2025.import_roster(roster(3)) == 1
    assert lai_chau.current() is None and lai_chau.history().empty
    assert s2020.current().version == 2 and s2025.current().version == 1
    assert len({s2020.version_token(), s2025.version_token(), lai_chau.version_token()}) == 3
    rep = validate_roster(b"commune_code,chiefs,deputies,officers,reinforcements,trained,as_of\n"
                          b"03154,1,1,3,0,4,2022-01-15\n")
    assert rep.ok and rep.vintage == "2020"
    with pytest.raises(InvalidArgument, match=r"holds province 12, 2020 map; the roster is "
                                              r"for 'Tỉnh Điện Biên', 2020 map"):
        lai_chau.import_roster(rep)
    with pytest.raises(InvalidArgument, match="2025 map"):
        s2025.import_roster(rep)
    assert lai_chau.history().empty


def test_open_store_picks_postgis_when_database_url_is_set(pg_url, monkeypatch, tmp_path):
    from geo.stores.postgis import PostGISRosterStore

    monkeypatch.setenv("BORDERMAP_DATABASE_URL", pg_url)
    store = open_store()
    assert isinstance(store, PostGISRosterStore)
    assert (store.province_code, store.vintage) == ("11", "2020")
    assert "***" in repr(store) and pg_url.split(":")[2].split("@")[0] not in repr(store)
    assert open_store(province="Lai Châu", vintage="2025").province_code == "12"
    assert not list(tmp_path.rglob("*.sqlite"))
    monkeypatch.setenv("BORDERMAP_DATABASE_URL", "")
    assert isinstance(open_store(), SQLiteRosterStore)

