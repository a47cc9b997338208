"""Benchmark: the 25-province briefing PDF (border communes) as a whole process, against 15 s.

Run: ``python bench/bench_export_national.py [--runs 3] [--vintage 2020] [--all-communes]``

Each figure is the median over ``--runs`` runs of one ``python -m geo …`` child
process (interpreter start, imports, loading, writing), with the child's own
peak RSS (``os.wait4``), all in the same run and a fresh ``BORDERMAP_HOME``:

* baseline — ``export --province "Điện Biên"`` (one province, PDF, the embedded layer);
* layers — ``communes --province border`` (loading the 25 provinces' communes, no
  briefing): what the briefing pays before it draws, which the prebuilt national
  layer (issue #15, item 6) makes cheap;
* the 25-province briefing — ``export --province border --format pdf``;
* with ``--all-communes``, also the same listing every commune (the old behaviour
  of a national PDF: a table of every unit), run once.

Prints the ratios against the baseline, the briefing's own share (briefing − layers),
the pages written, and exits 1 when the 25-province median is over ``--budget`` (15 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._timing import run_child  # noqa: E402


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return 1 when the 25-province briefing is over budget."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--vintage", default="2020", choices=("2020", "2025"))
    ap.add_argument("--budget", type=float, default=15.0)
    ap.add_argument("--all-communes", action="store_true",
                    help="also time the 25-province PDF of every commune (once)")
    args = ap.parse_args(argv)
    runs = max(1, args.runs)
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        env = dict(os.environ, BORDERMAP_HOME=str(tmp_path / "home"))
        out_one, out_25 = tmp_path / "dien_bien.pdf", tmp_path / "border.pdf"
        cases = {
            "baseline: Điện Biên PDF": [py, "-m", "geo", "export", "--province", "Điện Biên",
                                        "--vintage", args.vintage, "--out", str(out_one)],
            "layers: communes --province border": [
                py, "-m", "geo", "communes", "--province", "border", "--vintage",
                args.vintage, "--format", "csv"],
            "25-province PDF (border communes)": [
                py, "-m", "geo", "export", "--province", "border", "--vintage", args.vintage,
                "--out", str(out_25)],
        }
        results: dict[str, list[tuple[float, float]]] = {k: [] for k in cases}
        for _ in range(runs):  # interleaved, so a busy machine slows every case alike
            for name, cmd in cases.items():
                seconds, rss, rc = run_child(cmd, env=env)
                if rc != 0:
                    raise SystemExit(f"{name}: exit {rc}: {' '.join(cmd)}")
                results[name].append((seconds, rss))
        extra = None
        if args.all_communes:
            out_all = tmp_path / "border_all.pdf"
            seconds, rss, rc = run_child(cases["25-province PDF (border communes)"][:-2]
                                         + ["--all-communes", "--out", str(out_all)], env=env)
            extra = (seconds, rss, _pages(out_all) if rc == 0 else 0)
        pages_one, pages_25 = _pages(out_one), _pages(out_25)

    med = {k: statistics.median(s for s, _ in v) for k, v in results.items()}
    peak = {k: max(r for _, r in v) for k, v in results.items()}
    base = med["baseline: Điện Biên PDF"]
    print(f"briefing PDFs, {args.vintage} map, whole processes, median of {runs} "
          f"interleaved runs")
    for name in cases:
        print(f"  {name:38s} {med[name]:7.2f} s  ({med[name] / base:4.1f}x baseline)  "
              f"peak {peak[name]:6.0f} MB")
    own = med["25-province PDF (border communes)"] - med["layers: communes --province border"]
    print(f"  pages: Điện Biên {pages_one}, 25 provinces {pages_25}; the 25-province "
          f"briefing's own share (PDF − layers): {own:.2f} s")
    if extra is not None:
        print(f"  25-province PDF, every commune (once)   {extra[0]:7.2f} s  "
              f"({extra[0] / base:4.1f}x baseline)  peak {extra[1]:6.0f} MB, {extra[2]} pages")
    over = med["25-province PDF (border communes)"] > args.budget
    print(f"  target: 25-province PDF < {args.budget:g} s: {'NOT MET' if over else 'met'}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
