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
