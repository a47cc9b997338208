"""Tests for geo.uploads: size and type checks, zip-slip, zip bombs, staging folder cleanup."""

from __future__ import annotations

import io
import os
import stat
import zipfile

import geopandas as gpd
import openpyxl
import pytest
import shapely

from geo import uploads
from geo.uploads import UploadError, check_upload, safe_filename, staged_upload, staged_uploads

CSV = b"commune_code,chiefs,deputies,officers,reinforcements,trained\n03154,1,1,3,0,2\n"


@pytest.fixture
def shp_parts(tmp_path) -> dict[str, bytes]:
    """The parts of a one-polygon shapefile (EPSG:4326) as {suffix: bytes}."""
    gdf = gpd.GeoDataFrame({"ma_xa": ["03154"]}, geometry=[shapely.box(102.5, 22.0, 102.6,
                                                                       22.1)], crs="EPSG:4326")
    folder = tmp_path / "shp"
    folder.mkdir()
    gdf.to_file(folder / "xa.shp", engine="pyogrio")
    return {p.suffix: p.read_bytes() for p in folder.iterdir()}


def make_zip(members: dict[str, bytes] | list[tuple[object, bytes]], *,
             compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        items = members.items() if isinstance(members, dict) else members
        for name, data in items:
            zf.writestr(name, data)
    return buf.getvalue()


def xlsx_bytes() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["commune_code", "chiefs"])
    wb.active.append(["03154", 1])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- accepted

def test_csv_is_staged_and_the_folder_removed():
    with staged_upload("roster.csv", CSV, kind="roster") as path:
        assert path.name == "roster.csv" and path.read_bytes() == CSV
        folder = path.parent
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not folder.exists()


def test_folder_is_removed_when_the_block_raises():
    with pytest.raises(RuntimeError, match="parser failed"):
        with staged_upload("roster.csv", CSV, kind="roster") as path:
            folder = path.parent
            raise RuntimeError("parser failed")
    assert not folder.exists()


def test_xlsx_is_accepted():
    with staged_upload("Bảng quân số.xlsx", xlsx_bytes(), kind="roster") as path:
        assert path.name == "Bảng quân số.xlsx"
        assert openpyxl.load_workbook(path).active["A2"].value == "03154"


def test_zipped_shapefile_yields_the_shp_with_its_parts(shp_parts):
    data = make_zip({f"ranh_gioi/xa{s}": b for s, b in shp_parts.items()}
                    | {"__MACOSX/ranh_gioi/._xa.shp": b"junk", "readme.txt": b"hi"})
    with staged_upload("ranh_gioi.zip", data, kind="boundaries") as path:
        assert path.name == "xa.shp" and path.parent.name == "ranh_gioi"
        assert sorted(p.suffix for p in path.parent.iterdir()) == sorted(shp_parts)
        assert not (path.parent.parent / "readme.txt").exists()
        gdf = gpd.read_file(path)
        assert gdf["ma_xa"].tolist() == ["03154"] and gdf.crs.to_epsg() == 4326
        folder = path.parent.parent.parent
    assert not folder.exists()


def test_shapefile_parts_uploaded_together(shp_parts):
    files = [(f"xa{s}", b) for s, b in shp_parts.items()]
    with staged_uploads(files, kind="boundaries") as path:
        assert path.name == "xa.shp"
        assert len(gpd.read_file(path)) == 1


def test_geojson_and_gpkg_are_accepted(tmp_path):
    gdf = gpd.GeoDataFrame({"ma_xa": ["03154"]}, geometry=[shapely.box(0, 0, 1, 1)],
                           crs="EPSG:4326")
    gdf.to_file(tmp_path / "a.gpkg", engine="pyogrio")
    for name, data in (("a.geojson", gdf.to_json().encode()),
                       ("a.gpkg", (tmp_path / "a.gpkg").read_bytes())):
        with staged_upload(name, data, kind="boundaries") as path:
            assert len(gpd.read_file(path)) == 1


# --------------------------------------------------------------------------- refused files

