"""Administration page: accounts (admin only) and the audit log."""

from __future__ import annotations

import streamlit as st

from geo import audit, auth
from geo._errors import BorderMapError
from geo.escape import escape_markdown
from geo.i18n import column_labels, message, t
from pages import _common as common

common.ensure_defaults()
lang = common.lang()
common.require("manage_users")
st.title(t("admin_title", lang))
common.flash()


def _done(key: str, **values) -> None:
    """Leave a success message (data values escaped) for the next run, and rerun."""
    st.session_state["flash"] = ("success", t(key, lang, **{
        k: escape_markdown(v) for k, v in values.items()}))
    st.rerun()


def _error(err: Exception) -> None:
    st.error(t("error", lang, message=escape_markdown(message(err, lang))))


tab_users, tab_audit = st.tabs([t("tab_users", lang), t("tab_audit", lang)])

with tab_users:
    users = auth.list_users()
    users["role"] = users["role"].map(lambda r: t(f"role_{r}", lang))
    st.dataframe(users.rename(columns=column_labels(users.columns, lang)), hide_index=True,
                 width="stretch")
    with st.form("user_add_form", clear_on_submit=True):
        st.subheader(t("user_add", lang))
        c1, c2 = st.columns(2)
        name = c1.text_input(t("username", lang), max_chars=32, key="new_user_name")
        role = c2.selectbox(t("role", lang), auth.ROLES, key="new_user_role",
                            format_func=lambda r: t(f"role_{r}", lang))
        scope = st.text_input(t("scope", lang), key="new_user_scope", max_chars=400,
                              help=t("scope_help", lang))
        if st.form_submit_button(t("user_add", lang), key="user_add_submit"):
            common.require("manage_users")
            password = auth.generate_password()
            try:  # a handed-over password: the new user must choose their own
                user = auth.add_user(name, password, role=role, actor=common.user_name(),
                                     must_change=True, scope=scope.strip() or None)
            except BorderMapError as err:
                _error(err)
            else:
                _done("user_added", user=user.username, password=password)
    names = list(auth.list_users()["username"])
    c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
    target = c1.selectbox(t("username", lang), names, key="admin_target")
    new_role = c2.selectbox(t("role", lang), auth.ROLES, key="admin_role",
                            format_func=lambda r: t(f"role_{r}", lang))
    if c2.button(t("user_role_set", lang), key="admin_set_role"):
        common.require("manage_users")
        try:
            auth.set_role(target, new_role, actor=common.user_name())
        except BorderMapError as err:
            _error(err)
        else:
            _done("user_role_done", user=target, role=t(f"role_{new_role}", lang))
    if c3.button(t("user_remove", lang), key="admin_remove"):
        common.require("manage_users")
        try:
            auth.remove_user(target, actor=common.user_name())
        except BorderMapError as err:
            _error(err)
        else:
            _done("user_removed", user=target)
    s1, s2 = st.columns([4, 1])
    new_scope = s1.text_input(t("scope", lang), key="admin_scope", max_chars=400,
                              help=t("scope_help", lang))
    if s2.button(t("user_scope_set", lang), key="admin_set_scope"):
        common.require("manage_users")
        try:
            stored = auth.set_scope(target, new_scope, actor=common.user_name())
        except BorderMapError as err:
            _error(err)
        else:
            from geo.scope import describe_scope

            _done("user_scope_done", user=target, scope=describe_scope(stored, lang=lang))
    disabled = bool(target) and bool(auth.list_users().set_index("username")
                                      .get("disabled", {}).get(target, False))
    if c4.button(t("user_enable" if disabled else "user_disable", lang), key="admin_disable"):
        common.require("manage_users")
        try:
            auth.set_disabled(target, not disabled, actor=common.user_name())
        except BorderMapError as err:
            _error(err)
        else:
            _done("user_enabled" if disabled else "user_disabled", user=target)

with tab_audit:
    common.require("read_audit")
    c1, c2 = st.columns(2)
    who = c1.text_input(t("audit_filter_user", lang), key="audit_user") or None
    action = c2.text_input(t("audit_filter_action", lang), key="audit_action") or None
    log = audit.read(500, user=who, action=action)
    st.dataframe(log.rename(columns=column_labels(log.columns, lang)), hide_index=True,
                 width="stretch")
