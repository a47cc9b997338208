"""Tests for geo.maps (folium map builders) and geo.offline_assets (offline Leaflet)."""

from __future__ import annotations

import json
import re

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import maps, offline_assets, style
from geo._errors import BorderMapError

EVIL = "Xã <script>alert('x')</script>"


def _square(x: float, y: float, size: float = 0.1) -> shapely.Polygon:
    return shapely.box(x, y, x + size, y + size)


@pytest.fixture()
def cov() -> gpd.GeoDataFrame:
    """Three communes side by side near Điện Biên: a Laos-border one, a China one, one inland."""
    frame = gpd.GeoDataFrame(
        {
            "code": ["00001", "00002", "00003"],
            "name": ["Xã Mường Nhé", "Xã A & B", EVIL],
            "unit_type": ["Xã", "Xã", "Xã"],
            "district_code": ["001", "001", "002"],
            "district": ["Huyện Một", "Huyện Một", "Huyện Hai"],
            "province": ["Tỉnh Điện Biên"] * 3,
            "border_countries": ["LAO", "CHN", ""],
            "border_km_lao": [12.0, 0.0, 0.0],
            "border_km_chn": [0.0, 5.0, 0.0],
            "border_km": [12.0, 5.0, 0.0],
            "chiefs": [1, 1, 0], "deputies": [2, 1, 0], "officers": [4, 3, 0],
            "reinforcements": [3, 0, 0],
            "total_police": [10, 5, 0],
            "police_per_100km2": [8.1, 4.0, 0.0],
            "staffing_gap": [0, 1, 0],
            "approximate": [True, True, True],
        },
        geometry=[_square(102.5, 21.5), _square(102.6, 21.5), _square(102.7, 21.5)],
        crs="EPSG:4326",
    )
    frame.attrs.update({"approximate": True, "sample_roster": True})
    return frame


@pytest.fixture()
def borders() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"iso3": ["CHN", "LAO"], "name": ["China", "Laos"], "name_vi": ["Trung Quốc", "Lào"]},
        geometry=[shapely.LineString([(102.6, 21.6), (102.7, 21.6)]),
                  shapely.LineString([(102.5, 21.5), (102.5, 21.6)])],
        crs="EPSG:4326")


NO_COUNTRIES = gpd.GeoDataFrame({"iso3": [], "name_vi": []}, geometry=[], crs="EPSG:4326")


def _html(m: folium.Map) -> str:
    return m.get_root().render()


def _has(html: str, text: str) -> bool:
    """True if ``text`` is in ``html`` as is or as a JSON string (``\\u`` escapes)."""
    variants = {text, json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]}
    variants |= {v.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                 .replace("'", "\\u0027") for v in list(variants)}
    return any(v in html for v in variants)


def _map(cov, borders, **kwargs) -> folium.Map:
    return maps.build_coverage_map(cov, borders=borders, countries=NO_COUNTRIES, **kwargs)


# --------------------------------------------------------------------------- content

def test_every_commune_code_is_a_feature(cov, borders):
    html = _html(_map(cov, borders))
    for code in cov["code"]:
        assert f'"code": "{code}"' in html


def test_features_carry_only_code_and_escaped_name(cov):
    fc = maps.commune_features(cov)
    assert [f["id"] for f in fc["features"]] == ["00001", "00002", "00003"]
    assert {tuple(sorted(f["properties"])) for f in fc["features"]} == {("code", "name")}
    names = [f["properties"]["name"] for f in fc["features"]]
    assert names == ["Xã Mường Nhé", "Xã A &amp; B",
                     "Xã &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"]


def test_script_in_a_name_is_escaped_in_the_html(cov, borders):
    html = _html(_map(cov, borders))
    assert _has(html, "Xã &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;")
    assert "<script>alert(" not in html
    assert "\\u003cscript\\u003ealert(" not in html  # not even inside a JSON string


def test_layer_names_legend_and_notes(cov, borders):
    html = _html(_map(cov, borders, metric="total_police", lang="vi"))
    for text in ["Xã — Tổng số công an", "Viền xã biên giới", "Ranh giới huyện",
                 "Biên giới Việt Nam – Lào", "Biên giới Việt Nam – Trung Quốc"]:
        assert _has(html, text), text
    assert "L.control.layers" in html
    assert _has(html, '<div class="title">Tổng số công an</div>')
    assert _has(html, "Ranh giới gần đúng · Dữ liệu mẫu — không phải phân công thực tế")
    assert "preferCanvas\": true" in html or "preferCanvas: true" in html


