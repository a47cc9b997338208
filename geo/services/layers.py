"""Communes, border analysis and coverage for a province, with accepted boundary files."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo._errors import InvalidArgument
from geo.reference import (
    PUBLISHED_BORDER_KM_DIEN_BIEN,
    PUBLISHED_BORDER_SOURCE,
    is_dien_bien,
)
from geo.settings import (
    BORDER_MIN_SHARED_KM,
    BORDER_TOLERANCE_M,
    DEFAULT_PROVINCE,
    DEFAULT_VINTAGE,
)
from geo.stores.boundaries import BoundaryStore

from geo.scope import check_province, restrict_provinces
from geo.services._base import Actor, _action, _province_code, roster_store, scoped_store
from geo.services.lists import (
    _apply_border_lists,
    border_list_label,
    current_border_list,
)

log = logging.getLogger(__name__)


#: Border-country choices of :func:`border_communes`.
BORDER_COUNTRY_CHOICES = ("LAO", "CHN", "any")

# --------------------------------------------------------------------------- layers

def current_boundaries(province: str | None, *, vintage: str,
                       home: Path | None = None, actor: Actor | None = None) -> Path | None:
    """Return the official boundary file accepted for a province and map, or None.

    With ``actor``, a province outside its scope is refused (:mod:`geo.scope`).
    """
    if actor is not None and province is not None:
        check_province(actor, province, vintage=vintage)
    code = _province_code(province, vintage)
    return None if code is None else BoundaryStore(home).current(code, vintage)


def _boundaries_for(province: str | None, vintage: str, boundaries: str | Path | None,
                    home: Path | None) -> str | Path | None:
    if boundaries is not None:
        return boundaries
    return current_boundaries(province, vintage=vintage, home=home)


def load_communes(province: str | None = DEFAULT_PROVINCE, *, vintage: str = DEFAULT_VINTAGE,
                  boundaries: str | Path | None = None,
                  home: Path | None = None, actor: Actor | None = None) -> gpd.GeoDataFrame:
    """Return communes: a given file, else an accepted one, else the embedded layer.

    ``province`` is one province, several separated by commas, ``"border"`` (the
    land-border provinces) or ``"all"``; see :func:`geo.registry.find_provinces`.
    With ``actor``, ``"border"`` and ``"all"`` are reduced to its scope and a named
    province outside it is refused (:func:`geo.scope.restrict_provinces`).
    See :func:`geo.boundaries.load_communes` for the columns and errors.
    """
    from geo import boundaries as layer
    from geo.registry import find_provinces

    if actor is not None and actor.scope is not None:
        province = restrict_provinces(actor, province, vintage=vintage)

    codes = None if province is None else find_provinces(province, vintage=vintage)
    if codes is not None and len(codes) > 1:
        if boundaries is not None:
            raise InvalidArgument("an official boundaries file covers one province, "
                                  f"not {len(codes)}")
        # provinces without an accepted boundary file are read from the prebuilt layer
        # together; the others one by one, in the order asked for
        files = {code: _boundaries_for(code, vintage, None, home) for code in codes}
        approx = [code for code in codes if files[code] is None]
        if len(approx) == len(codes):
            return layer.load_approximate_communes(codes, vintage=vintage)
        together = (dict(tuple(layer.load_approximate_communes(approx, vintage=vintage)
                               .groupby("province_code", sort=False)))
                    if approx else {})
        parts = [together[code].reset_index(drop=True) if files[code] is None
                 else layer.load_communes(code, vintage=vintage, boundaries=files[code])
                 for code in codes]
        return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)
    one = None if codes is None else codes[0]
    return layer.load_communes(one, vintage=vintage,
                               boundaries=_boundaries_for(one, vintage, boundaries, home))


def flag_communes(province: str | None = DEFAULT_PROVINCE, *, vintage: str = DEFAULT_VINTAGE,
                  boundaries: str | Path | None = None,
                  tolerance_m: float = BORDER_TOLERANCE_M,
                  min_shared_km: float = BORDER_MIN_SHARED_KM,
                  home: Path | None = None, actor: Actor | None = None) -> gpd.GeoDataFrame:
    """Return :func:`load_communes` with the border analysis columns.

    The computed flags are kept; where an official border-commune list is loaded
    for a province and map it decides ``is_border`` (see
    :func:`geo.border_list.apply_border_list`).
    """
    from geo.borders import flag_border_communes

    flagged = flag_border_communes(
        load_communes(province, vintage=vintage, boundaries=boundaries, home=home,
                      actor=actor),
        tolerance_m=tolerance_m, min_shared_km=min_shared_km)
    return _apply_border_lists(flagged, vintage, home, actor)


def load_coverage(province: str = DEFAULT_PROVINCE, *, vintage: str = DEFAULT_VINTAGE,
                  roster_vintage: str | None = None,
                  boundaries: str | Path | None = None,
                  tolerance_m: float = BORDER_TOLERANCE_M,
                  min_shared_km: float = BORDER_MIN_SHARED_KM,
                  store=None, home: Path | None = None,
                  actor: Actor | None = None) -> gpd.GeoDataFrame:
    """Return one province's communes with border analysis, roster and coverage metrics.

    The boundary file is resolved as in :func:`load_communes`; the roster comes from
    ``store`` (default: the roster store of ``home``): the roster kept for
    ``roster_vintage`` (default: the map shown, else the 2020 roster carried over).
    With ``actor``, a province outside its scope is refused before anything is read
    (:func:`geo.scope.check_province`, audited). See :func:`geo.coverage.load_coverage`.
    """
    from geo import coverage

    if actor is not None:
        check_province(actor, province, vintage=vintage)
    if store is None:
        store = roster_store(home)
    store = scoped_store(store, actor)
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
                    home: Path | None = None, actor: Actor | None = None
                    ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
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
                            tolerance_m=tolerance_m, min_shared_km=min_shared_km, home=home,
                            actor=actor)
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
                   home: Path | None = None, actor: Actor | None = None) -> BorderSummary:
    """Return per country the border communes and border length, beside published figures.

    Countries with no border commune are left out, except those with a published
    length (Điện Biên: Laos and China).
    """
    from geo.borders import summarize_borders

    flagged = flag_communes(province, vintage=vintage, boundaries=boundaries,
                            tolerance_m=tolerance_m, min_shared_km=min_shared_km, home=home,
                            actor=actor)
    from geo.registry import find_provinces

    codes = None if province is None else find_provinces(province, vintage=vintage)
    code = codes[0] if codes is not None and len(codes) == 1 else None
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

    Writes Điện Biên's four shapefiles, the whole country's commune layers of both
    maps (``vietnam_communes_2020.parquet``, ``vietnam_communes_2025.parquet``, read by
    every other province) and the land-border lines (``vietnam_land_borders.parquet``,
    :mod:`geo.border_file`). ``layers`` holds Điện Biên's four layers and the two
    nationwide ones (``national_2020``, ``national_2025``).

    ``method`` is ``fitted`` (power diagram fitted to official areas, the default) or
    ``voronoi`` (plain Voronoi of the centroids, kept for comparison).
    """
    from geo.border_file import write_border_lines
    from geo.borders import cut_border_lines
    from geo.boundaries import EMBEDDED_PROVINCE_CODE, write_embedded_layers
    from geo.layer import build_2025_layer, build_national_layer, build_province_layers
    from geo.layer.prebuilt import write_national_layer
    from geo.settings import NEIGHBOURS, SHAPEFILE_DIR

    out_dir = Path(out_dir or SHAPEFILE_DIR)
    layers = build_province_layers(EMBEDDED_PROVINCE_CODE, method=method)
    written = write_embedded_layers(layers, out_dir=out_dir)
    national = build_national_layer(method=method)
    layers = {**layers, "national_2020": national, "national_2025": build_2025_layer(national)}
    for vintage in ("2020", "2025"):
        written.append(write_national_layer(layers[f"national_{vintage}"], vintage,
                                            folder=out_dir))
    written.append(write_border_lines(cut_border_lines(NEIGHBOURS), folder=out_dir))
    return layers, written


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


