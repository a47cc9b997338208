"""The prebuilt land-border lines (geo.border_file) are Natural Earth's, and only used when they fit."""

from __future__ import annotations

import shapely

from geo import border_file, borders

ALL = ("CHN", "KHM", "LAO")


def test_committed_lines_are_the_lines_cut_from_natural_earth():
    """Reading the file gives what cutting Natural Earth gives, vertex for vertex."""
    cut = borders.cut_border_lines(ALL)
    read = border_file.read_border_lines(ALL)
    assert read is not None, "data/shapefiles/vietnam_land_borders.parquet is missing or stale"
    assert read["iso3"].tolist() == cut["iso3"].tolist() == list(ALL)
    assert read[["name", "name_vi"]].equals(cut[["name", "name_vi"]])
    assert read.crs == cut.crs
    assert shapely.equals_exact(read.geometry.values, cut.geometry.values, tolerance=0).all()


def test_a_subset_of_countries_comes_from_the_file():
    read = border_file.read_border_lines(("LAO",))
    assert read["iso3"].tolist() == ["LAO"] and len(read) == 1


def test_lines_from_another_natural_earth_version_are_not_used(tmp_path, monkeypatch):
    """A package upgrade makes the file stale: the lines are cut again, not read."""
    border_file.write_border_lines(borders.cut_border_lines(("LAO",)), folder=tmp_path)
    assert border_file.read_border_lines(("LAO",), folder=tmp_path) is not None
    assert border_file.read_border_lines(("CHN",), folder=tmp_path) is None  # not in it
    monkeypatch.setattr(border_file, "_source_version", lambda: "0.0.0-other")
    border_file._read.cache_clear()
    try:
        assert border_file.read_border_lines(("LAO",), folder=tmp_path) is None
    finally:
        border_file._read.cache_clear()


def test_a_damaged_or_missing_file_falls_back_to_natural_earth(tmp_path):
    assert border_file.read_border_lines(("LAO",), folder=tmp_path) is None
    border_file.border_file_path(tmp_path).write_bytes(b"not parquet")
    assert border_file.read_border_lines(("LAO",), folder=tmp_path) is None


def test_border_lines_reads_no_natural_earth_archive_when_the_file_fits(monkeypatch):
    """`communes` for a prebuilt province opens no Natural Earth archive (the #15 speed-up)."""
    def refuse(*args, **kwargs):
        raise AssertionError("Natural Earth was read")

    monkeypatch.setattr(borders, "load_countries", refuse)
    borders._border_lines.cache_clear()
    try:
        lines = borders.border_lines()
    finally:
        borders._border_lines.cache_clear()
    assert lines["iso3"].tolist() == list(ALL)
