"""National overview: per-province and per-country figures, totals, the cache, the map, the page.

The arithmetic is checked on tiny hand-made frames with known answers; the service
and the page on the embedded data (the 25 land-border provinces of the 2020 map),
computed once for the module and read back from the summary cache afterwards.
"""

from __future__ import annotations

import gzip

import geopandas as gpd
import pandas as pd
import pytest
from pdf_text import page_texts
from shapely.geometry import box
from streamlit.testing.v1 import AppTest

from geo import summary_cache
from geo._errors import BorderMapError, InvalidArgument
from geo.auth import User
from geo.national_map import build_national_map
from geo.national_summary import (
    NATIONAL_METRICS,
    SUMMED,
    national_totals,
    province_outlines,
    summarize_countries,
    summarize_provinces,
)
from geo.reference import LAND_BORDER_PROVINCES_2020, PUBLISHED_NATIONAL
from geo.settings import REPO_ROOT

NATIONAL_PAGE = str(REPO_ROOT / "pages" / "national.py")


def _province(code: str, name: str, rows: list[tuple]) -> gpd.GeoDataFrame:
    """A province's coverage: rows of (countries, km lao, km chn, km khm, reinf, gap, police)."""
    frame = gpd.GeoDataFrame({
        "code": [f"{code}{i:03d}" for i in range(len(rows))],
        "province_code": code, "province": name,
        "border_countries": [r[0] for r in rows],
        "is_border": [r[0] != "" for r in rows],
        "border_km_lao": [r[1] for r in rows], "border_km_chn": [r[2] for r in rows],
        "border_km_khm": [r[3] for r in rows],
        "reinforcements": [r[4] for r in rows], "staffing_gap": [r[5] for r in rows],
        "total_police": [r[6] for r in rows],
    }, geometry=[box(i, int(code), i + 1, int(code) + 1) for i in range(len(rows))],
        crs="EPSG:4326")
    frame.attrs.update(sample_roster=code == "01", approximate=True, border_source="computed")
    return frame


@pytest.fixture
def two_provinces():
    a = _province("01", "Tỉnh A", [("LAO CHN", 10.0, 2.5, 0.0, 3, 1, 9),
                                   ("LAO", 4.0, 0.0, 0.0, 2, 0, 8),
                                   ("", 0.0, 0.0, 0.0, 0, 5, 4)])
    b = _province("02", "Tỉnh B", [("KHM", 0.0, 0.0, 7.25, 1, 2, 6),
                                   ("", 0.0, 0.0, 0.0, 0, 3, 5)])
    return [a, b]


# --------------------------------------------------------------------------- arithmetic

def test_province_rows_have_known_figures(two_provinces):
    table = summarize_provinces(two_provinces).set_index("province_code")
    assert table.loc["01", "communes"] == 3
    assert table.loc["01", "border_communes"] == 2
    assert table.loc["01", "border_km"] == pytest.approx(16.5)
    assert table.loc["01", "countries"] == "LAO CHN"
    assert table.loc["01", "reinforcements"] == 5
    assert table.loc["01", "staffing_gap"] == 6
    assert table.loc["02", "border_km_khm"] == pytest.approx(7.25)
    assert table.loc["02", "countries"] == "KHM"
    assert bool(table.loc["01", "sample_roster"]) and not bool(table.loc["02", "sample_roster"])


@pytest.mark.parametrize("column", SUMMED)
def test_national_totals_equal_the_sum_of_the_province_rows(two_provinces, column):
    table = summarize_provinces(two_provinces)
    totals = national_totals(table)
    assert totals[column] == pytest.approx(table[column].sum())
    assert totals["provinces"] == 2 and totals["sample_provinces"] == 1


def test_country_rows_count_a_tri_border_commune_for_both(two_provinces):
    countries = summarize_countries(two_provinces).set_index("iso3")
    assert countries.loc["LAO", "border_communes"] == 2
    assert countries.loc["CHN", "border_communes"] == 1  # the LAO+CHN commune
    assert countries.loc["CHN", "reinforcements"] == 3
    assert countries.loc["LAO", "border_km"] == pytest.approx(14.0)
    assert countries.loc["KHM", "provinces"] == 1
    assert countries.loc["KHM", "staffing_gap"] == 2
    # the tri-border commune is in both country rows, once in the national total
    total = national_totals(summarize_provinces(two_provinces))["border_communes"]
    assert countries["border_communes"].sum() == total + 1


def test_summaries_report_every_bad_frame_at_once(two_provinces):
    mixed = pd.concat(two_provinces, ignore_index=True)
    bare = pd.DataFrame({"code": ["1"]})
    with pytest.raises(InvalidArgument, match=r"frame 0: several provinces \(01, 02\).*"
                                              r"frame 1: no column province_code"):
        summarize_provinces([mixed, bare])


def test_outlines_are_dissolved_per_province(two_provinces):
    table = summarize_provinces(two_provinces)
    outlines = province_outlines(two_provinces, table, tolerance_m=1.0)
    assert outlines.crs == "EPSG:4326"
    assert list(outlines["province_code"]) == list(table["province_code"])
    a = outlines.set_index("province_code").loc["01", "geometry"]
    # three unit squares side by side: one 3 × 1 outline
    assert a.bounds == pytest.approx((0, 1, 3, 2), abs=1e-3)


