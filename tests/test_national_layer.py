"""The prebuilt nationwide layers (data/shapefiles/vietnam_communes_*.parquet) and every
border province read from them, on both maps."""

from __future__ import annotations

import hashlib
import io
import json
import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import shapely

from geo import boundaries, registry, services
from geo.layer import prebuilt
from geo.reference import LAND_BORDER_PROVINCES_2020
from geo.settings import METRIC_CRS

#: Largest committed size of one prebuilt file (they are about 0.6 and 0.4 MB).
MAX_BYTES = 3_000_000
#: 2025 units with no 2020 commune in the crosswalk (island special zones): the layer,
#: made of 2020 pieces, has no polygon for them. Those of the border provinces:
NO_2020_PIECES_IN_BORDER_PROVINCES = {"19742": "Đặc khu Cồn Cỏ", "20333": "Đặc khu Hoàng Sa",
                                      "21548": "Đặc khu Lý Sơn"}


@pytest.fixture(scope="module")
def national():
    return {v: prebuilt.read_national_layer(v) for v in ("2020", "2025")}


def test_files_are_compact_and_cover_the_country(national):
    units = {v: registry.load_units(v) for v in ("2020", "2025")}
    for vintage, gdf in national.items():
        path = prebuilt.national_path(vintage)
        assert path.stat().st_size < MAX_BYTES, f"{path.name}: {path.stat().st_size:,} bytes"
        assert gdf.crs.to_epsg() == 32648
        assert gdf["code"].is_unique
        assert set(gdf["code"]) <= set(units[vintage]["code"])
        assert gdf["approximate"].all()
        assert gdf["note"].str.contains("Approximate boundaries").all()
        assert gdf["method"].eq("fitted").all()
        assert gdf.geometry.is_valid.all() and not gdf.geometry.is_empty.any()
    assert len(national["2020"]) == len(units["2020"]) == 10035
    assert "placement" in national["2020"] and "official_area_km2" in national["2025"]
    missing = set(units["2025"]["code"]) - set(national["2025"]["code"])
    linked = set(registry.load_crosswalk()["new_code"])
    assert missing and not missing & linked  # only units that no 2020 commune became part of


def _vertices(geom) -> np.ndarray:
    return shapely.get_coordinates(shapely.normalize(geom))


def test_dien_bien_rows_equal_the_embedded_shapefiles(national):
    """The prebuilt files and the shapefiles come from the same build (cheap rebuild check)."""
    for vintage, sub_code in (("2020", "11"), ("2025", "11")):
        embedded = boundaries.read_embedded_layer(f"communes_{vintage}").sort_values("code")
        rows = national[vintage]
        rows = rows[rows["province_code"] == sub_code].sort_values("code")
        assert list(rows["code"]) == list(embedded["code"])
        # shapefiles store rings clockwise and one-part multipolygons as polygons: compare
        # the vertices once normalised
        same = np.array([
            a.shape == b.shape and np.allclose(a, b, rtol=0, atol=0.01)
            for a, b in zip(map(_vertices, rows.geometry.values),
                            map(_vertices, embedded.to_crs(METRIC_CRS).geometry.values))])
        assert same.all(), f"{vintage}: {(~same).sum()} polygons differ from the shapefile"
        for col in ("name", "unit_type", "province", "note"):
            assert list(rows[col]) == list(embedded[col]), (vintage, col)


def test_reading_a_province_decodes_only_its_rows():
    gdf = prebuilt.read_national_layer("2020", ["12"])
    assert len(gdf) == len(registry.load_units("2020", province="12")) == 106
    assert gdf["province_code"].eq("12").all()
    both = prebuilt.read_national_layer("2020", ["12", "11"])
    assert set(both["province_code"]) == {"11", "12"} and len(both) == 106 + 129
    path = prebuilt.national_path("2020")
    assert pq.ParquetFile(path).metadata.num_row_groups == 63  # one per province
    whole = prebuilt.read_table(path).to_pandas()
    for codes in (["12"], ["11", "12"], sorted(LAND_BORDER_PROVINCES_2020), ["99"]):
        part = prebuilt.read_table(path, codes).to_pandas()
        expected = whole[whole["province_code"].isin(codes)].reset_index(drop=True)
        pd.testing.assert_frame_equal(part.reset_index(drop=True), expected)


