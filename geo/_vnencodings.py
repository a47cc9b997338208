"""Legacy 8-bit Vietnamese encodings (TCVN3/ABC, VNI Windows): detect them and convert to Unicode.

Many attribute tables from Vietnamese agencies were typed with the legacy font
encodings of the 1990s–2000s instead of Unicode:

* **TCVN3** (TCVN 5712:1993, the "ABC" charset of the ``.VnTime`` fonts): one byte
  per letter. "Điện Biên" is stored as bytes that read, as cp1252/latin-1,
  ``"§iÖn Biªn"``.
* **VNI Windows** (the ``VNI-Times`` fonts): a base letter followed by one byte that
  carries the vowel mark and/or the tone. "Điện Biên" reads ``"Ñieän Bieân"``.

GDAL and pandas decode such a DBF with its ``.cpg``/code page (cp1252 or latin-1),
so the names come out garbled without any error. This module works on that
garbled ``str`` (cp1252- or latin-1-decoded; the two differ only in bytes
0x80–0x9F, which neither table uses):

* :func:`to_unicode` converts it to NFC Unicode;
* :func:`encode_legacy` does the reverse (for tests and fixture generators);
* :func:`detect_legacy_encoding` tells which encoding a column came from;
* :func:`fix_text_column` detects and converts in one call.

Limits (not hidden, not guessed around)
---------------------------------------
* TCVN3 defines only 7 capital letters with diacritics in the ``.VnTime`` font:
  ``Ă Â Ê Ô Ơ Ư Đ`` (bytes 0xA1–0xA7). The other 60 capitals with a tone mark
  (``À Á Ả Ã Ạ``, ``Ằ … Ặ``, ``Ầ … Ậ``, ``È … Ẹ``, ``Ề … Ệ``, ``Ì … Ị``, ``Ò … Ọ``,
  ``Ồ … Ộ``, ``Ờ … Ợ``, ``Ù … Ụ``, ``Ừ … Ự``, ``Ỳ … Ỵ``) exist only in the separate
  capital fonts (``.VnTimeH``), which draw the *lowercase* codes as capitals. The
  bytes therefore say "ả" where the document showed "Ả": :func:`to_unicode` returns
  "Mường ảng" for a file that displayed "Mường Ảng". Two documented remedies:
  a value visibly typed in capitals is upper-cased (``restore_caps`` of
  :func:`to_unicode`), and :func:`fix_text_column` takes the capitals of
  a matching known name. :func:`encode_legacy` refuses such capitals unless told to
  write the lowercase code (``errors="lowercase"``).
* TCVN3 stores "ư" as byte 0xAD, the soft hyphen in cp1252/latin-1. Tools that
  drop soft hyphens turn "M\\xadêng" (Mường) into "Mêng" (Mờng); that loss cannot
  be undone here.
* TCVN 5712's other variants (VN1/VN2, which put the remaining capitals in control
  codes, 0x80–0x9F and the bytes VN3 leaves free) and VNI for DOS/Mac are not
  handled; bytes that TCVN3 (VN3) leaves unused pass through unchanged.
* Characters above U+00FF (other than the cp1252 punctuation of 0x80–0x9F) cannot
  come from a cp1252 reading of legacy bytes: :func:`to_unicode` keeps them as they
  are, and :func:`fix_text_column` leaves a value holding Vietnamese letters above
  U+00FF untouched.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import warnings
from collections.abc import Iterable, Sequence

from geo._errors import BorderMapError
from geo._text import fold, fold_unit
from geo._vnencodings_tables import (
    _BASE_VOWELS,
    _C1_TRANSLATE,
    _GRAVE,
    _HOOK,
    _TCVN3_CAPS_CODES,
    _TCVN3_TRANSLATE,
    _TELLTALE,
    _TILDE,
    _TONES,
    _USED_CHARS,
    _VNI_DECODE,
    _VNI_PATTERN,
    LEGACY_ENCODINGS,
    LOWER_LETTERS,
    TCVN3_ENCODE,
    TCVN3_MISSING_CAPITALS,
    UPPER_LETTERS,
    VIETNAMESE_LETTERS,
    VNI_ENCODE,
    _nfc,
)

__all__ = [
    "LEGACY_ENCODINGS",
    "LOWER_LETTERS",
    "TCVN3_ENCODE",
    "TCVN3_MISSING_CAPITALS",
    "UPPER_LETTERS",
    "VIETNAMESE_LETTERS",
    "VNI_ENCODE",
    "detect_legacy_encoding",
    "encode_legacy",
    "fix_text_column",
    "plausible_syllable",
    "to_unicode",
]

log = logging.getLogger(__name__)


def _check_encoding(encoding: str) -> str:
    enc = str(encoding).strip().lower() if isinstance(encoding, str) else encoding
    if enc not in LEGACY_ENCODINGS:
        raise BorderMapError(
            f"encoding must be one of {', '.join(LEGACY_ENCODINGS)}, not {encoding!r}"
        )
    return enc


_WORD_BREAK = re.compile(r"[\s'\u2019\-.,;:/()]+")


def _restore_caps(decoded: str, garbled: str) -> str:
    """Upper-case a TCVN3 value typed in capitals (see :func:`to_unicode`)."""
    if any(ch.isascii() and ch.islower() for ch in garbled):
        return decoded
    for word in _WORD_BREAK.split(garbled):
        if any((ch.isascii() and ch.isupper()) or ch in _TCVN3_CAPS_CODES for ch in word[1:]):
            return decoded.upper()
    return decoded


def to_unicode(text: str, encoding: str, *, restore_caps: bool = True) -> str:
    """Convert legacy-encoded Vietnamese, as read through cp1252 or latin-1, to Unicode.

    Parameters
    ----------
    text : str
        The garbled string as GDAL/pandas give it after decoding the bytes as cp1252
        (or latin-1), e.g. ``"§iÖn Biªn"`` (TCVN3) or ``"Ñieän Bieân"`` (VNI).
    encoding : {"tcvn3", "vni"}
        The legacy encoding the bytes were written in.
    restore_caps : bool, default True
        TCVN3 only: if the value has no lowercase ASCII letter and some word has a
        capital the font can write (ASCII or ``Ă Â Ê Ô Ơ Ư Đ``) after its first
        letter, it was typed in capitals, so the lowercase-coded letters (e.g. "ệ"
        of ``"§IÖN"``) are capitalised too. Otherwise the bytes cannot tell: title
        case such as ``"X· Nµ Hú"`` stays "Xã Nà Hỳ", and ``"§µ"`` (ĐÀ) stays "Đà".
        A short capitalised word in title case can mislead it: ``"X· AL B¸"``
        ("Xã AL Bá") gives "XÃ AL BÁ" (2 of the registry's 9,382 names; pass
        ``restore_caps=False`` where that matters).

    Returns
    -------
    str
        NFC Unicode text. Characters the table does not use are kept as they are
        (a latin-1 reading of 0x80–0x9F is first turned into the cp1252 reading).

    Raises
    ------
    BorderMapError
        If ``encoding`` is not ``"tcvn3"`` or ``"vni"``.

    Examples
    --------
    >>> to_unicode("§iÖn Biªn", "tcvn3")
    'Điện Biên'
    >>> to_unicode("Ñieän Bieân", "vni")
    'Điện Biên'
    """
    enc = _check_encoding(encoding)
    src = str(text).translate(_C1_TRANSLATE)
    if enc == "tcvn3":
        out = src.translate(_TCVN3_TRANSLATE)
        if restore_caps:
            out = _restore_caps(out, src)
    else:
        out = _VNI_PATTERN.sub(lambda m: _VNI_DECODE[m.group(0)], src)
    return _nfc(out)


def encode_legacy(text: str, encoding: str, *, errors: str = "strict") -> str:
    """Write Unicode Vietnamese in a legacy encoding, as a cp1252 reading of its bytes.

    ``encode_legacy(s, enc).encode("cp1252")`` gives the bytes a legacy program
    would have written; :func:`to_unicode` reads them back.

    Parameters
    ----------
    text : str
        Unicode text (any normalisation form; it is NFC-normalised first).
    encoding : {"tcvn3", "vni"}
        The legacy encoding to write.
    errors : {"strict", "lowercase"}, default "strict"
        What to do, in TCVN3, with the 60 capitals that carry a tone mark
        (``À Á Ả Ã Ạ``, ``Ấ``, ``Ệ``, ``Ở``, ``Ự``, ``Ỳ`` …; listed in
        ``TCVN3_MISSING_CAPITALS``). TCVN3 has no code for them in the ``.VnTime``
        font; ``"strict"`` raises, ``"lowercase"`` writes the lowercase code, as ABC
        files made with the ``.VnTimeH`` capital fonts do (it reads back lowercase).
        VNI writes all 134 letters, so this only matters for TCVN3.

    Returns
    -------
    str
        The legacy form, e.g. ``"§iÖn Biªn"`` (TCVN3) or ``"Ñieän Bieân"`` (VNI).

    Raises
    ------
    BorderMapError
        If ``encoding`` or ``errors`` is unknown, or a character cannot be written:
        a TCVN3-missing capital under ``errors="strict"``, a character outside
        cp1252, or a non-Vietnamese character whose byte the encoding uses for a
        Vietnamese letter (e.g. ``"ø"`` in VNI, ``"©"`` in TCVN3).

    Examples
    --------
    >>> encode_legacy("Điện Biên", "tcvn3")
    '§iÖn Biªn'
    >>> encode_legacy("Điện Biên", "vni")
    'Ñieän Bieân'
    """
    enc = _check_encoding(encoding)
    if errors not in ("strict", "lowercase"):
        raise BorderMapError(f"errors must be 'strict' or 'lowercase', not {errors!r}")
    table = TCVN3_ENCODE if enc == "tcvn3" else VNI_ENCODE
    used = _USED_CHARS[enc]
    src = _nfc(str(text))
    out = []
    for pos, ch in enumerate(src):
        if ch in table:
            out.append(table[ch])
            continue
        if enc == "tcvn3" and ch in TCVN3_MISSING_CAPITALS:
            if errors == "lowercase":
                out.append(table[ch.lower()])
                continue
            raise BorderMapError(
                f"TCVN3 has no code for the capital {ch!r} (position {pos} of {text!r}); "
                "pass errors='lowercase' to write the lowercase code as .VnTimeH files do"
            )
        if ch.isascii():
            out.append(ch)
            continue
        try:
            ch.encode("cp1252")
        except UnicodeEncodeError:
            ok = False
        else:
            ok = ch not in used
        if not ok:
            raise BorderMapError(
                f"cannot write {ch!r} (position {pos} of {text!r}) in {enc.upper()}: "
                "it is outside cp1252 or its byte stands for a Vietnamese letter"
            )
        out.append(ch)
    return "".join(out)


# --- plausibility of Vietnamese text -----------------------------------------------------------
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz") | frozenset(LOWER_LETTERS)
_VOWEL_RUN = re.compile(f"[{_BASE_VOWELS}]+")
# Vowel groups of Vietnamese syllables, without tone marks (after "gi"/"qu" lose i/u).
_VOWEL_GROUPS = frozenset(
    """a ai ao au ay ă â âu ây e eo ê êu i ia iu iê iêu o oa oai oay oao oă oe oeo oi oo
    ô ôi ôô ơ ơi u ua uă uâ uây uê ui uô uôi uơ uy uya uyê uyu ư ưa ưi ưu ươ ươi ươu
    y yê yêu""".split()
)
_FINALS = frozenset("c ch k m n ng nh p t h l r".split())  # h l r: ethnic names
_STOPS = frozenset("c ch p t".split())
# Groups that take no final consonant (they end in a glide, or are the open forms ia/ua/ưa
# of iê/uô/ươ) and groups that need one.
_NO_FINAL = (
    frozenset(g for g in _VOWEL_GROUPS if len(g) > 1 and g[-1] in "iyou") - {"oo", "ôô", "uy"}
) | {"ia", "ua", "ưa", "uya"}
_NEEDS_FINAL = frozenset({"iê", "yê", "uô", "ươ", "uyê", "oo", "ôô"})
_SPLIT = re.compile(r"[\s\-,.;:()/\\\"'\[\]&+_0-9\u2018\u2019\u201c\u201d\u2013\u2014]+")


def plausible_syllable(word: str) -> bool:
    """Tell whether ``word`` can be one written Vietnamese syllable.

    The checks: every character is a Latin or Vietnamese letter; at most one tone
    mark; exactly one run of vowels, which is a Vietnamese vowel group (``"ươ"``,
    ``"uyê"``…; the ``i`` of ``gi`` and the ``u`` of ``qu`` count as consonants);
    a final consonant, if any, is one of ``c ch k m n ng nh p t`` (or ``h l r``,
    found in ethnic names such as "Păh", "Kmăl", "Cuôr") and does not follow a
    group that ends in a glide (``"ai"``, ``"ao"``…) or in ``a`` (``"ia"``,
    ``"ưa"``…); ``iê yê uô ươ uyê oo`` need a final; ``c ch p t`` do not take the
    huyền, hỏi or ngã tone. Initial clusters are not checked, so names such as
    "Đắk" or "Krông" pass. About 0.2 % of the words of the registry's commune,
    district and province names fail (ethnic spellings such as "Dliê", "Êê").

    Parameters
    ----------
    word : str
        One word, without spaces.

    Returns
    -------
    bool
        True if the word is plausible.
    """
    low = _nfc(word).lower()
    if not low or any(ch not in _LETTERS for ch in low):
        return False
    decomposed = unicodedata.normalize("NFD", low)
    tones = [ch for ch in decomposed if ch in _TONES]
    if len(tones) > 1:
        return False
    bare = _nfc("".join(ch for ch in decomposed if ch not in _TONES))
    runs = list(_VOWEL_RUN.finditer(bare))
    if len(runs) != 1:
        return False
    start, end = runs[0].span()
    group, final = runs[0].group(0), bare[end:]
    if len(group) > 1 and start > 0 and bare[start - 1] + group[0] in ("gi", "qu"):
        group = group[1:]
    if group not in _VOWEL_GROUPS:
        return False
    if not final:
        return group not in _NEEDS_FINAL
    if final not in _FINALS or group in _NO_FINAL:
        return False
    return not (final in _STOPS and tones and tones[0] in (_GRAVE, _HOOK, _TILDE))


# Vietnamese letters and marks a cp1252/latin-1 reading of legacy bytes cannot produce.
_UNICODE_ONLY = frozenset(ch for ch in VIETNAMESE_LETTERS if ord(ch) > 0xFF) | frozenset(
    (*_TONES, "\u0302", "\u0306", "\u031b")
)


def _tokens(values: Iterable[str]) -> list[str]:
    """Return the words holding non-ASCII characters."""
    words = []
    for value in values:
        for word in _SPLIT.split(value):
            if word and not word.isascii():
                words.append(word)
    return words


def _convert_word(word: str, candidate: str) -> str:
    if candidate == "unicode":
        return _nfc(word.translate(_C1_TRANSLATE))
    return to_unicode(word, candidate, restore_caps=False)


def _clean_values(values: Iterable[object]) -> list[str]:
    out = []
    for value in values:
        if isinstance(value, str) and value.strip():
            out.append(value)
    return out


def _match_known(values: list[str], known: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Count, per reading, the values that match a known name: (after folding, exactly).

    "Exactly" means with the diacritics, ignoring case and a unit type word: the
    lowercase NFC forms are equal or one ends with the other ("lay nưa" and
    "xã lay nưa"). Folding alone cannot separate TCVN3 "Lay Nửa" from VNI "Lay Nưa".
    """
    folded: set[str] = set()
    exact: dict[str, list[str]] = {}
    for name in known:
        if isinstance(name, str) and name.strip():
            low = " ".join(_nfc(name).lower().split())
            for key in {fold(name), fold_unit(name)} - {""}:
                folded.add(key)
                exact.setdefault(key, []).append(low)
    counts = {}
    for candidate in ("unicode", *LEGACY_ENCODINGS):
        n_folded = n_exact = 0
        for value in values:
            text = _convert_word(value, candidate)
            keys = [k for k in (fold(text), fold_unit(text)) if k in folded]
            if not keys:
                continue
            n_folded += 1
            low = " ".join(text.lower().split())
            names = [name for k in keys for name in exact[k]]
            n_exact += any(name.endswith(low) or low.endswith(name) for name in names)
        counts[candidate] = (n_folded, n_exact)
    return counts


