"""The briefing model: what a briefing shows, computed once for every format.

:class:`Briefing` holds the selection, the legend (from :mod:`geo.style`), the
title, dates and provenance notes; :func:`table_rows`, :func:`totals_rows` and
:func:`key_figures` give the table rows and figures that the PDF, the HTML and
the atlas print. Nothing here draws: the static map, the PDF and the HTML build
on this module, never the other way round.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import style
from geo._errors import BorderMapError, InvalidArgumentType
from geo.i18n import country_label, t
from geo.reference import COUNTRY_FILTERS, LANGUAGES, METRIC_KEYS, PUBLISHED
from geo.reference import is_dien_bien as _is_dien_bien_code

log = logging.getLogger(__name__)

#: Languages of the briefing text (commune names always keep their Vietnamese form):
#: :data:`geo.reference.LANGUAGES`.

#: Number of legend classes.
LEGEND_CLASSES = style.LEGEND_CLASSES

_UNIT_WORD = re.compile(r"^\s*(Thị trấn|Phường|Xã)\s+")

#: Count columns of the commune table, in order.
COUNT_CELLS = ("chiefs", "deputies", "officers", "reinforcements", "total_police",
               "staffing_gap")


class BriefText:
    """The briefing's strings in one language: ``text["title"]`` is ``t("brief_title", lang)``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __getitem__(self, key: str) -> str:
        return t(f"brief_{key}", self.lang)


# --------------------------------------------------------------------------- validation

def check_metric(metric: object) -> str:
    """Return ``metric`` if it is one of :data:`METRIC_KEYS`; else raise BorderMapError."""
    if metric not in METRIC_KEYS:
        raise BorderMapError(f"unknown metric {metric!r}; choose one of {', '.join(METRIC_KEYS)}")
    return str(metric)


def check_lang(lang: object) -> str:
    """Return ``lang`` if it is one of :data:`LANGUAGES`; else raise BorderMapError."""
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

    Raises
    ------
    BorderMapError
        If ``country`` is not one of :data:`COUNTRY_FILTERS`.
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

    cols = [c for c in ("border_countries", "is_border", "listed_countries") if c in cov]
    frame = pd.DataFrame({c: cov[c].to_numpy() for c in cols})
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
        Coverage frame with ``border_countries`` (``""``, ``"LAO"``, ``"CHN"``, ``"CHN;LAO"``).
    country : {"all", "any", "LAO", "CHN", "both", "none"}, default "all"
        ``all`` every commune; ``any`` any border commune; ``LAO`` / ``CHN`` the
        communes on that border; ``both`` on both; ``none`` on none. Any case.

    Returns
    -------
    geopandas.GeoDataFrame
        The selected rows in their original order; ``attrs`` kept, and
        ``attrs["country_filter"]`` names the filter. May be empty.

    Raises
    ------
    BorderMapError
        If ``country`` is not a known filter or ``cov`` lacks ``border_countries``.
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


def legend_classes(values: Iterable[float], k: int = LEGEND_CLASSES, *,
                   integer: bool | None = None) -> list[tuple[float, float, int]]:
    """Return the legend classes ``(lo, hi, count)`` of the values (geo.style.legend_classes).

    Examples
    --------
    >>> legend_classes([3, 0, 1, 0, 2], k=2)
    [(0.0, 0.0, 2), (1.0, 3.0, 3)]
    """
    return style.legend_classes(values, k, integer=integer)


def metric_values(cov: pd.DataFrame, metric: str) -> np.ndarray:
    """Return the metric per commune as floats (:func:`geo.style.metric_values`)."""
    return style.metric_values(cov, check_metric(metric))


def metric_label(metric: str, lang: str) -> str:
    """Return the metric's label in ``lang`` (:func:`geo.i18n.metric_label`)."""
    from geo.i18n import metric_label as label

    return label(check_metric(metric), lang)


# --------------------------------------------------------------------------- texts

def short_name(name: str) -> str:
    """Drop the unit type word: ``"Xã Mường Nhé"`` → ``"Mường Nhé"``."""
    return _UNIT_WORD.sub("", str(name), count=1)


def border_text(row: pd.Series, lang: str) -> str:
    """Return ``"Lào 25,5; Trung Quốc 17,4"`` (vi) / ``"Laos 25.5; China 17.4"`` (en), or ``""``."""
    parts = []
    for iso in sorted(set(str(row.get("border_countries", "") or "").split(";")) - {""}):
        km = row.get(f"border_km_{iso.lower()}", np.nan)
        length = "" if pd.isna(km) else f" {float(km):.1f}"
        if lang == "vi":
            length = length.replace(".", ",")
        parts.append(f"{country_label(iso, lang)}{length}")
    return "; ".join(parts)


def filter_description(country: str, lang: str, extra: str = "") -> str:
    """Return the human description of the filters shown in the briefing's subtitle."""
    text = t(f"brief_filter_{normalize_country(country)}", check_lang(lang))
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


# --------------------------------------------------------------------------- the briefing

