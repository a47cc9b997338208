"""Tiny timing helper shared by the benchmarks: medians over repeated runs."""

from __future__ import annotations

import statistics
import time
from typing import Callable


def median_seconds(fn: Callable[[], object], *, runs: int = 5, warmup: int = 1) -> tuple[float, list[float]]:
    """Run ``fn`` ``warmup`` times untimed, then ``runs`` times; return the median and all times."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def fmt(times: list[float]) -> str:
    """Format min/median/max of a list of seconds."""
    return (f"median {statistics.median(times):.3f} s "
            f"(min {min(times):.3f}, max {max(times):.3f}, n={len(times)})")


def run_child(cmd: list[str], *, env: dict | None = None, cwd: str | None = None
              ) -> tuple[float, float, int]:
    """Run ``cmd`` as a child process; return (wall seconds, its peak RSS in MB, exit code).

    The peak is the child's own: GNU ``/usr/bin/time -f %M`` runs it when present (a
    child's ``ru_maxrss`` from ``wait4`` also counts the RSS its parent had when it
    forked, so a benchmark that holds a big frame would inflate every child); else
    ``os.wait4``'s ``ru_maxrss``.
    """
    import os
    import shutil
    import subprocess
    import tempfile

    gnu_time = shutil.which("time", path="/usr/bin")
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as out:
        full = [gnu_time, "-f", "%M", "-o", out.name, *cmd] if gnu_time else cmd
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        text = out.read().strip().splitlines() if gnu_time else []
    kib = int(text[-1]) if text and text[-1].isdigit() else usage.ru_maxrss
    return seconds, kib / 1024, proc.returncode


def report_targets(checks: list[tuple[str, float, float, str]]) -> bool:
    """Print ``OK``/``MISS`` for each ``(name, value, target, unit)`` (value < target);
    return whether any target was missed."""
    missed = False
    for name, value, target, unit in checks:
        ok = value < target
        missed |= not ok
        print(f"{'OK  ' if ok else 'MISS'} {name}: {value:.3f} {unit} (target < {target:g} {unit})")
    return missed
