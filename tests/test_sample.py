"""Tests for geo.sample: the sample rosters of both maps (sample data — not real assignments)."""

from __future__ import annotations

import pandas as pd

from geo.coverage import crosswalk_targets, load_sample_roster
from geo.reference import PUBLISHED_STAFF
from geo.registry import load_units
from geo.roster import validate_roster
from geo.sample import SAMPLE_2025_ASSUMPTION, build_sample_roster_2025
from geo.settings import SAMPLE_ROSTER, SAMPLE_ROSTER_2025

ROLES = ["chiefs", "deputies", "officers", "reinforcements"]


def test_2020_sample_totals_equal_the_published_2021_figures():
    frame = load_sample_roster(vintage="2020")
    assert frame[ROLES].sum().to_dict() == dict(PUBLISHED_STAFF)
    assert (frame["note"] == "Sample data — not real assignments.").all()
    rep = validate_roster(SAMPLE_ROSTER)
    assert rep.ok and rep.vintage == "2020"


def test_2025_sample_is_deterministic_and_states_its_assumption():
    committed = pd.read_csv(SAMPLE_ROSTER_2025, dtype={"commune_code": str, "vintage": str},
                            keep_default_na=False)
    rebuilt = build_sample_roster_2025(load_sample_roster(vintage="2020"),
                                       load_units("2025", province="Điện Biên"),
                                       crosswalk_targets("Điện Biên"))
    pd.testing.assert_frame_equal(committed, rebuilt.astype(committed.dtypes.to_dict()),
                                  check_dtype=False)
    assert (committed["note"] == SAMPLE_2025_ASSUMPTION).all()
    assert SAMPLE_2025_ASSUMPTION.startswith("Sample data — not real assignments.")
    assert "Assumes" in SAMPLE_2025_ASSUMPTION


def test_2025_sample_keeps_the_people_of_the_2020_sample():
    old = load_sample_roster(vintage="2020")
    new = load_sample_roster(vintage="2025")
    assert len(new) == 45 and (new["chiefs"] == 1).all()
    assert new["officers"].sum() == old["officers"].sum() == 332
    assert new["reinforcements"].sum() == old["reinforcements"].sum() == 28
    assert (new["chiefs"] + new["deputies"]).sum() == (old["chiefs"] + old["deputies"]).sum()
    rep = validate_roster(SAMPLE_ROSTER_2025)
    assert rep.ok and rep.vintage == "2025", rep.to_frame().to_string()
