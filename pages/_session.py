"""Who is signed in, on every rerun: the session cookie, the account, the client address.

Shared by the pages through :mod:`pages._common` (which re-exports the public names).

Served (``streamlit run app.py``: requests pass through :mod:`edge`), the signed-in
user is worked out again on every rerun from the session cookie of the request
that opened this websocket: cookie -> live session record (shared SQLite) ->
account re-read from the users file (removed, disabled, role). Nothing in
``st.session_state`` is believed, so a websocket that attaches to someone else's
Streamlit session id (and so carries no cookie) is signed out.

Under Streamlit's AppTest (no browser, no HTTP) the user is the ``auth.User`` that
the test put in ``st.session_state["user"]``, re-read from the users file when the
account exists there. Served without the edge (a page started on its own),
nobody is signed in.
"""

from __future__ import annotations

import logging

import streamlit as st

import edge
from geo import auth
from geo._errors import BorderMapError, SettingsError
from geo.escape import escape_markdown
from geo.i18n import DEFAULT_LANGUAGE, message, t
from geo.settings import DEFAULT_SESSION_CHECK_S, bordermap_home, get_settings

log = logging.getLogger(__name__)


def _lang() -> str:
    return st.session_state.get("lang", DEFAULT_LANGUAGE)


def _under_apptest() -> bool:
    """Return True when the script runs under Streamlit's AppTest (a mock runtime)."""
    from unittest.mock import NonCallableMock

    from streamlit.runtime import Runtime

    return isinstance(Runtime._instance, NonCallableMock)


def _streamlit_session_id() -> str | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def session_token() -> str | None:
    """Return the session cookie sent with the request that opened this websocket."""
    try:
        return st.context.cookies.get(edge.COOKIE_NAME)
    except Exception:  # noqa: BLE001 - no browser context
        return None


def _sessions():
    from geo.stores.sessions import SessionStore

    return SessionStore()


def fatal(err: Exception) -> None:
    """Stop the run with a clear page (no traceback) when the data folder is unusable."""
    log.error("data folder unusable: %s", err)
    st.error(t("startup_failed", _lang(), message=escape_markdown(message(err, _lang())),
               home=escape_markdown(str(bordermap_home()))))
    st.stop()


def per_run(key: tuple, compute, *, refresh: bool = False):
    """Return ``compute()``, computed once per script run of this session.

    A page asks for the same things many times in one run (who is signed in, the data
    version): the first answer is kept until the run ends and never outlives it, so
    every rerun asks again. The run is told apart by the script context's cursor map,
    which Streamlit replaces at the start of every run (a fragment run too); outside a
    script run nothing is kept. An exception (``st.stop()`` too) is not kept.
    ``refresh=True`` computes it again and keeps the new answer for the rest of the run.
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return compute()
    marker = ctx.cursors
    held = getattr(ctx, "_bordermap_run_memo", None)
    if held is None or held[0] is not marker:
        held = (marker, {})  # holding the old map keeps its identity from being reused
        ctx._bordermap_run_memo = held
    memo = held[1]
    if refresh or key not in memo:
        memo[key] = compute()
    return memo[key]


def current_user(*, fresh: bool = False) -> auth.User | None:
    """Return the signed-in user of this rerun, or None (see the comment above).

    Worked out once per run (:func:`per_run`); ``fresh=True`` works it out again now
    (an action about to run is checked against the account as it is at that moment, and
    the rest of the run uses that answer).
    """
    return per_run(("current_user",), _current_user, refresh=fresh)


def _current_user() -> auth.User | None:
    try:
        if edge.is_serving():
            return _served_user() or _oidc_user()
        if _under_apptest():
            user = st.session_state.get("user")
            if not isinstance(user, auth.User):
                return None
            if user.source == "password" and user.username in set(auth.list_users()["username"]):
                return auth.account(user.username)
            return user
        return None
    except (BorderMapError, OSError) as err:
        fatal(err)
        raise  # st.stop() raises; this keeps type checkers quiet


def _oidc_user() -> auth.User | None:
    """Return the user signed in through an OIDC provider (``st.login``), if configured.

    ``st.user`` comes from Streamlit's own signed cookie, read from the request that
    opened this websocket; the role is worked out again on every rerun.
    """
    try:
        if not st.user.is_logged_in:
            return None
        claims = st.user.to_dict()
    except Exception:  # noqa: BLE001 - no [auth] section in secrets.toml: passwords only
        return None
    return auth.user_from_identity(claims)


def _served_user() -> auth.User | None:
    token = session_token()
    sid = _streamlit_session_id()
    record = _sessions().lookup(token, idle_s=get_settings().session_idle_s) if token else None
    if record is None:
        if sid:
            edge.unbind(sid)
        return None
    user = auth.account(record.username)
    if user is None:  # removed or disabled since the session started
        _sessions().revoke(token, reason="account removed or disabled")
        if sid:
            edge.unbind(sid)
        return None
    if sid:
        edge.bind(sid, record.key)
    return user


def _fragment_rerun() -> bool:
    """Return True in a run of fragments only (not a run of the whole page)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def _check_interval_s() -> float:
    """``BORDERMAP_SESSION_CHECK_S``; a bad value is logged and the default used (the
    interval is fixed when the pages are loaded, before any page could show an error)."""
    try:
        return get_settings().session_check_s
    except SettingsError as err:
        log.warning("%s; checking sessions every %g s", err, DEFAULT_SESSION_CHECK_S)
        return DEFAULT_SESSION_CHECK_S


