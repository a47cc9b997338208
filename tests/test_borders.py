"""Tests for geo.borders: hand-made polygons and lines with known answers, plus Điện Biên.

Fixtures are drawn in EPSG:32648 around (500 km E, 2,400 km N) — near 105°E, 21.7°N —
so that the default metric CRS (``metric_crs_for``) is EPSG:32648 itself and every
length below is exact in the fixture's own units.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from geo._errors import BorderMapError
from geo.borders import (
    PIECE_M,
    PUBLISHED_BORDER_KM_DIEN_BIEN,
    border_lines,
    flag_border_communes,
    metric_crs_for,
    summarize_borders,
)

CRS = "EPSG:32648"
X0, Y0 = 500_000.0, 2_400_000.0
#: Junctions are placed to within half a border piece at each end of a commune.
END_TOL_KM = PIECE_M / 1000.0


def _box(x1: float, y1: float, x2: float, y2: float) -> Polygon:
    return box(X0 + x1, Y0 + y1, X0 + x2, Y0 + y2)


def _line(*points: tuple[float, float]) -> LineString:
    return LineString([(X0 + x, Y0 + y) for x, y in points])


def _communes(**polys: Polygon) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": list(polys)}, geometry=list(polys.values()),
                            crs=CRS).set_index("name", drop=False)


def _borders(**lines: LineString) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"iso3": list(lines)}, geometry=list(lines.values()), crs=CRS)


# Laos along y = 0 and China along x = 20 km, meeting at a tri-border point (20 km, 0);
# Vietnam lies to the north-west. The line starts at x = -333.3 so that border pieces
# do not line up with the communes' corners.
TRI_BORDERS = _borders(LAO=_line((-333.3, 0), (20_000, 0)),
                       CHN=_line((20_000, 0), (20_000, 20_000)))


@pytest.fixture
def strip() -> gpd.GeoDataFrame:
    """Communes along the Lao border, one at the tri-border, and some inland."""
    return _communes(
        west=_box(-333.3, 0, 7_013.7, 4_000),     # 7.347 km with LAO
        three=_box(7_013.7, 0, 10_013.7, 4_000),  # exactly 3 km with LAO
        east=_box(10_013.7, 0, 17_000, 2_500),    # 6.986 km with LAO
        tri=_box(17_000, 0, 20_000, 3_000),       # 3 km with LAO and 3 km with CHN
        behind=_box(7_013.7, 4_000, 10_013.7, 8_000),  # shares an edge with "three"
        far=_box(12_000, 2_500, 15_000, 5_000),   # 2.5 km from LAO, touches "east"
        inland=_box(0, 10_000, 5_000, 15_000),    # 10 km from LAO
    )


def test_commune_sharing_three_km_among_neighbours(strip):
    out = flag_border_communes(strip, borders=TRI_BORDERS)
    assert out.at["three", "border_km_lao"] == pytest.approx(3.0, abs=END_TOL_KM)
    assert out.at["three", "border_countries"] == "LAO"
    assert out.at["three", "border_km_chn"] == 0.0
    assert out.at["three", "dist_to_border_km"] == 0.0
    assert out.at["three", "border_belt"] == "border"


def test_isolated_commune_sharing_three_km_is_not_credited_past_its_corners():
    # The border runs 2 km past both ends; no neighbouring commune claims that stretch.
    # Buffer-and-clip would give 3 + 2 × 0.5 = 4 km.
    communes = _communes(alone=_box(2_013.7, 0, 5_013.7, 4_000))
    borders = _borders(LAO=_line((0, 0), (7_000, 0)))
    out = flag_border_communes(communes, borders=borders)
    assert out.at["alone", "border_km_lao"] == pytest.approx(3.0, abs=0.05)


def test_same_result_along_a_slanted_border():
    # The 3 km commune and the border rotated by 30°: nothing depends on the axes.
    communes = _communes(alone=_box(2_013.7, 0, 5_013.7, 4_000),
                         next_door=_box(5_013.7, 0, 8_000, 4_000))
    borders = _borders(LAO=_line((0, 0), (10_000, 0)))
    origin = Point(X0, Y0)
    communes = communes.set_geometry(communes.rotate(30, origin=origin))
    borders = borders.set_geometry(borders.rotate(30, origin=origin))
    out = flag_border_communes(communes, borders=borders)
    assert out.at["alone", "border_km_lao"] == pytest.approx(3.0, abs=0.05)
    assert out.at["next_door", "border_km_lao"] == pytest.approx(2.9863, abs=0.05)


def test_corner_touch_does_not_count():
    # A diamond whose lowest vertex sits on the border: 707 m of border lie within
    # 500 m of it on either side, so a buffer would credit it 1.41 km (over 1 km).
    communes = _communes(diamond=Polygon([(X0 + 7_000, Y0), (X0 + 8_000, Y0 + 1_000),
                                          (X0 + 7_000, Y0 + 2_000), (X0 + 6_000, Y0 + 1_000)]))
    borders = _borders(LAO=_line((0, 0), (14_000, 0)))
    out = flag_border_communes(communes, borders=borders)
    assert out.at["diamond", "border_countries"] == ""
    assert out.at["diamond", "border_km_lao"] == 0.0
    assert out.at["diamond", "border_belt"] == "interior"
    assert out.at["diamond", "dist_to_border_km"] == pytest.approx(0.0, abs=1e-9)
    # Even with no minimum length, it is credited almost nothing.
    anything = flag_border_communes(communes, borders=borders, min_shared_km=0.0)
    assert anything.at["diamond", "border_km_lao"] < 0.01


def test_corner_touch_between_two_border_communes_does_not_count():
    communes = _communes(left=_box(0, 0, 5_000, 2_000), right=_box(5_000, 0, 10_000, 2_000),
                         corner=Polygon([(X0 + 5_000, Y0), (X0 + 5_500, Y0 + 2_000),
                                         (X0 + 4_500, Y0 + 2_000)]))
    out = flag_border_communes(communes, borders=_borders(LAO=_line((0, 0), (10_000, 0))))
    assert out.at["corner", "border_countries"] == ""
    assert out.at["corner", "border_belt"] == "second-line"
    assert out.at["left", "border_km_lao"] + out.at["right", "border_km_lao"] == pytest.approx(10.0)


def test_distance_of_an_inland_commune(strip):
    out = flag_border_communes(strip, borders=TRI_BORDERS)
    assert out.at["far", "dist_to_border_km"] == pytest.approx(2.5, abs=0.01)
    assert out.at["far", "border_countries"] == ""
    assert out.at["far", "border_belt"] == "second-line"  # it touches "east"
    assert out.at["inland", "dist_to_border_km"] == pytest.approx(10.0, abs=0.01)
    assert out.at["inland", "border_belt"] == "interior"


def test_commune_touching_both_countries(strip):
    out = flag_border_communes(strip, borders=TRI_BORDERS)
    assert out.at["tri", "border_countries"] == "CHN;LAO"
    assert out.at["tri", "border_km_lao"] == pytest.approx(3.0, abs=END_TOL_KM)
    assert out.at["tri", "border_km_chn"] == pytest.approx(3.0, abs=END_TOL_KM)
    assert out.at["tri", "border_km_khm"] == 0.0


def test_second_line_and_belts(strip):
    out = flag_border_communes(strip, borders=TRI_BORDERS)
    assert out["border_belt"].to_dict() == {
        "west": "border", "three": "border", "east": "border", "tri": "border",
        "behind": "second-line", "far": "second-line", "inland": "interior"}
    assert out.at["behind", "dist_to_border_km"] == pytest.approx(4.0, abs=0.01)


def test_tolerance_option():
    communes = _communes(off=_box(3_000, 300, 6_000, 3_000))  # 300 m inland of the line
    borders = _borders(LAO=_line((0, 0), (10_000, 0)))
    wide = flag_border_communes(communes, borders=borders, tolerance_m=500)
    assert wide.at["off", "border_countries"] == "LAO"
    # 3 km alongside, plus at most tan(30°) × 300 m = 173 m past each corner (+ half a piece).
    assert 3.0 - END_TOL_KM <= wide.at["off", "border_km_lao"] <= 3.0 + 2 * (0.1733 + END_TOL_KM)
    assert wide.at["off", "dist_to_border_km"] == 0.0
    narrow = flag_border_communes(communes, borders=borders, tolerance_m=200)
    assert narrow.at["off", "border_countries"] == ""
    assert narrow.at["off", "border_km_lao"] == 0.0
    assert narrow.at["off", "dist_to_border_km"] == pytest.approx(0.3, abs=1e-6)
    assert narrow.at["off", "border_belt"] == "interior"


def test_minimum_shared_length_option():
    communes = _communes(short=_box(1_000, 0, 1_800, 2_000), rest=_box(1_800, 0, 10_000, 2_000))
    borders = _borders(LAO=_line((0, 0), (10_000, 0)))
    default = flag_border_communes(communes, borders=borders)
    assert default.at["short", "border_countries"] == ""
    assert default.at["short", "border_km_lao"] == 0.0
    assert default.at["short", "border_belt"] == "second-line"
    relaxed = flag_border_communes(communes, borders=borders, min_shared_km=0.5)
    assert relaxed.at["short", "border_countries"] == "LAO"
    assert relaxed.at["short", "border_km_lao"] == pytest.approx(0.8, abs=END_TOL_KM)
    assert relaxed.at["short", "dist_to_border_km"] == 0.0


def test_no_double_counting_between_adjacent_communes():
    communes = _communes(a=_box(0, 0, 4_000, 3_000), b=_box(4_000, 0, 10_000, 3_000))
    borders = _borders(LAO=_line((0, 0), (10_000, 0)))
    out = flag_border_communes(communes, borders=borders)
    assert out["border_km_lao"].sum() == pytest.approx(10.0, abs=1e-9)
    assert out.at["a", "border_km_lao"] == pytest.approx(4.0, abs=END_TOL_KM)
    assert out.at["b", "border_km_lao"] == pytest.approx(6.0, abs=END_TOL_KM)


def test_same_answers_in_any_input_crs(strip):
    in_metres = flag_border_communes(strip, borders=TRI_BORDERS)
    in_degrees = flag_border_communes(strip.to_crs("EPSG:4326"),
                                      borders=TRI_BORDERS.to_crs("EPSG:4326"))
    assert in_degrees.crs == "EPSG:4326"
    cols = ["border_km_lao", "border_km_chn", "dist_to_border_km"]
    assert np.allclose(in_degrees[cols], in_metres[cols], atol=0.005)
    assert (in_degrees["border_belt"] == in_metres["border_belt"]).all()


def test_returns_a_new_frame_and_keeps_the_input(strip):
    before = strip.copy()
    out = flag_border_communes(strip, borders=TRI_BORDERS)
    assert out is not strip
    assert list(strip.columns) == list(before.columns)
    assert out.crs == strip.crs
    assert out.geometry.equals(strip.geometry)
    assert list(out.columns) == [*strip.columns, "border_countries", "border_km_lao",
                                 "border_km_chn", "border_km_khm", "dist_to_border_km",
                                 "border_belt"]


def test_empty_frame_gets_the_columns(strip):
    out = flag_border_communes(strip.iloc[:0], borders=TRI_BORDERS)
    assert len(out) == 0
    assert {"border_countries", "border_km_lao", "dist_to_border_km", "border_belt"} <= set(out)


def test_missing_crs_is_refused(strip):
    with pytest.raises(BorderMapError, match="communes have no CRS"):
        flag_border_communes(strip.set_crs(None, allow_override=True), borders=TRI_BORDERS)
    with pytest.raises(BorderMapError, match="borders: no CRS"):
        flag_border_communes(strip, borders=TRI_BORDERS.set_crs(None, allow_override=True))


@pytest.mark.parametrize(("option", "value", "error"), [
    ("tolerance_m", -5, ValueError), ("tolerance_m", math.nan, ValueError),
    ("min_shared_km", math.inf, ValueError), ("min_shared_km", "1km", TypeError),
])
def test_bad_options_are_refused_quoting_the_value(strip, option, value, error):
    with pytest.raises(error, match=f"{option} must be .*{value!r}"):
        flag_border_communes(strip, borders=TRI_BORDERS, **{option: value})


def test_geographic_metric_crs_is_refused(strip):
    with pytest.raises(ValueError, match="projected CRS in metres, got 'EPSG:4326'"):
        flag_border_communes(strip, borders=TRI_BORDERS, metric_crs="EPSG:4326")


def test_bad_geometries_are_all_reported():
    communes = gpd.GeoDataFrame({"name": ["ok", "point", "none"]},
                                geometry=[_box(0, 0, 1, 1), Point(X0, Y0), None], crs=CRS)
    with pytest.raises(BorderMapError, match=r"no geometry in row\(s\) 2; not a polygon in "
                                             r"row\(s\) 1 \(Point\)"):
        flag_border_communes(communes, borders=TRI_BORDERS)


def test_polygon_borders_are_refused(strip):
    polygons = gpd.GeoDataFrame({"iso3": ["LAO"]}, geometry=[_box(0, -5_000, 20_000, 0)], crs=CRS)
    with pytest.raises(BorderMapError, match=r"not a line in row\(s\) 0 \(Polygon\)"):
        flag_border_communes(strip, borders=polygons)


def test_metric_crs_for_picks_the_utm_zone_of_the_centroid():
    west = box(102.5, 21.0, 103.5, 22.0)  # Điện Biên
    east = box(108.5, 12.0, 109.2, 13.0)  # Khánh Hòa
    assert metric_crs_for(gpd.GeoSeries([west], crs="EPSG:4326")) == "EPSG:32648"
    assert metric_crs_for(gpd.GeoSeries([east], crs="EPSG:4326")) == "EPSG:32649"
    # Area-weighted: a small eastern part does not move a mostly western layer.
    assert metric_crs_for(gpd.GeoSeries([west, box(113, 9, 113.1, 9.1)],
                                        crs="EPSG:4326")) == "EPSG:32648"
    assert metric_crs_for(gpd.GeoSeries([east], crs="EPSG:4326").to_crs(CRS)) == "EPSG:32649"
    with pytest.raises(BorderMapError, match="no CRS"):
        metric_crs_for(gpd.GeoSeries([west]))


def test_summarize_borders(strip):
    out = flag_border_communes(strip, borders=TRI_BORDERS)
    summary = summarize_borders(out, published={"LAO": 20.0})
    assert summary["iso3"].tolist() == ["LAO", "CHN", "KHM"]
    assert summary["name_vi"].tolist() == ["Lào", "Trung Quốc", "Campuchia"]
    assert summary["n_border_communes"].tolist() == [4, 1, 0]
    lao = summary.set_index("iso3").loc["LAO"]
    assert lao["border_km"] == pytest.approx(20.3333, abs=1e-3)  # the whole line, once
    assert lao["published_km"] == 20.0
    assert math.isnan(summary.set_index("iso3").at["CHN", "published_km"])
    assert "published_km" not in summarize_borders(out).columns


def test_summarize_borders_refuses_bad_input(strip):
    out = flag_border_communes(strip, borders=TRI_BORDERS)
    with pytest.raises(ValueError, match="published names country 'XYZ'"):
        summarize_borders(out, published={"XYZ": 1.0})
    with pytest.raises(ValueError, match=r"published\['LAO'\] must be .*-1"):
        summarize_borders(out, published={"LAO": -1})
    with pytest.raises(BorderMapError, match="run flag_border_communes"):
        summarize_borders(strip)


# --------------------------------------------------------------------------- Natural Earth

def test_border_lines_from_natural_earth():
    lines = border_lines()
    assert lines.crs == "EPSG:4326"
    assert lines["iso3"].tolist() == ["CHN", "KHM", "LAO"]
    assert list(lines.columns) == ["iso3", "name", "name_vi", "geometry"]
    km = lines.set_index("iso3").to_crs(CRS).length / 1000
    # Measured: LAO 1,749.6, CHN 1,049.0, KHM 966.7 km — 82–85 % of the published
    # 2,067 / 1,281 / 1,137 km: a 1:10m line cuts the windings of rivers and ridges.
    for iso, published in {"LAO": 2_067, "CHN": 1_281, "KHM": 1_137}.items():
        assert 0.80 * published <= km[iso] <= 0.90 * published, iso
    geoms = lines.set_index("iso3").geometry
    assert geoms["LAO"].geom_type == "LineString"  # one continuous line each
    assert geoms["LAO"].distance(geoms["CHN"]) == 0.0  # they meet at the tri-border
    assert border_lines(countries=["lao"])["iso3"].tolist() == ["LAO"]
    with pytest.raises(ValueError, match="not VNM"):
        border_lines(countries=("VNM", "LAO"))


def test_dien_bien_on_the_embedded_layer():
    from geo.boundaries import load_communes  # the lead's module

    communes = load_communes("Điện Biên", vintage="2020")
    out = flag_border_communes(communes)
    assert len(out) == 129
    border = out[out["border_belt"] == "border"]
    assert border["border_countries"].str.contains("LAO").sum() >= 10
    assert border["border_countries"].str.contains("CHN").sum() >= 1
    tri = out[out["border_countries"] == "CHN;LAO"]
    assert len(tri) >= 1
    assert set(tri["district"]) == {"Huyện Mường Nhé"}
    # China's border is all in Mường Nhé district (A Pa Chải).
    assert set(out.loc[out["border_km_chn"] > 0, "district"]) == {"Huyện Mường Nhé"}
    assert (out.loc[out["border_belt"] == "border", "dist_to_border_km"] == 0).all()
    assert (out.loc[out["border_belt"] == "interior", "dist_to_border_km"] > 0).all()

    summary = summarize_borders(out, published=PUBLISHED_BORDER_KM_DIEN_BIEN).set_index("iso3")
    ratio = summary["border_km"] / summary["published_km"]
    # Measured on the embedded 2020 layer (fitted method): LAO 305.8 km (73.7 % of
    # 414.712 km), CHN 29.6 km (72.5 % of 40.86 km; the plain Voronoi layer gave 309.1
    # and 37.1 km). Natural Earth's own lines measure about 300 and 31 km there. Natural Earth 1:10m keeps ~85 % of Vietnam's
    # published national border lengths; Điện Biên's Lao border is windier than the
    # average (mountains, and 55.7 km along rivers and streams), and the approximate
    # layer places the province's ends only roughly. Hence 65–105 %: a generalised
    # line is shorter, never longer, than the surveyed one, so going over the
    # published figure would mean double counting or a province that reaches too far.
    assert 0.65 <= ratio["LAO"] <= 1.05
    assert 0.65 <= ratio["CHN"] <= 1.05
    assert summary.at["KHM", "n_border_communes"] == 0
