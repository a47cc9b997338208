"""Tests for geo.auth: users file, password policy, roles, rate limiting, role mapping."""

from __future__ import annotations

import io
import json
import stat
import threading
import unicodedata

import pytest

from geo import accounts, audit, auth, passwords, ratelimit
from geo._errors import BorderMapError
from geo.auth import AccessDenied, AuthError, SignInLocked, User
from geo.cli import main
from geo.ratelimit import SignInLimiter
from geo.settings import REPO_ROOT
from geo.stores.sessions import SessionStore

PW = "correct horse battery"


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch):
    """Cost 4 instead of 12: the same code path, a hundred times faster."""
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def limiter():
    clock = FakeClock()
    lim = SignInLimiter(SessionStore(clock=clock))
    lim.clock_obj = clock
    return lim


# --------------------------------------------------------------------------- validation

@pytest.mark.parametrize("name, canonical", [("alice", "alice"), ("  Bob.Smith ", "bob.smith"),
                                             ("ca_mn-01", "ca_mn-01")])
def test_valid_usernames_are_canonicalised(name, canonical):
    assert auth.validate_username(name) == canonical


@pytest.mark.parametrize("name", ["", "ab", "1abc", "a" * 33, "ali ce", "alice;drop",
                                  "../etc", "nguyễn", "=cmd", "al\x00ice"])
def test_invalid_usernames_are_refused(name):
    with pytest.raises(AuthError, match="invalid username"):
        auth.validate_username(name)


@pytest.mark.parametrize("password, fragment", [
    ("short", "too short: 5 characters"),
    ("eleven char", "too short: 11 characters"),
    ("ữ" * 25, "too long: at most 72 bytes"),
    ("tab\tinside-password", "control characters"),
    ("Alice12345 secret", "must not contain the username"),
    ("password1234", "too common"),
    ("Qwertyuiop!!", "too common"),
    ("iloveyou2026", "too common"),
    ("aaaaaaaaaaaaaa", "too common"),
])
def test_bad_passwords_are_refused(password, fragment):
    with pytest.raises(AuthError, match=fragment):
        auth.validate_password(password, username="alice12345")


def test_unknown_role_is_refused():
    with pytest.raises(AuthError, match="unknown role 'root'"):
        auth.add_user("alice", PW, role="root")


# --------------------------------------------------------------------------- users file

def test_add_user_writes_a_0600_file_with_hashes_only(_bordermap_home):
    auth.add_user("alice", PW, role="planner")
    path = _bordermap_home / "users.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    assert PW not in text
    rec = json.loads(text)["users"]["alice"]
    assert rec["role"] == "planner" and rec["hash"].startswith("$2b$04$")
    assert not list(_bordermap_home.glob(".users-*"))  # no temporary file left


def test_duplicate_user_is_refused_and_file_unchanged(_bordermap_home):
    auth.add_user("alice", PW, role="planner")
    before = (_bordermap_home / "users.json").read_bytes()
    with pytest.raises(AuthError, match="user 'alice' already exists"):
        auth.add_user("ALICE", "another password", role="admin")
    assert (_bordermap_home / "users.json").read_bytes() == before


def test_users_path_from_environment(tmp_path, monkeypatch):
    target = tmp_path / "elsewhere" / "accounts.json"
    monkeypatch.setenv("BORDERMAP_USERS", str(target))
    auth.add_user("alice", PW, role="commander")
    assert auth.users_path() == target.resolve() and target.exists()


def test_users_file_inside_the_repository_is_refused(monkeypatch):
    target = REPO_ROOT / "users-test-should-not-exist.json"
    monkeypatch.setenv("BORDERMAP_USERS", str(target))
    with pytest.raises(AuthError, match="must live outside the repository"):
        auth.ensure_admin_exists()
    assert not target.exists()


