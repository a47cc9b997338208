"""Change-password page: the only page of an account that must change its password.

The first ``admin`` account (whose password was printed on the console) lands
here at its first sign-in. Changing the password ends every session of the
account and starts a new one for this browser (a new cookie).
"""

from __future__ import annotations

import streamlit as st

from geo import auth
from geo._errors import BorderMapError
from geo.escape import escape_markdown
from geo.i18n import message, t
from pages import _common as common

common.ensure_defaults()
lang = common.lang()
user = common.current_user()
if user is None:
    st.error(t("access_denied", lang, message=t("signin_hint", lang)))
    st.stop()
st.title(t("password_change_title", lang))
st.info(t("password_change_hint", lang))

with st.form("password_form", clear_on_submit=True):
    current = st.text_input(t("password_current", lang), type="password", key="pw_current",
                            max_chars=200)
    new = st.text_input(t("password_new", lang), type="password", key="pw_new", max_chars=200)
    again = st.text_input(t("password_repeat", lang), type="password", key="pw_again",
                          max_chars=200)
    submitted = st.form_submit_button(t("password_change_button", lang), type="primary",
                                      key="pw_submit")

if submitted:
    try:
        checked = auth.authenticate(user.username, current, client_id=common.client_id())
    except auth.SignInLocked as err:
        st.error(t("signin_locked", lang, message=escape_markdown(message(err, lang))))
        st.stop()
    except BorderMapError as err:
        st.error(t("error", lang, message=escape_markdown(message(err, lang))))
        st.stop()
    if checked is None:
        st.error(t("signin_failed", lang))
    elif new != again:
        st.error(t("password_mismatch", lang))
    elif new == current:
        st.error(t("password_same", lang))
    else:
        try:
            auth.set_password(user.username, new, actor=user.username)
        except BorderMapError as err:
            st.error(t("error", lang, message=escape_markdown(message(err, lang))))
        else:
            fresh = auth.account(user.username)
            if fresh is not None:
                common.start_session(fresh)  # the old sessions ended: a new cookie
