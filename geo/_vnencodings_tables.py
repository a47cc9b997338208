"""The tables of the legacy 8-bit Vietnamese encodings (TCVN3/ABC, VNI Windows).

Data for :mod:`geo._vnencodings` (conversion and detection live there): the 134 letters
with diacritics, the TCVN3 byte table, the VNI letter/mark table, their inverse tables
and the characters each encoding uses.
"""

from __future__ import annotations

import re
import unicodedata

#: The legacy encodings this module converts.
LEGACY_ENCODINGS: tuple[str, ...] = ("tcvn3", "vni")

# Tone marks in the order huyền, sắc, hỏi, ngã, nặng (grave, acute, hook, tilde, dot below).
_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_TONES: tuple[str, ...] = (_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT)
_BASE_VOWELS = "aăâeêioôơuưy"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _build_letters() -> tuple[str, ...]:
    """Return the 67 lowercase Vietnamese letters with diacritics (66 vowels + đ)."""
    letters = []
    for base in _BASE_VOWELS:
        for tone in ("", *_TONES):
            letter = _nfc(base + tone)
            if not letter.isascii():
                letters.append(letter)
    letters.append("đ")
    return tuple(letters)


#: The 67 lowercase letters with diacritics; with their capitals, the 134 letters.
LOWER_LETTERS: tuple[str, ...] = _build_letters()
UPPER_LETTERS: tuple[str, ...] = tuple(ch.upper() for ch in LOWER_LETTERS)
VIETNAMESE_LETTERS: tuple[str, ...] = LOWER_LETTERS + UPPER_LETTERS

# --- TCVN3 (TCVN 5712:1993 VN3, "ABC") -----------------------------------------------------
# Byte -> letter. Within a vowel the tones run huyền, hỏi, ngã, sắc, nặng. Bytes 0xAF,
# 0xB0-0xB4, 0xBA, 0xBF, 0xC0-0xC5, 0xCD, 0xD9-0xDB, 0xE0, 0xF0 and 0xFF are unused by VN3.
_TCVN3_BYTES: dict[int, str] = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}  # fmt: skip


def _cp1252_char(byte: int) -> str:
    return bytes([byte]).decode("cp1252")


#: Unicode letter -> the cp1252 character of its TCVN3 byte.
TCVN3_ENCODE: dict[str, str] = {letter: _cp1252_char(b) for b, letter in _TCVN3_BYTES.items()}
_TCVN3_DECODE: dict[str, str] = {code: letter for letter, code in TCVN3_ENCODE.items()}
_TCVN3_TRANSLATE = str.maketrans(_TCVN3_DECODE)
#: Capitals TCVN3 cannot write in the same font (see the module docstring): 60 letters.
TCVN3_MISSING_CAPITALS: tuple[str, ...] = tuple(
    ch for ch in UPPER_LETTERS if ch not in TCVN3_ENCODE
)
_TCVN3_CAPS_CODES = frozenset(TCVN3_ENCODE[ch] for ch in UPPER_LETTERS if ch in TCVN3_ENCODE)

# --- VNI Windows ---------------------------------------------------------------------------
# A base letter plus one byte for the tone, the circumflex + tone, or the breve + tone.
_VNI_TONE = {_GRAVE: "ø", _ACUTE: "ù", _HOOK: "û", _TILDE: "õ", _DOT: "ï"}
_VNI_CIRCUMFLEX = {"": "â", _GRAVE: "à", _ACUTE: "á", _HOOK: "å", _TILDE: "ã", _DOT: "ä"}
_VNI_BREVE = {"": "ê", _GRAVE: "è", _ACUTE: "é", _HOOK: "ú", _TILDE: "ü", _DOT: "ë"}
# Letters VNI writes with a single byte.
_VNI_SINGLE = {
    "ơ": "ô", "ư": "ö", "đ": "ñ",
    "ì": "ì", "í": "í", "ỉ": "æ", "ĩ": "ó", "ị": "ò",
    "ỵ": "î",
}  # fmt: skip


def _build_vni() -> dict[str, str]:
    table: dict[str, str] = dict(_VNI_SINGLE)
    for tone, mark in _VNI_TONE.items():
        for base in "aeouy":
            table.setdefault(_nfc(base + tone), base + mark)
        table[_nfc("o\u031b" + tone)] = "ô" + mark  # ờ ớ ở ỡ ợ
        table[_nfc("u\u031b" + tone)] = "ö" + mark  # ừ ứ ử ữ ự
    for tone, mark in _VNI_CIRCUMFLEX.items():
        for base in "aeo":
            table[_nfc(base + "\u0302" + tone)] = base + mark
    for tone, mark in _VNI_BREVE.items():
        table[_nfc("a\u0306" + tone)] = "a" + mark
    table.update({letter.upper(): code.upper() for letter, code in list(table.items())})
    return table


#: Unicode letter -> its VNI form read as cp1252 (one or two characters).
VNI_ENCODE: dict[str, str] = _build_vni()


def _build_vni_decode() -> dict[str, str]:
    decode = {code: letter for letter, code in VNI_ENCODE.items()}
    # Files mix the case of the mark byte; the base letter decides the case.
    for code, letter in list(decode.items()):
        if len(code) == 2:
            for variant in (code[0] + code[1].lower(), code[0] + code[1].upper()):
                decode.setdefault(variant, letter)
    return decode


_VNI_DECODE: dict[str, str] = _build_vni_decode()
_VNI_PATTERN = re.compile(
    "|".join(re.escape(code) for code in sorted(_VNI_DECODE, key=len, reverse=True))
)

_USED_CHARS: dict[str, frozenset[str]] = {
    "tcvn3": frozenset(_TCVN3_DECODE),
    "vni": frozenset(ch for code in VNI_ENCODE.values() for ch in code if not ch.isascii()),
}
# Characters of each table that are not Vietnamese letters themselves: "typical" of that
# legacy encoding when they turn up in a column.
_TELLTALE: dict[str, frozenset[str]] = {
    enc: chars - set(VIETNAMESE_LETTERS) for enc, chars in _USED_CHARS.items()
}


def _c1_to_cp1252() -> dict[int, str]:
    """Map U+0080–U+009F (a latin-1 reading of bytes 0x80–0x9F) to the cp1252 reading."""
    table = {}
    for byte in range(0x80, 0xA0):
        try:
            table[byte] = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined in cp1252
            continue
    return table


_C1_TRANSLATE = _c1_to_cp1252()
_CP1252_SPECIALS = frozenset(_C1_TRANSLATE.values())
