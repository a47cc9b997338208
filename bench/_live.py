"""Drive the real app over its websocket for the benchmarks: servers, sign-in, timed reruns.

Servers are ``streamlit run app.py`` on loopback ports (``tests/security/_streamlit.py``
starts them and signs in through the form and the edge's ticket URL). A
:class:`Tab` is one browser tab: it keeps, like the browser, the hashes of the
cacheable messages it received and sends them with every rerun, so Streamlit
answers a repeated element with a reference; :class:`ByteCounter` is a loopback
TCP relay that counts the bytes the server really sends (after websocket
compression). Every wait is bounded.
"""

from __future__ import annotations

import os
import selectors
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.security._streamlit import (  # noqa: E402
    Server,
    free_port,
    sign_in,
    start_server,
    stop_server,
)

RUN_TIMEOUT_S = 120

__all__ = ["ByteCounter", "Server", "Tab", "add_user", "sign_in", "start_server", "stop_server",
           "selectbox_state"]


def add_user(home: Path, name: str, password: str, role: str = "planner") -> None:
    """Create an account with ``python -m geo users add`` in ``home``."""
    env = {**os.environ, "BORDERMAP_HOME": str(home)}
    done = subprocess.run([sys.executable, "-m", "geo", "users", "add", name, "--role", role,
                           "--password-stdin"], input=f"{password}\n", text=True, env=env,
                          cwd=REPO, capture_output=True, timeout=120)
    if done.returncode:
        raise RuntimeError(f"users add failed: {done.stderr.strip()}")


def selectbox_state(widget_id: str, label: str):
    """The widget state a browser sends for a selectbox set to the option shown as ``label``."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    state = WidgetState(id=widget_id)
    state.string_value = label
    return state


@dataclass
class RunResult:
    """What one script run sent: seconds, bytes of messages (uncompressed), elements, errors."""

    seconds: float = 0.0
    message_bytes: int = 0
    references: int = 0
    widgets: dict = field(default_factory=dict)  # label → widget id
    exceptions: list = field(default_factory=list)
    finished: bool = False


class Tab:
    """One websocket connection to the app, like one browser tab (see module doc)."""

    def __init__(self, url: str, *, cookie: str | None = None) -> None:
        from websockets.sync.client import connect

        headers = {"Cookie": cookie} if cookie else {}
        self.ws = connect(url, additional_headers=headers, subprotocols=["streamlit", "x"],
                          open_timeout=30, max_size=2**27, legacy=True)
        self.page_hash = ""
        self.pages: dict[str, str] = {}
        self.cached: set[str] = set()

    def close(self) -> None:
        self.ws.close()

    def run(self, states: list | None = None, *, page: str | None = None) -> RunResult:
        """Ask for a rerun (of ``page``, a url path, if given) with ``states``; time it."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = self.pages.get(page, "") if page else self.page_hash
        for state in states or []:
            msg.rerun_script.widget_states.widgets.append(state)
        msg.rerun_script.cached_message_hashes.extend(sorted(self.cached))
        t0 = time.perf_counter()
        self.ws.send(msg.SerializeToString())
        result = self._collect()
        result.seconds = time.perf_counter() - t0
        return result

    def _collect(self) -> RunResult:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        result = RunResult()
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                data = self.ws.recv(timeout=max(0.1, deadline - time.monotonic()))
            except TimeoutError:
                break
            result.message_bytes += len(data)
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            if fwd.metadata.cacheable and fwd.hash:
                self.cached.add(fwd.hash)
            kind = fwd.WhichOneof("type")
            if kind == "ref_hash":
                result.references += 1
            elif kind == "new_session":
                self.page_hash = fwd.new_session.page_script_hash or self.page_hash
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash
                              for p in fwd.navigation.app_pages}
                self.page_hash = fwd.navigation.page_script_hash or self.page_hash
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                inner = getattr(el, el.WhichOneof("type"))
                if el.WhichOneof("type") == "exception":
                    result.exceptions.append(f"{inner.type}: {inner.message}")
                if getattr(inner, "id", "") and getattr(inner, "label", ""):
                    result.widgets[inner.label] = inner.id
            elif kind == "script_finished":
                if fwd.script_finished in (0, 1):
                    result.finished = True
                    return result
        return result


class ByteCounter:
    """A loopback TCP relay to ``port`` that counts the bytes sent each way."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.port = free_port()
        self.down = 0  # server → client
        self.up = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self) -> None:
        with self._lock:
            self.down = self.up = 0

    def close(self) -> None:
        self._stop = True
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target), timeout=30)
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        sel = selectors.DefaultSelector()
        sel.register(client, selectors.EVENT_READ, (client, upstream, "up"))
        sel.register(upstream, selectors.EVENT_READ, (upstream, client, "down"))
        try:
            while not self._stop:
                for key, _ in sel.select(timeout=1.0):
                    src, dst, way = key.data
                    data = src.recv(1 << 16)
                    if not data:
                        return
                    dst.sendall(data)
                    with self._lock:
                        if way == "down":
                            self.down += len(data)
                        else:
                            self.up += len(data)
        except OSError:
            return
        finally:
            sel.close()
            client.close()
            upstream.close()
