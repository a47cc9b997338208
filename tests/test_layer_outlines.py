"""Province outlines: ECharts decoding, name matching, areas, extension to Natural Earth."""

from __future__ import annotations

import pytest
import shapely

from geo import registry
from geo._errors import LayerError
from geo.countries import load_vietnam
from geo.layer.outlines import (OUTLINE_SHIFT_M, build_province_regions,
                                decode_echarts_geojson, estimate_outline_shift,
                                load_province_outlines, match_outline_names)
from geo.settings import METRIC_CRS


def _encode(points, offset):
    """Encode a ring the way ECharts does (delta, zig-zag, +64), for the round trip."""
    out, prev = [], list(offset)
    for x, y in points:
        for value, k in ((x, 0), (y, 1)):
            delta = value - prev[k]
            prev[k] = value
            out.append(chr(((delta << 1) ^ (delta >> 31)) + 64))
    return "".join(out)


def test_decoding_round_trip():
    ring = [(105 * 1024, 21 * 1024), (105 * 1024 + 300, 21 * 1024), (105 * 1024 + 300,
            21 * 1024 - 250), (105 * 1024, 21 * 1024)]
    data = {"UTF8Encoding": True, "features": [
        {"properties": {"name": "Test province"},
         "geometry": {"type": "Polygon", "coordinates": [_encode(ring, ring[0])],
                      "encodeOffsets": [list(ring[0])]}}]}
    (name, geom), = decode_echarts_geojson(data)
    assert name == "Test province"
    assert shapely.get_coordinates(geom).tolist()[:4] == [
        [105.0, 21.0], [105 + 300 / 1024, 21.0], [105 + 300 / 1024, 21 - 250 / 1024],
        [105.0, 21.0]]


def test_decoding_refuses_points():
    with pytest.raises(LayerError, match="Point, not a"):
        decode_echarts_geojson({"features": [{"properties": {"name": "x"},
                                              "geometry": {"type": "Point",
                                                           "coordinates": [1, 2]}}]})


def test_all_63_names_match_registry_codes():
    outlines = load_province_outlines()
    assert len(outlines) == 63
    assert sorted(outlines["province_code"]) == sorted(
        registry.list_provinces("2020")["province_code"])
    row = outlines.set_index("source_name").loc["Dien Bien province"]
    assert row["province_code"] == "11" and row["province"] == "Tỉnh Điện Biên"
    assert outlines.set_index("source_name").at["Thua Thien–Hue province",
                                                 "province_code"] == "46"
    assert outlines.set_index("source_name").at["Tỉnh Hải Dương", "province_code"] == "30"


def test_unknown_names_are_all_reported():
    with pytest.raises(LayerError, match="'Atlantis province' matches no 2020 province; "
                                         "'Nowhere city' matches no"):
        match_outline_names(["Dien Bien province", "Atlantis province", "Nowhere city"])


def test_outline_areas_match_the_published_figures():
    km2 = load_province_outlines().to_crs(METRIC_CRS).set_index("province_code").area / 1e6
    assert km2["11"] == pytest.approx(9537, abs=5)    # Điện Biên (official 9,541)
    assert km2["12"] == pytest.approx(9052, abs=5)    # Lai Châu
    assert km2["14"] == pytest.approx(14134, abs=5)   # Sơn La


@pytest.fixture(scope="module")
def regions():
    land = shapely.make_valid(load_vietnam().to_crs(METRIC_CRS).geometry.iloc[0])
    return build_province_regions(load_province_outlines(), land), land


def test_regions_partition_the_natural_earth_land(regions):
    out, land = regions
    assert len(out) == 63
    union = shapely.union_all(out.geometry.values)
    assert shapely.area(out.geometry.values).sum() == pytest.approx(shapely.area(land), rel=1e-9)
    assert shapely.area(shapely.symmetric_difference(union, land)) / shapely.area(land) < 1e-9
    dien_bien = out.set_index("province_code").loc["11"]
    assert shapely.area(dien_bien.geometry) / 1e6 == pytest.approx(9541, rel=0.03)


@pytest.mark.slow
def test_outline_shift_is_the_best_translation(regions):
    _, land = regions
    assert estimate_outline_shift(load_province_outlines(), land, step_m=500.0,
                                  reach_m=2000.0) == pytest.approx(OUTLINE_SHIFT_M, abs=500)
