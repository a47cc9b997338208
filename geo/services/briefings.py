"""Briefings and district atlases of a province (audited exports)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

import geopandas as gpd

from geo._errors import InvalidArgument
from geo.scope import check_codes, restrict_provinces
from geo.settings import DEFAULT_PROVINCE, DEFAULT_VINTAGE
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


def write_national_briefing(parts: list[gpd.GeoDataFrame], *, fmt: str, out: str | Path,
                            metric: str, actor: Actor, all_communes: bool = False,
                            country: str | None = None, title: str | None = None,
                            marking: str | None = None, lang: str = "vi",
                            progress: Callable[[int, int, str], None] | None = None) -> Path:
    """Write the briefing of several provinces' coverage frames (audited); return the file.

    Border communes are listed by default, every commune with ``all_communes``
    (see :func:`geo.export.export_national_briefing`).
    """
    from geo.export import export_national_briefing

    path = export_national_briefing(parts, fmt=fmt, out=out, metric=metric,
                                    all_communes=all_communes, country=country, title=title,
                                    marking=marking, lang=lang, progress=progress)
    codes = [str(p["province_code"].iloc[0]) for p in parts if "province_code" in p and len(p)]
    _record(actor, "export", f"{fmt} {path.name} provinces={','.join(codes)} "
            f"vintage={parts[0].attrs.get('vintage', '') if parts else ''} metric={metric} "
            f"communes={'all' if all_communes else (country or 'border')}")
    return path


def _province_codes(province: str | None, vintage: str) -> list[str]:
    """The province codes named by ``province`` (one, "A,B", "border" or "all")."""
    from geo.registry import find_provinces, list_provinces

    codes = find_provinces("all" if province is None else province, vintage=vintage)
    if codes is None:
        codes = list_provinces(vintage)["province_code"].astype(str).tolist()
    return codes


def export_briefing(province: str = DEFAULT_PROVINCE, *, fmt: str | None, out: str | Path,
                    metric: str, actor: Actor, vintage: str = DEFAULT_VINTAGE,
                    country: str = "all", boundaries: str | Path | None = None,
                    title: str | None = None, marking: str | None = None,
                    lang: str = "vi", atlas: bool = False, roster_vintage: str | None = None,
                    progress: Callable[[int, int, str], None] | None = None,
                    all_communes: bool = False,
                    ) -> tuple[Path, gpd.GeoDataFrame]:
    """Load a province's coverage and write its briefing or district atlas (audited).

    ``province`` may name several provinces (``"Lai Châu,Điện Biên"``), ``"border"``
    or ``"all"``: the briefing (PDF or PNG) then has a section per province and
    lists the border communes, or every commune with ``all_communes``; each
    province's coverage is loaded with its own roster and provenance, and
    ``progress(i, n, what)`` is called as each is loaded and each page drawn.

    The output path and format are checked before any slow work. Returns
    ``(file written, coverage frame)`` (the provinces' frames combined).
    """
    from geo.export import check_output_path

    province = restrict_provinces(actor, province, vintage=vintage, action="export")
    codes = _province_codes(province, vintage)
    check_codes(actor, codes, vintage=vintage, action="export")
    if len(codes) > 1:
        if atlas:
            raise InvalidArgument("the district atlas is of one province; give one --province")
        if boundaries is not None:
            raise InvalidArgument(f"an official boundaries file covers one province, "
                                  f"not {len(codes)}")
        out, fmt = check_output_path(out, fmt=fmt)
        if fmt not in ("pdf", "png"):
            raise InvalidArgument(f"a briefing of several provinces is a PDF or a PNG, "
                                  f"not {fmt}")
        return _export_several(codes, fmt=fmt, out=out, metric=metric, actor=actor,
                               vintage=vintage, country=country, title=title,
                               marking=marking, lang=lang, roster_vintage=roster_vintage,
                               progress=progress, all_communes=all_communes)
    province = codes[0]
    out, fmt = check_output_path(out, fmt="pdf" if atlas else fmt)
    cov = load_coverage(province, vintage=vintage, roster_vintage=roster_vintage,
                        boundaries=boundaries, actor=actor)
    path = write_briefing(cov, fmt="atlas" if atlas else fmt, out=out, metric=metric,
                          actor=actor, country=country, title=title, marking=marking,
                          lang=lang, progress=progress)
    return path, cov


def _export_several(codes: list[str], *, fmt: str, out: Path, metric: str, actor: Actor,
                    vintage: str, country: str, title: str | None, marking: str | None,
                    lang: str, roster_vintage: str | None,
                    progress: Callable[[int, int, str], None] | None,
                    all_communes: bool) -> tuple[Path, gpd.GeoDataFrame]:
    from geo.export.model import check_lang, check_metric
    from geo.export.national import combine_coverage
    from geo.i18n import t
    from geo.registry import province_name

    check_metric(metric)
    check_lang(lang)
    parts = []
    for i, code in enumerate(codes, start=1):
        if progress is not None:
            progress(i, len(codes), t("nat_step_load", lang,
                                      province=province_name(code, vintage=vintage)))
        parts.append(load_coverage(code, vintage=vintage, roster_vintage=roster_vintage,
                                   actor=actor))
    path = write_national_briefing(parts, fmt=fmt, out=out, metric=metric, actor=actor,
                                   all_communes=all_communes,
                                   country=None if country == "all" else country, title=title,
                                   marking=marking, lang=lang, progress=progress)
    return path, combine_coverage(parts, lang=lang)
