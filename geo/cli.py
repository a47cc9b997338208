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


def cmd_communes(args: argparse.Namespace) -> int:
    """Print one row per commune-level unit."""
    gdf = commune_table(args)
    columns = list(COMMUNE_COLUMNS)
    gdf, columns = _extend_communes(gdf, columns, args)
    _provenance(gdf)
    write_table(gdf, args.format, columns=columns)
    return EXIT_OK


def _extend_communes(gdf, columns: list[str], args: argparse.Namespace):
    """Hook for later columns (border analysis, roster); returns the frame and columns."""
    return gdf, columns


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
    _add_format(p)
    p.set_defaults(func=cmd_communes)

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
