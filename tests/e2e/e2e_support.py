"""Constants and helpers of the end-to-end tests (the fixtures are in conftest.py)."""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(tempfile.gettempdir()) / "bordermap-test-artifacts"
APP_LINKS = ("app.py", "edge.py", "pages", "geo", ".streamlit")
WAIT_MS = 60_000


def _printed_password(log_path: Path) -> str:
    """Wait for the one-time admin password that the first start prints on the console."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace")
        found = re.search(r"one-time password\n\n\s+(\S+)\n", text)
        if found:
            return found.group(1)
        time.sleep(0.25)
    pytest.fail(f"no one-time admin password on the console:\n{text[-2000:]}")


def _sign_in(pg, base: str, username: str, password: str) -> None:
    pg.goto(base)
    pg.get_by_label("Tên đăng nhập").fill(username)
    pg.get_by_label("Mật khẩu").fill(password)
    pg.get_by_role("button", name="Đăng nhập").click()
    pg.get_by_text("Đăng nhập:").first.wait_for(timeout=WAIT_MS)  # "Đăng nhập: **user**"


#: The first admin's own password, chosen at the first sign-in.
ADMIN_PASSWORD = "đồn biên phòng số chín"


def _screenshot(pg, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    pg.wait_for_timeout(700)  # let Leaflet finish its zoom animation (250 ms) and draw
    path = ARTIFACTS / name
    pg.screenshot(path=str(path), full_page=True)
    return path
