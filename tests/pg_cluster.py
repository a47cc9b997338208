"""Throwaway PostgreSQL + PostGIS cluster for the tests and CI.

Usage (CI, as root or as a normal user)::

    eval "$(python3 tests/pg_cluster.py start)"   # exports BORDERMAP_TEST_* variables
    python -m pytest -q
    python3 tests/pg_cluster.py stop "$BORDERMAP_TEST_PG_DIR"

``start`` creates a temporary folder, runs ``initdb`` there (as the ``postgres``
system user when run as root, since PostgreSQL refuses to run as root; the user is
created with ``useradd`` if missing), starts the server on a free loopback port with
its unix socket inside the folder, and creates:

* ``bordermap_owner`` (login, CREATEDB): owns the databases and runs migrations;
* ``bordermap_app`` (login, no superuser, no BYPASSRLS): the application role, so
  row-level security applies to it;
* ``bordermap_template``: a template database with ``CREATE EXTENSION postgis``
  (tests clone it for a fresh, empty database);
* ``bordermap_test``: a clone of the template.

Passwords are generated at run time and only written to ``<folder>/env.sh``
(mode 0600) and standard output. Only the standard library is used, so this runs
before the virtual environment exists.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

PG_BIN_CANDIDATES = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin",
                     "/usr/lib/postgresql/17/bin")
OWNER_ROLE = "bordermap_owner"
APP_ROLE = "bordermap_app"
TEMPLATE_DB = "bordermap_template"
TEST_DB = "bordermap_test"
RUN_AS = "postgres"


def _pg_bin() -> Path:
    for folder in PG_BIN_CANDIDATES:
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise SystemExit("initdb not found: install Debian's postgresql and postgis packages")


def _as_user(cmd: list[str]) -> list[str]:
    """Prefix ``cmd`` to run as the postgres system user when we are root."""
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", RUN_AS, "--", *cmd]


def _ensure_run_user() -> None:
    if os.geteuid() != 0:
        return
    try:
        pwd.getpwnam(RUN_AS)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/bin/sh", RUN_AS],
                       check=True)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _psql(pg: Path, sock: Path, port: int, db: str, sql: str) -> None:
    subprocess.run(_as_user([str(pg / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h",
                             str(sock), "-p", str(port), "-U", "postgres", "-d", db, "-f", "-"]),
                   input=sql, text=True, check=True, stdout=subprocess.DEVNULL)


def start() -> dict[str, str]:
    """Start a cluster and return the environment variables that point at it."""
    pg = _pg_bin()
    _ensure_run_user()
    base = Path(tempfile.mkdtemp(prefix="bordermap-pg-"))
    if os.geteuid() == 0:
        entry = pwd.getpwnam(RUN_AS)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    base.chmod(0o700)
    try:
        return _start_in(pg, base)
    except BaseException:
        stop(base)
        raise


def _start_in(pg: Path, base: Path) -> dict[str, str]:
    data, sock = base / "data", base / "sock"
    subprocess.run(_as_user(["mkdir", "-m", "700", str(sock)]), check=True)
    subprocess.run(_as_user([str(pg / "initdb"), "-D", str(data), "-U", "postgres", "-E", "UTF8",
                             "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256"]),
                   check=True, stdout=subprocess.DEVNULL)
    port = _free_port()
    options = (f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
    subprocess.run(_as_user([str(pg / "pg_ctl"), "-D", str(data), "-o", options,
                             "-l", str(base / "server.log"), "-w", "-t", "60", "start"]),
                   check=True, stdout=subprocess.DEVNULL)
    owner_pw, app_pw = secrets.token_hex(16), secrets.token_hex(16)
    _psql(pg, sock, port, "postgres", f"""
        CREATE ROLE {OWNER_ROLE} LOGIN CREATEDB PASSWORD '{owner_pw}';
        CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS
            PASSWORD '{app_pw}';
        CREATE DATABASE {TEMPLATE_DB} OWNER {OWNER_ROLE};
    """)
    _psql(pg, sock, port, TEMPLATE_DB, "CREATE EXTENSION postgis;")
    _psql(pg, sock, port, "postgres", f"""
        ALTER DATABASE {TEMPLATE_DB} IS_TEMPLATE true;
        CREATE DATABASE {TEST_DB} TEMPLATE {TEMPLATE_DB} OWNER {OWNER_ROLE};
    """)
    host = f"127.0.0.1:{port}"
    env = {
        "BORDERMAP_TEST_DATABASE_URL": f"postgresql://{APP_ROLE}:{app_pw}@{host}/{TEST_DB}",
        "BORDERMAP_TEST_DATABASE_OWNER_URL":
            f"postgresql://{OWNER_ROLE}:{owner_pw}@{host}/{TEST_DB}",
        "BORDERMAP_TEST_PG_DIR": str(base),
    }
    env_file = base / "env.sh"
    env_file.touch(mode=0o600)
    env_file.write_text("".join(f"export {k}='{v}'\n" for k, v in env.items()), encoding="utf-8")
    return env


def stop(base: str | Path) -> None:
    """Stop the cluster in ``base`` (if running) and delete the folder."""
    base = Path(base)
    if not base.name.startswith("bordermap-pg-"):
        raise SystemExit(f"{base} is not a folder made by this script")
    data = base / "data"
    if (data / "postmaster.pid").exists():
        subprocess.run(_as_user([str(_pg_bin() / "pg_ctl"), "-D", str(data), "-m", "fast",
                                 "-w", "stop"]), check=False, stdout=subprocess.DEVNULL)
    shutil.rmtree(base, ignore_errors=True)


def main(argv: list[str]) -> int:
    """``start`` prints ``export`` lines for the shell; ``stop DIR`` stops and deletes."""
    if argv[:1] == ["start"] and len(argv) == 1:
        for key, value in start().items():
            print(f"export {key}='{value}'")
        return 0
    if argv[:1] == ["stop"] and len(argv) == 2:
        stop(argv[1])
        return 0
    print("usage: pg_cluster.py start | stop DIR", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
