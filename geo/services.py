"""Use cases shared by the app and the CLI: the one workflow layer.

Pages and CLI handlers only parse input, call one function here and show the
result. Each use case that changes stored state writes its audit event here, so
the app and the command line cannot drift apart: import a roster, restore a
version, accept or remove an official boundary file, export a briefing.
Boundary files accepted anywhere (app or CLI) are kept in the
:class:`~geo.stores.boundaries.BoundaryStore` and used everywhere.

Examples
--------
>>> from geo import services
>>> cov = services.load_coverage("Điện Biên", vintage="2025")  # doctest: +SKIP
>>> report = services.check_roster("roster.csv", province="Điện Biên")  # doctest: +SKIP
>>> services.import_roster(report, actor=services.os_actor())  # doctest: +SKIP
"""

from __future__ import annotations

import getpass
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

import geopandas as gpd
import pandas as pd

from geo import audit
from geo._errors import InvalidArgument, RosterError
from geo._text import fold
from geo.reference import PUBLISHED_BORDER_KM_DIEN_BIEN, PUBLISHED_BORDER_SOURCE, is_dien_bien
from geo.settings import (BORDER_MIN_SHARED_KM, BORDER_TOLERANCE_M, DEFAULT_PROVINCE,
                          DEFAULT_VINTAGE)
from geo.stores.boundaries import BoundaryStore

log = logging.getLogger(__name__)

#: Border-country choices of :func:`border_communes`.
BORDER_COUNTRY_CHOICES = ("LAO", "CHN", "any")


# --------------------------------------------------------------------------- actors

@dataclass(frozen=True)
class Actor:
    """Who does something, for store history and the audit log.

    Attributes
    ----------
    name : str
        Account name (app) or ``cli:<operating-system user>`` (CLI).
    client : str
        Where the request came from (remote address, ``"cli"``).
    note : str
        Free text the caller adds (e.g. the CLI's ``--user``), kept beside the name.
    """

    name: str
    client: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        """Name with the note, as written into history."""
        return f"{self.name} ({self.note})" if self.note else self.name


def os_actor(note: str | None = None) -> Actor:
    """Return the actor of a command-line call: the operating-system user."""
    try:
        name = f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        name = "cli"
    return Actor(name=name, client="cli", note=(note or "").strip())


def _note(actor: Actor) -> str:
    return f" [note: {actor.note}]" if actor.note else ""


def _record(actor: Actor, action: str, detail: str, *, ok: bool = True) -> None:
    audit.record(actor.name, action, detail + _note(actor), ok=ok, client=actor.client or None)


def _action(actor: Actor, action: str, detail: str):
    """Audit intent now, completion when the block ends (the block runs only if logged)."""
    return audit.action(actor.name, action, detail + _note(actor), client=actor.client or None)


# --------------------------------------------------------------------------- layers

def _province_code(province: str | None, vintage: str) -> str | None:
    from geo.registry import find_province

    if province is None or fold(province) == "all":
        return None
    return find_province(province, vintage=vintage)


def current_boundaries(province: str | None, *, vintage: str,
                       home: Path | None = None) -> Path | None:
    """Return the official boundary file accepted for a province and map, or None."""
    code = _province_code(province, vintage)
    return None if code is None else BoundaryStore(home).current(code, vintage)


def _boundaries_for(province: str | None, vintage: str, boundaries: str | Path | None,
                    home: Path | None) -> str | Path | None:
    if boundaries is not None:
        return boundaries
    return current_boundaries(province, vintage=vintage, home=home)


def load_communes(province: str | None = DEFAULT_PROVINCE, *, vintage: str = DEFAULT_VINTAGE,
                  boundaries: str | Path | None = None,
                  home: Path | None = None) -> gpd.GeoDataFrame:
    """Return communes: a given file, else an accepted one, else the embedded layer.

    ``province`` is one province, several separated by commas, ``"border"`` (the
    land-border provinces) or ``"all"``; see :func:`geo.registry.find_provinces`.
    See :func:`geo.boundaries.load_communes` for the columns and errors.
    """
    from geo import boundaries as layer
    from geo.registry import find_provinces

    codes = None if province is None else find_provinces(province, vintage=vintage)
    if codes is not None and len(codes) > 1:
        if boundaries is not None:
            raise InvalidArgument("an official boundaries file covers one province, "
                                  f"not {len(codes)}")
        parts = [load_communes(code, vintage=vintage, home=home) for code in codes]
        return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)
    one = None if codes is None else codes[0]
    return layer.load_communes(one, vintage=vintage,
                               boundaries=_boundaries_for(one, vintage, boundaries, home))


