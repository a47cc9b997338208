"""Map context: hover details, the greyed rest of the province, highlights, tile warnings.

* :func:`with_hover` adds the tooltip fields (name, district, border status,
  headline figures) to the display features, each value HTML-escaped here;
  :func:`hover_tooltip` shows them.
* :func:`outside_layer` draws the communes a filter left out, greyed and not
  interactive, so a filtered map keeps the whole province around the selection.
* :func:`highlight_group` outlines a set of communes (a district chosen in the
  chart, rows chosen in the table).
* :class:`TileWarning` shows a warning on the map, in the chosen language, when
  an online basemap's tiles fail to load (no network): without it the map would
  stay a blank grey.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable

import folium
import pandas as pd
from branca.element import MacroElement
from folium.template import Template

from geo.i18n import country_label, t

log = logging.getLogger(__name__)

#: Tooltip fields, in order: property name → i18n key of its label.
HOVER_FIELDS = {
    "name": "col_name",
    "district": "col_district",
    "border": "col_border_countries",
    "total_police": "col_total_police",
    "ranks": "hover_ranks",
    "staffing_gap": "col_staffing_gap",
    "reinforcements": "col_reinforcements",
}

OUTSIDE_FILL = "#c8c8c8"
OUTSIDE_LINE = "#9a9a9a"
HIGHLIGHT_COLOR = "#00b8d4"


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _int(value: object) -> str:
    try:
        if pd.isna(value):
            return "–"
    except (TypeError, ValueError):
        pass
    try:
        return f"{int(round(float(value))):,}".replace(",", ".")
    except (TypeError, ValueError):
        return str(value)


def hover_properties(cov: pd.DataFrame, *, lang: str = "vi") -> dict[str, dict[str, str]]:
    """Return the tooltip values of each commune, by code, HTML-escaped.

    Parameters
    ----------
    cov : DataFrame or GeoDataFrame
        Coverage frame (``code``, ``name``, ``district``, ``border_countries`` and
        the roster figures; missing columns are shown empty).
    lang : {"vi", "en"}
        Language of the border status ("Lào; Trung Quốc" / "Laos; China").

    Returns
    -------
    dict
        ``code → {field: escaped text}`` for the fields of :data:`HOVER_FIELDS`
        (the district is left out when no commune has one, e.g. on the 2025 map).
    """
    def col(name: str) -> pd.Series:
        return cov[name] if name in cov else pd.Series([None] * len(cov), index=cov.index)

    out: dict[str, dict[str, str]] = {}
    for code, name, district, border, total, chiefs, deputies, officers, gap, reinf in zip(
            cov["code"].astype(str), col("name"), col("district"), col("border_countries"),
            col("total_police"), col("chiefs"), col("deputies"), col("officers"),
            col("staffing_gap"), col("reinforcements")):
        parts = [p for p in str(border or "").split(";") if p and p != "nan"]
        out[code] = {
            "name": _esc(name),
            "district": _esc("" if district is None or pd.isna(district) else district),
            "border": _esc("; ".join(country_label(p, lang) for p in parts)
                           if parts else t("hover_no_border", lang)),
            "total_police": _esc(_int(total)),
            "ranks": _esc(f"{_int(chiefs)} / {_int(deputies)} / {_int(officers)}"),
            "staffing_gap": _esc(_int(gap)),
            "reinforcements": _esc(_int(reinf)),
        }
    return out


def hover_fields(cov: pd.DataFrame) -> list[str]:
    """Return the tooltip fields that apply to ``cov`` (no district on the 2025 map)."""
    fields = list(HOVER_FIELDS)
    has_district = "district" in cov and (cov["district"].fillna("").astype(str) != "").any()
    return fields if has_district else [f for f in fields if f != "district"]


def with_hover(features: dict, cov: pd.DataFrame, *, lang: str = "vi") -> dict:
    """Return a copy of display ``features`` whose properties carry the tooltip values.

    Geometries are shared with ``features`` (not copied); features whose code is
    not in ``cov`` are left out.
    """
    props = hover_properties(cov, lang=lang)
    out = []
    for feature in features["features"]:
        extra = props.get(str(feature.get("id")))
        if extra is None:
            continue
        out.append({**feature, "properties": {**feature.get("properties", {}), **extra}})
    return {"type": "FeatureCollection", "features": out}


def hover_tooltip(cov: pd.DataFrame, *, lang: str = "vi") -> folium.GeoJsonTooltip:
    """Return the communes' tooltip: the fields of :func:`hover_fields`, labelled in ``lang``."""
    fields = hover_fields(cov)
    return folium.GeoJsonTooltip(
        fields=fields, aliases=[_esc(t(HOVER_FIELDS[f], lang)) for f in fields],
        labels=True, sticky=True, class_name="foliumtooltip bm-hover",
        style="font: 12px 'DejaVu Sans', Arial, sans-serif;")


