"""Benchmark: validating a 1,000,000-row per-officer roster, as a whole process, against 400 MB.

Run: ``python bench/bench_roster_stream.py [--rows 1000000] [--runs 3] [--baseline-repo /work/main]``

Generates deterministic per-officer rosters for Điện Biên's xã (2020 map; the
generator of ``bench/bench_roster.py``, seed 0) in a temporary folder — one of
``--rows`` rows, one of a tenth of that, and a one-row file — then validates
each with ``python -m geo roster validate FILE --vintage 2020`` in a child
process, interleaved, and reports the median wall time and the child's own peak
RSS (``os.wait4``). The one-row file is the floor every validation pays
(interpreter, imports, border analysis of the province); the smaller file is the
scaling baseline. With ``--baseline-repo``, the same CLI from that checkout (e.g.
main, before streaming) validates the big file in the same run.

Exits 1 when the big file's peak is over ``--budget-mb`` (400 MB).
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

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return 1 when the peak memory is over budget."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--budget-mb", type=float, default=400.0)
    ap.add_argument("--baseline-repo", type=Path, default=None,
                    help="a checkout whose `python -m geo roster validate` is compared")
    args = ap.parse_args(argv)
    from bench.bench_roster import make_roster

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        big = make_roster(tmp_path / "roster_big.csv", args.rows)
        small = make_roster(tmp_path / "roster_small.csv", max(args.rows // 10, 200))
        one = tmp_path / "roster_one.csv"
        one.write_text("commune_code,role,trained\n03154,chief,yes\n", encoding="utf-8")
        env = dict(os.environ, BORDERMAP_HOME=str(tmp_path / "home"), PYTHONPATH=str(REPO))

        def cmd(path: Path, *extra: str) -> list[str]:
            return [sys.executable, "-m", "geo", "roster", "validate", str(path),
                    "--vintage", "2020", *extra]

        cases = {
            "one row (process floor)": (cmd(one, "--partial"), env, str(REPO)),
            f"{small.stat().st_size / 1e6:.0f} MB, {max(args.rows // 10, 200):,} rows":
                (cmd(small), env, str(REPO)),
            f"{big.stat().st_size / 1e6:.0f} MB, {args.rows:,} rows": (cmd(big), env, str(REPO)),
        }
        if args.baseline_repo is not None:
            base_env = dict(env, PYTHONPATH=str(args.baseline_repo.resolve()))
            cases[f"{args.rows:,} rows, {args.baseline_repo} (before)"] = (
                cmd(big), base_env, str(args.baseline_repo.resolve()))
        results: dict[str, list[tuple[float, float]]] = {k: [] for k in cases}
        for _ in range(max(1, args.runs)):
            for name, (command, child_env, cwd) in cases.items():
                seconds, rss, rc = run_child(command, env=child_env, cwd=cwd)
                if rc != 0:
                    raise SystemExit(f"{name}: exit {rc}: {' '.join(command)}")
                results[name].append((seconds, rss))

    med = {k: statistics.median(s for s, _ in v) for k, v in results.items()}
    peak = {k: max(r for _, r in v) for k, v in results.items()}
    names = list(cases)
    floor, small_name, big_name = names[0], names[1], names[2]
    print(f"roster validate (per-officer, Điện Biên, 2020 map), whole processes, median of "
          f"{max(1, args.runs)} interleaved runs")
    for name in names:
        print(f"  {name:44s} {med[name]:7.2f} s  peak {peak[name]:6.0f} MB  "
              f"({med[name] / med[small_name]:4.1f}x time, "
              f"{peak[name] / peak[small_name]:4.2f}x peak of the small file)")
    per_row = (peak[big_name] - peak[floor]) * 1e6 / args.rows
    print(f"  above the floor: {peak[big_name] - peak[floor]:.0f} MB for {args.rows:,} rows "
          f"({per_row:.0f} bytes a row); {med[big_name] - med[floor]:.2f} s")
    if args.baseline_repo is not None:
        before = names[3]
        print(f"  streaming vs before: {med[big_name] / med[before]:.2f}x time, "
              f"{peak[big_name] / peak[before]:.2f}x peak")
    over = peak[big_name] > args.budget_mb
    print(f"  target: peak < {args.budget_mb:g} MB: {'NOT MET' if over else 'met'}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
