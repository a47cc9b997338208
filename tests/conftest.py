"""Shared fixtures: every test gets its own BORDERMAP_HOME, never ./var."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _bordermap_home(tmp_path, monkeypatch):
    home = tmp_path / "bordermap-home"
    home.mkdir()
    monkeypatch.setenv("BORDERMAP_HOME", str(home))
    return home
