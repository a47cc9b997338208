"""The registry adapter over vietnamadminunits: counts, look-ups and the crosswalk."""

from __future__ import annotations

import pytest

from geo import registry
from geo._errors import RegistryError


def test_dien_bien_2020_counts_match_published_map():
    units = registry.load_units("2020", province="Điện Biên")
    assert len(units) == 129
    assert units["unit_type"].value_counts().to_dict() == {"Xã": 115, "Phường": 9, "Thị trấn": 5}
    assert units["district_code"].nunique() == 10
    assert units["code"].str.fullmatch(r"\d{5}").all()
    assert "Xã Mường Nhé" in set(units["name"])


def test_dien_bien_2025_has_45_units_and_no_districts():
    units = registry.load_units("2025", province="dien bien")
    assert len(units) == 45
    assert (units["district"] == "").all()
    assert units["unit_type"].value_counts().to_dict() == {"Xã": 42, "Phường": 3}
    assert units["area_km2"].sum() == pytest.approx(9750.79, abs=0.01)


@pytest.mark.parametrize("text", ["Điện Biên", "dien bien", "DIEN BIEN", "Tỉnh Điện Biên",
                                  "tinh dien bien", "11"])
def test_find_province_ignores_case_and_diacritics(text):
    assert registry.find_province(text) == "11"


def test_unknown_province_and_vintage_are_clear_errors():
    with pytest.raises(RegistryError, match="no province named 'Atlantis'"):
        registry.find_province("Atlantis")
    with pytest.raises(RegistryError, match="vintage must be one of 2020, 2025"):
        registry.load_units("2019")


def test_find_units_matches_without_diacritics():
    hits = registry.find_units("muong nhe", vintage="2020", province="Điện Biên")
    assert list(hits["name"]) == ["Xã Mường Nhé"]
    assert hits["district"].iloc[0] == "Huyện Mường Nhé"


def test_crosswalk_covers_every_old_unit_and_splits_have_one_default():
    cw = registry.load_crosswalk()
    old = registry.load_units("2020")
    assert set(cw["old_code"]) == set(old["code"])
    assert set(cw["new_code"]) <= set(registry.load_units("2025")["code"])
    split = cw[cw["divided"]]
    assert split["old_code"].nunique() > 100  # nationwide, several hundred communes were split
    assert (split.groupby("old_code")["default"].sum() == 1).all()


def test_dien_bien_crosswalk_maps_129_onto_45():
    cw = registry.load_crosswalk(province="Điện Biên")
    assert cw["old_code"].nunique() == 129
    assert cw["new_code"].nunique() == 45
