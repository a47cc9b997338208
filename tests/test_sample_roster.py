"""Tests for geo.sample: the synthetic roster (sample data — not real assignments)."""

from __future__ import annotations

import pandas as pd
import pytest

from geo import sample
from geo._errors import InvalidArgument
from geo.reference import PUBLISHED_STAFF, SAMPLE_NOTE
from geo.sample import SAMPLE_COLUMNS, build_sample_roster
from geo.settings import SAMPLE_ROSTER

ROLES = ["chiefs", "deputies", "officers", "reinforcements"]


@pytest.fixture(scope="module")
def communes():
    """Điện Biên's 129 units of the 2020 map with the border analysis."""
    from geo.borders import flag_border_communes
    from geo.boundaries import load_communes

    return flag_border_communes(load_communes("Điện Biên", vintage="2020"))


@pytest.fixture(scope="module")
def roster(communes):
    return build_sample_roster(communes)


def test_totals_equal_the_published_figures(roster):
    assert roster[ROLES].sum().to_dict() == {"chiefs": 115, "deputies": 153, "officers": 332,
                                             "reinforcements": 28}
    assert roster[ROLES].sum().to_dict() == dict(PUBLISHED_STAFF)


def test_one_row_per_xa_and_none_for_wards_and_towns(roster, communes):
    xa = set(communes.loc[communes["unit_type"] == "Xã", "code"])
    assert len(xa) == 115
    assert set(roster["commune_code"]) == xa and roster["commune_code"].is_unique
    assert list(roster.columns) == SAMPLE_COLUMNS
    assert (roster["chiefs"] == 1).all() and (roster["deputies"] >= 1).all()
    assert (roster["officers"] >= 2).all()


def test_reinforcements_go_only_to_border_communes(roster, communes):
    border = set(communes.loc[communes["border_countries"] != "", "code"])
    reinforced = roster.loc[roster["reinforcements"] > 0]
    assert len(reinforced) > 0
    assert set(reinforced["commune_code"]) <= border
    assert (reinforced["reinforcement_origin"].str.contains("sample")).all()
    assert (roster.loc[roster["reinforcements"] == 0, "reinforcement_origin"] == "").all()


def test_every_row_is_labelled_as_sample(roster):
    assert (roster["note"] == SAMPLE_NOTE).all()
    assert SAMPLE_NOTE == "Sample data — not real assignments."
    assert (roster["as_of"] == sample.SAMPLE_AS_OF).all()


def test_deterministic_whatever_the_input_order(roster, communes):
    again = build_sample_roster(communes.sample(frac=1, random_state=7))
    pd.testing.assert_frame_equal(again.reset_index(drop=True), roster.reset_index(drop=True))


def test_the_committed_file_is_the_generated_roster(roster):
    committed = pd.read_csv(SAMPLE_ROSTER, dtype={"commune_code": str}, keep_default_na=False,
                            encoding="utf-8")
    generated = roster.astype({c: str for c in ["commune_name", "district",
                                                "reinforcement_origin", "as_of", "note"]})
    pd.testing.assert_frame_equal(committed, generated.reset_index(drop=True),
                                  check_dtype=False)


def test_one_officer_in_five_is_counted_untrained(roster):
    assert (roster["trained"] == roster["officers"] - roster["officers"] // 5).all()


# --------------------------------------------------------------------------- tiny frames


def _tiny() -> pd.DataFrame:
    return pd.DataFrame({
        "code": ["00003", "00001", "00002", "00009"],
        "name": ["Xã C", "Xã A", "Xã B", "Phường P"],
        "district": ["H", "H", "H", "H"],
        "unit_type": ["Xã", "Xã", "Xã", "Phường"],
        "area_km2": [10.0, 30.0, 20.0, 5.0],
        "border_countries": ["", "LAO", "LAO", ""],
        "border_km_lao": [0.0, 3.0, 1.0, 0.0],
        "border_km_chn": [0.0, 0.0, 0.0, 0.0],
    })


def test_reinforcements_in_proportion_to_border_length_on_a_tiny_frame():
    out = build_sample_roster(_tiny()).set_index("commune_code")
    assert list(out.index) == ["00001", "00002", "00003"]  # sorted by code, no ward
    # 28 shared 3 : 1 → 21 and 7; the interior xã gets none
    assert out["reinforcements"].to_dict() == {"00001": 21, "00002": 7, "00003": 0}


def test_largest_remainder_shares_exactly_and_breaks_ties_by_order():
    share = sample._largest_remainder
    assert share([1, 1, 1], 10, [0, 1, 2]).tolist() == [4, 3, 3]
    assert share([1, 1, 1], 10, [2, 1, 0]).tolist() == [3, 3, 4]
    assert share([3, 1], 28, [0, 1]).tolist() == [21, 7]
    assert share([0, 0], 5, [0, 1]).tolist() == [0, 0]
    assert share([1, 2], 0, [0, 1]).tolist() == [0, 0]


def test_no_xa_raises():
    wards = _tiny().assign(unit_type="Phường")
    with pytest.raises(InvalidArgument, match="no xã among the communes"):
        build_sample_roster(wards)
