"""Benchmark: build the nationwide tessellation and Điện Biên's four embedded layers.

Target (issue 2): under 10 s on a 2-core machine. Baseline measured in the same
run: reading the registry and the Natural Earth land polygon (the fixed I/O cost
the build cannot avoid), so the ratio shows what the geometry work adds.

Run: python bench/bench_tessellation.py [--runs N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._timing import fmt, median_seconds  # noqa: E402
from geo import boundaries, countries, registry  # noqa: E402


def _clear_caches() -> None:
    registry._load_units_cached.cache_clear()
    registry._load_crosswalk_cached.cache_clear()
    countries._read.cache_clear()
    boundaries._national_layer.cache_clear()


def _inputs_only() -> None:
    _clear_caches()
    registry.load_units("2020")
    registry.load_crosswalk()
    countries.load_vietnam()


def _full_build() -> None:
    _clear_caches()
    boundaries.build_default_layers()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    base, base_times = median_seconds(_inputs_only, runs=args.runs)
    full, full_times = median_seconds(_full_build, runs=args.runs)
    print(f"inputs only (registry + crosswalk + Natural Earth): {fmt(base_times)}")
    print(f"nationwide tessellation + Điện Biên layers:          {fmt(full_times)}")
    print(f"ratio build/inputs: {full / base:.1f}x; target < 10 s: "
          f"{'met' if full < 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
