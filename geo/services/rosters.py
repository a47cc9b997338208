"""Rosters: validate a file, import it, restore a version (audited)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import BinaryIO

from geo._errors import InvalidArgument, RosterError
from geo.settings import DEFAULT_PROVINCE, DEFAULT_VINTAGE

log = logging.getLogger(__name__)
from geo.services._base import Actor, _action, _record, roster_store
from geo.services.layers import flag_communes

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- rosters

def border_codes(province: str = DEFAULT_PROVINCE, *, vintage: str = DEFAULT_VINTAGE,
                 home: Path | None = None) -> set[str]:
    """Codes of a province's border communes (for the reinforcement warning)."""
    from geo.border_list import border_in_use

    flagged = flag_communes(province, vintage=vintage, home=home)
    return set(flagged.loc[border_in_use(flagged), "code"])


def check_roster(source: str | Path | bytes | BinaryIO, *, source_name: str | None = None,
                 province: str = DEFAULT_PROVINCE, vintage: str | None = DEFAULT_VINTAGE,
                 sheet: str | None = None, partial: bool | None = None,
                 home: Path | None = None):
    """Read and validate a roster file (nothing is stored); return its ValidationReport.

    ``vintage`` is the map the roster is keyed to; ``None`` detects it from the file
    (a file keyed to the other map than the one given is rejected). ``partial``:
    ``False`` a roster that replaces the stored one must list every xã; ``True`` a
    declared partial update; ``None`` coverage is not judged (see
    :mod:`geo.plausibility`). A file refused by the bounded pre-parse checks
    (:mod:`geo.filebounds`) is reported without any border analysis.
    """
    from geo.filebounds import preflight_path, preflight_roster
    from geo.roster import validate_roster

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


def restore_roster(version: int, *, actor: Actor, store=None) -> int:
    """Make an earlier roster version current again, as a new version (audited first)."""
    store = store if store is not None else roster_store()
    with _action(actor, "roster.restore", f"version {version}") as act:
        new = store.restore(int(version), user=actor.name)
        act.result = f"version {version} → version {new}"
    return new
