"""Streamlit entry point: page config, sign-in, session defaults, navigation over ``pages/``.

Run with ``streamlit run app.py``. The pages are short scripts in ``pages/``;
which of them a user sees is decided by :func:`pages_for_role`: before sign-in
only the sign-in page exists. Each page checks the role again on the server side.

On the first start with no account, an ``admin`` account is created with a random
password that is printed once to the console (never a default password).
"""

from __future__ import annotations

import streamlit as st

from geo import auth
from geo.i18n import t
from geo.settings import bordermap_home
from pages import _common as common

#: Pages per role; ``None`` (not signed in) sees only the sign-in page.
ROLE_PAGES = {
    "commander": ("map", "border", "reform"),
    "planner": ("map", "border", "reform", "data"),
    "admin": ("map", "border", "reform", "data", "admin"),
    None: ("signin",),
}


def pages_for_role(role: str | None, lang: str) -> list[st.Page]:
    """Return the navigation pages a user with ``role`` may open, titled in ``lang``."""
    every = {
        "map": st.Page("pages/map.py", title=t("nav_map", lang), icon=":material/map:",
                       url_path="map", default=True),
        "border": st.Page("pages/border.py", title=t("nav_border", lang),
                          icon=":material/travel_explore:", url_path="border"),
        "reform": st.Page("pages/reform.py", title=t("nav_reform", lang),
                          icon=":material/compare_arrows:", url_path="reform"),
        "data": st.Page("pages/data.py", title=t("nav_data", lang), icon=":material/database:",
                        url_path="data"),
        "admin": st.Page("pages/admin.py", title=t("nav_admin", lang),
                         icon=":material/admin_panel_settings:", url_path="admin"),
        "signin": st.Page("pages/signin.py", title=t("nav_signin", lang),
                          icon=":material/login:", url_path="signin", default=True),
    }
    return [every[name] for name in ROLE_PAGES.get(role, ROLE_PAGES[None])]


@st.cache_resource(show_spinner=False)
def first_start(home: str) -> bool:
    """Create the first ``admin`` account when none exists; print its password once."""
    password = auth.ensure_admin_exists()
    if password:
        print("\n" + "=" * 72 + "\nNo account existed: created user 'admin' with the one-time "
              f"password\n\n    {password}\n\nSign in with it and create personal accounts "
              "(python -m geo users add …).\nIt is shown only now and stored only as a bcrypt "
              f"hash in {auth.users_path()}\n" + "=" * 72 + "\n", flush=True)
    return True


def oidc_user() -> auth.User | None:
    """Return the user signed in through an OIDC provider (``st.login``), if configured."""
    try:
        if st.user.is_logged_in:
            return auth.user_from_identity(st.user.to_dict())
    except Exception:  # no [auth] section in secrets.toml: password sign-in only
        return None
    return None


st.set_page_config(page_title=t("app_title"), page_icon="🗺️", layout="wide")
common.ensure_defaults()
first_start(str(bordermap_home()))
if common.current_user() is None and (user := oidc_user()) is not None:
    st.session_state["user"] = user
user = common.current_user()
st.session_state["role"] = user.role if user is not None else None
common.sidebar()
st.navigation(pages_for_role(st.session_state["role"], common.lang())).run()
