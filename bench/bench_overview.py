"""Benchmark: the national overview page and the map-render cache — render, rerun, payload.

Run: ``cd /work/main && /work/venv/bin/python bench/bench_overview.py [--runs N] [--vintage V]
[--no-live]``

Figures (medians over ``--runs`` runs after one warm-up, ``time.perf_counter``), each
beside its baseline measured in the same run:

``overview data``
    :func:`geo.services.national_overview` for the border provinces: computed
    (``use_cache=False``: every province's coverage loaded; the baseline) against
    read back from the summary cache in ``BORDERMAP_HOME/cache``.
``first render``
    ``AppTest`` of ``pages/national.py`` in a new session with Streamlit's caches
    cleared before every run (the summary cache on disk is warm: another process
    or an earlier session computed it). Target < 3 s. Baseline: the same with the
    summary cache off — the page as it would be without it (one run: it is slow).
``rerun after a metric change``
    The same session, the metric switched, with the rendered-map cache
    (``pages/_mapcache.py``) against ``st_folium`` on a freshly built map (the
    cache switched off in the same process). Target < 0.5 s. The same for the
    Điện Biên map page.
``payload``
    Real bytes the server sends over the websocket (a counting TCP relay between
    client and ``streamlit run app.py`` on loopback) for the first render of the
    overview and for a rerun after a metric change, with websocket compression on
    (``.streamlit/config.toml``) against off (the baseline, a second server).
    The client sends the hashes of the messages it holds, as the browser does.
    Target < 1 MB.

Exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._timing import fmt, median_seconds, report_targets  # noqa: E402

TARGET_FIRST_S = 3.0
TARGET_RERUN_S = 0.5
TARGET_PAYLOAD_BYTES = 1_000_000
PASSWORD = "Overview-Pw-2026!"


def _clear_st_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _page(path: str, vintage: str):
    from streamlit.testing.v1 import AppTest

    from geo.auth import User

    at = AppTest.from_file(path, default_timeout=600)
    at.session_state["user"] = User("bench", "planner")
    at.session_state["vintage"] = vintage
    return at


def _first_render(path: str, vintage: str) -> float:
    _clear_st_caches()
    t0 = time.perf_counter()
    at = _page(path, vintage).run()
    elapsed = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return elapsed


def _metric_reruns(path: str, vintage: str, key: str, values: list[str], runs: int,
                   *, cached: bool) -> list[float]:
    import pages._mapcache as mapcache

    saved = mapcache.SUPPORTED
    mapcache.SUPPORTED = cached
    try:
        at = _page(path, vintage).run()
        for value in values:  # warm every value once
            at.selectbox(key=key).select(value).run()
        times = []
        for i in range(runs):
            at.selectbox(key=key).select(values[i % len(values)])
            t0 = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - t0)
            if at.exception:
                raise RuntimeError(at.exception[0].value)
        return times
    finally:
        mapcache.SUPPORTED = saved


def _payload(home: Path, log_dir: Path, vintage: str, *, compression: bool) -> dict:
    """Bytes on the wire for the overview's first render and a metric-change rerun."""
    from bench import _live
    from geo.i18n import t
    from geo.national_summary import NATIONAL_METRICS

    env = {"STREAMLIT_SERVER_ENABLE_WEBSOCKET_COMPRESSION": "true" if compression else "false"}
    server = _live.start_server(home, log_dir, env=env)
    relay = _live.ByteCounter(server.port)
    try:
        run, cookie = _live.sign_in(server, "bench", PASSWORD)
        if not cookie:
            raise RuntimeError(f"sign-in failed: {run.text()[:300]}")
        tab = _live.Tab(f"ws://127.0.0.1:{relay.port}/_stcore/stream", cookie=cookie)
        try:
            first = tab.run()  # the default page, to learn the pages
            if vintage != "2025":
                raise RuntimeError("the live payload is measured on the default (2025) map")
            relay.reset()
            first = tab.run(page="national")
            first_bytes = relay.down
            if not first.finished or first.exceptions:
                raise RuntimeError(f"overview did not render: {first.exceptions}")
            label = t("national_metric", "vi")
            wid = first.widgets[label]
            out = {"first_wire": first_bytes, "first_raw": first.message_bytes,
                   "first_s": first.seconds}
            reruns = []
            for metric in NATIONAL_METRICS[1:] + NATIONAL_METRICS[:1]:
                relay.reset()
                res = tab.run([_live.selectbox_state(wid, t(f"nmetric_{metric}", "vi"))],
                              page="national")
                if not res.finished or res.exceptions:
                    raise RuntimeError(f"rerun failed: {res.exceptions}")
                reruns.append((relay.down, res.message_bytes, res.seconds, res.references))
            out["rerun_wire"] = statistics.median(r[0] for r in reruns)
            out["rerun_raw"] = statistics.median(r[1] for r in reruns)
            out["rerun_s"] = statistics.median(r[2] for r in reruns)
            # back to a metric this tab has seen: the map may come as a reference
            relay.reset()
            res = tab.run([_live.selectbox_state(wid, t(f"nmetric_{NATIONAL_METRICS[1]}",
                                                      "vi"))], page="national")
            out["repeat_wire"], out["repeat_refs"] = relay.down, res.references
        finally:
            tab.close()
    finally:
        relay.close()
        _live.stop_server(server)
    return out


