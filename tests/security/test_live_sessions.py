"""Findings 1, 2, 3 and 8 reproduced against the real app over its websocket.

The app runs as ``streamlit run app.py`` on a loopback port (conftest.py); each
client here is one websocket, like a browser tab, speaking Streamlit's protocol
(``_streamlit.py``).
"""

from __future__ import annotations

import re
import time

import pytest
from _streamlit import Client, http_get, running, sign_in, trigger_state
from conftest import ACCOUNTS, prepare_home

from geo import audit, auth
from geo.stores.rosters import open_store

pytestmark = pytest.mark.slow

LOCKED = "Tạm khoá do đăng nhập sai nhiều lần"
WRONG = "Sai tên đăng nhập hoặc mật khẩu"


def _signed_in_tab(live, name: str):
    run, cookie = sign_in(live, name, ACCOUNTS[name][1])
    assert cookie, run.text()
    tab = Client(live, cookie=cookie)
    first = tab.run()
    assert f"**{name.replace('.', chr(92) + '.')}**" in first.text(), first.text()
    return tab, cookie, first


# --------------------------------------------------------------------------- finding 1

def test_forged_forwarded_for_neither_bypasses_the_limit_nor_reaches_the_audit(live,
                                                                              live_home):
    """8 wrong guesses, each with another X-Forwarded-For; the 9th (right) is refused."""
    texts = []
    for i in range(8):
        run, cookie = sign_in(live, "doan.mo", "wrong password here",
                              headers={"X-Forwarded-For": f"198.51.100.{i}"})
        assert cookie is None
        texts.append(run.text())
    assert all(WRONG in t for t in texts[:5]), texts
    assert all(LOCKED in t for t in texts[5:]), texts
    run, cookie = sign_in(live, "doan.mo", ACCOUNTS["doan.mo"][1],
                          headers={"X-Forwarded-For": "198.51.100.99"})
    assert cookie is None and LOCKED in run.text()
    events = audit.read(50, user="doan.mo", action="signin")
    assert len(events) == 9
    assert set(events["client"]) == {"127.0.0.1"}  # the socket's address, not the header


def test_the_client_header_cannot_be_forged_either(live, live_home):
    run, cookie = sign_in(live, "chi.huy", ACCOUNTS["chi.huy"][1],
                          headers={"X-Bordermap-Client": "10.66.66.66"})
    assert cookie
    assert audit.read(1, user="chi.huy", action="signin")["client"].iloc[0] == "127.0.0.1"


def test_a_trusted_proxy_header_is_honoured_only_when_configured(tmp_path_factory):
    home = tmp_path_factory.mktemp("proxied-home")
    prepare_home(home)
    env = {"BORDERMAP_TRUSTED_PROXIES": "127.0.0.1/32"}
    with running(home, tmp_path_factory.mktemp("proxied-log"), env=env) as server, \
            pytest.MonkeyPatch.context() as mp:
        mp.setenv("BORDERMAP_HOME", str(home))
        user_at = {"X-Forwarded-For": "203.0.113.7"}
        _, cookie = sign_in(server, "ke.hoach", ACCOUNTS["ke.hoach"][1], headers=user_at)
        assert cookie  # the ticket was redeemed from the same (forwarded) address
        row = audit.read(1, user="ke.hoach", action="signin").iloc[0]
        assert row["client"] == "203.0.113.7"
        # an attacker behind the same proxy, from other addresses: the user is not locked out
        for i in range(6):
            sign_in(server, "ke.hoach", "wrong password here",
                    headers={"X-Forwarded-For": f"198.51.100.{i}, 203.0.113.66"})
        attacker = audit.read(1, user="ke.hoach", action="signin", ok=False).iloc[0]
        assert attacker["client"] == "203.0.113.66"  # right-most untrusted hop
        run, cookie = sign_in(server, "ke.hoach", ACCOUNTS["ke.hoach"][1], headers=user_at)
        assert cookie, run.text()


# --------------------------------------------------------------------------- finding 2

