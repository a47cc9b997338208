"""Tests for geo.reform and ``python -m geo reform``: before and after the 2025 reform.

Embedded Điện Biên data and the sample rosters (sample data — not real assignments),
with a private, empty roster store.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest

from geo.cli import main
from geo.coverage import load_coverage
from geo.reform import REFORM_COLUMNS, reform_table, reform_totals
from geo.stores.rosters import open_store


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    return reform_table("Điện Biên", store=open_store(tmp_path_factory.mktemp("home")))


def test_one_row_per_2025_unit_with_its_old_communes(table):
    assert list(table.columns) == list(REFORM_COLUMNS)
    assert len(table) == 45 and table["code"].is_unique
    assert table["n_old_communes"].sum() == 129
    codes = [c for cell in table["old_codes"] for c in cell.split("; ") if c]
    assert len(codes) == len(set(codes)) == 129
    # Phường Mường Thanh (03334) took the old Phường Mường Thanh (03124) among others
    row = table.set_index("code").loc["03334"]
    assert "03124" in row["old_codes"].split("; ")
    assert row["n_old_communes"] == len(row["old_communes"].split("; "))


def test_before_is_the_2020_roster_and_its_shortfall_summed(table, tmp_path):
    totals = reform_totals(table)
    assert (totals["chiefs_2020"], totals["deputies_2020"], totals["officers_2020"],
            totals["reinforcements_2020"]) == (115, 153, 332, 28)
    c2020 = load_coverage("Điện Biên", vintage="2020", store=open_store(tmp_path))
    assert totals["shortfall_2020"] == int(c2020["staffing_gap"].sum())
    assert totals["chiefs_now"] == 45  # the 2025 sample: one chief per unit
    assert table.attrs["sample_2020"] and table.attrs["sample_2025"]
    assert (table["shortfall_change"] == table["shortfall_now"] - table["shortfall_2020"]).all()


def test_cli_prints_one_row_per_unit(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("BORDERMAP_HOME", str(tmp_path))
    assert main(["reform", "--province", "Điện Biên"]) == 0
    captured = capsys.readouterr()
    out = pd.read_csv(io.StringIO(captured.out), dtype={"code": str, "old_codes": str})
    assert len(out) == 45 and list(out.columns) == list(REFORM_COLUMNS)
    assert "posts held before the merger" in captured.err
    assert "sample data" in captured.err
