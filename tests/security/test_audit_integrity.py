"""Finding 5: changes cannot escape the audit log, and tampering with it is detected."""

from __future__ import annotations

import getpass
import hashlib
import json
import sqlite3
import stat
import subprocess
import sys

import pandas as pd
import pytest
from _clirun import REPO, run_cli

from geo import audit
from geo._errors import AuditError
from geo.settings import SAMPLE_ROSTER, get_settings
from geo.stores.rosters import open_store


def three_events():
    for who in ("alice", "bob", "carol"):
        audit.record(who, "export", f"{who}.pdf")
    assert audit.verify_log() == 3


def db(sql: str, *params) -> None:
    con = sqlite3.connect(get_settings().audit_db)
    try:
        con.execute(sql, params)
        con.commit()
    finally:
        con.close()


def test_key_and_head_live_outside_the_database_and_are_private():
    three_events()
    s = get_settings()
    assert stat.S_IMODE(s.audit_key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(s.audit_head_file.stat().st_mode) == 0o600
    key = s.audit_key_file.read_text().strip()
    assert len(key) == 64 and key.encode() not in s.audit_db.read_bytes()
    assert json.loads(s.audit_head_file.read_text())["id"] == 3


def test_deleting_the_newest_rows_is_detected():
    three_events()
    db("DROP TRIGGER audit_log_no_delete")
    db("DELETE FROM audit_log WHERE id >= 2")
    db(audit._TRIGGERS["audit_log_no_delete"])  # put the trigger back, too
    with pytest.raises(AuditError, match="event 3, the newest according to the head anchor, "
                                         "is missing .*the newest events were deleted"):
        audit.verify_log()
    audit.record("dave", "export", "after.pdf")  # a later write keeps the evidence
    with pytest.raises(AuditError, match="records tampering at event 4: event 3, the newest "
                                         "according to the head anchor, is missing \\(the log "
                                         "ends at event 1\\): the newest events were deleted$"):
        audit.verify_log()


def test_rewriting_a_row_and_recomputing_the_chain_is_detected():
    three_events()
    db("DROP TRIGGER audit_log_no_update")
    con = sqlite3.connect(get_settings().audit_db)
    rows = con.execute("SELECT id, ts, username, action, ok, detail, client, phase, ref "
                       "FROM audit_log ORDER BY id").fetchall()
    prev = "0" * 64
    for r in rows:  # what an attacker without the key can do: a plain SHA-256 chain
        user = "mallory" if r[0] == 2 else r[2]
        payload = json.dumps([prev, r[1], user, r[3], r[4], r[5], r[6]], ensure_ascii=False)
        prev = hashlib.sha256(payload.encode()).hexdigest()
        con.execute("UPDATE audit_log SET username = ?, hash = ?, keyed = 0 WHERE id = ?",
                    (user, prev, r[0]))
    con.commit()
    con.close()
    db(audit._TRIGGERS["audit_log_no_update"])
    with pytest.raises(AuditError, match="event 3 differs from the head anchor"):
        audit.verify_log()
    # ... and keeping the keyed flag without the key breaks the HMAC chain at the row
    db("DROP TRIGGER audit_log_no_update")
    db("UPDATE audit_log SET keyed = 1")
    with pytest.raises(AuditError, match="altered at event 1"):
        audit.verify_log()


def test_a_dropped_trigger_is_detected_and_recorded():
    three_events()
    db("DROP TRIGGER audit_log_no_update")
    with pytest.raises(AuditError, match="trigger\\(s\\) audit_log_no_update were dropped"):
        audit.verify_log()
    audit.record("dave", "export", "x.pdf")  # restores the trigger, records the tamper
    with pytest.raises(AuditError, match="records tampering at event 4: append-only "
                                         "trigger\\(s\\) audit_log_no_update were missing"):
        audit.verify_log()


def test_a_replaced_log_is_detected():
    three_events()
    get_settings().audit_db.unlink()
    with pytest.raises(AuditError, match="audit log is missing, but its head anchor"):
        audit.verify_log()
    audit.record("eve", "export", "fresh start.pdf")
    with pytest.raises(AuditError, match="records tampering at event 1: event 3, the newest "
                                         "according to the head anchor, is missing"):
        audit.verify_log()


def test_a_forged_head_is_detected():
    three_events()
    head = get_settings().audit_head_file
    head.write_text(json.dumps({"id": 1, "hash": "0" * 64, "mac": "0" * 64}))
    with pytest.raises(AuditError, match="head anchor was altered"):
        audit.verify_log()


def test_a_key_readable_by_others_is_refused():
    three_events()
    get_settings().audit_key_file.chmod(0o644)
    with pytest.raises(AuditError, match="readable by others"):
        audit.record("dave", "export", "x.pdf")


def test_a_log_written_before_keys_is_upgraded_and_stays_verifiable():
    path = get_settings().audit_db
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL,
            username TEXT NOT NULL, action TEXT NOT NULL, ok INTEGER NOT NULL,
            detail TEXT NOT NULL DEFAULT '', client TEXT NOT NULL DEFAULT '',
            hash TEXT NOT NULL);""")
    for sql in audit._TRIGGERS.values():  # the old schema had the same triggers
        con.execute(sql)
    prev = "0" * 64
    for i in range(2):
        fields = (f"2024-01-0{i + 1}T00:00:00+00:00", "old", "export", 1, f"v{i}", "")
        prev = audit._row_hash(prev, *fields)
        con.execute("INSERT INTO audit_log (ts, username, action, ok, detail, client, hash)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)", (*fields, prev))
    con.commit()
    con.close()
    audit.record("new", "export", "keyed.pdf")
    assert audit.verify_log() == 3
    assert audit.read()["user"].tolist() == ["new", "old", "old"]


def test_an_action_whose_intent_cannot_be_logged_does_not_run():
    get_settings().audit_db.write_bytes(b"corrupted" * 100)
    ran = []
    with pytest.raises(AuditError, match="audit log error"):
        with audit.action("alice", "roster.restore", "version 1"):
            ran.append(True)
    assert ran == []


def test_intent_and_completion_events():
    with audit.action("alice", "roster.restore", "version 1") as act:
        act.result = "version 1 → version 2"
    with pytest.raises(RuntimeError):
        with audit.action("alice", "roster.restore", "version 9"):
            raise RuntimeError("no such version")
    log = audit.read()
    assert log["phase"].tolist() == ["failed", "intent", "done", "intent"]
    assert log["ok"].tolist() == [False, True, True, True]
    assert log["ref"].tolist() == [3, pd.NA, 1, pd.NA]
    assert log["detail"].iloc[0] == "failed: RuntimeError: no such version"
    assert audit.incomplete_actions().empty


@pytest.mark.slow
def test_a_process_killed_mid_action_leaves_its_intent(_bordermap_home):
    code = ("import os\nfrom geo import audit\n"
            "with audit.action('alice', 'roster.import', 'x.csv'):\n    os._exit(9)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True)
    assert proc.returncode == 9
    pending = audit.incomplete_actions()
    assert pending[["action", "detail", "phase"]].values.tolist() == [
        ["roster.import", "x.csv", "intent"]]
    assert audit.verify_log() == 1


# --------------------------------------------------------------------------- CLI
@pytest.mark.slow
def test_cli_verify_fails_after_the_newest_row_is_deleted(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    assert run_cli("roster", "import", str(SAMPLE_ROSTER), "--vintage", "2020", home=home).returncode == 0
    ok = run_cli("audit", "--verify", home=home)
    assert ok.returncode == 0 and "audit log intact" in ok.stderr
    con = sqlite3.connect(home / "audit.sqlite")
    con.execute("DROP TRIGGER audit_log_no_delete")
    con.execute("DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)")
    con.commit()
    con.close()
    bad = run_cli("audit", "--verify", home=home)
    assert bad.returncode != 0
    assert "the newest events were deleted" in bad.stderr


@pytest.mark.slow
def test_cli_records_the_os_user_and_user_is_only_a_note(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    run = run_cli("roster", "import", str(SAMPLE_ROSTER), "--vintage", "2020", "--user", "mallory", home=home)
    assert run.returncode == 0, run.stderr
    me = f"cli:{getpass.getuser()}"
    assert open_store(home).current().user == me
    env = {"BORDERMAP_HOME": str(home)}
    code = ("from geo import audit; f = audit.read(); "
            "print(f[['user', 'phase', 'detail']].to_json(orient='values'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, env={**__import__("os").environ, **env}, check=True)
    rows = json.loads(out.stdout)
    assert {r[0] for r in rows} == {me}
    assert [r[1] for r in rows] == ["done", "intent"]
    assert "[note: user given as 'mallory']" in rows[1][2]


@pytest.mark.slow
def test_cli_restore_with_a_corrupted_audit_log_fails_and_changes_nothing(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    assert run_cli("roster", "import", str(SAMPLE_ROSTER), "--vintage", "2020", home=home).returncode == 0
    (home / "audit.sqlite").write_bytes(b"corrupted" * 100)
    for p in home.glob("audit.sqlite-*"):
        p.unlink()
    run = run_cli("roster", "restore", "1", home=home)
    assert run.returncode == 2 and "audit log error" in run.stderr
    assert open_store(home).history()["version"].tolist() == [1]
