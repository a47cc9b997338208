"""A Streamlit server on a loopback port and a minimal websocket client that speaks its protocol.

The client opens ``/_stcore/stream`` like the browser does (subprotocol
``streamlit``, optionally an XSRF entry and a Streamlit session id to resume),
asks for a script run, and collects what the server sends until the run ends:
the elements drawn (markdown, alerts, headings, widgets with their ids), a
redirect (``auth_redirect``), the Streamlit session id. Widgets are set and
buttons pressed by sending the widget states back, as the browser would.

Every wait is bounded in time; the server is always stopped.
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass, field

from websockets.sync.client import connect

from live_server import (  # noqa: F401 (re-exported for the security tests)
    START_TIMEOUT_S,
    Server,
    free_port,
    running,
    start_server,
    stop_server,
)

RUN_TIMEOUT_S = 60


def http_get(server: Server, path: str, *, headers: dict | None = None
             ) -> tuple[int, dict[str, list[str]], bytes]:
    """GET ``path``; return (status, headers as name → values, body); status 0 if refused."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        got: dict[str, list[str]] = {}
        for name, value in resp.getheaders():
            got.setdefault(name.lower(), []).append(value)
        return resp.status, got, resp.read()
    except OSError:
        return 0, {}, b""
    finally:
        conn.close()


@dataclass
class Widget:
    kind: str
    id: str
    label: str


@dataclass
class Run:
    """What one script run sent."""

    texts: list[str] = field(default_factory=list)
    widgets: list[Widget] = field(default_factory=list)
    redirect: str | None = None
    session_id: str | None = None
    exceptions: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join(self.texts)

    def signed_out(self) -> bool:
        """True when the run drew the sign-in form (and so nobody is signed in)."""
        return self.has_widget("Mật khẩu") and self.has_widget("Tên đăng nhập")

    def widget(self, label: str, kind: str | None = None) -> Widget:
        for w in self.widgets:
            if w.label == label and (kind is None or w.kind == kind):
                return w
        raise AssertionError(f"no widget {label!r} ({kind}) among "
                             f"{[(w.kind, w.label) for w in self.widgets]}")

    def has_widget(self, label: str) -> bool:
        return any(w.label == label for w in self.widgets)


class Client:
    """One websocket connection to the app, like one browser tab.

    Parameters
    ----------
    server : Server
    cookie : str, optional
        ``Cookie`` header value (e.g. ``bordermap_session=…``).
    resume : str, optional
        A Streamlit session id to ask to resume (third subprotocol entry).
    headers : dict, optional
        More request headers (e.g. ``X-Forwarded-For``).
    """

    def __init__(self, server: Server, *, cookie: str | None = None, resume: str | None = None,
                 headers: dict | None = None) -> None:
        extra = dict(headers or {})
        if cookie:
            extra["Cookie"] = cookie
        protocols = ["streamlit", "x"] + ([resume] if resume else [])
        self.ws = connect(server.ws, additional_headers=extra, subprotocols=protocols,
                          open_timeout=20, max_size=2**26, legacy=True)
        self.session_id: str | None = None
        self.page_hash = ""
        self.pages: dict[str, str] = {}  # url path → page script hash (from navigation)

    def close(self) -> None:
        self.ws.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, msg) -> None:
        self.ws.send(msg.SerializeToString())

    def clear_cache(self) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.clear_cache = True
        self.send(msg)

    def run(self, states: list | None = None, *, page_hash: str | None = None) -> Run:
        """Ask for a script run with ``states`` (WidgetState protos); collect until it ends."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = self.page_hash if page_hash is None else page_hash
        for state in states or []:
            msg.rerun_script.widget_states.widgets.append(state)
        self.send(msg)
        return self.collect()

    def collect(self, timeout: float = RUN_TIMEOUT_S) -> Run:
        """Receive until a script run finishes (or a redirect arrives)."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        run = Run(session_id=self.session_id)
        deadline = time.monotonic() + timeout
        started = False
        while time.monotonic() < deadline:
            try:
                data = self.ws.recv(timeout=max(0.1, deadline - time.monotonic()))
            except TimeoutError:
                break
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                started = True
                self.session_id = run.session_id = fwd.new_session.initialize.session_id
                self.page_hash = fwd.new_session.page_script_hash or self.page_hash
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                _element(fwd.delta.new_element, run)
            elif kind == "auth_redirect":
                run.redirect = fwd.auth_redirect.url
            elif kind == "script_finished" and started:
                # 0 = finished; 1 = compile error; 2 = ended early for a rerun (which the
                # server starts itself); 3 = a fragment run (this client asks for none)
                if fwd.script_finished in (0, 1):
                    return run
                if fwd.script_finished == 2:
                    run.texts.clear()
                    run.widgets.clear()
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash
                              for p in fwd.navigation.app_pages}
                self.page_hash = fwd.navigation.page_script_hash or self.page_hash
        return run


def _element(el, run: Run) -> None:
    kind = el.WhichOneof("type")
    inner = getattr(el, kind)
    if kind in ("markdown", "alert", "heading", "text", "code"):
        run.texts.append(getattr(inner, "body", ""))
    elif kind == "exception":
        run.exceptions.append(f"{inner.type}: {inner.message}")
        run.texts.append(inner.message)
    if hasattr(inner, "id") and hasattr(inner, "label") and inner.id:
        run.widgets.append(Widget(kind, inner.id, inner.label))


def text_state(widget: Widget, value: str):
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    state = WidgetState(id=widget.id)
    state.string_value = value
    return state


def trigger_state(widget: Widget):
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    return WidgetState(id=widget.id, trigger_value=True)


def sign_in(server: Server, username: str, password: str, *, headers: dict | None = None
            ) -> tuple[Run, str | None]:
    """Sign in through the sign-in form; return (the run, the session cookie or None).

    The cookie comes from following the page's redirect to the edge's ticket URL.
    """
    with Client(server, headers=headers) as tab:
        form = tab.run()
        states = [text_state(form.widget("Tên đăng nhập"), username),
                  text_state(form.widget("Mật khẩu"), password),
                  trigger_state(form.widget("Đăng nhập", "button"))]
        run = tab.run(states)
    if not run.redirect:
        return run, None
    status, got, _ = http_get(server, run.redirect, headers=headers)
    assert status == 303, status
    for value in got.get("set-cookie", []):
        first = value.split(";", 1)[0]
        if first.startswith("bordermap_session=") and first != "bordermap_session=":
            return run, first
    return run, None
