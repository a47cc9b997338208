"""Briefing exports: map snapshots as PNG, PDF and standalone HTML.

One entry point, :func:`export_briefing`, serves the command line
(``python -m geo export``) and the app's Export button, so both produce the same
content for the same filters:

``png``
    A static map (A4 landscape proportions, 2,571 × 1,819 px), rendered offline
    with matplotlib in the metric CRS (EPSG:32648, so the scale bar is true):
    communes shaded by the metric in the app map's classes and colours, with a
    legend that states each class's range and count (:func:`legend_classes`);
    the communes outside the selection greyed; district and province outlines;
    the international border in one style per country; neighbouring countries as
    grey context; commune labels, title, dates, scale bar, north arrow,
    provenance notes and an optional classification marking.
``pdf``
    A4 landscape: page 1 the same map; then the table of the selected communes
    over as many pages as needed, the province totals beside the published
    figures, page numbers and the marking on every page (see
    :mod:`geo.export_pdf`). Text is real text (TrueType fonts embedded).
``html``
    The interactive Folium map (:func:`geo.maps.build_coverage_map`) as one
    self-contained file (:func:`geo.offline_assets.inline_map_html`), with a
    briefing header and the table of selected communes.

Text is set in DejaVu Sans (:data:`FONT_FAMILY`; matplotlib ships it, and it
covers Vietnamese), so diacritics render and are extractable from the PDF.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import os
import re
import tempfile
import textwrap
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo._errors import BorderMapError, InvalidArgument, InvalidArgumentType
from geo.reference import (APPROXIMATE_NOTE, APPROXIMATE_NOTE_VI, SAMPLE_NOTE, SAMPLE_NOTE_VI,
                           is_dien_bien as _is_dien_bien_code)
from geo.settings import METRIC_CRS

log = logging.getLogger(__name__)

#: Output formats of :func:`export_briefing`.
FORMATS = ("png", "pdf", "html")

#: Metrics a briefing can shade by (the keys of ``geo.coverage.METRICS``).
METRIC_KEYS = ("total_police", "police_per_100km2", "staffing_gap", "reinforcements",
               "border_km")

#: Country filters of :func:`select_communes`: those of the app's border filter
#: (geo.tables.BORDER_FILTERS). ``all``: every commune; ``any``: any border.
COUNTRY_FILTERS = ("all", "any", "LAO", "CHN", "both", "none")

#: Languages of the briefing text (commune names always keep their Vietnamese form).
LANGUAGES = ("vi", "en")

#: Font used for every text of the PNG and PDF (bundled with matplotlib; covers Vietnamese).
FONT_FAMILY = "DejaVu Sans"

#: Page size (inches) of the map and the PDF pages: A4 landscape.
PAGE_SIZE_IN = (11.69, 8.27)

#: Resolution of the PNG: 11.69 in × 220 dpi = 2,571 px wide.
PNG_DPI = 220

#: Number of legend classes.
LEGEND_CLASSES = 5

_DEFAULT_BORDER_STYLE = {"color": "#444444", "linestyle": "-", "linewidth": 2.4}

_UNSELECTED_FILL = "#e4e4e4"
_UNSELECTED_EDGE = "#b5b5b5"
_CONTEXT_FILL = "#d9d9d6"
_VIETNAM_FILL = "#f4f3ee"
_MARKING_COLOR = "#b00000"

#: Text of the briefings, by language.
TEXT = {
    "vi": {
        "title": "Lực lượng Công an xã — {province}",
        "subtitle": "{metric} · bản đồ hành chính {vintage} · {n}/{total} đơn vị được chọn",
        "made": "Lập ngày {date}",
        "as_of": "Số liệu quân số đến ngày {date}",
        "as_of_none": "Số liệu quân số: không rõ ngày",
        "crs": "Lưới chiếu WGS 84 / UTM 48N (EPSG:32648)",
        "not_selected": "Không thuộc lựa chọn",
        "border_with": "Biên giới Việt Nam – {name}",
        "district_line": "Ranh giới huyện",
        "province_line": "Ranh giới tỉnh",
        "units": "{n} đv",
        "lines": "Đường ranh giới",
        "figures": "Số liệu chính",
        "fig_selected": "Đơn vị được chọn: {n}",
        "fig_police": "Tổng công an (đơn vị chọn): {n}",
        "fig_reinf": "Cán bộ tăng cường (đơn vị chọn): {n}",
        "fig_gap": "Vị trí còn thiếu (đơn vị chọn): {n}",
        "fig_province": "Toàn tỉnh: {chiefs} Trưởng, {deputies} Phó Trưởng, {officers} CAV",
        "fig_published": "Công bố: {chiefs} Trưởng, {deputies} Phó Trưởng, {officers} CAV",
        "sources": "Nguồn: ranh giới quốc gia Natural Earth 1:10m; danh mục đơn vị hành chính "
                   "{vintage} (vietnamadminunits).",
        "north": "B",
        "page": "Trang {i}/{n}",
        "filters": {
            "all": "Tất cả các đơn vị cấp xã",
            "any": "Các xã biên giới (Lào hoặc Trung Quốc)",
            "LAO": "Các xã biên giới Việt Nam – Lào",
            "CHN": "Các xã biên giới Việt Nam – Trung Quốc",
            "both": "Các xã giáp cả Lào và Trung Quốc",
            "none": "Các xã không giáp biên giới",
        },
        "approximate": APPROXIMATE_NOTE_VI,
        "sample": SAMPLE_NOTE_VI,
    },
    "en": {
        "title": "Commune police — {province}",
        "subtitle": "{metric} · {vintage} administrative map · {n}/{total} units selected",
        "made": "Made {date}",
        "as_of": "Staffing data as of {date}",
        "as_of_none": "Staffing data: date unknown",
        "crs": "Projection WGS 84 / UTM 48N (EPSG:32648)",
        "not_selected": "Not selected",
        "border_with": "Vietnam – {name} border",
        "district_line": "District boundary",
        "province_line": "Province boundary",
        "units": "{n} units",
        "lines": "Lines",
        "figures": "Key figures",
        "fig_selected": "Units selected: {n}",
        "fig_police": "Police in selection: {n}",
        "fig_reinf": "Reinforcements in selection: {n}",
        "fig_gap": "Missing posts in selection: {n}",
        "fig_province": "Province: {chiefs} chiefs, {deputies} deputies, {officers} officers",
        "fig_published": "Published: {chiefs} chiefs, {deputies} deputies, {officers} officers",
        "sources": "Sources: national borders Natural Earth 1:10m; {vintage} administrative "
                   "register (vietnamadminunits).",
        "north": "N",
        "page": "Page {i}/{n}",
        "filters": {
            "all": "All commune-level units",
            "any": "Border communes (Laos or China)",
            "LAO": "Communes on the Vietnam–Laos border",
            "CHN": "Communes on the Vietnam–China border",
            "both": "Communes bordering both Laos and China",
            "none": "Communes not on the border",
        },
        "approximate": APPROXIMATE_NOTE,
        "sample": SAMPLE_NOTE,
    },
}

_UNIT_WORD = re.compile(r"^\s*(Thị trấn|Phường|Xã)\s+")


# --------------------------------------------------------------------------- validation

def _check_metric(metric: object) -> str:
    if metric not in METRIC_KEYS:
        raise BorderMapError(f"unknown metric {metric!r}; choose one of {', '.join(METRIC_KEYS)}")
    return str(metric)


def _check_lang(lang: object) -> str:
    if lang not in LANGUAGES:
        raise BorderMapError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    return str(lang)


def _check_coverage(cov: object) -> None:
    if not isinstance(cov, gpd.GeoDataFrame):
        raise InvalidArgumentType(f"cov must be a GeoDataFrame from geo.coverage.load_coverage, "
                        f"not {type(cov).__name__}")
    if cov.crs is None:
        raise BorderMapError("the coverage frame has no CRS; set one with .set_crs(...)")
    need = {"code", "name", "border_countries"}
    missing = sorted(need - set(cov.columns))
    if missing:
        raise BorderMapError(f"the coverage frame lacks column(s) {', '.join(missing)}")
    if len(cov) == 0:
        raise BorderMapError("the coverage frame has no communes")


def normalize_country(country: object) -> str:
    """Return the canonical spelling of a country filter (``"lao"`` → ``"LAO"``).

    Parameters
    ----------
    country : str
        One of :data:`COUNTRY_FILTERS`, in any case.

    Returns
    -------
    str

    Raises
    ------
    BorderMapError
        If ``country`` is not a known filter.
    """
    text = str(country).strip() if country is not None else ""
    for choice in COUNTRY_FILTERS:
        if text.lower() == choice.lower():
            return choice
    raise BorderMapError(f"unknown country filter {country!r}; choose one of "
                         f"{', '.join(COUNTRY_FILTERS)}")


def _selection_mask(cov: pd.DataFrame, country: str) -> np.ndarray:
    """Boolean mask of the communes that pass the country filter (geo.tables semantics)."""
    from geo.tables import filter_coverage

    frame = pd.DataFrame({"border_countries": cov["border_countries"].to_numpy()})
    kept = filter_coverage(frame, border=normalize_country(country))
    return np.isin(np.arange(len(frame)), kept.index.to_numpy())


def select_communes(cov: gpd.GeoDataFrame, *, country: str = "all") -> gpd.GeoDataFrame:
    """Return the communes a briefing lists, by border country.

    The choices are those of the app's border filter
    (:data:`geo.tables.BORDER_FILTERS`, applied by :func:`geo.tables.filter_coverage`),
    so the app and the briefings select the same communes.

    Parameters
    ----------
    cov : geopandas.GeoDataFrame
        Coverage frame (:func:`geo.coverage.load_coverage`) with ``border_countries``
        (``""``, ``"LAO"``, ``"CHN"``, ``"CHN;LAO"``).
    country : {"all", "any", "LAO", "CHN", "both", "none"}, default "all"
        ``all`` — every commune; ``any`` — communes on any international border;
        ``LAO`` / ``CHN`` — communes on the border with that country (the
        tri-border commune is in both); ``both`` — communes on the borders with
        both Laos and China; ``none`` — communes on no border. Case-insensitive.

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame with the selected rows in their original order; ``attrs`` are
        kept and ``attrs["country_filter"]`` names the filter. May be empty.

    Raises
    ------
    BorderMapError
        If ``country`` is not a known filter or ``cov`` lacks ``border_countries``.

    Examples
    --------
    >>> from geo.coverage import load_coverage
    >>> china = select_communes(load_coverage(), country="CHN")  # doctest: +SKIP
    >>> china["name"].tolist()  # doctest: +SKIP
    ['Xã Sín Thầu', 'Xã Sen Thượng']
    """
    country = normalize_country(country)
    if "border_countries" not in getattr(cov, "columns", ()):
        raise BorderMapError("the coverage frame has no border_countries column; "
                             "load it with geo.coverage.load_coverage")
    out = cov.loc[_selection_mask(cov, country)].copy()
    out.attrs = dict(cov.attrs)
    out.attrs["country_filter"] = country
    log.info("select communes: %d of %d (country=%s)", len(out), len(cov), country)
    return out


# --------------------------------------------------------------------------- classes

def legend_classes(values: Iterable[float], k: int = LEGEND_CLASSES, *,
                   integer: bool | None = None) -> list[tuple[float, float, int]]:
    """Return the legend classes of the values: ``(lo, hi, count)`` per class.

    The classes are those of the app's map (:func:`geo.maps.class_breaks`: zero is
    a class of its own, then quantiles of the positive values; edges rounded up
    for counts), so a briefing and the interactive map shade a commune alike.
    Each class is reported by the smallest and largest value it holds, so the
    legend states exactly what is on the map; empty classes are left out. NaN
    and infinite values are ignored.

    Parameters
    ----------
    values : iterable of float
        The metric per commune.
    k : int, default 5
        Maximum number of classes.
    integer : bool, optional
        Whether the values are counts; by default, whether they are all whole numbers.

    Returns
    -------
    list of (lo, hi, count)
        In increasing order, not overlapping; counts add up to the number of
        finite values; the first ``lo`` is their minimum and the last ``hi`` their
        maximum. Empty when there is no finite value.

    Raises
    ------
    ValueError
        If ``k`` is not a whole number ≥ 1.

    Examples
    --------
    >>> legend_classes([3, 0, 1, 0, 2], k=2)
    [(0.0, 0.0, 2), (1.0, 3.0, 3)]
    """
    return [(lo, hi, n) for _, lo, hi, n in _classes(values, k, integer=integer)[1]]


def _classes(values: Iterable[float], k: int, *, integer: bool | None
             ) -> tuple[list[float], list[tuple[int, float, float, int]], np.ndarray]:
    """Edges, non-empty classes ``(index, lo, hi, count)`` and the class of each value."""
    from geo import maps

    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidArgument(f"k must be a whole number ≥ 1, not {k!r}")
    v = np.asarray(values if isinstance(values, (np.ndarray, pd.Series)) else list(values),
                   dtype=float)
    finite = v[np.isfinite(v)]
    if integer is None:
        integer = _is_integer(finite)
    if finite.size == 0:
        return [], [], np.full(len(v), -1)
    edges = maps.class_breaks(finite, k=int(k), integer=bool(integer))
    idx = np.asarray(maps.classify(v, edges))
    out = []
    for i in range(max(len(edges) - 1, 1)):
        members = v[idx == i]
        if len(members):
            out.append((i, float(members.min()), float(members.max()), len(members)))
    return edges, out, idx


def _is_integer(values: np.ndarray) -> bool:
    finite = values[np.isfinite(values)]
    return bool(len(finite)) and bool(np.all(finite == np.round(finite)))


def _fmt_value(value: float, integer: bool, lang: str = "vi") -> str:
    text = f"{round(value):,}" if integer else f"{value:,.1f}"
    if lang == "vi":  # 1.234,5
        text = text.replace(",", "\u202f").replace(".", ",").replace("\u202f", ".")
    return text


def class_labels(classes: Sequence[tuple[float, float, int]], *, integer: bool,
                 lang: str = "vi") -> list[str]:
    """Return one legend label per ``(lo, hi, count)`` class: ``"3 – 5  (12 đv)"``."""
    out = []
    for lo, hi, count in classes:
        rng = (_fmt_value(lo, integer, lang) if lo == hi
               else f"{_fmt_value(lo, integer, lang)} – {_fmt_value(hi, integer, lang)}")
        out.append(f"{rng}  ({TEXT[lang]['units'].format(n=count)})")
    return out


def metric_values(cov: pd.DataFrame, metric: str) -> np.ndarray:
    """Return the metric per commune as floats (``border_km`` summed from the countries)."""
    metric = _check_metric(metric)
    if metric in cov:
        return pd.to_numeric(cov[metric], errors="coerce").to_numpy(dtype=float)
    if metric == "border_km":
        cols = [c for c in cov.columns if re.fullmatch(r"border_km_[a-z]{3}", str(c))]
        if cols:
            return cov[cols].fillna(0).sum(axis=1).to_numpy(dtype=float)
    raise BorderMapError(f"the coverage frame has no column for metric {metric!r}")


def metric_label(metric: str, lang: str) -> str:
    """Return the metric's label in ``lang`` (:func:`geo.i18n.metric_label`)."""
    from geo.i18n import metric_label as label

    return label(_check_metric(metric), lang)


