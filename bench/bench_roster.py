"""Benchmark: validate a 100,000-row per-officer roster and import it into a store.

Generates a synthetic per-officer roster (no names; random roles) for the 115
xã of Điện Biên (2020 map) in a temporary folder, then times, median of
``--runs`` runs: validation alone, import into a fresh temporary SQLite store,
and the whole validate + import. The baseline, measured in the same process,
is a plain ``pandas.read_csv`` of the same file, so the ratio says how much the
checks cost on top of reading. The target is well under 3 s for validation.

Run: ``python bench/bench_roster.py [--rows 100000] [--runs 5]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.registry import load_units  # noqa: E402
from geo.roster import validate_roster  # noqa: E402
from geo.stores.rosters import SQLiteRosterStore  # noqa: E402


def make_roster(path: Path, n_rows: int, *, seed: int = 0) -> Path:
    """Write a synthetic per-officer roster of ``n_rows`` rows for Điện Biên's xã."""
    rng = np.random.default_rng(seed)
    units = load_units("2020", province="Điện Biên")
    xa = units.loc[units["unit_type"] == "Xã", "code"].to_numpy()
    # One chief per commune, the rest deputies / officers / reinforcements.
    chiefs = pd.DataFrame({"commune_code": xa, "role": "Trưởng Công an xã"})
    n_rest = n_rows - len(chiefs)
    rest = pd.DataFrame({
        "commune_code": rng.choice(xa, n_rest),
        "role": rng.choice(["Phó Trưởng Công an xã", "Công an viên", "tăng cường"], n_rest,
                           p=[0.2, 0.7, 0.1]),
    })
    frame = pd.concat([chiefs, rest], ignore_index=True)
    frame["origin_unit"] = np.where(frame["role"] == "tăng cường", "Bộ Công an (synthetic)", "")
    frame["trained"] = rng.choice(["có", "không"], len(frame), p=[0.9, 0.1])
    days = rng.integers(0, 1500, len(frame))
    frame["since"] = (pd.Timestamp("2020-01-01") + pd.to_timedelta(days, unit="D")).strftime(
        "%d/%m/%Y")
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _median_time(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    runs = max(3, args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        path = make_roster(tmp_path / "roster_per_officer.csv", args.rows)
        validate_roster(path)  # warm the registry cache (not timed)
        t_read, _ = _median_time(lambda: pd.read_csv(path, dtype=str), runs)
        t_val, report = _median_time(lambda: validate_roster(path), runs)
        assert report.ok, report.to_frame().head()
        counter = iter(range(10_000))

        def import_fresh() -> int:
            store = SQLiteRosterStore(tmp_path / f"store-{next(counter)}.sqlite")
            return store.import_roster(report, user="bench")

        t_imp, _ = _median_time(import_fresh, runs)

        def both() -> int:
            rep = validate_roster(path)
            store = SQLiteRosterStore(tmp_path / f"store-{next(counter)}.sqlite")
            return store.import_roster(rep, user="bench")

        t_both, _ = _median_time(both, runs)
        size = path.stat().st_size
    print(f"roster: {args.rows:,} per-officer rows, {size / 1e6:.1f} MB, "
          f"{len(report.roster)} communes; median of {runs} runs")
    print(f"  baseline pandas.read_csv : {t_read * 1000:8.1f} ms")
    print(f"  validate_roster          : {t_val * 1000:8.1f} ms  "
          f"({t_val / t_read:.1f}x read_csv; {args.rows / t_val:,.0f} rows/s)")
    print(f"  import into a new store  : {t_imp * 1000:8.1f} ms")
    print(f"  validate + import        : {t_both * 1000:8.1f} ms  (target < 3000 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