class Briefing:
    """Everything a briefing shows, computed once for every format.

    Attributes are plain values: ``cov`` (all communes), ``selected`` (boolean
    mask), ``metric``, ``values``, ``style_legend`` (:class:`geo.style.Legend`
    of the selection), ``legend`` (swatch, lo, hi, count per non-empty class),
    ``class_of`` (class per commune, -1 when unselected), ``fills`` (the colour
    each commune is painted, as seen), ``title``, ``subtitle``, ``marking``,
    ``lang``, ``made`` (date), ``as_of``, ``notes``.

    Parameters
    ----------
    edges : sequence of float, optional
        Class edges to use instead of those of the selection (the atlas keeps
        the province's classes on every district page).
    focus : str, optional
        Description of the area the map is zoomed to (an atlas page).
    """

    def __init__(self, cov: gpd.GeoDataFrame, *, metric: str, country: str = "all",
                 codes: Iterable[str] | None = None, title: str | None = None,
                 marking: str | None = None, lang: str = "vi", filters_desc: str = "",
                 made: dt.date | None = None, edges: Sequence[float] | None = None,
                 subtitle: str | None = None) -> None:
        _check_coverage(cov)
        self.metric = check_metric(metric)
        self.lang = check_lang(lang)
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
        self.integer = self.metric in style.INTEGER_METRICS
        legend = style.build_legend(self.values[mask], self.metric, lang=self.lang,
                                    integer=self.integer, edges=edges)
        self.style_legend = legend
        self.class_of = np.full(len(self.cov), -1)
        self.class_of[mask] = legend.class_of
        #: (swatch, lo, hi, count) of each non-empty class: the colours as seen.
        self.legend = [(c.swatch, c.lo, c.hi, c.count) for c in legend.classes]
        rendered = [style.rendered_color(c) for c in legend.colors]
        no_data = style.rendered_color(style.NO_DATA_COLOR)
        self.fills = [style.UNSELECTED_FILL if not s else (rendered[c] if c >= 0 else no_data)
                      for s, c in zip(mask, self.class_of)]
        self.marking = (marking or "").strip() or None
        self.made = made or dt.date.today()
        self.as_of = cov.attrs.get("roster_as_of")
        self.province = str(cov.attrs.get("province")
                            or (self.cov["province"].iloc[0] if "province" in self.cov else ""))
        self.vintage = str(cov.attrs.get("vintage", ""))
        self.has_districts = bool("district" in self.cov
                                  and (self.cov["district"].fillna("") != "").any())
        text = BriefText(self.lang)
        self.title = (title or "").strip() or text["title"].format(province=self.province)
        self.filters = filter_description(self.country, self.lang, filters_desc.strip())
        self.subtitle = subtitle or text["subtitle"].format(
            metric=metric_label(self.metric, self.lang), vintage=self.vintage or "?",
            n=int(mask.sum()), total=len(self.cov))
        self.notes = style.provenance_notes(cov, lang=self.lang)

    @property
    def text(self) -> BriefText:
        """The briefing's strings in its language."""
        return BriefText(self.lang)

    @property
    def table(self) -> pd.DataFrame:
        """The selected communes, in code order."""
        return self.cov.loc[self.selected].sort_values("code")

    def dates_line(self) -> str:
        """Return "made …  ·  data as of …"."""
        text = self.text
        as_of = (text["as_of"].format(date=date_text(self.as_of, self.lang)) if self.as_of
                 else text["as_of_none"])
        return f"{text['made'].format(date=date_text(self.made, self.lang))}  ·  {as_of}"


# --------------------------------------------------------------------------- figures and tables

def key_figures(brief: Briefing) -> list[str]:
    """Return the key figures printed beside the map: selection, province, published."""
    from geo.coverage import province_totals

    text = brief.text
    sel = brief.cov.loc[brief.selected]
    out = [text["fig_selected"].format(n=len(sel))]
    for key, col in (("fig_police", "total_police"), ("fig_reinf", "reinforcements"),
                     ("fig_gap", "staffing_gap")):
        if col in sel:
            out.append(text[key].format(n=int(sel[col].sum())))
    needed = {"chiefs", "deputies", "officers", "reinforcements", "total_police",
              "staffing_gap", "border_km_lao", "border_km_chn"}
    if needed <= set(brief.cov.columns):
        tot = province_totals(brief.cov)
        out.append(text["fig_province"].format(**tot))
        if is_dien_bien(brief.cov):
            out.append(text["fig_published"].format(**PUBLISHED))
    return out


@dataclass(frozen=True)
class Column:
    """A table column: title, width (page fraction), numeric (right-aligned)."""

    key: str
    title: str
    width: float
    numeric: bool = False


