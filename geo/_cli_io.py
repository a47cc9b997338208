"""What every command-line handler shares: exit codes, notes on stderr, tables on stdout, the actor.

Provenance ("approximate boundaries", "sample data") and warnings are printed on
stderr as ``# …`` lines, so stdout stays machine-readable CSV or GeoJSON.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import warnings

import pandas as pd

from geo import services

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2


def note(text: str) -> None:
    print(f"# {text}", file=sys.stderr)


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


@contextlib.contextmanager
def warnings_as_notes():
    """Show the warnings raised inside (unmatched units, …) as ``# warning:`` lines on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        note(f"warning: {w.message}")


def cli_actor() -> str:
    """Who runs the command, for the audit log (``cli:<os user>``)."""
    return services.os_actor().name


def actor(args: argparse.Namespace) -> services.Actor:
    """The operating-system user; ``--user`` only adds a note."""
    return services.os_actor(getattr(args, "user", None))


def print_check(report, file: str, kind: str):
    """Print a checked file's problems (a table) and its one-line verdict; return ``report``.

    ``kind`` names what was checked ("sample roster", "border-commune list"), the verdict
    reads ``<file name>: valid|rejected — <kind>, <map> map, <rows>, <errors>, <warnings>``.
    """
    from pathlib import Path

    table = report.to_frame()
    if len(table):
        table.to_string(sys.stdout, index=False, max_colwidth=90)
        print()
    status = "valid" if report.ok else "rejected"
    print(f"{Path(file).name}: {status} — {kind}, {report.vintage} map, "
          f"{report.n_rows} data rows, {len(report.errors)} error(s), "
          f"{len(report.warnings)} warning(s)")
    return report


def write_history(history: pd.DataFrame, *, empty_note: str) -> int:
    """Write stored versions as CSV on stdout, or ``empty_note`` on stderr when there are none."""
    if history.empty:
        note(empty_note)
    else:
        write_table(history, "csv")
    return EXIT_OK


def print_restored(requested: int, version: int, state: str) -> int:
    """Say that version ``requested`` was restored as ``version`` (now ``state``)."""
    print(f"restored version {requested} as version {version} ({state})")
    return EXIT_OK


def write_template(text: str, out: str | None) -> int:
    """Write a template to ``out`` (UTF-8 with BOM, for Excel) or, without ``out``, to stdout."""
    if out:
        from pathlib import Path

        Path(out).write_text(text, encoding="utf-8-sig")
        print(f"wrote {out}")
    else:
        sys.stdout.write(text)
    return EXIT_OK
