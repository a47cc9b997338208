"""The rendered-map cache of the pages (pages/_mapcache.py): same pieces as st_folium, built once."""

from __future__ import annotations

import folium
import streamlit_folium as stf
from streamlit.testing.v1 import AppTest

from pages import _mapcache


def _tiny_map() -> folium.Map:
    m = folium.Map(location=[21.4, 103.0], zoom_start=8, tiles=None)
    folium.GeoJson({"type": "FeatureCollection", "features": [{
        "type": "Feature", "id": "03154", "properties": {"code": "03154", "name": "Xã Sín Thầu"},
        "geometry": {"type": "Polygon", "coordinates": [[[102.1, 22.3], [102.3, 22.3],
                                                          [102.3, 22.5], [102.1, 22.3]]]}}]},
        name="communes").add_to(m)
    return m


def test_rendered_pieces_are_those_st_folium_sends():
    rendered = _mapcache.render_map(_tiny_map())
    other = _tiny_map()
    other.get_root().render()
    other.render()
    html, header = stf._get_html(other), stf._get_header(other)
    assert rendered.script == stf._get_map_string(other)  # ids standardised: equal
    assert rendered.html == html and rendered.header == header
    assert "03154" in rendered.script
    assert rendered.bounds["_southWest"] == {"lat": 22.3, "lng": 102.1}
    assert _mapcache.render_map(_tiny_map(), bounds=False).bounds == {}
    assert rendered.size > 0


def test_selection_layer_is_rendered_without_touching_the_cached_map():
    m = _tiny_map()
    rendered = _mapcache.render_map(m)
    children = list(m._children)
    group = folium.FeatureGroup(name="selected")
    folium.Marker([22.4, 102.2]).add_to(group)
    script = _mapcache._feature_groups(group)
    assert "map_div.addLayer(feature_group_feature_group_0)" in script
    assert list(m._children) == children  # nothing added to the map that was rendered
    assert "geo_json" not in script and "03154" not in script
    assert "feature_group" not in rendered.script


def _page_script():
    import folium
    import streamlit as st

    from pages._mapcache import cached_folium

    def build():
        st.session_state["builds"] = st.session_state.get("builds", 0) + 1
        return folium.Map(location=[21.4, 103.0], zoom_start=8, tiles=None)

    metric = st.selectbox("metric", ["a", "b"], key="metric")
    cached_folium(build, cache_key=("test-map-cache", metric), key="m", height=300,
                  returned_objects=["last_active_drawing"])


def test_the_map_is_built_once_per_cache_key():
    import streamlit as st

    st.cache_data.clear()
    at = AppTest.from_function(_page_script).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["builds"] == 1
    at.run()
    at.run()
    assert at.session_state["builds"] == 1  # reruns reuse the rendered map
    at.selectbox(key="metric").select("b").run()
    assert at.session_state["builds"] == 2  # another key: built once more
    at.selectbox(key="metric").select("a").run()
    assert at.session_state["builds"] == 2
    second = AppTest.from_function(_page_script).run()  # another session: the shared cache
    assert "builds" not in second.session_state


def test_only_the_default_data_shares_the_coverage_cache_across_homes(monkeypatch, tmp_path):
    """The coverage cache names no home only when every store is empty (sample rosters,
    computed flags, committed norms, no boundary file); anything stored keys it by home."""
    from pages import _common

    monkeypatch.setenv("BORDERMAP_HOME", str(tmp_path))
    assert _common._home_key("empty:0||norms:0", "") == ""
    assert _common._home_key("empty:0|empty:0||norms:0", "") == ""  # 2025 map, 2020 streams
    for token, path in [("5f1c:1||norms:0", ""), ("empty:0|5f1c:2||norms:0", ""),
                        ("empty:0|9ab:1|norms:0", ""), ("empty:0||norms:1", ""),
                        ("empty:0||norms:0", "/data/xa.gpkg"), ("no-store|", ""),
                        ("no-store", "")]:
        assert _common._home_key(token, path) == str(tmp_path), (token, path)
