"""Benchmark: whole-province briefing exports (PNG, PDF, HTML) against a 5 s budget.

Run: ``cd /work/main && /work/venv/bin/python bench/bench_export.py [--runs N]``

In-process: the median over ``--runs`` runs (after one warm-up) of
:func:`geo.export.export_briefing` for the whole of Điện Biên (129 communes, 2020
map, sample roster), per format, timed with ``time.perf_counter``. The baseline,
timed in the same process, is matplotlib writing one blank A4-landscape page in
the same format (PNG at the export's 220 dpi, PDF with TrueType fonts) — the
floor that any matplotlib briefing pays — and, for the data, ``load_coverage``.

Whole process: one ``python -m geo export`` per format via ``subprocess``
(interpreter start, imports, loading the coverage, export), as a user runs it.

Exits 1 if a PNG or PDF export's median is over the budget (``--budget``, 5 s).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._timing import fmt, median_seconds


def _blank_page(path: Path, fmt_: str) -> None:
    import matplotlib
    from matplotlib.figure import Figure

    from geo.export import RC as _RC, PAGE_SIZE_IN, PNG_DPI

    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=PAGE_SIZE_IN, dpi=100)
        fig.text(0.5, 0.5, "Mường Nhé", ha="center")
        fig.savefig(path, format=fmt_, dpi=PNG_DPI)


def main() -> int:
    """Run the benchmark; return 1 when the budget is exceeded."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per format (≥ 3)")
    parser.add_argument("--budget", type=float, default=5.0, help="seconds per PNG/PDF export")
    args = parser.parse_args()
    runs = max(3, args.runs)

    from geo.coverage import load_coverage
    from geo.export import export_briefing

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        env = dict(os.environ, BORDERMAP_HOME=str(tmp_path / "home"))
        os.environ["BORDERMAP_HOME"] = env["BORDERMAP_HOME"]

        t0 = time.perf_counter()
        cov = load_coverage("Điện Biên", vintage="2020")
        first_load = time.perf_counter() - t0
        load_med, load_times = median_seconds(lambda: load_coverage("Điện Biên", vintage="2020"),
                                              runs=runs)
        print(f"coverage: {len(cov)} communes, sample roster={cov.attrs.get('sample_roster')}")
        print(f"load_coverage: first {first_load:.3f} s, then {fmt(load_times)}")

        over = False
        for fmt_ in ("png", "pdf", "html"):
            out = tmp_path / f"briefing.{fmt_}"
            med, times = median_seconds(
                lambda o=out, f=fmt_: export_briefing(cov, fmt=f, out=o, metric="total_police",
                                                      marking="MẬT"), runs=runs)
            size = out.stat().st_size
            line = f"export {fmt_:4s}: {fmt(times)}; {size / 1024:.0f} KiB"
            if fmt_ in ("png", "pdf"):
                base, _ = median_seconds(
                    lambda f=fmt_: _blank_page(tmp_path / f"blank.{f}", f), runs=runs)
                line += (f"; blank {fmt_} page {base:.3f} s → ×{med / base:.1f}; "
                         f"×{med / load_med:.1f} load_coverage")
                ok = med < args.budget
                over |= not ok
                line += f"; budget {args.budget:g} s: {'OK' if ok else 'OVER'}"
            print(line)

        print("whole process (python -m geo export, one run each):")
        for fmt_ in ("png", "pdf", "html"):
            out = tmp_path / f"cli.{fmt_}"
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "geo", "export", "--format", fmt_,
                                   "--out", str(out), "--marking", "MẬT"],
                                  cwd=Path(__file__).resolve().parent.parent, env=env,
                                  capture_output=True, text=True, check=False)
            wall = time.perf_counter() - t0
            status = "ok" if proc.returncode == 0 else f"exit {proc.returncode}: {proc.stderr}"
            print(f"  {fmt_:4s}: {wall:.3f} s ({status})")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
