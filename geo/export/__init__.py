"""Briefing exports: map snapshots as PNG, PDF and standalone HTML, and the district atlas.

One entry point, :func:`export_briefing`, serves the command line
(``python -m geo export``) and the app's Export button, so both produce the same
content for the same filters; :func:`export_atlas` writes the district atlas.

``png``
    A static map (A4 landscape proportions, 2,571 × 1,819 px), rendered offline
    with matplotlib in the metric CRS (:mod:`geo.export.static_map`), in the
    classes, colours and labels of the app's map (:mod:`geo.style`).
``pdf``
    A4 landscape: page 1 the same map; then the table of the selected communes
    over as many pages as needed, the province totals beside the published
    figures, page numbers and the marking on every page (:mod:`geo.export.pdf`).
``html``
    The interactive Folium map as one self-contained file, with a briefing
    header and the table of selected communes (:mod:`geo.export.html`).
atlas
    One PDF: contents, a province overview, then one page per district (map
    zoomed to the district with a locator inset, its table and figures)
    (:mod:`geo.export.atlas`).

The package has no import cycle: ``model`` (what a briefing shows) ←
``_page`` ← ``static_map`` ← ``pdf`` ← ``atlas``; ``html`` builds on ``model``
only; this module ties them together.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import geopandas as gpd

from geo._errors import BorderMapError
from geo.export._page import FONT_FAMILY, PAGE_SIZE_IN, PNG_DPI, RC, render_context
from geo.export.model import (
    LANGUAGES,
    LEGEND_CLASSES,
    Briefing,
    border_text,
    date_text,
    filter_description,
    is_dien_bien,
    legend_classes,
    metric_label,
    metric_values,
    normalize_country,
    select_communes,
    short_name,
)
from geo.reference import COUNTRY_FILTERS, EXPORT_FORMATS, METRIC_KEYS

log = logging.getLogger(__name__)

#: Output formats of :func:`export_briefing`.
FORMATS = EXPORT_FORMATS


def check_output_path(out: str | os.PathLike, *, fmt: str | None = None) -> tuple[Path, str]:
    """Validate where a briefing goes and which format it is, before any work is done.

    Parameters
    ----------
    out : path
        The file to write. Its folder must exist and be writable.
    fmt : {"png", "pdf", "html"}, optional
        The format; by default taken from ``out``'s suffix.

    Returns
    -------
    (Path, str)
        The absolute output path and the format.

    Raises
    ------
    BorderMapError
        Unknown format, a suffix that contradicts ``fmt``, a missing or
        unwritable folder, or ``out`` being a folder.
    """
    path = Path(out).expanduser()
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "htm":
        suffix = "html"
    if fmt is None:
        if suffix not in FORMATS:
            raise BorderMapError(f"cannot tell the format of {str(out)!r}: give --format "
                                 f"({', '.join(FORMATS)}) or a .png/.pdf/.html name")
        fmt = suffix
    fmt = str(fmt).lower()
    if fmt not in FORMATS:
        raise BorderMapError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if suffix in FORMATS and suffix != fmt:
        raise BorderMapError(f"output {str(out)!r} has a .{suffix} name but the format is {fmt}")
    if path.is_dir():
        raise BorderMapError(f"output {str(out)!r} is a folder; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        raise BorderMapError(f"cannot write {str(out)!r}: folder {str(parent)!r} does not exist")
    if not parent.is_dir():
        raise BorderMapError(f"cannot write {str(out)!r}: {str(parent)!r} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BorderMapError(f"cannot write {str(out)!r}: folder {str(parent)!r} is not writable")
    return path.resolve(), fmt


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp_path)`` then move the file into place; errors become BorderMapError."""
    tmp = None
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix,
                                    dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        tmp = None
    except OSError as err:
        raise BorderMapError(f"cannot write {str(path)!r}: {err.strerror or err}") from err
    finally:
        if tmp is not None and tmp.exists():
            tmp.unlink()


def _save_png(brief: Briefing, path: Path) -> None:
    from geo.export.static_map import render_map_figure

    fig = render_map_figure(brief)
    with render_context():
        write_atomic(path, lambda tmp: fig.savefig(tmp, format="png", dpi=PNG_DPI,
                                                   facecolor="white",
                                                   metadata={"Title": brief.title}))


def export_briefing(cov: gpd.GeoDataFrame, *, fmt: str, out: str | os.PathLike, metric: str,
                    title: str | None = None, marking: str | None = None, lang: str = "vi",
                    filters_desc: str = "", country: str = "all",
                    codes: Iterable[str] | None = None,
                    made: dt.date | None = None) -> Path:
    """Write a briefing (map + table) of a province's commune police as PNG, PDF or HTML.

    The CLI (``python -m geo export``) and the app's Export button both call this,
    so the same filters give the same content.

    Parameters
    ----------
    cov : geopandas.GeoDataFrame
        The whole province's coverage (:func:`geo.coverage.load_coverage`); the map
        shows every commune, the selection highlighted and the others greyed.
    fmt : {"png", "pdf", "html"}
        Output format.
    out : path
        File to write (its folder must exist); replaced atomically.
    metric : str
        One of :data:`METRIC_KEYS`; communes are shaded by it in classes.
    title : str, optional
        Title; default "Lực lượng Công an xã — Tỉnh …" (or the English one).
    marking : str, optional
        Classification marking (e.g. ``"MẬT"``, ``"NỘI BỘ"``) printed in the
        header and footer of every page.
    lang : {"vi", "en"}, default "vi"
        Language of the briefing's text; names keep their Vietnamese form.
    filters_desc : str, optional
        Extra description of the filters (e.g. a district), appended to the
        description of ``country``.
    country : {"all", "any", "LAO", "CHN", "both", "none"}, default "all"
        Country filter of :func:`select_communes` (``any``: any border).
    codes : iterable of str, optional
        Restrict the selection further to these commune codes (the app's own selection).
    made : datetime.date, optional
        Date printed as "made on"; default today.

    Returns
    -------
    pathlib.Path
        The absolute path written.

    Raises
    ------
    BorderMapError
        Unknown format, metric, language or country filter; an unknown commune
        code; an output path that cannot be written.
    """
    path, fmt = check_output_path(out, fmt=fmt)
    brief = Briefing(cov, metric=metric, country=country, codes=codes, title=title,
                     marking=marking, lang=lang, filters_desc=filters_desc, made=made)
    if fmt == "png":
        with render_context():
            _save_png(brief, path)
    elif fmt == "pdf":
        from geo.export import pdf

        with render_context():
            write_atomic(path, lambda tmp: pdf.write_pdf(brief, tmp))
    else:
        from geo.export.html import briefing_html

        text = briefing_html(brief)
        write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    log.info("export %s: %s (%d of %d communes, metric %s)", fmt, path, int(brief.selected.sum()),
             len(brief.cov), brief.metric)
    return path


