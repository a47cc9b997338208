"""Rosters: validate a file, import it, restore a version (audited)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import BinaryIO

from geo._errors import InvalidArgument, RosterError, StorageError
from geo.settings import DEFAULT_PROVINCE, DEFAULT_VINTAGE

from geo.scope import allowed_provinces, check_province
from geo.services._base import Actor, _action, _record, roster_store, scoped_store, store_for
from geo.services.layers import flag_communes

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- rosters

def border_codes(province: str = DEFAULT_PROVINCE, *, vintage: str = DEFAULT_VINTAGE,
                 home: Path | None = None, actor: Actor | None = None) -> set[str]:
    """Codes of a province's border communes (for the reinforcement warning)."""
    from geo.border_list import border_in_use

    flagged = flag_communes(province, vintage=vintage, home=home, actor=actor)
    return set(flagged.loc[border_in_use(flagged), "code"])


def check_roster(source: str | Path | bytes | BinaryIO, *, source_name: str | None = None,
                 province: str = DEFAULT_PROVINCE, vintage: str | None = DEFAULT_VINTAGE,
                 sheet: str | None = None, partial: bool | None = None,
                 home: Path | None = None, actor: Actor | None = None):
    """Read and validate a roster file (nothing is stored); return its ValidationReport.

    ``vintage`` is the map the roster is keyed to; ``None`` detects it from the file
    (a file keyed to the other map than the one given is rejected). ``partial``:
    ``False`` a roster that replaces the stored one must list every xã; ``True`` a
    declared partial update; ``None`` coverage is not judged (see
    :mod:`geo.plausibility`). A file refused by the bounded pre-parse checks
    (:mod:`geo.filebounds`) is reported without any border analysis.

    With ``actor``, a province outside its scope is refused before the file is read
    (:class:`~geo._errors.ScopeDenied`, audited); the communes of another province in
    the file are errors of the report, as always.
    """
    from geo.filebounds import preflight_path, preflight_roster
    from geo.roster import validate_roster

    if actor is not None:
        for v in ((vintage,) if vintage is not None else ("2020", "2025")):
            check_province(actor, province, vintage=v, action="upload")
    if isinstance(source, (str, Path)):
        if not Path(source).is_file():
            raise InvalidArgument(f"{source}: no such file")
        bounded = preflight_path(source, sheet=sheet)
    elif isinstance(source, bytes):
        bounded = not any(sev == "error" for sev, _ in preflight_roster(
            source, name=source_name or "roster", sheet=sheet))
    else:
        bounded = True
    codes = (lambda v: border_codes(province, vintage=v, home=home)) if bounded else None
    return validate_roster(source, source_name=source_name, province=province,
                           vintage=vintage, sheet=sheet, partial=partial, border_codes=codes)


def import_roster(report, *, actor: Actor, store=None, partial: bool = False) -> int:
    """Store a validated roster as the new current version (audited); return the version.

    The audit intent is written before the store is touched and the completion
    after (:func:`geo.audit.action`): if the log cannot be written, nothing is
    stored. With ``partial`` only the listed units change (merged into the current
    roster of the same province and map).

    Raises
    ------
    RosterError
        The report has errors: nothing is stored and the refusal is audited.
    AuditError
        The audit log cannot be written: nothing is stored.
    """
    from geo.plausibility import roster_to_store

    store = store if store is not None else roster_store()
    check_province(actor, report.province, vintage=report.vintage, action="import")
    store = scoped_store(store, actor)
    if report.ok:
        store = store_for(store, report.province, report.vintage)
    if not report.ok:
        _record(actor, "roster.import", f"rejected {report.source_name}: "
                f"{len(report.errors)} error(s)", ok=False)
        raise RosterError(f"{report.source_name}: {len(report.errors)} error(s); nothing was "
                          f"stored, the current roster is unchanged", report.errors)
    what = "partial update" if partial else "roster"
    with _action(actor, "roster.import",
                 f"{what} {report.source_name} sha256={report.sha256[:12]}") as act:
        current = (store.current(province=report.province, vintage=report.vintage)
                   if partial else None)
        frame = roster_to_store(report.roster, partial=partial, current=current,
                                province=report.province, vintage=report.vintage)
        version = store.import_roster(frame, source_name=report.source_name,
                                      sha256=report.sha256, user=actor.name, kind=report.kind,
                                      province=report.province, vintage=report.vintage)
        act.result = f"→ version {version} ({len(report.roster)} of {len(frame)} units)"
    return version


