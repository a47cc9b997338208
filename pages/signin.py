"""Sign-in page: the only page a visitor sees before signing in."""

from __future__ import annotations

import streamlit as st

from geo import auth
from geo._errors import BorderMapError
from geo.escape import escape_markdown
from geo.i18n import message, t
from pages import _common as common

common.ensure_defaults()
lang = common.lang()
st.title(t("signin_title", lang))
st.caption(t("signin_hint", lang))

with st.form("signin_form", clear_on_submit=False):
    username = st.text_input(t("username", lang), key="signin_username", max_chars=64)
    password = st.text_input(t("password", lang), type="password", key="signin_password",
                             max_chars=200)
    submitted = st.form_submit_button(t("signin_button", lang), type="primary",
                                      key="signin_submit")

if submitted:
    try:
        user = auth.authenticate(username, password, client_id=common.client_id())
    except auth.SignInLocked as err:
        st.error(t("signin_locked", lang, message=escape_markdown(message(err, lang))))
    except BorderMapError as err:
        st.error(t("error", lang, message=escape_markdown(message(err, lang))))
    else:
        if user is None:
            st.error(t("signin_failed", lang))
        else:
            st.session_state.pop("signin_password", None)
            try:
                common.start_session(user)
            except BorderMapError as err:
                common.fatal(err)
