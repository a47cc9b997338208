"""Benchmark: flag every commune of Vietnam against every neighbouring country.

Run: ``cd /work/main && /work/venv/bin/python bench/bench_borders.py [--runs N] [--sample K]``

Times :func:`geo.borders.flag_border_communes` on the whole 2020 commune layer
(the approximate national layer, ~10,000 units, given in EPSG:4326 so the timing
includes the reprojection) and, in the same process, a straightforward baseline:
for each commune, for each country, intersect the commune's boundary buffered by
the tolerance with that country's border line and take the length. The baseline
runs on a random sample of communes and is extrapolated to the whole layer. It
does less than the vectorised function (no distances, no belts, no
de-duplication), so the speed-up is a conservative figure.

Targets: whole country under 2 s; at least 20x faster than the loop.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.borders import border_lines, flag_border_communes  # noqa: E402
from geo.countries import load_vietnam  # noqa: E402
from geo.settings import BORDER_TOLERANCE_M, DISPLAY_CRS, METRIC_CRS  # noqa: E402


def national_layer() -> tuple[gpd.GeoDataFrame, str]:
    """Return the 2020 national commune layer (EPSG:4326) and a description of it."""
    try:
        from geo.layer import build_national_layer
    except ImportError:
        return synthetic_layer(), "synthetic grid clipped to Vietnam (geo.layer missing)"
    layer = build_national_layer().to_crs(DISPLAY_CRS)
    return layer, "approximate national 2020 layer (geo.layer.build_national_layer)"


def synthetic_layer(cell_m: float = 5_750.0) -> gpd.GeoDataFrame:
    """Return a grid of square cells clipped to Vietnam's land (about 10,000 cells)."""
    vnm = load_vietnam().to_crs(METRIC_CRS).geometry.iloc[0]
    x1, y1, x2, y2 = vnm.bounds
    xs, ys = np.meshgrid(np.arange(x1, x2, cell_m), np.arange(y1, y2, cell_m))
    cells = shapely.box(xs.ravel(), ys.ravel(), xs.ravel() + cell_m, ys.ravel() + cell_m)
    cells = cells[shapely.STRtree(cells).query(vnm, predicate="intersects")]
    cells = shapely.intersection(cells, vnm)
    cells = cells[~shapely.is_empty(cells)]
    kind = shapely.get_type_id(cells)
    cells = cells[np.isin(kind, [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON])]
    return gpd.GeoDataFrame({"code": np.arange(len(cells)).astype(str)}, geometry=cells,
                            crs=METRIC_CRS).to_crs(DISPLAY_CRS)


def loop_baseline(communes: gpd.GeoDataFrame, tolerance_m: float, *,
                  distances: bool = False) -> dict[str, np.ndarray]:
    """Per commune, per country: length of the border inside the buffered boundary (km).

    With ``distances``, also the distance from the commune to each border line, as
    the vectorised pass reports (``dist_<iso3>`` entries).
    """
    lines = border_lines().to_crs(METRIC_CRS)
    geoms = communes.to_crs(METRIC_CRS).geometry.tolist()
    out = {iso: np.zeros(len(geoms)) for iso in lines["iso3"]}
    if distances:
        out |= {f"dist_{iso}": np.zeros(len(geoms)) for iso in lines["iso3"]}
    for i, geom in enumerate(geoms):
        zone = geom.boundary.buffer(tolerance_m)
        for iso, line in zip(lines["iso3"], lines.geometry, strict=True):
            out[iso][i] = line.intersection(zone).length / 1000.0
            if distances:
                out[f"dist_{iso}"][i] = geom.distance(line) / 1000.0
    return out