def test_demoted_then_removed_planner_cannot_restore_from_an_open_tab(live, live_home):
    store = open_store(live.home)
    versions = len(store.history())
    tab, _, _ = _signed_in_tab(live, "giang.chuc")
    with tab:
        data = tab.run(page_hash=tab.pages["data"])
        restore = data.widget("Khôi phục", "button")
        auth.set_role("giang.chuc", "commander", actor="quan.tri")
        after = tab.run([trigger_state(restore)])
        assert after.signed_out(), after.text()
        auth.remove_user("giang.chuc", actor="quan.tri")
        again = tab.run([trigger_state(restore)], page_hash=tab.pages.get("data", ""))
        assert again.signed_out()
    assert len(store.history()) == versions  # nothing was restored
    assert audit.read(20, user="giang.chuc", action="roster.restore").empty


def test_removed_account_is_signed_out_on_its_next_rerun(live, live_home):
    tab, _, _ = _signed_in_tab(live, "tam.thoi")
    with tab:
        auth.remove_user("tam.thoi", actor="quan.tri")
        assert tab.run().signed_out()


# --------------------------------------------------------------------------- finding 3

def test_a_streamlit_session_id_alone_gets_nothing(live, live_home):
    tab, cookie, first = _signed_in_tab(live, "ke.hoach")
    victim = first.session_id
    with tab:
        with Client(live, resume=victim) as attacker:
            got = attacker.run()
            assert got.signed_out(), got.text()
            assert got.session_id != victim
        # the planner's own tab still works
        assert "ke\\.hoach" in tab.run().text()
    # an upload URL carries the session id: without the cookie it is refused
    status, _, _ = http_get(live, f"/_stcore/upload_file/{victim}/x")
    assert status == 403


def test_an_admin_session_id_is_useless_seconds_after_the_tab_closed(live, live_home):
    tab, cookie, first = _signed_in_tab(live, "quan.tri")
    victim = first.session_id
    tab.close()
    time.sleep(1)
    with Client(live, resume=victim) as attacker:
        got = attacker.run()
        assert got.signed_out() and got.session_id != victim
        assert "Quản trị" not in got.text()
    # another signed-in user's cookie does not open it either
    _, planner_cookie = sign_in(live, "chi.huy", ACCOUNTS["chi.huy"][1])
    with Client(live, resume=victim, cookie=planner_cookie) as other:
        got = other.run()
        assert got.session_id != victim and "quan\\.tri" not in got.text()


# --------------------------------------------------------------------------- finding 8

def _cache_bytes(live, cookie: str) -> int:
    status, _, body = http_get(live, "/_stcore/metrics?families=cache_memory_bytes",
                               headers={"Cookie": cookie})
    assert status == 200
    return sum(int(float(m)) for m in re.findall(r"^cache_memory_bytes\{[^}]*\} (\S+)$",
                                                  body.decode(), flags=re.M))


def test_metrics_and_cache_clearing_need_a_session(live, live_home):
    assert http_get(live, "/_stcore/metrics")[0] == 403
    assert http_get(live, "/_stcore/metrics",
                    headers={"Cookie": "bordermap_session=forged"})[0] == 403
    tab, cookie, _ = _signed_in_tab(live, "chi.huy")  # its map run fills the caches
    with tab:
        # the first figure is computed now (the refused requests above computed none);
        # Streamlit then keeps it for 5 s, so each later look waits for that to pass
        before = _cache_bytes(live, cookie)
        computed = time.monotonic()
        assert before > 0
        with Client(live) as anonymous:
            anonymous.run()
            anonymous.clear_cache()
            time.sleep(0.5)
        time.sleep(max(0.0, computed + 5.3 - time.monotonic()))
        assert _cache_bytes(live, cookie) >= before  # nothing was cleared
        computed = time.monotonic()
        tab.clear_cache()  # control: a signed-in client may clear them
        time.sleep(max(0.5, computed + 5.3 - time.monotonic()))
        assert _cache_bytes(live, cookie) < before
    assert "clear_cache from a signed-out websocket ignored" in live.log()