def flag_communes(province: str | None = DEFAULT_PROVINCE, *, vintage: str = DEFAULT_VINTAGE,
                  boundaries: str | Path | None = None,
                  tolerance_m: float = BORDER_TOLERANCE_M,
                  min_shared_km: float = BORDER_MIN_SHARED_KM,
                  home: Path | None = None) -> gpd.GeoDataFrame:
    """Return :func:`load_communes` with the border analysis columns.

    The computed flags are kept; where an official border-commune list is loaded
    for a province and map it decides ``is_border`` (see
    :func:`geo.border_list.apply_border_list`).
    """
    from geo.borders import flag_border_communes

    flagged = flag_border_communes(
        load_communes(province, vintage=vintage, boundaries=boundaries, home=home),
        tolerance_m=tolerance_m, min_shared_km=min_shared_km)
    return _apply_border_lists(flagged, vintage, home)


def load_coverage(province: str = DEFAULT_PROVINCE, *, vintage: str = DEFAULT_VINTAGE,
                  roster_vintage: str | None = None,
                  boundaries: str | Path | None = None,
                  tolerance_m: float = BORDER_TOLERANCE_M,
                  min_shared_km: float = BORDER_MIN_SHARED_KM,
                  store=None, home: Path | None = None) -> gpd.GeoDataFrame:
    """Return one province's communes with border analysis, roster and coverage metrics.

    The boundary file is resolved as in :func:`load_communes`; the roster comes from
    ``store`` (default: the roster store of ``home``): the roster kept for
    ``roster_vintage`` (default: the map shown, else the 2020 roster carried over).
    See :func:`geo.coverage.load_coverage`.
    """
    from geo import coverage

    if store is None:
        store = roster_store(home)
    listed = current_border_list(province, vintage=vintage, home=home)
    return coverage.load_coverage(
        province, vintage=vintage, roster_vintage=roster_vintage, store=store,
        tolerance_m=tolerance_m,
        min_shared_km=min_shared_km,
        boundaries=_boundaries_for(province, vintage, boundaries, home),
        border_list=None if listed is None else listed.frame,
        border_list_label="" if listed is None else border_list_label(listed))


