"""Streamlit app tests: every page runs under AppTest and its widgets work.

``BORDERMAP_HOME`` is a fresh temporary folder for every test (tests/conftest.py),
so each test starts with the sample roster and the embedded boundaries.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.auth import User
from geo.coverage import load_coverage
from geo.settings import REPO_ROOT
from geo.tables import BORDER_FILTERS, filter_coverage

APP = str(REPO_ROOT / "app.py")
MAP_PAGE = str(REPO_ROOT / "pages" / "map.py")
BORDER_PAGE = str(REPO_ROOT / "pages" / "border.py")
DATA_PAGE = str(REPO_ROOT / "pages" / "data.py")
TIMEOUT = 120


#: The signed-in user of the page tests (roles are tested in tests/test_app_access.py).
PLANNER = User("tester", "planner")


def _app(user: User | None = PLANNER) -> AppTest:
    """The whole app (app.py) with ``user`` signed in, not run yet."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if user is not None:
        at.session_state["user"] = user
    return at


def _page(path: str, *, user: User | None = PLANNER, **state) -> AppTest:
    # These page tests check the 2020 figures (129 units, published 2021 totals); the
    # 2025 default is checked by test_app_runs_with_sidebar_and_default_map_page and
    # tests/test_defaults.py.
    state.setdefault("vintage", "2020")
    state.setdefault("roster_vintage", "2020")
    at = AppTest.from_file(path, default_timeout=TIMEOUT)
    if user is not None:
        at.session_state["user"] = user
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _table(at: AppTest, index: int = -1) -> pd.DataFrame:
    return at.dataframe[index].value


@pytest.fixture(scope="module")
def cov2020():
    return load_coverage(vintage="2020")


# --------------------------------------------------------------------------- entry point

def test_app_runs_with_sidebar_and_default_map_page():
    at = _app().run()
    _no_exception(at)
    assert at.session_state["lang"] == "vi"
    assert at.sidebar.radio(key="lang").value == "vi"
    assert at.sidebar.selectbox(key="tiles__vi").value == "offline"
    assert at.sidebar.radio(key="vintage__vi").value == "2025"  # the map in force
    assert at.title[0].value == "Bản đồ lực lượng công an xã"  # the default page is the map


def test_english_toggle_switches_the_ui():
    at = _app().run()
    at.sidebar.radio(key="lang").set_value("en").run()
    _no_exception(at)
    assert at.title[0].value == "Commune police coverage map"
    assert "Chiefs" in [m.label for m in at.metric]
    assert any("Approximate boundaries" in w.value for w in at.warning)


def test_language_switch_keeps_every_choice(cov2020):
    """Choice widgets store their displayed label: a relabelled widget must not lose its value."""
    at = _app().run()
    at.sidebar.radio(key="vintage__vi").set_value("2020")
    at.sidebar.selectbox(key="tiles__vi").select("osm").run()
    at.switch_page("pages/border.py").run()
    at.selectbox(key="f_border__vi").select("CHN").run()
    at.sidebar.radio(key="lang").set_value("en").run()
    _no_exception(at)
    assert at.sidebar.radio(key="vintage__en").value == "2020"
    assert at.sidebar.radio(key="vintage__en").proto.default == 1  # drawn selected
    assert at.sidebar.selectbox(key="tiles__en").value == "osm"
    assert at.selectbox(key="f_border__en").value == "CHN"
    assert at.selectbox(key="f_border__en").proto.default == BORDER_FILTERS.index("CHN")
    expected = cov2020[cov2020["border_countries"].str.contains("CHN")]
    assert sorted(_table(at)["Code"]) == sorted(expected["code"])
    at.sidebar.radio(key="lang").set_value("vi").run()
    assert at.sidebar.radio(key="vintage__vi").value == "2020"
    assert at.selectbox(key="f_border__vi").value == "CHN"


def test_app_switches_to_every_page():
    at = _app().run()
    for page, title in [("pages/border.py", "Xã biên giới — lọc cho công tác kế hoạch"),
                        ("pages/reform.py", "Trước và sau sắp xếp đơn vị hành chính (1/7/2025)"),
                        ("pages/data.py", "Dữ liệu: danh sách lực lượng và ranh giới")]:
        at.switch_page(page).run()
        _no_exception(at)
        assert at.title[0].value == title


