"""Fixtures of the end-to-end tests: one Streamlit server, one Chromium and the first
admin's sign-in per test session (per xdist worker), shared by test_browser.py and
test_layout.py; each test opens its own browser context (own cookies)."""

from __future__ import annotations

import shutil

import pytest
from e2e_support import (
    ADMIN_PASSWORD,
    APP_LINKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    WAIT_MS,
    _printed_password,
    _screenshot,
    _sign_in,
)

from live_server import start_server, stop_server

from geo.settings import REPO_ROOT

#: The e2e server's session check interval (BORDERMAP_SESSION_CHECK_S).
SESSION_CHECK_S = 2


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """A Streamlit server on 127.0.0.1:<free port> with an empty BORDERMAP_HOME.

    It runs from a folder that links the app (``app.py`` copied: Streamlit serves
    ``static/`` beside the real script file), so the offline assets land there.
    """
    home = tmp_path_factory.mktemp("bordermap-home")
    app_dir = tmp_path_factory.mktemp("app")
    for name in APP_LINKS:
        if name == "app.py":
            shutil.copy2(REPO_ROOT / name, app_dir / name)
        else:
            (app_dir / name).symlink_to(REPO_ROOT / name)
    static = app_dir / "static" / "bordermap"
    try:
        # an open tab checks its session every 2 s (default 10 s): the sign-out test waits
        # for the other tab to notice
        live = start_server(home, tmp_path_factory.mktemp("streamlit-log"), cwd=app_dir,
                            env={"BORDERMAP_STATIC_DIR": str(static),
                                 "BORDERMAP_SESSION_CHECK_S": str(SESSION_CHECK_S)})
    except RuntimeError as err:
        pytest.fail(str(err))
    try:
        yield live.http, live.log_path, home
    finally:
        stop_server(live)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a browser downloaded by Playwright)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: the end-to-end test needs Debian's Chromium "
                    f"(apt-get install -y chromium fonts-dejavu-core); it does not skip")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:
        pytest.fail(f"Playwright is not installed (pip install -r requirements-dev.txt): {err}")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def admin_password(browser, server):
    """A new user's first visit: the sign-in page, the printed password, the forced change."""
    base, log_path, _ = server
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="vi-VN")
    pg = context.new_page()
    try:
        pg.goto(base)
        pg.get_by_label("Mật khẩu").wait_for(timeout=WAIT_MS)
        assert pg.get_by_role("heading", name="Đăng nhập").count() >= 1
        assert pg.locator("iframe").count() == 0  # no map, no data before sign-in
        _screenshot(pg, "e2e_signin.png")
        printed = _printed_password(log_path)
        _sign_in(pg, base, "admin", printed)
        # the first admin must choose a new password before anything else
        pg.get_by_role("heading", name="Đổi mật khẩu").wait_for(timeout=WAIT_MS)
        assert pg.locator("iframe").count() == 0
        pg.get_by_label("Mật khẩu hiện tại", exact=True).fill(printed)
        pg.get_by_label("Mật khẩu mới", exact=True).fill(ADMIN_PASSWORD)
        pg.get_by_label("Nhập lại mật khẩu mới", exact=True).fill(ADMIN_PASSWORD)
        pg.get_by_role("button", name="Đổi mật khẩu").click()
        pg.get_by_role("heading", name="Bản đồ lực lượng công an xã").wait_for(timeout=WAIT_MS)
        _screenshot(pg, "e2e_password_changed.png")
        return ADMIN_PASSWORD
    finally:
        context.close()