def _geojson_units(cli, *args):
    out = cli("communes", *args, "--format", "geojson").stdout
    gdf = gpd.read_file(io.StringIO(out))
    return gdf


@pytest.mark.parametrize("vintage", ["2020", "2025"])
def test_every_border_province_has_a_polygon_per_registry_unit(cli, vintage):
    """``communes --province P`` for each land-border province (25 on the 2020 map)."""
    codes = registry.find_provinces("border", vintage=vintage)
    if vintage == "2020":
        assert sorted(codes) == sorted(LAND_BORDER_PROVINCES_2020) and len(codes) == 25
    problems = []
    for code in codes:
        name = registry.province_name(code, vintage=vintage)
        expected = registry.load_units(vintage, province=code)
        expected = expected[~expected["code"].isin(NO_2020_PIECES_IN_BORDER_PROVINCES)]
        gdf = _geojson_units(cli, "--province", name, "--vintage", vintage)
        geoms = gdf.geometry
        if sorted(gdf["code"]) != sorted(expected["code"]):
            problems.append(f"{name}: {len(gdf)} units, registry {len(expected)}")
        elif not (geoms.notna().all() and geoms.is_valid.all() and not geoms.is_empty.any()
                  and set(geoms.geom_type) <= {"Polygon", "MultiPolygon"}):
            problems.append(f"{name}: empty or invalid polygons")
        elif not gdf["approximate"].all():
            problems.append(f"{name}: rows without the approximate flag")
    assert not problems, problems


def test_merged_2025_province_is_subset_by_its_2025_code():
    """Tuyên Quang absorbed Hà Giang on 1 July 2025: both old provinces' units are there."""
    gdf = boundaries.load_communes("Tuyên Quang", vintage="2025")
    units = registry.load_units("2025", province="08")
    assert sorted(gdf["code"]) == sorted(units["code"])
    cw = registry.load_crosswalk()
    old_provinces = set(registry.load_units("2020").set_index("code").loc[
        cw.loc[cw["new_code"].isin(gdf["code"]), "old_code"], "province_code"])
    assert old_provinces == {"02", "08"}
    area = gdf["area_km2"].sum()
    assert area == pytest.approx(units["area_km2"].sum(), rel=0.15)


def test_border_summary_of_the_2025_border_provinces(cli):
    out = cli("border-summary", "--province", "border", "--vintage", "2025").stdout
    table = pd.read_csv(io.StringIO(out))
    assert set(table["iso3"]) == {"LAO", "CHN", "KHM"}
    assert (table["n_border_communes"] > 0).all()
    assert table["border_km"].sum() > 3000


def test_several_provinces_in_one_call(cli):
    gdf = services.load_communes("Lai Châu,Điện Biên", vintage="2020")
    assert gdf["province_code"].value_counts().to_dict() == {"11": 129, "12": 106}
    out = cli("border-communes", "--province", "Lai Châu,Điện Biên", "--vintage", "2025").stdout
    table = pd.read_csv(io.StringIO(out), comment="#")
    assert len(table) > 10


def test_an_accepted_boundary_file_wins_for_its_province_only(tmp_path, _bordermap_home):
    """Several provinces: one with an accepted official file, the other from the prebuilt layer."""
    official = boundaries.load_communes("Điện Biên", vintage="2020")[["code", "geometry"]]
    path = tmp_path / "dien_bien_official.gpkg"
    official.to_file(path)
    services.accept_boundaries(path, actor=services.os_actor("test"), province="Điện Biên",
                               vintage="2020", home=_bordermap_home)
    gdf = services.load_communes("Lai Châu,Điện Biên", vintage="2020", home=_bordermap_home)
    assert list(dict.fromkeys(gdf["province_code"])) == ["12", "11"]
    by_province = gdf.groupby("province_code")["approximate"].agg(["all", "any", "size"])
    assert by_province.loc["12", "all"] and by_province.loc["12", "size"] == 106
    assert not by_province.loc["11", "any"] and by_province.loc["11", "size"] == 129


