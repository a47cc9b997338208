"""Finding 8 (stores): an emptied or foreign file is refused, never treated as a new store."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from _clirun import run_cli

from geo._errors import StorageError
from geo.roster import validate_roster
from geo.settings import SAMPLE_ROSTER
from geo.stores.rosters import STORE_FILENAME, SQLiteRosterStore, open_store


def test_an_emptied_store_file_is_refused(_bordermap_home):
    store = open_store()
    store.import_roster(validate_roster(SAMPLE_ROSTER), user="setup")
    store.path.write_bytes(b"")
    for suffix in ("-wal", "-shm"):
        (store.path.parent / (store.path.name + suffix)).unlink(missing_ok=True)
    with pytest.raises(StorageError, match=r"bordermap\.sqlite is an empty file: it is "
                                           r"refused rather than treated as a new"):
        open_store()
    assert store.path.stat().st_size == 0  # left as found


def test_a_database_of_something_else_is_refused(tmp_path):
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.commit()
    con.close()
    with pytest.raises(StorageError, match=r"is a database of something else \(no "
                                           r"roster_row, roster_version, store_meta table\)"):
        SQLiteRosterStore(other)
    empty_db = tmp_path / "empty.sqlite"
    con = sqlite3.connect(empty_db)
    con.execute("CREATE TABLE t (x)")
    con.execute("DROP TABLE t")
    con.commit()
    con.close()
    assert empty_db.stat().st_size > 0
    with pytest.raises(StorageError, match="is an empty database"):
        SQLiteRosterStore(empty_db)


def test_a_text_file_is_refused(tmp_path):
    path = tmp_path / STORE_FILENAME
    path.write_text("hello")
    with pytest.raises(StorageError, match="is not an SQLite database"):
        SQLiteRosterStore(path)


def test_a_new_store_is_created_whole_even_by_racing_threads(tmp_path):
    folder = tmp_path / "race"
    path = folder / "new.sqlite"
    errors, stores = [], []

    def open_it():
        try:
            stores.append(SQLiteRosterStore(path))
        except Exception as err:  # noqa: BLE001 (collected for the assertion)
            errors.append(err)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(stores) == 6
    assert len({s.version_token() for s in stores}) == 1
    assert not [p for p in folder.iterdir() if p.name.endswith(".new")]


@pytest.mark.slow
def test_cli_refuses_an_emptied_store(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    assert run_cli("roster", "import", str(SAMPLE_ROSTER), "--vintage", "2020", home=home).returncode == 0
    (home / STORE_FILENAME).write_bytes(b"")
    for p in home.glob(STORE_FILENAME + "-*"):
        p.unlink()
    run = run_cli("roster", "history", home=home)
    assert run.returncode == 2 and "is an empty file" in run.stderr
    assert "sample" not in run.stderr.lower()