def build_province_samples(province: str = "border", *, out_dir: Path,
                           actor: Actor | None = None) -> list[tuple[Path, pd.DataFrame, str]]:
    """Write the generated sample rosters of provinces, on both maps, as CSV files.

    The same rosters the app and the CLI use for a province with no imported roster
    (:func:`geo.coverage.sample_roster`: deterministic per province and map; Điện
    Biên's is the committed file). ``province`` as in :func:`load_communes` (default
    the land-border provinces: 25 on the 2020 map, the 2025 provinces they became
    part of). Files are ``sample_roster_<vintage>_<code>.csv`` in ``out_dir``.
    """
    from geo.coverage import sample_roster

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for vintage in ("2020", "2025"):
        flagged = flag_communes(province, vintage=vintage, actor=actor)
        for code in sorted(flagged["province_code"].astype(str).unique()):
            frame, _ = sample_roster(code, vintage=vintage, communes=flagged)
            path = out_dir / f"sample_roster_{vintage}_{code}.csv"
            frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
            written.append((path, frame, f"xã of province {code} ({vintage} map)"))
    return written


# --------------------------------------------------------------------------- official boundaries

def check_boundaries(path: str | Path, *, province: str = DEFAULT_PROVINCE,
                     vintage: str = DEFAULT_VINTAGE,
                     actor: Actor | None = None) -> gpd.GeoDataFrame:
    """Load an official boundary file for review (nothing is stored).

    ``attrs`` carries ``unmatched``, ``missing``, ``encoding`` and ``source``. With
    ``actor``, a province outside its scope is refused before the file is read.
    """
    from geo.boundaries import load_official_boundaries

    if actor is not None:
        check_province(actor, province, vintage=vintage, action="upload")
    return load_official_boundaries(path, province=province, vintage=vintage)


def accept_boundaries(path: str | Path, *, actor: Actor, province: str = DEFAULT_PROVINCE,
                      vintage: str = DEFAULT_VINTAGE, home: Path | None = None) -> Path:
    """Check an official boundary file again, keep it and make it current (audited).

    Returns
    -------
    Path
        The kept copy, used from now on by the app and the CLI for this province and map.

    Raises
    ------
    ScopeDenied
        The province is outside ``actor``'s scope (audited; nothing is read or kept).
    """
    check_province(actor, province, vintage=vintage, action="import")
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
    check_province(actor, province, vintage=vintage, action="import")
    code = _province_code(province, vintage)
    store = BoundaryStore(home)
    if store.current(code, vintage) is None:
        return False
    with _action(actor, "boundaries.remove", f"province={code} vintage={vintage}"):
        return store.forget(code, vintage)
