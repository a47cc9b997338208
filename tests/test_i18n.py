"""Tests for geo.i18n: every string in both languages, the same placeholders, no domain imports."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from geo import i18n
from geo.i18n import STRINGS, t

ALLOWED_IMPORTS = {"__future__", "geo.reference", "geo.i18n_messages", "geo.i18n_localize",
                   "geo.i18n_national", "geo.i18n_strings"}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_key_has_a_vietnamese_and_an_english_text(key):
    pair = STRINGS[key]
    assert isinstance(pair, tuple) and len(pair) == 2, key
    vi, en = pair
    assert isinstance(vi, str) and vi.strip(), f"{key}: no Vietnamese text"
    assert isinstance(en, str) and en.strip(), f"{key}: no English text"


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_placeholders_are_the_same_in_both_languages(key):
    vi, en = STRINGS[key]
    assert _fields(vi) == _fields(en), key


def test_the_two_languages_differ_somewhere():
    """A table whose English column repeats the Vietnamese would pass the tests above."""
    same = [k for k, (vi, en) in STRINGS.items() if vi == en]
    assert len(same) < len(STRINGS) / 10, same


def test_t_fills_placeholders_in_each_language():
    assert t("published", "vi", value=115) == "công bố: 115"
    assert t("published", "en", value=115) == "published: 115"
    assert t("roster_version", "en", version=3, as_of="2024-06-30") == \
        "Roster: version 3 (as of 2024-06-30)"
    assert t("stored", "vi", version=2) == "Đã lưu phiên bản 2."


def test_t_defaults_to_vietnamese_and_unknown_languages_fall_back_to_it():
    assert i18n.DEFAULT_LANGUAGE == "vi" == i18n.LANGUAGES[0]
    assert t("nav_map") == "Bản đồ lực lượng"
    assert t("nav_map", "fr") == t("nav_map", "vi")
    assert t("nav_map", "en") == "Coverage map"


def test_every_placeholder_can_be_filled():
    for key, (vi, en) in STRINGS.items():
        values = {name: "X" for name in _fields(vi)}
        for lang in i18n.LANGUAGES:
            text = t(key, lang, **values)
            assert "{" not in text.replace("{{", "") or not values, (key, lang, text)


def test_unknown_key_raises():
    with pytest.raises(KeyError, match="no_such_key"):
        t("no_such_key", "en")


def test_missing_placeholder_value_raises():
    with pytest.raises(KeyError, match="value"):
        t("published", "en", other=1)


def test_labels_for_metrics_countries_and_belts():
    assert i18n.metric_label("total_police", "en") == "Total police"
    assert i18n.metric_label("total_police", "vi") == "Tổng số công an"
    assert i18n.country_label("LAO", "vi") == "Lào"
    assert i18n.country_label("CHN", "en") == "China"
    assert i18n.country_label("XYZ", "en") == "XYZ"  # unknown codes are shown as they are
    assert i18n.belt_label("second-line", "en") == "Second line"
    assert i18n.belt_label("elsewhere", "vi") == "elsewhere"


def test_every_metric_has_a_label_in_both_languages():
    from geo.reference import METRIC_KEYS

    assert set(i18n.METRIC_LABELS) == set(METRIC_KEYS)
    for vi, en in i18n.METRIC_LABELS.values():
        assert vi.strip() and en.strip() and vi != en


def _imports(module) -> set[str]:
    """Every module name a module's source imports (relative ones with their dots)."""
    imported = set()
    for node in ast.walk(ast.parse(Path(module.__file__).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add("." * node.level + (node.module or ""))
    return imported


def test_i18n_imports_nothing_from_the_domain():
    imported = _imports(i18n)
    geo_imports = {name for name in imported if name.startswith(("geo", "."))}
    assert geo_imports <= ALLOWED_IMPORTS, geo_imports - ALLOWED_IMPORTS
    assert not {name.split(".")[0] for name in imported} & {"streamlit", "pandas",
                                                            "geopandas", "folium"}


def test_the_message_catalogue_imports_nothing_from_the_domain():
    """The catalogue modules import only each other and the reference figures."""
    from geo import i18n_localize, i18n_messages, i18n_national, i18n_strings

    allowed = {"geo.i18n_strings", "geo.i18n_messages", "geo.i18n_national", "geo.reference"}
    for module in (i18n_messages, i18n_localize, i18n_national, i18n_strings):
        imported = _imports(module)
        assert {name for name in imported if name.startswith(("geo", "."))} <= allowed


def test_domain_messages_render_in_vietnamese():
    from geo.i18n import localize, message
    from geo._errors import UploadError

    assert localize("2 chiefs; a commune has at most one chief", "vi") == (
        "2 Trưởng Công an xã; mỗi xã có nhiều nhất một Trưởng Công an xã")
    assert localize("2 chiefs; a commune has at most one chief", "en") == (
        "2 chiefs; a commune has at most one chief")
    assert message(UploadError("x.zip: member 'a' is a symbolic link; refused"), "vi") == (
        "x.zip: thành phần 'a' là liên kết tượng trưng; bị từ chối")
    assert localize("too many failed sign-ins; try again in 2 minute(s)", "vi") == (
        "hãy thử lại sau 2 phút")
    assert localize("user chi.huy (commander) may not upload; that needs role planner or admin",
                    "vi") == ("tài khoản chi.huy (chỉ huy) không được tải lên; việc này cần vai "
                              "trò kế hoạch hoặc quản trị")