def test_missing_file_falls_back_to_building_with_a_warning(monkeypatch, tmp_path, caplog,
                                                            national):
    """Without the prebuilt files the layer is built in the process, 2025 by 2025 code."""
    monkeypatch.setattr(prebuilt, "FOLDER", tmp_path)
    built = []

    def fake_build(vintage):
        def build():
            built.append(vintage)
            return national[vintage]
        return build

    monkeypatch.setattr(boundaries, "_national_layer", fake_build("2020"))
    monkeypatch.setattr(boundaries, "_national_layer_2025", fake_build("2025"))
    with caplog.at_level(logging.WARNING, logger="geo.boundaries"):
        gdf = boundaries.load_communes("Tuyên Quang", vintage="2025")
    assert built == ["2025"]
    assert "vietnam_communes_2025.parquet is missing" in caplog.text
    assert "build-default" in caplog.text
    assert len(gdf) == len(registry.load_units("2025", province="08"))


def test_damaged_file_is_a_clear_error(monkeypatch, tmp_path):
    from geo._errors import LayerError

    monkeypatch.setattr(prebuilt, "FOLDER", tmp_path)
    (tmp_path / prebuilt.NATIONAL_FILES["2020"]).write_bytes(b"not parquet")
    with pytest.raises(LayerError, match="vietnam_communes_2020.parquet: cannot read.*"
                                         "build-default"):
        prebuilt.read_national_layer("2020", ["12"])


@pytest.mark.slow
def test_rebuild_writes_byte_identical_files(tmp_path):
    """``build-default`` is deterministic: the committed files are what it writes."""
    services.build_default_layers(tmp_path)
    for vintage, name in prebuilt.NATIONAL_FILES.items():
        committed = hashlib.sha256(prebuilt.national_path(vintage).read_bytes()).hexdigest()
        rebuilt = hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
        assert committed == rebuilt, name
    from geo.border_file import FILE_NAME, border_file_path

    assert border_file_path().read_bytes() == (tmp_path / FILE_NAME).read_bytes()
    meta = json.loads(pq.read_schema(tmp_path / prebuilt.NATIONAL_FILES["2020"])
                      .metadata[b"geo"])
    assert "creator" not in meta  # no library version in the committed bytes


def test_files_are_standard_geoparquet(national):
    """Other tools (GDAL, QGIS, geopandas.read_parquet) read them through the "geo" metadata."""
    for vintage, gdf in national.items():
        path = prebuilt.national_path(vintage)
        meta = json.loads(pq.read_schema(path).metadata[b"geo"])
        assert meta["version"] == "1.0.0" and meta["columns"]["geometry"]["encoding"] == "WKB"
        other = gpd.read_parquet(path)
        assert other.crs.to_epsg() == 32648 and len(other) == len(gdf)
        assert other.geometry.geom_equals_exact(gdf.geometry, 0).all()


def test_province_table_counted_in_sql_equals_the_units():
    """``list_provinces`` no longer loads the units; it must still agree with them."""
    for vintage in ("2020", "2025"):
        units = registry.load_units(vintage)
        expected = (units.groupby(["province_code", "province"], as_index=False)
                    .agg(n_units=("code", "size")).sort_values("province_code")
                    .reset_index(drop=True))
        pd.testing.assert_frame_equal(registry.list_provinces(vintage), expected)


@pytest.mark.parametrize("vintage, n_all, n_border", [("2020", 63, 25), ("2025", 34, 22)])
def test_province_choices_offer_every_province_border_ones_first(vintage, n_all, n_border):
    choices = registry.province_choices(vintage)
    assert len(choices) == n_all and choices["province_code"].is_unique
    assert choices["is_border"].sum() == n_border
    assert choices["is_border"].iloc[:n_border].all()
    assert set(choices["province_code"].iloc[:n_border]) == set(
        registry.find_provinces("border", vintage=vintage))
    if vintage == "2020":
        names = set(choices["province"].iloc[:n_border])
        assert {"Tỉnh Điện Biên", "Tỉnh Lai Châu", "Tỉnh Hà Giang", "Tỉnh Kiên Giang",
                "Thành phố Huế"} <= names
    else:  # Hà Giang became part of Tuyên Quang: the merged province is offered
        assert "Tỉnh Tuyên Quang" in set(choices["province"].iloc[:n_border])


def test_published_lengths_only_for_dien_bien_alone():
    alone = services.border_summary("Điện Biên", vintage="2020")
    assert alone.published_source and "published_km" in alone.table
    together = services.border_summary("Điện Biên,Lai Châu", vintage="2020")
    assert together.published_source is None and "published_km" not in together.table
    assert set(together.flagged["province_code"]) == {"11", "12"}
