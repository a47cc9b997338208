"""The coverage rules of geo.coverage on tiny hand-made frames with known answers.

* staffing gap: posts missing against the minimum (chiefs, deputies, officers; border xã
  need more officers), counted per role, so a surplus in one role never fills a shortfall
  in another; only xã are counted;
* carry-over of a 2020-map roster onto the 2025 map: each old commune's staff goes whole
  to the unit it became (a split commune to the registry's default new unit), totals kept.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo import coverage
from geo._errors import InvalidArgument
from geo.coverage import Minimum, compute_metrics, province_totals, roster_to_2025

ROLES = ["chiefs", "deputies", "officers", "reinforcements"]


def _communes(rows: list[tuple]) -> gpd.GeoDataFrame:
    """(code, unit_type, area_km2, border_countries, border_km_lao, border_km_chn) rows."""
    frame = pd.DataFrame(rows, columns=["code", "unit_type", "area_km2", "border_countries",
                                        "border_km_lao", "border_km_chn"])
    geoms = [box(i, 0, i + 1, 1) for i in range(len(frame))]
    return gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")


def _roster(rows: list[tuple]) -> pd.DataFrame:
    """(commune_code, chiefs, deputies, officers, reinforcements, trained) rows."""
    return pd.DataFrame(rows, columns=["commune_code", *ROLES, "trained"])


@pytest.fixture
def communes():
    return _communes([
        ("00001", "Xã", 50.0, "", 0.0, 0.0),          # interior xã
        ("00002", "Xã", 100.0, "LAO", 12.5, 0.0),     # border xã: one more officer needed
        ("00003", "Phường", 5.0, "", 0.0, 0.0),       # ward: no minimum
        ("00004", "Xã", 0.0, "CHN;LAO", 3.0, 2.0),    # border xã, zero area
        ("00005", "Xã", 20.0, "", 0.0, 0.0),          # not in the roster
    ])


@pytest.fixture
def roster():
    return _roster([
        ("00001", 0, 1, 1, 0, 1),   # short: 1 chief, 0 deputies, 2 officers → 3
        ("00002", 1, 1, 3, 2, 3),   # border: needs 4 officers → 1
        ("00003", 0, 0, 0, 0, 0),   # ward → 0
        ("00004", 2, 3, 1, 0, 0),   # surplus chiefs/deputies do not cover 3 missing officers
    ])


def test_staffing_gap_counts_missing_posts_per_role(communes, roster):
    out = compute_metrics(communes, roster).set_index("code")
    assert out["staffing_gap"].to_dict() == {"00001": 3, "00002": 1, "00003": 0,
                                             "00004": 3, "00005": 5}
    assert out["staffing_gap"].dtype.kind == "i"


def test_a_commune_missing_from_the_roster_has_zero_staff(communes, roster):
    out = compute_metrics(communes, roster).set_index("code")
    assert out.loc["00005", ROLES + ["trained", "total_police"]].tolist() == [0, 0, 0, 0, 0, 0]


def test_a_custom_minimum_changes_the_gap(communes, roster):
    minimum = Minimum(chiefs=1, deputies=2, officers=4, border_extra_officers=0)
    out = compute_metrics(communes, roster, minimum=minimum).set_index("code")
    # 00001: 1 + 1 + 3; 00002: 0 + 1 + 1; 00004: 0 + 0 + 3; 00005: 1 + 2 + 4
    assert out["staffing_gap"].to_dict() == {"00001": 5, "00002": 2, "00003": 0,
                                             "00004": 3, "00005": 7}


def test_a_zero_minimum_means_no_gap(communes, roster):
    minimum = Minimum(chiefs=0, deputies=0, officers=0, border_extra_officers=0)
    assert compute_metrics(communes, roster, minimum=minimum)["staffing_gap"].sum() == 0


@pytest.mark.parametrize("field,value", [("chiefs", -1), ("officers", 1.5),
                                         ("border_extra_officers", "2")])
def test_minimum_refuses_negative_or_non_whole_numbers(field, value):
    with pytest.raises(InvalidArgument, match=f"minimum {field} must be a whole number"):
        Minimum(**{field: value})


def test_totals_and_densities(communes, roster):
    out = compute_metrics(communes, roster).set_index("code")
    assert out["total_police"].to_dict() == {"00001": 2, "00002": 7, "00003": 0, "00004": 6,
                                             "00005": 0}
    assert out.loc["00002", "police_per_100km2"] == pytest.approx(7.0)
    assert out.loc["00001", "police_per_100km2"] == pytest.approx(4.0)
    assert np.isnan(out.loc["00004", "police_per_100km2"])  # zero area: not a density
    assert out.loc["00002", "police_per_10km_border"] == pytest.approx(7 / 12.5 * 10)
    assert out.loc["00004", "border_km"] == pytest.approx(5.0)
    assert out.loc["00004", "police_per_10km_border"] == pytest.approx(12.0)
    assert np.isnan(out.loc["00001", "police_per_10km_border"])  # not a border commune


def test_compute_metrics_returns_a_new_frame(communes, roster):
    before = communes.copy()
    out = compute_metrics(communes, roster)
    assert out is not communes and "staffing_gap" not in communes
    pd.testing.assert_frame_equal(pd.DataFrame(communes), pd.DataFrame(before))
    assert list(out["code"]) == list(communes["code"])


def test_province_totals_add_up(communes, roster):
    totals = province_totals(compute_metrics(communes, roster))
    assert totals["communes"] == 5 and totals["border_communes"] == 2
    assert totals["border_communes_lao"] == 2 and totals["border_communes_chn"] == 1
    assert {k: totals[k] for k in ROLES} == {"chiefs": 3, "deputies": 5, "officers": 5,
                                             "reinforcements": 2}
    assert totals["total_police"] == 15 and totals["staffing_gap"] == 12
    assert totals["border_km_lao"] == pytest.approx(15.5)


# --------------------------------------------------------------------------- carry-over


@pytest.fixture
def tiny_crosswalk(monkeypatch):
    """Old A and B merge into X; old C is split between Y (default) and Z; D → D."""
    cw = pd.DataFrame({
        "old_code": ["A", "B", "C", "C", "D"],
        "new_code": ["X", "X", "Z", "Y", "D"],
        "divided": [False, False, True, True, False],
        "default": [True, True, False, True, True],
    })
    monkeypatch.setattr(coverage.registry, "load_crosswalk", lambda **_: cw.copy())
    return cw


def test_carry_over_merges_and_sends_a_split_commune_whole_to_its_default(tiny_crosswalk):
    old = _roster([("A", 1, 1, 2, 0, 1), ("B", 1, 2, 3, 1, 2), ("C", 1, 1, 4, 3, 4),
                   ("D", 0, 1, 1, 0, 0), ("E", 1, 0, 0, 0, 0)])  # E: not in the crosswalk
    old["as_of"] = ["2024-01-01", "2024-06-30", "2023-12-31", "2024-02-02", "2022-01-01"]
    new = roster_to_2025(old).set_index("commune_code")
    assert sorted(new.index) == ["D", "E", "X", "Y"]  # nothing goes to Z
    assert new.loc["X", ROLES + ["trained"]].tolist() == [2, 3, 5, 1, 3]
    assert new.loc["Y", ROLES + ["trained"]].tolist() == [1, 1, 4, 3, 4]
    assert new.loc["E", "chiefs"] == 1  # an unknown code keeps its row
    assert new.loc["X", "as_of"] == "2024-06-30"  # the newest date of the merged rows
    for col in ROLES + ["trained"]:
        assert new[col].sum() == old[col].sum()


def test_carry_over_on_the_registry_crosswalk():
    """Hà Nội 00006 became 00008; 00007 was split between 00008 (default) and 00025."""
    old = _roster([("00006", 1, 1, 3, 0, 2), ("00007", 1, 2, 4, 1, 3)])
    new = roster_to_2025(old).set_index("commune_code")
    assert list(new.index) == ["00008"]
    assert new.loc["00008", ROLES].tolist() == [2, 3, 7, 1]


def test_carry_over_keeps_the_sample_roster_totals():
    old = coverage.load_sample_roster()
    new = roster_to_2025(old)
    assert new["commune_code"].is_unique and len(new) < len(old)
    for col in ROLES + ["trained"]:
        assert new[col].sum() == old[col].sum()
