"""Command line: ``python -m geo SUBCOMMAND …``.

This is the one place that turns the project's errors into messages and exit
codes: 0 success, 2 bad input (a clear message on stderr, no traceback),
1 an unexpected internal error, 130 interrupted.

Provenance ("approximate boundaries", "sample data") is printed on stderr as a
header, so stdout stays machine-readable CSV or GeoJSON.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import warnings
from pathlib import Path
from typing import Callable

import pandas as pd

from geo import services
from geo._errors import BorderMapError, RosterError
from geo.reference import SAMPLE_NOTE
from geo.settings import (BORDER_MIN_SHARED_KM, BORDER_TOLERANCE_M, DEFAULT_PROVINCE,
                          DEFAULT_VINTAGE, VINTAGES)

log = logging.getLogger(__name__)

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]


def _note(text: str) -> None:
    print(f"# {text}", file=sys.stderr)


def _provenance(gdf) -> None:
    """Print the provenance header for a commune frame on stderr (geo.style's notes)."""
    from geo.style import provenance_notes

    for text in provenance_notes(gdf, lang="en", details=True):
        _note(text)


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
    _note(f"building the nationwide {args.method} layer (about 10,000 communes)…")
    layers, paths = services.build_default_layers(Path(args.out) if args.out else None,
                                                  method=args.method)
    for name, gdf in layers.items():
        print(f"{name}: {len(gdf)} features")
    for p in paths:
        print(f"wrote {p}")
    return EXIT_OK


def cmd_build_sample_roster(args: argparse.Namespace) -> int:
    """Regenerate data/sample_roster.csv (synthetic; totals equal the published figures)."""
    written = services.build_sample_rosters(
        Path(args.out) if args.out else None, Path(args.out_2025) if args.out_2025 else None)
    _note(SAMPLE_NOTE)
    for path, frame, what in written:
        totals = frame[["chiefs", "deputies", "officers", "reinforcements"]].sum()
        print(f"wrote {path}: {len(frame)} {what}; "
              + ", ".join(f"{k} {v}" for k, v in totals.items()))
    return EXIT_OK


COMMUNE_COLUMNS = ["code", "name", "unit_type", "district", "province", "area_km2",
                   "approximate"]


@contextlib.contextmanager
def _warnings_as_notes():
    """Show the warnings raised inside (unmatched units, …) as ``# warning:`` lines on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        _note(f"warning: {w.message}")


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


def cmd_export(args: argparse.Namespace) -> int:
    """Write a briefing (map, table, totals) of one province as PNG, PDF or standalone HTML."""
    with _warnings_as_notes():
        path, cov = services.export_briefing(
            args.province, fmt=args.format, out=args.out, metric=args.metric,
            actor=services.os_actor(), vintage=args.vintage, country=args.country,
            boundaries=args.boundaries, title=args.title, marking=args.marking,
            lang=args.lang, atlas=args.atlas, roster_vintage=args.roster_vintage,
            progress=lambda i, n, name: _note(f"atlas {i}/{n}: {name}"))
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
    table = report.to_frame()
    if len(table):
        table.to_string(sys.stdout, index=False, max_colwidth=90)
        print()
    status = "rejected" if not report.ok else "valid"
    print(f"{Path(args.file).name}: {status} — {report.kind or 'unknown'} roster, "
          f"{report.vintage} map, "
          f"{report.n_rows} data rows, {len(report.errors)} error(s), "
          f"{len(report.warnings)} warning(s)")
    return report


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
    if history.empty:
        _note("no roster imported yet: the app and CLI use the sample roster "
              "(sample data — not real assignments)")
        return EXIT_OK
    write_table(history, "csv")
    return EXIT_OK


def cmd_roster_restore(args: argparse.Namespace) -> int:
    """Make an earlier version current again (as a new version)."""
    version = services.restore_roster(args.version, actor=_actor(args))
    print(f"restored version {args.version} as version {version} (current)")
    return EXIT_OK


def cmd_roster_template(args: argparse.Namespace) -> int:
    """Print a roster template (CSV, UTF-8) to fill in."""
    from geo.roster import roster_template

    text = roster_template(per_officer=args.per_officer, province=args.province,
                           vintage=args.vintage)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8-sig")
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


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

def _cli_actor() -> str:
    """Who runs the command, for the audit log (``cli:<os user>``)."""
    return services.os_actor().name


def _actor(args: argparse.Namespace) -> services.Actor:
    """The operating-system user; ``--user`` only adds a note."""
    return services.os_actor(getattr(args, "user", None))


def _new_password(args: argparse.Namespace) -> tuple[str, bool]:
    """Return (password, generated): --generate, --password-stdin / piped stdin, or a prompt."""
    import getpass

    from geo.auth import generate_password

    if args.generate:
        return generate_password(), True
    if args.password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n"), False
    first = getpass.getpass("new password: ")
    if first != getpass.getpass("repeat it: "):
        raise BorderMapError("the two passwords differ; nothing changed")
    return first, False


def cmd_users(args: argparse.Namespace) -> int:
    """Manage sign-in accounts in the users file (outside the repository)."""
    from geo import auth

    actor, password, generated = _cli_actor(), "", False
    if args.users_command == "list":
        write_table(auth.list_users(), "csv")
        return EXIT_OK
    if args.users_command in ("add", "passwd"):
        password, generated = _new_password(args)
    if args.users_command == "add":
        user = auth.add_user(args.name, password, role=args.role, actor=actor)
        print(f"added {user.username} ({user.role})")
    elif args.users_command == "passwd":
        auth.set_password(args.name, password, actor=actor)
        print(f"password of {args.name.strip().lower()} changed")
    elif args.users_command == "role":
        auth.set_role(args.name, args.role, actor=actor)
        print(f"{args.name.strip().lower()} is now {args.role}")
    elif args.users_command == "remove":
        auth.remove_user(args.name, actor=actor)
        print(f"removed {args.name.strip().lower()}")
    if generated:
        print(f"password: {password}")
        _note("the password is shown once and stored only as a bcrypt hash")
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    """Print the audit log, newest first."""
    from geo import audit

    if args.verify:
        _note(f"audit log intact (keyed hash chain, head anchor, triggers): "
              f"{audit.verify_log()} events")
        pending = audit.incomplete_actions()
        if len(pending):
            _note(f"warning: {len(pending)} action(s) started without a completion event "
                  f"(interrupted?): events {', '.join(map(str, pending['id'][:10]))}")
    frame = audit.read(args.limit, user=args.user, action=args.action,
                       ok=False if args.failed else None)
    if args.format == "csv":
        from geo.tables import escape_formulas

        write_table(escape_formulas(frame.astype({"ts": str})), "csv")
    elif frame.empty:
        _note("no audit events match")
    else:
        frame["ts"] = frame["ts"].dt.strftime("%Y-%m-%d %H:%M:%S")
        step = frame["phase"].where(frame["phase"] == "intent",  # "… [done 4]": completes 4
                                    frame["phase"] + " " + frame["ref"].astype(str))
        frame["action"] = frame["action"].where(frame["ref"].isna() & (frame["phase"] == "done"),
                                                frame["action"] + " [" + step + "]")
        print(frame.drop(columns=["phase", "ref"]).to_string(index=False, max_colwidth=80))
    return EXIT_OK


def cmd_db(args: argparse.Namespace) -> int:
    """Shared PostgreSQL/PostGIS store: upgrade its schema, or publish commune layers."""
    if args.db_command == "upgrade":
        print(f"database schema at revision {services.upgrade_database()}")
        return EXIT_OK
    counts = services.publish_commune_layers(args.province, vintage=args.vintage,
                                             actor=services.os_actor())
    for code, n in counts.items():
        print(f"province {code}, {args.vintage} map: {n} communes published")
    return EXIT_OK


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

    from geo.auth import ROLES
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

    p = sub.add_parser("users", help="manage sign-in accounts (admin)")
    users = p.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    for name, text in (("add", "create an account"), ("passwd", "change a password")):
        q = users.add_parser(name, help=text)
        q.add_argument("name", help="username (3–32 chars: a-z, 0-9, . _ -)")
        if name == "add":
            q.add_argument("--role", required=True, choices=ROLES, help="the account's role")
        how = q.add_mutually_exclusive_group()
        how.add_argument("--password-stdin", action="store_true",
                         help="read the password from the first line of stdin")
        how.add_argument("--generate", action="store_true",
                         help="generate a random password and print it once")
    q = users.add_parser("role", help="change an account's role")
    q.add_argument("name")
    q.add_argument("role", choices=ROLES)
    q = users.add_parser("remove", help="delete an account (not the last admin)")
    q.add_argument("name")
    users.add_parser("list", help="list accounts and roles (no password hashes)")
    p.set_defaults(func=cmd_users)

    p = sub.add_parser("audit", help="print the audit log, newest first (admin)")
    p.add_argument("--limit", type=int, default=50, help="most events (default %(default)s)")
    p.add_argument("--user", default=None, help="only this user")
    p.add_argument("--action", default=None,
                   help="only this action (signin, roster.import, roster.restore, export, "
                        "users.add…; 'roster.' or 'users.' for a family)")
    p.add_argument("--failed", action="store_true", help="only failed or refused attempts")
    p.add_argument("--verify", action="store_true", help="check the log's hash chain first")
    p.add_argument("--format", choices=("table", "csv"), default="table",
                   help="output format (default %(default)s)")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("db", help="shared PostgreSQL/PostGIS store (BORDERMAP_DATABASE_URL)")
    db = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db.add_parser("upgrade", help="create or upgrade the database schema (run as its owner)")
    _add_area_options(db.add_parser("publish-layers", help="write the commune layers to "
                                    "PostGIS for GIS desks (QGIS)"), boundaries=False)
    p.set_defaults(func=cmd_db)
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