def test_size_limit_from_environment(monkeypatch):
    monkeypatch.setenv("BORDERMAP_MAX_UPLOAD_MB", "0.00005")  # 50 bytes
    with pytest.raises(UploadError, match=r"roster.csv: 0.0 MB is more than the 0.0 MB upload"):
        check_upload("roster.csv", CSV, kind="roster")
    monkeypatch.setenv("BORDERMAP_MAX_UPLOAD_MB", "lots")
    with pytest.raises(UploadError, match="BORDERMAP_MAX_UPLOAD_MB='lots' is not a positive"):
        check_upload("roster.csv", CSV, kind="roster")
    monkeypatch.delenv("BORDERMAP_MAX_UPLOAD_MB")
    assert uploads.max_upload_bytes() == 50_000_000


def test_total_of_several_files_counts_against_the_limit(monkeypatch, shp_parts):
    total = sum(len(b) for b in shp_parts.values())
    biggest = max(len(b) for b in shp_parts.values())
    monkeypatch.setenv("BORDERMAP_MAX_UPLOAD_MB", str((biggest + 1) / 1e6))
    assert total > biggest + 1
    with pytest.raises(UploadError, match="in all, more than"):
        with staged_uploads([(f"xa{s}", b) for s, b in shp_parts.items()], kind="boundaries"):
            pass


@pytest.mark.parametrize("name, kind, fragment", [
    ("roster.exe", "roster", "must be .csv, .xlsx, not '.exe'"),
    ("roster.xls", "roster", "not '.xls'"),
    ("roster", "roster", "not 'a file without extension'"),
    ("roster.csv.pkl", "roster", "not '.pkl'"),
    ("ranh_gioi.kml", "boundaries", "a boundaries upload must be .zip"),
    ("roster.csv", "boundaries", "not '.csv'"),
])
def test_unexpected_extensions_are_refused(name, kind, fragment):
    with pytest.raises(UploadError, match=fragment):
        check_upload(name, CSV, kind=kind)


@pytest.mark.parametrize("name, data, fragment", [
    ("r.csv", b"", "the file is empty"),
    ("r.csv", b"\x00\x01\x02binary\xff" * 20, "binary data, not a CSV"),
    ("r.csv", b"PK\x03\x04rest", "an Excel workbook or a zip, not CSV"),
    ("r.xlsx", b"commune_code,chiefs\n", "not an .xlsx workbook"),
    ("r.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old .xls or password"),
    ("r.xlsx", make_zip({"a.txt": b"x"}), "a zip but not an .xlsx workbook"),
])
def test_content_must_match_the_roster_extension(name, data, fragment):
    with pytest.raises(UploadError, match=fragment):
        check_upload(name, data, kind="roster")


def test_utf16_csv_with_nul_bytes_is_accepted():
    data = "commune_code,chiefs\n03154,1\n".encode("utf-16")
    assert check_upload("r.csv", data, kind="roster") == "r.csv"


@pytest.mark.parametrize("name, data, fragment", [
    ("a.zip", b"not a zip at all", "not a zip archive"),
    ("a.zip", b"PK\x05\x06" + b"\x00" * 18, "the zip archive is empty"),
    ("a.geojson", b"<html>", "not a GeoJSON object"),
    ("a.gpkg", b"GIF89a", "not a GeoPackage"),
    ("a.shp", b"\x00" * 200, "not a shapefile .shp"),
    ("a.dbf", b"\x00" * 10, "not a dBASE .dbf"),
    ("a.prj", b"GEOGCS\x00\x00", "binary data, not a text .prj"),
])
def test_content_must_match_the_boundaries_extension(name, data, fragment):
    with pytest.raises(UploadError, match=fragment):
        check_upload(name, data, kind="boundaries")