def test_english_labels(cov, borders):
    html = _html(_map(cov, borders, metric="staffing_gap", lang="en"))
    for text in ["Communes — Staffing gap (missing posts)", "Vietnam–Laos border",
                 "Vietnam–China border", "Approximate boundaries"]:
        assert _has(html, text), text


def test_legend_swatches_are_the_rendered_fill_colours(cov, borders):
    """The legend shows each class as seen: the fill at its opacity over the basemap."""
    html = _html(_map(cov, borders, metric="total_police"))
    legend = style.build_legend(cov["total_police"], "total_police")
    fills = set(re.findall(r'"fillColor": "(#[0-9a-f]{6})"', html))
    for cls in legend.classes:
        assert cls.swatch == style.rendered_color(cls.color)
        assert _has(html, f'background:{cls.swatch}')  # the swatch is the blended colour
        assert cls.color in fills  # the fill is drawn with the palette colour …
    assert f'"fillOpacity": {style.FILL_OPACITY}' in html  # … at this opacity


def test_border_lines_styled_apart(cov, borders):
    html = _html(_map(cov, borders))
    assert maps.BORDER_STYLES["LAO"]["color"] in html
    assert maps.BORDER_STYLES["CHN"]["color"] in html
    assert maps.BORDER_STYLES["LAO"]["color"] != maps.BORDER_STYLES["CHN"]["color"]


def test_no_borders_no_districts_on_request(cov):
    empty = gpd.GeoDataFrame({"iso3": []}, geometry=[], crs="EPSG:4326")
    html = _html(maps.build_coverage_map(cov, borders=empty, countries=NO_COUNTRIES,
                                         districts=False))
    assert not _has(html, "Biên giới Việt Nam – Lào")
    assert not _has(html, "Ranh giới huyện")


def test_plugins_present(cov, borders):
    m = _map(cov, borders)
    kinds = {type(c) for c in m._children.values()}
    assert folium.plugins.Fullscreen in kinds
    assert folium.plugins.MeasureControl in kinds
    assert folium.LayerControl in kinds


def test_coordinates_rounded_and_simplified(cov):
    wiggly = cov.copy()
    ring = [(102.5 + 0.1 * i / 200, 21.5 + 0.00001 * (i % 2)) for i in range(201)]
    wiggly.loc[0, "geometry"] = shapely.Polygon(ring + [(102.6, 21.6), (102.5, 21.6)])
    fc = maps.commune_features(wiggly)
    coords = np.array(fc["features"][0]["geometry"]["coordinates"][0])
    assert len(coords) < 20  # 1 m wiggles removed at 75 m tolerance
    assert np.allclose(coords, np.round(coords, 5))


def test_simplify_refuses_a_frame_without_crs(cov):
    with pytest.raises(BorderMapError, match="without a CRS"):
        maps.simplify_for_display(gpd.GeoDataFrame(cov.drop(columns="geometry"),
                                                   geometry=list(cov.geometry)))


def test_bad_metric_and_tiles(cov, borders):
    with pytest.raises(BorderMapError, match="unknown map metric 'colour'"):
        _map(cov, borders, metric="colour")
    with pytest.raises(BorderMapError, match="tiles must be"):
        _map(cov, borders, tiles="ftp://tiles")


def test_tiles_setting(monkeypatch):
    monkeypatch.delenv(maps.TILES_ENV, raising=False)
    assert maps.default_tiles() == "offline"
    monkeypatch.setenv(maps.TILES_ENV, "OSM")
    assert maps.default_tiles() == "osm"
    url = "http://tiles.intranet/{z}/{x}/{y}.png"
    monkeypatch.setenv(maps.TILES_ENV, url)
    assert maps.default_tiles() == url
    monkeypatch.setenv(maps.TILES_ENV, "http://tiles.intranet/z/x/y.png")
    with pytest.raises(BorderMapError, match="BORDERMAP_TILES"):
        maps.default_tiles()


def test_offline_map_has_no_tile_layer_osm_has(cov, borders):
    assert "tile.openstreetmap.org" not in _html(_map(cov, borders))
    assert "tile.openstreetmap.org" in _html(_map(cov, borders, tiles="osm"))


# --------------------------------------------------------------------------- classes

def test_class_breaks_zero_class_and_quantiles():
    assert maps.class_breaks([0, 0, 0, 1, 2, 3, 4], k=3, integer=True) == [0.0, 1.0, 2.0, 4.0]
    assert maps.class_breaks([0, 0, 1], integer=True) == [0.0, 1.0, 1.0]
    assert maps.class_breaks([5, 5, 5]) == [5.0, 5.0]
    assert maps.class_breaks([np.nan, np.nan]) == [0.0, 0.0]


