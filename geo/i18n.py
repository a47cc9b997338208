"""User-interface strings in Vietnamese (the default) and English.

Every label the app, the maps and the exported tables show comes from
:data:`STRINGS`, so a translation is changed in one place. Place names are never
translated: they keep their Vietnamese diacritics in both languages.

Examples
--------
>>> t("nav_map", "vi")
'Bản đồ lực lượng'
>>> t("published", "en", value=115)
'published: 115'
"""

from __future__ import annotations

from geo.i18n_localize import (column_labels, header_label, is_known,  # noqa: F401
                               localize, message)
from geo.i18n_strings import STRINGS  # noqa: F401 (the catalogue; re-exported)
from geo.reference import LANGUAGES

#: Map metric labels: key → (Vietnamese, English).
METRIC_LABELS: dict[str, tuple[str, str]] = {
    "total_police": ("Tổng số công an", "Total police"),
    "police_per_100km2": ("Công an / 100 km²", "Police per 100 km²"),
    "staffing_gap": ("Thiếu biên chế (số vị trí)", "Staffing gap (missing posts)"),
    "reinforcements": ("Tăng cường", "Reinforcements"),
    "border_km": ("Chiều dài biên giới (km)", "Border length (km)"),
}

#: Supported languages (:data:`geo.reference.LANGUAGES`); the first is the default.
DEFAULT_LANGUAGE = LANGUAGES[0]

#: Language names, shown in the language switch in their own language.
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}



def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """Return the UI string ``key`` in ``lang``, with ``{placeholders}`` filled.

    Parameters
    ----------
    key : str
        A key of :data:`STRINGS`.
    lang : {"vi", "en"}
        Language; unknown languages fall back to Vietnamese.
    **values
        Values for the string's placeholders.

    Returns
    -------
    str

    Raises
    ------
    KeyError
        If ``key`` is not a known string (a programming error, not a user one).
    """
    vi, en = STRINGS[key]
    text = en if lang == "en" else vi
    return text.format(**values) if values else text


def metric_label(metric: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return the label of a map metric (a key of :data:`METRIC_LABELS`)."""
    vi, en = METRIC_LABELS[metric]
    return en if lang == "en" else vi


def country_label(iso3: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return a neighbouring country's name (``"LAO"`` → ``"Lào"`` / ``"Laos"``)."""
    key = f"country_{iso3}"
    return t(key, lang) if key in STRINGS else iso3


def belt_label(belt: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return the label of a border belt (``border``, ``second-line``, ``interior``)."""
    key = f"belt_{belt}"
    return t(key, lang) if key in STRINGS else belt
