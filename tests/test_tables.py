"""Tests for geo.tables: formula escaping, CSV/XLSX export, filters, display tables."""

from __future__ import annotations

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
    escape_cell,
    escape_formulas,
    filter_coverage,
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
