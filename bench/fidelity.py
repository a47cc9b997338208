"""Fidelity of the approximate commune layer: plain Voronoi vs fitted power diagram.

Builds both methods in the same run (timing each nationwide build, median of
``--runs``) and prints, side by side: on Điện Biên, the province area against the
official 9,541 km²; the 2025 units' area error against the registry's ``wardAreaKm2``
(median, p90, worst); border communes per country and district; the Laos and China
border lengths against the published 414.712 / 40.86 km; whether Xã Sín Thầu touches
both countries; 2020 communes whose official centroid falls outside their own cell.
Nationwide: the same area-error figures (all units, and units in provinces whose
registry areas are trusted) and the provinces whose registry areas were not trusted.

Run: python bench/fidelity.py [--runs N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._timing import fmt, median_seconds  # noqa: E402
from geo import layer, registry  # noqa: E402
from geo.borders import (PUBLISHED_BORDER_KM_DIEN_BIEN, flag_border_communes,  # noqa: E402
                         summarize_borders)
from geo.settings import DISPLAY_CRS, METRIC_CRS  # noqa: E402

OFFICIAL_KM2 = 9541.0
PROVINCE = "11"


def _area_errors(c25: gpd.GeoDataFrame) -> pd.Series:
    area = shapely.area(c25.to_crs(METRIC_CRS).geometry.values) / 1e6
    official = c25["official_area_km2"].to_numpy()
    ok = official > 0
    return pd.Series(np.abs(area[ok] / official[ok] - 1) * 100)


def _fmt_err(err: pd.Series) -> str:
    return f"{err.median():.2f} / {err.quantile(0.9):.2f} / {err.max():.1f} %"


def _centroids_outside(communes: gpd.GeoDataFrame) -> int:
    units = registry.load_units("2020").set_index("code").loc[communes["code"]]
    pts = gpd.GeoSeries(gpd.points_from_xy(units["lon"], units["lat"]), crs=DISPLAY_CRS)
    pts = pts.to_crs(communes.crs).values
    return int((~shapely.covers(communes.geometry.values, pts)).sum())


def measure(method: str) -> dict[str, str]:
    """Return the figures of one method, as printable strings."""
    build = layer.build_layers(method=method)
    layers = layer.build_province_layers(PROVINCE, method=method)
    c20, c25 = layers["communes_2020"], layers["communes_2025"]
    prov_km2 = shapely.area(layers["province"].geometry.values).sum() / 1e6
    flagged = flag_border_communes(c20)
    summary = summarize_borders(flagged, published=PUBLISHED_BORDER_KM_DIEN_BIEN).set_index("iso3")
    border = flagged[flagged["border_belt"] == "border"]
    by_district = border.groupby("district").size()
    sin_thau = flagged.loc[flagged["name"] == "Xã Sín Thầu", "border_countries"]
    national25 = layer.build_2025_layer(build.communes_2020)
    out = {
        "Điện Biên area (official 9,541 km²)":
            f"{prov_km2:,.0f} km² ({(prov_km2 / OFFICIAL_KM2 - 1) * 100:+.1f} %)",
        "Điện Biên 2025 area error med / p90 / worst": _fmt_err(_area_errors(c25)),
        "border communes LAO / CHN (2020 map)":
            f"{int(summary.at['LAO', 'n_border_communes'])} / "
            f"{int(summary.at['CHN', 'n_border_communes'])}",
        "border communes per district":
            ", ".join(f"{d.replace('Huyện ', '').replace('Thành phố ', 'TP ')} {n}"
                      for d, n in by_district.items()),
        "Laos km (published 414.712)":
            f"{summary.at['LAO', 'border_km']:.1f} "
            f"({summary.at['LAO', 'border_km'] / 414.712 * 100:.0f} %)",
        "China km (published 40.86)":
            f"{summary.at['CHN', 'border_km']:.1f} "
            f"({summary.at['CHN', 'border_km'] / 40.86 * 100:.0f} %)",
        "Sín Thầu touches LAO and CHN":
            f"{'yes' if (sin_thau == 'CHN;LAO').any() else 'no'} ({';'.join(sin_thau) or '-'})",
        "2020 centroids outside own cell (of 129)": str(_centroids_outside(c20)),
        "nationwide 2025 area error, all units": _fmt_err(_area_errors(national25)),
    }
    if build.provinces is not None:
        prov = build.provinces
        trusted_new = set(prov.loc[prov["trusted"], "new_province_code"])
        sub = national25[national25["province_code"].isin(trusted_new)]
        out["nationwide 2025 area error, trusted"] = _fmt_err(_area_errors(sub))
        bad = prov[~prov["trusted"]].groupby("new_province_code")["ratio"].first()
        names = registry.list_provinces("2025").set_index("province_code")["province"]
        out["untrusted registry areas (sum / outline)"] = ", ".join(
            f"{names[c].replace('Tỉnh ', '').replace('Thành phố ', 'TP ')} {r:.2f}"
            for c, r in bad.items())
        out["nationwide centroids outside own cell"] = (
            f"{_centroids_outside(build.communes_2020)} of {len(build.communes_2020)}")
    else:
        out["nationwide 2025 area error, trusted"] = "—"
        out["untrusted registry areas (sum / outline)"] = "— (not checked)"
        out["nationwide centroids outside own cell"] = (
            f"{_centroids_outside(build.communes_2020)} of {len(build.communes_2020)}")
    return out


def _timed_build(method: str):
    def run() -> None:
        layer.clear_cache()
        layer.build_layers(method=method)
    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    times = {}
    for method in ("voronoi", "fitted"):
        times[method] = median_seconds(_timed_build(method), runs=args.runs, warmup=0)
    rows = {m: measure(m) for m in ("voronoi", "fitted")}
    width = max(len(k) for k in rows["fitted"])
    print(f"{'':{width}}  {'voronoi':<32} fitted")
    for key in rows["fitted"]:
        print(f"{key:{width}}  {rows['voronoi'][key]:<32} {rows['fitted'][key]}")
    print(f"{'nationwide build (median)':{width}}  {fmt(times['voronoi'][1]):<32} "
          f"{fmt(times['fitted'][1])}")
    print(f"ratio fitted/voronoi build time: {times['fitted'][0] / times['voronoi'][0]:.1f}x")


if __name__ == "__main__":
    main()
