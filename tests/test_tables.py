"""Tests for geo.tables: formula escaping, CSV/XLSX export, filters, display tables."""

from __future__ import annotations

import datetime as dt
import io

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely

from geo._errors import BorderMapError
from geo.tables import (
    commune_record,
    coverage_table,
    describe_filters,
    download_files,
    download_table,
    escape_cell,
    escape_formulas,
    filter_coverage,
    provenance_rows,
    reinforcement_origins,
    to_csv_bytes,
    to_xlsx_bytes,
)


@pytest.fixture()
def cov() -> gpd.GeoDataFrame:
    """Five communes with every border case: Laos, China, both, none (two)."""
    return gpd.GeoDataFrame(
        {
            "code": ["00001", "00002", "00003", "00004", "00005"],
            "name": ["Xã Một", "Xã Hai", "Xã Ba", "=HYPERLINK(\"http://x\")", "Xã Năm"],
            "unit_type": ["Xã", "Xã", "Xã", "Xã", "Phường"],
            "district": ["Huyện A", "Huyện A", "Huyện B", "Huyện B", "Huyện B"],
            "province": ["Tỉnh Điện Biên"] * 5,
            "border_countries": ["LAO", "CHN", "CHN;LAO", "", ""],
            "border_belt": ["border", "border", "border", "second-line", "interior"],
            "border_km_lao": [10.04, 0.0, 5.0, 0.0, 0.0],
            "border_km_chn": [0.0, 7.0, 3.0, 0.0, 0.0],
            "dist_to_border_km": [0.0, 0.0, 0.0, 4.26, 20.0],
            "area_km2": [100.0, 50.0, 80.0, 30.0, 10.0],
            "chiefs": [1, 1, 1, 1, 0], "deputies": [1, 2, 1, 0, 0],
            "officers": [3, 4, 5, 2, 0], "reinforcements": [2, 0, 1, 0, 0],
            "trained": [3, 4, 5, 2, 0], "total_police": [7, 7, 8, 3, 0],
            "police_per_100km2": [7.0, 14.0, 10.0, 10.0, 0.0],
            "police_per_10km_border": [7.0, 10.0, 10.0, float("nan"), float("nan")],
            "staffing_gap": [1, 0, 0, 2, 0],
            "approximate": [True] * 5,
        },
        geometry=[shapely.box(i, 0, i + 1, 1) for i in range(5)], crs="EPSG:4326")


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+33 123", "'+33 123"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("Mường Nhé", "Mường Nhé"), ("a=1", "a=1"),
    ("", ""), (-3, -3), (2.5, 2.5), (None, None),
])
def test_escape_cell(value, expected):
    assert escape_cell(value) == expected


def test_escape_formulas_returns_a_new_frame_and_keeps_numbers():
    frame = pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "Xã Ba"], "gap": [-1, 2],
                          "=header": ["@x", "y"]})
    out = escape_formulas(frame)
    assert out["name"].tolist() == ["'=cmd|' /C calc'!A0", "Xã Ba"]
    assert out["gap"].tolist() == [-1, 2]
    assert list(out.columns) == ["name", "gap", "'=header"]
    assert out["'=header"].tolist() == ["'@x", "y"]
    assert frame["name"].iloc[0].startswith("=")  # the input is untouched


def test_csv_is_utf8_with_bom_and_escaped():
    data = to_csv_bytes(pd.DataFrame({"Tên xã": ["Xã Mường Nhé", "=2+3"], "n": [1, -2]}))
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines() == ["Tên xã,n", "Xã Mường Nhé,1", "'=2+3,-2"]


def test_xlsx_cells_are_text_not_formulas():
    data = to_xlsx_bytes(pd.DataFrame({"name": ["=1+1", "+7", "Xã Sín Thầu"], "n": [1, 2, 3]}))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [(c.value, c.data_type) for c in sheet["A"][1:]]
    assert cells == [("'=1+1", "s"), ("'+7", "s"), ("Xã Sín Thầu", "s")]
    assert [c.value for c in sheet["B"][1:]] == [1, 2, 3]


def test_xlsx_refuses_a_bad_sheet_name():
    with pytest.raises(BorderMapError, match=r"sheet_name 'a/b' is not a valid"):
        to_xlsx_bytes(pd.DataFrame({"a": [1]}), sheet_name="a/b")