# --------------------------------------------------------------------------- briefing model

def short_name(name: str) -> str:
    """Drop the unit type word: ``"Xã Mường Nhé"`` → ``"Mường Nhé"``."""
    return _UNIT_WORD.sub("", str(name), count=1)


def _country_name(iso3: str, lang: str) -> str:
    from geo.i18n import country_label

    return country_label(iso3, lang)


def border_text(row: pd.Series, lang: str) -> str:
    """Return ``"Lào 25,5; Trung Quốc 17,4"`` (vi) / ``"Laos 25.5; China 17.4"`` (en), or ``""``."""
    parts = []
    for iso in sorted(set(str(row.get("border_countries", "") or "").split(";")) - {""}):
        km = row.get(f"border_km_{iso.lower()}", np.nan)
        length = "" if pd.isna(km) else f" {float(km):.1f}"
        if lang == "vi":
            length = length.replace(".", ",")
        parts.append(f"{_country_name(iso, lang)}{length}")
    return "; ".join(parts)


def filter_description(country: str, lang: str, extra: str = "") -> str:
    """Return the human description of the filters shown in the briefing's subtitle."""
    text = TEXT[_check_lang(lang)]["filters"][normalize_country(country)]
    return f"{text}; {extra}" if extra else text


def date_text(value: object, lang: str) -> str:
    """Format a date as ``31/12/2021`` (vi) or ``2021-12-31`` (en); other text unchanged."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            return str(value)
    return value.strftime("%d/%m/%Y") if lang == "vi" else value.isoformat()


def is_dien_bien(cov: pd.DataFrame) -> bool:
    """Return whether the frame is Điện Biên (the province the published figures describe)."""
    if "province_code" in cov and len(cov):
        return _is_dien_bien_code(cov["province_code"].iloc[0])
    return str(cov.attrs.get("province", "")).endswith("Điện Biên")


def provenance_notes(cov: pd.DataFrame, lang: str) -> list[str]:
    """Return the notes a briefing must carry (approximate boundaries, sample roster, carried over)."""
    notes = []
    approximate = cov.attrs.get("approximate")
    if approximate is None and "approximate" in cov:
        approximate = bool(cov["approximate"].any())
    if approximate:
        notes.append(TEXT[lang]["approximate"])
    if cov.attrs.get("sample_roster"):
        notes.append(TEXT[lang]["sample"])
    if cov.attrs.get("carried_over"):
        from geo.i18n import t as _t
        notes.append(_t("carried_over_note", lang))
    return notes


class Briefing:
    """Everything a briefing shows, computed once for every format.

    Attributes are plain values: ``cov`` (all communes), ``selected`` (boolean
    mask), ``metric``, ``values``, ``legend`` (colour, lo, hi, count per class),
    ``class_of`` (class per commune, -1 when unselected), ``palette`` (colour per
    class index), ``title``, ``subtitle``, ``marking``, ``lang``, ``made`` (date),
    ``as_of``, ``notes``.
    """

    def __init__(self, cov: gpd.GeoDataFrame, *, metric: str, country: str = "all",
                 codes: Iterable[str] | None = None, title: str | None = None,
                 marking: str | None = None, lang: str = "vi", filters_desc: str = "",
                 made: dt.date | None = None) -> None:
        _check_coverage(cov)
        self.metric = _check_metric(metric)
        self.lang = _check_lang(lang)
        self.country = normalize_country(country)
        cov = cov.copy()
        cov.attrs = dict(cov.attrs)
        self.cov = cov.reset_index(drop=True)
        mask = _selection_mask(self.cov, self.country)
        wanted = None if codes is None else {str(c) for c in codes}
        if wanted is not None:
            unknown = sorted(wanted - set(self.cov["code"].astype(str)))
            if unknown:
                raise BorderMapError(f"commune code(s) not in the coverage frame: "
                                     f"{', '.join(unknown[:10])}")
            mask &= self.cov["code"].astype(str).isin(wanted).to_numpy()
        if not mask.any():
            raise BorderMapError(
                f"no commune of {cov.attrs.get('province') or 'the province'} matches the "
                f"filters (country={self.country}"
                + (f", {len(wanted)} chosen code(s)" if wanted is not None else "")
                + "); nothing to export")
        self.selected = mask
        self.values = metric_values(self.cov, self.metric)
        from geo import maps

        self.integer = self.metric in maps.INTEGER_METRICS
        _, found, idx = _classes(self.values[mask], LEGEND_CLASSES, integer=self.integer)
        self.class_of = np.full(len(self.cov), -1)
        self.class_of[mask] = idx
        palette = (maps.class_colors(maps.metric_colormap(self.cov.loc[mask], self.metric))
                   if found else [])
        #: (colour, lo, hi, count) of each non-empty class, colours as in geo.maps.
        self.legend = [(palette[i], lo, hi, n) for i, lo, hi, n in found]
        self.palette = palette
        self.marking = (marking or "").strip() or None
        self.made = made or dt.date.today()
        self.as_of = cov.attrs.get("roster_as_of")
        self.province = str(cov.attrs.get("province")
                            or (self.cov["province"].iloc[0] if "province" in self.cov else ""))
        self.vintage = str(cov.attrs.get("vintage", ""))
        self.has_districts = bool("district" in self.cov
                                  and (self.cov["district"].fillna("") != "").any())
        t = TEXT[self.lang]
        self.title = (title or "").strip() or t["title"].format(province=self.province)
        self.filters = filter_description(self.country, self.lang, filters_desc.strip())
        self.subtitle = t["subtitle"].format(metric=metric_label(self.metric, self.lang),
                                             vintage=self.vintage or "?", n=int(mask.sum()),
                                             total=len(self.cov))
        self.notes = provenance_notes(cov, self.lang)

    @property
    def table(self) -> pd.DataFrame:
        """The selected communes, in code order."""
        return self.cov.loc[self.selected].sort_values("code")

    def dates_line(self) -> str:
        """Return "made …  ·  data as of …"."""
        t = TEXT[self.lang]
        as_of = (t["as_of"].format(date=date_text(self.as_of, self.lang)) if self.as_of
                 else t["as_of_none"])
        return f"{t['made'].format(date=date_text(self.made, self.lang))}  ·  {as_of}"


# --------------------------------------------------------------------------- map figure

def border_style(iso3: str) -> dict:
    """Matplotlib line style of the border with ``iso3``: the colour and dash of geo.maps."""
    from geo.maps import BORDER_STYLES

    style = BORDER_STYLES.get(iso3)
    if style is None:
        return dict(_DEFAULT_BORDER_STYLE)
    dash = style.get("dashArray")
    linestyle = (0, tuple(float(x) / 2.4 for x in str(dash).split())) if dash else "-"
    return {"color": style["color"], "linestyle": linestyle, "linewidth": 2.4}


def _luminance(rgba) -> float:
    r, g, b = rgba[:3]
    return 0.299 * r + 0.587 * g + 0.114 * b


def _nice_length(span_m: float) -> float:
    """A round scale-bar length (metres) near a fifth of the map's width."""
    target = span_m / 5
    for km in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if km * 1000 >= target:
            return km * 1000.0
    return 1000e3