def test_national_map_escapes_names_and_keeps_codes(two_provinces):
    two_provinces[0]["province"] = "<script>alert(1)</script>"
    table = summarize_provinces(two_provinces)
    outlines = province_outlines(two_provinces, table)
    for metric in NATIONAL_METRICS:
        html = build_national_map(outlines, metric=metric, lang="en", borders=gpd.GeoDataFrame(
            {"iso3": []}, geometry=[], crs="EPSG:4326"), countries=gpd.GeoDataFrame(
            {"iso3": []}, geometry=[], crs="EPSG:4326")).get_root().render()
        assert "<script>alert(1)" not in html
        assert "\\u0026lt;script\\u0026gt;alert(1)" in html  # escaped, then JSON-encoded
        assert '"code": "01"' in html and '"code": "02"' in html
    with pytest.raises(InvalidArgument, match="metric must be one of"):
        build_national_map(outlines, metric="total_police")
    with pytest.raises(BorderMapError, match="no province"):
        build_national_map(outlines.iloc[:0], metric="border_km")


# --------------------------------------------------------------------------- summary cache

def test_summary_cache_round_trip_keeps_dtypes_and_geometry(tmp_path, two_provinces):
    table = summarize_provinces(two_provinces)
    outlines = province_outlines(two_provinces, table)
    frames = {"provinces": table, "outlines": outlines}
    assert summary_cache.write_frames("t", "k1", frames, home=tmp_path) is not None
    back = summary_cache.read_frames("t", "k1", home=tmp_path)
    pd.testing.assert_frame_equal(back["provinces"], table, check_dtype=False)
    assert back["provinces"]["sample_roster"].dtype == bool
    assert back["outlines"].crs == "EPSG:4326"
    assert back["outlines"].geometry.geom_equals_exact(outlines.geometry, 1e-12).all()
    assert summary_cache.read_frames("t", "k2", home=tmp_path) is None  # another key


def test_summary_cache_ignores_a_damaged_file_and_keeps_few(tmp_path, two_provinces):
    table = summarize_provinces(two_provinces)
    path = summary_cache.write_frames("t", "k1", {"provinces": table}, home=tmp_path)
    path.write_bytes(gzip.compress(b"{not json"))
    assert summary_cache.read_frames("t", "k1", home=tmp_path) is None
    for i in range(6):
        summary_cache.write_frames("t", f"n{i}", {"provinces": table}, home=tmp_path, keep=3)
    assert len(list((tmp_path / "cache").glob("t-*.json.gz"))) == 3


# --------------------------------------------------------------------------- service and page

@pytest.fixture(scope="module")
def national_home(tmp_path_factory):
    """One BORDERMAP_HOME for the module, with the 2020 overview computed once."""
    import os

    from geo import services

    home = tmp_path_factory.mktemp("national_home")
    old = os.environ.get("BORDERMAP_HOME")
    os.environ["BORDERMAP_HOME"] = str(home)
    try:
        overview = services.national_overview("border", vintage="2020", home=home)
    finally:
        if old is None:
            os.environ.pop("BORDERMAP_HOME", None)
        else:
            os.environ["BORDERMAP_HOME"] = old
    return home, overview


@pytest.fixture
def in_national_home(national_home, monkeypatch):
    monkeypatch.setenv("BORDERMAP_HOME", str(national_home[0]))
    return national_home


def test_overview_covers_the_25_border_provinces(national_home):
    _, overview = national_home
    table = overview.provinces
    assert sorted(table["province_code"]) == sorted(LAND_BORDER_PROVINCES_2020)
    for column in SUMMED:
        assert overview.totals[column] == pytest.approx(table[column].sum())
    assert overview.published["reinforcements"] == PUBLISHED_NATIONAL["reinforcements"]
    dien_bien = table.set_index("province_code").loc["11"]
    assert dien_bien["reinforcements"] == 28  # the sample roster reproduces the published 28
    assert set(dien_bien["countries"].split()) == {"LAO", "CHN"}
    assert overview.approximate and overview.sample_roster
    assert overview.outlines.geometry.notna().all() and len(overview.outlines) == 25


def test_second_overview_is_read_from_the_cache_and_equal(in_national_home):
    from geo import services

    home, first = in_national_home
    again = services.national_overview("border", vintage="2020", home=home)
    assert again.from_cache and not first.from_cache
    pd.testing.assert_frame_equal(again.provinces, first.provinces, check_dtype=False)
    pd.testing.assert_frame_equal(again.countries, first.countries, check_dtype=False)
    assert again.totals == pytest.approx(first.totals)


