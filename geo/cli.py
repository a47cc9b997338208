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
        from geo.reference import APPROXIMATE_NOTE
        _note(APPROXIMATE_NOTE)
    elif "note" in gdf and len(gdf):
        _note(str(gdf["note"].iloc[0]))
    if gdf.attrs.get("sample_roster"):
        from geo.reference import SAMPLE_NOTE
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


@contextlib.contextmanager
def _warnings_as_notes():
    """Show the warnings raised inside (unmatched units, …) as ``# warning:`` lines on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        _note(f"warning: {w.message}")


def commune_table(args: argparse.Namespace):
    """Load communes for the CLI's area options (the embedded layer or --boundaries)."""
    from geo.boundaries import load_communes

    with _warnings_as_notes():
        return load_communes(args.province, vintage=args.vintage,
                             boundaries=getattr(args, "boundaries", None))


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
        from geo.coverage import load_coverage

        with _warnings_as_notes():
            gdf = load_coverage(args.province, vintage=args.vintage,
                                boundaries=args.boundaries, tolerance_m=args.tolerance_m,
                                min_shared_km=args.min_shared_km)
        if not gdf.attrs["sample_roster"]:
            _note(f"roster version {gdf.attrs['roster_version']} "
                  f"({gdf.attrs['roster_source']})")
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
    from geo.borders import summarize_borders
    from geo.reference import (PUBLISHED_BORDER_KM_DIEN_BIEN, PUBLISHED_BORDER_SOURCE,
                               is_dien_bien)
    from geo._text import fold
    from geo.registry import find_province

    gdf = flagged_table(args)
    is_dien_bien = (fold(args.province) != "all"
                    and is_dien_bien(find_province(args.province, vintage=args.vintage)))
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
        _note(f"published: {PUBLISHED_BORDER_SOURCE}")
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
    with _warnings_as_notes():
        cov = load_coverage(args.province, vintage=args.vintage, boundaries=args.boundaries)
    _provenance(cov)
    path = export_briefing(cov, fmt=fmt, out=out, metric=args.metric, country=args.country,
                           title=args.title, marking=args.marking, lang=args.lang)
    from geo import audit

    audit.record(_cli_actor(), "export", f"{fmt} {path.name} province={args.province} "
                 f"vintage={args.vintage} metric={args.metric} country={args.country}")
    print(path)
    return EXIT_OK


def _choice_ci(choices: tuple[str, ...]) -> Callable[[str], str]:
    """argparse ``type=`` that accepts a choice in any case (``lao`` → ``LAO``)."""
    def convert(value: str) -> str:
        return next((c for c in choices if c.lower() == value.strip().lower()), value)
    return convert


# --------------------------------------------------------------------------- roster

def _border_codes(province: str, vintage: str) -> set[str]:
    """Codes of the border communes of a province (for the reinforcement warning)."""
    from geo.borders import flag_border_communes
    from geo.boundaries import load_communes

    flagged = flag_border_communes(load_communes(province, vintage=vintage))
    return set(flagged.loc[flagged["border_countries"] != "", "code"])


def _validate(args: argparse.Namespace):
    from geo.filebounds import preflight_path
    from geo.roster import validate_roster

    path = Path(args.file)
    if not path.is_file():
        raise BorderMapError(f"{path}: no such file")
    # [integrity hook] a file refused by the bounded checks needs no border analysis
    bounded = preflight_path(path, sheet=args.sheet)
    report = validate_roster(path, province=args.province, vintage=args.vintage,
                             sheet=args.sheet, partial=args.partial,
                             border_codes=_border_codes(args.province, args.vintage)
                             if bounded else None)
    table = report.to_frame()
    if len(table):
        table.to_string(sys.stdout, index=False, max_colwidth=90)
        print()
    status = "rejected" if not report.ok else "valid"
    print(f"{path.name}: {status} — {report.kind or 'unknown'} roster, {report.n_rows} data rows, "
          f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)")
    return report


def cmd_roster_validate(args: argparse.Namespace) -> int:
    """Validate a roster file; exit 0 if valid, 2 if not (problems as a table on stdout)."""
    report = _validate(args)
    return EXIT_OK if report.ok else EXIT_INPUT


def _note_detail(args: argparse.Namespace) -> str:
    """The ``--user`` text as a note for the audit detail (the actor is the OS user)."""
    return f" [note: user given as {args.user!r}]" if getattr(args, "user", None) else ""


def cmd_roster_import(args: argparse.Namespace) -> int:
    """Validate and store a roster as the new current version (nothing stored on errors)."""
    from geo import audit
    from geo.plausibility import roster_to_store
    from geo.storage import open_store

    report = _validate(args)
    actor = _cli_actor()
    if not report.ok:
        audit.record(actor, "roster.import", f"rejected {report.source_name}: "
                     f"{len(report.errors)} error(s){_note_detail(args)}", ok=False)
        print("nothing was stored; the current roster is unchanged")
        return EXIT_INPUT
    store = open_store()
    what = "partial update" if args.partial else "roster"
    with audit.action(actor, "roster.import", f"{what} {report.source_name} "
                      f"sha256={report.sha256[:12]}{_note_detail(args)}") as act:
        frame = roster_to_store(report.roster, partial=args.partial,
                                current=store.current() if args.partial else None,
                                province=report.province, vintage=report.vintage)
        version = store.import_roster(frame, source_name=report.source_name,
                                      sha256=report.sha256, user=actor, kind=report.kind,
                                      province=report.province, vintage=report.vintage)
        act.result = f"→ version {version} ({len(report.roster)} of {len(frame)} communes)"
    print(f"stored as version {version} (current)"
          + (f"; {len(report.roster)} communes changed" if args.partial else ""))
    return EXIT_OK


def cmd_roster_history(args: argparse.Namespace) -> int:
    """Print every stored roster version, newest first."""
    from geo.storage import open_store

    history = open_store().history()
    if history.empty:
        _note("no roster imported yet: the app and CLI use the sample roster "
              "(sample data — not real assignments)")
        return EXIT_OK
    write_table(history, "csv")
    return EXIT_OK


def cmd_roster_restore(args: argparse.Namespace) -> int:
    """Make an earlier version current again (as a new version)."""
    from geo import audit
    from geo.storage import open_store

    actor = _cli_actor()
    store = open_store()
    with audit.action(actor, "roster.restore",
                      f"version {args.version}{_note_detail(args)}") as act:
        version = store.restore(args.version, user=actor)
        act.result = f"version {args.version} → version {version}"
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


# --------------------------------------------------------------------------- users and audit

def _cli_actor() -> str:
    """Who runs the command, for the audit log (``cli:<os user>``)."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


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
        q.add_argument("--vintage", default="2020", choices=VINTAGES,
                       help="administrative map of the roster (default %(default)s)")
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
    q.set_defaults(func=cmd_roster_history)
    q = roster.add_parser("restore", help="make an earlier version current (as a new version)")
    q.add_argument("version", type=int)
    q.add_argument("--user", default=None,
                   help="a note on who asked for the restore; the audit log records the OS user")
    q.set_defaults(func=cmd_roster_restore)
    q = roster.add_parser("template", help="print a roster template to fill in")
    q.add_argument("--per-officer", action="store_true", help="one row per officer")
    q.add_argument("--province", default=DEFAULT_PROVINCE)
    q.add_argument("--vintage", default="2020", choices=VINTAGES)
    q.add_argument("--out", default=None, help="write to this file (UTF-8 with BOM, for Excel)")
    q.set_defaults(func=cmd_roster_template)

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