def restore_roster(version: int, *, actor: Actor, store=None, province: str | None = None,
                   vintage: str | None = None) -> int:
    """Make an earlier roster version current again, as a new version (audited first).

    Parameters
    ----------
    version : int
        The version to copy.
    actor : Actor
        Who restores it; the version's province must be in its scope.
    store : optional
        The roster store (default: ``BORDERMAP_HOME``'s or the shared database's).
    province, vintage : str, optional
        The province (name or code) and map whose history ``version`` is from. The
        PostGIS store counts versions per province and map, so the page passes them:
        the restore then goes to that province's stream, scoped to ``actor``. The
        version must be of that province and map (the SQLite store numbers all
        provinces together). ``vintage`` defaults to ``"2020"``.

    Raises
    ------
    ScopeDenied
        The province, or the version's province, is outside ``actor``'s scope (audited).
    StorageError
        No such version in that province's history.
    """
    store = store if store is not None else roster_store()
    code = None
    if province is not None:
        from geo.registry import find_province

        vintage = str(vintage or "2020")
        code = find_province(str(province), vintage=vintage)
        check_province(actor, code, vintage=vintage, action="restore")
        store = store_for(store, code, vintage)
    if actor.scope is not None or code is not None:  # the version's province, server side
        from geo.registry import find_province

        # With a province in scope, read as the actor (row-level security applies).
        old = (store if code is None else scoped_store(store, actor)).get(int(version))
        if actor.scope is not None:
            check_province(actor, old.province, vintage=old.vintage, action="restore")
        if code is not None and (str(old.vintage), find_province(
                str(old.province), vintage=str(old.vintage))) != (vintage, code):
            raise StorageError(f"roster version {version} is not one of province {code}'s "
                               f"({vintage} map)")
    store = scoped_store(store, actor)
    with _action(actor, "roster.restore", f"version {version}"
                 + ("" if code is None else f" (province {code}, {vintage} map)")) as act:
        new = store.restore(int(version), user=actor.name)
        act.result = f"version {version} → version {new}"
    return new


def roster_history(*, actor: Actor | None = None, store=None, province: str | None = None,
                   vintage: str | None = None):
    """Return the stored roster versions ``actor`` may see (all provinces in its scope).

    Columns :data:`geo.stores.rosters.HISTORY_COLUMNS`; ``province`` / ``vintage``
    narrow it further (a province outside the scope is refused).
    """
    import warnings

    from geo._errors import RegistryError
    from geo.registry import find_province

    store = scoped_store(store if store is not None else roster_store(), actor)
    if actor is not None and province is not None:
        for v in ((vintage,) if vintage else ("2020", "2025")):
            check_province(actor, province, vintage=v)
    history = store.history(province=province, vintage=vintage)
    if actor is None or actor.scope is None or history.empty:
        return history

    def visible(row) -> bool:
        allowed = allowed_provinces(actor, str(row["vintage"]))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                code = find_province(str(row["province"]), vintage=str(row["vintage"]))
        except RegistryError:
            return False
        return code in allowed

    return history[history.apply(visible, axis=1)].reset_index(drop=True)


def roster_token(store, province: str, vintage: str) -> str:
    """Return a token that changes whenever a roster the coverage of a province may use changes.

    The rosters of the province on its map and, on the 2025 map, of the 2020
    provinces it holds (a 2020 roster carried over). One token for the SQLite store
    (one counter for all); one per stream for PostGIS (versions count per stream).
    """
    from geo.services.access import same_province
    from geo.services._base import store_for

    streams = [(province, vintage)]
    if vintage == "2025":
        streams += [(old, "2020") for old in same_province(province, "2020")]
    tokens = [store_for(store, code, v).version_token() for code, v in streams]
    return "|".join(dict.fromkeys(tokens))
