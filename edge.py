"""The HTTP edge of the app: client address, session cookie routes, guards on Streamlit's own.

``app.py`` serves the Streamlit app through ``st.App`` (``streamlit run app.py``
finds it) with :func:`routes` and :class:`EdgeMiddleware` added. This module is
the only code that sees raw HTTP; the pages read what it decided through
``st.context``:

* **Client address.** The socket's peer address (uvicorn's own handling of
  ``X-Forwarded-For`` is switched off: :func:`take_over_proxy_headers`), unless
  that peer is one of ``BORDERMAP_TRUSTED_PROXIES``; only then is
  ``X-Forwarded-For`` read (right to left, skipping trusted proxies). The result
  replaces the ASGI ``client`` and is passed to the pages in the
  :data:`CLIENT_HEADER` request header (any copy of that header sent by a client
  is removed first).
* **Session cookie.** The password is checked over the websocket, which cannot
  set a cookie; the page then sends the browser to ``/bm/signin?t=<ticket>``
  (single use, 60 s, bound to the client address), which starts a server-side
  session and sets the :data:`COOKIE_NAME` cookie (HttpOnly, SameSite=Strict,
  ``Secure`` when ``BORDERMAP_COOKIE_SECURE`` is set). ``/bm/signout`` ends the
  session and deletes the cookie.
* **Guards.** ``/_stcore/metrics`` and the websocket's ``clear_cache`` message
  need a live session. A websocket that asks to resume a Streamlit session bound
  to a signed-in session (:func:`bind`) must carry that session's cookie, or it
  gets a new, empty Streamlit session; the same holds for upload URLs, which
  carry the Streamlit session id.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
from collections.abc import Iterable
from http.cookies import SimpleCookie

from geo._errors import BorderMapError
from geo.settings import get_settings
from geo.stores.sessions import SessionStore, token_hash

log = logging.getLogger(__name__)

#: The session cookie.
COOKIE_NAME = "bordermap_session"

#: Request header through which the edge hands the client address to the pages.
CLIENT_HEADER = "x-bordermap-client"

#: Sign-in and sign-out routes (after ``server.baseUrlPath``).
SIGNIN_PATH = "/bm/signin"
SIGNOUT_PATH = "/bm/signout"

_SERVING = False
_BINDINGS: dict[str, str] = {}
_BINDINGS_LOCK = threading.Lock()


def is_serving() -> bool:
    """Return True in a process whose HTTP requests pass through :class:`EdgeMiddleware`."""
    return _SERVING


def bind(streamlit_session_id: str, session_key: str) -> None:
    """Bind a Streamlit session to the signed-in session (token hash) that uses it."""
    with _BINDINGS_LOCK:
        _BINDINGS[streamlit_session_id] = session_key


def unbind(streamlit_session_id: str) -> None:
    """Forget a binding (sign-out)."""
    with _BINDINGS_LOCK:
        _BINDINGS.pop(streamlit_session_id, None)


def bound_key(streamlit_session_id: str) -> str | None:
    """Return the token hash a Streamlit session is bound to, if any."""
    with _BINDINGS_LOCK:
        return _BINDINGS.get(streamlit_session_id)


def _networks(entries: Iterable[str]) -> list[ipaddress._BaseNetwork]:
    nets = []
    for entry in entries:
        try:
            nets.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            log.error("BORDERMAP_TRUSTED_PROXIES: %r is not an address or network; ignored",
                      entry)
    return nets


def _in(address: str, nets: list) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in nets)


def client_address(peer: str | None, forwarded_for: list[str], *,
                   trusted: Iterable[str]) -> str:
    """Return the client address of a request.

    Parameters
    ----------
    peer : str or None
        The socket's peer address (None for a Unix socket).
    forwarded_for : list of str
        Every ``X-Forwarded-For`` header value, in order.
    trusted : iterable of str
        Addresses or networks of trusted reverse proxies; ``unix`` trusts a proxy
        that connects through a Unix socket (no peer address).

    Returns
    -------
    str
        ``peer`` unless it is a trusted proxy; then the right-most address of
        ``X-Forwarded-For`` that is not a trusted proxy. ``""`` when unknown.

    Examples
    --------
    >>> client_address("10.0.0.5", ["1.2.3.4"], trusted=[])
    '10.0.0.5'
    >>> client_address("10.0.0.5", ["6.6.6.6, 1.2.3.4"], trusted=["10.0.0.0/24"])
    '1.2.3.4'
    """
    trusted = [t for t in trusted if t.strip()]
    nets = _networks(t for t in trusted if t.strip().lower() != "unix")
    peer = peer or ""
    via_unix_proxy = not peer and any(t.strip().lower() == "unix" for t in trusted)
    if not via_unix_proxy and (not nets or not _in(peer, nets)):
        return peer
    hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _in(hop, nets):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return ""  # garbage from outside the proxy: unknown, not believed
    return peer


def _cookies(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    jar = SimpleCookie()
    for name, value in headers:
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie header is no cookie
                continue
    return {k: m.value for k, m in jar.items()}


def _live(token: str | None) -> bool:
    """Return True when ``token`` names a live session (store errors count as no)."""
    if not token:
        return False
    try:
        return SessionStore().lookup(token, idle_s=get_settings().session_idle_s,
                                     touch=False) is not None
    except BorderMapError as err:
        log.error("session store unavailable at the edge: %s", err)
        return False


def _base() -> str:
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def _is_clear_cache(data: bytes) -> bool:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    try:
        msg.ParseFromString(data)
    except Exception:  # noqa: BLE001 - Streamlit itself closes on an unparsable frame
        return False
    return msg.WhichOneof("type") == "clear_cache"


class EdgeMiddleware:
    """ASGI middleware in front of Streamlit (see the module docstring)."""

    def __init__(self, app) -> None:
        global _SERVING
        self.app = app
        _SERVING = True
        if not proxy_headers_taken_over():
            log.error("uvicorn may rewrite client addresses from X-Forwarded-For; start the "
                      "app with 'streamlit run app.py'")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        settings = get_settings()
        headers = list(scope.get("headers") or [])
        peer = (scope.get("client") or (None, 0))[0]
        forwarded = [v.decode("latin-1") for k, v in headers if k == b"x-forwarded-for"]
        address = client_address(peer, forwarded, trusted=settings.trusted_proxies)
        headers = [(k, v) for k, v in headers if k != CLIENT_HEADER.encode()]
        headers.append((CLIENT_HEADER.encode(), address.encode("latin-1", "replace")))
        scope = {**scope, "headers": headers,
                 "client": (address, (scope.get("client") or (None, 0))[1])}
        token = _cookies(headers).get(COOKIE_NAME)
        path = scope.get("path", "")
        base = _base()

        if scope["type"] == "http":
            if path.rstrip("/") == f"{base}/_stcore/metrics" and not _live(token):
                await _plain(send, 403, b"sign in first\n")
                return
            if path.startswith(f"{base}/_stcore/upload_file/"):
                parts = path[len(f"{base}/_stcore/upload_file/"):].split("/")
                key = bound_key(parts[0]) if parts and parts[0] else None
                if key is None or not token or token_hash(token) != key or not _live(token):
                    log.warning("upload refused for Streamlit session %s from %s: no matching "
                                "signed-in session", parts[0][:8] if parts else "?", address)
                    await _plain(send, 403, b"sign in first\n")
                    return
            await self.app(scope, receive, send)
            return

        # websocket
        if path.rstrip("/") == f"{base}/_stcore/stream":
            scope = self._guard_resume(scope, token, address)
            receive = self._guard_messages(receive, token)
        await self.app(scope, receive, send)

    @staticmethod
    def _guard_resume(scope, token: str | None, address: str):
        """Drop a resume request for a bound Streamlit session without its cookie."""
        headers = scope["headers"]
        out = []
        for name, value in headers:
            if name == b"sec-websocket-protocol":
                entries = [e.strip() for e in value.decode("latin-1").split(",")]
                if len(entries) >= 3 and entries[2]:
                    key = bound_key(entries[2])
                    if key is not None and (not token or token_hash(token) != key):
                        log.warning("websocket from %s asked to resume a signed-in Streamlit "
                                    "session without its cookie: given a new session", address)
                        entries[2] = ""
                        value = ", ".join(entries).encode("latin-1")
            out.append((name, value))
        return {**scope, "headers": out}

    @staticmethod
    def _guard_messages(receive, token: str | None):
        async def guarded():
            while True:
                message = await receive()
                data = message.get("bytes") if message.get("type") == "websocket.receive" \
                    else None
                if data and len(data) < 256 and _is_clear_cache(data) and not _live(token):
                    log.warning("clear_cache from a signed-out websocket ignored")
                    continue
                return message
        return guarded


async def _plain(send, status: int, body: bytes, extra: list | None = None) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"cache-control", b"no-store")] + (extra or [])})
    await send({"type": "http.response.body", "body": body})


def _cookie_header(value: str, max_age: int) -> bytes:
    settings = get_settings()
    parts = [f"{COOKIE_NAME}={value}", f"Path={_base() or '/'}", f"Max-Age={max_age}",
             "HttpOnly", "SameSite=Strict"]
    if settings.cookie_secure:
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")


def _safe_next(raw: str | None) -> str:
    """Return a same-site path to go to after sign-in (the app's root unless a safe path)."""
    base = _base() or "/"
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw \
            or any(ord(c) < 0x20 for c in raw):
        return base if base.endswith("/") else base + "/"
    return raw


def _redirect(location: str, cookie: bytes | None):
    from starlette.responses import Response

    response = Response(status_code=303, headers={
        "location": location, "cache-control": "no-store", "referrer-policy": "no-referrer"})
    if cookie is not None:
        response.raw_headers.append((b"set-cookie", cookie))
    return response


async def _signin(request):
    """``GET /bm/signin?t=<ticket>``: start a session for a ticket and set the cookie."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import PlainTextResponse

    if request.method != "GET":  # a HEAD (link preview) must not use the ticket up
        return _redirect(_safe_next(None), None)
    ticket = request.query_params.get("t", "")
    address = request.client.host if request.client else ""
    settings = get_settings()

    def start() -> str | None:
        store = SessionStore()
        username = store.redeem_ticket(ticket, client=address)
        return (store.create(username, client=address, lifetime_s=settings.session_max_s)
                if username else None)

    try:
        token = await run_in_threadpool(start)
    except BorderMapError as err:
        log.error("sign-in ticket could not be used: %s", err)
        return PlainTextResponse("the session store is unavailable; see the server log\n",
                                 status_code=503, headers={"cache-control": "no-store"})
    cookie = _cookie_header(token, int(settings.session_max_s)) if token else None
    return _redirect(_safe_next(request.query_params.get("next")), cookie)


async def _signout(request):
    """``GET /bm/signout``: end the cookie's session and delete the cookie."""
    from starlette.concurrency import run_in_threadpool

    token = request.cookies.get(COOKIE_NAME)
    try:
        await run_in_threadpool(SessionStore().revoke, token, reason="signed out")
    except BorderMapError as err:
        log.error("sign-out could not reach the session store: %s", err)
    return _redirect(_safe_next(None), _cookie_header("", 0))


def routes() -> list:
    """Return the edge's routes (sign-in and sign-out), under ``server.baseUrlPath``."""
    from starlette.routing import Route

    base = _base()
    return [Route(f"{base}{SIGNIN_PATH}", _signin, methods=["GET"]),
            Route(f"{base}{SIGNOUT_PATH}", _signout, methods=["GET"])]


class _NoProxyHeaders:
    """Stand-in for uvicorn's ``ProxyHeadersMiddleware``: passes requests on untouched."""

    def __init__(self, app, trusted_hosts=None) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        await self.app(scope, receive, send)


def take_over_proxy_headers() -> None:
    """Stop uvicorn from believing ``X-Forwarded-For`` on its own.

    uvicorn (which serves Streamlit) wraps the app in ``ProxyHeadersMiddleware``,
    which by default trusts ``X-Forwarded-For`` from 127.0.0.1 and ::1 and
    rewrites the client address before any app code runs: any local client, or
    anything behind a local proxy that passes the header on, could claim any
    address (the rate-limit bypass of the security review). Called while uvicorn
    imports ``app.py`` — before it adds that middleware — this swaps it for a
    pass-through, so the socket's address reaches :class:`EdgeMiddleware`, the
    one place that decides, from ``BORDERMAP_TRUSTED_PROXIES``.
    """
    import uvicorn.config

    uvicorn.config.ProxyHeadersMiddleware = _NoProxyHeaders


def proxy_headers_taken_over() -> bool:
    """Return True when uvicorn will not rewrite client addresses (see above)."""
    import uvicorn.config

    return uvicorn.config.ProxyHeadersMiddleware is _NoProxyHeaders


def middleware() -> list:
    """Return the edge middleware for ``st.App`` (it runs before Streamlit's own)."""
    from starlette.middleware import Middleware

    return [Middleware(EdgeMiddleware)]