def test_tiles_from_environment(monkeypatch):
    monkeypatch.setenv("BORDERMAP_TILES", "http://tiles.intranet/{z}/{x}/{y}.png")
    at = _app().run()
    _no_exception(at)
    box = at.sidebar.selectbox(key="tiles__vi")
    assert box.value == "http://tiles.intranet/{z}/{x}/{y}.png"
    assert box.options[:2] == ["Ngoại tuyến (không cần Internet)", "OpenStreetMap (cần Internet)"]


# --------------------------------------------------------------------------- map page

def test_map_page_metrics_beside_published_figures():
    at = _page(MAP_PAGE)
    _no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Số xã"] == "129"
    assert metrics["Trưởng Công an xã"] == "115"
    assert metrics["Phó Trưởng Công an xã"] == "153"
    assert metrics["Công an viên"] == "332"
    assert metrics["Tăng cường"] == "28"
    assert int(metrics["Xã giáp Trung Quốc"]) >= 1
    captions = [c.value for c in at.caption]
    assert "công bố: 115" in captions and "công bố: 129" in captions
    assert any("Ranh giới gần đúng" in w.value for w in at.warning)
    assert any("Dữ liệu mẫu" in w.value for w in at.warning)  # one provenance box
    assert at.selectbox(key="metric__vi").options[0] == "Tổng số công an"


def test_map_page_metric_choices_all_render():
    at = _page(MAP_PAGE)
    for metric in ["police_per_100km2", "staffing_gap", "reinforcements", "border_km"]:
        at.selectbox(key="metric__vi").select(metric).run()
        _no_exception(at)
        assert at.session_state["metric"] == metric


def test_clicked_commune_shows_its_record():
    at = _page(MAP_PAGE, coverage_map={"last_active_drawing": {
        "type": "Feature", "properties": {"code": "03154", "name": "Xã Sín Thầu"}}})
    _no_exception(at)
    record = _table(at)
    values = dict(zip(record.iloc[:, 0], record.iloc[:, 1]))
    assert values["Mã xã"] == "03154"
    assert values["Tên xã"] == "Xã Sín Thầu"
    assert at.session_state["selected_code"] == "03154"


def test_unknown_clicked_code_is_ignored():
    at = _page(MAP_PAGE, coverage_map={"last_active_drawing": {"properties": {"code": "99999"}}})
    _no_exception(at)
    assert at.session_state["selected_code"] is None
    assert any("Bấm vào một xã" in i.value for i in at.info)


def test_map_page_2025():
    at = _page(MAP_PAGE, vintage="2025")
    _no_exception(at)
    assert {m.label: m.value for m in at.metric}["Số xã"] == "45"
    assert "công bố: 45" in [c.value for c in at.caption]


# --------------------------------------------------------------------------- border page

def test_border_page_default_is_every_border_commune(cov2020):
    at = _page(BORDER_PAGE)
    _no_exception(at)
    expected = filter_coverage(cov2020, border="any")
    table = _table(at)
    assert sorted(table["Mã xã"]) == sorted(expected["code"])
    assert f"**{len(expected)} xã phù hợp bộ lọc**" in [m.value for m in at.markdown]
    for key in ["f_border__vi", "border_metric__vi"]:
        assert at.selectbox(key=key)
    assert at.multiselect(key="f_belts__vi").value == ["border", "second-line", "interior"]
    assert at.checkbox(key="f_gap").value is False
    assert len(at.get("download_button")) == 2


def test_china_filter_narrows_the_table(cov2020):
    at = _page(BORDER_PAGE)
    at.selectbox(key="f_border__vi").select("CHN").run()
    _no_exception(at)
    expected = cov2020[cov2020["border_countries"].str.contains("CHN")]
    assert 1 <= len(expected) < len(filter_coverage(cov2020, border="any"))
    table = _table(at)
    assert sorted(table["Mã xã"]) == sorted(expected["code"])
    assert all("Trung Quốc" in v for v in table["Giáp biên giới"])
    assert f"**{len(expected)} xã phù hợp bộ lọc**" in [m.value for m in at.markdown]


@pytest.mark.parametrize("choice", ["all", "LAO", "both", "none"])
def test_border_choices_match_geo_tables(cov2020, choice):
    at = _page(BORDER_PAGE)
    at.selectbox(key="f_border__vi").select(choice).run()
    _no_exception(at)
    assert sorted(_table(at)["Mã xã"]) == sorted(filter_coverage(cov2020, border=choice)["code"])


