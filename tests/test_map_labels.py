"""Tests for geo.map_labels: collision-free commune labels and neighbouring provinces."""

from __future__ import annotations

import json
import math

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import map_labels, maps
from geo._errors import BorderMapError
from geo.map_labels import place_labels, short_name

EVIL = "Xã <script>alert('x')</script>"


def _has(html: str, text: str) -> bool:
    """True if ``text`` is in ``html`` as is or as a JSON string (``\\u`` escapes)."""
    variants = {text, json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]}
    variants |= {v.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                 .replace("'", "\\u0027") for v in list(variants)}
    return any(v in html for v in variants)


@pytest.fixture()
def communes() -> gpd.GeoDataFrame:
    """Two big communes and a small one between them, about 11 km wide each, near Điện Biên."""
    return gpd.GeoDataFrame(
        {"code": ["1", "2", "3"], "name": ["Xã Mường Nhé", "Phường Him Lam", EVIL],
         "unit_type": ["Xã", "Phường", "Xã"], "province_code": ["11"] * 3,
         "border_countries": ["LAO", "", ""]},
        geometry=[shapely.box(102.0, 21.0, 102.1, 21.1), shapely.box(102.12, 21.0, 102.22, 21.1),
                  shapely.box(102.1, 21.0, 102.12, 21.1)],
        crs="EPSG:4326")


@pytest.mark.parametrize("name, unit, expected", [
    ("Xã Mường Nhé", "Xã", "Mường Nhé"),
    ("Thị trấn Tuần Giáo", "Thị trấn", "Tuần Giáo"),
    ("Phường Him Lam", None, "Him Lam"),
    ("Tỉnh Sơn La", None, "Sơn La"),
    ("Xã", "Xã", "Xã"),  # nothing left after the prefix: keep the name
])
def test_short_name(name, unit, expected):
    assert short_name(name, unit) == expected


def test_place_labels_resolves_overlaps_by_priority_and_zoom():
    # two 40-px labels 0.001° apart: ~0.7 px at zoom 8, ~12 px at 14, ~47 px at 16
    zooms = place_labels([0, 0.001], [0, 0], [40, 40], priority=[1, 2], zooms=[8, 14, 16])
    assert zooms[1] == 8  # higher priority first
    assert zooms[0] == 16  # the other only once the boxes are apart


def test_place_labels_keeps_a_label_once_placed_and_never_places_what_cannot_fit():
    lon = [0.0, 0.2, 0.1, 0.1]
    lat = [0.0, 0.0, 0.0, 0.0]
    zooms = place_labels(lon, lat, [60, 60, 60, 60], priority=[4, 3, 2, 1],
                         zooms=[6, 8, 10])
    assert zooms[0] == 6
    assert all(z >= 6 for z in zooms[:3])
    assert math.isnan(zooms[3])  # same place as a higher-priority label: never shown
    # a label placed at a zoom is placed at every larger zoom: check the boxes at 10
    scale = 256 * 2 ** 10 / 360
    placed = [i for i in range(4) if not math.isnan(zooms[i])]
    for i in placed:
        for j in placed:
            if i < j:
                assert abs(lon[i] - lon[j]) * scale >= 60 + 2 * map_labels.LABEL_PAD_PX


def test_place_labels_needs_matching_lengths():
    with pytest.raises(BorderMapError, match="one lon, lat, width and priority"):
        place_labels([0, 1], [0], [10, 10], priority=[1, 2])


def test_label_points_lie_inside_their_polygons(communes):
    points = map_labels.label_points(communes)
    assert points.crs == "EPSG:4326"
    assert all(shapely.contains(g, p) for g, p in zip(communes.geometry, points))
    # a square's inscribed-circle centre is its centre (within the 200 m tolerance)
    assert points.iloc[0].x == pytest.approx(102.05, abs=0.003)


def test_label_points_refuse_a_layer_without_crs(communes):
    with pytest.raises(BorderMapError, match="without a CRS"):
        map_labels.label_points(communes.set_crs(None, allow_override=True))


