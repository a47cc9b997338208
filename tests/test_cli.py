"""The command line as a user runs it: whole processes, stdout and exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pandas as pd
import pytest

from geo.settings import REPO_ROOT


def run(*args, check=True):
    proc = subprocess.run([sys.executable, "-m", "geo", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, encoding="utf-8")
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.mark.parametrize("vintage,rows", [("2020", 129), ("2025", 45)])
def test_communes_csv_row_counts(vintage, rows):
    proc = run("communes", "--province", "Điện Biên", "--vintage", vintage, "--format", "csv")
    table = pd.read_csv(io.StringIO(proc.stdout), dtype={"code": str})
    assert len(table) == rows
    for col in ["code", "name", "unit_type", "district", "province", "area_km2", "approximate"]:
        assert col in table.columns
    assert "Approximate boundaries" in proc.stderr
    if vintage == "2025":
        assert table["district"].isna().all()
    else:
        assert "Huyện Mường Nhé" in set(table["district"])


def test_default_vintage_is_2025():
    proc = run("communes", "--province", "dien bien")
    assert len(pd.read_csv(io.StringIO(proc.stdout))) == 45


def test_communes_geojson_has_a_polygon_per_unit():
    proc = run("communes", "--province", "Điện Biên", "--vintage", "2020", "--format", "geojson")
    data = json.loads(proc.stdout)
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 129
    for f in data["features"]:
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert f["geometry"]["coordinates"]
    names = {f["properties"]["name"] for f in data["features"]}
    assert "Xã Mường Nhé" in names  # diacritics intact


def test_bad_input_gives_a_message_and_exit_2_without_traceback():
    proc = run("communes", "--province", "Atlantis", check=False)
    assert proc.returncode == 2
    assert "no province named 'Atlantis'" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run("communes", "--boundaries", "/nonexistent/file.shp", "--vintage", "2020",
               check=False)
    assert proc.returncode == 2 and "no such file" in proc.stderr