def _national_page(scope=("*",), **state) -> AppTest:
    at = AppTest.from_file(NATIONAL_PAGE, default_timeout=180)
    at.session_state["user"] = User("tester", "planner", scope=scope)
    at.session_state["vintage"] = "2020"
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def test_page_renders_every_border_province_and_the_published_figure(in_national_home):
    _, overview = in_national_home
    at = _national_page()
    assert not at.exception, [e.value for e in at.exception]
    provinces = at.dataframe[1].value
    assert len(provinces) == 25
    assert set(provinces["Tỉnh"]) == set(overview.provinces["province"])
    assert "Tỉnh Điện Biên" in set(provinces["Tỉnh"])
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Tăng cường"] == str(overview.totals["reinforcements"])
    assert any("gần 400" in c.value for c in at.caption)
    assert any("Ranh giới gần đúng" in w.value and "dữ liệu mẫu" in w.value for w in at.warning)
    countries = at.dataframe[0].value
    assert list(countries["Nước"]) == ["Lào", "Trung Quốc", "Campuchia"]
    for metric in NATIONAL_METRICS:
        at.selectbox(key="national_metric__vi").select(metric).run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.session_state["national_metric"] == metric


def test_drill_down_lists_the_chosen_provinces_communes(in_national_home):
    from geo import services

    at = _national_page()
    at.selectbox(key="national_province__vi").select("12").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Lai Châu" in s.value for s in at.subheader)
    communes = at.dataframe[-1].value
    cov = services.load_coverage("12", vintage="2020")
    border = cov[cov["is_border"]]
    assert sorted(communes["Mã xã"]) == sorted(border["code"])
    at.toggle(key="national_border").set_value(False).run()
    assert sorted(at.dataframe[-1].value["Mã xã"]) == sorted(cov["code"])


def test_a_click_on_a_province_drills_down_to_it(in_national_home):
    at = _national_page(national_map={"last_active_drawing": {
        "type": "Feature", "properties": {"code": "20", "name": "Tỉnh Lạng Sơn"}}})
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["national_province"] == "20"
    assert any("Lạng Sơn" in s.value for s in at.subheader)


def test_a_click_after_the_list_was_drawn_moves_the_drill_down(in_national_home):
    at = _national_page()
    assert at.session_state["national_province"] is None
    at.session_state["national_map"] = {"last_active_drawing": {"properties": {"code": "12"}}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["national_province"] == "12"
    assert any("Lai Châu" in s.value for s in at.subheader)
    at.selectbox(key="national_province__vi").select("20").run()  # the list still works
    assert any("Lạng Sơn" in s.value for s in at.subheader)


def test_a_click_outside_the_border_provinces_is_ignored(in_national_home):
    at = _national_page(national_map={"last_active_drawing": {"properties": {"code": "01"}}})
    assert not at.exception
    assert at.session_state["national_province"] is None
    assert any("Bấm vào một tỉnh" in i.value for i in at.info)


def test_cli_prints_the_same_table_and_totals(in_national_home, cli):
    import io

    _, overview = in_national_home
    result = cli("national-summary", "--vintage", "2020")
    table = pd.read_csv(io.StringIO(result.stdout), dtype={"province_code": str})
    assert sorted(table["province_code"]) == sorted(LAND_BORDER_PROVINCES_2020)
    assert table["reinforcements"].sum() == overview.totals["reinforcements"]
    assert f"{overview.totals['border_communes']} border communes" in result.stderr
    assert "published: nearly 400" in result.stderr and "Sample data" in result.stderr
    by_country = pd.read_csv(io.StringIO(cli("national-summary", "--vintage", "2020",
                                              "--by", "country").stdout))
    assert list(by_country["iso3"]) == ["LAO", "CHN", "KHM"]
    bad = cli("national-summary", "--province", "Atlantis", check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_a_scoped_planner_sees_only_the_provinces_in_scope(in_national_home):
    """A Lai Châu planner's overview lists Lai Châu alone; forging Điện Biên is refused."""
    at = _national_page(scope=("12",))
    assert not at.exception, [e.value for e in at.exception]
    provinces = at.dataframe[1].value
    assert list(provinces["Tỉnh"]) == ["Tỉnh Lai Châu"]
    assert any("1 tỉnh biên giới trong phạm vi tài khoản" in c.value for c in at.caption)
    assert not any("Tổng toàn quốc" in s.value for s in at.subheader)
    assert not any("Điện Biên" in str(v) for v in at.dataframe[0].value.to_numpy().ravel())
    forged = _national_page(scope=("12",), national_province="11")
    assert not any("Điện Biên" in s.value for s in forged.subheader)
    assert not any("Xã" in str(v) and "Điện Biên" in str(v)
                   for df in forged.dataframe for v in df.value.to_numpy().ravel())


def test_the_overview_exports_a_briefing_of_the_provinces_in_scope(in_national_home):
    """The page's PDF covers the provinces the account sees, and only those."""


    at = _national_page(scope=("11", "12"))
    assert not at.exception, [e.value for e in at.exception]
    at.button(key="national_export_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    name, data = at.session_state["national_export_file"]
    assert name.endswith(".pdf") and data.startswith(b"%PDF")
    text = "\n".join(page_texts(data))
    assert "Lai Châu" in text and "Điện Biên" in text
    assert "Lạng Sơn" not in text and "Cao Bằng" not in text
