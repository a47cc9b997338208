"""Tests for geo.map_context: hover details, greyed context, highlights, tile warning."""

from __future__ import annotations

import json

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import map_context, maps

EVIL = "Xã <script>alert('x')</script>"
NO_COUNTRIES = gpd.GeoDataFrame({"iso3": [], "name_vi": []}, geometry=[], crs="EPSG:4326")
NO_BORDERS = gpd.GeoDataFrame({"iso3": []}, geometry=[], crs="EPSG:4326")


@pytest.fixture()
def cov() -> gpd.GeoDataFrame:
    """Four communes in a row: Laos border, both borders, inland, inland without roster."""
    return gpd.GeoDataFrame(
        {"code": ["1", "2", "3", "4"],
         "name": ["Xã Mường Nhé", "Xã A & B", EVIL, "Xã Bốn"],
         "district": ["Huyện Một", "Huyện Một", "Huyện <Hai>", "Huyện <Hai>"],
         "district_code": ["01", "01", "02", "02"],
         "border_countries": ["LAO", "LAO;CHN", "", None],
         "chiefs": [1, 1, 0, np.nan], "deputies": [2, 1, 0, np.nan],
         "officers": [4, 3, 0, np.nan], "total_police": [7, 5, 0, np.nan],
         "staffing_gap": [0, 1, 2, np.nan], "reinforcements": [3, 0, 0, np.nan],
         "border_km_lao": [12.0, 3.0, 0.0, 0.0], "border_km_chn": [0.0, 2.0, 0.0, 0.0]},
        geometry=[shapely.box(102.0 + 0.1 * i, 21.0, 102.1 + 0.1 * i, 21.1) for i in range(4)],
        crs="EPSG:4326")


def test_hover_properties_name_district_border_and_figures_escaped(cov):
    props = map_context.hover_properties(cov, lang="vi")
    assert props["1"] == {"name": "Xã Mường Nhé", "district": "Huyện Một", "border": "Lào",
                          "total_police": "7", "ranks": "1 / 2 / 4", "staffing_gap": "0",
                          "reinforcements": "3"}
    assert props["2"]["name"] == "Xã A &amp; B"
    assert props["2"]["border"] == "Lào; Trung Quốc"
    assert props["3"]["name"] == "Xã &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    assert props["3"]["district"] == "Huyện &lt;Hai&gt;"
    assert props["3"]["border"] == "Không giáp biên giới"
    assert props["4"]["total_police"] == "–" and props["4"]["ranks"] == "– / – / –"
    assert map_context.hover_properties(cov, lang="en")["2"]["border"] == "Laos; China"


def test_hover_fields_leave_out_an_empty_district(cov):
    assert "district" in map_context.hover_fields(cov)
    no_district = cov.assign(district="")
    assert map_context.hover_fields(no_district) == [
        "name", "border", "total_police", "ranks", "staffing_gap", "reinforcements"]


def test_with_hover_merges_properties_and_keeps_only_the_frame(cov):
    features = maps.commune_features(cov, tolerance_m=0)
    out = map_context.with_hover(features, cov.iloc[:2], lang="en")
    assert [f["id"] for f in out["features"]] == ["1", "2"]
    assert out["features"][1]["properties"]["border"] == "Laos; China"
    assert out["features"][1]["properties"]["code"] == "2"
    assert "border" not in features["features"][1]["properties"]  # the input is not changed


def test_outside_layer_greys_what_the_filter_left_out(cov):
    features = maps.commune_features(cov, tolerance_m=0)
    assert map_context.outside_layer(features, ["1", "2", "3", "4"]) is None
    layer = map_context.outside_layer(features, ["2"], lang="en")
    assert [f["id"] for f in layer.data["features"]] == ["1", "3", "4"]
    assert layer.layer_name == "Other communes (outside the filters)"


def test_filtered_map_keeps_the_province_greyed_and_opens_on_it(cov):
    features = maps.commune_features(cov, tolerance_m=0)
    shown = cov.iloc[[1]]
    m = maps.build_coverage_map(shown, context=cov, features=features, borders=NO_BORDERS,
                                countries=NO_COUNTRIES, tolerance_m=0)
    html = m.get_root().render()
    assert map_context.OUTSIDE_FILL in html
    layers = [c for c in m._children.values() if isinstance(c, folium.GeoJson)]
    greyed = [g for g in layers if g.layer_name.startswith("Các xã khác")]
    assert len(greyed) == 1 and len(greyed[0].data["features"]) == 3
    assert greyed[0].options.get("interactive") is False  # clicks and hovers: selection only
    communes = [g for g in layers if g.layer_name.startswith("Xã —")]
    assert [f["id"] for f in communes[0].data["features"]] == ["2"]
    bounds = [c for c in m._children.values() if type(c).__name__ == "FitBounds"][0].bounds
    assert bounds == [[21.0, 102.0], [21.1, pytest.approx(102.4)]]  # the whole province


def test_unfiltered_map_has_no_greyed_layer_and_the_rich_tooltip(cov):
    m = maps.build_coverage_map(cov, borders=NO_BORDERS, countries=NO_COUNTRIES, lang="en")
    html = m.get_root().render()
    assert map_context.OUTSIDE_FILL not in html
    tooltip = json.dumps(["Commune", "District", "Borders", "Total police",
                          "Chiefs / deputies / officers", "Staffing gap", "Reinforcements"])
    assert tooltip in html
    assert "<script>alert" not in html


def test_highlight_group_outlines_the_chosen_communes(cov):
    features = maps.commune_features(cov, tolerance_m=0)
    group = map_context.highlight_group(features, ["3", "4", "9"], lang="en")
    (layer,) = [c for c in group._children.values() if isinstance(c, folium.GeoJson)]
    assert [f["id"] for f in layer.data["features"]] == ["3", "4"]
    assert not [c for c in map_context.highlight_group(features, [])._children.values()
                if isinstance(c, folium.GeoJson)]


@pytest.mark.parametrize("tiles, expected", [("offline", False), ("osm", True),
                                             ("https://tiles.example/{z}/{x}/{y}.png", True)])
def test_online_basemap_carries_the_tile_warning(cov, tiles, expected):
    html = maps.build_coverage_map(cov, borders=NO_BORDERS, countries=NO_COUNTRIES, tiles=tiles,
                                   lang="en").get_root().render()
    assert ("bordermap-tile-warning" in html) is expected
    assert ('"The online basemap cannot be loaded' in html) is expected
    if expected:
        assert 'layer.on("tileerror", show)' in html


def test_tile_warning_is_in_the_chosen_language():
    m = folium.Map()
    m.add_child(map_context.tile_warning(lang="vi"))
    html = m.get_root().render()
    assert "Kh\\u00f4ng t\\u1ea3i \\u0111\\u01b0\\u1ee3c" in html or "Không tải được" in html
    assert "textContent" in html  # text, never HTML


def test_focus_without_scroll_is_on_every_map(cov):
    html = maps.build_coverage_map(cov, borders=NO_BORDERS,
                                   countries=NO_COUNTRIES).get_root().render()
    assert "preventScroll: true" in html


def test_hover_properties_of_an_empty_frame():
    empty = pd.DataFrame({"code": []})
    assert map_context.hover_properties(empty) == {}
