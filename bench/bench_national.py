"""Benchmark: communes of non-default provinces as whole processes, from the prebuilt layer.

Run: ``cd /work/main && /work/venv/bin/python bench/bench_national.py [--runs N] [--separate K]``

Every case is a whole ``python`` process (start-up and imports included), run ``--runs``
times, the cases interleaved so that machine noise falls on all of them alike; the
figures are medians.

* ``communes Lai Châu``: ``python -m geo communes --province "Lai Châu" --vintage 2020``
  (read from ``data/shapefiles/vietnam_communes_2020.parquet``, border flags, CSV out);
* baseline ``read Lai Châu``: a process that only imports the reader and reads Lai Châu's
  rows of the prebuilt layer (:func:`geo.layer.prebuilt.read_national_layer`);
* context ``communes Điện Biên``: the same command on the embedded shapefile;
* ``communes border``: the 25 land-border provinces (2020 map) in one call;
* ``25 separate calls``: ``--separate K`` border provinces, one process each, the median
  per call × 25 (an extrapolation, printed as such).

Processes keep compiled bytecode as an installed app does (in a temporary
``PYTHONPYCACHEPREFIX``, warmed by one run per case); ``--no-bytecode-cache`` runs them with
``PYTHONDONTWRITEBYTECODE=1`` instead, so that each one compiles the project's modules.

Targets (issue #15): one non-default province within 1.5× of reading the prebuilt layer;
all 25 border provinces in one call under 3 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench._timing import fmt  # noqa: E402

READ_ONLY = ("from geo.layer.prebuilt import read_national_layer; "
             "gdf = read_national_layer('2020', ['12']); assert len(gdf) == 106")
#: Border provinces timed one process each (2020 names), for the 25-call extrapolation.
SEPARATE = ("Lai Châu", "Hà Giang", "Kon Tum", "An Giang", "Quảng Trị")


def _communes(province: str) -> list[str]:
    return [sys.executable, "-m", "geo", "communes", "--province", province, "--vintage", "2020"]


def _cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def _run(cmd: list[str], env: dict) -> tuple[float, float]:
    """Run one process; return its wall time and CPU time (user + system), in seconds."""
    c0, t0 = _cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=False)
    elapsed, cpu = time.perf_counter() - t0, _cpu() - c0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per case (default 5)")
    parser.add_argument("--separate", type=int, default=3,
                        help="border provinces timed one process each, extrapolated to 25 "
                             "(default 3; 0 to skip)")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="run every process with PYTHONDONTWRITEBYTECODE=1 (each one "
                             "compiles the project's modules; the default caches them)")
    args = parser.parse_args()
    for name in ("vietnam_communes_2020.parquet", "vietnam_communes_2025.parquet"):
        if not (REPO / "data" / "shapefiles" / name).exists():
            raise SystemExit(f"data/shapefiles/{name} is missing: run `python -m geo build-default`")

    env = dict(os.environ, BORDERMAP_HOME=tempfile.mkdtemp(prefix="bench-national-"))
    if args.no_bytecode_cache:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        bytecode = "no bytecode cache: every process compiles the project's modules"
    else:
        # as an installed app runs: Python keeps compiled modules (this machine's
        # environment sets PYTHONDONTWRITEBYTECODE=1, which makes every process
        # compile geo's ~60 modules again, ~0.25 s); kept outside the source tree
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="bench-national-pyc-")
        bytecode = "bytecode cached (as installed), warmed by one run per case"
    cases = {
        "read Lai Châu (baseline)": [sys.executable, "-c", READ_ONLY],
        "communes Lai Châu": _communes("Lai Châu"),
        "communes Điện Biên (embedded)": _communes("Điện Biên"),
        "communes border (25 provinces)": _communes("border"),
    }
    separate = SEPARATE[:max(0, min(args.separate, len(SEPARATE)))]
    for name in separate:
        cases[f"separate: {name}"] = _communes(name)
    for cmd in cases.values():  # warm the file cache and the bytecode
        _run(cmd, env)
    times: dict[str, list[float]] = {k: [] for k in cases}
    cpu: dict[str, list[float]] = {k: [] for k in cases}
    load = [os.getloadavg()[0]]
    for _ in range(args.runs):
        for key, cmd in cases.items():
            wall, used = _run(cmd, env)
            times[key].append(wall)
            cpu[key].append(used)
        load.append(os.getloadavg()[0])

    med = {k: statistics.median(v) for k, v in times.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    base = med["read Lai Châu (baseline)"]
    base_cpu = med_cpu["read Lai Châu (baseline)"]
    print(f"bench_national: whole processes, {args.runs} runs each, interleaved; "
          f"{os.cpu_count()} cores, load average {min(load):.1f}–{max(load):.1f} during the runs")
    print(f"  {bytecode}")
    print("  wall time (and CPU time = user + system of the process, less sensitive to load)")
    for key, values in times.items():
        print(f"  {key:34s} {fmt(values)}  = {med[key] / base:.2f}× baseline; "
              f"CPU {med_cpu[key]:.2f} s = {med_cpu[key] / base_cpu:.2f}×")
    one = med["communes Lai Châu"]
    print(f"communes Lai Châu / read Lai Châu: {one / base:.2f}× wall, "
          f"{med_cpu['communes Lai Châu'] / base_cpu:.2f}× CPU (target ≤ 1.5×)")
    print(f"communes Lai Châu / communes Điện Biên (embedded): "
          f"{one / med['communes Điện Biên (embedded)']:.2f}×")
    border = med["communes border (25 provinces)"]
    print(f"communes border, 25 provinces in one call: {border:.2f} s wall, "
          f"{med_cpu['communes border (25 provinces)']:.2f} s CPU (target < 3 s)")
    if separate:
        per_call = statistics.median(med[f"separate: {n}"] for n in separate)
        print(f"25 separate calls (extrapolated from {len(separate)} provinces, median "
              f"{per_call:.2f} s per call × 25): {per_call * 25:.1f} s — one call is "
              f"{per_call * 25 / border:.1f}× faster")


if __name__ == "__main__":
    main()
