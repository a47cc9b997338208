"""Tests for geo.audit: append-only log, filters, hash chain, hostile text."""

from __future__ import annotations

import sqlite3
import stat
import threading

import pytest

from geo import audit
from geo.audit import AuditError
from geo.auth import User


def test_record_and_read_newest_first(_bordermap_home):
    audit.record("alice", "signin", "role=planner", client="10.0.0.9")
    audit.record(User("alice", "planner"), "import", {"version": 3, "file": "roster.xlsx"})
    audit.record("bob", "signin", "failed (1/5)", ok=False)
    frame = audit.read()
    assert list(frame.columns) == audit.COLUMNS
    assert frame[["user", "action", "ok"]].values.tolist() == [
        ["bob", "signin", False], ["alice", "import", True], ["alice", "signin", True]]
    assert frame["detail"].iloc[1] == '{"file": "roster.xlsx", "version": 3}'
    assert frame["client"].iloc[2] == "10.0.0.9"
    assert str(frame["ts"].dt.tz) == "UTC"
    assert (_bordermap_home / "audit.sqlite").exists()


def test_filters_and_limit():
    for i in range(5):
        audit.record("alice", "export", f"briefing {i}.pdf")
    audit.record("bob", "users.add", "carol role=commander")
    audit.record("bob", "users.remove", "carol")
    audit.record("bob", "signin", "", ok=False)
    assert audit.read(limit=2, action="export")["detail"].tolist() == ["briefing 4.pdf",
                                                                       "briefing 3.pdf"]
    assert audit.read(action="users.")["action"].tolist() == ["users.remove", "users.add"]
    assert len(audit.read(user="bob")) == 3
    assert audit.read(ok=False)["action"].tolist() == ["signin"]
    assert len(audit.read(limit=None)) == 8
    with pytest.raises(ValueError, match="limit must be >= 0"):
        audit.read(limit=-1)


def test_read_without_a_log_is_empty():
    frame = audit.read()
    assert frame.empty and list(frame.columns) == audit.COLUMNS
    assert audit.verify_log() == 0


def test_update_and_delete_are_refused_by_the_database(_bordermap_home):
    audit.record("alice", "export", "x.pdf")
    con = sqlite3.connect(_bordermap_home / "audit.sqlite")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute("UPDATE audit_log SET username = 'mallory'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute("DELETE FROM audit_log")
    finally:
        con.close()
    assert audit.read()["user"].tolist() == ["alice"]


def test_tampering_around_the_triggers_breaks_the_hash_chain(_bordermap_home):
    for who in ("alice", "bob", "carol"):
        audit.record(who, "export", "x.pdf")
    assert audit.verify_log() == 3
    con = sqlite3.connect(_bordermap_home / "audit.sqlite")
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("UPDATE audit_log SET username = 'mallory' WHERE id = 2")
    con.commit()
    con.close()
    with pytest.raises(AuditError, match="altered at event 2"):
        audit.verify_log()


def test_deleting_a_middle_row_breaks_the_chain(_bordermap_home):
    for who in ("alice", "bob", "carol"):
        audit.record(who, "export", "x.pdf")
    con = sqlite3.connect(_bordermap_home / "audit.sqlite")
    con.execute("DROP TRIGGER audit_log_no_delete")
    con.execute("DELETE FROM audit_log WHERE id = 2")
    con.commit()
    con.close()
    with pytest.raises(AuditError, match="altered at event 3"):
        audit.verify_log()


def test_hostile_text_is_escaped_and_capped():
    audit.record("x\x1b]0;owned\x07", "signin", "a\nb\rc\u2028d" + "z" * 5000, ok=False,
                 client="\x00")
    row = audit.read().iloc[0]
    assert row["user"] == "x\\x1b]0;owned\\x07"
    assert row["detail"].startswith("a\\x0ab\\x0dc\\x2028d")
    assert len(row["detail"]) == audit.MAX_DETAIL and row["detail"].endswith("…")
    assert row["client"] == "\\x00"


def test_anonymous_user_and_bad_action():
    audit.record(None, "signin", ok=False)
    assert audit.read()["user"].tolist() == ["-"]
    with pytest.raises(ValueError, match="invalid audit action"):
        audit.record("alice", "DROP TABLE audit_log;")


def test_file_mode_and_path_override(tmp_path, monkeypatch, _bordermap_home):
    target = tmp_path / "logs" / "a.sqlite"
    monkeypatch.setenv("BORDERMAP_AUDIT_DB", str(target))
    audit.record("alice", "export", "x.pdf")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not (_bordermap_home / "audit.sqlite").exists()


def test_unwritable_log_is_an_audit_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("BORDERMAP_AUDIT_DB", str(blocker / "audit.sqlite"))
    with pytest.raises(AuditError, match="cannot open the audit log"):
        audit.record("alice", "export", "x.pdf")


def test_not_a_database_is_an_audit_error(_bordermap_home):
    (_bordermap_home / "audit.sqlite").write_bytes(b"junk" * 100)
    with pytest.raises(AuditError, match="audit log error"):
        audit.record("alice", "export", "x.pdf")


def test_concurrent_writers_keep_a_valid_chain():
    def write(who):
        for i in range(20):
            audit.record(who, "export", f"{who}-{i}")

    threads = [threading.Thread(target=write, args=(f"user{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert audit.verify_log() == 80
    assert audit.read(limit=None)["id"].tolist() == list(range(80, 0, -1))
