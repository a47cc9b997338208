"""Command line: ``python -m geo SUBCOMMAND …``.

This is the one place that turns the project's errors into messages and exit
codes: 0 success, 2 bad input (a clear message on stderr, no traceback),
1 an unexpected internal error, 130 interrupted.

Provenance ("approximate boundaries", "sample data") is printed on stderr as a
header, so stdout stays machine-readable CSV or GeoJSON.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from pathlib import Path
from typing import Callable

import pandas as pd

from geo._errors import BorderMapError
from geo.settings import (BORDER_MIN_SHARED_KM, BORDER_TOLERANCE_M, DEFAULT_PROVINCE,
                          DEFAULT_VINTAGE, VINTAGES)

log = logging.getLogger(__name__)

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]


def _note(text: str) -> None:
    print(f"# {text}", file=sys.stderr)


def _provenance(gdf) -> None:
    """Print the provenance header for a commune frame on stderr."""
    if "approximate" in gdf and bool(gdf["approximate"].any()):
        from geo.settings import APPROXIMATE_NOTE
        _note(APPROXIMATE_NOTE)
    elif "note" in gdf and len(gdf):
        _note(str(gdf["note"].iloc[0]))
    if gdf.attrs.get("sample_roster"):
        from geo.settings import SAMPLE_NOTE
        _note(SAMPLE_NOTE)


def write_table(gdf, fmt: str, *, columns: list[str] | None = None, out=None) -> None:
    """Write a (Geo)DataFrame as CSV (UTF-8, header row) or GeoJSON (EPSG:4326) to stdout."""
    out = out or sys.stdout
    if fmt == "geojson":
        cols = (columns or [c for c in gdf.columns if c != "geometry"]) + ["geometry"]
        out.write(gdf[cols].to_crs("EPSG:4326").to_json(ensure_ascii=False, drop_id=True))
        out.write("\n")
        return
    frame = pd.DataFrame(gdf.drop(columns="geometry", errors="ignore"))
    if columns:
        frame = frame[columns]
    frame.to_csv(out, index=False, lineterminator="\n", float_format="%.3f")


# --------------------------------------------------------------------------- arguments

def _add_area_options(p: argparse.ArgumentParser, *, boundaries: bool = True) -> None:
    p.add_argument("--province", default=DEFAULT_PROVINCE,
                   help='province name or code, ignoring case and diacritics (default "%(default)s"); '
                        '"all" for the whole country')
    p.add_argument("--vintage", default=DEFAULT_VINTAGE, choices=VINTAGES,
                   help="administrative map: 2020 (to 30 June 2025) or 2025 (default, in force)")
    if boundaries:
        p.add_argument("--boundaries", type=Path, default=None, metavar="PATH",
                       help="official boundaries file (.shp, .zip, .gpkg, .geojson) instead of "
                            "the embedded approximate layer")


def _add_border_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tolerance-m", type=float, default=BORDER_TOLERANCE_M,
                   help="adjacency tolerance in metres (default %(default)s)")
    p.add_argument("--min-shared-km", type=float, default=BORDER_MIN_SHARED_KM,
                   help="minimum shared border length in km (default %(default)s)")


def _add_format(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("csv", "geojson"), default="csv",
                   help="output format (default %(default)s)")


# --------------------------------------------------------------------------- commands

def cmd_build_default(args: argparse.Namespace) -> int:
    """Rebuild the embedded approximate layers for Điện Biên into data/shapefiles/."""
    from geo.boundaries import build_default_layers, write_embedded_layers
    from geo.settings import SHAPEFILE_DIR

    out_dir = Path(args.out) if args.out else SHAPEFILE_DIR
    _note("building the nationwide tessellation (about 10,000 communes)…")
    layers = build_default_layers()
    paths = write_embedded_layers(layers, out_dir=out_dir)
    for name, gdf in layers.items():
        print(f"{name}: {len(gdf)} features")
    for p in paths:
        print(f"wrote {p}")
    return EXIT_OK


def cmd_build_sample_roster(args: argparse.Namespace) -> int:
    """Regenerate data/sample_roster.csv (synthetic; totals equal the published figures)."""
    from geo.borders import flag_border_communes
    from geo.boundaries import load_communes
    from geo.sample import build_sample_roster
    from geo.settings import SAMPLE_ROSTER

    out = Path(args.out) if args.out else SAMPLE_ROSTER
    communes = flag_border_communes(load_communes("Điện Biên", vintage="2020"))
    roster = build_sample_roster(communes)
    roster.to_csv(out, index=False, lineterminator="\n", encoding="utf-8")
    _note("Sample data — not real assignments.")
    totals = roster[["chiefs", "deputies", "officers", "reinforcements"]].sum()
    print(f"wrote {out}: {len(roster)} xã; " + ", ".join(f"{k} {v}" for k, v in totals.items()))
    return EXIT_OK


COMMUNE_COLUMNS = ["code", "name", "unit_type", "district", "province", "area_km2",
                   "approximate"]


def commune_table(args: argparse.Namespace):
    """Load communes for the CLI's area options, with border and roster columns when available."""
    from geo.boundaries import load_communes

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gdf = load_communes(args.province, vintage=args.vintage,
                            boundaries=getattr(args, "boundaries", None))
    for w in caught:
        _note(f"warning: {w.message}")
    return gdf


