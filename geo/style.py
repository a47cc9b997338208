"""The one map style: classes, palettes, legend entries, line styles, provenance notes.

The interactive map (:mod:`geo.maps`), the briefing's static map
(:mod:`geo.export.static_map`), the briefing tables and the downloads all take
their classes, colours, labels and notes from here, so a commune is shaded,
labelled and annotated alike everywhere.

Colours as seen
---------------
Communes are filled at :data:`FILL_OPACITY` over the Vietnam fill of the
offline basemap (:data:`COUNTRY_FILLS` ``["VNM"]``). A legend swatch must show
the colour a reader sees, not the palette colour under the opacity:
:func:`rendered_color` blends the two, and every legend (folium and
matplotlib) uses it. The static map paints the blended colour opaque, so its
pixels equal its swatches.

This module imports nothing from folium, matplotlib or Streamlit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo._errors import BorderMapError, InvalidArgument
from geo.i18n import metric_label, t

log = logging.getLogger(__name__)

#: Sequential 5-class ColorBrewer palettes per metric (light → dark).
PALETTES = {
    "total_police": ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"],
    "police_per_100km2": ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"],
    "staffing_gap": ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"],
    "reinforcements": ["#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"],
    "border_km": ["#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603"],
}

#: Fill of a commune without a value (e.g. police per 10 km of border off the border).
NO_DATA_COLOR = "#d9d9d9"

#: Metrics whose values are whole numbers (class edges rounded up, labels without decimals).
INTEGER_METRICS = frozenset({"total_police", "staffing_gap", "reinforcements"})

#: Maximum number of classes of a metric.
LEGEND_CLASSES = 5

#: Opacity of the commune fills on the interactive map.
FILL_OPACITY = 0.78

#: Country fills of the offline basemap (Vietnam under the communes; neighbours as context).
COUNTRY_FILLS = {"VNM": "#fbfaf5", "LAO": "#e6e3da", "CHN": "#e6e3da", "KHM": "#e6e3da"}
CONTEXT_FILL = "#e6e3da"
CONTEXT_EDGE = "#a8a8a8"

#: What the commune fills are blended over (the Vietnam fill).
FILL_BACKGROUND = COUNTRY_FILLS["VNM"]

#: Map background outside the context layers (matches the neighbours' fill).
BACKGROUND = CONTEXT_FILL

#: Commune edges, and the fill / edge of communes left out of a briefing's selection.
COMMUNE_EDGE = "#6f6f6f"
UNSELECTED_FILL = "#e4e4e4"
UNSELECTED_EDGE = "#b5b5b5"

#: Border line styles per neighbour (Leaflet path options): distinct colour and dash.
BORDER_STYLES = {
    "LAO": {"color": "#d7191c", "weight": 4, "dashArray": None, "opacity": 0.95},
    "CHN": {"color": "#7b3294", "weight": 4, "dashArray": "10 6", "opacity": 0.95},
    "KHM": {"color": "#1a9641", "weight": 4, "dashArray": "4 4", "opacity": 0.95},
}
DEFAULT_BORDER_STYLE = {"color": "#444444", "weight": 4, "dashArray": None, "opacity": 0.95}

#: Outline of border communes; district and province boundaries.
BORDER_COMMUNE_OUTLINE = "#111111"
DISTRICT_OUTLINE = "#525252"
DISTRICT_DASH = "6 3"
DISTRICT_WEIGHT = 2
PROVINCE_OUTLINE = "#000000"
PROVINCE_WEIGHT = 2.6

#: Line width of the static map, in points, per Leaflet pixel.
_PT_PER_PX = 0.6


# --------------------------------------------------------------------------- colours

def _rgb(color: str) -> tuple[int, int, int]:
    text = str(color).lstrip("#")
    if not re.fullmatch(r"[0-9a-fA-F]{6}", text):
        raise InvalidArgument(f"colour must be '#rrggbb', not {color!r}")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def rendered_color(color: str, *, opacity: float = FILL_OPACITY,
                   background: str = FILL_BACKGROUND) -> str:
    """Return the colour a fill of ``color`` at ``opacity`` shows over ``background``.

    Parameters
    ----------
    color, background : str
        ``#rrggbb`` colours.
    opacity : float
        Fill opacity in [0, 1].

    Returns
    -------
    str
        ``#rrggbb``: ``opacity × color + (1 − opacity) × background``, per channel.

    Examples
    --------
    >>> rendered_color("#08519c")
    '#3d76b0'
    >>> rendered_color("#08519c", opacity=1.0)
    '#08519c'
    """
    if not 0 <= opacity <= 1:
        raise InvalidArgument(f"opacity must be in [0, 1], not {opacity!r}")
    fg, bg = _rgb(color), _rgb(background)
    mixed = (round(opacity * f + (1 - opacity) * b) for f, b in zip(fg, bg))
    return "#{:02x}{:02x}{:02x}".format(*mixed)


# --------------------------------------------------------------------------- values and classes

def check_metric(metric: object) -> str:
    """Return ``metric`` if it is a map metric (a key of :data:`PALETTES`).

    Raises
    ------
    BorderMapError
        If it is not.
    """
    if metric not in PALETTES:
        raise BorderMapError(f"unknown map metric {metric!r}; use one of {', '.join(PALETTES)}")
    return str(metric)


def metric_values(cov: pd.DataFrame, metric: str) -> np.ndarray:
    """Return the metric per commune as floats (``border_km`` summed over the countries).

    Raises
    ------
    BorderMapError
        Unknown metric, or a frame without the metric's column(s).
    """
    metric = check_metric(metric)
    if metric in cov:
        return pd.to_numeric(cov[metric], errors="coerce").to_numpy(dtype=float)
    if metric == "border_km":
        cols = [c for c in cov.columns if re.fullmatch(r"border_km_[a-z]{3}", str(c))]
        if cols:
            return cov[cols].fillna(0).sum(axis=1).to_numpy(dtype=float)
    raise BorderMapError(f"the coverage frame has no column for metric {metric!r}")


def class_breaks(values: Sequence[float] | np.ndarray, *, k: int = LEGEND_CLASSES,
                 integer: bool = False) -> list[float]:
    """Return class edges for ``values``: zero as a class of its own, then quantiles.

    Parameters
    ----------
    values : array-like
        The metric per commune; NaN values are ignored.
    k : int
        Maximum number of classes.
    integer : bool
        Round edges up to whole numbers (counts).

    Returns
    -------
    list of float
        Edges ``[e0, e1, …, en]``: class i is ``[e_i, e_{i+1})`` and the last one
        ``[e_{n-1}, e_n]`` (it may hold a single value, ``e_{n-1} == e_n``).
        All-equal values give one class ``[v, v]``.

    Examples
    --------
    >>> class_breaks([0, 0, 0, 1, 2, 3, 4], k=3, integer=True)
    [0.0, 1.0, 2.0, 4.0]
    >>> class_breaks([0, 0, 1], integer=True)
    [0.0, 1.0, 1.0]
    """
    if k < 1:
        raise BorderMapError(f"k must be ≥ 1, not {k!r}")
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return [0.0, 0.0]
    lo, hi = float(v.min()), float(v.max())
    if lo == hi:
        return [lo, hi]
    starts = [lo]
    rest, left = v, k
    if lo == 0 and k > 1:  # "none" (no police, no border, no gap) is a class of its own
        rest = v[v > 0]
        starts.append(float(np.ceil(rest.min())) if integer else float(rest.min()))
        left -= 1
    if left > 1:
        qs = np.quantile(rest, np.arange(1, left) / left, method="inverted_cdf")  # data values
        if integer:
            qs = np.ceil(qs)
        for q in qs:
            if starts[-1] < q <= hi:
                starts.append(float(q))
    return [float(e) for e in starts] + [hi]


def classify(values: Sequence[float] | np.ndarray, edges: Sequence[float]) -> np.ndarray:
    """Return the class index of each value for ``edges`` (−1 for NaN)."""
    v = np.asarray(values, dtype=float)
    idx = np.searchsorted(np.asarray(edges[1:-1], dtype=float), v, side="right")
    return np.where(np.isfinite(v), idx, -1)


def class_colors(edges: Sequence[float], metric: str) -> list[str]:
    """Return the palette colour (``#rrggbb``) of each class of ``edges`` for ``metric``.

    Classes spread over the palette; one class alone is light when it is zero and
    mid-scale otherwise.
    """
    palette = PALETTES[check_metric(metric)]
    n = len(edges) - 1
    if n > 1:
        return [palette[i] for i in np.linspace(0, len(palette) - 1, n).round().astype(int)]
    return [palette[0] if edges[0] == 0 else palette[2]]


def _is_integer(values: np.ndarray) -> bool:
    finite = values[np.isfinite(values)]
    return bool(len(finite)) and bool(np.all(finite == np.round(finite)))


def format_value(value: float, *, integer: bool, lang: str = "vi") -> str:
    """Format a legend value: ``1.234`` / ``4,5`` (vi) or ``1,234`` / ``4.5`` (en)."""
    text = f"{round(value):,}" if integer else f"{value:,.1f}"
    if lang == "vi":  # 1.234,5
        text = text.replace(",", "\u202f").replace(".", ",").replace("\u202f", ".")
    return text


@dataclass(frozen=True)
class LegendClass:
    """One non-empty class of a legend.

    ``color`` is the palette colour the fill is drawn with (at
    :data:`FILL_OPACITY` on the interactive map); ``swatch`` the colour a
    reader sees (:func:`rendered_color`), which every legend shows.
    """

    index: int
    lo: float
    hi: float
    count: int
    color: str
    swatch: str
    label: str


@dataclass(frozen=True)
class Legend:
    """The classes of a metric over a set of communes, and each commune's class."""

    metric: str
    title: str
    integer: bool
    edges: list[float]
    classes: list[LegendClass]
    class_of: np.ndarray
    colors: list[str]

    def fill_colors(self, *, rendered: bool = False, missing: str = NO_DATA_COLOR) -> list[str]:
        """Return each commune's fill: the palette colour, or as seen when ``rendered``."""
        palette = [rendered_color(c) for c in self.colors] if rendered else self.colors
        miss = rendered_color(missing) if rendered else missing
        return [palette[i] if i >= 0 else miss for i in self.class_of]


def class_label(lo: float, hi: float, count: int | None, *, integer: bool,
                lang: str = "vi") -> str:
    """Return a legend label: ``"3 – 5  (12 đv)"``; one value alone: ``"0  (14 đv)"``."""
    rng = (format_value(lo, integer=integer, lang=lang) if lo == hi
           else f"{format_value(lo, integer=integer, lang=lang)} – "
                f"{format_value(hi, integer=integer, lang=lang)}")
    return rng if count is None else f"{rng}  ({t('legend_units', lang, n=count)})"


def build_legend(values: Iterable[float], metric: str, *, lang: str = "vi",
                 k: int = LEGEND_CLASSES, integer: bool | None = None,
                 edges: Sequence[float] | None = None) -> Legend:
    """Classify ``values`` of ``metric`` and return the legend every map draws.

    Classes are :func:`class_breaks` of the finite values (zero a class of its
    own, then quantiles); each non-empty class is reported by the smallest and
    largest value it holds and its count, so the legend states exactly what is
    on the map. NaN and infinite values get class −1 (no data).

    Parameters
    ----------
    values : iterable of float
        The metric per commune.
    metric : str
        A key of :data:`PALETTES` (sets the palette and the title).
    lang : {"vi", "en"}
        Language of the title and labels.
    k : int
        Maximum number of classes.
    integer : bool, optional
        Whether the values are counts; default: whether ``metric`` is a count
        metric (:data:`INTEGER_METRICS`).
    edges : sequence of float, optional
        Class edges to use instead of those of ``values`` (the same classes on
        every page of an atlas); the counts are those of ``values``.

    Returns
    -------
    Legend

    Raises
    ------
    ValueError
        If ``k`` is not a whole number ≥ 1.
    """
    metric = check_metric(metric)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidArgument(f"k must be a whole number ≥ 1, not {k!r}")
    v = np.asarray(values if isinstance(values, (np.ndarray, pd.Series)) else list(values),
                   dtype=float)
    if integer is None:
        integer = metric in INTEGER_METRICS
    finite = v[np.isfinite(v)]
    if edges is not None:
        edges = [float(e) for e in edges]
    elif finite.size == 0:
        return Legend(metric, metric_label(metric, lang), bool(integer), [0.0, 0.0], [],
                      np.full(len(v), -1), class_colors([0.0, 0.0], metric))
    else:
        edges = class_breaks(finite, k=int(k), integer=bool(integer))
    idx = np.asarray(classify(v, edges))
    colors = class_colors(edges, metric)
    classes = []
    for i in range(max(len(edges) - 1, 1)):
        members = v[idx == i]
        if len(members):
            lo, hi = float(members.min()), float(members.max())
            classes.append(LegendClass(i, lo, hi, len(members), colors[i],
                                       rendered_color(colors[i]),
                                       class_label(lo, hi, len(members), integer=bool(integer),
                                                   lang=lang)))
    return Legend(metric, metric_label(metric, lang), bool(integer), edges, classes, idx, colors)


def legend_classes(values: Iterable[float], k: int = LEGEND_CLASSES, *,
                   integer: bool | None = None) -> list[tuple[float, float, int]]:
    """Return the legend classes of the values: ``(lo, hi, count)`` per non-empty class.

    Examples
    --------
    >>> legend_classes([3, 0, 1, 0, 2], k=2)
    [(0.0, 0.0, 2), (1.0, 3.0, 3)]
    """
    v = np.asarray(values if isinstance(values, (np.ndarray, pd.Series)) else list(values),
                   dtype=float)
    if integer is None:
        integer = _is_integer(v)
    legend = build_legend(v, "total_police", k=k, integer=integer)
    return [(c.lo, c.hi, c.count) for c in legend.classes]


# --------------------------------------------------------------------------- lines

@dataclass(frozen=True)
class LineEntry:
    """A line of the legend: label, colour, Leaflet dash (``"10 6"`` or None), width (px)."""

    label: str
    color: str
    dash: str | None
    width: float

    def mpl(self) -> dict:
        """Return matplotlib ``color``, ``linestyle`` and ``linewidth`` (points)."""
        width = self.width * _PT_PER_PX
        style = ((0, tuple(float(x) / width for x in self.dash.split())) if self.dash else "-")
        return {"color": self.color, "linestyle": style, "linewidth": width}


def border_line(iso3: str, lang: str = "vi") -> LineEntry:
    """Return the line style and label of the border with ``iso3``."""
    style = BORDER_STYLES.get(iso3, DEFAULT_BORDER_STYLE)
    key = f"layer_border_{iso3}"
    from geo.i18n import STRINGS

    label = t(key, lang) if key in STRINGS else iso3
    return LineEntry(label, style["color"], style["dashArray"], style["weight"])


def district_line(lang: str = "vi") -> LineEntry:
    """Return the line style and label of the district boundaries."""
    return LineEntry(t("layer_districts", lang), DISTRICT_OUTLINE, DISTRICT_DASH, DISTRICT_WEIGHT)


def province_line(lang: str = "vi") -> LineEntry:
    """Return the line style and label of the province boundary."""
    return LineEntry(t("layer_province", lang), PROVINCE_OUTLINE, None, PROVINCE_WEIGHT)


def border_style(iso3: str) -> dict:
    """Matplotlib line style of the border with ``iso3`` (the colour and dash of the app map)."""
    return border_line(iso3).mpl()


# --------------------------------------------------------------------------- provenance

@dataclass(frozen=True)
class Notice:
    """A provenance notice: ``kind`` (approximate, sample, roster, boundaries) and text."""

    kind: str
    text: str


def provenance_notices(cov: pd.DataFrame, *, lang: str = "vi", short: bool = False,
                       details: bool = False, boundary_source: str | None = None
                       ) -> list[Notice]:
    """Return the provenance notices that apply to a commune or coverage frame.

    The one source of the notes shown by the app, the maps, the briefings, the
    downloads and the command line.

    Parameters
    ----------
    cov : DataFrame
        Frame whose ``attrs`` (``approximate``, ``sample_roster``,
        ``roster_version``, ``roster_as_of``) or ``approximate`` / ``note``
        columns tell where it comes from.
    lang : {"vi", "en"}
        Language of the notes.
    short : bool
        Short forms (map caption) instead of the full sentences.
    details : bool
        Also the roster version (a stored roster) and the boundary source (an
        official file).
    boundary_source : str, optional
        Name of the official boundaries file in use (with ``details``).

    Returns
    -------
    list of Notice
        Approximate boundaries first, then sample roster, then carried-over 2020
        posts (a 2020 roster shown on the 2025 map), then the source of the
        border flags (an official list, with its disagreements with the
        computed flags; the computed flags only with ``details``); with ``details`` the
        roster version and the official boundaries.
    """
    attrs = getattr(cov, "attrs", {}) or {}
    approximate = attrs.get("approximate")
    if approximate is None and "approximate" in cov:
        approximate = bool(pd.Series(cov["approximate"]).fillna(False).astype(bool).any())
    out = []
    if approximate:
        out.append(Notice("approximate",
                          t("approximate_short" if short else "approximate_note", lang)))
    if attrs.get("sample_roster"):
        out.append(Notice("sample", t("sample_short" if short else "sample_note", lang)))
    if attrs.get("carried_over"):
        out.append(Notice("carried_over",
                          t("carried_over_short" if short else "carried_over_note", lang)))
    out += _border_notices(attrs, lang=lang, short=short, details=details)
    if details:
        if not attrs.get("sample_roster") and attrs.get("roster_version") is not None:
            out.append(Notice("roster", t("roster_version", lang,
                                          version=attrs["roster_version"],
                                          as_of=attrs.get("roster_as_of") or "?")))
        if not approximate:
            if boundary_source:
                out.append(Notice("boundaries", t("official_boundaries", lang,
                                                  source=boundary_source)))
            elif "note" in cov and len(cov):
                out.append(Notice("boundaries", str(pd.Series(cov["note"]).iloc[0])))
    return out


def _border_notices(attrs: dict, *, lang: str, short: bool, details: bool) -> list[Notice]:
    """Which source the border flags come from, and where the list and computation disagree."""
    source = attrs.get("border_source")
    if not source:
        return []
    if source == "computed":
        return [Notice("border_source", t("border_flags_computed", lang))] if details else []
    if short:
        return [Notice("border_source", t("border_flags_list_short", lang))]
    out = [Notice("border_source", t("border_flags_list", lang,
                                     source=source.removeprefix("official list ")))]
    found = attrs.get("border_disagreements") or []
    if found:
        keys = {"listed but computed interior": "disagree_listed_interior",
                "computed border but not listed": "disagree_computed_unlisted"}
        items = [f"{d.get('name', '')} ({d.get('code', '')}): "
                 f"{t(keys.get(d.get('border_disagreement'), 'disagree_listed_interior'), lang)}"
                 for d in found[:12]]
        more = f"; … +{len(found) - 12}" if len(found) > 12 else ""
        out.append(Notice("border_disagreements", t("border_disagreements", lang,
                                                     count=len(found),
                                                     items="; ".join(items) + more)))
    return out


def provenance_notes(cov: pd.DataFrame, *, lang: str = "vi", short: bool = False,
                     details: bool = False, boundary_source: str | None = None) -> list[str]:
    """Return the texts of :func:`provenance_notices`."""
    return [n.text for n in provenance_notices(cov, lang=lang, short=short, details=details,
                                               boundary_source=boundary_source)]


__all__ = [
    "BORDER_STYLES", "FILL_OPACITY", "INTEGER_METRICS", "LEGEND_CLASSES", "NO_DATA_COLOR",
    "PALETTES", "Legend", "LegendClass", "LineEntry", "Notice", "border_line", "border_style",
    "build_legend", "check_metric", "class_breaks", "class_colors", "class_label", "classify",
    "district_line", "format_value", "legend_classes", "metric_values", "province_line",
    "provenance_notes", "provenance_notices", "rendered_color",
]
