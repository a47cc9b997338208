"""Sessions across processes and tabs; a broken data folder gives a clear page (finding 8)."""

from __future__ import annotations

import pytest
from _streamlit import Client, http_get, running, sign_in, trigger_state
from conftest import ACCOUNTS

pytestmark = pytest.mark.slow

UNUSABLE = "Ứng dụng chưa dùng được thư mục dữ liệu"


def test_a_second_process_accepts_the_session_and_sign_out_ends_it_everywhere(
        live, live_home, tmp_path_factory):
    _, cookie = sign_in(live, "chi.huy", ACCOUNTS["chi.huy"][1])
    assert cookie
    with running(live.home, tmp_path_factory.mktemp("second-log")) as second, \
            Client(live, cookie=cookie) as tab1, Client(live, cookie=cookie) as tab2, \
            Client(second, cookie=cookie) as tab3:
        assert "chi\\.huy" in tab1.run().text()
        assert "chi\\.huy" in tab2.run().text()
        assert "chi\\.huy" in tab3.run().text()  # another process, same data folder
        out = tab1.run([trigger_state(tab1.run().widget("Đăng xuất", "button"))])
        assert out.redirect == "/bm/signout"
        status, headers, _ = http_get(live, out.redirect, headers={"Cookie": cookie})
        assert status == 303
        assert any(h.startswith("bordermap_session=;") and "Max-Age=0" in h
                   for h in headers["set-cookie"])
        # the other tab and the other process: signed out on their next rerun, though
        # their browser still sends the old cookie
        assert tab2.run().signed_out()
        assert tab3.run().signed_out()


def test_a_corrupt_users_file_gives_a_clear_page(tmp_path_factory):
    home = tmp_path_factory.mktemp("corrupt-home")
    (home / "users.json").write_text("{not json", encoding="utf-8")
    with running(home, tmp_path_factory.mktemp("corrupt-log")) as server:
        with Client(server) as tab:
            run = tab.run()
        assert UNUSABLE in run.text() and "users\\.json" in run.text()  # escaped
        assert not run.exceptions and "Traceback" not in run.text()
        assert http_get(server, "/_stcore/health")[0] == 200


def test_a_data_folder_that_cannot_be_written_gives_a_clear_page(tmp_path_factory):
    # a folder below a regular file can be neither created nor written, even by root
    # (chmod does not stop root, which runs CI)
    base = tmp_path_factory.mktemp("unwritable")
    (base / "not-a-folder").write_text("x")
    home = base / "not-a-folder" / "home"
    with running(home, tmp_path_factory.mktemp("unwritable-log")) as server:
        with Client(server) as tab:
            run = tab.run()
        assert UNUSABLE in run.text(), run.text()
        assert not run.exceptions and "Traceback" not in run.text()
