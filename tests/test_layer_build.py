"""The fitted commune layer: Điện Biên's committed layers, and the nationwide build."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geo import boundaries, layer, registry
from geo._errors import LayerError
from geo.borders import flag_border_communes
from geo.settings import METRIC_CRS

OFFICIAL_KM2 = 9541.0  # GSO natural area of Điện Biên (FACTS.md)


@pytest.fixture(scope="module")
def committed():
    return {name: boundaries.read_embedded_layer(name) for name in boundaries.EMBEDDED}


def test_committed_layers_are_the_fitted_method(committed):
    for name, gdf in committed.items():
        assert (gdf["method"] == "fitted").all(), name
        assert gdf.crs == METRIC_CRS


def test_province_area_within_3_percent(committed):
    km2 = shapely.area(committed["province"].geometry.values).sum() / 1e6
    assert abs(km2 / OFFICIAL_KM2 - 1) < 0.03  # measured 9,742 km² (+2.1 %)


def test_2025_unit_areas_match_the_registry(committed):
    c25 = committed["communes_2025"]
    assert len(c25) == 45
    err = np.abs(shapely.area(c25.geometry.values) / 1e6 / c25["official_area_km2"] - 1)
    assert np.median(err) < 0.02 and err.max() < 0.02  # measured 0.09 % / 0.10 %


def test_no_overlap_no_gap_no_empty_cell(committed):
    province = committed["province"].geometry.iloc[0]
    for name in ("communes_2020", "communes_2025", "districts_2020"):
        geoms = committed[name].geometry.values
        assert not shapely.is_empty(geoms).any() and shapely.is_valid(geoms).all(), name
        assert (shapely.area(geoms) > 1e4).all(), name  # every cell over 0.01 km²
        union = shapely.union_all(geoms)
        overlap = shapely.area(geoms).sum() - shapely.area(union)
        assert overlap < 1e3, name  # under 0.001 km² in all (1 m grid rounding)
        assert shapely.area(shapely.symmetric_difference(union, province)) < 1e3, name


def test_2020_communes_nest_exactly_in_2025_units(committed):
    c20 = committed["communes_2020"].set_index("code").geometry
    cw = registry.load_crosswalk(province="Điện Biên")
    assert not cw["divided"].any()  # none in Điện Biên; divided ones are tested nationwide
    for row in committed["communes_2025"].itertuples():
        members = cw.loc[cw["new_code"] == row.code, "old_code"]
        union = shapely.union_all(c20.loc[members].values)
        assert shapely.area(shapely.symmetric_difference(union, row.geometry)) < 10, row.name


def test_sin_thau_touches_laos_and_china(committed):
    flagged = flag_border_communes(committed["communes_2020"])
    sin_thau = flagged.loc[flagged["name"] == "Xã Sín Thầu"]
    assert sin_thau["border_countries"].tolist() == ["CHN;LAO"]
    assert set(sin_thau["district"]) == {"Huyện Mường Nhé"}


def test_few_official_centroids_fall_outside_their_own_cell(committed):
    import geopandas as gpd

    c20 = committed["communes_2020"]
    units = registry.load_units("2020", province="Điện Biên").set_index("code").loc[c20["code"]]
    pts = gpd.GeoSeries(gpd.points_from_xy(units["lon"], units["lat"]), crs="EPSG:4326")
    outside = ~shapely.covers(c20.geometry.values, pts.to_crs(METRIC_CRS).values)
    assert outside.sum() <= 30  # measured 29 of 129 (plain Voronoi: 8)


def test_unknown_method_is_refused():
    with pytest.raises(LayerError, match="method must be one of fitted, voronoi, not 'kriging'"):
        layer.build_layers(method="kriging")


# ------------------------------------------------------------------ nationwide (slow)

@pytest.fixture(scope="module")
def national():
    return layer.build_layers(method="fitted")


@pytest.mark.slow
def test_nationwide_build_has_every_commune_and_no_empty_piece(national):
    assert len(national.communes_2020) == 10_035
    assert not national.communes_2020.geometry.is_empty.any()
    assert not national.pieces.geometry.is_empty.any()
    assert len(national.pieces) == len(registry.load_crosswalk())


@pytest.mark.slow
def test_untrusted_registry_areas_are_detected_and_reported(national):
    prov = national.provinces
    lo, hi = layer.build.TRUST_RATIO
    assert (~prov["trusted"] == ~prov["ratio"].between(lo, hi)).all()
    untrusted = set(prov.loc[~prov["trusted"], "new_province_code"])
    assert 5 <= len(untrusted) <= 15  # FACTS.md: about 15 merged lowland provinces
    assert "11" not in untrusted and "12" not in untrusted  # northern border provinces
    assert prov.loc[prov["trusted"], "converged"].all()


@pytest.mark.slow
def test_divided_communes_nest_in_their_2025_units(national):
    cw = registry.load_crosswalk()
    divided = cw[cw["divided"]]
    c20 = national.communes_2020.set_index("code").geometry
    sample = sorted(divided["old_code"].unique())[:40]
    sub = national.communes_2020[national.communes_2020["code"].isin(
        set(cw.loc[cw["new_code"].isin(set(divided.loc[divided["old_code"].isin(sample),
                                                               "new_code"])), "old_code"]))]
    c25 = layer.build_2025_layer(sub).set_index("code").geometry
    for old in sample:
        units = divided.loc[divided["old_code"] == old, "new_code"]
        cover = shapely.union_all(c25.reindex(units).dropna().values)
        assert shapely.area(shapely.difference(c20[old], cover)) < 10, old


@pytest.mark.slow
def test_province_layers_equal_the_embedded_build():
    a = layer.build_province_layers("11")
    b = boundaries.build_default_layers()
    for name in a:
        assert shapely.equals_exact(a[name].geometry.values, b[name].geometry.values,
                                    tolerance=0.01).all(), name


@pytest.mark.slow
def test_voronoi_method_is_kept_as_the_baseline():
    layers = layer.build_province_layers("11", method="voronoi")
    assert (layers["communes_2020"]["method"] == "voronoi").all()
    assert len(layers["communes_2020"]) == 129 and len(layers["communes_2025"]) == 45
    assert layers["communes_2020"]["note"].str.contains("plain Voronoi").all()


@pytest.mark.slow
def test_cli_build_default_with_the_voronoi_method(tmp_path, capsys):
    from geo.cli import main

    assert main(["build-default", "--method", "voronoi", "--out", str(tmp_path)]) == 0
    assert "communes_2020: 129 features" in capsys.readouterr().out
    written = boundaries.read_embedded_layer("communes_2020", folder=tmp_path)
    assert (written["method"] == "voronoi").all()
    with pytest.raises(SystemExit):
        main(["build-default", "--method", "kriging"])