_MIN_PLAUSIBLE = 0.6  # share of plausible words the winner needs
_MIN_MARGIN = 0.15  # lead of a legacy winner over every other reading


def _heuristic(values: list[str]) -> tuple[str | None, dict[str, tuple[float, float]]]:
    words = _tokens(values)
    if not words:
        return "unicode", {}
    nonascii = [ch for w in words for ch in w if not ch.isascii()]
    scores: dict[str, tuple[float, float]] = {}
    for candidate in ("unicode", *LEGACY_ENCODINGS):
        converted = [_convert_word(w, candidate) for w in words]
        if candidate != "unicode" and all(c == _nfc(w) for c, w in zip(converted, words)):
            continue  # this reading changes nothing: it is the Unicode reading
        plausible = sum(plausible_syllable(c) for c in converted) / len(words)
        if candidate == "unicode":
            typical = sum(ch in VIETNAMESE_LETTERS for ch in nonascii) / len(nonascii)
        else:
            typical = sum(ch in _TELLTALE[candidate] for ch in nonascii) / len(nonascii)
        scores[candidate] = (plausible, typical)
    uni = scores["unicode"][0]
    legacy = sorted(
        (enc for enc in scores if enc != "unicode"), key=lambda e: scores[e][0], reverse=True
    )
    best = legacy[0] if legacy else None
    best_score = scores[best][0] if best else 0.0
    if uni >= best_score:
        return ("unicode" if uni >= _MIN_PLAUSIBLE else None), scores
    rivals = [uni] + [scores[e][0] for e in legacy[1:]]
    if best_score >= _MIN_PLAUSIBLE and best_score - max(rivals) >= _MIN_MARGIN:
        return best, scores
    return None, scores


