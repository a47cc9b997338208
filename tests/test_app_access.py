"""Sign-in and roles in the app: enforced on the server side of every page and action."""

from __future__ import annotations

import re

import pytest
from pdf_text import page_texts
from streamlit.testing.v1 import AppTest

from geo import audit, auth
from geo.auth import User
from geo.settings import REPO_ROOT

APP = str(REPO_ROOT / "app.py")
PAGES = REPO_ROOT / "pages"
TIMEOUT = 120


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _page(name: str, user: User | None) -> AppTest:
    at = AppTest.from_file(str(PAGES / name), default_timeout=TIMEOUT)
    if user is not None:
        at.session_state["user"] = user
    return at.run()


def test_first_start_creates_admin_and_shows_only_the_sign_in_page(capsys):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    _no_exception(at)
    assert at.title[0].value == "Đăng nhập"
    assert at.text_input(key="signin_username") and at.text_input(key="signin_password")
    assert not at.sidebar.button  # no sign-out: nobody is signed in
    printed = capsys.readouterr().out
    assert "created user 'admin'" in printed
    password = re.search(r"one-time password\n\n\s+(\S+)\n", printed).group(1)
    users = auth.list_users()
    assert list(users["username"]) == ["admin"] and list(users["role"]) == ["admin"]

    # signing in with the printed password (the sign-in page's form; AppTest loses a form
    # click made through st.navigation, so the page runs on its own here — the browser
    # test signs in through app.py)
    signin = _sign_in("admin", password)
    assert signin.session_state["user"] == User("admin", "admin", must_change_password=True)
    events = audit.read(10, action="signin")
    assert events["ok"].iloc[0] and events["user"].iloc[0] == "admin"
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["user"] = signin.session_state["user"]
    at.run()
    _no_exception(at)
    # the first admin must choose a new password before anything else
    assert at.title[0].value == "Đổi mật khẩu"
    assert not at.dataframe and not at.get("iframe")
    page = _page("map.py", signin.session_state["user"])
    assert any("Không có quyền" in e.value for e in page.error)

    pw = AppTest.from_file(str(PAGES / "password.py"), default_timeout=TIMEOUT)
    pw.session_state["user"] = signin.session_state["user"]
    pw.run()
    pw.text_input(key="pw_current").input(password)
    pw.text_input(key="pw_new").input("password1234")
    pw.text_input(key="pw_again").input("password1234")
    pw.button(key="pw_submit").click().run()
    assert any("quá phổ biến" in e.value for e in pw.error)  # the policy applies
    pw.text_input(key="pw_current").input(password)
    pw.text_input(key="pw_new").input("đồn biên phòng số chín")
    pw.text_input(key="pw_again").input("đồn biên phòng số chín")
    pw.button(key="pw_submit").click().run()
    _no_exception(pw)
    assert pw.session_state["user"] == User("admin", "admin")
    assert auth.account("admin") == User("admin", "admin")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["user"] = pw.session_state["user"]
    at.run()
    _no_exception(at)
    assert at.title[0].value == "Bản đồ lực lượng công an xã"
    assert at.sidebar.button(key="signout")


def _sign_in(username: str, password: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / "signin.py"), default_timeout=TIMEOUT).run()
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(password)
    at.button(key="signin_submit").click().run()
    _no_exception(at)
    return at


def test_a_wrong_password_is_refused_and_logged():
    AppTest.from_file(APP, default_timeout=TIMEOUT).run()  # creates the first admin
    auth.add_user("huy.planner", "mat-khau-dai-du", role="planner")
    at = _sign_in("huy.planner", "wrong-password")
    assert "user" not in at.session_state or at.session_state["user"] is None
    assert any("Sai tên đăng nhập" in e.value for e in at.error)
    failed = audit.read(10, action="signin", ok=False)
    assert failed["user"].iloc[0] == "huy.planner"


@pytest.mark.parametrize("page", ["map.py", "border.py", "reform.py", "data.py", "admin.py"])
def test_every_page_refuses_a_visitor_who_is_not_signed_in(page):
    at = _page(page, None)
    _no_exception(at)
    assert any("Không có quyền" in e.value for e in at.error)
    assert not at.dataframe and not at.get("file_uploader")


def test_a_commander_cannot_reach_the_upload_controls():
    commander = User("chi.huy", "commander")
    at = _page("data.py", commander)
    _no_exception(at)
    assert any("chỉ huy" in e.value and "tải lên" in e.value for e in at.error)
    assert not at.get("file_uploader") and not at.tabs
    # ...and the menu does not offer the page
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    app.session_state["user"] = commander
    app.run()
    _no_exception(app)
    with pytest.raises(Exception):
        app.switch_page("pages/data.py").run()
    # the commander still views and exports
    at = _page("border.py", commander)
    _no_exception(at)
    assert at.dataframe and at.get("download_button")


def test_planner_uploads_but_does_not_manage_users():
    planner = User("ke.hoach", "planner")
    at = _page("data.py", planner)
    _no_exception(at)
    assert at.get("file_uploader")
    at = _page("admin.py", planner)
    assert any("quản lý tài khoản" in e.value for e in at.error)


def test_admin_reads_the_audit_log_and_adds_a_user():
    auth.add_user("quan.tri", "mat-khau-quan-tri", role="admin")
    at = _page("admin.py", User("quan.tri", "admin"))
    _no_exception(at)
    assert at.dataframe  # the accounts table and the audit log
    at.text_input(key="new_user_name").input("can.bo")
    at.selectbox(key="new_user_role").set_value("commander")
    at.button(key="user_add_submit").click().run()
    _no_exception(at)
    assert "can.bo" in set(auth.list_users()["username"])
    assert any("can\\.bo" in s.value for s in at.success)  # escaped for markdown


def test_app_export_matches_the_cli_for_the_same_filters(tmp_path, cli):
    """The border page's Export button and `python -m geo export` give the same briefing."""

    at = AppTest.from_file(str(PAGES / "border.py"), default_timeout=TIMEOUT)
    at.session_state["user"] = User("chi.huy", "commander")
    at.session_state["f_border"] = "CHN"
    at.session_state["vintage"] = "2020"  # the CLI below is told --vintage 2020 too
    at.run()
    _no_exception(at)
    at.selectbox(key="border_export_fmt").set_value("pdf")
    at.button(key="border_export_go").click().run()
    _no_exception(at)
    name, data = at.session_state["border_export_file"]
    assert name.endswith(".pdf") and data.startswith(b"%PDF")
    (tmp_path / "app.pdf").write_bytes(data)
    cli("export", "--province", "Điện Biên", "--vintage", "2020", "--country", "CHN",
        "--metric", "staffing_gap", "--format", "pdf", "--out", str(tmp_path / "cli.pdf"))

    def table_text(path):
        return page_texts(path)[1:]  # page 1 is the map

    app_text, cli_text = table_text(tmp_path / "app.pdf"), table_text(tmp_path / "cli.pdf")
    assert app_text == cli_text
    assert "Xã Sín Thầu" in app_text[0] and "Xã Sen Thượng" in app_text[0]
    assert "Xã Mường Nhé" not in app_text[0]  # Laos only: not selected
    exports = audit.read(5, action="export")
    assert "chi.huy" in set(exports["user"])  # the app's export is audited (so is the CLI's)