BORDER_COLUMNS = ["border_countries", "border_km_lao", "border_km_chn", "dist_to_border_km",
                  "border_belt"]
ROSTER_COLUMNS = ["chiefs", "deputies", "officers", "reinforcements", "total_police",
                  "police_per_100km2", "staffing_gap"]


def flagged_table(args: argparse.Namespace):
    """Communes with the border analysis for the CLI's area and border options."""
    from geo.borders import flag_border_communes

    return flag_border_communes(commune_table(args), tolerance_m=args.tolerance_m,
                                min_shared_km=args.min_shared_km)


def cmd_communes(args: argparse.Namespace) -> int:
    """Print one row per commune-level unit, with border columns (and roster columns)."""
    if args.with_roster:
        from geo.borders import flag_border_communes
        from geo.coverage import compute_metrics, current_roster, roster_to_2025

        flagged = flag_border_communes(commune_table(args), tolerance_m=args.tolerance_m,
                                       min_shared_km=args.min_shared_km)
        roster, prov = current_roster()
        if args.vintage == "2025":
            roster = roster_to_2025(roster)
        gdf = compute_metrics(flagged, roster)
        gdf.attrs.update(prov)
        if not prov["sample_roster"]:
            _note(f"roster version {prov['roster_version']} ({prov['roster_source']})")
        columns = COMMUNE_COLUMNS + BORDER_COLUMNS + ROSTER_COLUMNS
    else:
        gdf = flagged_table(args)
        columns = COMMUNE_COLUMNS + BORDER_COLUMNS
    _provenance(gdf)
    write_table(gdf, args.format, columns=columns)
    return EXIT_OK


COUNTRY_CHOICES = ("LAO", "CHN", "any")


def cmd_border_communes(args: argparse.Namespace) -> int:
    """Print the border communes (optionally of one country)."""
    gdf = flagged_table(args)
    bc = gdf["border_countries"].fillna("")
    keep = bc != "" if args.country == "any" else bc.str.contains(args.country)
    out = gdf[keep.to_numpy()]
    columns = ["code", "name", "district", "border_countries", "border_km_lao", "border_km_chn",
               "dist_to_border_km", "border_belt"]
    _provenance(gdf)
    _note(f"{len(out)} border communes ({args.country}) of {len(gdf)}; tolerance "
          f"{args.tolerance_m:g} m, minimum shared length {args.min_shared_km:g} km")
    write_table(out, args.format, columns=columns)
    return EXIT_OK


