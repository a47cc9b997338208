"""How far the approximate 2025 layer's areas are from the registry's official areas.

For each of Điện Biên's 45 units (2025 map), compares the area of its approximate
polygon (the embedded layer: the fitted power diagram, measured in EPSG:32648) with the
registry's official ``wardAreaKm2``; prints the median and worst absolute % error
and the province total. Run: python bench/area_accuracy.py [--province NAME]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import registry  # noqa: E402
from geo.boundaries import load_communes  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--province", default="Điện Biên")
    args = parser.parse_args()
    layer = load_communes(args.province, vintage="2025")
    official = registry.load_units("2025", province=args.province).set_index("code")["area_km2"]
    table = layer[["code", "name", "area_km2"]].copy()
    table["official_km2"] = table["code"].map(official)
    table["error_pct"] = (table["area_km2"] - table["official_km2"]) / table["official_km2"] * 100
    abs_err = table["error_pct"].abs()
    worst = table.loc[abs_err.idxmax()]
    print(f"{args.province}, 2025 map: {len(table)} units")
    print(f"absolute area error: median {abs_err.median():.1f} %, "
          f"worst {abs_err.max():.1f} % ({worst['name']}: {worst['area_km2']:.1f} km² vs "
          f"{worst['official_km2']:.1f} km² official)")
    print(f"within 25 %: {(abs_err <= 25).sum()} units; within 50 %: {(abs_err <= 50).sum()} units")
    print(f"province total: {table['area_km2'].sum():.0f} km² approximate vs "
          f"{table['official_km2'].sum():.0f} km² (sum of official unit areas)")


if __name__ == "__main__":
    main()
