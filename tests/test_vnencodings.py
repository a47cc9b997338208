"""Tests for geo._vnencodings: TCVN3/VNI tables, conversion, detection and column fixing."""

from __future__ import annotations

import logging
import unicodedata

import pytest

from geo import registry
from geo._errors import BorderMapError
from geo._vnencodings import (
    LOWER_LETTERS,
    TCVN3_ENCODE,
    TCVN3_MISSING_CAPITALS,
    UPPER_LETTERS,
    VIETNAMESE_LETTERS,
    VNI_ENCODE,
    detect_legacy_encoding,
    encode_legacy,
    fix_text_column,
    plausible_syllable,
    to_unicode,
)

ENCODINGS = ("tcvn3", "vni")

# Real place names of Điện Biên province.
PLACE_NAMES = [
    "Điện Biên Phủ",
    "Mường Nhé",
    "Sín Thầu",
    "Chung Chải",
    "Nậm Pồ",
    "Mường Chà",
    "Tủa Chùa",
    "Tuần Giáo",
    "Mường Ảng",
    "Điện Biên Đông",
    "Xã Mường Lói",
    "Huổi Puốc",
    "Tây Trang",
    "Phường Him Lam",
]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# --- tables ----------------------------------------------------------------------------------


def test_letter_inventory_is_the_134_vietnamese_letters():
    assert len(LOWER_LETTERS) == 67
    assert len(VIETNAMESE_LETTERS) == len(set(VIETNAMESE_LETTERS)) == 134
    assert all(len(ch) == 1 and unicodedata.is_normalized("NFC", ch) for ch in VIETNAMESE_LETTERS)
    assert {"đ", "ă", "ơ", "ư", "ỵ", "ặ", "ự"} <= set(LOWER_LETTERS)
    assert not any(ch.isascii() for ch in VIETNAMESE_LETTERS)


def test_tcvn3_has_the_lowercase_set_and_seven_capitals():
    assert set(LOWER_LETTERS) <= set(TCVN3_ENCODE)
    capitals = set(TCVN3_ENCODE) & set(UPPER_LETTERS)
    assert capitals == set("ĂÂÊÔƠƯĐ")
    assert len(TCVN3_MISSING_CAPITALS) == 60
    assert {"Ả", "À", "Ấ", "Ệ", "Ở", "Ự", "Ỵ"} <= set(TCVN3_MISSING_CAPITALS)


def test_tcvn3_codes_are_distinct_single_bytes_at_the_standard_positions():
    raw = {letter: code.encode("cp1252") for letter, code in TCVN3_ENCODE.items()}
    assert all(len(b) == 1 and 0xA1 <= b[0] <= 0xFE for b in raw.values())
    assert len(set(raw.values())) == 74
    # Positions of TCVN 5712:1993 (VN3), cross-checked with public converter tables.
    expected = {
        "Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7,
        "ă": 0xA8, "â": 0xA9, "ê": 0xAA, "ô": 0xAB, "ơ": 0xAC, "ư": 0xAD, "đ": 0xAE,
        "à": 0xB5, "ả": 0xB6, "ã": 0xB7, "á": 0xB8, "ạ": 0xB9, "ắ": 0xBE, "ặ": 0xC6,
        "ậ": 0xCB, "é": 0xD0, "ệ": 0xD6, "ĩ": 0xDC, "ị": 0xDE, "ộ": 0xE9, "ợ": 0xEE,
        "ủ": 0xF1, "ự": 0xF9, "ỳ": 0xFA, "ỵ": 0xFE,
    }  # fmt: skip
    assert {letter: raw[letter][0] for letter in expected} == expected


def test_vni_forms():
    assert all(1 <= len(code) <= 2 for code in VNI_ENCODE.values())
    assert all(code.encode("cp1252") for code in VNI_ENCODE.values())
    assert len(set(VNI_ENCODE.values())) == 134
    spots = {
        "ơ": "ô", "ư": "ö", "đ": "ñ", "Đ": "Ñ", "ỵ": "î", "ĩ": "ó", "ỉ": "æ", "ị": "ò",
        "â": "aâ", "ă": "aê", "ấ": "aá", "ặ": "aë", "ẳ": "aú", "ờ": "ôø", "ữ": "öõ",
        "Ự": "ÖÏ", "Ẩ": "AÅ", "ỳ": "yø",
    }  # fmt: skip
    assert {letter: VNI_ENCODE[letter] for letter in spots} == spots