def _label_point(geom) -> shapely.Point:
    if geom.geom_type == "MultiPolygon":
        geom = max(geom.geoms, key=lambda g: g.area)
    try:
        from shapely.ops import polylabel

        return polylabel(geom, tolerance=100.0)
    except Exception:  # noqa: BLE001 - degenerate polygon: fall back to a point inside
        return geom.representative_point()


def _country_label(ax, geom, name: str, *, extent: tuple[float, float, float, float],
                   m_per_pt: float) -> bool:
    """Write a country's name where the whole label fits inside both the frame and the country."""
    for size in (15, 12, 10, 8):
        half_w = (0.36 * size * len(name) + 6) * m_per_pt
        half_h = 0.75 * size * m_per_pt
        room = shapely.clip_by_rect(geom, extent[0] + half_w, extent[1] + half_h,
                                    extent[2] - half_w, extent[3] - half_h).buffer(-half_h)
        if room.is_empty:
            continue
        p = _label_point(room)
        box = shapely.box(p.x - half_w, p.y - half_h, p.x + half_w, p.y + half_h)
        if geom.contains(box):
            ax.text(p.x, p.y, name, fontsize=size, color="#8c8c8c", ha="center", va="center",
                    fontweight="bold", alpha=0.9, zorder=2)
            return True
    return False


