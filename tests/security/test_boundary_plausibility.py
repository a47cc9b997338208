"""Finding 6 (boundaries): province-sized or zero-area communes, far-away duplicate codes."""

from __future__ import annotations

import geopandas as gpd
import pytest
from _clirun import run_cli
from _hostile import boundary_files
from shapely.geometry import box

from geo import boundaries
from geo._errors import BoundaryFileError


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return boundary_files(tmp_path_factory.mktemp("bounds"))


def load(path, vintage="2020"):
    return boundaries.load_official_boundaries(path, province="Điện Biên", vintage=vintage)


def test_the_embedded_layer_as_a_file_is_accepted(files):
    assert len(load(files["good"])) == 129


def test_province_sized_communes_are_refused(files):
    with pytest.raises(BoundaryFileError, match=r"129 unit\(s\) cover about the whole "
                                                r"province .*129\.0 times the area"):
        load(files["province_sized"])


def test_zero_area_communes_are_refused(files):
    with pytest.raises(BoundaryFileError, match=r"129 unit\(s\) have almost no area "
                                                r"\(under 0\.01 km²\)"):
        load(files["tiny"])


def test_duplicate_code_far_away_is_refused_not_merged(files):
    with pytest.raises(BoundaryFileError, match=r"1 unit code\(s\) appear on more than one "
                                                r"feature: 03124 \(2 features, up to 2\d\d km"):
        load(files["duplicate_far"])


def test_one_unit_far_from_its_registry_position_is_refused(files, tmp_path):
    gdf = gpd.read_file(files["good"])
    gdf.loc[gdf["ma_xa"] == "03154", "geometry"] = box(105.84, 21.02, 105.9, 21.08)
    path = tmp_path / "moved.geojson"
    gdf.to_file(path, driver="GeoJSON")
    with pytest.raises(BoundaryFileError, match=r"1 unit\(s\) lie more than 50 km from "
                                                r"where the registry places them .*: 03154"):
        load(path)


def test_2025_layer_passes_the_registry_area_check(tmp_path):
    base = boundaries.load_communes("Điện Biên", vintage="2025")[["code", "geometry"]]
    path = tmp_path / "b25.geojson"
    base.rename(columns={"code": "ma_xa"}).to_file(path, driver="GeoJSON")
    assert len(load(path, "2025")) == 45
    shrunk = base.rename(columns={"code": "ma_xa"})
    shrunk["geometry"] = shrunk.geometry.scale(0.2, 0.2)  # a 25th of the area
    shrunk.to_file(tmp_path / "s25.geojson", driver="GeoJSON")
    with pytest.raises(BoundaryFileError, match="differ from the registry's area by more "
                                                "than a factor 10"):
        load(tmp_path / "s25.geojson", "2025")


@pytest.mark.slow
@pytest.mark.parametrize("defect, expect", [
    ("province_sized", "cover about the whole province"),
    ("tiny", "almost no area"),
    ("duplicate_far", "appear on more than one feature"),
])
def test_cli_exits_2_on_implausible_boundaries(files, tmp_path, defect, expect):
    run = run_cli("communes", "--vintage", "2020", "--boundaries", str(files[defect]),
                  home=tmp_path)
    assert run.returncode == 2, run.stderr
    assert expect in run.stderr and "Traceback" not in run.stderr and run.stdout == ""
