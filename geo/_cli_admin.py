"""Command-line handlers for administrators: accounts, the audit log, the shared database."""

from __future__ import annotations

import argparse
import sys

from geo import services
from geo._cli_io import EXIT_OK, cli_actor, note, write_table
from geo._errors import BorderMapError


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

    actor, password, generated = cli_actor(), "", False
    if args.users_command == "list":
        write_table(auth.list_users(), "csv")
        return EXIT_OK
    if args.users_command in ("add", "passwd"):
        password, generated = _new_password(args)
    if args.users_command == "add":
        from geo.scope import describe_scope

        user = auth.add_user(args.name, password, role=args.role, actor=actor, scope=args.scope)
        print(f"added {user.username} ({user.role}, {describe_scope(user.provinces)}"
              f"{'' if user.scope is not None else ' (default)'})")
    elif args.users_command == "passwd":
        auth.set_password(args.name, password, actor=actor)
        print(f"password of {args.name.strip().lower()} changed")
    elif args.users_command == "role":
        auth.set_role(args.name, args.role, actor=actor)
        print(f"{args.name.strip().lower()} is now {args.role}")
    elif args.users_command == "set-scope":
        from geo.scope import describe_scope

        scope = auth.set_scope(args.name, args.scope, actor=actor)
        print(f"{args.name.strip().lower()} may now see: {describe_scope(scope)}")
    elif args.users_command == "remove":
        auth.remove_user(args.name, actor=actor)
        print(f"removed {args.name.strip().lower()}")
    if generated:
        print(f"password: {password}")
        note("the password is shown once and stored only as a bcrypt hash")
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    """Print the audit log, newest first."""
    from geo import audit

    if args.verify:
        note(f"audit log intact (keyed hash chain, head anchor, triggers): "
              f"{audit.verify_log()} events")
        pending = audit.incomplete_actions()
        if len(pending):
            note(f"warning: {len(pending)} action(s) started without a completion event "
                  f"(interrupted?): events {', '.join(map(str, pending['id'][:10]))}")
    frame = audit.read(args.limit, user=args.user, action=args.action,
                       ok=False if args.failed else None)
    if args.format == "csv":
        from geo.tables import escape_formulas

        write_table(escape_formulas(frame.astype({"ts": str})), "csv")
    elif frame.empty:
        note("no audit events match")
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
    if args.db_command == "import-users":
        added, skipped = services.import_users_file(args.file, actor=services.os_actor())
        print(f"{len(added)} account(s) copied into the database"
              + (f": {', '.join(added)}" if added else ""))
        if skipped:
            note(f"already in the database, left unchanged: {', '.join(skipped)}")
        return EXIT_OK
    counts = services.publish_commune_layers(args.province, vintage=args.vintage,
                                             actor=services.os_actor())
    for code, n in counts.items():
        print(f"province {code}, {args.vintage} map: {n} communes published")
    return EXIT_OK


#: Help of a scope argument.
SCOPE_HELP = ('provinces the account may see: names or 2020 codes separated by commas '
              '("Lai Châu,Điện Biên"; case and diacritics ignored), "border" or "all"')


def add_parsers(sub, *, add_area_options) -> None:
    """Add the ``users``, ``audit`` and ``db`` subcommands to ``sub``."""
    from geo.roles import ROLES

    p = sub.add_parser("users", help="manage sign-in accounts (admin)")
    users = p.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    for name, text in (("add", "create an account"), ("passwd", "change a password")):
        q = users.add_parser(name, help=text)
        q.add_argument("name", help="username (3–32 chars: a-z, 0-9, . _ -)")
        if name == "add":
            q.add_argument("--role", required=True, choices=ROLES, help="the account's role")
            q.add_argument("--scope", default=None, help=SCOPE_HELP + " (default: admin the "
                           "whole country, others Điện Biên)")
        how = q.add_mutually_exclusive_group()
        how.add_argument("--password-stdin", action="store_true",
                         help="read the password from the first line of stdin")
        how.add_argument("--generate", action="store_true",
                         help="generate a random password and print it once")
    q = users.add_parser("role", help="change an account's role")
    q.add_argument("name")
    q.add_argument("role", choices=ROLES)
    q = users.add_parser("set-scope", help="change the provinces an account may see "
                         "(ends its sessions)")
    q.add_argument("name")
    q.add_argument("scope", help=SCOPE_HELP)
    q = users.add_parser("remove", help="delete an account (not the last admin)")
    q.add_argument("name")
    users.add_parser("list", help="list accounts, roles and scopes (no password hashes)")
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
    q = db.add_parser("import-users", help="copy the accounts of a users file into the "
                      "database (once, when moving to the shared store)")
    q.add_argument("file", nargs="?", default=None,
                   help="users file (default: BORDERMAP_USERS or <BORDERMAP_HOME>/users.json)")
    add_area_options(db.add_parser("publish-layers", help="write the commune layers to "
                                    "PostGIS for GIS desks (QGIS)"), boundaries=False)
    p.set_defaults(func=cmd_db)
