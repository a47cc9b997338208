"""Fixtures of the robustness suite: a store holding one version, file digests, base layers."""

from __future__ import annotations

import copy

import geopandas as gpd
import pytest
from _corpus import home_digest

from geo.roster import validate_roster
from geo.settings import SAMPLE_ROSTER
from geo.stores.rosters import STORE_FILENAME, open_store


@pytest.fixture(scope="session")
def _sample_report():
    """The sample roster's validation report, made once (validation is the slow part)."""
    report = validate_roster(SAMPLE_ROSTER)
    assert report.ok, report.errors
    return report


@pytest.fixture
def store(_bordermap_home, _sample_report):
    """A store in this test's BORDERMAP_HOME with the sample roster as version 1."""
    st = open_store()
    assert st.import_roster(copy.deepcopy(_sample_report), user="setup") == 1
    assert (_bordermap_home / STORE_FILENAME).exists()
    return st


@pytest.fixture
def unchanged(store, _bordermap_home):
    """Yield a checker; at teardown the stored data must be byte-identical and v1 current."""
    before = home_digest(_bordermap_home)
    current = store.current()
    yield before
    assert home_digest(_bordermap_home) == before, "stored data changed"
    after = store.current()
    assert after.version == current.version == 1
    assert after.frame.equals(current.frame)


@pytest.fixture(scope="session")
def dien_bien_2020() -> gpd.GeoDataFrame:
    """Điện Biên's 129 communes (embedded approximate layer) as an 'official' file would hold
    them: ``ma_xa`` (code), ``ten_xa`` (name), polygons in EPSG:4326."""
    from geo.boundaries import load_communes

    c = load_communes("Điện Biên", vintage="2020")
    return gpd.GeoDataFrame({"ma_xa": c["code"].to_numpy(), "ten_xa": c["name"].to_numpy()},
                            geometry=c.geometry.to_numpy(), crs=c.crs)

