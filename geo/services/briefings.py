"""Briefings and district atlases of a province (audited exports)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

import geopandas as gpd

from geo._errors import InvalidArgument
from geo._text import fold
from geo.settings import DEFAULT_PROVINCE, DEFAULT_VINTAGE

log = logging.getLogger(__name__)
from geo.scope import check_codes, check_province
from geo.services._base import Actor, _record
from geo.services.layers import load_coverage

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- briefings

def write_briefing(cov: gpd.GeoDataFrame, *, fmt: str, out: str | Path, metric: str,
                   actor: Actor, country: str = "all", codes=None, title: str | None = None,
                   marking: str | None = None, lang: str = "vi",
                   progress: Callable[[int, int, str], None] | None = None) -> Path:
    """Write a briefing of a loaded coverage frame (audited); return the file written.

    ``fmt`` is ``png``, ``pdf``, ``html`` or ``atlas`` (a PDF district atlas: contents,
    province overview, one page per district; ``progress(i, n, name)`` is called per page).
    A frame holding a province outside ``actor``'s scope is refused (audited).
    """
    from geo.export import export_atlas, export_briefing

    if actor.scope is not None:
        codes_in = cov["province_code"] if "province_code" in cov else [
            cov.attrs.get("province", "?")]
        check_codes(actor, set(map(str, codes_in)), vintage=str(cov.attrs.get(
            "vintage", DEFAULT_VINTAGE)), action="export")
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
    check_province(actor, province, vintage=vintage, action="export")
    out, fmt = check_output_path(out, fmt="pdf" if atlas else fmt)
    cov = load_coverage(province, vintage=vintage, roster_vintage=roster_vintage,
                        boundaries=boundaries, actor=actor)
    path = write_briefing(cov, fmt="atlas" if atlas else fmt, out=out, metric=metric,
                          actor=actor, country=country, title=title, marking=marking,
                          lang=lang, progress=progress)
    return path, cov
