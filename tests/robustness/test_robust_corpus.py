"""A corpus of malformed inputs: each gets a clear error and leaves the stored data untouched.

Every input is generated into ``tmp_path`` (nothing big is committed) and goes
through the public entry points the app and the CLI use:

* rosters: :func:`geo.uploads.staged_upload` → :func:`geo.roster.validate_roster`
  → ``store.import_roster`` (the app's path), and ``validate_roster`` on the
  raw bytes (the CLI's path);
* boundaries: ``staged_upload`` → :func:`geo.boundaries.load_official_boundaries`
  (the app's path), and ``load_official_boundaries`` / ``python -m geo communes
  --boundaries`` on files on disk (the CLI's path).

The ``unchanged`` fixture hashes every stored-data file of BORDERMAP_HOME
before and after each case and checks that version 1 is still current.

Cases marked ``xfail(strict=True)`` are checks the entry point does not make
yet (reported to the lead); they turn into failures as soon as the check
exists, so the marker gets removed.
"""

from __future__ import annotations

import io
import re
import stat
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
import shapely
from _corpus import home_digest, make_zip, shapefile_parts

from geo import audit
from geo._errors import BoundaryFileError, RosterError
from geo.boundaries import load_official_boundaries
from geo.cli import main
from geo.roster import validate_roster
from geo.settings import SAMPLE_ROSTER
from geo.uploads import UploadError, staged_upload, staged_uploads

H = "commune_code,chiefs,deputies,officers,reinforcements,trained,as_of\n"
HN = "commune_name,district,chiefs,deputies,officers,reinforcements,trained,as_of\n"
OK_ROW = "03154,1,1,3,0,2,2024-01-01\n"
NAME_ROW = "Xã Sín Thầu,Huyện Mường Nhé,1,1,3,0,2,2024-01-01\n"


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


GOOD_XLSX = _xlsx([H.strip().split(","), ["03154", 1, 1, 3, 0, 2, "2024-01-01"]])

