"""The server-side session record: tokens, expiry, idle timeout, revocation, tickets; the edge."""

from __future__ import annotations

import sqlite3

import pytest

import edge
from geo._errors import SettingsError, StorageError
from geo.settings import get_settings
from geo.stores.sessions import SessionStore, token_hash


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(_bordermap_home):
    s = SessionStore(clock=Clock())
    s.tick = s.clock
    return s


def test_the_file_holds_no_token(store, _bordermap_home):
    token = store.create("alice", client="10.0.0.1", lifetime_s=3600)
    assert len(token) >= 40
    raw = (_bordermap_home / "sessions.sqlite").read_bytes()
    assert token.encode() not in raw
    with sqlite3.connect(_bordermap_home / "sessions.sqlite") as con:
        assert con.execute("SELECT token_hash FROM sessions").fetchone()[0] == token_hash(token)
    assert (_bordermap_home / "sessions.sqlite").stat().st_mode & 0o777 == 0o600


def test_lookup_known_answers(store):
    token = store.create("alice", client="c", lifetime_s=3600)
    rec = store.lookup(token, idle_s=600)
    assert (rec.username, rec.client) == ("alice", "c")
    for bad in (None, "", "x" * 300, token + "x", token[:-1]):
        assert store.lookup(bad, idle_s=600) is None


def test_idle_and_absolute_timeouts(store):
    token = store.create("alice", client="c", lifetime_s=3600)
    store.tick.now += 500
    assert store.lookup(token, idle_s=600) is not None  # activity at +500
    store.tick.now += 599
    assert store.lookup(token, idle_s=600) is not None  # 599 s idle: still fine
    for _ in range(4):  # active every 10 minutes...
        store.tick.now += 590
        if store.tick.now < 1_000_000 + 3600:
            assert store.lookup(token, idle_s=600) is not None
    store.tick.now = 1_000_000 + 3600  # ...but the absolute end comes all the same
    assert store.lookup(token, idle_s=600) is None
    other = store.create("bob", client="c", lifetime_s=3600)
    store.tick.now += 601
    assert store.lookup(other, idle_s=600) is None  # idle
    store.tick.now -= 601
    assert store.lookup(other, idle_s=600) is None  # and it stays ended


def test_revocation_one_and_all(store):
    a1, a2 = (store.create("alice", client="c", lifetime_s=3600) for _ in range(2))
    b = store.create("bob", client="c", lifetime_s=3600)
    assert store.revoke(a1, reason="signed out") and not store.revoke(a1, reason="again")
    assert store.lookup(a1, idle_s=600) is None and store.lookup(a2, idle_s=600) is not None
    assert store.revoke_user("alice", reason="role changed") == 1
    assert store.lookup(a2, idle_s=600) is None and store.lookup(b, idle_s=600) is not None
    assert store.live_count() == 1


def test_a_second_process_sees_the_same_sessions(store, _bordermap_home):
    token = store.create("alice", client="c", lifetime_s=3600)
    other = SessionStore(_bordermap_home / "sessions.sqlite", clock=store.clock)  # same file
    assert other.lookup(token, idle_s=600).username == "alice"
    other.revoke(token, reason="signed out")
    assert store.lookup(token, idle_s=600) is None


def test_a_removed_or_replaced_file_gets_its_schema_again(store, _bordermap_home):
    """The schema is created once per file and process; a new file (removed, replaced by
    an empty one) is set up again on the next call."""
    path = _bordermap_home / "sessions.sqlite"
    token = store.create("alice", client="10.0.0.1", lifetime_s=3600)
    path.unlink()
    assert store.lookup(token, idle_s=600) is None
    token = store.create("alice", client="10.0.0.1", lifetime_s=3600)
    assert path.stat().st_mode & 0o777 == 0o600
    path.unlink()
    path.write_bytes(b"")
    assert store.lookup(token, idle_s=600) is None
    assert store.lookup(store.create("bob", client="10.0.0.2", lifetime_s=60),
                        idle_s=600).username == "bob"


