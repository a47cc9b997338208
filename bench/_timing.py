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

    The peak is the child's own ``ru_maxrss`` from ``os.wait4`` (not the running
    maximum over every child that ``RUSAGE_CHILDREN`` gives).
    """
    import os
    import subprocess

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss / 1024, proc.returncode