def test_tcvn3_round_trip_of_every_letter_it_defines():
    letters = [ch for ch in VIETNAMESE_LETTERS if ch not in TCVN3_MISSING_CAPITALS]
    assert len(letters) == 74
    back = {ch: to_unicode(encode_legacy(ch, "tcvn3"), "tcvn3") for ch in letters}
    assert back == {ch: ch for ch in letters}


def test_tcvn3_missing_capitals_are_refused_or_written_lowercase():
    for ch in TCVN3_MISSING_CAPITALS:
        with pytest.raises(BorderMapError, match="TCVN3 has no code for the capital"):
            encode_legacy(ch, "tcvn3")
        written = encode_legacy(ch, "tcvn3", errors="lowercase")
        assert written == TCVN3_ENCODE[ch.lower()]
        assert to_unicode(written, "tcvn3") == ch.lower()


def test_vni_round_trip_of_all_134_letters():
    back = {ch: to_unicode(encode_legacy(ch, "vni"), "vni") for ch in VIETNAMESE_LETTERS}
    assert back == {ch: ch for ch in VIETNAMESE_LETTERS}


def test_vni_mark_case_follows_the_base_letter():
    assert to_unicode("AÙ", "vni") == "Á"
    assert to_unicode("Aù", "vni") == "Á"
    assert to_unicode("aÙ", "vni") == "á"
    assert to_unicode("MÖÔØNG NHEÙ", "vni") == "MƯỜNG NHÉ"


# --- conversion --------------------------------------------------------------------------------


def test_published_garbled_forms():
    assert encode_legacy("Điện Biên", "tcvn3") == "§iÖn Biªn"
    assert encode_legacy("Điện Biên", "vni") == "Ñieän Bieân"
    assert encode_legacy("Xin chào các bạn", "vni") == "Xin chaøo caùc baïn"
    assert encode_legacy("Bảo Thắng", "tcvn3") == "B¶o Th¾ng"
    assert encode_legacy("Mường", "tcvn3") == "M\xadêng"
    assert to_unicode("§iÖn Biªn", "tcvn3") == "Điện Biên"
    assert to_unicode("Ñieän Bieân", "vni") == "Điện Biên"
    assert to_unicode("B¶o Th¾ng", "tcvn3") == "Bảo Thắng"


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_place_names_round_trip(encoding):
    names = [n for n in PLACE_NAMES if encoding == "vni" or not set(n) & set(TCVN3_MISSING_CAPITALS)]
    if encoding == "tcvn3":
        assert sorted(set(PLACE_NAMES) - set(names)) == ["Mường Ảng"]
    for name in names:
        garbled = encode_legacy(name, encoding)
        assert garbled != name
        assert to_unicode(garbled, encoding) == name


def test_tcvn3_name_with_a_missing_capital():
    with pytest.raises(BorderMapError, match=r"capital 'Ả' \(position 6 of 'Mường Ảng'\)"):
        encode_legacy("Mường Ảng", "tcvn3")
    garbled = encode_legacy("Mường Ảng", "tcvn3", errors="lowercase")
    assert garbled == "M\xadêng ¶ng"
    assert to_unicode(garbled, "tcvn3") == "Mường ảng"


@pytest.mark.parametrize(
    ("encoding", "raw"),
    [("tcvn3", b"\xa7i\xd6n Bi\xaan Ph\xf1"), ("vni", b"\xd1ie\xe4n Bie\xe2n Phu\xfb")],
)
def test_bytes_route(encoding, raw):
    # The bytes a legacy program writes, read back the way GDAL/pandas read a cp1252 DBF.
    assert encode_legacy("Điện Biên Phủ", encoding).encode("cp1252") == raw
    for name in PLACE_NAMES:
        data = encode_legacy(name, encoding, errors="lowercase").encode("cp1252")
        expected = name if encoding == "vni" else name.replace("Ả", "ả")
        assert to_unicode(data.decode("cp1252"), encoding) == expected
        assert to_unicode(data.decode("latin-1"), encoding) == expected


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_latin1_reading_of_bytes_80_9f_gives_the_cp1252_characters(encoding):
    name = "Nậm Pồ – Mường Nhé"
    data = encode_legacy(name, encoding).encode("cp1252")
    assert "\x96" in data.decode("latin-1")
    assert to_unicode(data.decode("latin-1"), encoding) == name


def test_output_is_nfc_and_input_normalisation_does_not_matter():
    nfd = unicodedata.normalize("NFD", "Điện Biên Đông")
    for encoding in ENCODINGS:
        garbled = encode_legacy(nfd, encoding)
        assert garbled == encode_legacy("Điện Biên Đông", encoding)
        out = to_unicode(garbled, encoding)
        assert unicodedata.is_normalized("NFC", out) and out == "Điện Biên Đông"


