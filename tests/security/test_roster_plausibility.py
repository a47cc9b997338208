"""Finding 6 (rosters): implausible dates, all-zero counts, one commune replacing 115."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo._errors import RosterError
from geo.plausibility import MIN_DATE, expected_codes, merge_partial
from geo.registry import load_units
from geo.roster import validate_roster
from geo.settings import SAMPLE_ROSTER
from geo.stores.rosters import open_store

HEAD = "commune_code,chiefs,deputies,officers,reinforcements,trained,as_of\n"


def sample(transform=None) -> bytes:
    frame = pd.read_csv(SAMPLE_ROSTER, dtype=str, keep_default_na=False)
    if transform is not None:
        frame = transform(frame)
    return frame.to_csv(index=False).encode("utf-8")


def errors(report) -> list[str]:
    return [p.message for p in report.errors]


def test_full_roster_must_list_every_xa():
    units = load_units("2020", province="Điện Biên")
    assert len(expected_codes(units)) == 115  # 115 xã; wards and towns need not be listed
    one = (HEAD + "03154,1,2,5,0,4,2024-05-01\n").encode()
    rep = validate_roster(one, source_name="one.csv", partial=False)
    assert not rep.ok
    assert any(m.startswith("the roster lists 1 of the 115 communes of Tỉnh Điện Biên; "
                            "missing: 03145, 03155, 03156") for m in errors(rep))
    assert validate_roster(sample(), source_name="s.csv", partial=False).ok


def test_partial_update_says_what_changes_and_merges():
    one = (HEAD + "03154,1,2,5,0,4,2024-05-01\n").encode()
    rep = validate_roster(one, source_name="one.csv", partial=True)
    assert rep.ok
    assert [p.message for p in rep.warnings] == [
        "partial update: only the 1 listed commune(s) change; the other 114 of Tỉnh Điện "
        "Biên keep their current counts"]
    current = validate_roster(sample(), partial=False).roster
    merged = merge_partial(current, rep.roster)
    assert len(merged) == 115
    assert merged.set_index("commune_code").loc["03154", "officers"] == 5
    untouched = merged[merged["commune_code"] != "03154"].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        untouched, current[current["commune_code"] != "03154"].reset_index(drop=True))
    with pytest.raises(RosterError, match="needs a stored roster"):
        merge_partial(None, rep.roster)


@pytest.mark.parametrize("date", ["0001-01-01", "1999-12-31", "01/01/1900"])
def test_dates_before_2000_are_errors(date):
    rep = validate_roster(sample(lambda f: f.assign(as_of=date)), source_name="d.csv")
    assert not rep.ok and len(rep.errors) == 115
    assert rep.errors[0].column == "as_of"
    assert f"is before {MIN_DATE.isoformat()}" in rep.errors[0].message


def test_future_date_stays_a_warning():
    later = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    rep = validate_roster(sample(lambda f: f.assign(as_of=later)), source_name="f.csv")
    assert rep.ok and any("in the future" in p.message for p in rep.warnings)


def test_all_zero_roster_is_an_error():
    def zero(f):
        return f.assign(chiefs="0", deputies="0", officers="0", reinforcements="0",
                        trained="0")
    rep = validate_roster(sample(zero), source_name="z.csv", partial=False)
    assert errors(rep) == [
        "every count of the 115 commune(s) is 0; a roster with nobody in post is not "
        "plausible (an empty cell of a required count is an error, not 0)"]


def test_cli_refuses_one_commune_and_year_one_and_changes_nothing(tmp_path, cli, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("BORDERMAP_HOME", str(home))
    (tmp_path / "sample.csv").write_bytes(sample())
    cli("roster", "import", tmp_path / "sample.csv", "--vintage", "2020")
    before = open_store(home).history()
    (tmp_path / "one.csv").write_text(HEAD + "03154,1,2,5,0,4,2024-05-01\n")
    (tmp_path / "old.csv").write_bytes(sample(lambda f: f.assign(as_of="0001-01-01")))
    for name, expect in (("one.csv", "the roster lists 1 of the 115 communes"),
                         ("old.csv", "is before 2000-01-01")):
        run = cli("roster", "import", tmp_path / name, "--vintage", "2020", check=False)
        assert run.returncode == 2, run.stderr
        assert expect in run.stdout and "nothing was stored" in run.stdout
    pd.testing.assert_frame_equal(open_store(home).history(), before)
    run = cli("roster", "import", "--partial", tmp_path / "one.csv", "--vintage", "2020",
              check=False)
    assert run.returncode == 0, run.stderr + run.stdout
    current = open_store(home).current()
    assert current.version == 2 and len(current.frame) == 115
    assert current.frame.set_index("commune_code").loc["03154", "officers"] == 5
