"""Command line: ``python -m geo SUBCOMMAND …``.

This is the one place that turns the project's errors into messages and exit
codes: 0 success, 2 bad input (a clear message on stderr, no traceback),
1 an unexpected internal error, 130 interrupted.

Provenance ("approximate boundaries", "sample data") is printed on stderr as a
header, so stdout stays machine-readable CSV or GeoJSON.
"""

from __future__ import annotations

import argparse
import functools
import logging
import sys
from pathlib import Path
from typing import Callable


from geo import services
from geo._errors import BorderMapError, RosterError
from geo.reference import SAMPLE_NOTE
from geo.settings import (BORDER_MIN_SHARED_KM, BORDER_TOLERANCE_M, DEFAULT_PROVINCE,
                          DEFAULT_VINTAGE, VINTAGES)

from geo._cli_io import (EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, actor, cli_actor,  # noqa: F401
                         note, print_check, print_restored, warnings_as_notes, write_history,
                         write_table, write_template)

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]


_note = note


def _provenance(gdf) -> None:
    """Print the provenance header for a commune frame on stderr (geo.style's notes)."""
    from geo.style import provenance_notes

    for text in provenance_notes(gdf, lang="en", details=True):
        _note(text)


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
    _note(f"building the nationwide {args.method} layer (about 10,000 communes)…")
    layers, paths = services.build_default_layers(Path(args.out) if args.out else None,
                                                  method=args.method)
    for name, gdf in layers.items():
        print(f"{name}: {len(gdf)} features")
    for p in paths:
        print(f"wrote {p}")
    return EXIT_OK


def cmd_build_sample_roster(args: argparse.Namespace) -> int:
    """Regenerate data/sample_roster.csv (synthetic; totals equal the published figures).

    With ``--out-dir``: write the generated samples of ``--province`` (default the
    land-border provinces) on both maps there instead.
    """
    if args.out_dir:
        written = services.build_province_samples(args.province or "border",
                                                  out_dir=Path(args.out_dir))
    else:
        written = services.build_sample_rosters(
            Path(args.out) if args.out else None,
            Path(args.out_2025) if args.out_2025 else None)
    _note(SAMPLE_NOTE)
    for path, frame, what in written:
        totals = frame[["chiefs", "deputies", "officers", "reinforcements"]].sum()
        print(f"wrote {path}: {len(frame)} {what}; "
              + ", ".join(f"{k} {v}" for k, v in totals.items()))
    return EXIT_OK


COMMUNE_COLUMNS = ["code", "name", "unit_type", "district", "province", "area_km2",
                   "approximate"]


_warnings_as_notes = warnings_as_notes


def _area(args: argparse.Namespace) -> dict:
    """The area and border options shared by the commune commands, as keyword arguments."""
    return {"vintage": args.vintage, "boundaries": getattr(args, "boundaries", None),
            "tolerance_m": args.tolerance_m, "min_shared_km": args.min_shared_km}


BORDER_COLUMNS = ["border_countries", "border_km_lao", "border_km_chn", "dist_to_border_km",
                  "border_belt"]
ROSTER_COLUMNS = ["chiefs", "deputies", "officers", "reinforcements", "total_police",
                  "police_per_100km2", "staffing_gap", "staffing_surplus"]


def cmd_communes(args: argparse.Namespace) -> int:
    """Print one row per commune-level unit, with border columns (and roster columns)."""
    with _warnings_as_notes():
        if args.with_roster:
            gdf = services.load_coverage(args.province, **_area(args))
        else:
            gdf = services.flag_communes(args.province, **_area(args))
    if args.with_roster and not gdf.attrs["sample_roster"]:
        _note(f"roster version {gdf.attrs['roster_version']} ({gdf.attrs['roster_source']})")
    columns = COMMUNE_COLUMNS + BORDER_COLUMNS + (ROSTER_COLUMNS if args.with_roster else [])
    _provenance(gdf)
    write_table(gdf, args.format, columns=columns)
    return EXIT_OK


