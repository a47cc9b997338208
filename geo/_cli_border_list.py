"""``python -m geo border-list …``: thin handlers over :mod:`geo.services`.

Errors are turned into exit codes by :func:`geo.cli.main`, as for every command.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from geo import services
from geo._errors import BorderListError
from geo.settings import DEFAULT_PROVINCE, DEFAULT_VINTAGE, VINTAGES

EXIT_OK, EXIT_INPUT = 0, 2


def _validate(args: argparse.Namespace):
    from geo._cli_io import print_check

    report = services.check_border_list(Path(args.file), province=args.province,
                                        vintage=args.vintage, sheet=args.sheet)
    return print_check(report, args.file, "border-commune list")


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a border-commune list; exit 0 if valid, 2 if not (problems on stdout)."""
    return EXIT_OK if _validate(args).ok else EXIT_INPUT


def cmd_import(args: argparse.Namespace) -> int:
    """Check and keep a border-commune list as the one in force (nothing stored on errors)."""
    from geo._cli_io import actor as _actor

    report = _validate(args)
    try:
        version = services.import_border_list(report, actor=_actor(args))
    except BorderListError:
        print("nothing was stored; the border flags are unchanged")
        return EXIT_INPUT
    print(f"stored as version {version} (in force for province {report.province}, "
          f"{report.vintage} map; {len(report.listed)} border communes)")
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    """Print every stored border-list version."""
    from geo._cli_io import write_history
    from geo.registry import find_province

    province = None if args.province is None else find_province(
        args.province, vintage=args.vintage or DEFAULT_VINTAGE)
    history = services.border_list_history(province, vintage=args.vintage)
    return write_history(history, empty_note="no border-commune list loaded: the border flags "
                                             "are computed from the boundaries")


def cmd_restore(args: argparse.Namespace) -> int:
    """Make an earlier border list the one in force again (as a new version)."""
    from geo._cli_io import actor as _actor, print_restored

    return print_restored(args.version,
                          services.restore_border_list(args.version, actor=_actor(args)),
                          "in force")


def cmd_template(args: argparse.Namespace) -> int:
    """Print a border-list template (CSV, UTF-8) to fill in."""
    from geo._cli_io import write_template
    from geo.border_list import border_list_template

    return write_template(border_list_template(province=args.province, vintage=args.vintage),
                          args.out)


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``border-list validate|import|history|restore|template`` to the command line."""
    p = sub.add_parser("border-list", help="official border-commune list (annex of the border "
                                           "decree): validate, import, history, restore, "
                                           "template")
    actions = p.add_subparsers(dest="border_list_command", required=True, metavar="ACTION")
    for name, func, text in (("validate", cmd_validate, "check a list file; exit 2 if it "
                              "has errors"),
                             ("import", cmd_import, "check and keep a list: it then decides "
                              "the border communes of its province and map")):
        q = actions.add_parser(name, help=text)
        q.add_argument("file", help="CSV or XLSX: commune_code (or commune_name + district), "
                                    "optional country, source")
        q.add_argument("--province", default=DEFAULT_PROVINCE,
                       help='province (default "%(default)s")')
        q.add_argument("--vintage", default=DEFAULT_VINTAGE, choices=VINTAGES,
                       help="administrative map the list is keyed to (default %(default)s); "
                            "codes of the other map are rejected")
        q.add_argument("--sheet", default=None, help="XLSX sheet name (default: the first)")
        if name == "import":
            q.add_argument("--user", default=None,
                           help="a note on who asked for the import; the audit log records "
                                "the OS user")
        q.set_defaults(func=func)
    q = actions.add_parser("history", help="list stored border-list versions")
    q.add_argument("--province", default=None, help="only this province (default: all)")
    q.add_argument("--vintage", default=None, choices=VINTAGES,
                   help="only lists of this map (default: both)")
    q.set_defaults(func=cmd_history)
    q = actions.add_parser("restore", help="make an earlier list version the one in force")
    q.add_argument("version", type=int)
    q.add_argument("--user", default=None,
                   help="a note on who asked for the restore; the audit log records the OS user")
    q.set_defaults(func=cmd_restore)
    q = actions.add_parser("template", help="print a border-list template to fill in")
    q.add_argument("--province", default=DEFAULT_PROVINCE)
    q.add_argument("--vintage", default=DEFAULT_VINTAGE, choices=VINTAGES)
    q.add_argument("--out", default=None, help="write to this file (UTF-8 with BOM, for Excel)")
    q.set_defaults(func=cmd_template)
