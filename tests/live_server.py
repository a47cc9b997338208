"""A Streamlit server of the app on a free loopback port, for the tests that need a live one
(tests/security, tests/e2e): started with its own ``BORDERMAP_HOME``, waited for until its
health check answers, always stopped."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from geo.settings import REPO_ROOT

START_TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running ``streamlit run app.py``."""

    port: int
    home: Path
    log_path: Path
    proc: subprocess.Popen

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/_stcore/stream"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_server(home: Path, log_dir: Path, *, env: dict | None = None,
                 cwd: Path = REPO_ROOT) -> Server:
    """Start the app on a free loopback port with ``BORDERMAP_HOME=home``; wait for health.

    ``cwd`` is the folder holding ``app.py`` (default the repository).
    """
    port = free_port()
    log_path = log_dir / f"streamlit-{port}.log"
    full_env = {**os.environ, "BORDERMAP_HOME": str(home), "BORDERMAP_TILES": "offline",
                **(env or {})}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=cwd, env=full_env, stdout=log,
                                stderr=subprocess.STDOUT)
    server = Server(port, home, log_path, proc)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{server.log()[-3000:]}")
        if health(server) == 200:
            return server
        if time.monotonic() > deadline:
            stop_server(server)
            raise RuntimeError(f"streamlit did not start within {START_TIMEOUT_S} s:\n"
                               f"{server.log()[-3000:]}")
        time.sleep(0.3)


def stop_server(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait(timeout=15)


@contextmanager
def running(home: Path, log_dir: Path, **kwargs):
    server = start_server(home, log_dir, **kwargs)
    try:
        yield server
    finally:
        stop_server(server)


def health(server: Server) -> int:
    """The status of ``/_stcore/health`` (0 when nothing answers)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
    try:
        conn.request("GET", "/_stcore/health")
        return conn.getresponse().status
    except OSError:
        return 0
    finally:
        conn.close()
