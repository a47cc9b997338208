"""The embedded approximate layer and the official-boundaries loader."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import box

from geo import boundaries
from geo._errors import BoundaryFileError
from geo.settings import METRIC_CRS

OFFICIAL_AREA_KM2 = 9541.0  # GSO natural area of Điện Biên (FACTS.md)


@pytest.fixture(scope="module")
def communes_2020():
    return boundaries.load_communes("Điện Biên", vintage="2020")


def test_all_129_units_get_a_valid_polygon(communes_2020):
    assert len(communes_2020) == 129
    geoms = communes_2020.geometry
    assert geoms.is_valid.all() and not geoms.is_empty.any()
    assert set(geoms.geom_type) <= {"Polygon", "MultiPolygon"}
    assert communes_2020.crs.to_epsg() == 4326
    assert communes_2020["approximate"].all()
    assert communes_2020["note"].str.contains("Approximate boundaries").all()


def test_2020_polygons_tile_the_province(communes_2020):
    metric = communes_2020.to_crs(METRIC_CRS).geometry.values
    union_area = shapely.area(shapely.union_all(metric))
    overlap = shapely.area(metric).sum() - union_area
    assert overlap / union_area < 0.001
    assert abs(union_area / 1e6 - OFFICIAL_AREA_KM2) / OFFICIAL_AREA_KM2 < 0.10


def test_2025_layer_has_45_units_and_the_same_extent(communes_2020):
    c25 = boundaries.load_communes("Điện Biên", vintage="2025")
    assert len(c25) == 45
    assert not c25.geometry.is_empty.any()
    assert c25["area_km2"].sum() == pytest.approx(communes_2020["area_km2"].sum(), rel=1e-4)


def test_districts_and_province_dissolve_from_communes(communes_2020):
    districts = boundaries.load_districts("Điện Biên")
    province = boundaries.load_province_outline("Điện Biên")
    assert len(districts) == 10 and len(province) == 1
    assert districts["n_communes"].sum() == 129
    assert province["area_km2"].iloc[0] == pytest.approx(communes_2020["area_km2"].sum(),
                                                         rel=1e-3)


@pytest.mark.slow
def test_rebuilding_yields_the_committed_geometries(tmp_path):
    layers = boundaries.build_default_layers()
    boundaries.write_embedded_layers(layers, out_dir=tmp_path)
    for name in boundaries.EMBEDDED:
        committed = boundaries.read_embedded_layer(name)
        rebuilt = boundaries.read_embedded_layer(name, folder=tmp_path)
        assert len(committed) == len(rebuilt), name
        same = shapely.equals_exact(committed.geometry.values, rebuilt.geometry.values,
                                    tolerance=0.01)
        assert same.all(), f"{name}: {(~same).sum()} geometries differ from data/shapefiles"
        text = [c for c in committed.columns if c != "geometry"]
        assert committed[text].equals(rebuilt[text]), name
        assert (tmp_path / boundaries.EMBEDDED[name]).with_suffix(".cpg").read_text() == "UTF-8"
        assert (tmp_path / boundaries.EMBEDDED[name]).with_suffix(".prj").exists()


def test_other_provinces_come_from_the_prebuilt_national_layer():
    """Read from data/shapefiles/vietnam_communes_2020.parquet (tests/test_national_layer.py)."""
    lai_chau = boundaries.load_communes("Lai Châu", vintage="2020")
    assert len(lai_chau) == 106
    assert lai_chau["province"].eq("Tỉnh Lai Châu").all()
    assert not lai_chau.geometry.is_empty.any()


# ----------------------------------------------------------------------------- official files

def _official(communes, tmp_path, *, name="official.gpkg", crs=None, columns=None):
    gdf = communes[["code", "name", "district", "geometry"]].copy()
    if crs:
        gdf = gdf.to_crs(crs)
    if columns:
        gdf = gdf.rename(columns=columns)
    path = tmp_path / name
    gdf.to_file(path)
    return path


def test_official_file_by_code_in_another_crs(communes_2020, tmp_path):
    path = _official(communes_2020, tmp_path, crs=METRIC_CRS, columns={"code": "MA_XA"})
    out = boundaries.load_communes("Điện Biên", vintage="2020", boundaries=path)
    assert len(out) == 129 and out.crs.to_epsg() == 4326
    assert not out["approximate"].any()
    assert out["area_km2"].sum() == pytest.approx(communes_2020["area_km2"].sum(), rel=1e-3)


def test_official_file_by_name_and_district_without_diacritics(communes_2020, tmp_path):
    from geo._text import fold
    gdf = communes_2020[["name", "district", "geometry"]].copy()
    gdf["ten_xa"] = gdf.pop("name").map(lambda s: fold(s.split(" ", 1)[1]))
    gdf["ten_huyen"] = gdf.pop("district")
    path = tmp_path / "by_name.geojson"
    gdf.to_file(path)
    out = boundaries.load_official_boundaries(path, province="Điện Biên", vintage="2020")
    assert len(out) >= 120
    assert "Xã Mường Nhé" in set(out["name"])


def test_unmatched_units_are_reported_not_dropped_silently(communes_2020, tmp_path):
    gdf = communes_2020[["code", "geometry"]].copy()
    gdf.loc[0, "code"] = "99999"
    path = tmp_path / "partly.gpkg"
    gdf.to_file(path)
    with pytest.warns(UserWarning, match="99999"):
        out = boundaries.load_official_boundaries(path, province="Điện Biên", vintage="2020")
    assert out.attrs["unmatched"] == ["99999"]
    assert out.attrs["missing"] == [communes_2020["code"].iloc[0]]


def test_invalid_geometry_is_repaired_to_polygons(communes_2020, tmp_path):
    bowtie = shapely.Polygon([(103.0, 21.4), (103.01, 21.41), (103.01, 21.4), (103.0, 21.41)])
    gdf = communes_2020[["code", "geometry"]].head(3).copy()
    gdf.loc[gdf.index[0], "geometry"] = bowtie
    path = tmp_path / "bowtie.gpkg"
    gdf.to_file(path)
    with pytest.warns(UserWarning):
        out = boundaries.load_official_boundaries(path, province="Điện Biên", vintage="2020")
    assert out.geometry.is_valid.all()
    assert set(out.geometry.geom_type) <= {"Polygon", "MultiPolygon"}


def test_file_without_crs_is_refused(communes_2020, tmp_path):
    shp = tmp_path / "nocrs.shp"
    communes_2020[["code", "geometry"]].to_file(shp)
    shp.with_suffix(".prj").unlink()
    with pytest.raises(BoundaryFileError, match="no coordinate reference system"):
        boundaries.load_official_boundaries(shp, province="Điện Biên", vintage="2020")


def test_points_another_province_and_junk_are_clear_errors(communes_2020, tmp_path):
    pts = communes_2020[["code"]].assign(geometry=communes_2020.representative_point())
    pts = gpd.GeoDataFrame(pts, crs=communes_2020.crs)
    pts.to_file(tmp_path / "points.gpkg")
    with pytest.raises(BoundaryFileError, match="must be polygons"):
        boundaries.load_official_boundaries(tmp_path / "points.gpkg", province="Điện Biên",
                                            vintage="2020")
    lai = boundaries.load_communes("Lai Châu", vintage="2020")[["code", "geometry"]]
    lai.to_file(tmp_path / "laichau.gpkg")
    with pytest.raises(BoundaryFileError, match="no unit of Tỉnh Điện Biên.*Lai Châu"):
        boundaries.load_official_boundaries(tmp_path / "laichau.gpkg", province="Điện Biên",
                                            vintage="2020")
    junk = tmp_path / "junk.geojson"
    junk.write_bytes(b"\x00\x01not a geojson\xff")
    with pytest.raises(BoundaryFileError, match="cannot be read"):
        boundaries.load_official_boundaries(junk, province="Điện Biên", vintage="2020")
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(BoundaryFileError):
        boundaries.load_official_boundaries(empty, province="Điện Biên", vintage="2020")
    gpd.GeoDataFrame({"x": [1]}, geometry=[box(0, 0, 1, 1)], crs=4326).to_file(tmp_path / "n.gpkg")
    with pytest.raises(BoundaryFileError, match="no unit of Tỉnh Điện Biên|no column"):
        boundaries.load_official_boundaries(tmp_path / "n.gpkg", province="Điện Biên",
                                            vintage="2020")


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_vietnamese_encoded_names_are_converted(communes_2020, tmp_path, encoding):
    """An agency shapefile whose names are stored in TCVN3/VNI bytes (GDAL reads them as
    Latin-1 and garbles them silently) is detected and converted back to Unicode."""
    from geo._vnencodings import encode_legacy

    gdf = communes_2020[["name", "district", "geometry"]].copy()
    gdf["ten_xa"] = gdf.pop("name").map(lambda s: encode_legacy(s, encoding, errors="lowercase"))
    gdf["ten_huyen"] = gdf.pop("district").map(
        lambda s: encode_legacy(s, encoding, errors="lowercase"))
    shp = tmp_path / f"{encoding}.shp"
    gdf.to_file(shp, encoding="latin1")
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    out = boundaries.load_official_boundaries(shp, province="Điện Biên", vintage="2020")
    assert out.attrs["encoding"] == encoding
    assert len(out) >= 125
    assert "Xã Mường Nhé" in set(out["name"])