def cmd_border_summary(args: argparse.Namespace) -> int:
    """Print per country the border communes and total border length, beside published figures."""
    from geo.borders import PUBLISHED_BORDER_KM_DIEN_BIEN, summarize_borders
    from geo._text import fold
    from geo.registry import find_province

    gdf = flagged_table(args)
    is_dien_bien = (fold(args.province) != "all"
                    and find_province(args.province, vintage=args.vintage) == "11")
    summary = summarize_borders(gdf, published=PUBLISHED_BORDER_KM_DIEN_BIEN
                                if is_dien_bien else None)
    summary = summary[(summary["n_border_communes"] > 0) | summary.get(
        "published_km", summary["border_km"]).notna() & (summary["iso3"] != "KHM")]
    if "published_km" in summary:
        summary = summary.assign(
            difference_pct=(summary["border_km"] - summary["published_km"])
            / summary["published_km"] * 100)
    _provenance(gdf)
    if is_dien_bien:
        _note("published: UBND tỉnh Điện Biên 3667/UBND-NC (2017) — Laos 414.712 km; "
              "China 40.86 km")
    write_table(summary, "csv")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Write a briefing (map, table, totals) of one province as PNG, PDF or standalone HTML."""
    from geo._text import fold
    from geo.coverage import load_coverage
    from geo.export import check_output_path, export_briefing

    if fold(args.province) == "all":
        raise BorderMapError("export needs one province, not 'all'")
    out, fmt = check_output_path(args.out, fmt=args.format)  # before any slow work
    cov = load_coverage(args.province, vintage=args.vintage, boundaries=args.boundaries)
    _provenance(cov)
    path = export_briefing(cov, fmt=fmt, out=out, metric=args.metric, country=args.country,
                           title=args.title, marking=args.marking, lang=args.lang)
    print(path)
    return EXIT_OK


def _choice_ci(choices: tuple[str, ...]) -> Callable[[str], str]:
    """argparse ``type=`` that accepts a choice in any case (``lao`` → ``LAO``)."""
    def convert(value: str) -> str:
        return next((c for c in choices if c.lower() == value.strip().lower()), value)
    return convert


# --------------------------------------------------------------------------- parser

def build_parser() -> argparse.ArgumentParser:
    """Return the ``python -m geo`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="Commune police coverage maps for Vietnam's border provinces "
                    "(starting with Điện Biên).")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress lines")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build-default", help="rebuild the embedded approximate layers")
    p.add_argument("--out", default=None, help="output folder (default data/shapefiles/)")
    p.set_defaults(func=cmd_build_default)

    p = sub.add_parser("build-sample-roster",
                       help="regenerate data/sample_roster.csv (synthetic sample data)")
    p.add_argument("--out", default=None, help="output file (default data/sample_roster.csv)")
    p.set_defaults(func=cmd_build_sample_roster)

    p = sub.add_parser("communes", help="list commune-level units with their attributes")
    _add_area_options(p)
    _add_border_options(p)
    p.add_argument("--with-roster", action="store_true",
                   help="add staffing columns from the current roster (the sample roster "
                        "when none was imported)")
    _add_format(p)
    p.set_defaults(func=cmd_communes)

    p = sub.add_parser("border-communes", help="list the communes on the Laos/China border")
    _add_area_options(p)
    p.add_argument("--country", default="any", choices=COUNTRY_CHOICES,
                   help="neighbouring country (default %(default)s)")
    _add_border_options(p)
    _add_format(p)
    p.set_defaults(func=cmd_border_communes)

    p = sub.add_parser("border-summary",
                       help="border communes and border length per country vs published figures")
    _add_area_options(p)
    _add_border_options(p)
    p.set_defaults(func=cmd_border_summary)

    from geo.export import COUNTRY_FILTERS, FORMATS, LANGUAGES, METRIC_KEYS
    p = sub.add_parser("export", help="write a briefing: map + table as PNG, PDF or "
                                      "standalone HTML")
    p.add_argument("--province", default=DEFAULT_PROVINCE,
                   help='province name or code, ignoring case and diacritics '
                        '(default "%(default)s")')
    p.add_argument("--vintage", default="2020", choices=VINTAGES,
                   help="administrative map (default %(default)s: the roster is kept for the "
                        "2020 map; 2025 carries it over through the crosswalk)")
    p.add_argument("--boundaries", type=Path, default=None, metavar="PATH",
                   help="official boundaries file instead of the embedded approximate layer")
    p.add_argument("--out", required=True, metavar="PATH",
                   help="file to write; its folder must exist")
    p.add_argument("--format", default=None, choices=FORMATS, type=_choice_ci(FORMATS),
                   help="png, pdf or html (default: from the --out suffix)")
    p.add_argument("--metric", default="total_police", choices=METRIC_KEYS,
                   help="metric the communes are shaded by (default %(default)s)")
    p.add_argument("--country", default="all", choices=COUNTRY_FILTERS,
                   type=_choice_ci(COUNTRY_FILTERS),
                   help="communes to list and highlight: all, any (any border), LAO, CHN, "
                        "both, none (no border) (default %(default)s)")
    p.add_argument("--title", default=None, help="title (default: Lực lượng Công an xã — Tỉnh …)")
    p.add_argument("--marking", default=None,
                   help='classification marking in header and footer, e.g. "MẬT", "NỘI BỘ"')
    p.add_argument("--lang", default="vi", choices=LANGUAGES,
                   help="language of the briefing text (default %(default)s)")
    p.set_defaults(func=cmd_export)

    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        return int(args.func(args) or EXIT_OK)
    except BorderMapError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as err:  # the one place that stops a traceback reaching a user
        if args.debug:
            raise
        print(f"internal error: {type(err).__name__}: {err} (run with --debug for details)",
              file=sys.stderr)
        return EXIT_INTERNAL
