"""Benchmark: the Streamlit app's map page — first render, rerun, map HTML size.

Run: ``cd /work/main && /work/venv/bin/python bench/bench_app.py [--runs N]``

Figures (medians over ``--runs`` runs, after one warm-up, ``time.perf_counter``):

``first render``
    ``AppTest.from_file("app.py").run()`` with Streamlit's caches cleared before
    every run (coverage loaded, features simplified, map built and handed to
    st_folium) — a new session on a fresh cache. Target < 3 s. The very first
    run of the process (imports, Natural Earth read) is printed apart, and so is
    a whole new Python process doing one render (as after a server restart).
``rerun``
    The same session after a widget change with a warm cache: the border filter
    switched between "China" and "any" on the planners' page, and the metric
    changed on the map page. Target < 0.5 s.
``map HTML``
    :func:`geo.maps.build_coverage_map` for the whole province plus rendering
    its HTML, the HTML's size (target < 2 MB) and the standalone (inlined) size.

Baseline, in the same process: a naive folium map of the same frame —
``folium.GeoJson(cov.to_json())`` with every column and unsimplified polygons —
built and rendered, and its HTML size; ratios are printed against it.

Exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._timing import fmt, median_seconds, report_targets  # noqa: E402

TARGET_FIRST_S = 3.0
TARGET_RERUN_S = 0.5
TARGET_HTML_BYTES = 2_000_000


def _clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _signed_in(app: str):
    """The app with a planner signed in (sign-in itself is not what is measured)."""
    from streamlit.testing.v1 import AppTest

    from geo.auth import User

    at = AppTest.from_file(app, default_timeout=120)
    at.session_state["user"] = User("bench", "planner")
    return at


def _first_render(app: str) -> float:
    _clear_caches()
    t0 = time.perf_counter()
    at = _signed_in(app).run()
    elapsed = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return elapsed


def _reruns(app: str, page: str | None, key: str, values: list[str], runs: int) -> list[float]:
    at = _signed_in(app).run()
    if page:
        at.switch_page(page).run()
    at.selectbox(key=key).select(values[-1]).run()  # warm every value once
    times = []
    for i in range(runs):
        at.selectbox(key=key).select(values[i % len(values)])
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        if at.exception:
            raise RuntimeError(at.exception[0].value)
    return times


def _cold_process(app: str) -> float:
    """Seconds for a new interpreter to import everything and render the map page once."""
    code = ("import logging; logging.disable(logging.WARNING)\n"
            "from streamlit.testing.v1 import AppTest\n"
            "from geo.auth import User\n"
            f"at = AppTest.from_file({app!r}, default_timeout=120)\n"
            "at.session_state['user'] = User('bench', 'planner')\n"
            "at.run()\n"
            "assert not at.exception, at.exception\n")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - t0


def _naive_map(cov) -> str:
    import folium

    minx, miny, maxx, maxy = cov.total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], tiles=None, zoom_start=8)
    folium.GeoJson(cov.to_json(), name="communes",
                   tooltip=folium.GeoJsonTooltip(fields=["name"])).add_to(m)
    return m.get_root().render()


def main() -> int:
    """Run the benchmark; return 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (≥ 3)")
    args = parser.parse_args()
    runs = max(3, args.runs)
    logging.disable(logging.WARNING)

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["BORDERMAP_HOME"] = str(Path(tmp) / "home")
        from geo import maps, offline_assets
        from geo.coverage import load_coverage
        from geo.settings import REPO_ROOT

        app = str(REPO_ROOT / "app.py")

        # --- map HTML (library level) and the naive baseline
        cov = load_coverage("Điện Biên", vintage="2020")
        features = maps.commune_features(cov)
        build_med, build_times = median_seconds(
            lambda: maps.build_coverage_map(cov, features=features).get_root().render(),
            runs=runs)
        feat_med, feat_times = median_seconds(lambda: maps.commune_features(cov), runs=runs)
        html = maps.build_coverage_map(cov, features=features).get_root().render()
        inline = offline_assets.inline_map_html(maps.build_coverage_map(cov, features=features))
        base_med, base_times = median_seconds(lambda: _naive_map(cov), runs=runs)
        naive = _naive_map(cov)
        size, naive_size = len(html.encode()), len(naive.encode())
        print(f"coverage: {len(cov)} communes (2020 map), sample roster="
              f"{cov.attrs.get('sample_roster')}")
        print(f"display features (simplify 75 m, round 5 dp): {fmt(feat_times)}")
        print(f"map build + HTML: {fmt(build_times)}; naive folium {base_med:.3f} s "
              f"→ ×{build_med / base_med:.2f}")
        print(f"map HTML: {size / 1e6:.3f} MB (standalone, assets inlined: "
              f"{len(inline.encode()) / 1e6:.3f} MB); naive folium {naive_size / 1e6:.3f} MB "
              f"→ ×{size / naive_size:.2f}")

        # --- app: first render on a fresh cache, reruns with a warm one
        t0 = time.perf_counter()
        _first_render(app)
        very_first = time.perf_counter() - t0
        first_times = [_first_render(app) for _ in range(runs)]
        first_med = statistics.median(first_times)
        print(f"first render of the map page (AppTest, fresh cache): {fmt(first_times)}; "
              f"very first run of the process {very_first:.3f} s")
        border_times = _reruns(app, "pages/border.py", "f_border__vi", ["CHN", "any"], runs)
        metric_times = _reruns(app, None, "metric__vi", ["staffing_gap", "total_police"], runs)
        rerun_med = max(statistics.median(border_times), statistics.median(metric_times))
        print(f"rerun after the border filter changes (warm cache): {fmt(border_times)}")
        print(f"rerun after the map metric changes (warm cache): {fmt(metric_times)}")
        print(f"first render / map build ×{first_med / build_med:.1f}")
        cold = [_cold_process(app) for _ in range(3)]
        print(f"first render in a new Python process (interpreter, imports, Natural Earth, "
              f"coverage, map): {fmt(cold)}")

    checks = [
        ("first render", first_med, TARGET_FIRST_S, "s"),
        ("rerun", rerun_med, TARGET_RERUN_S, "s"),
        ("map HTML", size / 1e6, TARGET_HTML_BYTES / 1e6, "MB"),
    ]
    return 1 if report_targets(checks) else 0


if __name__ == "__main__":
    sys.exit(main())
