"""Where the app's offline map assets are written: geo.settings decides, tests use a temp folder."""

from __future__ import annotations

from geo import offline_assets
from geo.settings import DEFAULT_STATIC_DIR, REPO_ROOT, get_settings


def test_default_is_the_folder_streamlit_serves(monkeypatch):
    monkeypatch.delenv("BORDERMAP_STATIC_DIR", raising=False)
    assert get_settings().static_dir == DEFAULT_STATIC_DIR == REPO_ROOT / "static" / "bordermap"
    assert offline_assets.STATIC_DIR == DEFAULT_STATIC_DIR


def test_environment_variable_moves_it(monkeypatch, tmp_path):
    monkeypatch.setenv("BORDERMAP_STATIC_DIR", str(tmp_path / "assets"))
    assert get_settings().static_dir == (tmp_path / "assets").resolve()


def test_assets_are_written_to_the_configured_folder(monkeypatch, tmp_path):
    target = tmp_path / "static" / "bordermap"
    monkeypatch.setenv("BORDERMAP_STATIC_DIR", str(target))
    url = next(u for u in offline_assets.asset_urls() if u.endswith("leaflet.js"))
    written = offline_assets.write_static_assets([url])
    assert written[url].parent == target.resolve()
    assert written[url].read_text(encoding="utf-8") == offline_assets.asset_text(url)
    assert (target.parent / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_the_test_session_never_uses_the_repository_folder():
    """tests/conftest.py points the assets at a temporary folder for the whole session."""
    configured = get_settings().static_dir
    assert REPO_ROOT not in configured.parents, configured