def test_classify_and_labels():
    edges = [0.0, 1.0, 3.0, 4.0]
    assert maps.classify([0, 1, 2, 3, 4, np.nan], edges).tolist() == [0, 1, 1, 2, 2, -1]
    # one label function (geo.style) for the app's legend and the briefing's
    labels = [c.label for c in style.build_legend([0, 1, 2, 3, 4], "total_police", k=3).classes]
    assert labels == ["0  (1 đv)", "1  (1 đv)", "2 – 4  (3 đv)"]
    flat = style.build_legend([0, 0, 1], "staffing_gap", lang="en")
    assert [c.label for c in flat.classes] == ["0  (2 units)", "1  (1 units)"]
    real = style.build_legend([0, 0, 2.5, 7.25], "police_per_100km2", lang="en", k=2)
    assert [c.label for c in real.classes] == ["0.0  (2 units)", "2.5 – 7.2  (2 units)"]


def test_colormap_classes_match_data(cov):
    cm = maps.metric_colormap(cov, "total_police", lang="vi")
    assert list(cm.index) == [0.0, 5.0, 10.0, 10.0]
    assert cm.caption == "Tổng số công an"
    assert maps.class_colors(cm)[0] == maps.PALETTES["total_police"][0]


def test_one_value_everywhere_is_one_light_class(cov):
    flat = cov.assign(staffing_gap=0)
    cm = maps.metric_colormap(flat, "staffing_gap")
    assert list(cm.index) == [0.0, 0.0]
    assert maps.class_colors(cm) == [maps.PALETTES["staffing_gap"][0]]


# --------------------------------------------------------------------------- offline assets

def test_every_folium_asset_of_the_map_has_an_offline_copy(cov, borders):
    js, css = offline_assets.map_assets(_map(cov, borders), prune=False)
    assert any("leaflet.js" in url for _, url in js)
    for _, url in js + css:
        assert offline_assets.asset_text(url), url


def test_unknown_asset_is_an_error():
    with pytest.raises(BorderMapError, match="no offline copy of https://example.invalid/x.js"):
        offline_assets.asset_text("https://example.invalid/x.js")


def test_inline_html_has_no_remote_script_or_link(cov, borders):
    html = offline_assets.inline_map_html(_map(cov, borders))
    assert not re.search(r"<script[^>]+src=[\"']?(https?:)?//", html)
    assert not re.search(r"<link[^>]+href=[\"']?(https?:)?//", html)
    assert offline_assets.remote_assets(html) == []
    assert "L.map(" in html and "Leaflet" in html  # Leaflet itself is inlined
    assert "jquery" not in html.lower().split("</head>")[0][:2000]  # unused assets pruned
    for code in cov["code"]:
        assert f'"code": "{code}"' in html


def test_default_map_html_would_load_from_cdn(cov, borders):
    """The check above can fail: without inlining, folium links CDN addresses."""
    html = _html(_map(cov, borders))
    assert offline_assets.remote_assets(html)


def test_localized_map_points_at_static_copies(cov, borders, tmp_path):
    m = offline_assets.localize_map(_map(cov, borders), base_url="/app/static/bordermap")
    js, css = offline_assets.map_assets(m)
    urls = [u for _, u in js + css]
    assert urls and all(u.startswith("/app/static/bordermap/") for u in urls)
    assert not any(name in offline_assets.UNUSED_ASSETS for name, _ in js + css)
    html = _html(m)
    assert offline_assets.remote_assets(html) == []
    written = offline_assets.write_static_assets(
        [u for _, u in offline_assets.map_assets(_map(cov, borders))[0]],
        static_dir=tmp_path / "static" / "bordermap")
    for url, path in written.items():
        assert path.read_text(encoding="utf-8") == offline_assets.asset_text(url)
        assert path.name == offline_assets.local_name(url)
    assert (tmp_path / "static" / ".gitignore").read_text().strip().endswith("*")


def test_inline_after_localize(cov, borders):
    m = offline_assets.localize_map(_map(cov, borders))
    html = offline_assets.inline_map_html(m)
    assert "/app/static/" not in html
    assert offline_assets.remote_assets(html) == []


def test_folium_class_lists_untouched(cov, borders):
    before = list(folium.Map.default_js)
    offline_assets.localize_map(_map(cov, borders))
    assert folium.Map.default_js == before


# --------------------------------------------------------------------------- integration

def test_whole_province_map_under_two_megabytes():
    from geo.coverage import load_coverage

    cov = load_coverage(vintage="2020")
    m = maps.build_coverage_map(cov)
    html = _html(m)
    for code in cov["code"]:
        assert f'"code": "{code}"' in html
    assert len(html.encode()) < 2_000_000
    assert pd.Series(cov["code"]).is_unique