def detect_legacy_encoding(
    values: Iterable[str], *, known_names: Iterable[str] | None = None
) -> str | None:
    """Tell whether a text column is Unicode or a cp1252 reading of TCVN3 or VNI.

    Parameters
    ----------
    values : iterable of str
        The column's values as read (non-strings such as None/NaN are ignored).
    known_names : iterable of str, optional
        Names the column should contain (e.g. the registry's "Mường Nhé",
        "Xã Mường Lói"). When given, each reading (as is, TCVN3, VNI) is scored
        by how many values then match a known name after folding
        (:func:`geo._text.fold` or :func:`geo._text.fold_unit`), ties broken by
        how many match with their diacritics; the reading with strictly the best
        score wins (a tie with the Unicode reading goes to it). Without names, or
        if none match, the heuristics below decide.

    Returns
    -------
    str or None
        ``"unicode"`` (already fine, including plain ASCII), ``"tcvn3"``, ``"vni"``,
        or None if the values do not tell (no text, or no reading gives
        plausible Vietnamese).

    Notes
    -----
    Heuristics: each word holding a non-ASCII character is converted with each
    reading and checked with :func:`plausible_syllable` (only letters, at most one
    tone mark, one Vietnamese vowel group). A reading that changes nothing is
    the Unicode reading. The Unicode reading wins ties and needs 60 % plausible
    words; a legacy reading needs 60 % and a lead of 15 points over every other
    reading. The share of characters typical of each encoding (characters that
    are not Vietnamese letters but the encoding uses, e.g. ``§ ª ¶`` for TCVN3,
    ``ø ï ä ñ`` for VNI) is computed and logged but does not decide: TCVN3's table
    covers nearly every byte VNI uses, so the share cannot tell the two apart.

    A single short value is often ambiguous (TCVN3 ``"Pó Xi"`` is also a
    plausible Unicode name; ``"Lay Nöa"`` reads as TCVN3 "Lay Nửa" and as VNI
    "Lay Nưa"); on the registry's names, samples of 5 or more values and whole
    provinces were all detected correctly. Pass ``known_names`` when you can.
    """
    clean = _clean_values(values)
    if not clean:
        log.debug("detect_legacy_encoding: no text values")
        return None
    if all(v.isascii() for v in clean):
        log.debug("detect_legacy_encoding: %d values, all ASCII -> unicode", len(clean))
        return "unicode"
    if known_names is not None:
        counts = _match_known(clean, known_names)
        top = max(counts.values())
        winners = [c for c, n in counts.items() if n == top]
        if top[0] > 0 and ("unicode" in winners or len(winners) == 1):
            found = "unicode" if "unicode" in winners else winners[0]
            log.debug("detect_legacy_encoding: %d values, known-name matches %s -> %s",
                      len(clean), counts, found)
            return found
    found, scores = _heuristic(clean)
    log.debug("detect_legacy_encoding: %d values, scores %s -> %s", len(clean), scores, found)
    return found