def table_columns(lang: str, *, with_district: bool = True, carried: bool = False
                  ) -> list[Column]:
    """Return the columns of the commune table, with titles in ``lang``.

    Without districts (the 2025 map) the district column is left out and its
    width goes to the name and border columns. With ``carried`` (a 2020 roster
    on the 2025 map) the count headers end in "(2020)": posts held by the former
    communes before the merger, not the unit's own.
    """
    text = BriefText(lang)
    count_title = (lambda key: f"{text[key]} (2020)") if carried else (lambda key: text[key])
    name_w, border_w = (0.150, 0.190) if with_district else (0.240, 0.275)
    return [
        Column("code", text["code"], 0.050),
        Column("name", text["name"], name_w),
        *([Column("district", text["district"], 0.175)] if with_district else []),
        Column("border", text["border"], border_w),
        Column("chiefs", count_title("chiefs"), 0.060, True),
        Column("deputies", count_title("deputies"), 0.075, True),
        Column("officers", count_title("officers"), 0.080, True),
        Column("reinforcements", count_title("reinforcements"), 0.075, True),
        Column("total_police", count_title("total_police"), 0.050, True),
        Column("staffing_gap", count_title("staffing_gap"), 0.055, True),
    ]


def int_text(value) -> str:
    """A count as text; empty for a missing value."""
    return "" if pd.isna(value) else str(int(value))


def table_rows(brief: Briefing, *, with_district: bool | None = None
               ) -> list[tuple[str, list[str]]]:
    """Return ``(code, cells)`` for each selected commune, in code order."""
    with_district = brief.has_districts if with_district is None else with_district
    rows = []
    for _, r in brief.table.iterrows():
        cells = [str(r["code"]), str(r["name"])]
        if with_district:
            cells.append(str(r.get("district", "") or "—"))
        cells.append(border_text(r, brief.lang) or "—")
        cells += [int_text(r.get(c)) for c in COUNT_CELLS]
        rows.append((str(r["code"]), cells))
    return rows


def selection_sums(brief: Briefing) -> list[str]:
    """Return the sums of the count columns over the selection (the table's total row)."""
    sel = brief.cov.loc[brief.selected]
    return [int_text(sel[c].sum()) for c in COUNT_CELLS]


def _num(value: float | None, lang: str, decimals: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", " ").replace(".", ",")
    return text


def _signed(value: float, lang: str, decimals: int) -> str:
    text = _num(abs(value), lang, decimals)
    if round(value, decimals) == 0:
        return text
    return ("+" if value > 0 else "\u2212") + text


def totals_header(lang: str) -> list[str]:
    """Return the titles of the totals block's columns."""
    text = BriefText(lang)
    return [text[k] for k in ("item", "sel", "prov", "pub", "diff")]


def totals_rows(brief: Briefing) -> list[list[str]]:
    """Return the totals block: item, selected, province (data), published, difference."""
    from geo.coverage import province_totals

    text = brief.text
    cov = brief.cov
    sel = cov.loc[brief.selected]
    tot = province_totals(cov)
    published = is_dien_bien(cov)
    vintage_key = "communes_2025" if brief.vintage == "2025" else "communes_2020"
    spec = [
        ("r_communes", len(sel), tot["communes"], PUBLISHED.get(vintage_key), 0),
        ("r_chiefs", sel["chiefs"].sum(), tot["chiefs"], PUBLISHED.get("chiefs"), 0),
        ("r_deputies", sel["deputies"].sum(), tot["deputies"], PUBLISHED.get("deputies"), 0),
        ("r_officers", sel["officers"].sum(), tot["officers"], PUBLISHED.get("officers"), 0),
        ("r_reinforcements", sel["reinforcements"].sum(), tot["reinforcements"],
         PUBLISHED.get("reinforcements"), 0),
        ("r_total", sel["total_police"].sum(), tot["total_police"],
         sum(PUBLISHED[k] for k in ("chiefs", "deputies", "officers", "reinforcements")), 0),
        ("r_gap", sel["staffing_gap"].sum(), tot["staffing_gap"], None, 0),
        ("r_lao", sel["border_km_lao"].sum(), tot["border_km_lao"],
         PUBLISHED.get("border_km_lao"), 1),
        ("r_chn", sel["border_km_chn"].sum(), tot["border_km_chn"],
         PUBLISHED.get("border_km_chn"), 1),
    ]
    rows = []
    for key, s, p, pub, dec in spec:
        pub = pub if published else None
        diff = None if pub is None else float(p) - float(pub)
        diff_text = "—" if diff is None else _signed(diff, brief.lang, dec)
        rows.append([text[key], _num(float(s), brief.lang, dec), _num(float(p), brief.lang, dec),
                     _num(pub, brief.lang, dec) if pub is not None else "—", diff_text])
    return rows


def totals_notes(brief: Briefing) -> list[str]:
    """Return the notes under the totals: sources of the published figures, provenance."""
    text = brief.text
    notes = [text["km_note"]]
    if is_dien_bien(brief.cov):
        notes.insert(0, text["pub_source"])
    return notes + list(brief.notes)


__all__ = [
    "LANGUAGES", "BriefText", "Briefing", "Column", "border_text", "check_lang", "check_metric",
    "date_text", "filter_description", "int_text", "is_dien_bien", "key_figures",
    "legend_classes", "metric_label", "metric_values", "normalize_country", "select_communes",
    "selection_sums", "short_name", "table_columns", "table_rows", "totals_header",
    "totals_notes", "totals_rows",
]