def _draw_scale_bar(ax, xmin: float, xmax: float, ymin: float, ymax: float) -> None:
    from matplotlib.patches import Rectangle

    length = _nice_length(xmax - xmin)
    x0 = xmin + 0.04 * (xmax - xmin)
    y0 = ymin + 0.04 * (ymax - ymin)
    h = 0.011 * (ymax - ymin)
    ax.add_patch(Rectangle((x0 - 0.012 * (xmax - xmin), y0 - 0.028 * (ymax - ymin)),
                           length + 0.045 * (xmax - xmin), h + 0.06 * (ymax - ymin),
                           facecolor="white", edgecolor="#888888", linewidth=0.5, alpha=0.9,
                           zorder=20))
    seg = length / 4
    for i in range(4):
        ax.add_patch(Rectangle((x0 + i * seg, y0), seg, h, facecolor="black" if i % 2 == 0
                               else "white", edgecolor="black", linewidth=0.6, zorder=21))
    for i, frac in ((0, 0), (2, 0.5), (4, 1)):
        value = length * frac / 1000
        ax.text(x0 + i * seg, y0 + h * 1.4, f"{value:g}", ha="center", va="bottom",
                fontsize=6.5, zorder=22)
    ax.text(x0 + length + 0.006 * (xmax - xmin), y0 + h / 2, "km", ha="left", va="center",
            fontsize=6.5, zorder=22)