def test_tcvn3_text_typed_in_capitals():
    assert to_unicode("§IÖN BIªN PHñ", "tcvn3") == "ĐIỆN BIÊN PHỦ"
    assert to_unicode("§IÖN BIªN PHñ", "tcvn3", restore_caps=False) == "ĐIệN BIêN PHủ"
    caps = "XÃ MƯỜNG ẢNG"
    assert to_unicode(encode_legacy(caps, "tcvn3", errors="lowercase"), "tcvn3") == caps
    # Title case with one-letter words after the capital stays title case ...
    assert to_unicode(encode_legacy("Xã Nà Hỳ", "tcvn3"), "tcvn3") == "Xã Nà Hỳ"
    assert to_unicode(encode_legacy("Xã B'Lá", "tcvn3"), "tcvn3") == "Xã B'Lá"
    # ... and so, a documented limit, do capitals the bytes cannot tell from it.
    assert to_unicode("§µ", "tcvn3") == "Đà"
    assert to_unicode("TP §iÖn Biªn", "tcvn3") == "TP Điện Biên"


def test_bad_arguments_are_refused():
    with pytest.raises(BorderMapError, match="encoding must be one of tcvn3, vni, not 'viscii'"):
        to_unicode("x", "viscii")
    with pytest.raises(BorderMapError, match="encoding must be one of"):
        encode_legacy("x", "utf-8")
    with pytest.raises(BorderMapError, match="errors must be 'strict' or 'lowercase', not 'ignore'"):
        encode_legacy("x", "vni", errors="ignore")
    assert to_unicode("Ñieän", " VNI ") == "Điện"


def test_characters_the_encoding_cannot_write_are_refused():
    with pytest.raises(BorderMapError, match=r"cannot write 'ø' \(position 1 of 'Søren'\) in VNI"):
        encode_legacy("Søren", "vni")
    with pytest.raises(BorderMapError, match="cannot write '©'.* in TCVN3"):
        encode_legacy("© Sở TN&MT", "tcvn3")
    for encoding in ENCODINGS:
        with pytest.raises(BorderMapError, match="cannot write '中'"):
            encode_legacy("Điện Biên 中", encoding)
    # Punctuation whose byte no table uses is kept.
    assert encode_legacy("Nậm Pồ – 2020", "tcvn3") == "NËm P\xe5 – 2020"


# --- plausibility and detection ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "ok"),
    [
        ("Mường", True), ("Nguyễn", True), ("Quỳnh", True), ("giữa", True), ("Đắk", True),
        ("Huổi", True), ("Puốc", True), ("Noong", True), ("khuya", True),
        ("§iÖn", False),  # symbols
        ("Dũch", False),  # ngã tone on a stop final
        ("Naọm", False),  # glide group before a final
        ("Mỹller", False),  # two vowel runs
        ("Hòá", False),  # two tone marks
        ("Bieân", False),  # "ieâ" is no vowel group
        ("Coõ", False),  # "oo" needs a final
    ],
)  # fmt: skip
def test_plausible_syllable(word, ok):
    assert plausible_syllable(word) is ok


def test_ascii_and_correct_unicode_are_unicode():
    assert detect_legacy_encoding(["Noong Bua", "Him Lam", "Pa Ham"]) == "unicode"
    assert detect_legacy_encoding(PLACE_NAMES) == "unicode"
    assert detect_legacy_encoding(PLACE_NAMES, known_names=PLACE_NAMES) == "unicode"


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_detect_without_known_names(encoding):
    values = [encode_legacy(n, encoding, errors="lowercase") for n in PLACE_NAMES]
    assert detect_legacy_encoding(values) == encoding
    assert detect_legacy_encoding(iter(values[:5])) == encoding


def test_known_names_decide_what_the_heuristics_cannot():
    # VNI "Lay Nöa" reads as TCVN3 "Lay Nửa" and as VNI "Lay Nưa": both plausible.
    assert detect_legacy_encoding(["Lay Nöa"]) is None
    assert detect_legacy_encoding(["Lay Nöa"], known_names=["Xã Lay Nưa"]) == "vni"
    # TCVN3 "Pó Xi" is also a plausible Unicode name; the registry says "Pú Xi".
    assert detect_legacy_encoding(["Pó Xi"]) == "unicode"
    assert detect_legacy_encoding(["Pó Xi"], known_names=["Xã Pú Xi", "Xã Pú Nhung"]) == "tcvn3"


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_known_names_that_match_nothing_fall_back_to_heuristics(encoding):
    values = [encode_legacy(n, encoding, errors="lowercase") for n in PLACE_NAMES]
    assert detect_legacy_encoding(values, known_names=["Hà Nội", "Huế"]) == encoding


