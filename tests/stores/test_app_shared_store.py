"""The app on the shared store: first start, sign-in, password change and the map page.

Runs the app test of :mod:`test_app_access` with ``BORDERMAP_DATABASE_URL`` set, so the
accounts, the audit log and the sign-in counters are the database's; afterwards the
data folder holds none of the embedded store files.
"""

from __future__ import annotations

import pytest
import test_app_access

from geo import audit
from geo.settings import get_settings


@pytest.mark.slow  # the whole app, ~20 s
def test_first_start_sign_in_and_map_on_the_shared_store(pg_url, monkeypatch, capsys):
    monkeypatch.setenv("BORDERMAP_DATABASE_URL", pg_url)
    test_app_access.test_first_start_creates_admin_and_shows_only_the_sign_in_page(capsys)
    home = get_settings().home
    assert not {"users.json", "audit.sqlite", "sessions.sqlite", "bordermap.sqlite",
                "border_lists.sqlite"} & {p.name for p in home.iterdir()}
    assert set(audit.read(None)["action"]) >= {"users.add", "signin", "users.passwd"}
    assert audit.verify_log() > 0