def literal_loop(communes: gpd.GeoDataFrame, tolerance_m: float) -> dict[str, np.ndarray]:
    """The issue's baseline as written: per commune, per country, intersect the commune's
    boundary with the country's polygon (grown by the tolerance, computed once) → length."""
    from geo.countries import load_countries

    countries = load_countries(("LAO", "CHN", "KHM")).to_crs(METRIC_CRS)
    grown = [g.buffer(tolerance_m) for g in countries.geometry]
    geoms = communes.to_crs(METRIC_CRS).geometry.tolist()
    out = {iso: np.zeros(len(geoms)) for iso in countries["iso3"]}
    for i, geom in enumerate(geoms):
        boundary = geom.boundary
        for iso, country in zip(countries["iso3"], grown, strict=True):
            out[iso][i] = boundary.intersection(country).length / 1000.0
    return out


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed vectorised runs (≥ 3)")
    parser.add_argument("--sample", type=int, default=1000, help="communes in the loop sample")
    args = parser.parse_args(argv)
    runs = max(3, args.runs)

    t = time.perf_counter()
    communes, what = national_layer()
    built = time.perf_counter() - t
    print(f"layer: {len(communes):,} communes — {what} (built in {built:.1f} s)")
    t = time.perf_counter()
    lines = border_lines()  # cached after this call, as in the service
    print(f"border lines (Natural Earth 1:10m, read once, {time.perf_counter() - t:.2f} s): "
          + ", ".join(f"{iso} {km:,.1f} km" for iso, km in
                      zip(lines["iso3"], lines.to_crs(METRIC_CRS).length / 1000,
                          strict=True)))

    times = []
    for _ in range(runs):
        t = time.perf_counter()
        flagged = flag_border_communes(communes)
        times.append(time.perf_counter() - t)
    vectorised = statistics.median(times)
    belts = flagged["border_belt"].value_counts()
    print(f"flags: {belts.get('border', 0)} border, {belts.get('second-line', 0)} second-line, "
          f"{belts.get('interior', 0)} interior; shared km: " + ", ".join(
              f"{iso} {flagged[f'border_km_{iso.lower()}'].sum():,.1f}"
              for iso in ("LAO", "CHN", "KHM")))

    k = min(args.sample, len(communes))
    sample = communes.sample(n=k, random_state=0)
    t = time.perf_counter()
    loop_km = loop_baseline(sample, BORDER_TOLERANCE_M)
    loop_sample = time.perf_counter() - t
    loop_total = loop_sample * len(communes) / k
    t = time.perf_counter()
    loop_both = loop_baseline(sample, BORDER_TOLERANCE_M, distances=True)
    both_total = (time.perf_counter() - t) * len(communes) / k
    mine = flagged.loc[sample.index]
    found = int((np.vstack([loop_km[iso] for iso in lines["iso3"]]) >= 1).any(axis=0).sum())
    nearest = np.vstack([loop_both[f"dist_{iso}"] for iso in lines["iso3"]]).min(axis=0)
    agree = np.abs(nearest - mine["dist_to_border_km"].to_numpy())[
        (mine["border_belt"] != "border").to_numpy()].max()
    print(f"loop sample: {k} of {len(communes):,} communes (random, seed 0), {loop_sample:.2f} s; "
          f"border communes (≥ 1 km) found by the loop {found}, by the vectorised pass "
          f"{int((mine['border_belt'] == 'border').sum())}; distances agree to {agree:.1e} km")

    speed = loop_total / vectorised
    print(f"vectorised: median {vectorised:.3f} s over {runs} runs "
          f"(min {min(times):.3f}, max {max(times):.3f}); "
          f"loop baseline: {loop_total:.2f} s (extrapolated from {k} communes); "
          f"speed-up {speed:.1f}×")
    print(f"vectorised: median {vectorised:.3f} s over {runs} runs; loop baseline with the same "
          f"distances (lengths + distance per commune × country): {both_total:.2f} s "
          f"(extrapolated from {k} communes); speed-up {both_total / vectorised:.1f}×")
    t = time.perf_counter()
    literal_loop(sample, BORDER_TOLERANCE_M)
    literal_total = (time.perf_counter() - t) * len(communes) / k
    literal_speed = literal_total / vectorised
    print(f"vectorised: median {vectorised:.3f} s; literal loop (commune boundary ∩ country "
          f"polygon, per commune × country): {literal_total:.2f} s (extrapolated from {k} "
          f"communes); speed-up {literal_speed:.1f}×")
    print(f"targets: whole country < 2 s: {'met' if vectorised < 2 else 'NOT met'}; "
          f"≥ 20× the lengths-only loop: {'met' if speed >= 20 else 'NOT met'}; "
          f"≥ 20× the literal loop: {'met' if literal_speed >= 20 else 'NOT met'}")


if __name__ == "__main__":
    main()