# --------------------------------------------------------------------------- rosters
# id -> (file name, bytes, message expected through the upload path,
#        message expected from validate_roster on the raw bytes, or None when the
#        raw bytes are a valid roster and only the upload layer must refuse them)
ROSTER_CASES: dict[str, tuple[str, bytes, str, str | None]] = {
    "empty-file": ("r.csv", b"", "the file is empty", "empty file"),
    "whitespace-only": ("r.csv", b"  \n\n \r\n", "empty file", "empty file"),
    "bom-only": ("r.csv", "\ufeff".encode(), "empty file", "empty file"),
    "header-only": ("r.csv", H.encode(), "no data rows under the header",
                    "no data rows under the header"),
    "binary-junk-named-csv": ("r.csv", bytes(range(256)) * 40, "binary data, not a CSV",
                              "binary file"),
    "nul-byte-in-csv": ("r.csv", (H + "03154,1,1,3\x00,0,2,2024-01-01\n").encode(),
                        "binary data, not a CSV", "binary file"),
    "xlsx-named-csv": ("r.csv", GOOD_XLSX, "an Excel workbook or a zip, not CSV", None),
    "junk-named-xlsx": ("r.xlsx", bytes(range(256)) * 40, "not an .xlsx workbook",
                        "binary file"),
    "truncated-xlsx": ("r.xlsx", GOOD_XLSX[: len(GOOD_XLSX) // 2],
                       "damaged or truncated zip", "unreadable spreadsheet"),
    "old-xls-or-encrypted": ("r.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
                             "old .xls or password-protected", "old Excel .xls format"),
    "xlsx-bomb": ("r.xlsx", make_zip({"[Content_Types].xml": b"<Types/>",
                                      "xl/worksheets/sheet1.xml": b"<c/>" * (2 << 20)}),
                  "possible zip bomb", "unreadable spreadsheet"),
    "zip-not-xlsx": ("r.xlsx", make_zip({"evil.sh": b"rm -rf /"}),
                     "a zip but not an .xlsx workbook", "unreadable spreadsheet"),
    "utf16-without-bom": ("r.csv", (HN + NAME_ROW).encode("utf-16-le"),
                          "binary data, not a CSV", "binary file"),
    # UTF-32 with a BOM is decoded now: see test_utf32_roster_is_decoded_not_garbled.
    "shift-jis-names": ("r.csv", (HN + NAME_ROW).encode("shift_jis", errors="replace"),
                        "no commune named", "no commune named"),
    "latin1-mojibake-names": ("r.csv", (HN + NAME_ROW).encode("latin-1", errors="replace"),
                              "no commune named", "no commune named"),
    "formula-in-code": ("r.csv", (H + '=HYPERLINK("http://x"),1,1,3,0,2,2024-01-01\n').encode(),
                        "is not a 5-digit commune code", "is not a 5-digit commune code"),
    "formula-in-count": ("r.csv", (H + "03154,1,1,=1+2,0,2,2024-01-01\n").encode(),
                         r"'=1\+2' is not a number", r"'=1\+2' is not a number"),
    "dde-in-name": ("r.csv", (HN + "=cmd|' /C calc'!A0,Huyện Mường Nhé,1,1,3,0,2,2024-01-01\n"
                              ).encode(), "no commune named", "no commune named"),
    "script-in-name": ("r.csv", (HN + "<script>alert(1)</script>,Huyện Mường Nhé,1,1,3,0,2,"
                                 "2024-01-01\n").encode(),
                       "no commune named '<script>", "no commune named '<script>"),
    "script-in-header": ("r.csv", ("<script>x</script>" + H[len("commune_code"):] + OK_ROW
                                   ).encode(), "missing required column commune_code",
                         "missing required column commune_code"),
    "negative-count": ("r.csv", (H + "03154,1,1,-3,0,2,2024-01-01\n").encode(),
                       "'-3' is negative", "'-3' is negative"),
    "nan-count": ("r.csv", (H + "03154,1,1,NaN,0,2,2024-01-01\n").encode(),
                  "not a finite number", "not a finite number"),
    "infinite-count": ("r.csv", (H + "03154,1,1,inf,0,2,2024-01-01\n").encode(),
                       "not a finite number", "not a finite number"),
    "huge-number": ("r.csv", (H + "03154,1,1,99999999999999999999999,0,2,2024-01-01\n"
                              ).encode(), "more than 10,000", "more than 10,000"),
    "fractional-count": ("r.csv", (H + "03154,1,1,2.5,0,2,2024-01-01\n").encode(),
                         "not a whole number", "not a whole number"),
    "duplicate-codes": ("r.csv", (H + OK_ROW + OK_ROW).encode(),
                        "duplicate commune 03154: also in row 2",
                        "duplicate commune 03154: also in row 2"),
    "unknown-code": ("r.csv", (H + "99999,1,1,3,0,2,2024-01-01\n").encode(),
                     "unknown commune code 99999", "unknown commune code 99999"),
    "other-province": ("r.csv", (H + "00001,1,1,3,0,2,2024-01-01\n").encode(),
                       "is outside Tỉnh Điện Biên", "is outside Tỉnh Điện Biên"),
    "missing-column": ("r.csv", b"commune_code,chiefs\n03154,1\n",
                       "missing required column", "missing required column"),
    "wrong-delimiter-extra-values": ("r.csv", (H + "03154,1,1,3,0,2,2024-01-01,9,9\n").encode(),
                                     "more values than header columns",
                                     "more values than header columns"),
    "unbalanced-quote": ("r.csv", (H + '"' + OK_ROW).encode(),
                         "is not a 5-digit commune code", "is not a 5-digit commune code"),
    "bidi-override-in-code": ("r.csv", (H + "03154\u202e,1,1,3,0,2,2024-01-01\n").encode(),
                              "is not a 5-digit commune code", "is not a 5-digit commune code"),
    "impossible-date": ("r.csv", (H + "03154,1,1,3,0,2,31/02/2024\n").encode(),
                        "is not a valid date", "is not a valid date"),
    "five-chiefs": ("r.csv", (H + "03154,5,1,3,0,2,2024-01-01\n").encode(),
                    "at most one chief", "at most one chief"),
    "giant-cell": ("r.csv", (H + "03154," + "9" * 1_000_000 + ",1,3,0,2,2024-01-01\n").encode(),
                   "field larger than field limit", "field larger than field limit"),
    "per-officer-bad-role": ("r.csv", b"commune_code,role,trained,since\n"
                                      b"03154,general,yes,2024-01-01\n",
                             "'general' is not a role", "'general' is not a role"),
    "per-officer-bad-yes-no": ("r.csv", b"commune_code,role,trained,since\n"
                                        b"03154,officer,maybe,2024-01-01\n",
                               "'maybe' is not yes or no", "'maybe' is not yes or no"),
    "wrong-extension": ("r.csv.exe", (H + OK_ROW).encode(), "must be .csv, .xlsx", None),
    "pickle-disguised": ("r.pkl", b"\x80\x04\x95cos\nsystem\n", "must be .csv, .xlsx", None),
}


def _through_upload(name: str, data: bytes, store) -> str:
    """The app's path: stage, validate, try to import. Return the error text."""
    try:
        with staged_upload(name, data, kind="roster") as path:
            report = validate_roster(path, source_name=name)
            assert not report.ok, f"{name} was accepted"
            assert report.roster is None
            with pytest.raises(RosterError, match="cannot be imported"):
                store.import_roster(report, user="robustness")
            return "; ".join(str(p) for p in report.errors)
    except UploadError as err:
        return str(err)


@pytest.mark.parametrize("case", ROSTER_CASES, ids=str)
def test_malformed_roster_is_rejected_and_nothing_stored(case, store, unchanged):
    name, data, upload_msg, direct_msg = ROSTER_CASES[case]
    message = _through_upload(name, data, store)
    assert re.search(upload_msg, message), message
    if direct_msg is not None:
        report = validate_roster(data, source_name=name)
        assert not report.ok and report.errors
        assert re.search(direct_msg, "; ".join(str(p) for p in report.errors))
        assert all(p.file == name for p in report.problems)


CLI_CASES = [k for k, v in ROSTER_CASES.items() if v[3] is not None]


@pytest.mark.parametrize("case", CLI_CASES, ids=str)
def test_cli_roster_import_rejects_and_stores_nothing(case, tmp_path, capsys, unchanged):
    """The CLI's path: ``python -m geo roster import FILE`` exits 2 and logs the refusal."""
    name, data, _, _ = ROSTER_CASES[case]
    path = tmp_path / name
    path.write_bytes(data)
    code = main(["roster", "import", str(path)])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert f"{name}: rejected" in out and "nothing was stored" in out
    assert "Traceback" not in out + err and "\x1b" not in out
    event = audit.read(limit=1).iloc[0]
    assert (event["action"], bool(event["ok"])) == ("roster.import", False)


@pytest.mark.slow  # benchmark-sized input
def test_million_row_roster_is_rejected_quickly(store, unchanged):
    """1,000,000 per-officer rows (30 MB): read, aggregated, and refused with a clear reason."""
    codes = ("03154", "03155", "03156")
    body = "".join(f"{codes[i % 3]},officer,yes,2024-01-01\n" for i in range(1_000_000))
    data = ("commune_code,role,trained,since\n" + body).encode()
    message = _through_upload("million.csv", data, store)
    assert "commune 03154 has 333,334 officers, more than 10,000" in message


def test_utf32_roster_is_decoded_not_garbled(store, unchanged):
    """UTF-32 with a BOM was read as UTF-16 (errors full of NULs); it is a valid roster."""
    data = (H + OK_ROW).encode("utf-32")  # BOM FF FE 00 00: little-endian
    with staged_upload("r.csv", data, kind="roster") as path:
        report = validate_roster(path, source_name="r.csv")
    assert report.ok and report.problems == [], report.to_frame().to_string()
    assert report.roster["officers"].tolist() == [3]
    big_endian = b"\x00\x00\xfe\xff" + (H + OK_ROW).encode("utf-32-be")
    direct = validate_roster(big_endian, source_name="r.csv")
    assert direct.ok and direct.roster.equals(report.roster)
    broken = validate_roster(data[:-2], source_name="r.csv")
    assert not broken.ok
    assert re.search("undecodable UTF-32 text", "; ".join(str(p) for p in broken.errors))


def test_utf32_big_endian_upload_is_accepted(store, unchanged):
    data = b"\x00\x00\xfe\xff" + (H + OK_ROW).encode("utf-32-be")
    with staged_upload("r.csv", data, kind="roster") as path:
        assert validate_roster(path, source_name="r.csv").ok


def test_oversized_upload_is_refused_before_parsing(store, unchanged, monkeypatch):
    monkeypatch.setenv("BORDERMAP_MAX_UPLOAD_MB", "1")
    data = (H + OK_ROW * 80_000).encode()
    assert len(data) > 1_000_000
    assert "upload limit" in _through_upload("big.csv", data, store)


def test_rejections_do_not_touch_the_store_file_even_when_repeated(store, unchanged):
    for name, data, _, _ in list(ROSTER_CASES.values())[:10]:
        _through_upload(name, data, store)
    assert len(store.history()) == 1


# --------------------------------------------------------------------------- boundaries

Builder = Callable[[gpd.GeoDataFrame, Path], list[tuple[str, bytes]]]


def _zip_shp(parts: dict[str, bytes], *, drop: str = "", stem: str = "xa",
             change: dict[str, bytes] | None = None) -> list[tuple[str, bytes]]:
    members = {f"{stem}{s}": b for s, b in parts.items() if s != drop} | (change or {})
    return [("ranh_gioi.zip", make_zip(members))]


def _geojson(gdf: gpd.GeoDataFrame) -> bytes:
    return gdf.to_json().encode()


def _b_truncated_shp(base, tmp):
    parts = shapefile_parts(base, tmp)
    return _zip_shp(parts, change={"xa.shp": parts[".shp"][: len(parts[".shp"]) // 3]})


def _b_points(base, tmp):
    return [("a.geojson", _geojson(base.assign(geometry=base.geometry.representative_point())))]


def _b_other_province(base, tmp):
    from geo.boundaries import load_communes

    lc = load_communes("Lai Châu", vintage="2020")
    gdf = gpd.GeoDataFrame({"ma_xa": lc["code"]}, geometry=lc.geometry, crs=lc.crs)
    return [("lai_chau.geojson", _geojson(gdf))]


def _b_hostile_values(base, tmp):
    gdf = base.assign(ma_xa="=1+1", ten_xa="<script>alert(1)</script>")
    return [("a.geojson", _geojson(gdf))]


def _b_nan_coordinates(base, tmp):
    feature = ('{"type":"Feature","properties":{"ma_xa":"03154"},"geometry":{"type":"Polygon",'
               '"coordinates":[[[NaN,21],[103.1,21.1],[103.1,21],[NaN,21]]]}}')
    return [("a.geojson", ('{"type":"FeatureCollection","features":[' + feature + "]}").encode())]


def _b_symlink(base, tmp):
    link = zipfile.ZipInfo("xa.prj")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    return [("a.zip", make_zip([(link, b"/etc/passwd"), ("xa.shp", b"x")]))]


BOUNDARY_CASES: dict[str, tuple[Builder, str | None, str]] = {
    # id: (builder, message from the upload layer (None: accepted there), message from loading)
    "truncated-shp": (_b_truncated_shp, "truncated or damaged", ""),
    "missing-shx": (lambda b, t: _zip_shp(shapefile_parts(b, t), drop=".shx"),
                    r"without xa.shx \(the shape index\)", ""),
    "missing-dbf": (lambda b, t: _zip_shp(shapefile_parts(b, t), drop=".dbf"),
                    r"without xa.dbf \(the attribute table", ""),
    "missing-prj": (lambda b, t: _zip_shp(shapefile_parts(b, t), drop=".prj"),
                    r"without xa.prj \(the coordinate reference system\)", ""),
    "shp-that-is-csv": (lambda b, t: _zip_shp(shapefile_parts(b, t),
                                              change={"xa.shp": (H + OK_ROW).encode() * 20}),
                        r"not a shapefile .shp", ""),
    "empty-geojson-file": (lambda b, t: [("a.geojson", b"")], "the file is empty", ""),
    "empty-feature-collection": (lambda b, t: [("a.geojson",
                                                b'{"type":"FeatureCollection","features":[]}')],
                                 None, "the file holds no features"),
    "truncated-geojson": (lambda b, t: [("a.geojson", _geojson(b)[:5000])], None,
                          "cannot be read as a boundaries file"),
    "junk-gpkg": (lambda b, t: [("a.gpkg", bytes(range(256)) * 40)],
                  "not a GeoPackage", ""),
    "html-named-geojson": (lambda b, t: [("a.geojson", b"<html><script>x</script></html>")],
                           "not a GeoJSON object", ""),
    "points-not-polygons": (_b_points, None, "must be polygons, but the file holds Point"),
    "other-province": (_b_other_province, None, "no unit of Tỉnh Điện Biên in this file"),
    "formula-and-script-values": (_b_hostile_values, None,
                                  "found no column of commune codes or names"),
    "nan-coordinates": (_b_nan_coordinates, None, "cannot be read as a boundaries file"),
    "zip-slip-dotdot": (lambda b, t: [("a.zip", make_zip({"../../evil.shp": b"x"}))],
                        "points outside the archive", ""),
    "zip-slip-absolute": (lambda b, t: [("a.zip", make_zip({"/tmp/evil.shp": b"x"}))],
                          "has an absolute path", ""),
    "zip-symlink": (_b_symlink, "is a symbolic link", ""),
    "zip-bomb": (lambda b, t: [("a.zip", make_zip({"xa.dbf": b"\0" * (8 << 20)}))],
                 "possible zip bomb", ""),
    "zip-two-datasets": (lambda b, t: [("a.zip", make_zip(
        {f"{n}{s}": d for n in ("xa", "huyen") for s, d in shapefile_parts(b, t).items()}))],
        r"2 datasets \(huyen.shp, xa.shp\)", ""),
    "zip-in-zip": (lambda b, t: [("a.zip", make_zip({"inner.zip": make_zip({"a": b"b"})}))],
                   "no .shp, .gpkg or .geojson", ""),
    "exe-named-zip": (lambda b, t: [("a.zip", b"MZ\x90\x00" + b"\x00" * 500)],
                      "not a zip archive", ""),
    "kml-extension": (lambda b, t: [("a.kml", b"<kml/>")], "a boundaries upload must be", ""),
}


def _load_uploaded(files: list[tuple[str, bytes]]) -> str:
    """The app's path: stage the upload and load it. Return the error text."""
    try:
        with staged_uploads(files, kind="boundaries") as path, \
                warnings.catch_warnings(record=True):  # "units missing" warnings are expected
            warnings.simplefilter("always")
            load_official_boundaries(path, province="Điện Biên", vintage="2020")
    except (UploadError, BoundaryFileError) as err:
        return f"{type(err).__name__}: {err}"
    return "accepted"


@pytest.mark.parametrize("case", BOUNDARY_CASES, ids=str)
def test_malformed_boundaries_are_rejected(case, dien_bien_2020, tmp_path, unchanged):
    builder, upload_msg, load_msg = BOUNDARY_CASES[case]
    files = builder(dien_bien_2020, tmp_path / "build")
    message = _load_uploaded(files)
    if upload_msg is not None:
        assert message.startswith("UploadError: "), message
        assert re.search(upload_msg, message), message
    else:
        assert message.startswith("BoundaryFileError: "), message
        assert load_msg in message, message


# -- coordinates that cannot be right, empty and truncated files -----------------------------
GAP_MESSAGE = r"(?i)coordinat|crs|outside|far from|range|no polygon|empty|truncat"


def _utm_labelled_wgs84(base):
    return base.to_crs("EPSG:32648").set_crs("EPSG:4326", allow_override=True)


def _degrees_labelled_utm(base):
    return base.set_crs("EPSG:32648", allow_override=True)


def _swapped_axes(base):
    return base.assign(geometry=shapely.transform(base.geometry.to_numpy(),
                                                  lambda xy: xy[:, ::-1]))


def _far_away(base):
    return base.assign(geometry=base.geometry.translate(20, 0))


def _huge_coordinates(base):
    return base.assign(geometry=[shapely.box(1e300, 1e300, 2e300, 2e300)] * len(base))


def _empty_geometries(base):
    return base.assign(geometry=[shapely.Polygon()] * len(base))



@pytest.mark.parametrize("transform", [_utm_labelled_wgs84, _degrees_labelled_utm,
                                       _swapped_axes, _far_away, _huge_coordinates],
                         ids=lambda f: f.__name__.strip("_"))
def test_wrong_crs_or_misplaced_coordinates_are_refused(transform, dien_bien_2020, tmp_path,
                                                        unchanged):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        files = _zip_shp(shapefile_parts(transform(dien_bien_2020), tmp_path / "b"))
        message = _load_uploaded(files)
    assert message.startswith("BoundaryFileError: "), message
    assert re.search(GAP_MESSAGE, message), message


def test_all_empty_geometries_are_refused(dien_bien_2020, tmp_path, unchanged):
    gdf = _empty_geometries(dien_bien_2020)
    gdf.to_file(tmp_path / "a.gpkg", engine="pyogrio")
    message = _load_uploaded([("a.gpkg", (tmp_path / "a.gpkg").read_bytes())])
    assert message.startswith("BoundaryFileError: "), message


def test_truncated_shp_on_disk_is_refused(dien_bien_2020, tmp_path):
    parts = shapefile_parts(dien_bien_2020, tmp_path)
    (tmp_path / "xa.shp").write_bytes(parts[".shp"][: len(parts[".shp"]) // 3])
    with pytest.raises(BoundaryFileError, match="truncated"):
        load_official_boundaries(tmp_path / "xa.shp", province="Điện Biên", vintage="2020")


# -- the CLI's path: files on disk ----------------------------------------------------------

@pytest.mark.parametrize("drop, fragment", [
    (".shx", "must sit together"),
    (".prj", "no coordinate reference system"),
    (".dbf", "found no column of commune codes or names"),
])
def test_cli_incomplete_shapefile_exits_2_with_a_clear_message(drop, fragment, dien_bien_2020,
                                                               tmp_path, capsys, unchanged):
    shapefile_parts(dien_bien_2020, tmp_path)
    (tmp_path / f"xa{drop}").unlink()
    code = main(["communes", "--vintage", "2020", "--boundaries", str(tmp_path / "xa.shp")])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("error: ") and fragment in err and "Traceback" not in err


@pytest.mark.parametrize("name, data, fragment", [
    ("a.geojson", b"", "cannot be read as a boundaries file"),
    ("a.gpkg", bytes(range(256)) * 4, "cannot be read as a boundaries file"),
    ("a.kml", b"<kml/>", "unsupported file type '.kml'"),
    ("a.zip", b"PK\x03\x04 truncated", "cannot be read as a boundaries file"),
])
def test_cli_unreadable_boundaries_exit_2(name, data, fragment, tmp_path, capsys, unchanged):
    (tmp_path / name).write_bytes(data)
    code = main(["communes", "--vintage", "2020", "--boundaries", str(tmp_path / name)])
    err = capsys.readouterr().err
    assert code == 2 and fragment in err and "Traceback" not in err


def test_the_digest_sees_an_import(store, _bordermap_home, tmp_path):
    """The byte-identity check above can fail: an accepted import changes the digest."""
    before = home_digest(_bordermap_home)
    assert "bordermap.sqlite" in before
    store.import_roster(validate_roster(SAMPLE_ROSTER), user="digest-check")
    assert home_digest(_bordermap_home) != before