def main() -> int:
    """Run the benchmark; return 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (≥ 3)")
    parser.add_argument("--vintage", default="2025", choices=("2020", "2025"))
    parser.add_argument("--no-live", action="store_true",
                        help="skip the payload measured on a live server")
    args = parser.parse_args()
    runs = max(3, args.runs)
    logging.disable(logging.WARNING)

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        os.environ["BORDERMAP_HOME"] = str(home)
        os.environ["BORDERMAP_TILES"] = "offline"
        from geo import services
        from geo.settings import REPO_ROOT

        national = str(REPO_ROOT / "pages" / "national.py")
        map_page = str(REPO_ROOT / "pages" / "map.py")

        # --- overview data: computed (baseline) vs read from the summary cache
        t0 = time.perf_counter()
        services.national_overview(vintage=args.vintage, use_cache=False)
        very_first = time.perf_counter() - t0
        comp_med, comp_times = median_seconds(
            lambda: services.national_overview(vintage=args.vintage, use_cache=False),
            runs=max(1, runs // 2), warmup=0)
        services.national_overview(vintage=args.vintage)  # writes the summary cache
        read_med, read_times = median_seconds(
            lambda: services.national_overview(vintage=args.vintage), runs=runs)
        print(f"overview data ({args.vintage} map): computed {fmt(comp_times)} (very first in "
              f"the process {very_first:.2f} s); from the summary cache {fmt(read_times)} "
              f"→ ×{comp_med / read_med:.0f} faster")

        # --- first render of the page, Streamlit caches cleared
        _first_render(national, args.vintage)
        first_times = [_first_render(national, args.vintage) for _ in range(runs)]
        first_med = statistics.median(first_times)
        import geo.services.national as svc

        original = svc.national_overview
        svc.national_overview = lambda *a, **k: original(*a, **{**k, "use_cache": False})
        services.national_overview = svc.national_overview
        try:
            nocache_first = _first_render(national, args.vintage)
        finally:
            svc.national_overview = services.national_overview = original
        print(f"first render of the overview (AppTest, fresh session cache, summary cache "
              f"warm): {fmt(first_times)}; without the summary cache {nocache_first:.2f} s "
              f"→ ×{nocache_first / first_med:.1f}")

        # --- reruns after a metric change: rendered-map cache vs st_folium on a new map
        from geo.national_summary import NATIONAL_METRICS

        key = "national_metric__vi"
        cached = _metric_reruns(national, args.vintage, key, list(NATIONAL_METRICS), runs,
                                cached=True)
        fresh = _metric_reruns(national, args.vintage, key, list(NATIONAL_METRICS), runs,
                               cached=False)
        rerun_med = statistics.median(cached)
        print(f"overview rerun after a metric change: cached map {fmt(cached)}; st_folium on "
              f"a new map {fmt(fresh)} → ×{statistics.median(fresh) / rerun_med:.1f}")
        mkey, mvalues = "metric__vi", ["staffing_gap", "total_police", "border_km"]
        m_cached = _metric_reruns(map_page, args.vintage, mkey, mvalues, runs, cached=True)
        m_fresh = _metric_reruns(map_page, args.vintage, mkey, mvalues, runs, cached=False)
        print(f"Điện Biên map page rerun after a metric change: cached map {fmt(m_cached)}; "
              f"st_folium on a new map {fmt(m_fresh)} → "
              f"×{statistics.median(m_fresh) / statistics.median(m_cached):.1f}")

        # --- payload on the wire (live servers)
        payload = None
        if not args.no_live:
            from bench import _live

            _live.add_user(home, "bench", PASSWORD)
            logs = Path(tmp) / "logs"
            logs.mkdir()
            payload = _payload(home, logs, args.vintage, compression=True)
            plain = _payload(home, logs, args.vintage, compression=False)
            for name, got in (("compression on", payload), ("compression off (baseline)",
                                                           plain)):
                print(f"payload, {name}: first render {got['first_wire'] / 1e6:.3f} MB on the "
                      f"wire ({got['first_raw'] / 1e6:.3f} MB of messages, "
                      f"{got['first_s']:.2f} s); rerun after a metric change "
                      f"{got['rerun_wire'] / 1e6:.3f} MB on the wire "
                      f"({got['rerun_raw'] / 1e6:.3f} MB, {got['rerun_s']:.2f} s); back to a "
                      f"metric seen before {got['repeat_wire'] / 1e3:.1f} kB "
                      f"({got['repeat_refs']} element(s) sent as a reference)")
            print(f"payload ratio (compression on / off): first render "
                  f"×{payload['first_wire'] / plain['first_wire']:.2f}, rerun "
                  f"×{payload['rerun_wire'] / max(plain['rerun_wire'], 1):.2f}")

    checks = [("first render", first_med, TARGET_FIRST_S, "s"),
              ("rerun after a metric change", rerun_med, TARGET_RERUN_S, "s")]
    if payload:
        checks.append(("payload (first render, on the wire)",
                       payload["first_wire"] / 1e6, TARGET_PAYLOAD_BYTES / 1e6, "MB"))
    return 1 if report_targets(checks) else 0


if __name__ == "__main__":
    sys.exit(main())
