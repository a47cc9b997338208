"""Tests for geo.district_summary: per-district figures, the clickable chart, selections."""

from __future__ import annotations

import pandas as pd
import pytest

from geo import district_summary as ds
from geo._errors import BorderMapError


@pytest.fixture()
def cov() -> pd.DataFrame:
    return pd.DataFrame({
        "code": ["1", "2", "3", "4", "5"],
        "district": ["Huyện B", "Huyện A", "Huyện B", "Huyện B", None],
        "border_countries": ["LAO", "", "LAO;CHN", None, "LAO"],
        "total_police": [3, 4, 5, 0, 9],
        "staffing_gap": [0, 1, 2, 0, 1],
        "reinforcements": [1, 0, 0, 0, 0],
        "chiefs": [1, 1, 1, 0, 1], "deputies": [1, 1, 2, 0, 2], "officers": [1, 2, 2, 0, 6],
    })


def test_district_summary_counts_and_sums(cov):
    out = ds.district_summary(cov)
    assert list(out.columns) == ["district", "communes", "border_communes", "total_police",
                                 "staffing_gap", "reinforcements", "chiefs", "deputies",
                                 "officers"]
    assert out.to_dict("records") == [
        {"district": "Huyện A", "communes": 1, "border_communes": 0, "total_police": 4,
         "staffing_gap": 1, "reinforcements": 0, "chiefs": 1, "deputies": 1, "officers": 2},
        {"district": "Huyện B", "communes": 3, "border_communes": 2, "total_police": 8,
         "staffing_gap": 2, "reinforcements": 1, "chiefs": 2, "deputies": 3, "officers": 3},
    ]  # the commune without a district (5) is left out


def test_district_summary_without_districts_is_empty(cov):
    assert ds.district_summary(cov.assign(district="")).empty
    assert ds.district_summary(cov.drop(columns="district")).empty


def test_district_of(cov):
    assert ds.district_of(cov, "3") == "Huyện B"
    assert ds.district_of(cov, 2) == "Huyện A"
    assert ds.district_of(cov, "5") is None  # no district
    assert ds.district_of(cov, "99") is None and ds.district_of(cov, None) is None


@pytest.mark.parametrize("map_metric, expected", [
    ("total_police", "total_police"), ("staffing_gap", "staffing_gap"),
    ("reinforcements", "reinforcements"), ("police_per_100km2", "total_police"),
    ("border_km", "border_communes"), ("unknown", "total_police")])
def test_chart_metric(map_metric, expected):
    assert ds.chart_metric(map_metric) == expected


def test_district_chart_highlights_the_selection_and_can_be_clicked(cov):
    summary = ds.district_summary(cov)
    spec = ds.district_chart(summary, metric="staffing_gap", selected=["Huyện B"],
                             lang="en").to_dict()
    assert spec["params"][0]["name"] == ds.SELECTION
    assert spec["params"][0]["select"]["fields"] == ["district"]
    values = next(iter(spec["datasets"].values()))
    assert [(v["district"], v["highlight"], v["label"]) for v in values] == [
        ("Huyện A", False, "A"), ("Huyện B", True, "B")]
    assert spec["encoding"]["x"]["title"] == "Staffing gap (missing posts)"
    colors = spec["encoding"]["color"]
    assert colors["condition"]["value"] == ds.BAR_SELECTED and colors["value"] == ds.BAR_OTHER


def test_district_chart_without_selection_draws_every_bar_dark(cov):
    spec = ds.district_chart(ds.district_summary(cov)).to_dict()
    assert all(v["highlight"] for v in next(iter(spec["datasets"].values())))


def test_district_chart_refuses_an_unknown_metric(cov):
    with pytest.raises(BorderMapError, match="unknown chart metric 'area'"):
        ds.district_chart(ds.district_summary(cov), metric="area")


@pytest.mark.parametrize("state, expected", [
    ({"selection": {ds.SELECTION: [{"district": "Huyện B"}]}}, "Huyện B"),
    ({"selection": {ds.SELECTION: []}}, None),
    ({"selection": {}}, None),
    (None, None),
    ("garbage", None),
])
def test_chart_selection(state, expected):
    assert ds.chart_selection(state) == expected


def test_selection_key_changes_with_the_rows_only():
    assert ds.selection_key("t", ["1", "2"]) == ds.selection_key("t", ["2", "1"])
    assert ds.selection_key("t", ["1", "2"]) != ds.selection_key("t", ["1"])
    assert ds.selection_key("t", []).startswith("t_")


def test_selected_text_escapes_markdown_in_the_name():
    assert ds.selected_text("Huyện Mường Nhé", 5) == "Huyện đang chọn: **Huyện Mường Nhé** — 5 xã"
    text = ds.selected_text("*a* [b](javascript:x) `c`", 1, lang="en")
    assert text == ("Selected district: **\\*a\\* \\[b\\]\\(javascript\\:x\\) \\`c\\`** "
                    "— 1 communes")