def test_tickets_are_single_use_short_lived_and_bound_to_the_address(store):
    t = store.issue_ticket("alice", client="10.0.0.1")
    assert store.redeem_ticket(t, client="10.0.0.2") is None  # another address...
    assert store.redeem_ticket(t, client="10.0.0.1") is None  # ...used it up
    t = store.issue_ticket("alice", client="10.0.0.1")
    assert store.redeem_ticket(t, client="10.0.0.1") == "alice"
    assert store.redeem_ticket(t, client="10.0.0.1") is None  # single use
    t = store.issue_ticket("alice", client="10.0.0.1")
    store.tick.now += 61
    assert store.redeem_ticket(t, client="10.0.0.1") is None  # expired
    t = store.issue_ticket("alice", client="10.0.0.1")
    store.revoke_user("alice", reason="removed")
    assert store.redeem_ticket(t, client="10.0.0.1") is None  # account changed meanwhile


def test_an_unwritable_folder_is_a_storage_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="cannot open the session store"):
        SessionStore(blocker / "sub" / "sessions.sqlite").create("a", client="c",
                                                                 lifetime_s=1)


def test_timeouts_come_from_settings(monkeypatch):
    assert get_settings().session_idle_s == 1800 and get_settings().session_max_s == 43200
    monkeypatch.setenv("BORDERMAP_SESSION_IDLE_MIN", "5")
    monkeypatch.setenv("BORDERMAP_SESSION_MAX_HOURS", "0.5")
    assert get_settings().session_idle_s == 300 and get_settings().session_max_s == 1800
    monkeypatch.setenv("BORDERMAP_SESSION_IDLE_MIN", "-1")
    with pytest.raises(SettingsError, match="BORDERMAP_SESSION_IDLE_MIN='-1'"):
        get_settings().session_idle_s
    # how often an open page checks its session (the sign-out test of tests/e2e uses 2 s)
    assert get_settings().session_check_s == 10
    monkeypatch.setenv("BORDERMAP_SESSION_CHECK_S", "2.5")
    assert get_settings().session_check_s == 2.5
    monkeypatch.setenv("BORDERMAP_SESSION_CHECK_S", "0")
    with pytest.raises(SettingsError, match="BORDERMAP_SESSION_CHECK_S='0' is not a positive"):
        get_settings().session_check_s


@pytest.mark.parametrize("peer, forwarded, trusted, expected", [
    ("127.0.0.1", ["6.6.6.6"], [], "127.0.0.1"),  # no proxy configured: the header is ignored
    ("10.0.0.5", ["6.6.6.6"], ["127.0.0.1"], "10.0.0.5"),  # not from the proxy: ignored
    ("127.0.0.1", ["6.6.6.6, 1.2.3.4"], ["127.0.0.1"], "1.2.3.4"),  # right-most hop
    ("127.0.0.1", ["6.6.6.6", "1.2.3.4"], ["127.0.0.1"], "1.2.3.4"),  # two header lines
    ("10.0.0.5", ["1.2.3.4, 10.0.0.9"], ["10.0.0.0/24"], "1.2.3.4"),  # chain of proxies
    ("10.0.0.5", ["not-an-ip"], ["10.0.0.0/24"], ""),  # garbage: unknown, not believed
    ("10.0.0.5", [], ["10.0.0.0/24"], "10.0.0.5"),
    (None, [], [], ""),  # Unix socket
    (None, ["1.2.3.4"], [], ""),  # Unix socket, no proxy configured: header ignored
    (None, ["1.2.3.4"], ["unix"], "1.2.3.4"),  # a proxy on the Unix socket
    ("::1", ["2001:db8::7"], ["::1"], "2001:db8::7"),
])
def test_client_address(peer, forwarded, trusted, expected):
    assert edge.client_address(peer, forwarded, trusted=trusted) == expected


@pytest.mark.parametrize("raw, expected", [
    (None, "/"), ("/map", "/map"), ("//evil.example/x", "/"), ("http://evil.example", "/"),
    ("/\\evil.example", "/"), ("/a\nb", "/"),
])
def test_redirect_after_sign_in_stays_on_this_site(raw, expected):
    assert edge._safe_next(raw) == expected


def test_cookie_attributes(monkeypatch):
    header = edge._cookie_header("tok", 3600).decode()
    assert header == "bordermap_session=tok; Path=/; Max-Age=3600; HttpOnly; SameSite=Strict"
    monkeypatch.setenv("BORDERMAP_COOKIE_SECURE", "1")
    assert edge._cookie_header("tok", 3600).decode().endswith("; Secure")
