"""Text helpers: fold Vietnamese names for matching, keep diacritics for display."""

from __future__ import annotations

import functools
import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_UNIT_TYPE = re.compile(
    r"^\s*(thành phố|thị xã|thị trấn|tỉnh|huyện|quận|phường|xã|tp\.?)\s+", re.IGNORECASE
)


@functools.lru_cache(maxsize=65536)
def _strip_marks(text: str) -> str:
    # cached: the same unit and province names are folded again on every look-up
    s = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in s if unicodedata.category(ch) != "Mn").lower().strip()


def fold(text: object) -> str:
    """Return ``text`` lower-cased, without diacritics, spaces or punctuation, for matching.

    ``đ``/``Đ`` become ``d``, so ``"Điện Biên"``, ``"dien bien"`` and
    ``"DIEN-BIEN"`` all give ``"dienbien"``.
    """
    if text is None:
        return ""
    return _NON_ALNUM.sub("", _strip_marks(str(text)))


def fold_unit(text: object) -> str:
    """Like :func:`fold`, after dropping a leading unit type word ("Xã ", "Huyện ", "Tỉnh "…).

    The type word is matched with its diacritics, so the commune "Xá Nhè"
    stays ``"xanhe"`` and "Xã Xá Nhè" becomes ``"xanhe"`` too.
    """
    if text is None:
        return ""
    nfc = unicodedata.normalize("NFC", str(text))
    return _NON_ALNUM.sub("", _strip_marks(_UNIT_TYPE.sub("", nfc, count=1)))
