"""Staffing norms and official border-commune lists: load, validate, import, restore (audited)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import BinaryIO

import geopandas as gpd
import pandas as pd

from geo._errors import InvalidArgument
from geo.settings import DEFAULT_PROVINCE, DEFAULT_VINTAGE

from geo.scope import allowed_provinces, check_province
from geo.services._base import (
    Actor,
    _action,
    _province_code,
    _record,
    actor_provinces,
    border_list_store,
    norm_store,
)

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- staffing norms

def current_norms(*, home: Path | None = None) -> pd.DataFrame:
    """Return the norms in force: the newest stored version, else the repository file.

    ``attrs`` carries ``norms_source`` and ``norms_version`` (None for the file).
    """
    from geo.norms import load_norms

    return load_norms(store=norm_store(home))


def norms_token(home: Path | None = None) -> str:
    """Return a token that changes whenever norms are stored or restored (any process)."""
    return norm_store(home).version_token()


def import_norms(path: str | Path, *, actor: Actor, home: Path | None = None) -> int:
    """Validate and store a norms file as the new current version (audited first)."""
    store = norm_store(home)
    with _action(actor, "norms.import", f"{Path(path).name}") as act:
        version = store.import_norms(Path(path), user=actor.name)
        act.result = f"→ version {version}"
    return version


def restore_norms(version: int, *, actor: Actor, home: Path | None = None) -> int:
    """Make an earlier norms version current again, as a new version (audited first)."""
    store = norm_store(home)
    with _action(actor, "norms.restore", f"version {version}") as act:
        new = store.restore(int(version), user=actor.name)
        act.result = f"version {version} → version {new}"
    return new


# --------------------------------------------------------------------------- border lists

def current_border_list(province: str | None, *, vintage: str, home: Path | None = None,
                        actor: Actor | None = None):
    """Return the official border-commune list in force for a province and map, or None.

    With ``actor``, a province outside its scope is refused (audited).
    """
    if province is None or "," in str(province):
        return None
    if actor is not None:
        check_province(actor, province, vintage=vintage)
    code = _province_code(province, vintage)
    if code is None:
        return None
    store = border_list_store(home, create=False, provinces=actor_provinces(actor))
    return None if store is None else store.current(code, vintage)


def border_list_token(home: Path | None = None) -> str:
    """Return a token that changes whenever a border list is loaded or restored."""
    store = border_list_store(home, create=False)
    return "" if store is None else store.version_token()


def border_list_label(stored) -> str:
    """Return how a stored list is named: ``"<decree> (file.csv, version 3)"``."""
    from geo.border_list import list_label

    return list_label(stored.source_name, stored.version, stored.frame["source"])



def border_list_history(province: str | None = None, *, vintage: str | None = None,
                        home: Path | None = None, actor: Actor | None = None) -> pd.DataFrame:
    """Return the stored border-list versions (empty while no list was ever loaded).

    With ``actor``, only the versions of provinces in its scope.
    """
    from geo.stores.border_lists import HISTORY_COLUMNS

    store = border_list_store(home, create=False, provinces=actor_provinces(actor))
    if store is None:
        return pd.DataFrame(columns=list(HISTORY_COLUMNS))
    history = store.history(province=province, vintage=vintage)
    if actor is None or actor.scope is None or history.empty:
        return history
    keep = [code in (allowed_provinces(actor, str(v)) or ())
            for code, v in zip(history["province"], history["vintage"])]
    return history[keep].reset_index(drop=True)


def border_list_template(province: str = DEFAULT_PROVINCE, *,
                         vintage: str = DEFAULT_VINTAGE) -> str:
    """Return a CSV template of a border-commune list for a province and map."""
    from geo.border_list import border_list_template as template

    return template(province=province, vintage=vintage)


def _apply_border_lists(flagged: gpd.GeoDataFrame, vintage: str,
                        home: Path | None, actor: Actor | None = None) -> gpd.GeoDataFrame:
    """Apply each province's list in force (or the computed flags) to ``flagged``.

    The lists are read as ``actor`` (shared store: row-level security to its provinces).
    """
    from geo.border_list import apply_province_lists

    store = border_list_store(home, create=False, provinces=actor_provinces(actor))

    def in_force(code: str):
        stored = None if store is None else store.current(code, vintage)
        return None if stored is None else (stored.frame, border_list_label(stored))

    return apply_province_lists(flagged, in_force)


def check_border_list(source: str | Path | bytes | BinaryIO, *, source_name: str | None = None,
                      province: str = DEFAULT_PROVINCE, vintage: str = DEFAULT_VINTAGE,
                      sheet: str | None = None, actor: Actor | None = None):
    """Read and check an official border-commune list (nothing is stored); return its report.

    With ``actor``, a province outside its scope is refused before the file is read.
    """
    from geo.border_list import validate_border_list

    if actor is not None:
        check_province(actor, province, vintage=vintage, action="upload")
    if isinstance(source, (str, Path)) and not Path(source).is_file():
        raise InvalidArgument(f"{source}: no such file")
    return validate_border_list(source, source_name=source_name, province=province,
                                vintage=vintage, sheet=sheet)


def import_border_list(report, *, actor: Actor, home: Path | None = None) -> int:
    """Keep a checked list as the one in force for its province and map (audited).

    Raises
    ------
    BorderListError
        The report has errors: nothing is stored and the refusal is audited.
    """
    from geo._errors import BorderListError

    check_province(actor, report.province, vintage=report.vintage, action="import")
    if not report.ok:
        _record(actor, "border_list.import", f"rejected {report.source_name}: "
                f"{len(report.errors)} error(s)", ok=False)
        raise BorderListError(f"{report.source_name}: {len(report.errors)} error(s); nothing "
                              "was stored, the border flags are unchanged", report.errors)
    with _action(actor, "border_list.import",
                 f"{report.source_name} sha256={report.sha256[:12]} province={report.province}"
                 f" vintage={report.vintage}: {len(report.listed)} communes") as act:
        version = border_list_store(home, provinces=actor_provinces(actor)).import_list(
            report.listed, source_name=report.source_name, sha256=report.sha256,
            user=actor.name, province=report.province, vintage=report.vintage)
        act.result = f"→ version {version}"
    return version


def restore_border_list(version: int, *, actor: Actor, home: Path | None = None) -> int:
    """Make an earlier border list current again, as a new version (audited first).

    Raises
    ------
    ScopeDenied
        The version is of a province outside ``actor``'s scope (audited).
    """
    if actor.scope is not None:
        old = border_list_store(home).get(int(version))
        check_province(actor, old.province, vintage=old.vintage, action="restore")
    with _action(actor, "border_list.restore", f"version {version}") as act:
        new = border_list_store(home, provinces=actor_provinces(actor)).restore(
            int(version), user=actor.name)
        act.result = f"version {version} → version {new}"
    return new