def border_communes(province: str | None = DEFAULT_PROVINCE, *, country: str = "any",
                    vintage: str = DEFAULT_VINTAGE, boundaries: str | Path | None = None,
                    tolerance_m: float = BORDER_TOLERANCE_M,
                    min_shared_km: float = BORDER_MIN_SHARED_KM,
                    home: Path | None = None) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return ``(border communes of country, all communes flagged)``.

    ``country`` is ``LAO``, ``CHN`` or ``any`` (any border commune). Where an
    official list is loaded it decides (``LAO`` / ``CHN`` from its country
    column, else the computed one); ``attrs["border_disagreements"]`` lists
    where it and the computed flags differ.
    """
    from geo.border_list import border_in_use, countries_in_use

    if country not in BORDER_COUNTRY_CHOICES:
        raise InvalidArgument(f"country must be one of {', '.join(BORDER_COUNTRY_CHOICES)}, "
                              f"not {country!r}")
    flagged = flag_communes(province, vintage=vintage, boundaries=boundaries,
                            tolerance_m=tolerance_m, min_shared_km=min_shared_km, home=home)
    keep = (border_in_use(flagged) if country == "any"
            else countries_in_use(flagged).str.contains(country).to_numpy())
    return flagged[keep], flagged


@dataclass(frozen=True)
class BorderSummary:
    """Per-country border figures of a province, with the published lengths where known."""

    table: pd.DataFrame
    flagged: gpd.GeoDataFrame
    published_source: str | None


def border_summary(province: str | None = DEFAULT_PROVINCE, *, vintage: str = DEFAULT_VINTAGE,
                   boundaries: str | Path | None = None,
                   tolerance_m: float = BORDER_TOLERANCE_M,
                   min_shared_km: float = BORDER_MIN_SHARED_KM,
                   home: Path | None = None) -> BorderSummary:
    """Return per country the border communes and border length, beside published figures.

    Countries with no border commune are left out, except those with a published
    length (Điện Biên: Laos and China).
    """
    from geo.borders import summarize_borders

    flagged = flag_communes(province, vintage=vintage, boundaries=boundaries,
                            tolerance_m=tolerance_m, min_shared_km=min_shared_km, home=home)
    code = _province_code(province, vintage)
    published = PUBLISHED_BORDER_KM_DIEN_BIEN if code and is_dien_bien(code) else None
    summary = summarize_borders(flagged, published=published)
    summary = summary[(summary["n_border_communes"] > 0) | summary.get(
        "published_km", summary["border_km"]).notna() & (summary["iso3"] != "KHM")]
    if "published_km" in summary:
        summary = summary.assign(
            difference_pct=(summary["border_km"] - summary["published_km"])
            / summary["published_km"] * 100)
    return BorderSummary(summary, flagged, PUBLISHED_BORDER_SOURCE if published else None)


def build_default_layers(out_dir: Path | None = None, *, method: str = "fitted"
                         ) -> tuple[dict, list[Path]]:
    """Rebuild the embedded approximate layers; return ``(layers, written paths)``.

    ``method`` is ``fitted`` (power diagram fitted to official areas, the default) or
    ``voronoi`` (plain Voronoi of the centroids, kept for comparison).
    """
    from geo.boundaries import EMBEDDED_PROVINCE_CODE, write_embedded_layers
    from geo.layer import build_province_layers
    from geo.settings import SHAPEFILE_DIR

    layers = build_province_layers(EMBEDDED_PROVINCE_CODE, method=method)
    return layers, write_embedded_layers(layers, out_dir=out_dir or SHAPEFILE_DIR)


def build_sample_rosters(out: Path | None = None, out_2025: Path | None = None
                         ) -> list[tuple[Path, pd.DataFrame, str]]:
    """Regenerate both sample rosters (synthetic; the 2020 totals equal the published figures).

    Returns ``[(path, frame, what), …]`` for the 2020 and the 2025 file.
    """
    from geo.coverage import crosswalk_targets
    from geo.registry import load_units
    from geo.sample import build_sample_roster, build_sample_roster_2025
    from geo.settings import SAMPLE_ROSTER, SAMPLE_ROSTER_2025

    out, out_2025 = Path(out or SAMPLE_ROSTER), Path(out_2025 or SAMPLE_ROSTER_2025)
    roster = build_sample_roster(flag_communes(DEFAULT_PROVINCE, vintage="2020"))
    roster_2025 = build_sample_roster_2025(roster, load_units("2025", province=DEFAULT_PROVINCE),
                                           crosswalk_targets(DEFAULT_PROVINCE))
    for path, frame in ((out, roster), (out_2025, roster_2025)):
        frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return [(out, roster, "xã (2020 map)"), (out_2025, roster_2025, "units (2025 map)")]


# --------------------------------------------------------------------------- official boundaries

def check_boundaries(path: str | Path, *, province: str = DEFAULT_PROVINCE,
                     vintage: str = DEFAULT_VINTAGE) -> gpd.GeoDataFrame:
    """Load an official boundary file for review (nothing is stored).

    ``attrs`` carries ``unmatched``, ``missing``, ``encoding`` and ``source``.
    """
    from geo.boundaries import load_official_boundaries

    return load_official_boundaries(path, province=province, vintage=vintage)


def accept_boundaries(path: str | Path, *, actor: Actor, province: str = DEFAULT_PROVINCE,
                      vintage: str = DEFAULT_VINTAGE, home: Path | None = None) -> Path:
    """Check an official boundary file again, keep it and make it current (audited).

    Returns
    -------
    Path
        The kept copy, used from now on by the app and the CLI for this province and map.
    """
    gdf = check_boundaries(path, province=province, vintage=vintage)
    code = _province_code(province, vintage)
    with _action(actor, "boundaries.accept", f"{gdf.attrs.get('source', Path(path).name)} "
                 f"province={code} vintage={vintage}: {len(gdf)} units") as act:
        kept = BoundaryStore(home).keep(Path(path), code, vintage)
        act.result = f"kept as {kept.parent.name}/{kept.name}"
    return kept


def remove_boundaries(*, actor: Actor, province: str = DEFAULT_PROVINCE,
                      vintage: str = DEFAULT_VINTAGE, home: Path | None = None) -> bool:
    """Go back to the embedded layer for a province and map (audited); True if one was current."""
    code = _province_code(province, vintage)
    store = BoundaryStore(home)
    if store.current(code, vintage) is None:
        return False
    with _action(actor, "boundaries.remove", f"province={code} vintage={vintage}"):
        return store.forget(code, vintage)


# --------------------------------------------------------------------------- rosters

def roster_store(home: Path | None = None):
    """Return the roster store of ``home`` (default ``BORDERMAP_HOME``)."""
    from geo.stores.rosters import open_store

    return open_store(home)


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
                                      sha256=report.sha256, user=actor.label, kind=report.kind,
                                      province=report.province, vintage=report.vintage)
        act.result = f"→ version {version} ({len(report.roster)} of {len(frame)} units)"
    return version


def restore_roster(version: int, *, actor: Actor, store=None) -> int:
    """Make an earlier roster version current again, as a new version (audited first)."""
    store = store if store is not None else roster_store()
    with _action(actor, "roster.restore", f"version {version}") as act:
        new = store.restore(int(version), user=actor.label)
        act.result = f"version {version} → version {new}"
    return new


# --------------------------------------------------------------------------- staffing norms

def norm_store(home: Path | None = None):
    """Return the staffing-norm store of ``home`` (default ``BORDERMAP_HOME``)."""
    from geo.stores.norms import open_norm_store

    return open_norm_store(home)


def current_norms(*, home: Path | None = None) -> pd.DataFrame:
    """Return the norms in force: the newest stored version, else the repository file.

    ``attrs`` carries ``norms_source`` and ``norms_version`` (None for the file).
    """
    from geo.norms import load_norms

    return load_norms(store=norm_store(home))


def import_norms(path: str | Path, *, actor: Actor, home: Path | None = None) -> int:
    """Validate and store a norms file as the new current version (audited first)."""
    store = norm_store(home)
    with _action(actor, "norms.import", f"{Path(path).name}") as act:
        version = store.import_norms(Path(path), user=actor.label)
        act.result = f"→ version {version}"
    return version


def restore_norms(version: int, *, actor: Actor, home: Path | None = None) -> int:
    """Make an earlier norms version current again, as a new version (audited first)."""
    store = norm_store(home)
    with _action(actor, "norms.restore", f"version {version}") as act:
        new = store.restore(int(version), user=actor.label)
        act.result = f"version {version} → version {new}"
    return new


# --------------------------------------------------------------------------- border lists

def border_list_store(home: Path | None = None):
    """Return the border-list store of ``home`` (default ``BORDERMAP_HOME``)."""
    from geo.stores.border_lists import BorderListStore

    return BorderListStore(home)


def current_border_list(province: str | None, *, vintage: str, home: Path | None = None):
    """Return the official border-commune list in force for a province and map, or None."""
    if province is None or "," in str(province):
        return None
    code = _province_code(province, vintage)
    if code is None:
        return None
    return border_list_store(home).current(code, vintage)


def border_list_token(home: Path | None = None) -> str:
    """Return a token that changes whenever a border list is loaded or restored."""
    return border_list_store(home).version_token()


def border_list_label(stored) -> str:
    """Return how a stored list is named: ``"<decree> (file.csv, version 3)"``."""
    from geo.border_list import list_label

    return list_label(stored.source_name, stored.version, stored.frame["source"])



def border_list_template(province: str = DEFAULT_PROVINCE, *,
                         vintage: str = DEFAULT_VINTAGE) -> str:
    """Return a CSV template of a border-commune list for a province and map."""
    from geo.border_list import border_list_template as template

    return template(province=province, vintage=vintage)


def _apply_border_lists(flagged: gpd.GeoDataFrame, vintage: str,
                        home: Path | None) -> gpd.GeoDataFrame:
    """Apply each province's list in force (or the computed flags) to ``flagged``."""
    from geo.border_list import apply_province_lists

    store = border_list_store(home)

    def in_force(code: str):
        stored = store.current(code, vintage)
        return None if stored is None else (stored.frame, border_list_label(stored))

    return apply_province_lists(flagged, in_force)


