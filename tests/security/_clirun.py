"""Run the CLI in a subprocess and measure its wall time and peak memory."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

#: Address-space cap of the child: a regression fails the test instead of the machine.
GUARD_BYTES = 6 << 30


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mb: float


def _guard() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (GUARD_BYTES, GUARD_BYTES))


def run_cli(*args: str, home: Path, timeout: float = 120.0, env: dict | None = None) -> Run:
    """Run ``python -m geo ARGS`` with ``BORDERMAP_HOME=home``; measure time and peak RSS.

    ``os.wait4`` returns the resource usage of that one child, so the peak
    memory is the CLI's own, not the test process's.
    """
    environ = {**os.environ, "BORDERMAP_HOME": str(home), **(env or {})}
    out, err = home / ".stdout", home / ".stderr"
    with out.open("wb") as fo, err.open("wb") as fe:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "geo", *args], cwd=REPO, env=environ,
                                stdout=fo, stderr=fe, stdin=subprocess.DEVNULL,
                                preexec_fn=_guard)
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(proc.returncode, out.read_text(encoding="utf-8", errors="replace"),
               err.read_text(encoding="utf-8", errors="replace"), seconds,
               usage.ru_maxrss / 1024)