def _restore_known_capitals(value: str, known_words: dict[str, str]) -> str:
    """Capitalise words whose capital TCVN3 could not write, from the known names."""
    parts = re.split(r"(\s+)", value)
    for i, word in enumerate(parts):
        if word and word[0] in LOWER_LETTERS and word[0].upper() in TCVN3_MISSING_CAPITALS:
            known = known_words.get(word.lower())
            if known is not None and known[0] == word[0].upper() and known[1:] == word[1:]:
                parts[i] = known
    return "".join(parts)


def fix_text_column(
    values: Sequence[str | None], *, known_names: Iterable[str] | None = None
) -> tuple[list[str | None], str | None]:
    """Detect a column's legacy encoding and convert its values to NFC Unicode.

    Parameters
    ----------
    values : sequence of str
        The column as read (cp1252/latin-1 readings of the bytes). Non-string
        values (None, NaN) are returned as they are.
    known_names : iterable of str, optional
        Names the column should contain; used for detection (see
        :func:`detect_legacy_encoding`) and, for TCVN3, to give back the capitals
        TCVN3 cannot write: in a value that matches a known name after folding,
        a word such as "ảng" becomes "Ảng" when the known name spells it so.

    Returns
    -------
    values : list
        The converted values (for ``"unicode"``: NFC-normalised; when the
        encoding cannot be told: unchanged). A value holding Vietnamese letters
        above U+00FF (e.g. "ư", "ạ") is real Unicode and is only NFC-normalised.
    encoding : str or None
        ``"unicode"``, ``"tcvn3"``, ``"vni"``, or None if it could not be told.

    Warns
    -----
    UserWarning
        If the column holds non-ASCII text whose encoding cannot be told.
    """
    values = list(values)
    known = list(known_names) if known_names is not None else None
    enc = detect_legacy_encoding(values, known_names=known)
    if enc is None:
        if _clean_values(values):
            warnings.warn(
                "could not tell the encoding of a text column (Unicode, TCVN3 or VNI); "
                "its values are kept as read",
                UserWarning,
                stacklevel=2,
            )
        log.info("fix_text_column: %d values, encoding unknown, kept as read", len(values))
        return values, None

    known_words: dict[str, str] = {}
    known_keys: set[str] = set()
    if enc == "tcvn3" and known:
        for name in known:
            if isinstance(name, str):
                known_keys.update({fold(name), fold_unit(name)})
                for word in _nfc(name).split():
                    if word[0] in TCVN3_MISSING_CAPITALS:
                        known_words.setdefault(word.lower(), word)

    out: list[str | None] = []
    changed = 0
    for value in values:
        if not isinstance(value, str):
            out.append(value)
            continue
        if enc == "unicode" or any(ch in _UNICODE_ONLY for ch in value):
            new = _nfc(value)
        else:
            new = to_unicode(value, enc)
            if known_words and (fold(new) in known_keys or fold_unit(new) in known_keys):
                new = _restore_known_capitals(new, known_words)
        changed += new != value
        out.append(new)
    log.info("fix_text_column: %d values, encoding %s, %d changed", len(values), enc, changed)
    return out, enc