def check_border_list(source: str | Path | bytes | BinaryIO, *, source_name: str | None = None,
                      province: str = DEFAULT_PROVINCE, vintage: str = DEFAULT_VINTAGE,
                      sheet: str | None = None):
    """Read and check an official border-commune list (nothing is stored); return its report."""
    from geo.border_list import validate_border_list

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

    if not report.ok:
        _record(actor, "border_list.import", f"rejected {report.source_name}: "
                f"{len(report.errors)} error(s)", ok=False)
        raise BorderListError(f"{report.source_name}: {len(report.errors)} error(s); nothing "
                              "was stored, the border flags are unchanged", report.errors)
    with _action(actor, "border_list.import",
                 f"{report.source_name} sha256={report.sha256[:12]} province={report.province}"
                 f" vintage={report.vintage}: {len(report.listed)} communes") as act:
        version = border_list_store(home).import_list(
            report.listed, source_name=report.source_name, sha256=report.sha256,
            user=actor.label, province=report.province, vintage=report.vintage)
        act.result = f"→ version {version}"
    return version


def restore_border_list(version: int, *, actor: Actor, home: Path | None = None) -> int:
    """Make an earlier border list current again, as a new version (audited first)."""
    with _action(actor, "border_list.restore", f"version {version}") as act:
        new = border_list_store(home).restore(int(version), user=actor.label)
        act.result = f"version {version} → version {new}"
    return new


