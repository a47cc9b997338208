"""Finding 4: hostile XLSX and CSV files are refused before parsing, quickly and in little memory."""

from __future__ import annotations

import io
import zipfile

import pytest
from _clirun import run_cli
from _hostile import (HEADER, billion_laughs, dimension_bomb, wide_csv, workbook, xxe)

from geo import filebounds
from geo._errors import UploadError
from geo.roster import validate_roster
from geo.stores.rosters import open_store

ROW = ["03154", 1, 1, 3, 0, 4, "2024-05-01"]


def only_error(report) -> str:
    assert not report.ok and len(report.errors) == 1, report.to_frame()
    return report.errors[0].message


# --------------------------------------------------------------------------- library
def test_dimension_bomb_is_refused_from_its_declared_size():
    data = dimension_bomb()
    assert len(data) < 10_000
    with pytest.raises(UploadError, match=r"declares its size as 'A1:XFD1048576' "
                                          r"\(1,048,576 rows × 16,384 columns\)"):
        filebounds.check_xlsx(data, name="bomb.xlsx")
    assert "1,048,576 rows" in only_error(validate_roster(data, source_name="bomb.xlsx"))


def test_cells_past_the_limits_are_refused_without_a_dimension():
    base = workbook([ROW])
    sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b'<sheetData><row r="500000"><c r="A500000"><v>1</v></c></row></sheetData>'
             b'</worksheet>')
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, sheet if info.filename.endswith("sheet1.xml")
                         else src.read(info.filename))
    with pytest.raises(UploadError, match="data in row 500,000, past the 200,000 rows"):
        filebounds.check_xlsx(out.getvalue())
    wide = workbook([["03154"] + [1] * 300])
    with pytest.raises(UploadError, match=r"\(2 rows × 301 columns\), more than the "
                                          r"200,000 rows × 256 columns"):
        filebounds.check_xlsx(wide)
    assert filebounds.check_xlsx(wide, max_cols=400).cols == 301


@pytest.mark.parametrize("make", [billion_laughs, xxe], ids=["billion-laughs", "xxe"])
def test_dtd_and_entities_are_refused(make):
    with pytest.raises(UploadError, match=r"declares a DTD or XML entities \(DTDForbidden\)"):
        filebounds.check_xlsx(make(), name="evil.xlsx")
    message = only_error(validate_roster(make(), source_name="evil.xlsx"))
    assert "DTD or XML entities" in message and "root:" not in message


def test_shared_strings_size_is_capped():
    wb = workbook([ROW, ["x" * 5000, 1, 1, 1, 0, 0, "2024-01-01"]])
    assert filebounds.check_xlsx(wb).rows == 3
    with pytest.raises(UploadError, match="shared-strings table is"):
        filebounds.check_xlsx(_with_shared_strings(wb, 5000), max_shared_strings_bytes=1000)


def _with_shared_strings(data: bytes, n: int) -> bytes:
    sst = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           + "<si><t>abc</t></si>" * n + "</sst>").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        dst.writestr("xl/sharedStrings.xml", sst)
    return out.getvalue()


def test_wide_and_long_line_csv_is_refused_before_parsing():
    data = wide_csv()
    assert 680_000 < len(data) < 700_000
    with pytest.raises(UploadError, match="line 1 has 100,007 fields, more than the 1,000"):
        filebounds.check_csv(data, name="wide.csv")
    with pytest.raises(UploadError, match="line 1 is 688,9.. bytes long, more than the "
                                          "65,536"):
        filebounds.check_csv(data, name="wide.csv", max_line_bytes=65_536)
    narrow = ",".join(HEADER + ["x"] * 2000).encode()  # short line, many fields
    assert "2,007 fields" in only_error(validate_roster(narrow, source_name="n.csv"))
    assert filebounds.check_csv(b"a;b\n1;2\n") == 3


def test_hidden_first_sheet_is_never_read_silently():
    data = workbook([ROW], hidden_first=[["03154", 0, 0, 99, 0, 0, "2024-05-01"]])
    assert "the first sheet 'hidden' is hidden in Excel" in only_error(
        validate_roster(data, source_name="h.xlsx"))
    visible = validate_roster(data, source_name="h.xlsx", sheet="roster")
    assert visible.ok and visible.roster["officers"].tolist() == [3]
    named = validate_roster(data, source_name="h.xlsx", sheet="hidden")
    assert named.ok and named.roster["officers"].tolist() == [99]
    assert any("is hidden in Excel; read because it was named" in p.message
               for p in named.warnings)


def test_a_plain_workbook_passes_the_checks():
    info = filebounds.check_xlsx(workbook([ROW]), name="ok.xlsx")
    assert (info.rows, info.cols, info.cells) == (2, 7, 14)
    assert [s.name for s in info.sheets] == ["roster"] and not info.chosen.hidden


# --------------------------------------------------------------------------- CLI
@pytest.mark.slow
@pytest.mark.parametrize("name, make, expect", [
    ("bomb.xlsx", dimension_bomb, "declares its size"),
    ("laughs.xlsx", billion_laughs, "DTD or XML entities"),
    ("xxe.xlsx", xxe, "DTD or XML entities"),
    ("wide.csv", wide_csv, "100,007 fields"),
])
def test_cli_refuses_hostile_files_fast_and_small(tmp_path, name, make, expect):
    home = tmp_path / "home"
    home.mkdir()
    path = tmp_path / name
    path.write_bytes(make())
    run = run_cli("roster", "import", str(path), home=home)
    assert run.returncode == 2, run.stderr
    assert expect in run.stdout and "Traceback" not in run.stderr + run.stdout
    assert "nothing was stored" in run.stdout
    print(f"{name}: {run.seconds:.1f} s, {run.max_rss_mb:.0f} MB")
    assert run.seconds < 10.0
    assert run.max_rss_mb < 1024
    assert open_store(home).history().empty
