"""Load test: concurrent sessions on the Điện Biên map page across two app processes.

Run: ``cd /work/main && /work/venv/bin/python bench/bench_load.py [--sessions 8]
[--reruns 10] [--processes 2]``

Bounded and loopback only. In a temporary ``BORDERMAP_HOME`` an account is created
with ``python -m geo users add``; ``--processes`` servers (``streamlit run app.py``)
start on free loopback ports sharing that home. ``--sessions`` sessions sign in,
each on one process and then served by the *other* one (the session cookie is
accepted by every process sharing the home), open the map page once (the first
render, reported apart); one session per process shows every metric once (the
warm-up: each process renders each map once), and then all at once from their own threads, rerun the
page ``--reruns`` times, switching the map metric each time, as a browser does
(widget state and the hashes of the messages it holds). A rerun is timed from the
request to the script's end on the client.

Figures: p50 / p95 / max of the concurrent reruns and the errors (an exception
drawn, a run that did not finish, a lost connection), beside the baseline measured
in the same run: one session alone doing the same reruns. Targets: median < 0.5 s,
p95 < 1.5 s, no errors. Exits 1 if one is missed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._timing import report_targets  # noqa: E402

TARGET_P50_S = 0.5
TARGET_P95_S = 1.5
PASSWORD = "Load-test-Pw-2026!"
METRICS = ("staffing_gap", "reinforcements", "border_km", "total_police")


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _session(tab, wid: str, reruns: int, offset: int, times: list, errors: list,
             start: threading.Barrier | None) -> None:
    from bench import _live
    from geo.i18n import metric_label

    if start is not None:
        start.wait(timeout=120)
    for i in range(reruns):
        metric = METRICS[(i + offset) % len(METRICS)]
        try:
            res = tab.run([_live.selectbox_state(wid, metric_label(metric, "vi"))])
        except Exception as err:  # noqa: BLE001 - a lost connection is an error to count
            errors.append(f"{type(err).__name__}: {err}")
            return
        if not res.finished:
            errors.append("run did not finish")
        elif res.exceptions:
            errors.append("; ".join(res.exceptions))
        else:
            times.append(res.seconds)


def _cpu_s(pid: int) -> float:
    """Return the CPU seconds (user + system) a process has used so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def _rss_mb(pid: int) -> float:
    """Return a process's resident memory in MB (Linux /proc)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return float("nan")


def main() -> int:
    """Run the load test; return 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--reruns", type=int, default=10, help="reruns per session")
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    sessions = max(1, min(args.sessions, 32))
    processes = max(1, min(args.processes, 4))

    from bench import _live
    from geo.i18n import t

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        logs = Path(tmp) / "logs"
        logs.mkdir()
        _live.add_user(home, "bench", PASSWORD)
        t0 = time.perf_counter()
        servers = [_live.start_server(home, logs) for _ in range(processes)]
        print(f"{processes} app processes on ports {[s.port for s in servers]} sharing one "
              f"BORDERMAP_HOME (started in {time.perf_counter() - t0:.1f} s)")
        tabs = []
        try:
            label = t("metric", "vi")
            firsts, wid = [], None
            for i in range(sessions):
                signed_on = servers[(i + 1) % processes]
                served_by = servers[i % processes]
                run, cookie = _live.sign_in(signed_on, "bench", PASSWORD)
                if not cookie:
                    raise RuntimeError(f"sign-in {i} failed: {run.text()[:300]}")
                tab = _live.Tab(served_by.ws, cookie=cookie)
                tabs.append(tab)
                first = tab.run()
                if not first.finished or first.exceptions or label not in first.widgets:
                    raise RuntimeError(f"session {i}: the map page did not render "
                                       f"({first.exceptions or sorted(first.widgets)})")
                firsts.append(first.seconds)
                wid = first.widgets[label]
            print(f"first render of the map page per session (sequential, cold then warm "
                  f"caches): {', '.join(f'{s:.2f}' for s in firsts)} s")

            # warm-up: every metric once in every process (each process builds its maps once)
            for tab in tabs[:processes]:
                _session(tab, wid, len(METRICS), 0, [], [], None)

            # baseline: one session alone, same reruns
            alone: list[float] = []
            alone_errors: list[str] = []
            _session(tabs[0], wid, args.reruns, 0, alone, alone_errors, None)
            print(f"baseline, 1 session alone: p50 {_p(alone, 0.5):.3f} s, p95 "
                  f"{_p(alone, 0.95):.3f} s, max {max(alone or [float('nan')]):.3f} s "
                  f"(n={len(alone)}, errors {len(alone_errors)})")

            times: list[list[float]] = [[] for _ in tabs]
            errors: list[list[str]] = [[] for _ in tabs]
            barrier = threading.Barrier(len(tabs))
            threads = [threading.Thread(target=_session, args=(tab, wid, args.reruns, i,
                                                               times[i], errors[i], barrier))
                       for i, tab in enumerate(tabs)]
            cpu0 = [_cpu_s(server.proc.pid) for server in servers]
            own0 = time.process_time()
            t0 = time.perf_counter()
            for th in threads:
                th.start()
            for th in threads:
                th.join(timeout=600)
            wall = time.perf_counter() - t0
            server_cpu = [_cpu_s(server.proc.pid) - c for server, c in zip(servers, cpu0)]
            client_cpu = time.process_time() - own0
            hung = sum(th.is_alive() for th in threads)
            every = [x for ts in times for x in ts]
            all_errors = [e for es in errors for e in es] + ["session hung"] * hung
            p50, p95 = _p(every, 0.5), _p(every, 0.95)
            print(f"{len(tabs)} concurrent sessions × {args.reruns} reruns on {processes} "
                  f"processes: p50 {p50:.3f} s, p95 {p95:.3f} s, max {max(every or [0]):.3f} s "
                  f"(n={len(every)}, {wall:.1f} s wall, {len(every) / wall:.1f} reruns/s); "
                  f"errors {len(all_errors)}; ×{p50 / _p(alone, 0.5):.1f} the 1-session "
                  f"median")
            for i in range(processes):
                mine = [x for j, ts in enumerate(times) if j % processes == i for x in ts]
                print(f"  process {i + 1} (port {servers[i].port}): p50 {_p(mine, 0.5):.3f} s, "
                      f"p95 {_p(mine, 0.95):.3f} s, n={len(mine)}")
            n = max(1, len(every))
            print(f"  CPU per rerun: servers {1000 * sum(server_cpu) / n:.0f} ms "
                  f"({', '.join(f'{c:.1f}' for c in server_cpu)} s in all), this load "
                  f"client {1000 * client_cpu / n:.0f} ms; load average "
                  f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} "
                  f"({os.cpu_count()} CPUs); server memory "
                  f"{', '.join(f'{_rss_mb(s.proc.pid):.0f}' for s in servers)} MB")
            for err in sorted(set(all_errors))[:5]:
                print(f"  error: {err[:300]}")
        finally:
            for tab in tabs:
                try:
                    tab.close()
                except Exception:  # noqa: BLE001 - closing what may be gone already
                    pass
            for server in servers:
                _live.stop_server(server)

    missed = report_targets([("median rerun", p50, TARGET_P50_S, "s"),
                             ("p95 rerun", p95, TARGET_P95_S, "s")])
    missed |= bool(all_errors)
    print(f"{'OK  ' if not all_errors else 'MISS'} errors: {len(all_errors)} (target 0)")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