@pytest.mark.parametrize("border, codes", [
    ("all", ["00001", "00002", "00003", "00004", "00005"]),
    ("any", ["00001", "00002", "00003"]),
    ("LAO", ["00001", "00003"]),
    ("CHN", ["00002", "00003"]),
    ("both", ["00003"]),
    ("none", ["00004", "00005"]),
])
def test_border_filter(cov, border, codes):
    out = filter_coverage(cov, border=border)
    assert out["code"].tolist() == codes
    assert isinstance(out, gpd.GeoDataFrame) and out.crs == cov.crs


def test_other_filters_combine(cov):
    assert filter_coverage(cov, gap_only=True)["code"].tolist() == ["00001", "00004"]
    assert filter_coverage(cov, reinforced_only=True)["code"].tolist() == ["00001", "00003"]
    assert filter_coverage(cov, belts=["second-line", "interior"])["code"].tolist() == [
        "00004", "00005"]
    assert filter_coverage(cov, districts=["Huyện B"], border="any")["code"].tolist() == ["00003"]
    assert filter_coverage(cov, border="LAO", gap_only=True)["code"].tolist() == ["00001"]
    assert filter_coverage(cov, belts=[]).empty


def test_filter_errors(cov):
    with pytest.raises(BorderMapError, match="not 'Laos'"):
        filter_coverage(cov, border="Laos")
    with pytest.raises(BorderMapError, match="unknown border belt"):
        filter_coverage(cov, belts=["coast"])


def test_coverage_table_labels_and_values(cov):
    vi = coverage_table(cov, lang="vi")
    assert list(vi.columns[:6]) == ["Mã xã", "Tên xã", "Loại", "Huyện", "Giáp biên giới", "Tuyến"]
    assert vi["Giáp biên giới"].tolist() == ["Lào", "Trung Quốc", "Trung Quốc; Lào", "", ""]
    assert vi["Tuyến"].tolist()[3:] == ["Tuyến hai", "Nội địa"]
    assert vi["Biên giới Lào (km)"].tolist()[0] == 10.0
    assert vi["Cách biên giới (km)"].tolist()[3] == 4.3
    en = coverage_table(cov, lang="en")
    assert "Staffing gap" in en.columns and en["Borders"].tolist()[2] == "China; Laos"
    assert "geometry" not in en.columns


def test_exported_table_is_escaped(cov):
    text = to_csv_bytes(coverage_table(cov)).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_commune_record(cov):
    record = commune_record(cov, "00003", lang="en")
    values = dict(zip(record["Field"], record["Value"]))
    assert values["Code"] == "00003" and values["Borders"] == "China; Laos"
    assert values["Approximate boundary"] == "Yes"
    with pytest.raises(BorderMapError, match="no commune with code '99999'"):
        commune_record(cov, "99999")


# --------------------------------------------------------------------------- downloads fit for work

def _with_attrs(cov):
    cov.attrs.update({"approximate": True, "sample_roster": True, "roster_version": None,
                      "roster_as_of": "2021-12-31", "vintage": "2020",
                      "province": "Tỉnh Điện Biên"})
    return cov


ROSTER = pd.DataFrame({"commune_code": ["00001", "00001", "00003", "00004"],
                       "reinforcement_origin": ["Bộ Công an", "E2", "=cmd", ""]})


def test_reinforcement_origins_joined_per_commune(cov):
    origins = reinforcement_origins(cov, ROSTER)
    assert origins.to_dict() == {"00001": "Bộ Công an; E2", "00002": "", "00003": "=cmd",
                                 "00004": "", "00005": ""}


def test_download_table_adds_trained_and_origin(cov):
    table = download_table(cov, lang="vi", roster=ROSTER)
    assert list(table.columns[-2:]) == ["Đã tập huấn", "Đơn vị tăng cường"]
    assert table["Đã tập huấn"].tolist() == [3, 4, 5, 2, 0]
    assert table["Đơn vị tăng cường"].tolist()[:3] == ["Bộ Công an; E2", "", "=cmd"]


def test_provenance_rows_state_sources_and_totals(cov):
    rows = dict(provenance_rows(_with_attrs(cov), lang="en", filters="Border with: Laos",
                                origins=["Bộ Công an; E2", "=cmd"], made=dt.date(2025, 1, 2)))
    assert rows["SAMPLE DATA"] == "Sample data — not real assignments."
    assert rows["Boundary source"].startswith("Approximate boundaries")
    assert rows["Roster"] == "Sample data — not real assignments"
    assert rows["Data as of"] == "2021-12-31" and rows["Administrative map"] == "2020"
    assert rows["Trained (sum of rows)"] == "14" and rows["Reinforcements (sum of rows)"] == "3"
    assert rows["Reinforcement origins"] == "=cmd; Bộ Công an; E2"
    assert rows["Exported on"] == "2025-01-02" and rows["Rows"] == "5"
    stored = cov.copy()
    stored.attrs.update({"approximate": False, "sample_roster": False, "roster_version": 4,
                         "roster_source": "ds_2024.xlsx"})
    rows = dict(provenance_rows(stored, lang="vi", boundary_source="xa.gpkg"))
    assert rows["Danh sách lực lượng"] == "Phiên bản 4 (ds_2024.xlsx)"
    assert rows["Nguồn ranh giới"] == "Ranh giới chính thức từ tệp xa.gpkg"
    assert "DỮ LIỆU MẪU" not in rows


