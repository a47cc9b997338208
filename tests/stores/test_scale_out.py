"""Scale-out: two app processes share one store and accept the same sessions.

Two long-lived worker processes stand in for two app servers on different ports:
each is a separate Python interpreter that only shares the environment
(``BORDERMAP_DATABASE_URL`` for the PostGIS run; the same ``BORDERMAP_HOME`` for the
SQLite run, i.e. one host) and calls the store API the edge and the pages call
(:class:`geo.stores.sessions.SessionStore`, :func:`geo.auth.authenticate`). Nothing
that decides who is signed in may live in one process's memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo import auth

pytestmark = pytest.mark.slow  # two child processes per test

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery-9"

_WORKER = textwrap.dedent("""
    import json, sys
    from geo import auth
    from geo._errors import SignInLocked
    from geo.ratelimit import SignInLimiter
    from geo.settings import get_settings
    from geo.stores.sessions import SessionStore

    def run(op, arg):
        store = SessionStore()  # a new object per request, as the edge does
        idle = get_settings().session_idle_s
        if op == "where":
            return repr(store)
        if op == "create":
            return store.create(arg, client="10.0.0.1", lifetime_s=3600)
        if op == "lookup":
            rec = store.lookup(arg, idle_s=idle)
            return None if rec is None else rec.username
        if op == "signout":
            return store.revoke(arg, reason="signed out")
        if op == "ticket":
            return store.issue_ticket(arg, client="10.0.0.1")
        if op == "redeem":
            return store.redeem_ticket(arg, client="10.0.0.1")
        if op == "wrong-password":
            try:
                return auth.authenticate(arg, "not-the-password-1", client_id="10.0.0.7") is None
            except SignInLocked:
                return "locked"
        if op == "retry-after":
            return SignInLimiter().retry_after(arg, "10.0.0.7")
        raise ValueError(op)

    for line in sys.stdin:
        op, _, arg = line.rstrip("\\n").partition(" ")
        print(json.dumps(run(op, arg)), flush=True)
""")


class Worker:
    """One app process: send it an operation, read its answer."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", _WORKER], cwd=REPO,
                                     env=dict(os.environ), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def __call__(self, op: str, arg: str = ""):
        self.proc.stdin.write(f"{op} {arg}\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, f"worker died on {op!r} (exit code {self.proc.poll()})"
        return json.loads(line)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(params=("sqlite", "postgis"))
def workers(request, monkeypatch, tmp_path) -> Iterator[tuple[Worker, Worker]]:
    if request.param == "postgis":
        monkeypatch.setenv("BORDERMAP_DATABASE_URL", request.getfixturevalue("pg_url"))
        # Hosts of their own: nothing on the file system is shared but the audit key,
        # which every host must have (the same file).
        key = tmp_path / "keys" / "audit.key"
        key.parent.mkdir()
        monkeypatch.setenv("BORDERMAP_AUDIT_KEY", str(key))
    else:
        monkeypatch.delenv("BORDERMAP_DATABASE_URL", raising=False)
    auth.add_user("lan", PASSWORD, role="planner")
    pair = []
    for n in range(2):
        if request.param == "postgis":  # each process its own data folder
            home = tmp_path / f"host{n}"
            home.mkdir()
            monkeypatch.setenv("BORDERMAP_HOME", str(home))
        pair.append(Worker())
    yield pair[0], pair[1]
    for w in pair:
        w.close()


def test_a_session_from_one_process_is_accepted_and_ended_by_another(workers):
    a, b = workers
    assert a("where") == b("where")  # the same store
    token = a("create", "lan")
    assert b("lookup", token) == "lan"
    assert a("lookup", token) == "lan"
    assert b("signout", token) is True
    assert a("lookup", token) is None  # signed out in B: ended in A too
    assert b("lookup", token) is None


def test_a_sign_in_ticket_issued_by_one_process_is_redeemed_once_by_another(workers):
    a, b = workers
    ticket = a("ticket", "lan")
    assert b("redeem", ticket) == "lan"
    assert a("redeem", ticket) is None


def test_sign_in_failures_count_across_processes(workers):
    a, b = workers
    assert b("retry-after", "lan") == 0
    # Four attempts each: fewer than the 5 free failures one process alone would allow.
    answers = [(a if n % 2 else b)("wrong-password", "lan") for n in range(8)]
    assert answers[:5] == [True] * 5
    assert "locked" in answers  # the limit counted the failures of both processes
    assert a("retry-after", "lan") > 0 and b("retry-after", "lan") > 0