COUNTRY_CHOICES = services.BORDER_COUNTRY_CHOICES


def cmd_border_communes(args: argparse.Namespace) -> int:
    """Print the border communes (optionally of one country)."""
    with _warnings_as_notes():
        out, gdf = services.border_communes(args.province, country=args.country, **_area(args))
    columns = ["code", "name", "district", "border_countries", "border_km_lao", "border_km_chn",
               "dist_to_border_km", "border_belt"]
    listed = gdf.attrs.get("border_source", "computed") != "computed"
    if listed:
        columns += ["border_listed", "border_disagreement"]
    _provenance(gdf)
    _note(f"{len(out)} border communes ({args.country}) of {len(gdf)}; tolerance "
          f"{args.tolerance_m:g} m, minimum shared length {args.min_shared_km:g} km"
          + ("; the official list decides" if listed else ""))
    for d in gdf.attrs.get("border_disagreements", []):
        _note(f"{d['border_disagreement']}: {d['name']} ({d['code']})")
    write_table(out, args.format, columns=columns)
    return EXIT_OK


def cmd_border_summary(args: argparse.Namespace) -> int:
    """Print per country the border communes and total border length, beside published figures."""
    with _warnings_as_notes():
        result = services.border_summary(args.province, **_area(args))
    _provenance(result.flagged)
    if result.published_source:
        _note(f"published: {result.published_source}")
    write_table(result.table, "csv")
    return EXIT_OK


