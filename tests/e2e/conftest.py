"""Fixtures of the end-to-end tests: one Streamlit server, one Chromium and the first
admin's sign-in per test session (per xdist worker), shared by test_browser.py and
test_layout.py; each test opens its own browser context (own cookies)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest
from e2e_support import (
    ADMIN_PASSWORD,
    APP_LINKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    START_TIMEOUT_S,
    WAIT_MS,
    _free_port,
    _printed_password,
    _screenshot,
    _sign_in,
)

from geo.settings import REPO_ROOT


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """A Streamlit server on 127.0.0.1:<free port> with an empty BORDERMAP_HOME."""
    home = tmp_path_factory.mktemp("bordermap-home")
    app_dir = tmp_path_factory.mktemp("app")
    for name in APP_LINKS:
        if name == "app.py":  # a copy: Streamlit serves static/ beside the real script file
            shutil.copy2(REPO_ROOT / name, app_dir / name)
        else:
            (app_dir / name).symlink_to(REPO_ROOT / name)
    static = app_dir / "static" / "bordermap"
    port = _free_port()
    log_path = tmp_path_factory.mktemp("streamlit-log") / "streamlit.log"
    env = {**os.environ, "BORDERMAP_HOME": str(home), "BORDERMAP_TILES": "offline",
           "BORDERMAP_STATIC_DIR": str(static)}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=app_dir, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with {proc.returncode}:\n"
                            f"{log_path.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer on {base} within {START_TIMEOUT_S} s:\n"
                            f"{log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
        yield base, log_path, home
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


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