def export_atlas(cov: gpd.GeoDataFrame, *, out: str | os.PathLike, metric: str = "total_police",
                 title: str | None = None, marking: str | None = None, lang: str = "vi",
                 made: dt.date | None = None,
                 progress: Callable[[int, int, str], None] | None = None) -> Path:
    """Write the district atlas of a province as one PDF (see :func:`geo.export.atlas.write_atlas`).

    Parameters
    ----------
    cov : geopandas.GeoDataFrame
        The whole province's coverage, 2020 or 2025 map (on the 2025 map the
        units are grouped by their former district).
    out : path
        A ``.pdf`` file (its folder must exist); replaced atomically.
    metric, title, marking, lang, made
        As for :func:`export_briefing`.
    progress : callable, optional
        Called as ``progress(page, pages, name)`` before each page is drawn.

    Returns
    -------
    pathlib.Path
        The absolute path written.

    Raises
    ------
    BorderMapError
        An output that is not a writable ``.pdf`` path; unknown metric or language.
    """
    from geo.export.atlas import write_atlas

    path, fmt = check_output_path(out, fmt="pdf")
    pages: list[int] = []
    with render_context():
        write_atomic(path, lambda tmp: pages.append(write_atlas(
            cov, tmp, metric=metric, title=title, marking=marking, lang=lang, made=made,
            progress=progress)))
    log.info("export atlas: %s (%d pages, metric %s)", path, pages[0] if pages else 0, metric)
    return path


def export_national_briefing(parts: list[gpd.GeoDataFrame] | gpd.GeoDataFrame, *, fmt: str,
                             out: str | os.PathLike, metric: str, all_communes: bool = False,
                             country: str | None = None, title: str | None = None,
                             marking: str | None = None, lang: str = "vi",
                             made: dt.date | None = None,
                             progress: Callable[[int, int, str], None] | None = None) -> Path:
    """Write the briefing of several provinces (PDF: map, totals, sections; or its map as PNG).

    See :mod:`geo.export.national`. By default only the border communes are
    listed and coloured; ``all_communes`` lists every commune.

    Parameters
    ----------
    parts : list of GeoDataFrame, or GeoDataFrame
        One coverage frame per province, or frames already combined with
        :func:`geo.export.national.combine_coverage`.
    fmt : {"pdf", "png"}
        Output format.
    out : path
        File to write (its folder must exist); replaced atomically.
    metric, title, marking, lang, made
        As for :func:`export_briefing`.
    all_communes : bool
        List every commune, not only the border communes.
    country : str, optional
        Another country filter (``LAO``, ``CHN``, ``KHM``…) instead of any border.
    progress : callable, optional
        ``progress(page, pages, what)`` before each page is drawn.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    BorderMapError
        HTML (a briefing of several provinces is a PDF or a PNG), a bad output
        path, unknown metric or language.
    """
    from geo.export import national

    path, fmt = check_output_path(out, fmt=fmt)
    if fmt not in ("pdf", "png"):
        raise BorderMapError(f"a briefing of several provinces is a PDF or a PNG, not {fmt}")
    cov = (parts if isinstance(parts, gpd.GeoDataFrame)
           else national.combine_coverage(parts, lang=lang))
    brief = national.national_briefing(cov, metric=metric, all_communes=all_communes,
                                       country=country, title=title, marking=marking,
                                       lang=lang, made=made)
    with render_context():
        if fmt == "pdf":
            write_atomic(path, lambda tmp: national.write_national_pdf(brief, tmp,
                                                                       progress=progress))
        else:
            fig = national.map_figure(brief)
            write_atomic(path, lambda tmp: fig.savefig(tmp, format="png", dpi=PNG_DPI,
                                                       facecolor="white",
                                                       metadata={"Title": brief.title}))
    log.info("export %s of %d provinces: %s (%d of %d communes)", fmt,
             len(cov.attrs.get("provinces", [])), path, int(brief.selected.sum()), len(cov))
    return path


__all__ = [
    "COUNTRY_FILTERS", "FONT_FAMILY", "RC", "export_national_briefing", "FORMATS", "LANGUAGES", "LEGEND_CLASSES", "METRIC_KEYS",
    "PAGE_SIZE_IN", "PNG_DPI", "Briefing", "border_text", "check_output_path", "date_text",
    "export_atlas", "export_briefing", "filter_description", "is_dien_bien", "legend_classes",
    "metric_label", "metric_values", "normalize_country", "render_context", "select_communes",
    "short_name", "write_atomic",
]