def test_csv_download_has_a_provenance_header(cov):
    csv_bytes, _ = download_files(_with_attrs(cov), lang="vi", filters="Biên giới với: Lào",
                                  store=_NoStore())
    text = csv_bytes.decode("utf-8-sig")
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert any("Dữ liệu mẫu" in line for line in header)
    assert any(line.startswith("# Nguồn ranh giới,") for line in header)
    assert any(line.startswith("# Số liệu đến ngày,2021-12-31") for line in header)
    table = pd.read_csv(io.BytesIO(csv_bytes), comment="#", encoding="utf-8-sig", dtype=str)
    assert table["Mã xã"].tolist() == list(cov["code"])
    assert "'=HYPERLINK" in table["Tên xã"].iloc[3]  # still formula-safe


class _NoStore:
    """A roster store with no stored roster: the sample roster is current."""

    def current(self, **_key):
        return None


def test_xlsx_download_has_provenance_sheet_frozen_header_and_filter(cov):
    """The downloaded XLSX opens with the provenance sheet, a frozen header and a filter."""
    _, data = download_files(_with_attrs(cov), lang="vi", store=_NoStore(),
                             filters="Biên giới với: Tất cả xã")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Danh sách xã", "Nguồn dữ liệu"]
    table = book["Danh sách xã"]
    assert table.freeze_panes == "A2"
    assert table.auto_filter.ref == f"A1:{table.cell(1, table.max_column).column_letter}6"
    headers = [c.value for c in table[1]]
    assert headers[:2] == ["Mã xã", "Tên xã"] and headers[-2:] == ["Đã tập huấn",
                                                                  "Đơn vị tăng cường"]
    assert table.column_dimensions["B"].width >= len("'=HYPERLINK(\"http://x\")")
    prov = {row[0].value: row[1].value for row in book["Nguồn dữ liệu"].iter_rows(min_row=2)}
    assert prov["DỮ LIỆU MẪU"] == "Dữ liệu mẫu — không phải phân công thực tế."
    assert prov["Danh sách lực lượng"] == "Dữ liệu mẫu — không phải phân công thực tế"
    assert prov["Số liệu đến ngày"] == "2021-12-31"
    assert prov["Bộ lọc"] == "Biên giới với: Tất cả xã"
    assert book["Nguồn dữ liệu"].freeze_panes == "A2"


def test_describe_filters():
    assert describe_filters(border="CHN", lang="en") == "Border with: China"
    text = describe_filters(border="any", belts=["border"], districts=["Huyện A"],
                            gap_only=True, lang="vi")
    assert text == ("Biên giới với: Lào hoặc Trung Quốc (mọi xã biên giới); Tuyến: Xã biên "
                    "giới; Huyện: Huyện A; Chỉ xã thiếu biên chế (thiếu > 0)")


def test_deferred_downloads_build_nothing_until_clicked_then_the_same_files(cov, monkeypatch):
    """The border page's buttons get callables: a rerun builds no file; a click builds both."""
    import datetime as dt

    from geo import tables

    made = dt.date(2025, 1, 2)
    expected = download_files(_with_attrs(cov), lang="en", store=_NoStore(), made=made,
                              filters="x")
    calls = []
    real = tables.download_files
    monkeypatch.setattr(tables, "download_files", lambda *a, **k: calls.append(1) or real(*a, **k))
    csv_fn, xlsx_fn = tables.deferred_downloads(_with_attrs(cov), lang="en", store=_NoStore(),
                                                made=made, filters="x")
    assert calls == []
    assert csv_fn() == expected[0]
    def cells(data: bytes) -> list:  # the workbook's cells (its saved-at time aside)
        book = openpyxl.load_workbook(io.BytesIO(data))
        return [[c.value for c in row] for sheet in book for row in sheet.iter_rows()]

    assert cells(xlsx_fn()) == cells(expected[1])
    assert calls == [1]  # both files from one build
