"""Benchmark: build the nationwide commune layer and Điện Biên's four embedded layers.

Target: the fitted method (the default of ``python -m geo build-default``) under 60 s
on a 2-core machine; the plain Voronoi method was under 10 s. Baseline measured in
the same run: reading the registry and the Natural Earth land polygon (the fixed I/O
cost the build cannot avoid), so the ratio shows what the geometry work adds.

Run: python bench/bench_tessellation.py [--runs N] [--method fitted|voronoi]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._timing import fmt, median_seconds  # noqa: E402
from geo import boundaries, countries, layer, registry  # noqa: E402


def _clear_caches() -> None:
    registry._load_units_cached.cache_clear()
    registry._load_crosswalk_cached.cache_clear()
    countries._read.cache_clear()
    boundaries._national_layer.cache_clear()
    layer.clear_cache()


def _inputs_only() -> None:
    _clear_caches()
    registry.load_units("2020")
    registry.load_crosswalk()
    countries.load_vietnam()


def _full_build(method: str):
    def run() -> None:
        _clear_caches()
        layer.build_province_layers(boundaries.EMBEDDED_PROVINCE_CODE, method=method)
    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--method", choices=layer.METHODS, default="fitted")
    args = parser.parse_args()
    target = 60 if args.method == "fitted" else 10
    base, base_times = median_seconds(_inputs_only, runs=args.runs)
    full, full_times = median_seconds(_full_build(args.method), runs=args.runs, warmup=0)
    print(f"inputs only (registry + crosswalk + Natural Earth): {fmt(base_times)}")
    print(f"nationwide {args.method} layer + Điện Biên layers:   {fmt(full_times)}")
    print(f"ratio build/inputs: {full / base:.1f}x; target < {target} s: "
          f"{'met' if full < target else 'NOT met'}")


if __name__ == "__main__":
    main()
