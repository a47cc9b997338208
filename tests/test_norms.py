"""Tests for geo.norms and geo.stores.norms: the norms file, balance, versions.

Tiny hand-made tables; the unit types and counts are made up for the checks.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo._errors import NormsError, StorageError
from geo.coverage import compute_metrics
from geo.norms import (NORM_COLUMNS, load_norms, norms_to_csv, norms_for, read_norms,
                       staffing_balance)
from geo.settings import NORMS_FILE
from geo.stores.norms import open_norm_store

HEADER = "vintage,unit_type,border,chiefs,deputies,officers,source"


def test_repository_file_states_a_source_for_every_norm():
    norms = read_norms()
    assert list(norms.columns) == list(NORM_COLUMNS)
    assert set(norms["vintage"]) == {"2020", "2025"}
    assert (norms["source"].str.len() > 10).all()
    xa = norms.query("vintage == '2020' and unit_type == 'Xã'").set_index("border")
    assert xa.loc[False, ["chiefs", "deputies", "officers"]].tolist() == [1, 1, 3]
    assert xa.loc[True, "officers"] == 4
    assert NORMS_FILE.name == "norms.csv"


def test_bad_table_lists_every_problem():
    raw = "\n".join([HEADER, "2019,Xã,no,1,1,3,x", "2020,Xã,maybe,1,-1,3,x",
                     "2020,Xã,no,1,1,3.5,", "2020,Xã,no,1,1,3,dup"]).encode()
    with pytest.raises(NormsError, match="6 problem") as info:
        read_norms(raw)
    text = str(info.value)
    for part in ("'2019' is not 2020 or 2025", "'maybe' is not yes or no",
                 "deputies '-1' is not a whole number", "officers '3.5'", "source is empty",
                 "row 5: 2020 Xã border=no appears twice"):
        assert part in text
    with pytest.raises(NormsError, match="missing column"):
        read_norms(b"vintage,unit_type\n2020,Xa\n")


def test_balance_reports_shortfall_and_surplus_separately():
    counts = pd.DataFrame({"chiefs": [3, 0], "deputies": [1, 1], "officers": [0, 9]})
    need = pd.DataFrame({"norm_chiefs": [1, 1], "norm_deputies": [1, 1],
                         "norm_officers": [3, 3]})
    out = staffing_balance(counts, need)
    # unit 0: 2 chiefs too many do not cover 3 missing officers
    assert out["staffing_gap"].tolist() == [3, 1]
    assert out["staffing_surplus"].tolist() == [2, 6]
    assert out["short_officers"].tolist() == [3, 0]
    assert out["surplus_chiefs"].tolist() == [2, 0]


def test_norms_for_uses_map_type_and_border():
    units = pd.DataFrame({"unit_type": ["Xã", "Xã", "Phường", "Đặc khu"],
                          "border": [False, True, False, False]})
    got = norms_for(units, read_norms(), vintage="2020")
    assert got["norm_officers"].tolist() == [3, 4, 0, 0]
    got = norms_for(units, read_norms(), vintage="2025")
    assert got["norm_deputies"].tolist() == [2, 2, 2, 0]


def _two_communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({
        "code": ["00001", "00002"], "unit_type": ["Xã", "Xã"], "district": ["H", "H"],
        "area_km2": [10.0, 20.0], "border_countries": ["LAO", ""],
        "border_km_lao": [5.0, 0.0], "border_km_chn": [0.0, 0.0],
    }, geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], crs="EPSG:4326")


def test_changing_a_norm_changes_the_gap():
    roster = pd.DataFrame({"commune_code": ["00001", "00002"], "chiefs": [1, 1],
                           "deputies": [1, 1], "officers": [4, 3], "reinforcements": [0, 0],
                           "trained": [0, 0]})
    norms = read_norms()
    before = compute_metrics(_two_communes(), roster, vintage="2020", norms=norms)
    assert before["staffing_gap"].tolist() == [0, 0]
    changed = norms.copy()
    at = (changed["vintage"] == "2020") & (changed["unit_type"] == "Xã") & ~changed["border"]
    changed.loc[at, "officers"] = 5
    after = compute_metrics(_two_communes(), roster, vintage="2020", norms=changed)
    assert after["staffing_gap"].tolist() == [0, 2]
    assert after["norm_officers"].tolist() == [4, 5]


def test_norm_store_versions_and_restore(tmp_path):
    store = open_norm_store(tmp_path)
    assert store.current() is None
    assert load_norms(store=store).attrs["norms_version"] is None
    norms = read_norms()
    raised = norms.assign(officers=norms["officers"] + 1)
    v1 = store.import_norms(raised, source_name="raised.csv", user="admin")
    v2 = store.import_norms(norms_to_csv(norms).encode(), source_name="repo.csv", user="admin")
    assert (v1, v2) == (1, 2)
    assert load_norms(store=store).attrs["norms_source"] == "repo.csv"
    v3 = store.restore(1, user="admin")
    current = load_norms(store=store)
    assert current.attrs["norms_version"] == v3
    pd.testing.assert_frame_equal(current.reset_index(drop=True), raised.reset_index(drop=True),
                                  check_like=True)
    hist = store.history()
    assert hist["version"].tolist() == [1, 2, 3]
    assert hist["is_current"].tolist() == [False, False, True]
    assert hist["restored_from"].tolist()[2] == 1
    with pytest.raises(StorageError, match="no norms version 9"):
        store.restore(9)
    with pytest.raises(NormsError):
        store.import_norms(b"vintage\n2020\n")
    assert len(store.history()) == 3


def test_cli_norms_show_import_history_restore(tmp_path, monkeypatch, capsys):
    from geo.cli import main

    monkeypatch.setenv("BORDERMAP_HOME", str(tmp_path / "home"))
    assert main(["norms", "show"]) == 0
    shown = capsys.readouterr()
    assert "repository default" in shown.err
    assert shown.out == norms_to_csv(read_norms())
    changed = tmp_path / "norms.csv"
    changed.write_text(shown.out.replace("2025,Xã,no,1,2,5", "2025,Xã,no,1,2,7"),
                       encoding="utf-8")
    assert main(["norms", "import", str(changed)]) == 0
    assert "version 1" in capsys.readouterr().out
    assert main(["norms", "show"]) == 0
    assert "2025,Xã,no,1,2,7" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("vintage,unit_type\n2020,Xã\n", encoding="utf-8")
    assert main(["norms", "import", str(bad)]) == 2
    assert "missing column" in capsys.readouterr().err
    assert main(["norms", "history"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 2  # header + one version
