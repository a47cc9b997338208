"""Who is signed in is worked out on every rerun from the cookie, never from session state.

These run the pages under AppTest with the app in its served mode (as under
``streamlit run app.py``); the cookie the browser would send is given through
``pages._session.session_token``.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import edge
from geo import auth, passwords
from geo.auth import User
from geo.settings import REPO_ROOT
from geo.stores.sessions import SessionStore
from pages import _session

pytestmark = pytest.mark.slow

PAGES = REPO_ROOT / "pages"
TIMEOUT = 120


@pytest.fixture(autouse=True)
def served(monkeypatch):
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)
    monkeypatch.setattr(edge, "_SERVING", True)
    auth.add_user("quan.tri", "mat-khau-quan-tri", role="admin")
    auth.add_user("ke.hoach", "mat-khau-ke-hoach", role="planner")


def _run(page: str, *, token: str | None, monkeypatch, user: User | None = None) -> AppTest:
    monkeypatch.setattr(_session, "session_token", lambda: token)
    at = AppTest.from_file(str(PAGES / page), default_timeout=TIMEOUT)
    if user is not None:
        at.session_state["user"] = user
    return at.run()


def _denied(at: AppTest) -> bool:
    return any("Không có quyền" in e.value for e in at.error)


def test_session_state_alone_signs_nobody_in(monkeypatch):
    at = _run("admin.py", token=None, monkeypatch=monkeypatch, user=User("quan.tri", "admin"))
    assert _denied(at) and not at.dataframe
    at = _run("admin.py", token="forged-token", monkeypatch=monkeypatch,
              user=User("quan.tri", "admin"))
    assert _denied(at)


def test_the_cookie_names_the_user_and_the_account_is_read_again(monkeypatch):
    token = SessionStore().create("ke.hoach", client="127.0.0.1", lifetime_s=3600)
    at = _run("data.py", token=token, monkeypatch=monkeypatch,
              user=User("ke.hoach", "admin"))  # what session state claims is ignored
    assert not _denied(at) and at.get("file_uploader")
    assert _denied(_run("admin.py", token=token, monkeypatch=monkeypatch))
    # the role changes: the session ends (and a new sign-in gets the new role)
    auth.set_role("ke.hoach", "commander", actor="quan.tri")
    assert _denied(_run("data.py", token=token, monkeypatch=monkeypatch))
    assert _denied(_run("map.py", token=token, monkeypatch=monkeypatch))


def test_an_account_changed_behind_the_stores_back_applies_at_once(monkeypatch, tmp_path):
    """Even if the users file is edited without ending sessions, each rerun re-reads it."""
    import json

    token = SessionStore().create("ke.hoach", client="127.0.0.1", lifetime_s=3600)
    path = auth.users_path()
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["users"]["ke.hoach"]["role"] = "commander"
    path.write_text(json.dumps(doc), encoding="utf-8")
    at = _run("data.py", token=token, monkeypatch=monkeypatch)
    assert any("chỉ huy" in e.value for e in at.error)  # the new role (commander), at once
    doc["users"]["ke.hoach"]["disabled"] = True
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert _denied(_run("map.py", token=token, monkeypatch=monkeypatch))
    assert SessionStore().lookup(token, idle_s=600) is None  # and the session was ended


def test_a_revoked_or_idle_session_is_signed_out(monkeypatch):
    store = SessionStore()
    token = store.create("ke.hoach", client="127.0.0.1", lifetime_s=3600)
    assert not _denied(_run("map.py", token=token, monkeypatch=monkeypatch))
    store.revoke(token, reason="signed out")
    assert _denied(_run("map.py", token=token, monkeypatch=monkeypatch))
    monkeypatch.setenv("BORDERMAP_SESSION_IDLE_MIN", "0.0001")  # 6 ms
    token = store.create("ke.hoach", client="127.0.0.1", lifetime_s=3600)
    import time

    time.sleep(0.05)
    assert _denied(_run("map.py", token=token, monkeypatch=monkeypatch))


def test_one_session_is_looked_up_again_on_every_rerun(monkeypatch):
    """Who is signed in is kept for one script run only: in the same Streamlit session,
    a sign-out elsewhere (another process revoking the record) ends it on the next
    rerun, and the session record is read once per rerun, not once per question."""
    store = SessionStore()
    token = store.create("ke.hoach", client="127.0.0.1", lifetime_s=3600)
    monkeypatch.setattr(_session, "session_token", lambda: token)
    lookups = []
    real = SessionStore.lookup

    def counting(self, *args, **kwargs):
        lookups.append(kwargs.get("touch", True))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SessionStore, "lookup", counting)
    at = AppTest.from_file(str(PAGES / "map.py"), default_timeout=TIMEOUT).run()
    assert not at.exception and not _denied(at) and at.metric
    assert lookups == [True]
    at.run()
    assert not _denied(at) and lookups == [True, True]
    store.revoke(token, reason="signed out")
    at.run()
    assert _denied(at) and not at.metric


def test_served_without_the_edge_nobody_is_signed_in(monkeypatch):
    """A page started on its own (no edge in front) and not under a test: fail closed."""
    monkeypatch.setattr(edge, "_SERVING", False)
    monkeypatch.setattr(_session, "_under_apptest", lambda: False)
    at = _run("map.py", token=None, monkeypatch=monkeypatch, user=User("quan.tri", "admin"))
    assert _denied(at)