def _draw_north_arrow(ax, letter: str) -> None:
    from matplotlib.patches import Polygon as MplPolygon

    x, y, w, h = 0.94, 0.86, 0.022, 0.07
    ax.add_patch(MplPolygon([(x - w, y), (x, y + h), (x, y + h * 0.25)], closed=True,
                            facecolor="black", edgecolor="black", linewidth=0.6,
                            transform=ax.transAxes, zorder=22))
    ax.add_patch(MplPolygon([(x + w, y), (x, y + h), (x, y + h * 0.25)], closed=True,
                            facecolor="white", edgecolor="black", linewidth=0.6,
                            transform=ax.transAxes, zorder=22))
    ax.text(x, y + h + 0.008, letter, transform=ax.transAxes, ha="center", va="bottom",
            fontsize=12, fontweight="bold", zorder=22)


def _draw_labels(ax, fig, communes: gpd.GeoDataFrame, fills: list, selected: np.ndarray) -> int:
    """Label communes with short names, skipping labels that would collide."""
    import matplotlib.patheffects as pe

    size = 5.2
    scale = fig.dpi / 72.0
    placed: list[tuple[float, float, float, float]] = []
    order = sorted(range(len(communes)),
                   key=lambda i: (not selected[i], -communes.geometry.iloc[i].area))
    points = [_label_point(communes.geometry.iloc[i]) for i in range(len(communes))]
    xy = ax.transData.transform([(p.x, p.y) for p in points])
    count = 0
    for i in order:
        text = short_name(communes["name"].iloc[i])
        w = (0.6 * size * len(text) + 2) * scale / 2
        h = (size * 1.25) * scale / 2
        x, y = xy[i]
        box = (x - w, y - h, x + w, y + h)
        if any(not (box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3])
               for b in placed):
            continue
        placed.append(box)
        dark = selected[i] and _luminance(fills[i]) < 0.45
        color = "white" if dark else ("#222222" if selected[i] else "#8a8a8a")
        halo = "#333333" if dark else "white"
        ax.text(points[i].x, points[i].y, text, fontsize=size, ha="center", va="center",
                color=color, zorder=15, clip_on=True,
                path_effects=[pe.withStroke(linewidth=1.2, foreground=halo, alpha=0.8)])
        count += 1
    return count