def test_gap_reinforcement_belt_and_district_filters(cov2020):
    at = _page(BORDER_PAGE)
    at.selectbox(key="f_border__vi").select("all")
    at.checkbox(key="f_gap").check().run()
    _no_exception(at)
    gaps = cov2020.set_index("code")["staffing_gap"]
    table = _table(at)
    assert len(table) == int((gaps > 0).sum()) and all(gaps[c] > 0 for c in table["Mã xã"])
    at.checkbox(key="f_gap").uncheck()
    at.checkbox(key="f_reinforced").check().run()
    assert sorted(_table(at)["Mã xã"]) == sorted(
        cov2020.loc[cov2020["reinforcements"] > 0, "code"])
    at.checkbox(key="f_reinforced").uncheck()
    at.multiselect(key="f_belts__vi").set_value(["second-line"])
    at.multiselect(key="f_districts__vi").set_value(["Huyện Mường Nhé"]).run()
    expected = cov2020[(cov2020["border_belt"] == "second-line")
                       & (cov2020["district"] == "Huyện Mường Nhé")]
    assert sorted(_table(at)["Mã xã"]) == sorted(expected["code"])


def test_no_match_shows_a_message():
    at = _page(BORDER_PAGE)
    at.selectbox(key="f_border__vi").select("both")
    at.multiselect(key="f_belts__vi").set_value(["interior"]).run()
    _no_exception(at)
    assert any("Không có xã nào" in i.value for i in at.info)
    assert len(_table(at)) == 0


def test_border_page_2025_has_no_district_filter():
    at = _page(BORDER_PAGE, vintage="2025")
    _no_exception(at)
    assert not [w for w in at.multiselect if w.key == "f_districts__vi"]
    assert any("không có cấp huyện" in c.value for c in at.caption)
    cov = load_coverage(vintage="2025")
    assert sorted(_table(at)["Mã xã"]) == sorted(filter_coverage(cov, border="any")["code"])


def test_download_buttons_export_the_filtered_table(cov2020):
    at = _page(BORDER_PAGE)
    at.selectbox(key="f_border__vi").select("CHN").run()
    buttons = at.get("download_button")
    labels = [b.proto.label for b in buttons]
    assert labels == ["Tải CSV", "Tải Excel (XLSX)"]


# --------------------------------------------------------------------------- data page

def _sample_roster_bytes(**changes: int) -> bytes:
    frame = pd.read_csv(REPO_ROOT / "data" / "sample_roster.csv", dtype=str,
                        keep_default_na=False)
    for code, officers in changes.items():
        frame.loc[frame["commune_code"] == code.lstrip("c"), "officers"] = str(officers)
    return frame.to_csv(index=False).encode("utf-8")


def test_data_page_runs_with_empty_history():
    at = _page(DATA_PAGE)
    _no_exception(at)
    assert len(at.tabs) == 4  # roster, boundaries, border list, history
    assert any("Chưa có phiên bản nào" in i.value for i in at.info)
    assert any("Dữ liệu mẫu" in w.value for w in at.warning)  # one provenance box
    assert any("Ranh giới gần đúng" in w.value for w in at.warning)
    assert len(at.get("file_uploader")) == 3


def test_roster_upload_report_accept_and_history(cov2020):
    at = _page(DATA_PAGE)
    at.get("file_uploader")[0].upload("roster.csv", _sample_roster_bytes(c03154=9), "text/csv")
    at.run()
    _no_exception(at)
    assert any("Tệp hợp lệ" in s.value for s in at.success)
    assert [b.label for b in at.button][:2] == ["Chấp nhận và lưu", "Hủy"]
    from geo.stores.rosters import open_store

    assert open_store().history().empty  # nothing stored before acceptance
    at.button(key="roster_accept").click().run()
    _no_exception(at)
    assert any("Đã lưu phiên bản 1" in s.value for s in at.success)
    history = open_store().history()
    assert history["version"].tolist() == [1] and history["source_name"].tolist() == ["roster.csv"]
    # the map now uses the stored roster: no sample notice, 9 officers in Sín Thầu
    m = _page(MAP_PAGE)
    assert not any("Dữ liệu mẫu" in i.value for i in m.info)
    assert {x.label: x.value for x in m.metric}["Công an viên"] == str(332 - 5 + 9)