def test_commune_label_layer_escapes_names_and_shows_by_zoom(communes):
    m = folium.Map(location=[21.05, 102.1], zoom_start=9)
    group = map_labels.commune_label_layer(communes, lang="en")
    group.add_to(m)
    html = m.get_root().render()
    assert _has(html, "Mường Nhé") and _has(html, "Him Lam")
    assert not _has(html, "<script>alert") and _has(html, "&lt;script&gt;")
    assert "bm-commune-label bm-lz-" in html and "bm-border" in html
    assert ".bm-zl-0 .bm-lz-0" in html  # hidden below the first zoom step
    assert group.layer_name == "Commune names"
    assert f"var map = {m.get_name()};" in html and 'map.on("zoomend", update)' in html


def test_zoom_script_outside_a_map_is_an_error():
    group = folium.FeatureGroup()
    element = map_labels.ZoomClasses()
    group.add_child(element)
    with pytest.raises(BorderMapError, match="added to a map"):
        element.map_name()


def test_zoom_css_hides_labels_above_the_current_step():
    css = map_labels._zoom_css(3)
    assert ".bm-zl-0 .bm-lz-0,.bm-zl-0 .bm-lz-1,.bm-zl-0 .bm-lz-2{display:none;}" in css
    assert ".bm-zl-2 .bm-lz-2{display:none;}" in css
    assert ".bm-zl-3 " not in css  # every label shown at the last step


def _units(rows):
    return pd.DataFrame(rows, columns=["province_code", "province", "lat", "lon"])


def test_neighbour_provinces_keeps_near_provinces_with_enough_communes(communes):
    # the communes span lon 102.0–102.22, lat 21.0–21.1; 0.1° ≈ 10.4 km east-west here
    units = _units([
        ("12", "Tỉnh Lai Châu", 21.20, 102.05), ("12", "Tỉnh Lai Châu", 21.22, 102.10),
        ("12", "Tỉnh Lai Châu", 21.24, 102.15),          # 11–16 km north: a neighbour
        ("14", "Tỉnh Sơn La", 21.05, 102.70), ("14", "Tỉnh Sơn La", 21.06, 102.75),  # ~50 km
        ("15", "Tỉnh Xa", 21.05, 102.30),                 # one commune only
        ("11", "Tỉnh Điện Biên", 21.20, 102.05), ("11", "Tỉnh Điện Biên", 21.21, 102.06),
    ])
    out = map_labels.neighbour_provinces(communes, units=units)
    assert list(out["province"]) == ["Lai Châu"]
    assert (out["lat"].iloc[0], out["lon"].iloc[0]) == (21.22, 102.10)  # nearest to the mean
    assert out["communes"].iloc[0] == 3


def test_neighbour_label_layer_escapes_and_is_not_interactive(communes):
    m = folium.Map(location=[21.05, 102.1], zoom_start=9)
    neighbours = pd.DataFrame({"province": ["Lai Châu", "<b>x</b>"], "lon": [102.1, 102.2],
                               "lat": [21.3, 21.3], "communes": [3, 2]})
    map_labels.neighbour_label_layer(communes, neighbours=neighbours).add_to(m)
    html = m.get_root().render()
    assert _has(html, "Lai Châu") and _has(html, "&lt;b&gt;x&lt;/b&gt;")
    assert not _has(html, "<b>x</b>")
    assert "interactive: false" in html


@pytest.mark.slow
def test_the_province_map_names_its_neighbours_and_labels_communes():
    from geo.coverage import load_coverage

    cov = load_coverage(vintage="2020")
    neighbours = map_labels.neighbour_provinces(cov)
    assert {"Lai Châu", "Sơn La"} <= set(neighbours["province"])
    area = shapely.union_all(np.asarray(cov.geometry.values, dtype=object))
    for _, row in neighbours.iterrows():  # written outside the province
        assert not area.contains(shapely.Point(row["lon"], row["lat"]))
    html = maps.build_coverage_map(cov, labels=True).get_root().render()
    for text in ["Lai Châu", "Sơn La", "LÀO", "TRUNG QUỐC", "Mường Nhé", "Sín Thầu"]:
        assert _has(html, text), text
    assert html.count("bm-commune-label bm-lz-") >= 100