def district_outlines(cov: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """Dissolve the communes of ``cov`` by district (same CRS); ``None`` without districts.

    Taken from the briefing's own commune polygons, so the outlines match them
    whether they come from the embedded layer or an official file. The 2025 map
    has no districts (``district_code`` empty): ``None``.
    """
    if "district_code" not in cov:
        return None
    codes = cov["district_code"].fillna("").astype(str)
    if (codes == "").all():
        return None
    frame = gpd.GeoDataFrame({"district_code": codes.to_numpy(),
                              "district": cov.get("district", codes).to_numpy()},
                             geometry=cov.geometry.to_numpy(), crs=cov.crs)
    out = frame[frame["district_code"] != ""].dissolve(by="district_code", as_index=False)
    return out[["district_code", "district", "geometry"]]


def _context_layers(extent: tuple[float, float, float, float]):
    """Neighbouring countries and border lines, in the metric CRS, clipped near the extent."""
    from geo.borders import border_lines
    from geo.countries import load_countries

    box_ll = gpd.GeoSeries([shapely.box(*extent)], crs=METRIC_CRS).to_crs("EPSG:4326")
    x0, y0, x1, y1 = box_ll.total_bounds
    clip = (x0 - 0.5, y0 - 0.5, x1 + 0.5, y1 + 0.5)
    countries = load_countries(("VNM", "LAO", "CHN", "KHM"))
    countries = countries.assign(geometry=shapely.clip_by_rect(countries.geometry.values, *clip))
    countries = countries[~countries.geometry.is_empty].to_crs(METRIC_CRS)
    lines = border_lines(countries=("LAO", "CHN", "KHM"))
    lines = lines.assign(geometry=shapely.clip_by_rect(lines.geometry.values, *clip))
    lines = lines[~lines.geometry.is_empty].to_crs(METRIC_CRS)
    return countries, lines


def render_map_figure(brief: Briefing, *, page: tuple[int, int] | None = None):
    """Draw the briefing map on a new A4-landscape matplotlib Figure (not pyplot).

    Parameters
    ----------
    brief : Briefing
        The briefing content.
    page : (int, int), optional
        ``(page, pages)`` to print "Trang 1/4" in the footer (PDF).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib
    from matplotlib.colors import to_rgba
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    t = TEXT[brief.lang]
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=PAGE_SIZE_IN, dpi=100)
        communes = brief.cov.to_crs(METRIC_CRS)
        xmin, ymin, xmax, ymax = communes.total_bounds
        pad = 0.05 * max(xmax - xmin, ymax - ymin)
        ax = fig.add_axes(_MAP_BOX)
        # Fill the axes box: widen the shorter side so the aspect is true.
        box_w, box_h = _MAP_BOX[2] * PAGE_SIZE_IN[0], _MAP_BOX[3] * PAGE_SIZE_IN[1]
        w, h = xmax - xmin + 2 * pad, ymax - ymin + 2 * pad
        if w / h < box_w / box_h:
            w = h * box_w / box_h
        else:
            h = w * box_h / box_w
        cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
        extent = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        ax.set_xlim(extent[0], extent[2])
        ax.set_ylim(extent[1], extent[3])
        ax.set_aspect("equal", adjustable="box")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.set_facecolor("white")
        for spine in ax.spines.values():
            spine.set_linewidth(0.8)

        countries, lines = _context_layers(extent)
        districts = district_outlines(communes)
        for _, row in countries.iterrows():
            fill = _VIETNAM_FILL if row["iso3"] == "VNM" else _CONTEXT_FILL
            gpd.GeoSeries([row.geometry], crs=METRIC_CRS).plot(
                ax=ax, color=fill, edgecolor="#9a9a9a", linewidth=0.4, zorder=1)
            if row["iso3"] != "VNM":
                _country_label(ax, row.geometry, _country_name(row["iso3"], brief.lang).upper(),
                               extent=extent, m_per_pt=w / (box_w * 72))

        fills = [to_rgba(brief.palette[c]) if c >= 0 else to_rgba(_UNSELECTED_FILL)
                 for c in brief.class_of]
        edges = [to_rgba("#5a5a5a" if s else _UNSELECTED_EDGE) for s in brief.selected]
        communes.plot(ax=ax, color=fills, edgecolor=edges, linewidth=0.35, zorder=5)
        if districts is not None and len(districts):
            districts.boundary.plot(ax=ax, color="#2b2b2b", linewidth=1.0, zorder=7)
        outline = shapely.union_all(communes.geometry.values)
        gpd.GeoSeries([outline], crs=METRIC_CRS).boundary.plot(ax=ax, color="black",
                                                               linewidth=1.6, zorder=8)
        border_handles = []
        for _, row in lines.iterrows():
            style = border_style(row["iso3"])
            gpd.GeoSeries([row.geometry], crs=METRIC_CRS).plot(
                ax=ax, color="white", linewidth=style["linewidth"] + 2.2, zorder=9)
            gpd.GeoSeries([row.geometry], crs=METRIC_CRS).plot(ax=ax, zorder=10, **style)
            border_handles.append(Line2D([], [], **style, label=t["border_with"].format(
                name=_country_name(row["iso3"], brief.lang))))
        ax.set_xlim(extent[0], extent[2])
        ax.set_ylim(extent[1], extent[3])
        ax.set_xlabel("")
        ax.set_ylabel("")
        n_labels = _draw_labels(ax, fig, communes, fills, brief.selected)
        _draw_scale_bar(ax, *extent[:1], extent[2], extent[1], extent[3])
        _draw_north_arrow(ax, t["north"])

        # header
        _draw_header_footer(fig, brief, page=page)
        fig.text(0.015, 0.928, brief.title, fontsize=15, fontweight="bold", ha="left",
                 va="baseline")
        fig.text(0.015, 0.901, brief.subtitle, fontsize=9.5, ha="left", va="baseline",
                 color="#333333")
        fig.text(0.015, 0.881, brief.filters, fontsize=8.5, ha="left", va="baseline",
                 color="#333333")

        # right panel: legend, lines, figures, notes
        px = 0.645
        y = 0.855
        fig.text(px, y, metric_label(brief.metric, brief.lang), fontsize=10.5, fontweight="bold",
                 va="top")
        labels = class_labels([c[1:] for c in brief.legend], integer=brief.integer,
                              lang=brief.lang)
        handles = [Patch(facecolor=c[0], edgecolor="#5a5a5a", linewidth=0.5, label=lab)
                   for c, lab in zip(brief.legend, labels)]
        n_unselected = int((~brief.selected).sum())
        if n_unselected:
            handles.append(Patch(facecolor=_UNSELECTED_FILL, edgecolor=_UNSELECTED_EDGE,
                                 linewidth=0.5, label=f"{t['not_selected']}  "
                                 f"({t['units'].format(n=n_unselected)})"))
        leg = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(px - 0.006, y - 0.025),
                         frameon=False, fontsize=8.5, handlelength=2.2, handleheight=1.3,
                         borderaxespad=0, labelspacing=0.45)
        fig.add_artist(leg)
        y_lines = y - 0.05 - 0.036 * len(handles)
        fig.text(px, y_lines, t["lines"], fontsize=10.5, fontweight="bold", va="top")
        line_handles = border_handles + [
            Line2D([], [], color="black", linewidth=1.6, label=t["province_line"])]
        if districts is not None:
            line_handles.append(Line2D([], [], color="#2b2b2b", linewidth=1.0,
                                       label=t["district_line"]))
        leg2 = fig.legend(handles=line_handles, loc="upper left",
                          bbox_to_anchor=(px - 0.006, y_lines - 0.025), frameon=False,
                          fontsize=8.5, handlelength=3.2, borderaxespad=0, labelspacing=0.45)
        fig.add_artist(leg2)
        y_fig = y_lines - 0.05 - 0.034 * len(line_handles)
        fig.text(px, y_fig, t["figures"], fontsize=10.5, fontweight="bold", va="top")
        lines_txt = _key_figures(brief)
        fig.text(px, y_fig - 0.03, "\n".join(lines_txt), fontsize=8.3, va="top",
                 linespacing=1.55)
        notes = list(brief.notes) + [t["sources"].format(vintage=brief.vintage or "")]
        wrapped = "\n".join(textwrap.fill(n, 66) for n in notes)
        fig.text(px, 0.085, wrapped, fontsize=7.4, va="bottom", color="#7a1f1f"
                 if brief.notes else "#333333", linespacing=1.35, style="italic")
    log.info("export map: %d communes (%d selected, %d labelled), %d classes", len(communes),
             int(brief.selected.sum()), n_labels, len(brief.legend))
    return fig


def _key_figures(brief: Briefing) -> list[str]:
    from geo.coverage import PUBLISHED, province_totals

    t = TEXT[brief.lang]
    sel = brief.cov.loc[brief.selected]
    out = [t["fig_selected"].format(n=len(sel))]
    for key, col in (("fig_police", "total_police"), ("fig_reinf", "reinforcements"),
                     ("fig_gap", "staffing_gap")):
        if col in sel:
            out.append(t[key].format(n=int(sel[col].sum())))
    needed = {"chiefs", "deputies", "officers", "reinforcements", "total_police",
              "staffing_gap", "border_km_lao", "border_km_chn"}
    if needed <= set(brief.cov.columns):
        tot = province_totals(brief.cov)
        out.append(t["fig_province"].format(**tot))
        if is_dien_bien(brief.cov):
            out.append(t["fig_published"].format(**PUBLISHED))
    return out


def _draw_header_footer(fig, brief: Briefing, *, page: tuple[int, int] | None) -> None:
    """Marking at the top and bottom centre, dates and CRS at the bottom, page number."""
    t = TEXT[brief.lang]
    if brief.marking:
        for y, va in ((0.972, "center"), (0.025, "center")):
            fig.text(0.5, y, brief.marking, fontsize=12, fontweight="bold", color=_MARKING_COLOR,
                     ha="center", va=va,
                     bbox={"boxstyle": "square,pad=0.3", "facecolor": "white",
                           "edgecolor": _MARKING_COLOR, "linewidth": 1.2})
    fig.text(0.015, 0.025, f"{brief.dates_line()}\n{t['crs']}", fontsize=7.2, ha="left",
             va="center", color="#333333", linespacing=1.4)
    if page is not None:
        fig.text(0.985, 0.025, t["page"].format(i=page[0], n=page[1]), fontsize=8.5,
                 ha="right", va="center")


#: matplotlib's rcParams are global: one briefing is drawn and written at a time, so
#: concurrent app sessions (threads) cannot switch each other's fonts mid-file.
_RENDER_LOCK = threading.Lock()

#: Map axes in figure fractions (left, bottom, width, height).
_MAP_BOX = (0.015, 0.07, 0.61, 0.795)

_RC = {
    "font.family": FONT_FAMILY,
    "font.size": 9,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "none",
    "axes.unicode_minus": True,
}


# --------------------------------------------------------------------------- writers

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


def _write_atomic(path: Path, write) -> None:
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
    import matplotlib

    fig = render_map_figure(brief)
    with matplotlib.rc_context(_RC):
        _write_atomic(path, lambda tmp: fig.savefig(tmp, format="png", dpi=PNG_DPI,
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
        with _RENDER_LOCK:
            _save_png(brief, path)
    elif fmt == "pdf":
        from geo.export_pdf import write_pdf

        with _RENDER_LOCK:
            _write_atomic(path, lambda tmp: write_pdf(brief, tmp))
    else:
        text = briefing_html(brief)
        _write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    log.info("export %s: %s (%d of %d communes, metric %s)", fmt, path, int(brief.selected.sum()),
             len(brief.cov), brief.metric)
    return path


# --------------------------------------------------------------------------- HTML

def briefing_html(brief: Briefing) -> str:
    """Return the standalone HTML briefing: the Folium map, inlined, with header and table.

    The map is :func:`geo.maps.build_coverage_map` of the selected communes with
    the offline basemap (no tiles: Natural Earth countries, district outlines,
    border lines), made self-contained by :func:`geo.offline_assets.inline_map_html`
    (Leaflet and plugins inlined, no remote script or stylesheet). The briefing
    header and the table of selected communes are added around it; every data
    string is escaped here, where that HTML is built.
    """
    from geo.maps import build_coverage_map
    from geo.offline_assets import inline_map_html

    m = build_coverage_map(brief.cov.loc[brief.selected], metric=brief.metric, lang=brief.lang,
                           tiles="offline")
    return _wrap_html(inline_map_html(m), brief)


_HTML_STYLE = """
<style>
.bm-brief{font-family:"DejaVu Sans","Noto Sans",Arial,sans-serif;font-size:13px;color:#222;
 margin:8px 12px}
.bm-brief h1{font-size:19px;margin:4px 0}
.bm-brief h2{font-size:15px;margin:12px 0 2px 0}
.bm-brief .bm-sub{margin:2px 0;color:#333}
.bm-brief .bm-marking{color:#b00000;font-weight:bold;border:2px solid #b00000;padding:2px 10px;
 display:inline-block;margin:4px 0;letter-spacing:1px}
.bm-brief .bm-center{text-align:center}
.bm-brief .bm-note{color:#7a1f1f;font-style:italic;margin:2px 0}
.bm-brief table{border-collapse:collapse;margin-top:8px}
.bm-brief th,.bm-brief td{border:1px solid #bbb;padding:2px 6px;text-align:left}
.bm-brief td.n{text-align:right}
.bm-brief tr:nth-child(even) td{background:#f4f4f4}
.folium-map{height:75vh !important}
</style>
"""


def _wrap_html(page: str, brief: Briefing) -> str:
    """Insert the header (before the map) and the table + footer (after it) into ``page``."""
    from geo.export_pdf import (
        _TABLE_TEXT,
        table_columns,
        table_rows,
        totals_notes,
        totals_rows,
    )

    e = html.escape
    marking = (f'<div class="bm-center"><span class="bm-marking">{e(brief.marking)}</span></div>'
               if brief.marking else "")
    notes = "".join(f'<p class="bm-note">{e(n)}</p>' for n in brief.notes)
    header = (f'<div class="bm-brief">{marking}<h1>{e(brief.title)}</h1>'
              f'<p class="bm-sub">{e(brief.subtitle)}</p><p class="bm-sub">{e(brief.filters)}</p>'
              f'<p class="bm-sub">{e(brief.dates_line())}</p>{notes}</div>')
    cols = table_columns(brief.lang, with_district=brief.has_districts,
                         carried=bool(brief.cov.attrs.get("carried_over")))
    head = "".join(f"<th>{e(c.title)}</th>" for c in cols)
    body = []
    for code, cells in table_rows(brief):
        tds = "".join(f'<td class="n">{e(v)}</td>' if c.numeric else f"<td>{e(v)}</td>"
                      for c, v in zip(cols, cells))
        body.append(f'<tr data-code="{e(code)}">{tds}</tr>')
    tt = _TABLE_TEXT[brief.lang]
    tot_head = "".join(f"<th>{e(tt[k])}</th>" for k in ("item", "sel", "prov", "pub", "diff"))
    tot_body = "".join("<tr>" + "".join(f'<td class="n">{e(v)}</td>' if i else f"<td>{e(v)}</td>"
                                        for i, v in enumerate(row)) + "</tr>"
                       for row in totals_rows(brief))
    sources = "".join(f'<p class="bm-note">{e(n)}</p>' for n in totals_notes(brief))
    table = (f'<div class="bm-brief"><h2>{e(tt["table_title"].format(n=len(body)))}</h2>'
             f'<table class="bm-table"><thead><tr>{head}</tr></thead>'
             f'<tbody>{"".join(body)}</tbody></table>'
             f'<h2>{e(tt["totals_title"])}</h2><table class="bm-totals"><thead><tr>{tot_head}'
             f'</tr></thead><tbody>{tot_body}</tbody></table>{sources}{marking}</div>')
    body_at = page.find("<body>")
    end_at = page.rfind("</body>")
    if body_at < 0 or end_at < 0:
        return f"<!DOCTYPE html><html><head><meta charset=\"utf-8\">{_HTML_STYLE}</head><body>" \
               f"{header}{page}{table}</body></html>"
    head_at = page.find("</head>")
    page = page[:head_at] + _HTML_STYLE + page[head_at:] if head_at >= 0 else page
    body_at = page.find("<body>") + len("<body>")
    end_at = page.rfind("</body>")
    return page[:body_at] + header + page[body_at:end_at] + table + page[end_at:]