def test_rejected_roster_shows_errors_and_no_accept():
    at = _page(DATA_PAGE)
    bad = b"commune_code,chiefs,deputies,officers\n99999,1,1,x\n"
    at.get("file_uploader")[0].upload("bad.csv", bad, "text/csv").run()
    _no_exception(at)
    assert any("Tệp bị từ chối" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "roster_accept"]
    report = _table(at, 0)
    assert "lỗi" in set(report["Mức độ"])
    assert report["Dòng"].notna().any()


def test_cancel_discards_the_upload():
    at = _page(DATA_PAGE)
    at.get("file_uploader")[0].upload("roster.csv", _sample_roster_bytes(), "text/csv").run()
    at.button(key="roster_cancel").click().run()
    _no_exception(at)
    assert any("Đã hủy" in i.value for i in at.info)
    from geo.stores.rosters import open_store

    assert open_store().history().empty


def test_history_restore():
    from geo.roster import validate_roster
    from geo.stores.rosters import open_store

    store = open_store()
    for officers in (7, 8):
        report = validate_roster(_sample_roster_bytes(c03154=officers), source_name="r.csv")
        store.import_roster(report, user="test")
    at = _page(DATA_PAGE)
    _no_exception(at)
    assert _table(at)["Phiên bản"].tolist() == [1, 2]  # headers in the page's language
    at.selectbox(key="restore_version").select(1)
    at.button(key="restore_go").click().run()
    _no_exception(at)
    history = store.history()
    assert history["version"].tolist() == [1, 2, 3]
    assert history["restored_from"].tolist()[-1] == 1


def _official_geojson(cov) -> bytes:
    official = cov[["code", "geometry"]].rename(columns={"code": "ma_xa"})
    buffer = io.BytesIO()
    official.to_file(buffer, driver="GeoJSON", engine="pyogrio")
    return buffer.getvalue()


def test_boundaries_upload_report_accept_and_map_uses_it(cov2020):
    at = _page(DATA_PAGE)
    data = _official_geojson(cov2020.iloc[:-1])  # one commune missing
    at.get("file_uploader")[1].upload("ranh_gioi.geojson", data, "application/geo+json").run()
    _no_exception(at)
    assert any("Khớp 128 xã; 0 đối tượng không khớp; thiếu 1 xã." in i.value for i in at.info)
    at.button(key="bnd_accept").click().run()
    _no_exception(at)
    assert any("Đã lưu tệp ranh giới" in s.value for s in at.success)
    m = _page(MAP_PAGE)
    _no_exception(m)
    assert not any("Ranh giới gần đúng" in w.value for w in m.warning)
    assert any("ranh\\_gioi\\.geojson" in c.value for c in m.caption)  # markdown-escaped
    assert {x.label: x.value for x in m.metric}["Số xã"] == "128"


def test_bad_boundaries_file_is_an_error_not_a_traceback():
    at = _page(DATA_PAGE)
    at.get("file_uploader")[1].upload("x.geojson", b'{"type": "FeatureCollection", "features": []}',
                                      "application/geo+json").run()
    _no_exception(at)
    assert at.error and "Lỗi:" in at.error[0].value


def test_data_page_imports_a_2025_roster_and_refuses_it_as_2020():
    from geo.roster import roster_template
    from geo.stores.rosters import open_store

    lines = roster_template(vintage="2025").splitlines()
    data = ("\n".join([lines[0]] + [ln.rstrip(",") + ",1,2,5,0,,4,2025-08-01"
                                     for ln in lines[1:]]) + "\n").encode("utf-8")
    at = _page(DATA_PAGE)  # roster map: 2020 (set by _page)
    at.get("file_uploader")[0].upload("r2025.csv", data, "text/csv").run()
    _no_exception(at)
    assert any("bản đồ 2025" in str(v) for v in _table(at, 0)["Nội dung"])
    assert not [b for b in at.button if b.key == "roster_accept"]
    at = _page(DATA_PAGE, roster_vintage="2025")
    at.get("file_uploader")[0].upload("r2025.csv", data, "text/csv").run()
    _no_exception(at)
    assert any("Danh sách theo bản đồ 2025" in s.value for s in at.success)
    at.button(key="roster_accept").click().run()
    _no_exception(at)
    history = open_store().history()
    assert history["vintage"].tolist() == ["2025"] and history["rows"].tolist() == [45]
    m = _page(MAP_PAGE, vintage="2025")
    _no_exception(m)
    assert {x.label: x.value for x in m.metric}["Số xã"] == "45"
    assert not any("Dữ liệu mẫu" in i.value for i in m.info)
