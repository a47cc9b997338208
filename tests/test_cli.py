"""The command line: stdout, stderr and exit codes.

Commands run in-process through ``geo.cli.main`` (the ``cli`` fixture of conftest.py);
two smoke tests, marked ``slow``, run ``python -m geo`` as a whole process.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pandas as pd
import pytest

from geo.settings import REPO_ROOT


def _process(*args):
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, encoding="utf-8", check=False)


@pytest.mark.slow
def test_whole_process_prints_csv_and_provenance():
    """``python -m geo`` as a user runs it: exit 0, CSV on stdout, provenance on stderr."""
    proc = _process("communes", "--province", "Điện Biên", "--vintage", "2020")
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(io.StringIO(proc.stdout), dtype={"code": str})
    assert len(table) == 129 and "Xã Mường Nhé" in set(table["name"])
    assert "Approximate boundaries" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_whole_process_bad_input_exit_2_without_traceback():
    proc = _process("communes", "--province", "Atlantis")
    assert proc.returncode == 2
    assert "no province named 'Atlantis'" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    proc = _process("communes", "--vintage", "1999")
    assert proc.returncode == 2 and "invalid choice: '1999'" in proc.stderr


@pytest.mark.parametrize("vintage,rows", [("2020", 129), ("2025", 45)])
def test_communes_csv_row_counts(cli, vintage, rows):
    proc = cli("communes", "--province", "Điện Biên", "--vintage", vintage, "--format", "csv")
    table = pd.read_csv(io.StringIO(proc.stdout), dtype={"code": str})
    assert len(table) == rows
    for col in ["code", "name", "unit_type", "district", "province", "area_km2", "approximate"]:
        assert col in table.columns
    assert "Approximate boundaries" in proc.stderr
    if vintage == "2025":
        assert table["district"].isna().all()
    else:
        assert "Huyện Mường Nhé" in set(table["district"])


def test_default_vintage_is_2025(cli):
    proc = cli("communes", "--province", "dien bien")
    assert len(pd.read_csv(io.StringIO(proc.stdout))) == 45


def test_communes_geojson_has_a_polygon_per_unit(cli):
    proc = cli("communes", "--province", "Điện Biên", "--vintage", "2020", "--format", "geojson")
    data = json.loads(proc.stdout)
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 129
    for f in data["features"]:
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert f["geometry"]["coordinates"]
    names = {f["properties"]["name"] for f in data["features"]}
    assert "Xã Mường Nhé" in names  # diacritics intact


def test_bad_input_gives_a_message_and_exit_2_without_traceback(cli):
    proc = cli("communes", "--province", "Atlantis", check=False)
    assert proc.returncode == 2
    assert "no province named 'Atlantis'" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = cli("communes", "--boundaries", "/nonexistent/file.shp", "--vintage", "2020",
               check=False)
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_border_commands_find_the_tri_border_commune(cli):
    proc = cli("border-communes", "--province", "Điện Biên", "--vintage", "2020",
               "--country", "CHN")
    table = pd.read_csv(io.StringIO(proc.stdout), dtype={"code": str})
    assert set(table["district"]) == {"Huyện Mường Nhé"}
    assert "CHN;LAO" in set(table["border_countries"])
    assert (table["border_km_chn"] >= 1).all()
    summary = pd.read_csv(io.StringIO(cli("border-summary", "--province", "Điện Biên",
                                          "--vintage", "2020").stdout)).set_index("iso3")
    assert summary.loc["LAO", "published_km"] == pytest.approx(414.712)
    assert summary.loc["CHN", "published_km"] == pytest.approx(40.86)
    assert summary.loc["LAO", "n_border_communes"] >= 15


def test_with_roster_sums_to_the_published_totals_on_the_sample(cli):
    proc = cli("communes", "--province", "Điện Biên", "--vintage", "2020", "--with-roster",
               "--format", "csv")
    assert "Sample data — not real assignments" in proc.stderr
    table = pd.read_csv(io.StringIO(proc.stdout), dtype={"code": str}, keep_default_na=False)
    sums = table[["chiefs", "deputies", "officers", "reinforcements"]].sum().to_dict()
    assert sums == {"chiefs": 115, "deputies": 153, "officers": 332, "reinforcements": 28}
    reinforced = table[table["reinforcements"] > 0]
    assert len(reinforced) > 0 and (reinforced["border_countries"] != "").all()
    # the same roster on the 2025 map keeps its totals
    t25 = pd.read_csv(io.StringIO(cli("communes", "--province", "Điện Biên", "--vintage", "2025",
                                      "--with-roster").stdout))
    assert t25[["chiefs", "deputies", "officers", "reinforcements"]].sum().sum() == 628


def test_roster_validate_import_history_restore(cli, tmp_path, _bordermap_home):
    bad = tmp_path / "bad.csv"
    bad.write_text("commune_code,chiefs,deputies,officers,reinforcements,trained,as_of\n"
                   "03154,1,1,-3,0,1,2024-01-01\n99999,1,1,1,0,0,2024-01-01\n", encoding="utf-8")
    proc = cli("roster", "validate", str(bad), "--vintage", "2020", check=False)
    assert proc.returncode == 2
    assert "negative" in proc.stdout and "99999" in proc.stdout and "officers" in proc.stdout
    proc = cli("roster", "import", str(bad), "--vintage", "2020", check=False)
    assert proc.returncode == 2 and "nothing was stored" in proc.stdout
    assert not (_bordermap_home / "bordermap.sqlite").exists() or \
        "no roster imported" in cli("roster", "history").stderr

    # a one-commune file alone is refused (a full roster lists every xã) …
    good = tmp_path / "good.csv"
    good.write_text("commune_code,chiefs,deputies,officers,reinforcements,trained,as_of\n"
                    "03154,1,2,7,3,5,2024-06-30\n", encoding="utf-8")
    refused = cli("roster", "import", str(good), "--vintage", "2020", check=False)
    assert refused.returncode == 2 and "nothing was stored" in refused.stdout
    # … a full roster is stored, then the file is a declared partial update of it
    from geo.settings import SAMPLE_ROSTER

    assert "version 1" in cli("roster", "import", str(SAMPLE_ROSTER), "--vintage", "2020").stdout
    assert "version 2" in cli("roster", "import", str(good), "--user", "planner1", "--vintage",
                              "2020", "--partial").stdout
    before = (_bordermap_home / "bordermap.sqlite").read_bytes()
    assert cli("roster", "import", str(bad), "--vintage", "2020", check=False).returncode == 2
    assert (_bordermap_home / "bordermap.sqlite").read_bytes() == before
    table = pd.read_csv(io.StringIO(cli("communes", "--province", "Điện Biên", "--vintage",
                                        "2020", "--with-roster").stdout),
                        dtype={"code": str}).set_index("code")
    assert table.loc["03154", "officers"] == 7 and table.loc["03154", "reinforcements"] == 3
    assert table["chiefs"].sum() == 115  # the other communes kept their counts

    assert "version 3" in cli("roster", "restore", "1").stdout
    history = pd.read_csv(io.StringIO(cli("roster", "history").stdout))
    assert sorted(history["version"]) == [1, 2, 3]
    assert history.loc[history["is_current"], "version"].tolist() == [3]


def test_roster_template_lists_every_commune(cli):
    proc = cli("roster", "template", "--vintage", "2020")
    table = pd.read_csv(io.StringIO(proc.stdout), dtype={"commune_code": str})
    assert len(table) == 129 and "chiefs" in table.columns
    per_officer = cli("roster", "template", "--per-officer").stdout
    assert "role" in per_officer.splitlines()[0]


def test_border_communes_on_an_official_boundaries_file(cli, tmp_path):
    """The border commands work on a user's boundaries file, not only the embedded layer."""
    from geo.boundaries import load_communes

    official = load_communes("Điện Biên", vintage="2020")[["code", "geometry"]]
    official = official.rename(columns={"code": "MA_XA"}).to_crs("EPSG:32648")
    path = tmp_path / "ranh_gioi_xa.gpkg"
    official.to_file(path)
    proc = cli("border-communes", "--province", "Điện Biên", "--vintage", "2020",
               "--boundaries", str(path), "--country", "CHN")
    table = pd.read_csv(io.StringIO(proc.stdout), dtype={"code": str})
    assert set(table["code"]) == {"03154", "03155"}  # Sín Thầu, Sen Thượng
    assert "Official boundaries from ranh_gioi_xa.gpkg" in proc.stderr
    assert "Approximate boundaries" not in proc.stderr