# --------------------------------------------------------------------------- briefings

def write_briefing(cov: gpd.GeoDataFrame, *, fmt: str, out: str | Path, metric: str,
                   actor: Actor, country: str = "all", codes=None, title: str | None = None,
                   marking: str | None = None, lang: str = "vi",
                   progress: Callable[[int, int, str], None] | None = None) -> Path:
    """Write a briefing of a loaded coverage frame (audited); return the file written.

    ``fmt`` is ``png``, ``pdf``, ``html`` or ``atlas`` (a PDF district atlas: contents,
    province overview, one page per district; ``progress(i, n, name)`` is called per page).
    """
    from geo.export import export_atlas, export_briefing

    if fmt == "atlas":
        path = export_atlas(cov, out=out, metric=metric, title=title, marking=marking,
                            lang=lang, progress=progress)
    else:
        path = export_briefing(cov, fmt=fmt, out=out, metric=metric, country=country,
                               codes=codes, title=title, marking=marking, lang=lang)
    _record(actor, "export", f"{fmt} {path.name} province={cov.attrs.get('province', '')} "
            f"vintage={cov.attrs.get('vintage', '')} metric={metric} country={country} "
            f"communes={len(list(codes)) if codes is not None else 'all'}")
    return path


def export_briefing(province: str = DEFAULT_PROVINCE, *, fmt: str | None, out: str | Path,
                    metric: str, actor: Actor, vintage: str = DEFAULT_VINTAGE,
                    country: str = "all", boundaries: str | Path | None = None,
                    title: str | None = None, marking: str | None = None,
                    lang: str = "vi", atlas: bool = False, roster_vintage: str | None = None,
                    progress: Callable[[int, int, str], None] | None = None,
                    ) -> tuple[Path, gpd.GeoDataFrame]:
    """Load a province's coverage and write its briefing or district atlas (audited).

    The output path and format are checked before any slow work. Returns
    ``(file written, coverage frame)``.
    """
    from geo.export import check_output_path

    if province is None or fold(province) == "all":
        raise InvalidArgument("export needs one province, not 'all'")
    out, fmt = check_output_path(out, fmt="pdf" if atlas else fmt)
    cov = load_coverage(province, vintage=vintage, roster_vintage=roster_vintage,
                        boundaries=boundaries)
    path = write_briefing(cov, fmt="atlas" if atlas else fmt, out=out, metric=metric,
                          actor=actor, country=country, title=title, marking=marking,
                          lang=lang, progress=progress)
    return path, cov


# --------------------------------------------------------------------------- shared database

def _database_url() -> str:
    from geo._errors import SettingsError
    from geo.settings import get_settings

    url = get_settings().database_url
    if not url:
        raise SettingsError("BORDERMAP_DATABASE_URL is not set: the embedded SQLite store is in "
                            "use and there is no shared database to work on")
    return url


def upgrade_database() -> str:
    """Bring the shared database's schema to this program's revision (Alembic); return it.

    Run with the URL of the role that owns the tables (not the app role).
    """
    from geo.stores.postgis import migrate

    return migrate(_database_url())


def publish_commune_layers(province: str | None = DEFAULT_PROVINCE, *,
                           vintage: str = DEFAULT_VINTAGE, actor: Actor,
                           home: Path | None = None) -> dict[str, int]:
    """Write the communes the app uses into the shared database's ``commune_layers`` (audited).

    Replaces, in one transaction, the published communes of each province covered
    (see :func:`load_communes` for ``province``); returns communes written per province.
    """
    from geo.stores.postgis_layers import publish_layers

    url = _database_url()
    counts = publish_layers(url, load_communes(province, vintage=vintage, home=home),
                            vintage=vintage)
    _record(actor, "layers.publish", f"vintage={vintage} provinces={','.join(counts)}: "
            f"{sum(counts.values())} communes")
    return counts