def test_failed_write_leaves_the_old_file_and_no_temporary(_bordermap_home, monkeypatch):
    auth.add_user("alice", PW, role="planner")
    before = (_bordermap_home / "users.json").read_bytes()

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(accounts.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        auth.add_user("bob.k", PW, role="planner")
    assert (_bordermap_home / "users.json").read_bytes() == before
    assert not list(_bordermap_home.glob(".users-*"))


def test_concurrent_adds_lose_no_account():
    names = [f"user{i:02d}" for i in range(8)]
    errors = []

    def add(n):
        try:
            auth.add_user(n, PW, role="commander")
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=add, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(auth.list_users()["username"]) == names


def test_malformed_users_file_is_a_clear_error(_bordermap_home):
    (_bordermap_home / "users.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(AuthError, match="users.json: cannot read the users file"):
        auth.authenticate("alice", PW)
    (_bordermap_home / "users.json").write_text('{"users": {"x": {"role": "god"}}}')
    with pytest.raises(AuthError, match="user 'x' has no valid role and hash"):
        auth.list_users()


def test_list_users_shows_no_hashes():
    auth.add_user("alice", PW, role="planner")
    auth.add_user("bob.k", PW, role="admin")
    frame = auth.list_users()
    assert list(frame.columns) == ["username", "role", "scope", "disabled", "created",
                                   "updated"]
    assert frame[["username", "role", "scope"]].values.tolist() == [
        ["alice", "planner", "11 (default)"], ["bob.k", "admin", "* (default)"]]
    assert "$2b$" not in frame.to_csv()


def test_remove_and_demote_keep_at_least_one_admin():
    auth.add_user("boss", PW, role="admin")
    auth.add_user("alice", PW, role="planner")
    with pytest.raises(AuthError, match="'boss' is the only admin"):
        auth.remove_user("boss")
    with pytest.raises(AuthError, match="'boss' is the only admin"):
        auth.set_role("boss", "planner")
    auth.set_role("alice", "admin")
    auth.remove_user("boss")
    assert auth.list_users()["username"].tolist() == ["alice"]
    with pytest.raises(AuthError, match="no user 'boss'"):
        auth.remove_user("boss")


def test_set_password_replaces_the_old_one():
    auth.add_user("alice", PW, role="planner")
    auth.set_password("alice", "a brand new secret")
    assert auth.authenticate("alice", PW) is None
    assert auth.authenticate("alice", "a brand new secret") == User("alice", "planner")


# --------------------------------------------------------------------------- first admin

def test_first_start_creates_admin_with_random_password_once(_bordermap_home):
    password = auth.ensure_admin_exists()
    assert isinstance(password, str) and len(password) >= 20
    assert password not in (_bordermap_home / "users.json").read_text()
    assert auth.ensure_admin_exists() is None
    assert auth.authenticate("admin", password) == User("admin", "admin",
                                                         must_change_password=True)
    assert auth.list_users()["username"].tolist() == ["admin"]
    # ...who must choose a new password before anything else
    assert not User("admin", "admin", must_change_password=True).can("view")
    auth.set_password("admin", "a new passphrase for the chief", actor="admin")
    assert auth.account("admin") == User("admin", "admin")


def test_first_admin_passwords_differ_between_installations(tmp_path, monkeypatch):
    seen = set()
    for i in range(3):
        monkeypatch.setenv("BORDERMAP_HOME", str(tmp_path / f"home{i}"))
        seen.add(auth.ensure_admin_exists())
    assert len(seen) == 3


def test_no_admin_is_created_when_accounts_exist():
    auth.add_user("alice", PW, role="planner")
    assert auth.ensure_admin_exists() is None
    assert auth.list_users()["username"].tolist() == ["alice"]


# --------------------------------------------------------------------------- sign-in

def test_authenticate_known_answers(limiter):
    auth.add_user("alice", PW, role="planner")
    assert auth.authenticate(" ALICE ", PW, limiter=limiter) == User("alice", "planner",
                                                                     "password")
    assert auth.authenticate("alice", PW + "x", limiter=limiter) is None
    assert auth.authenticate("nobody", PW, limiter=limiter) is None
    assert auth.authenticate("alice", "", limiter=limiter) is None
    assert auth.authenticate("alice", "x" * 500, limiter=limiter) is None  # > 72 bytes
    assert auth.authenticate("alice", None, limiter=limiter) is None  # type: ignore[arg-type]


def test_password_matches_in_any_unicode_normalisation(limiter):
    composed = "mật khẩu Điện Biên"
    auth.add_user("alice", composed, role="planner")
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert auth.authenticate("alice", decomposed, limiter=limiter) is not None


def test_five_failures_lock_the_pair_with_exponential_back_off(limiter):
    auth.add_user("alice", PW, role="planner")
    clock = limiter.clock_obj
    for _ in range(5):
        assert auth.authenticate("alice", "wrong password", client_id="10.0.0.9",
                                 limiter=limiter) is None
        clock.now += 1
    # locked: even the right password is not checked
    with pytest.raises(SignInLocked, match="too many failed sign-ins") as err:
        auth.authenticate("alice", PW, client_id="10.0.0.9", limiter=limiter)
    assert err.value.retry_after == pytest.approx(60 - 1)
    clock.now += 60
    assert auth.authenticate("alice", "wrong password", client_id="10.0.0.9",
                             limiter=limiter) is None  # 6th failure: 120 s
    assert limiter.retry_after("alice", "10.0.0.9") == pytest.approx(120)
    clock.now += 121
    auth.authenticate("alice", "wrong password", client_id="10.0.0.9", limiter=limiter)
    assert limiter.retry_after("alice", "10.0.0.9") == pytest.approx(240)  # 7th: 240 s
    clock.now += 241
    assert auth.authenticate("alice", PW, client_id="10.0.0.9", limiter=limiter) is not None


@pytest.mark.parametrize("failures, wait", [(4, 0), (5, 60), (6, 120), (7, 240), (12, 3600),
                                            (100, 3600)])
def test_back_off_doubles_up_to_an_hour(failures, wait):
    assert ratelimit.lock_seconds(failures, 5) == wait


def test_guesses_from_elsewhere_do_not_lock_the_user_out_from_everywhere(limiter):
    auth.add_user("alice", PW, role="planner")
    assert auth.authenticate("alice", PW, client_id="10.0.0.7", limiter=limiter)  # known
    for i in range(ratelimit.ACCOUNT_FREE):  # an attacker guessing from 10 addresses
        auth.authenticate("alice", "wrong password", client_id=f"203.0.113.{i}",
                          limiter=limiter)
    # new addresses are held back for the account...
    with pytest.raises(SignInLocked):
        auth.authenticate("alice", PW, client_id="203.0.113.200", limiter=limiter)
    # ...but the address alice signed in from before is not
    assert auth.authenticate("alice", PW, client_id="10.0.0.7", limiter=limiter) is not None


def test_one_address_spraying_many_accounts_is_held_back(limiter):
    for i in range(ratelimit.ADDRESS_FREE):
        auth.authenticate(f"user{i:03d}", "guess guess guess", client_id="198.51.100.1",
                          limiter=limiter)
    with pytest.raises(SignInLocked):
        auth.authenticate("someone.else", "guess guess guess", client_id="198.51.100.1",
                          limiter=limiter)
    assert limiter.retry_after("someone.else", "198.51.100.2") == 0.0


def test_success_resets_the_failure_count(limiter):
    auth.add_user("alice", PW, role="planner")
    for _ in range(4):
        auth.authenticate("alice", "wrong password", client_id="c", limiter=limiter)
    assert auth.authenticate("alice", PW, client_id="c", limiter=limiter) is not None
    for _ in range(4):
        auth.authenticate("alice", "wrong password", client_id="c", limiter=limiter)
    assert limiter.retry_after("alice", "c") == 0.0


def test_unknown_usernames_are_rate_limited_too(limiter):
    for _ in range(5):
        auth.authenticate("ghost", "guess guess guess", client_id="c", limiter=limiter)
    with pytest.raises(SignInLocked):
        auth.authenticate("ghost", "guess guess guess", client_id="c", limiter=limiter)


def test_counters_are_shared_between_limiters_and_forgotten_after_an_hour(limiter):
    clock = limiter.clock_obj
    for _ in range(5):
        auth.authenticate("ghost", "guess guess guess", client_id="c", limiter=limiter)
    other_process = SignInLimiter(SessionStore(clock=clock))  # same file, another object
    assert other_process.retry_after("ghost", "c") == pytest.approx(60)
    clock.now += ratelimit.FORGET_AFTER_S + 1
    assert other_process.retry_after("ghost", "c") == 0.0
    assert auth.authenticate("ghost", "guess guess guess", client_id="c",
                             limiter=other_process) is None  # counted from 1 again
    assert other_process.retry_after("ghost", "c") == 0.0


def test_a_disabled_account_cannot_sign_in_and_is_signed_out(limiter):
    auth.add_user("boss", PW, role="admin")
    auth.add_user("alice", PW, role="planner")
    store = SessionStore()
    token = store.create("alice", client="c", lifetime_s=3600)
    auth.set_disabled("alice", True, actor="boss")
    assert store.lookup(token, idle_s=600) is None  # session ended at once
    assert auth.account("alice") is None
    assert auth.authenticate("alice", PW, client_id="c", limiter=limiter) is None
    auth.set_disabled("alice", False, actor="boss")
    assert auth.authenticate("alice", PW, client_id="c", limiter=limiter) == User("alice",
                                                                                  "planner")
    with pytest.raises(AuthError, match="only admin"):
        auth.set_disabled("boss", True)


@pytest.mark.parametrize("change", [
    lambda: auth.set_role("alice", "commander"),
    lambda: auth.set_password("alice", "another long secret"),
    lambda: auth.remove_user("alice"),
    lambda: auth.set_disabled("alice", True),
])
def test_every_account_change_ends_the_accounts_sessions(change):
    auth.add_user("boss", PW, role="admin")
    auth.add_user("alice", PW, role="planner")
    store = SessionStore()
    tokens = [store.create("alice", client="c", lifetime_s=3600) for _ in range(2)]
    boss = store.create("boss", client="c", lifetime_s=3600)
    change()
    assert [store.lookup(tok, idle_s=600) for tok in tokens] == [None, None]
    assert store.lookup(boss, idle_s=600) is not None


def test_sign_ins_are_audited_with_client(limiter):
    auth.add_user("alice", PW, role="planner")
    auth.authenticate("alice", "wrong password", client_id="10.0.0.9", limiter=limiter)
    auth.authenticate("alice", PW, client_id="10.0.0.9", limiter=limiter)
    events = audit.read(action="signin")
    assert events[["user", "ok", "client"]].values.tolist() == [
        ["alice", True, "10.0.0.9"], ["alice", False, "10.0.0.9"]]


def test_hostile_username_is_escaped_in_the_audit_log(limiter):
    auth.authenticate("evil\x1b[2J\nname", "whatever whatever", limiter=limiter)
    user = audit.read(action="signin")["user"].iloc[0]
    assert "\x1b" not in user and "\n" not in user and "\\x1b" in user


# --------------------------------------------------------------------------- roles

EXPECTED = {
    "commander": {"view", "export"},
    "planner": {"view", "export", "upload", "import", "restore"},
    "admin": {"view", "export", "upload", "import", "restore", "manage_users", "read_audit"},
}


@pytest.mark.parametrize("role", auth.ROLES)
@pytest.mark.parametrize("action", sorted(EXPECTED["admin"]))
def test_require_role_matrix(role, action):
    user = User("someone", role)
    if action in EXPECTED[role]:
        auth.require_role(user, action)
    else:
        with pytest.raises(AccessDenied, match=f"may not {action.replace('_', ' ')}"):
            auth.require_role(user, action)


def test_require_role_without_user_and_unknown_action():
    with pytest.raises(AccessDenied, match="sign in to upload"):
        auth.require_role(None, "upload")
    with pytest.raises(ValueError, match="unknown action 'fly'"):
        auth.require_role(User("a", "admin"), "fly")
    assert issubclass(AccessDenied, BorderMapError)


def test_role_for_identity_users_file():
    claims = {"iss": auth.USERS_FILE_ISSUER, "sub": "alice", "role": "planner"}
    assert auth.role_for_identity(claims) == "planner"
    assert auth.role_for_identity({**claims, "role": "root"}) is None


def test_role_for_identity_oidc_groups_and_email():
    rmap = {"groups": {"ca-tinh": "commander", "pv01": "planner", "it": "admin"},
            "emails": {"chief@ca.dienbien.gov.vn": "planner"}}
    assert auth.role_for_identity({"groups": ["ca-tinh", "pv01"]}, role_map=rmap) == "planner"
    assert auth.role_for_identity({"groups": "ca-tinh, it"}, role_map=rmap) == "admin"
    assert auth.role_for_identity({"email": "Chief@CA.dienbien.gov.vn"},
                                  role_map=rmap) == "planner"
    assert auth.role_for_identity({"email": "chief@ca.dienbien.gov.vn",
                                   "email_verified": False}, role_map=rmap) is None
    assert auth.role_for_identity({"groups": ["others"]}, role_map=rmap) is None
    # an outside provider's own "role" claim is not trusted
    assert auth.role_for_identity({"role": "admin", "email": "x@y.z"}, role_map=rmap) is None


def test_role_map_file_and_default(_bordermap_home):
    assert auth.role_for_identity({"groups": ["bordermap-planner"]}) == "planner"
    (_bordermap_home / "roles.json").write_text(
        json.dumps({"groups": {"ops": "admin"}}), encoding="utf-8")
    assert auth.role_for_identity({"groups": ["ops"]}) == "admin"
    assert auth.role_for_identity({"groups": ["bordermap-planner"]}) is None
    (_bordermap_home / "roles.json").write_text(json.dumps({"groups": {"ops": "root"}}))
    with pytest.raises(AuthError, match="maps to unknown role 'root'"):
        auth.role_for_identity({"groups": ["ops"]})


def test_user_from_identity_like_st_user():
    rmap = {"groups": {"pv01": "planner"}, "emails": {}}
    claims = {"is_logged_in": True, "email": "a@b.vn", "groups": ["pv01"], "sub": "123"}
    assert auth.user_from_identity(claims, role_map=rmap) == User("a@b.vn", "planner", "oidc")
    assert auth.user_from_identity({**claims, "is_logged_in": False}, role_map=rmap) is None
    assert auth.user_from_identity({**claims, "groups": []}, role_map=rmap) is None


# --------------------------------------------------------------------------- CLI

def _run(monkeypatch, capsys, argv, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_users_add_list_passwd_remove(monkeypatch, capsys):
    code, out, _ = _run(monkeypatch, capsys, ["users", "add", "Alice", "--role", "planner",
                                              "--password-stdin"], PW + "\n")
    assert code == 0 and out == "added alice (planner, Điện Biên (default))\n"
    code, out, err = _run(monkeypatch, capsys, ["users", "add", "boss", "--role", "admin",
                                                "--generate"])
    generated = out.splitlines()[-1].removeprefix("password: ")
    assert code == 0 and len(generated) >= 20 and "shown once" in err
    assert auth.authenticate("boss", generated) is not None
    code, out, _ = _run(monkeypatch, capsys, ["users", "list"])
    assert out.splitlines()[0] == "username,role,scope,disabled,created,updated" and "$2b$" not in out
    assert [line.split(",")[:2] for line in out.splitlines()[1:]] == [["alice", "planner"],
                                                                      ["boss", "admin"]]
    code, _, _ = _run(monkeypatch, capsys, ["users", "passwd", "alice"], "another secret!\n")
    assert code == 0
    assert auth.authenticate("alice", "another secret!", ) is not None
    code, out, _ = _run(monkeypatch, capsys, ["users", "remove", "alice"])
    assert code == 0 and out == "removed alice\n"


def test_cli_users_errors_exit_2(monkeypatch, capsys):
    code, _, err = _run(monkeypatch, capsys, ["users", "add", "alice", "--role", "planner"],
                        "short\n")
    assert code == 2 and "password too short" in err
    code, _, err = _run(monkeypatch, capsys, ["users", "remove", "nobody"])
    assert code == 2 and "no user 'nobody'" in err


def test_cli_audit_prints_user_management_events(monkeypatch, capsys):
    _run(monkeypatch, capsys, ["users", "add", "alice", "--role", "planner"], PW + "\n")
    code, out, _ = _run(monkeypatch, capsys, ["audit", "--action", "users.add"])
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["id", "ts", "user", "action", "ok", "detail",
                                              "client"]
    assert "users.add" in lines[1] and "alice role=planner" in lines[1]