@st.fragment(run_every=_check_interval_s())
def _watch_session(role: str, must_change: bool) -> None:
    """Every few seconds (``BORDERMAP_SESSION_CHECK_S``, default 10): rerun the page when
    the session ended or the account changed elsewhere."""
    if not _fragment_rerun():  # drawn by a full run: that run just looked the session up
        user = current_user()
    else:  # the timer's own run: look without counting it as activity (idle limit)
        token = session_token()
        try:
            record = _sessions().lookup(token, idle_s=get_settings().session_idle_s,
                                        touch=False)
            user = auth.account(record.username) if record is not None else None
        except BorderMapError:
            user = None
    if user is None or user.role != role or user.must_change_password != must_change:
        st.rerun(scope="app")


def redirect(url: str) -> None:
    """Send the browser to ``url`` (a path of this server), as ``st.login`` does."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return
    msg = ForwardMsg()
    msg.auth_redirect.url = url
    ctx.enqueue(msg)


def _base_path() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def start_session(user: auth.User) -> None:
    """After a password was checked: hand the browser a session cookie (or, under AppTest,
    keep the user in session state) and rerun."""
    if edge.is_serving():
        ticket = _sessions().issue_ticket(user.username, client=client_id())
        redirect(f"{_base_path()}{edge.SIGNIN_PATH}?t={ticket}")
        st.stop()
    st.session_state["user"] = user
    st.session_state["role"] = user.role
    st.rerun()


def sign_out() -> None:
    """End this session everywhere (server-side first), then delete the cookie."""
    user = current_user()
    if user is not None:
        audit_event("signout", user.username)
    for key in ("user", "role", "pending_roster"):
        st.session_state.pop(key, None)
    if edge.is_serving():
        token = session_token()
        _sessions().revoke(token, reason="signed out")
        if (sid := _streamlit_session_id()):
            edge.unbind(sid)
        redirect(f"{_base_path()}{edge.SIGNOUT_PATH}")
        st.stop()
    st.rerun()


def user_name() -> str:
    """Return who is acting, for the store's history and the audit log."""
    user = current_user()
    return user.username if user is not None else "-"


def client_id() -> str:
    """Return the client's address as the edge decided it (socket peer, or trusted proxy's
    ``X-Forwarded-For``); ``"local"`` under AppTest, ``""`` when unknown."""
    if not edge.is_serving():
        return "local" if _under_apptest() else ""
    return per_run(("client_id",), _client_header)


def _client_header() -> str:
    try:
        return str(st.context.headers.get(edge.CLIENT_HEADER) or "")
    except Exception:  # noqa: BLE001 - no browser context
        return ""


def require(action: str) -> auth.User:
    """Stop the page unless the signed-in user may perform ``action`` (server-side check).

    Every page calls this first; a hidden button is not access control, so each
    action (import, restore, export, user management) is checked again where it runs,
    against the account as it is now.
    """
    # viewing uses this run's answer; any other action looks the session and account up again
    user = current_user(fresh=action != "view")
    try:
        auth.require_role(user, action)
    except auth.AccessDenied as err:
        st.error(t("access_denied", _lang(), message=escape_markdown(message(err, _lang()))))
        st.stop()
    return user


def can(action: str) -> bool:
    """Return True when the signed-in user may perform ``action``."""
    user = current_user()
    return user is not None and user.can(action)


def audit_event(action: str, detail: str, *, ok: bool = True) -> None:
    """Record an app action in the audit log (never fails the page)."""
    from geo import audit

    try:
        audit.record(user_name(), action, detail, ok=ok, client=client_id())
    except BorderMapError as err:  # the log must not take the app down; say so in the log
        log.error("audit log unavailable: %s", err)