def cmd_national_summary(args: argparse.Namespace) -> int:
    """Print the national overview table: per province (or per country), totals on stderr."""
    with _warnings_as_notes():
        overview = services.national_overview(args.province, vintage=args.vintage,
                                              actor=services.os_actor())
    if overview.approximate:
        _note("approximate boundaries: border communes and lengths are computed, not official")
    if overview.sample_roster:
        _note(f"{int(overview.provinces['sample_roster'].sum())} of {len(overview.provinces)} "
              f"provinces: {SAMPLE_NOTE}")
    totals = overview.totals
    _note(f"national totals ({totals['provinces']} provinces, {args.vintage} map): "
          f"{totals['border_communes']} border communes, {totals['border_km']:.1f} km of "
          f"border, {totals['reinforcements']} reinforcements (published: nearly "
          f"{int(overview.published['reinforcements'])} nationwide — "
          f"{overview.published['source']}), staffing shortfall {totals['staffing_gap']}")
    if args.by == "country":
        write_table(overview.countries, "csv")
    elif args.format == "geojson":
        write_table(overview.outlines, "geojson")
    else:
        write_table(overview.provinces, "csv")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Write a briefing (map, table, totals) of one province as PNG, PDF or standalone HTML."""
    with _warnings_as_notes():
        path, cov = services.export_briefing(
            args.province, fmt=args.format, out=args.out, metric=args.metric,
            actor=services.os_actor(), vintage=args.vintage, country=args.country,
            boundaries=args.boundaries, title=args.title, marking=args.marking,
            lang=args.lang, atlas=args.atlas, roster_vintage=args.roster_vintage,
            all_communes=args.all_communes,
            progress=lambda i, n, name: _note(f"{'atlas' if args.atlas else 'export'} "
                                              f"{i}/{n}: {name}"))
    _provenance(cov)
    print(path)
    return EXIT_OK


def cmd_reform(args: argparse.Namespace) -> int:
    """Print one row per 2025 unit: its old communes and their posts before and after."""
    from geo.reform import reform_table

    with _warnings_as_notes():
        table = reform_table(args.province)
    if table.attrs.get("approximate"):
        from geo.reference import APPROXIMATE_NOTE
        _note(APPROXIMATE_NOTE)
    for when in ("2020", "2025"):
        if table.attrs.get(f"sample_{when}"):
            _note(f"{when} posts: sample data — not real assignments "
                  f"({table.attrs.get(f'roster_{when}')})")
    _note("*_2020 columns: posts held before the merger (2020 roster, carried over); "
          "*_now columns: the 2025 roster; shortfalls are sums, never netted")
    write_table(table, args.format)
    return EXIT_OK


def _choice_ci(choices: tuple[str, ...]) -> Callable[[str], str]:
    """argparse ``type=`` that accepts a choice in any case (``lao`` → ``LAO``)."""
    def convert(value: str) -> str:
        return next((c for c in choices if c.lower() == value.strip().lower()), value)
    return convert


# --------------------------------------------------------------------------- roster

def _validate(args: argparse.Namespace):
    report = services.check_roster(Path(args.file), province=args.province,
                                   vintage=args.vintage, sheet=args.sheet, partial=args.partial)
    return print_check(report, args.file, f"{report.kind or 'unknown'} roster")


def cmd_roster_validate(args: argparse.Namespace) -> int:
    """Validate a roster file; exit 0 if valid, 2 if not (problems as a table on stdout)."""
    report = _validate(args)
    return EXIT_OK if report.ok else EXIT_INPUT


def cmd_roster_import(args: argparse.Namespace) -> int:
    """Validate and store a roster as the new current version (nothing stored on errors)."""
    report = _validate(args)
    try:
        version = services.import_roster(report, actor=_actor(args), partial=args.partial)
    except RosterError:
        print("nothing was stored; the current roster is unchanged")
        return EXIT_INPUT
    print(f"stored as version {version} (current for {report.province}, "
          f"{report.vintage} map)" + (f"; {len(report.roster)} units changed"
                                      if args.partial else ""))
    return EXIT_OK


def cmd_roster_history(args: argparse.Namespace) -> int:
    """Print every stored roster version, newest first."""
    history = services.roster_store().history(province=args.province, vintage=args.vintage)
    return write_history(history, empty_note="no roster imported yet: the app and CLI use the "
                                             "sample roster (sample data — not real assignments)")


def cmd_roster_restore(args: argparse.Namespace) -> int:
    """Make an earlier version current again (as a new version)."""
    province = args.province or (DEFAULT_PROVINCE if args.vintage else None)
    return print_restored(args.version, services.restore_roster(
        args.version, actor=_actor(args), province=province, vintage=args.vintage), "current")


def cmd_roster_template(args: argparse.Namespace) -> int:
    """Print a roster template (CSV, UTF-8) to fill in."""
    from geo.roster import roster_template

    return write_template(roster_template(per_officer=args.per_officer, province=args.province,
                                          vintage=args.vintage), args.out)


# --------------------------------------------------------------------------- norms

def cmd_norms(args: argparse.Namespace) -> int:
    """Show, store, list or restore the staffing norms (the repository file is the default)."""
    from geo.norms import norms_to_csv

    if args.norms_command == "show":
        norms = services.current_norms()
        _note(f"norms: {norms.attrs['norms_source']}"
              + (f" (version {norms.attrs['norms_version']})" if norms.attrs["norms_version"]
                 else " (repository default)"))
        sys.stdout.write(norms_to_csv(norms))
    elif args.norms_command == "import":
        version = services.import_norms(args.file, actor=_actor(args))
        print(f"norms stored as version {version} (current)")
    elif args.norms_command == "history":
        history = services.norm_store().history()
        if history.empty:
            _note("no norms stored: the repository file data/norms.csv applies")
        else:
            write_table(history, "csv")
    elif args.norms_command == "restore":
        version = services.restore_norms(args.version, actor=_actor(args))
        print(f"restored norms version {args.version} as version {version} (current)")
    return EXIT_OK


# --------------------------------------------------------------------------- users and audit

_cli_actor = cli_actor
_actor = actor


# --------------------------------------------------------------------------- parser

def build_parser() -> argparse.ArgumentParser:
    """Return the ``python -m geo`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="Commune police coverage maps for Vietnam's border provinces "
                    "(starting with Điện Biên). Every command works on the 2025 "
                    "administrative map, the map in force since 1 July 2025, unless "
                    "given --vintage 2020.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress lines")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build-default", help="rebuild the embedded approximate layers")
    p.add_argument("--out", default=None, help="output folder (default data/shapefiles/)")
    p.add_argument("--method", choices=("fitted", "voronoi"), default="fitted",
                   help="power diagram fitted to official areas inside province outlines, "
                        "or the plain Voronoi baseline (default %(default)s)")
    p.set_defaults(func=cmd_build_default)

    p = sub.add_parser("build-sample-roster",
                       help="regenerate data/sample_roster.csv (2020 map) and "
                            "data/sample_roster_2025.csv (synthetic sample data)")
    p.add_argument("--out", default=None, help="output file (default data/sample_roster.csv)")
    p.add_argument("--out-2025", default=None,
                   help="2025-map output file (default data/sample_roster_2025.csv)")
    p.add_argument("--out-dir", default=None,
                   help="write instead the generated sample roster of each province of "
                        "--province, on both maps, into this folder "
                        "(sample_roster_<vintage>_<code>.csv)")
    p.add_argument("--province", default=None,
                   help='with --out-dir: provinces (names or codes separated by commas, '
                        '"border" — the default — or "all")')
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

    p = sub.add_parser("national-summary",
                       help="border provinces together: border communes, border km, "
                            "reinforcements, shortfall per province or country")
    p.add_argument("--province", default="border",
                   help="'border' (the land-border provinces, default), 'all', or names/"
                        "codes separated by commas")
    p.add_argument("--vintage", default=DEFAULT_VINTAGE, choices=VINTAGES,
                   help="administrative map (default %(default)s)")
    p.add_argument("--by", choices=("province", "country"), default="province",
                   help="one row per province or per neighbouring country")
    _add_format(p)
    p.set_defaults(func=cmd_national_summary)

    from geo.reference import COUNTRY_FILTERS, LANGUAGES, METRIC_KEYS
    from geo.reference import EXPORT_FORMATS as FORMATS
    p = sub.add_parser("export", help="write a briefing: map + table as PNG, PDF or "
                                      "standalone HTML")
    p.add_argument("--province", default=DEFAULT_PROVINCE,
                   help='province name or code, ignoring case and diacritics '
                        '(default "%(default)s"); several separated by commas, "border" (the '
                        'land-border provinces) or "all": a PDF (or PNG map) with a section '
                        'per province listing the border communes, progress on stderr')
    p.add_argument("--all-communes", action="store_true",
                   help="with several provinces: list every commune, not only the border "
                        "communes")
    p.add_argument("--vintage", default=DEFAULT_VINTAGE, choices=VINTAGES,
                   help="administrative map: 2025 (default, in force) or 2020")
    p.add_argument("--roster-vintage", default=None, choices=VINTAGES,
                   help="map of the roster shown (default: the roster kept for --vintage); "
                        "2020 on the 2025 map shows the posts held before the merger, marked "
                        "as carried over")
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
    p.add_argument("--atlas", action="store_true",
                   help="write the district atlas instead (PDF: contents, province overview, "
                        "one page per district; on the 2025 map units are grouped by their "
                        "former district); progress on stderr")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("reform", help="before and after the 2025 reform: each 2025 unit, its "
                                      "old communes, their 2020 posts and the posts now")
    p.add_argument("--province", default=DEFAULT_PROVINCE,
                   help='province name or code (default "%(default)s")')
    p.add_argument("--format", choices=("csv",), default="csv", help="output format")
    p.set_defaults(func=cmd_reform)

    p = sub.add_parser("roster", help="validate, import, list, restore rosters; get a template")
    roster = p.add_subparsers(dest="roster_command", required=True, metavar="ACTION")
    for name, func, text in (("validate", cmd_roster_validate, "check a roster file; exit 2 "
                              "if it has errors"),
                             ("import", cmd_roster_import, "validate and store a roster as "
                              "the current version")):
        q = roster.add_parser(name, help=text)
        q.add_argument("file", help="roster file: CSV (UTF-8, UTF-8 with BOM or cp1258) or XLSX")
        q.add_argument("--province", default=DEFAULT_PROVINCE,
                       help='province (default "%(default)s")')
        q.add_argument("--vintage", default=DEFAULT_VINTAGE, choices=VINTAGES,
                       help="administrative map the roster is keyed to: 2025 (default, in "
                            "force) or 2020; a file keyed to the other map is rejected")
        q.add_argument("--sheet", default=None, help="XLSX sheet name (default: the first)")
        q.add_argument("--partial", action="store_true",
                       help="the file updates only the communes it lists (the others keep "
                            "their current counts); without it a roster must list every xã")
        if name == "import":
            q.add_argument("--user", default=None,
                           help="a note on who asked for the import; the audit log records "
                                "the OS user")
        q.set_defaults(func=func)
    q = roster.add_parser("history", help="list stored roster versions")
    q.add_argument("--province", default=None, help="only this province (default: all)")
    q.add_argument("--vintage", default=None, choices=VINTAGES,
                   help="only rosters keyed to this map (default: both)")
    q.set_defaults(func=cmd_roster_history)
    q = roster.add_parser("restore", help="make an earlier version current (as a new version)")
    q.add_argument("version", type=int)
    q.add_argument("--province", default=None,
                   help="the province whose history the version is from (the shared database "
                        "numbers versions per province and map; without it: the default "
                        "province's there, any province's in the embedded store)")
    q.add_argument("--vintage", default=None, choices=VINTAGES,
                   help="the map of that province's history (default: 2020)")
    q.add_argument("--user", default=None,
                   help="a note on who asked for the restore; the audit log records the OS user")
    q.set_defaults(func=cmd_roster_restore)
    q = roster.add_parser("template", help="print a roster template to fill in")
    q.add_argument("--per-officer", action="store_true", help="one row per officer")
    q.add_argument("--province", default=DEFAULT_PROVINCE)
    q.add_argument("--vintage", default=DEFAULT_VINTAGE, choices=VINTAGES,
                   help="administrative map: 2025 (default, in force) or 2020")
    q.add_argument("--out", default=None, help="write to this file (UTF-8 with BOM, for Excel)")
    q.set_defaults(func=cmd_roster_template)

    from geo._cli_border_list import add_parser as add_border_list

    add_border_list(sub)

    p = sub.add_parser("norms", help="staffing norms per map and unit type: show, store "
                                     "(admin), history, restore")
    norms = p.add_subparsers(dest="norms_command", required=True, metavar="ACTION")
    norms.add_parser("show", help="print the norms in force (CSV)")
    q = norms.add_parser("import", help="store a norms CSV as the current version")
    q.add_argument("file", help="CSV with vintage,unit_type,border,chiefs,deputies,officers,"
                                "source")
    q.add_argument("--user", default=None, help="who stores it (default: the OS user)")
    norms.add_parser("history", help="list stored norms versions")
    q = norms.add_parser("restore", help="make an earlier norms version current")
    q.add_argument("version", type=int)
    q.add_argument("--user", default=None, help="who restores (default: the OS user)")
    p.set_defaults(func=cmd_norms)

    from geo._cli_admin import add_parsers as add_admin_parsers

    add_admin_parsers(sub, add_area_options=_add_area_options)
    return parser


@functools.lru_cache(maxsize=1)
def _parser() -> argparse.ArgumentParser:
    # built once per process: a process that runs several commands (the app's tests, a
    # script calling main) does not build the ~40 subcommands' parsers again each time
    return build_parser()


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = _parser()
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
