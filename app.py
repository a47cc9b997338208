"""Streamlit entry point: page config, sign-in, session defaults, navigation over ``pages/``.

Run with ``streamlit run app.py``. Streamlit finds :data:`app` (an ``st.App``) and
serves the script below through it, with the edge of :mod:`edge` in front: the
client address, the session cookie routes, and guards on Streamlit's own
endpoints. Run as the Streamlit script, this file draws the pages: which of them
a user sees is decided by :func:`pages_for_role`; before sign-in only the sign-in
page exists, and an account that must change its password sees only that page.
Each page checks the role again on the server side, on every rerun.

On the first start with no account, an ``admin`` account is created with a random
password that is printed once to the console (never a default password); it must
be changed at the first sign-in.
"""

from __future__ import annotations

import streamlit as st

#: Pages per role; ``None`` (not signed in) sees only the sign-in page.
ROLE_PAGES = {
    "commander": ("map", "national", "border", "reform"),
    "planner": ("map", "national", "border", "reform", "data"),
    "admin": ("map", "national", "border", "reform", "data", "admin"),
    "must_change": ("password",),
    None: ("signin",),
}


def pages_for_role(role: str | None, lang: str) -> list[st.Page]:
    """Return the navigation pages a user with ``role`` may open, titled in ``lang``."""
    from geo.i18n import t

    every = {
        "map": st.Page("pages/map.py", title=t("nav_map", lang), icon=":material/map:",
                       url_path="map", default=True),
        "national": st.Page("pages/national.py", title=t("nav_national", lang),
                            icon=":material/public:", url_path="national"),
        "border": st.Page("pages/border.py", title=t("nav_border", lang),
                          icon=":material/travel_explore:", url_path="border"),
        "reform": st.Page("pages/reform.py", title=t("nav_reform", lang),
                          icon=":material/compare_arrows:", url_path="reform"),
        "data": st.Page("pages/data.py", title=t("nav_data", lang), icon=":material/database:",
                        url_path="data"),
        "admin": st.Page("pages/admin.py", title=t("nav_admin", lang),
                         icon=":material/admin_panel_settings:", url_path="admin"),
        "password": st.Page("pages/password.py", title=t("nav_password", lang),
                            icon=":material/password:", url_path="password", default=True),
        "signin": st.Page("pages/signin.py", title=t("nav_signin", lang),
                          icon=":material/login:", url_path="signin", default=True),
    }
    return [every[name] for name in ROLE_PAGES.get(role, ROLE_PAGES[None])]


@st.cache_resource(show_spinner=False)
def first_start(home: str) -> bool:
    """Create the first ``admin`` account when none exists; print its password once."""
    from geo import auth

    password = auth.ensure_admin_exists()
    if password:
        print("\n" + "=" * 72 + "\nNo account existed: created user 'admin' with the one-time "
              f"password\n\n    {password}\n\nSign in with it (you will be asked to choose a new "
              "one) and create personal accounts\n(python -m geo users add …). It is shown only "
              f"now and stored only as a bcrypt hash in\n{auth.users_location()}\n" + "=" * 72 + "\n",
              flush=True)
    return True


def main() -> None:
    """Draw the app for this rerun: who is signed in decides which pages exist."""
    from geo._errors import BorderMapError
    from geo.i18n import t
    from geo.settings import bordermap_home
    from pages import _common as common

    st.set_page_config(page_title=t("app_title"), page_icon="🗺️", layout="wide")
    common.ensure_defaults()
    try:
        first_start(str(bordermap_home()))
    except (BorderMapError, OSError) as err:
        common.fatal(err)
    user = common.current_user()
    role = None if user is None else "must_change" if user.must_change_password else user.role
    st.session_state["role"] = role
    common.sidebar()
    st.navigation(pages_for_role(role, common.lang())).run()


if __name__ == "__main__":  # the Streamlit script run
    main()
else:  # imported by `streamlit run app.py` (or uvicorn app:app): the ASGI server
    import edge

    edge.take_over_proxy_headers()
    app = st.App("app.py", routes=edge.routes(), middleware=edge.middleware())
