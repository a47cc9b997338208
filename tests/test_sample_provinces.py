"""Sample rosters of the other border provinces: generated, deterministic, labelled as sample.

Điện Biên keeps its committed sample files; every other province gets a roster
generated from the registry's xã, seeded by the province code and the map
(:func:`geo.coverage.sample_roster`).
"""

from __future__ import annotations

import pandas as pd
import pytest

from geo.coverage import SAMPLE_ROSTERS, load_sample_roster, sample_roster
from geo.reference import LAND_BORDER_PROVINCES_2020, SAMPLE_NOTE
from geo.registry import load_units, successor_provinces
from geo.sample import build_province_sample

BORDER_2025 = sorted({n for c in LAND_BORDER_PROVINCES_2020 for n in successor_provinces(c)})
CASES = ([("2020", c) for c in sorted(LAND_BORDER_PROVINCES_2020)]
         + [("2025", c) for c in BORDER_2025])


def test_there_are_25_border_provinces_on_2020_and_their_successors_on_2025():
    assert len(LAND_BORDER_PROVINCES_2020) == 25
    assert len(BORDER_2025) == 22  # e.g. Hà Giang → Tuyên Quang, Long An → Tây Ninh


@pytest.mark.parametrize("vintage, code", CASES)
def test_each_border_province_has_a_deterministic_labelled_sample(vintage, code):
    frame, source = sample_roster(code, vintage=vintage)
    again, _ = sample_roster(code, vintage=vintage)
    pd.testing.assert_frame_equal(frame, again)
    units = load_units(vintage, province=code)
    xa = set(units.loc[units["unit_type"] == "Xã", "code"])
    assert len(frame) and set(frame["commune_code"]) <= set(units["code"])
    if code == "11":  # Điện Biên: the committed file
        assert source == SAMPLE_ROSTERS[vintage].name
        pd.testing.assert_frame_equal(frame, load_sample_roster(vintage=vintage))
    else:
        assert set(frame["commune_code"]) == xa  # one row per xã of the province, no other
        assert (frame["chiefs"] == 1).all() and (frame["officers"] >= 2).all()
        assert source == f"sample generated for province {code} ({vintage} map)"
        assert (frame["note"] == SAMPLE_NOTE).all()  # labelled as sample, every row


def test_samples_differ_between_provinces_and_maps_and_follow_the_border_flags():
    lai_chau = build_province_sample(load_units("2020", province="12"), province_code="12",
                                     vintage="2020")
    as_if_lao_cai = build_province_sample(load_units("2020", province="12"), province_code="10",
                                          vintage="2020")
    assert not lai_chau["officers"].equals(as_if_lao_cai["officers"])  # seeded by the code
    assert lai_chau["reinforcements"].sum() == 0  # no border flags given: no reinforcements
    units = load_units("2020", province="12")
    flagged = units.assign(border_countries=["CHN" if i % 5 == 0 else ""
                                             for i in range(len(units))])
    frame, _ = sample_roster("Lai Châu", vintage="2020", communes=flagged)
    border = set(flagged.loc[flagged["border_countries"] != "", "code"])
    got = frame.set_index("commune_code")
    assert (got.loc[got.index.isin(border), "reinforcements"] >= 1).all()
    assert (got.loc[~got.index.isin(border), "reinforcements"] == 0).all()
    assert (got["reinforcement_origin"] != "").sum() == (got["reinforcements"] > 0).sum()