def test_truncated_zip_is_refused(shp_parts):
    data = make_zip({f"xa{s}": b for s, b in shp_parts.items()})
    with pytest.raises(UploadError, match="damaged or truncated zip"):
        check_upload("a.zip", data[: len(data) // 2], kind="boundaries")


# --------------------------------------------------------------------------- hostile zips

@pytest.mark.parametrize("member, fragment", [
    ("../evil.shp", r"points outside the archive \(\.\.\)"),
    ("ok/../../evil.shp", r"points outside the archive"),
    ("..\\..\\evil.shp", r"points outside the archive"),
    ("/etc/cron.d/evil.shp", "has an absolute path"),
    ("C:\\Windows\\evil.shp", "has an absolute path"),
])
def test_zip_slip_members_are_refused(tmp_path, member, fragment):
    data = make_zip({"xa.shp": b"x", member: b"owned"})
    with pytest.raises(UploadError, match=fragment):
        with staged_upload("a.zip", data, kind="boundaries"):
            pass
    assert not (tmp_path.parent / "evil.shp").exists()


def test_symlink_member_is_refused():
    link = zipfile.ZipInfo("xa.prj")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    data = make_zip([(link, b"/etc/passwd"), ("xa.shp", b"x")])
    with pytest.raises(UploadError, match="'xa.prj' is a symbolic link"):
        check_upload("a.zip", data, kind="boundaries")


def test_encrypted_and_duplicate_members_are_refused():
    data = bytearray(make_zip({"xa.shp": b"x"}))
    for sig, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # flag bits, both headers
        data[data.index(sig) + at] |= 0x1
    with pytest.raises(UploadError, match="'xa.shp' is encrypted"):
        check_upload("a.zip", bytes(data), kind="boundaries")
    dup = make_zip([("XA.shp", b"a"), ("xa.shp", b"b")])  # one file on a case-blind disk
    with pytest.raises(UploadError, match="appears twice"):
        check_upload("a.zip", dup, kind="boundaries")


def test_zip_bomb_member_ratio_is_refused():
    data = make_zip({"xa.dbf": b"\x00" * (5 << 20)})
    assert len(data) < 20_000
    with pytest.raises(UploadError, match=r"expands [\d,]+:1 .* possible zip bomb"):
        check_upload("a.zip", data, kind="boundaries")


def test_small_highly_compressible_members_are_fine(shp_parts):
    """A padded 500 kB .dbf compresses > 100:1 and is still accepted (below RATIO_MIN_BYTES)."""
    data = make_zip({f"xa{s}": b for s, b in shp_parts.items()} | {"notes.xml": b" " * 500_000})
    assert check_upload("a.zip", data, kind="boundaries") == "a.zip"


def test_total_uncompressed_and_member_count_limits(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UNCOMPRESSED_BYTES", 1000)
    data = make_zip({f"p{i}.prj": b"a" * 400 for i in range(3)}, compression=zipfile.ZIP_STORED)
    with pytest.raises(UploadError, match="uncompressed size over"):
        check_upload("a.zip", data, kind="boundaries")
    monkeypatch.setattr(uploads, "MAX_ZIP_MEMBERS", 5)
    data = make_zip({f"p{i}.prj": b"a" for i in range(6)})
    with pytest.raises(UploadError, match="6 members, more than the 5 accepted"):
        check_upload("a.zip", data, kind="boundaries")


def test_member_lying_about_its_size_is_caught_on_extraction(shp_parts):
    """Declared size patched down: the extracted bytes do not match and nothing is kept."""
    data = bytearray(make_zip({f"xa{s}": b for s, b in shp_parts.items()},
                              compression=zipfile.ZIP_STORED))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xa.dbf")
    real = info.file_size.to_bytes(4, "little")
    fake = (info.file_size // 2).to_bytes(4, "little")
    # local header and central directory both carry the size
    needle = info.CRC.to_bytes(4, "little") + real + real
    assert bytes(data).count(needle) == 2
    data = bytes(data).replace(needle, info.CRC.to_bytes(4, "little") + real + fake)
    with pytest.raises(UploadError, match=r"xa.dbf.*(Bad CRC|more data than declared)"):
        with staged_upload("a.zip", data, kind="boundaries"):
            pass


@pytest.mark.parametrize("missing, fragment", [
    (".shx", r"without xa.shx \(the shape index\)"),
    (".dbf", r"without xa.dbf \(the attribute table"),
    (".prj", r"without xa.prj \(the coordinate reference system\)"),
])
def test_incomplete_shapefile_names_the_missing_part(shp_parts, missing, fragment):
    data = make_zip({f"xa{s}": b for s, b in shp_parts.items() if s != missing})
    with pytest.raises(UploadError, match=fragment):
        with staged_upload("a.zip", data, kind="boundaries"):
            pass


def test_lone_shp_and_several_datasets_are_refused(shp_parts):
    with pytest.raises(UploadError, match="comes without xa.shx"):
        with staged_upload("xa.shp", shp_parts[".shp"], kind="boundaries"):
            pass
    two = make_zip({f"{n}{s}": b for n in ("xa", "huyen") for s, b in shp_parts.items()})
    with pytest.raises(UploadError, match=r"2 datasets \(huyen.shp, xa.shp\); upload one"):
        with staged_upload("a.zip", two, kind="boundaries"):
            pass
    with pytest.raises(UploadError, match="no .shp, .gpkg or .geojson"):
        with staged_upload("a.zip", make_zip({"a.prj": b"GEOGCS"}), kind="boundaries"):
            pass


def test_roster_upload_is_one_file_and_zip_comes_alone(shp_parts):
    with pytest.raises(UploadError, match="one roster file at a time, not 2"):
        with staged_uploads([("a.csv", CSV), ("b.csv", CSV)], kind="roster"):
            pass
    with pytest.raises(UploadError, match="upload a zip on its own"):
        with staged_uploads([("a.zip", make_zip({"xa.shp": shp_parts[".shp"]})),
                             ("xa.prj", shp_parts[".prj"])], kind="boundaries"):
            pass
    with pytest.raises(UploadError, match="same name"):
        with staged_uploads([("xa.shp", shp_parts[".shp"]), ("XA.SHP", shp_parts[".shp"])],
                            kind="boundaries"):
            pass
    with pytest.raises(UploadError, match="no file uploaded"):
        with staged_uploads([], kind="roster"):
            pass


def test_xlsx_bomb_is_refused():
    data = make_zip({"[Content_Types].xml": b"<Types/>",
                     "xl/worksheets/sheet1.xml": b"<c/>" * (2 << 20)})
    with pytest.raises(UploadError, match="possible zip bomb"):
        check_upload("r.xlsx", data, kind="roster")


# --------------------------------------------------------------------------- names

@pytest.mark.parametrize("name, safe", [
    ("roster.csv", "roster.csv"),
    ("C:\\fakepath\\roster.csv", "roster.csv"),
    ("../../etc/passwd.csv", "passwd.csv"),
    (".hidden.csv", "hidden.csv"),
    ("a\x00b\nc.csv", "a_b_c.csv"),
    ("Ranh giới xã.zip", "Ranh giới xã.zip"),
    ("..", "upload"),
    ("x" * 300 + ".csv", "x" * 100 + ".csv"),
])
def test_safe_filename(name, safe):
    assert safe_filename(name) == safe


def test_uploaded_name_cannot_escape_the_staging_folder():
    with staged_upload("../../../../tmp/evil.csv", CSV, kind="roster") as path:
        assert path.name == "evil.csv"
        folder = path.parent
        assert [p.name for p in folder.iterdir()] == ["evil.csv"]
    assert not folder.exists()


def test_bad_arguments_are_programming_errors():
    with pytest.raises(ValueError, match="kind must be one of roster, boundaries"):
        check_upload("a.csv", CSV, kind="photo")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="data must be bytes"):
        check_upload("a.csv", "text", kind="roster")  # type: ignore[arg-type]


def test_staging_does_not_follow_a_planted_symlink(tmp_path, monkeypatch):
    """O_EXCL|O_NOFOLLOW: an existing link at the target name is never written through."""
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    link = tmp_path / "x.csv"
    os.symlink(victim, link)
    with pytest.raises(FileExistsError):
        uploads._write_new(link, [b"owned"], limit=10, label="x.csv")
    assert victim.read_text() == "keep"


def test_truncated_shp_is_refused_by_its_header_length(shp_parts):
    cut = shp_parts[".shp"][:-8]
    data = make_zip({f"xa{s}": b for s, b in shp_parts.items()} | {"xa.shp": cut})
    with pytest.raises(UploadError, match=rf"xa.shp: the header says {len(shp_parts['.shp']):,} "
                                          rf"bytes but the file has {len(cut):,} — truncated"):
        with staged_upload("a.zip", data, kind="boundaries"):
            pass
