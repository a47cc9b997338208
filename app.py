"""Streamlit entry point: page config, session defaults, navigation over ``pages/``.

Run with ``streamlit run app.py``. The pages are short scripts in ``pages/``;
which of them a user sees is decided by :func:`pages_for_role` (sign-in comes
in a later issue: until then every page is shown).
"""

from __future__ import annotations

import streamlit as st

from geo.i18n import t
from pages import _common as common

#: Pages per role; ``None`` (no sign-in yet) sees every page.
ROLE_PAGES = {
    "commander": ("map", "border"),
    "planner": ("map", "border", "data"),
    "admin": ("map", "border", "data"),
    None: ("map", "border", "data"),
}


def pages_for_role(role: str | None, lang: str) -> list[st.Page]:
    """Return the navigation pages a user with ``role`` may open, titled in ``lang``."""
    every = {
        "map": st.Page("pages/map.py", title=t("nav_map", lang), icon=":material/map:",
                       url_path="map", default=True),
        "border": st.Page("pages/border.py", title=t("nav_border", lang),
                          icon=":material/travel_explore:", url_path="border"),
        "data": st.Page("pages/data.py", title=t("nav_data", lang), icon=":material/database:",
                        url_path="data"),
    }
    return [every[name] for name in ROLE_PAGES.get(role, ROLE_PAGES["commander"])]


st.set_page_config(page_title=t("app_title"), page_icon="🗺️", layout="wide")
common.ensure_defaults()
common.sidebar()
st.navigation(pages_for_role(st.session_state["role"], common.lang())).run()
