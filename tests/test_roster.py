"""Tests for geo.roster: formats, encodings, validation problems, aggregation, template.

Fixtures are written in each test (tmp_path or bytes); the counts are made up,
not real assignments. Điện Biên 2020 facts used: Xã Sín Thầu 03154 and Xã Sen
Thượng 03155 (Huyện Mường Nhé); "Na Tong" folds to both Xã Nà Tòng (03263,
Huyện Tuần Giáo) and Xã Na Tông (03365, Huyện Điện Biên); 00001 is Phường Phúc
Xá in Hà Nội.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import unicodedata

import numpy as np
import openpyxl
import pandas as pd
import pytest

from geo._errors import RegistryError, RosterError
from geo.registry import load_units
from geo.roster import (
    MAX_COUNT,
    ROSTER_COLUMNS,
    Problem,
    ValidationReport,
    read_roster,
    roster_template,
    validate_roster,
)

HEADER = "commune_code,chiefs,deputies,officers,reinforcements,trained,as_of"
OFFICER_HEADER = "commune_code,role,origin_unit,trained,since"


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def errors_of(report: ValidationReport) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.column, p.message) for p in report.errors]


def only_error(report: ValidationReport) -> Problem:
    assert len(report.errors) == 1, report.to_frame().to_string()
    return report.errors[0]


def to_cp1258(text: str) -> bytes:
    """Encode as Vietnamese Windows does: base letters with â ă ê ô ơ ư precomposed and
    the five tone marks as combining characters (cp1258 has no precomposed ờ, ệ…)."""
    letter_marks = {"\u0302", "\u0306", "\u031b"}  # circumflex, breve, horn
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        head = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in letter_marks))
        tones = "".join(m for m in marks if m not in letter_marks)
        out.append((head + tones).encode("cp1258"))
    return b"".join(out)


# ---------------------------------------------------------------------------
# Per-commune happy path.
def test_per_commune_accepted_with_known_values():
    raw = csv_bytes(
        "commune_code,chiefs,deputies,officers,reinforcements,reinforcement_origin,trained,"
        "as_of",
        "03155,1,2,6,2,Bộ Công an,5,31/12/2021",
        "3154,1,1,3,,,4,2022-01-15",
    )
    rep = validate_roster(raw, source_name="r.csv")
    assert rep.ok, rep.to_frame()
    assert rep.kind == "per-commune"
    assert rep.n_rows == 2
    assert rep.sha256 == hashlib.sha256(raw).hexdigest()
    assert rep.source_name == "r.csv"
    expected = pd.DataFrame({
        "commune_code": pd.Series(["03154", "03155"], dtype="str"),
        "chiefs": [1, 1], "deputies": [1, 2], "officers": [3, 6],
        "reinforcements": [0, 2], "trained": [4, 5],
        "reinforcement_origin": pd.Series([None, "Bộ Công an"], dtype="str"),
        "as_of": pd.Series(["2022-01-15", "2021-12-31"], dtype="str"),
    })
    pd.testing.assert_frame_equal(rep.roster, expected)
    assert list(rep.roster.columns) == list(ROSTER_COLUMNS)


def test_file_path_and_file_object_are_read(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(HEADER, "03154,1,1,3,0,4,2022-01-15"))
    by_path = validate_roster(path)
    assert by_path.ok and by_path.source_name == "roster.csv"
    with path.open("rb") as fh:
        by_obj = validate_roster(fh)
    assert by_obj.ok and by_obj.source_name == "roster.csv"
    pd.testing.assert_frame_equal(by_path.roster, by_obj.roster)


def test_missing_file_is_a_problem_not_an_exception(tmp_path):
    rep = validate_roster(tmp_path / "nope.csv")
    p = only_error(rep)
    assert p.file == "nope.csv" and "cannot read" in p.message
    assert rep.roster is None and not rep.ok


def test_wrong_argument_type_raises_type_error():
    with pytest.raises(TypeError, match="path_or_bytes"):
        validate_roster(12345)  # type: ignore[arg-type]


def test_unknown_province_raises_registry_error():
    with pytest.raises(RegistryError, match="Atlantis"):
        validate_roster(csv_bytes(HEADER, "03154,1,1,3,0,4,2022-01-15"), province="Atlantis")


# ---------------------------------------------------------------------------
# Each validation error, with row numbers as a spreadsheet shows them.
def test_missing_required_column():
    rep = validate_roster(csv_bytes("commune_code,chiefs,deputies,officers,trained,as_of",
                                    "03154,1,1,3,4,2022-01-15"), source_name="f.csv")
    p = only_error(rep)
    assert (p.file, p.row, p.column) == ("f.csv", 1, "reinforcements")
    assert "missing required column" in p.message


def test_missing_commune_column():
    rep = validate_roster(csv_bytes("chiefs,deputies,officers,reinforcements,trained,as_of",
                                    "1,1,3,0,4,2022-01-15"))
    assert "missing required column commune_code (or commune_name)" in only_error(rep).message


def test_unknown_and_malformed_codes():
    rep = validate_roster(csv_bytes(HEADER, "99999,1,1,3,0,4,2022-01-15",
                                    "03A54,1,1,3,0,4,2022-01-15"), vintage="2020")
    assert errors_of(rep) == [
        (2, "commune_code", "unknown commune code 99999 (not in the 2020 registry)"),
        (3, "commune_code", "'03A54' is not a 5-digit commune code"),
    ]


def test_commune_outside_province_by_code_and_by_name():
    rep = validate_roster(csv_bytes(HEADER, "00001,1,1,3,0,4,2022-01-15"))
    p = only_error(rep)
    assert p.row == 2 and "Phường Phúc Xá" in p.message
    assert "outside Tỉnh Điện Biên" in p.message
    rep = validate_roster(csv_bytes(HEADER.replace("commune_code", "commune_name"),
                                    "Phuc Xa,1,1,3,0,4,2022-01-15"))
    p = only_error(rep)
    assert "no commune named 'Phuc Xa' in Tỉnh Điện Biên" in p.message
    assert "Thành phố Hà Nội" in p.message


def test_name_matching_none():
    rep = validate_roster(csv_bytes("commune_name,district," + HEADER.split(",", 1)[1],
                                    "Atlantis,,1,1,3,0,4,2022-01-15"))
    p = only_error(rep)
    assert (p.row, p.column) == (2, "commune_name")
    assert "no commune named 'Atlantis'" in p.message


def test_ambiguous_name_is_reported_with_both_candidates():
    rep = validate_roster(csv_bytes("commune_name," + HEADER.split(",", 1)[1],
                                    "na tong,1,1,3,0,4,2022-01-15"))
    p = only_error(rep)
    assert "matches 2 communes" in p.message
    assert "03263" in p.message and "03365" in p.message
    assert "Huyện Tuần Giáo" in p.message and "Huyện Điện Biên" in p.message


@pytest.mark.parametrize(("name", "district", "code"), [
    ("Sín Thầu", "Mường Nhé", "03154"),
    ("sin thau", "huyen muong nhe", "03154"),        # no diacritics, unaccented type word
    ("Xa Sin Thau", "", "03154"),                     # unaccented "Xa" type word
    ("XÃ SÍN THẦU", "HUYỆN MƯỜNG NHÉ", "03154"),
    ("Na Tong", "Tuan Giao", "03263"),                # district settles the ambiguity
    ("Na Tong", "Huyện Điện Biên", "03365"),
    ("Nà Tòng", "", "03263"),                         # diacritics settle it too
    ("Xá Nhè", "", "03244"),                          # "Xá" is a name, not the type word
])
def test_name_and_district_matching(name, district, code):
    rep = validate_roster(csv_bytes("commune_name,district," + HEADER.split(",", 1)[1],
                                    f"{name},{district},1,1,3,0,4,2022-01-15"), vintage="2020")
    assert rep.ok, rep.to_frame().to_string()
    assert rep.roster["commune_code"].tolist() == [code]


def test_name_in_wrong_district():
    rep = validate_roster(csv_bytes("commune_name,district," + HEADER.split(",", 1)[1],
                                    "Sín Thầu,Tủa Chùa,1,1,3,0,4,2022-01-15"))
    p = only_error(rep)
    assert "no commune named 'Sín Thầu' in district 'Tủa Chùa'" in p.message
    assert "03154" in p.message


def test_code_contradicting_name_is_an_error():
    rep = validate_roster(csv_bytes("commune_code,commune_name," + HEADER.split(",", 1)[1],
                                    "03154,Sen Thượng,1,1,3,0,4,2022-01-15",
                                    "03155,Sen Thượng,1,1,3,0,4,2022-01-15"))
    p = only_error(rep)
    assert p.row == 2 and "03154 is Xã Sín Thầu" in p.message


@pytest.mark.parametrize(("value", "fragment"), [
    ("-1", "is negative"),
    ("2.5", "is not a whole number"),
    ("2,5", "is not a number"),
    ("abc", "is not a number"),
    ("NaN", "is not a finite number"),
    ("inf", "is not a finite number"),
    ("-inf", "is not a finite number"),
    (str(MAX_COUNT + 1), "more than 10,000"),
    ("1e9", "more than 10,000"),
    ("1.000", "ambiguous"),
    ("", "empty; write 0"),
])
def test_bad_counts(value, fragment):
    rep = validate_roster(csv_bytes(HEADER, f'03154,1,1,"{value}",0,0,2022-01-15'),
                          source_name="c.csv")
    p = only_error(rep)
    assert (p.file, p.row, p.column) == ("c.csv", 2, "officers")
    assert fragment in p.message
    assert rep.roster is None


def test_float_formatted_whole_numbers_and_limits_are_accepted():
    rep = validate_roster(csv_bytes(HEADER, f"03154,1.0,0, {MAX_COUNT} ,+2,0,2022-01-15"))
    assert rep.ok, rep.to_frame()
    row = rep.roster.iloc[0]
    assert (row["chiefs"], row["officers"], row["reinforcements"]) == (1, MAX_COUNT, 2)


def test_duplicate_communes_point_to_the_first_row():
    rep = validate_roster(csv_bytes(HEADER, "03154,1,1,3,0,4,2022-01-15",
                                    "03155,1,1,3,0,4,2022-01-15",
                                    "3154,1,2,3,0,4,2022-01-15"))
    assert errors_of(rep) == [(4, "commune_code", "duplicate commune 03154: also in row 2")]


def test_more_than_one_chief_per_commune():
    rep = validate_roster(csv_bytes(HEADER, "03154,2,1,3,0,4,2022-01-15"))
    p = only_error(rep)
    assert (p.row, p.column) == (2, "chiefs") and "at most one chief" in p.message


def test_bad_and_missing_dates():
    rep = validate_roster(csv_bytes(HEADER, "03154,1,1,3,0,4,31/02/2022",
                                    "03155,1,1,3,0,4,",
                                    "03156,1,1,3,0,4,2022-13-01"))
    assert [(r, c) for r, c, _ in errors_of(rep)] == [(2, "as_of"), (3, "as_of"),
                                                      (4, "as_of")]
    assert "not a valid date" in rep.errors[0].message
    assert "empty" in rep.errors[1].message


def test_every_problem_is_reported_at_once_with_spreadsheet_rows():
    raw = csv_bytes(
        HEADER,
        "03154,1,1,3,0,4,2022-01-15",
        "",                                   # blank line: still a spreadsheet row
        "99999,1,1,3,0,4,2022-01-15",
        "03155,-1,x,3,0,4,2022-01-15",
    )
    rep = validate_roster(raw, source_name="many.csv")
    assert [(p.row, p.column) for p in rep.errors] == [
        (4, "commune_code"), (5, "chiefs"), (5, "deputies")]
    assert all(p.file == "many.csv" for p in rep.errors)
    assert rep.n_rows == 3 and rep.roster is None and not rep.ok
    frame = rep.to_frame()
    assert list(frame.columns) == ["file", "row", "column", "severity", "message"]
    assert frame["row"].tolist() == [4, 5, 5]


def test_empty_files():
    assert "empty file" in only_error(validate_roster(b"")).message
    assert "empty file" in only_error(validate_roster(b" \r\n\n")).message
    rep = validate_roster(csv_bytes(HEADER))
    assert "no data rows" in only_error(rep).message
    rep = validate_roster(csv_bytes(HEADER, ",,,,,,", ""))
    assert "no data rows" in only_error(rep).message


def test_binary_and_undecodable_files():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    assert "binary file" in only_error(validate_roster(png)).message
    # 0x81 is neither UTF-8 nor Windows-1258.
    raw = csv_bytes(HEADER, "03154,1,1,3,0,4,2022-01-15", encoding="ascii") + b"\x81\x81\n"
    p = only_error(validate_roster(raw))
    assert "undecodable" in p.message and p.row == 3
    # Mostly UTF-8 with one stray byte: an error, not silently read as Windows-1258.
    raw = csv_bytes("commune_name," + HEADER.split(",", 1)[1],
                    "Sín Thầu,1,1,3,0,4,2022-01-15") + b"Sen Th\xb0\n"
    p = only_error(validate_roster(raw))
    assert "invalid UTF-8" in p.message and p.row == 3
    assert "not supported" in only_error(validate_roster(b"\xd0\xcf\x11\xe0" + b"\0" * 64)
                                         ).message


def test_extra_values_and_duplicate_header_columns():
    rep = validate_roster(csv_bytes(HEADER, "03154,1,1,3,0,4,2022-01-15,oops"))
    p = only_error(rep)
    assert p.row == 2 and "more values than header columns" in p.message
    rep = validate_roster(csv_bytes(HEADER + ",chiefs", "03154,1,1,3,0,4,2022-01-15,1"))
    assert "appears twice" in only_error(rep).message


# ---------------------------------------------------------------------------
# Warnings never reject.
def test_unknown_and_personal_columns_are_warnings_and_dropped():
    rep = validate_roster(csv_bytes(HEADER + ",colour,Họ và tên",
                                    "03154,1,1,3,0,4,2022-01-15,hello,Nguyễn Văn A"))
    assert rep.ok
    assert [(p.column, p.severity) for p in rep.warnings] == [
        ("colour", "warning"), ("Họ và tên", "warning")]
    assert "never stored" in rep.warnings[1].message
    assert "Nguyễn" not in rep.roster.to_csv()


def test_reinforcement_outside_border_communes_is_a_warning():
    raw = csv_bytes(HEADER, "03154,1,1,3,2,4,2022-01-15", "03124,1,1,3,1,4,2022-01-15")
    rep = validate_roster(raw, border_codes={"03154"})
    assert rep.ok
    [w] = rep.warnings
    assert (w.row, w.column) == (3, "reinforcements") and "not a border commune" in w.message
    assert validate_roster(raw).warnings == []  # border_codes=None skips the check


def test_blank_template_rows_are_skipped_with_one_warning():
    raw = csv_bytes("commune_code,commune_name," + HEADER.split(",", 1)[1],
                    "03154,Xã Sín Thầu,1,1,3,0,4,2022-01-15",
                    "03155,Xã Sen Thượng,,,,,,",
                    "03156,Xã Nậm Tin,,,,,,")
    rep = validate_roster(raw)
    assert rep.ok
    [w] = rep.warnings
    assert w.row == 3 and "2 row(s) without any count skipped (rows 3, 4)" in w.message
    assert rep.roster["commune_code"].tolist() == ["03154"]


def test_title_rows_above_header_keep_spreadsheet_row_numbers():
    raw = csv_bytes("DANH SÁCH CÔNG AN XÃ,,,,,,", ",,,,,,", HEADER, "99999,1,1,3,0,4,2022-01-15")
    rep = validate_roster(raw)
    assert [p.row for p in rep.errors] == [4]
    assert any("above the header" in p.message for p in rep.warnings)


# ---------------------------------------------------------------------------
# Encodings and delimiters.
VI_LINES = ("commune_name,district," + HEADER.split(",", 1)[1],
            "Xã Sín Thầu,Huyện Mường Nhé,1,1,3,0,4,2022-01-15",
            "Xã Sen Thượng,Huyện Mường Nhé,1,2,6,2,5,2022-01-15",
            "Xã Chiềng Đông,Huyện Tuần Giáo,1,1,2,0,1,2022-01-15",
            "Xã Ẳng Tở,Huyện Mường Ảng,1,1,2,0,1,2022-01-15")
VI_CODES = ["03154", "03155", "03292", "03299"]


@pytest.mark.parametrize("encode", [
    lambda t: t.encode("utf-8"),
    lambda t: t.encode("utf-8-sig"),
    to_cp1258,
    lambda t: t.encode("utf-16"),
    lambda t: unicodedata.normalize("NFD", t).encode("utf-8"),
], ids=["utf-8", "utf-8-sig", "cp1258", "utf-16", "utf-8-nfd"])
def test_encodings_are_detected(encode):
    raw = encode("\r\n".join(VI_LINES) + "\r\n")
    rep = validate_roster(raw)
    assert rep.ok, rep.to_frame().to_string()
    assert rep.roster["commune_code"].tolist() == VI_CODES


def test_cp1258_fixture_really_uses_combining_marks():
    raw = to_cp1258("Thầu")
    assert raw != "Thầu".encode("cp1258", errors="replace")
    assert unicodedata.normalize("NFC", raw.decode("cp1258")) == "Thầu"


def test_cp1258_origin_text_is_stored_in_nfc():
    raw = to_cp1258("\n".join([
        "commune_code,chiefs,deputies,officers,reinforcements,reinforcement_origin,trained,"
        "as_of", "03154,1,1,3,1,Trường Cảnh sát nhân dân,4,2022-01-15"]))
    rep = validate_roster(raw)
    origin = rep.roster["reinforcement_origin"].iloc[0]
    assert origin == "Trường Cảnh sát nhân dân"
    assert unicodedata.is_normalized("NFC", origin)


@pytest.mark.parametrize("sep", [";", "\t"])
def test_delimiter_is_sniffed(sep):
    lines = [line.replace(",", sep) for line in VI_LINES]
    rep = validate_roster(("\n".join(lines) + "\n").encode("utf-8-sig"))
    assert rep.ok and rep.roster["commune_code"].tolist() == VI_CODES


def test_quoted_fields_with_delimiters_inside():
    raw = csv_bytes("commune_code,chiefs,deputies,officers,reinforcements,reinforcement_origin,"
                    "trained,as_of",
                    '03154,1,1,3,2,"Cục A, Bộ Công an",4,2022-01-15')
    rep = validate_roster(raw)
    assert rep.roster["reinforcement_origin"].tolist() == ["Cục A, Bộ Công an"]


# ---------------------------------------------------------------------------
# XLSX.
def xlsx_bytes(rows: list[list[object]], *, title: str = "Sheet", extra_sheet=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    if extra_sheet is not None:
        name, extra_rows = extra_sheet
        ws2 = wb.create_sheet(name)
        for r in extra_rows:
            ws2.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_values_numbers_and_dates():
    raw = xlsx_bytes([
        HEADER.split(","),
        [3154, 1, 1, 3.0, None, 4, dt.datetime(2022, 1, 15)],   # Excel drops the leading 0
        ["03155", 1, 2, 6, 2, 5, dt.date(2021, 12, 31)],
    ])
    rep = validate_roster(raw, source_name="r.xlsx")
    assert rep.ok, rep.to_frame().to_string()
    assert rep.roster["commune_code"].tolist() == ["03154", "03155"]
    assert rep.roster["officers"].tolist() == [3, 6]
    assert rep.roster["reinforcements"].tolist() == [0, 2]
    assert rep.roster["as_of"].tolist() == ["2022-01-15", "2021-12-31"]


def test_xlsx_errors_report_sheet_rows_and_formulas_are_not_evaluated():
    raw = xlsx_bytes([
        HEADER.split(","),
        ["03154", 1, 1, 2.5, 0, 4, "2022-01-15"],
        [None] * 7,
        ["03155", 1, 1, "=1+2", 0, 4, "2022-01-15"],  # formula without a cached value
    ])
    rep = validate_roster(raw)
    assert [(p.row, p.column) for p in rep.errors] == [(2, "officers"), (4, "officers")]
    assert "not a whole number" in rep.errors[0].message
    assert "formula without a saved value" in rep.errors[1].message  # never computed as 3


def test_xlsx_sheet_option():
    good = [HEADER.split(","), ["03154", 1, 1, 3, 0, 4, "2022-01-15"]]
    raw = xlsx_bytes([["notes only"]], title="Notes", extra_sheet=("Roster", good))
    assert validate_roster(raw, sheet="Roster").ok
    assert not validate_roster(raw).ok
    p = only_error(validate_roster(raw, sheet="Missing"))
    assert "no sheet named 'Missing'" in p.message and "Roster" in p.message


def test_corrupt_xlsx_is_a_problem():
    raw = xlsx_bytes([HEADER.split(",")])[:200]
    assert "unreadable spreadsheet" in only_error(validate_roster(raw)).message


# ---------------------------------------------------------------------------
# Per officer.
def test_per_officer_aggregation_known_answer():
    raw = csv_bytes(
        "commune_code,ho_ten,role,origin_unit,trained,since",
        "03154,Người Mẫu Một,Trưởng Công an xã,,có,2021-01-01",
        "03154,Người Mẫu Hai,Phó Trưởng Công an xã,,không,15/03/2021",
        "03154,Người Mẫu Ba,Công an viên,,1,",
        "03154,Người Mẫu Bốn,cong an vien,,0,2022-06-30",
        "03154,Người Mẫu Năm,tăng cường,Cục A,yes,2021-09-01",
        "03154,Người Mẫu Sáu,reinforcement,Trường B,no,",
        "03155,Người Mẫu Bảy,chief,,YES,2020-01-01",
        "03155,Người Mẫu Tám,officer,,No,",
    )
    rep = validate_roster(raw)
    assert rep.ok, rep.to_frame().to_string()
    assert rep.kind == "per-officer" and rep.n_rows == 8
    expected = pd.DataFrame({
        "commune_code": pd.Series(["03154", "03155"], dtype="str"),
        "chiefs": [1, 1], "deputies": [1, 0], "officers": [2, 1],
        "reinforcements": [2, 0], "trained": [3, 1],
        "reinforcement_origin": pd.Series(["Cục A; Trường B", None], dtype="str"),
        "as_of": pd.Series(["2022-06-30", "2020-01-01"], dtype="str"),
    })
    pd.testing.assert_frame_equal(rep.roster, expected)
    [w] = rep.warnings
    assert w.column == "ho_ten" and "never stored" in w.message
    assert "Người" not in rep.roster.to_csv()


@pytest.mark.parametrize("header", ["name", "full_name", "Họ tên", "officer_name", "CCCD"])
def test_personal_columns_are_dropped(header):
    raw = csv_bytes(f"commune_code,{header},role,trained", "03154,Someone,officer,yes")
    rep = validate_roster(raw)
    assert rep.ok
    assert [w.column for w in rep.warnings] == [header]
    assert "Someone" not in rep.roster.to_csv()


def test_per_officer_problems():
    raw = csv_bytes(
        OFFICER_HEADER,
        "03154,chief,,yes,2021-01-01",
        "03154,captain,,yes,2021-01-01",
        "03154,officer,,maybe,2021-01-01",
        "03154,officer,,yes,32/01/2021",
        "03154,,,yes,",
        "03154,trưởng,,yes,",
    )
    rep = validate_roster(raw)
    assert [(p.row, p.column) for p in rep.errors] == [
        (3, "role"), (4, "trained"), (5, "since"), (6, "role"), (7, "role")]
    assert "'captain' is not a role" in rep.errors[0].message
    assert "2 chiefs (rows 2, 7)" in rep.errors[4].message


def test_per_officer_missing_columns():
    rep = validate_roster(csv_bytes("commune_code,role", "03154,officer"))
    p = only_error(rep)
    assert (p.row, p.column) == (1, "trained") and rep.kind == "per-officer"


def test_per_officer_reinforcement_outside_border_is_a_warning():
    raw = csv_bytes(OFFICER_HEADER, "03154,officer,,yes,", "03124,officer,,yes,",
                    "03124,tăng cường,Cục A,yes,")
    rep = validate_roster(raw, border_codes={"03154"})
    assert rep.ok
    [w] = rep.warnings
    assert w.row == 4 and "not a border commune" in w.message


def test_per_officer_huge_commune_is_an_error():
    lines = [OFFICER_HEADER] + ["03154,officer,,no,"] * (MAX_COUNT + 1)
    p = only_error(validate_roster(csv_bytes(*lines)))
    assert "more than 10,000" in p.message and p.row == 2


def test_per_officer_names_resolved_once_per_distinct_pair():
    lines = ["commune_name,district,role,trained"] + [
        "Na Tong,Tuan Giao,officer,yes", "Na Tong,Điện Biên,officer,no"] * 500
    rep = validate_roster(csv_bytes(*lines))
    assert rep.ok
    assert rep.roster.set_index("commune_code")["officers"].to_dict() == {
        "03263": 500, "03365": 500}


# ---------------------------------------------------------------------------
# read_roster, template, report frame.
def test_read_roster_raises_with_every_problem():
    raw = csv_bytes(HEADER, "99999,1,1,3,0,4,2022-01-15", "03154,1,-1,3,0,4,2022-01-15")
    with pytest.raises(RosterError, match=r"bad\.csv rejected: 2 error") as info:
        read_roster(raw, source_name="bad.csv")
    assert [p.row for p in info.value.problems] == [2, 3]


def test_read_roster_returns_frame_and_warns():
    raw = csv_bytes(HEADER + ",colour", "03154,1,1,3,0,4,2022-01-15,x")
    with pytest.warns(UserWarning, match="unknown column"):
        frame = read_roster(raw)
    assert frame["officers"].tolist() == [3]


def test_template_per_commune_lists_every_unit_and_round_trips():
    text = roster_template(vintage="2020")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert len(frame) == 129
    assert frame.loc[0, "commune_code"] == "03124"
    assert (frame[["chiefs", "officers", "as_of"]] == "").all().all()
    assert len(pd.read_csv(io.StringIO(roster_template(unit_types=("Xã",), vintage="2020")))) == 115
    # Filled in, the template validates.
    frame[["chiefs", "deputies", "officers", "reinforcements", "trained"]] = "1"
    frame["as_of"] = "2022-01-15"
    rep = validate_roster(frame.to_csv(index=False).encode("utf-8-sig"))
    assert rep.ok, rep.to_frame().head()
    assert len(rep.roster) == 129
    # Blank, it is rejected (nothing to import) but only with a warning per skipped row.
    blank = validate_roster(text.encode("utf-8"))
    assert [p.message for p in blank.errors] == ["no commune has counts"]


def test_template_per_officer_has_header_and_example_row():
    text = roster_template(per_officer=True, vintage="2020")
    lines = text.splitlines()
    assert lines[0] == "commune_code,commune_name,district,role,origin_unit,trained,since"
    assert len(lines) == 2
    rep = validate_roster(text.encode("utf-8"))
    assert rep.ok and rep.kind == "per-officer"


def test_template_2025_has_no_district():
    text = roster_template(vintage="2025")
    assert text.splitlines()[0].startswith("commune_code,commune_name,chiefs")
    assert len(text.splitlines()) == 46


def test_2025_vintage_codes_and_names():
    units = load_units("2025", province="Điện Biên")
    first = units.iloc[0]
    raw = csv_bytes("commune_name,district," + HEADER.split(",", 1)[1],
                    f"{first['name']},Huyện Cũ,1,1,3,0,4,2025-08-01")
    rep = validate_roster(raw, vintage="2025")
    assert rep.ok, rep.to_frame().to_string()
    assert rep.roster["commune_code"].tolist() == [first["code"]]
    assert [w.column for w in rep.warnings] == ["district"]
    # A 2020 code that no longer exists: the roster is keyed to the 2020 map, and says so.
    rep = validate_roster(csv_bytes(HEADER, "03154,1,1,3,0,4,2025-08-01"), vintage="2025")
    assert "keyed to the 2020 map, not the 2025 map" in only_error(rep).message
    assert "03154 Xã Sín Thầu" in only_error(rep).message and rep.roster is None


def test_problem_str_names_file_row_and_column():
    p = Problem("f.csv", 3, "chiefs", "'x' is not a number")
    assert str(p) == "f.csv, row 3, column 'chiefs': error: 'x' is not a number"


# ---------------------------------------------------------------------------
@pytest.mark.slow  # benchmark-sized input
def test_100k_per_officer_rows_validate():
    """100,000 officers validate and add up (speed: bench/bench_roster.py, not a timed test)."""
    rng = np.random.default_rng(1)
    units = load_units("2020", province="Điện Biên")
    codes = units.loc[units["unit_type"] == "Xã", "code"].to_numpy()
    assert len(codes) == 115
    frame = pd.DataFrame({
        "commune_code": rng.choice(codes, 100_000),
        "role": rng.choice(["Công an viên", "Phó Trưởng Công an xã", "tăng cường"], 100_000),
        "trained": rng.choice(["có", "không"], 100_000),
        "since": "15/03/2021",
    })
    raw = frame.to_csv(index=False).encode("utf-8")
    rep = validate_roster(raw)
    assert rep.ok and rep.roster["officers"].sum() == (frame["role"] == "Công an viên").sum()


# ---------------------------------------------------------------------------
# Robustness review: UTF-32, problem cap, trained > staff, future dates, formulas, notes.
@pytest.mark.parametrize("encode", [
    lambda t: b"\xff\xfe\x00\x00" + t.encode("utf-32-le"),
    lambda t: b"\x00\x00\xfe\xff" + t.encode("utf-32-be"),
], ids=["utf-32-le-bom", "utf-32-be-bom"])
def test_utf32_with_bom_is_decoded_not_read_as_utf16(encode):
    raw = encode("\r\n".join(VI_LINES) + "\r\n")
    rep = validate_roster(raw)
    assert rep.ok, rep.to_frame().to_string()
    assert rep.problems == []
    assert rep.roster["commune_code"].tolist() == VI_CODES


def test_broken_utf32_is_one_clear_problem():
    raw = ("\ufeff" + HEADER + "\n03154,1,1,3,0,4,2022-01-15\n").encode("utf-32-le")
    p = only_error(validate_roster(raw[:-2], source_name="r.csv"))
    assert p.file == "r.csv" and p.row is None
    assert "undecodable UTF-32 text" in p.message and "UTF-8" in p.message
    assert "\x00" not in p.message


def test_problems_are_capped_per_kind_with_one_summary():
    from geo.roster import MAX_PROBLEMS_PER_KIND

    assert MAX_PROBLEMS_PER_KIND == 1000
    good = "03154,1,1,3,0,4,2022-01-15"
    bad_officers = "03155,1,1,x,0,4,2022-01-15"
    # rows 2..3002: 03154 then 3,000 duplicates of it (rows 3..3002); rows 3003..4202:
    # 1,200 bad counts for 03155 (all but the first also duplicates: 4,199 in all)
    rep = validate_roster(csv_bytes(HEADER, *[good] * 3001, *[bad_officers] * 1200),
                          source_name="big.csv")
    assert not rep.ok and rep.roster is None
    dup = [p for p in rep.errors if p.column == "commune_code"]
    assert len(dup) == 1001
    assert [p.row for p in dup[:1000]] == list(range(3, 1003))
    assert dup[0].message == "duplicate commune 03154: also in row 2"
    summary = dup[1000]
    assert (summary.file, summary.row, summary.severity) == ("big.csv", 1003, "error")
    assert summary.message == ("… and 3,199 more problems of this kind (rows 1003–4202); "
                               "only the first 1,000 of each kind are listed")
    # A different check on another column has its own cap.
    officers = [p for p in rep.errors if p.column == "officers"]
    assert len(officers) == 1001
    assert officers[0] == Problem("big.csv", 3003, "officers", "'x' is not a number")
    assert "… and 200 more problems of this kind (rows 4003–4202)" in officers[-1].message
    assert len(rep.problems) == 2002
    assert len(rep.to_frame()) == 2002
    with pytest.raises(RosterError, match=r"big\.csv rejected: 2002 error"):
        read_roster(csv_bytes(HEADER, *[good] * 3001, *[bad_officers] * 1200),
                    source_name="big.csv")


def test_capped_warnings_do_not_reject():
    officer_rows = ["03154,officer,yes,2999-01-01"] * 1500
    rep = validate_roster(csv_bytes("commune_code,role,trained,since", *officer_rows))
    assert rep.ok, rep.to_frame().head().to_string()
    assert len(rep.warnings) == 1001 and not rep.errors
    assert "… and 500 more problems of this kind" in rep.warnings[-1].message
    assert rep.warnings[-1].severity == "warning"


def test_trained_above_staff_is_a_warning_not_an_error():
    rep = validate_roster(csv_bytes(HEADER, "03154,1,1,3,0,9,2022-01-15"))
    assert rep.ok and rep.roster["trained"].tolist() == [9]
    [w] = rep.warnings
    assert (w.row, w.column, w.severity) == (2, "trained", "warning")
    assert w.message == "9 trained but only 5 staff in the commune"


def test_dates_in_the_future_are_warnings():
    today = dt.date.today()
    rep = validate_roster(csv_bytes(HEADER, "03154,1,1,3,0,4,2999-01-01",
                                    "03155,1,1,3,0,4,01/02/2999",
                                    f"03156,1,1,3,0,4,{today.isoformat()}"))
    assert rep.ok
    assert [(w.row, w.column) for w in rep.warnings] == [(2, "as_of"), (3, "as_of")]
    assert rep.warnings[0].message == (f"'2999-01-01' is a date in the future (today is "
                                       f"{today.isoformat()}); check the year")
    assert "'01/02/2999' is a date in the future" in rep.warnings[1].message
    assert rep.roster["as_of"].tolist() == ["2999-01-01", "2999-02-01", today.isoformat()]

    rep = validate_roster(csv_bytes(OFFICER_HEADER, "03154,chief,,yes,2020-05-01",
                                    "03154,officer,,no,2999-01-01"))
    assert rep.ok
    [w] = rep.warnings
    assert (w.row, w.column) == (3, "since") and "date in the future" in w.message


def _with_cached_value(raw: bytes, formula: bytes, value: bytes) -> bytes:
    """Give a formula cell a saved value, as Excel does on saving."""
    import zipfile

    src, out = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                assert b"<f>" + formula + b"</f><v />" in data
                data = data.replace(b"<f>" + formula + b"</f><v />",
                                    b"<f>" + formula + b"</f><v>" + value + b"</v>")
            dst.writestr(info, data)
    return out.getvalue()


def test_xlsx_formula_without_saved_value_says_so():
    raw = xlsx_bytes([
        HEADER.split(","),
        ["03154", 1, 1, "=1+2", "=0", 4, "2022-01-15"],   # reinforcements would be 0 silently
        ["03155", 1, 1, 3, 0, 4, '=DATE(2022,1,15)'],
    ])
    rep = validate_roster(raw, source_name="f.xlsx")
    assert not rep.ok
    assert [(p.row, p.column) for p in rep.errors] == [
        (2, "officers"), (2, "reinforcements"), (3, "as_of")]
    assert rep.errors[0].message == ("formula without a saved value — open and save the "
                                     "file in Excel, or type the number")
    assert rep.errors[2].message.endswith("or type the value")
    assert not any("empty" in p.message for p in rep.problems)
    assert str(rep.errors[0]).startswith("f.xlsx, row 2, column 'officers': error: formula")


def test_xlsx_formula_with_saved_value_is_read_and_row_of_formulas_is_not_skipped():
    raw = xlsx_bytes([HEADER.split(","), ["03154", 1, 1, "=1+2", 0, 4, "2022-01-15"]])
    rep = validate_roster(_with_cached_value(raw, b"1+2", b"3"))
    assert rep.ok and rep.problems == [] and rep.roster["officers"].tolist() == [3]

    raw = xlsx_bytes([HEADER.split(","), ["03154", 1, 1, 3, 0, 4, "2022-01-15"],
                      ['="03155"', "=1", "=1", "=3", "=0", "=4", "=TODAY()"]])
    rep = validate_roster(raw)
    assert rep.n_rows == 2 and not rep.ok
    assert [p.column for p in rep.errors] == HEADER.split(",")
    assert all(p.row == 3 and "formula without a saved value" in p.message
               for p in rep.errors)


@pytest.mark.parametrize("column", ["note", "Note", "notes", "ghi_chu", "Ghi chú"])
def test_note_column_is_accepted_silently(column):
    rep = validate_roster(csv_bytes(HEADER + "," + column,
                                    "03154,1,1,3,0,4,2022-01-15,Sample data — not real."))
    assert rep.ok and rep.problems == []
    assert list(rep.roster.columns) == list(ROSTER_COLUMNS)


def test_sample_roster_has_no_problem():
    from geo.settings import SAMPLE_ROSTER

    rep = validate_roster(SAMPLE_ROSTER)
    assert rep.ok and rep.problems == [], rep.to_frame().to_string()


# ---------------------------------------------------------------------------
# Maps: a roster is keyed to the 2020 or the 2025 map.
def _roster_2025_text() -> str:
    """All 45 units of the 2025 map with made-up counts (from the 2025 template)."""
    lines = roster_template(vintage="2025").splitlines()
    body = [ln.rstrip(",") + ",1,2,5,0,,4,2025-08-01" for ln in lines[1:]]
    return "\n".join([lines[0]] + body) + "\n"


def test_2025_roster_is_detected_and_refused_as_2020():
    raw = _roster_2025_text().encode("utf-8")
    rep = validate_roster(raw)
    assert rep.ok and rep.vintage == "2025" and len(rep.roster) == 45
    rep = validate_roster(raw, vintage="2020")
    assert rep.roster is None
    msg = only_error(rep).message
    assert "keyed to the 2025 map, not the 2020 map" in msg
    assert "Phường Điện Biên Phủ" in msg  # names a unit whose code means another unit in 2020


def test_2020_roster_is_refused_as_2025():
    from geo.settings import SAMPLE_ROSTER

    rep = validate_roster(SAMPLE_ROSTER, vintage="2025")
    assert rep.roster is None
    assert "keyed to the 2020 map, not the 2025 map" in only_error(rep).message


def test_vintage_column_names_the_map():
    raw = csv_bytes("commune_code,vintage," + HEADER.split(",", 1)[1],
                    "03127,2025,1,1,3,0,4,2025-08-01")
    rep = validate_roster(raw)
    assert rep.ok and rep.vintage == "2025"
    rep = validate_roster(raw, vintage="2020")
    assert "the file says it is keyed to the 2025 map" in only_error(rep).message
    rep = validate_roster(csv_bytes("commune_code,vintage," + HEADER.split(",", 1)[1],
                                    "03127,2030,1,1,3,0,4,2025-08-01"))
    assert "'2030' is not a map" in only_error(rep).message


def test_mixed_maps_are_an_error_saying_which():
    # 03154 exists only on the 2020 map; the names beside 03127 are its 2025 name.
    rep = validate_roster(csv_bytes("commune_code,commune_name," + HEADER.split(",", 1)[1],
                                    "03154,Xã Sín Thầu,1,1,3,0,4,2025-08-01",
                                    "03127,Phường Điện Biên Phủ,1,1,3,0,4,2025-08-01"))
    msg = only_error(rep).message
    assert "mixes the two maps" in msg and "2020" in msg and "2025" in msg


def test_cli_imports_a_2025_roster_and_refuses_it_as_2020(tmp_path, monkeypatch, capsys):
    from geo.cli import main
    from geo.stores.rosters import open_store

    monkeypatch.setenv("BORDERMAP_HOME", str(tmp_path / "home"))
    path = tmp_path / "roster_2025.csv"
    path.write_text(_roster_2025_text(), encoding="utf-8")
    assert main(["roster", "import", str(path), "--vintage", "2020"]) == 2
    out = capsys.readouterr().out
    assert "keyed to the 2025 map" in out and "nothing was stored" in out
    store = open_store()
    assert store.history().empty
    assert main(["roster", "import", str(path)]) == 0  # the default map is 2025
    assert "2025 map" in capsys.readouterr().out
    assert main(["roster", "import", str(path)]) == 0
    hist = store.history(vintage="2025")
    assert hist["version"].tolist() == [1, 2] and hist["vintage"].tolist() == ["2025"] * 2
    assert main(["roster", "restore", "1"]) == 0
    current = store.current(province="Điện Biên", vintage="2025")
    assert current.version == 3 and current.restored_from == 1 and len(current.frame) == 45
    assert store.current(province="Điện Biên", vintage="2020") is None
    capsys.readouterr()
    assert main(["roster", "history", "--vintage", "2020"]) == 0
    assert "no roster imported" in capsys.readouterr().err