def outside_features(features: dict, shown: Iterable[str]) -> dict:
    """Return the display features whose code is not in ``shown`` (a new collection)."""
    keep = {str(c) for c in shown}
    return {"type": "FeatureCollection",
            "features": [f for f in features["features"] if str(f.get("id")) not in keep]}


def outside_layer(features: dict, shown: Iterable[str], *, lang: str = "vi"
                  ) -> folium.GeoJson | None:
    """Return the communes outside the filter, greyed and not interactive (None if none).

    Parameters
    ----------
    features : dict
        Display features of the whole province (:func:`geo.maps.commune_features`).
    shown : iterable of str
        Codes of the communes the filter kept (drawn by the map's own layer).
    lang : {"vi", "en"}
        Language of the layer's name.
    """
    rest = outside_features(features, shown)
    if not rest["features"]:
        return None
    log.info("context layer: %d communes outside the filter, greyed", len(rest["features"]))
    return folium.GeoJson(
        rest, name=_esc(t("layer_outside", lang)),
        style_function=lambda _f: {"fillColor": OUTSIDE_FILL, "fillOpacity": 0.55,
                                   "color": OUTSIDE_LINE, "weight": 0.6},
        interactive=False,
    )


def highlight_group(features: dict, codes: Iterable[str], *, lang: str = "vi",
                    color: str = HIGHLIGHT_COLOR) -> folium.FeatureGroup:
    """Return a feature group outlining the communes ``codes`` (empty when none).

    Meant for ``st_folium(feature_group_to_add=...)``: a new selection updates
    the map without redrawing it.
    """
    group = folium.FeatureGroup(name=_esc(t("layer_highlight", lang)), control=False)
    wanted = {str(c) for c in codes}
    chosen = [f for f in features["features"] if str(f.get("id")) in wanted]
    if chosen:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": chosen},
            style_function=lambda _f: {"fill": False, "color": color, "weight": 3.5,
                                       "opacity": 1.0},
            interactive=False,
        ).add_to(group)
    return group


class TileWarning(MacroElement):
    """A hidden map control that appears when a tile layer fails to load (``tileerror``).

    The message is plain text (set with ``textContent``), in the chosen language.
    """

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
        .bordermap-tile-warning {display: none; background: #fff4e5; color: #7a3e00;
            border: 2px solid #e07b00; border-radius: 4px; padding: 6px 10px; max-width: 340px;
            font: bold 13px/1.35 "DejaVu Sans", Arial, sans-serif;
            box-shadow: 0 0 4px rgba(0,0,0,0.3);}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var box = L.control({position: "topleft"});
            box.onAdd = function () {
                var div = L.DomUtil.create("div", "bordermap-tile-warning");
                div.setAttribute("role", "alert");
                div.textContent = {{ this.message|tojson }};
                return div;
            };
            box.addTo(map);
            function show() { box.getContainer().style.display = "block"; }
            function watch(layer) {
                if (layer instanceof L.TileLayer && !layer._bmWatched) {
                    layer._bmWatched = true;
                    layer.on("tileerror", show);
                }
            }
            map.eachLayer(watch);
            map.on("layeradd", function (e) { watch(e.layer); });
            if (navigator.onLine === false) { show(); }
        })();
        {% endmacro %}
    """)

    def __init__(self, message: str) -> None:
        super().__init__()
        self._name = "TileWarning"
        self.message = message


class FocusWithoutScroll(MacroElement):
    """Let the map take the keyboard focus on a click without scrolling the page.

    Leaflet focuses its container on mousedown (for keyboard panning); inside an
    iframe that reaches below the window, the browser then scrolls the page to
    show the iframe, between the press and the release: the click lands
    elsewhere and selects nothing. ``focus({preventScroll: true})`` keeps the
    keyboard navigation and the page still.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var el = {{ this._parent.get_name() }}.getContainer();
            var focus = el.focus;
            el.focus = function () { return focus.call(el, {preventScroll: true}); };
        })();
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "FocusWithoutScroll"


def tile_warning(*, lang: str = "vi") -> TileWarning:
    """Return the control that warns, in ``lang``, when the online basemap cannot load."""
    return TileWarning(t("tiles_offline_warning", lang))