def test_detect_cannot_tell():
    assert detect_legacy_encoding([]) is None
    assert detect_legacy_encoding([None, float("nan"), "  "]) is None
    assert detect_legacy_encoding(["Müller", "Größe", "Straße"]) is None


# --- fix_text_column -----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_fix_text_column(encoding):
    nan = float("nan")
    column = [encode_legacy(n, encoding, errors="lowercase") for n in PLACE_NAMES] + [None, nan]
    fixed, found = fix_text_column(column)
    assert found == encoding
    expected = PLACE_NAMES if encoding == "vni" else [n.replace("Ả", "ả") for n in PLACE_NAMES]
    assert fixed[:-2] == expected
    assert fixed[-2] is None and fixed[-1] is nan


def test_fix_text_column_gives_back_tcvn3_capitals_from_known_names():
    names = ["Thị trấn Mường Ảng", "Xã Ẳng Tở", "Xã Ẳng Nưa", "Xã Mường Nhé"]
    column = [encode_legacy(n, "tcvn3", errors="lowercase") for n in names]
    fixed, found = fix_text_column(column)
    assert (found, fixed) == ("tcvn3", ["Thị trấn Mường ảng", "Xã ẳng Tở", "Xã ẳng Nưa",
                                        "Xã Mường Nhé"])
    fixed, found = fix_text_column(column, known_names=["Mường Ảng", "Ẳng Tở", "Ẳng Nưa"])
    assert (found, fixed) == ("tcvn3", names)


def test_fix_text_column_keeps_unicode_values_and_normalises_them():
    nfd = [unicodedata.normalize("NFD", n) for n in PLACE_NAMES]
    fixed, found = fix_text_column(nfd)
    assert found == "unicode"
    assert fixed == PLACE_NAMES


def test_fix_text_column_leaves_real_unicode_values_in_a_legacy_column():
    column = [encode_legacy(n, "tcvn3", errors="lowercase") for n in PLACE_NAMES] + ["Sín Chải"]
    fixed, found = fix_text_column(column)
    assert found == "tcvn3"
    assert fixed[-1] == "Sín Chải"  # "í" would be "ớ" if read as TCVN3


def test_fix_text_column_warns_when_it_cannot_tell():
    column = ["Müller", "Größe"]
    with pytest.warns(UserWarning, match="could not tell the encoding"):
        fixed, found = fix_text_column(column)
    assert (fixed, found) == (column, None)


def test_fix_text_column_logs_one_line(caplog):
    column = [encode_legacy(n, "vni") for n in PLACE_NAMES]
    with caplog.at_level(logging.INFO, logger="geo._vnencodings"):
        fix_text_column(column)
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert lines == ["fix_text_column: 14 values, encoding vni, 14 changed"]


# --- the registry's names of Điện Biên (embedded data) -------------------------------------------


@pytest.fixture(scope="module")
def dien_bien_names() -> list[str]:
    names = set(registry.load_units("2020", province="11")["name"])
    names |= set(registry.load_units("2025", province="11")["name"])
    return sorted(names)


def test_registry_names_round_trip_and_detection(dien_bien_names):
    assert len(dien_bien_names) > 129
    vni = [encode_legacy(n, "vni") for n in dien_bien_names]
    assert [to_unicode(v, "vni") for v in vni] == dien_bien_names
    assert detect_legacy_encoding(vni) == "vni"
    assert fix_text_column(vni, known_names=dien_bien_names) == (dien_bien_names, "vni")

    tcvn3 = [encode_legacy(n, "tcvn3", errors="lowercase") for n in dien_bien_names]
    assert detect_legacy_encoding(tcvn3) == "tcvn3"
    plain, _ = fix_text_column(tcvn3)
    lost = [n for n, p in zip(dien_bien_names, plain) if n != p]
    assert lost and all(set(n) & set(TCVN3_MISSING_CAPITALS) for n in lost)
    assert [p.lower() for p in plain] == [n.lower() for n in dien_bien_names]
    assert fix_text_column(tcvn3, known_names=dien_bien_names) == (dien_bien_names, "tcvn3")
