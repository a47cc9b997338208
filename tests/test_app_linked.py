"""App tests of the linked views and the readable map (pages run under Streamlit's AppTest).

The district chosen in the chart or on the map lives in
``st.session_state["linked_district"]`` (set by the chart's and the map's
callbacks, which AppTest cannot click: the browser test
tests/e2e/test_layout.py clicks them); these tests set it and check what the
page does with it.
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from geo.auth import User
from geo.coverage import load_coverage
from geo.district_summary import SELECTION
from geo.map_context import HIGHLIGHT_COLOR, OUTSIDE_FILL
from geo.settings import REPO_ROOT
from geo.tables import filter_coverage

MAP_PAGE = str(REPO_ROOT / "pages" / "map.py")
BORDER_PAGE = str(REPO_ROOT / "pages" / "border.py")
TIMEOUT = 120


def _page(path: str, **state) -> AppTest:
    at = AppTest.from_file(path, default_timeout=TIMEOUT)
    at.session_state["user"] = User("tester", "planner")
    state.setdefault("vintage", "2020")  # the district chart needs the 2020 map's districts
    state.setdefault("roster_vintage", "2020")
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def _elements(at: AppTest, kind: str) -> list:
    return [e for e in at.main if getattr(e, "type", None) == kind]


def _map_args(at: AppTest) -> dict:
    (component,) = _elements(at, "component_instance")
    return json.loads(component.proto.json_args)


@pytest.fixture(scope="module")
def cov2020():
    return load_coverage(vintage="2020")


def test_border_page_draws_the_district_chart_beside_the_map(cov2020):
    at = _page(BORDER_PAGE)
    assert not at.exception
    (chart,) = _elements(at, "vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    assert spec["params"][0]["name"] == SELECTION
    shown = filter_coverage(cov2020, border="any")
    assert len(at.dataframe[-1].value) == len(shown)
    args = _map_args(at)
    assert OUTSIDE_FILL in args["script"]  # the rest of the province stays, greyed
    assert "bm-commune-label" in args["script"]


def test_a_selected_district_filters_the_table_and_is_outlined(cov2020):
    at = _page(BORDER_PAGE, linked_district="Huyện Mường Nhé")
    assert not at.exception
    shown = filter_coverage(cov2020, border="any")
    expected = shown[shown["district"] == "Huyện Mường Nhé"]
    assert 1 <= len(expected) < len(shown)
    table = at.dataframe[-1].value
    assert sorted(table["Mã xã"]) == sorted(expected["code"])
    assert f"Huyện đang chọn: **Huyện Mường Nhé** — {len(expected)} xã" in [
        m.value for m in at.markdown]
    args = _map_args(at)
    highlight = args.get("feature_group") or ""
    assert HIGHLIGHT_COLOR in highlight and all(c in highlight for c in expected["code"])
    spec = json.loads(_elements(at, "vega_lite_chart")[0].proto.spec)
    assert spec["encoding"]["color"]["condition"]["test"] == "datum.highlight"

    at.button(key="district_clear").click().run()
    assert at.session_state["linked_district"] is None
    assert len(at.dataframe[-1].value) == len(shown)


def test_a_district_outside_the_filters_is_dropped(cov2020):
    at = _page(BORDER_PAGE, linked_district="Huyện Tuần Giáo")  # no border commune there
    assert not at.exception
    assert at.session_state["linked_district"] is None
    assert len(at.dataframe[-1].value) == len(filter_coverage(cov2020, border="any"))


def test_border_page_2025_has_no_district_chart():
    at = _page(BORDER_PAGE, vintage="2025")
    assert not at.exception
    assert not _elements(at, "vega_lite_chart")
    assert any("không có biểu đồ theo huyện" in c.value for c in at.caption)


def test_map_page_labels_the_communes_and_shows_the_record_without_scrolling():
    at = _page(MAP_PAGE, coverage_map={"last_active_drawing": {
        "type": "Feature", "properties": {"code": "03154"}}})
    assert not at.exception
    script = _map_args(at)["script"]
    assert "bm-commune-label" in script and "L\\u00c0O" in script
    record = at.dataframe[-1]
    rows = len(record.value)
    assert rows >= 20
    assert record.proto.row_height == 21  # compact rows (no scrolling: tests/e2e/test_layout.py)


def test_online_basemap_note_and_warning_control():
    at = _page(MAP_PAGE, tiles="osm")
    assert not at.exception
    assert any("cần Internet" in c.value for c in at.caption)
    assert "bordermap-tile-warning" in _map_args(at)["script"]
