"""Rendered-map cache for the pages: build a Folium map once per data version, show it cheaply.

``st_folium`` renders the whole map on every rerun (Jinja templates, the GeoJSON
serialised again, the script standardised and hashed): for the nationwide layer
that is most of a rerun. Here the rendered pieces that ``st_folium`` sends to its
frontend (script, header, html, asset links, bounds) are computed once per cache
key — the data version, the provinces, the map, the metric, the language and the
basemap — and kept in ``st.cache_data``; a rerun only sends them again. Because
the strings are identical from rerun to rerun and from session to session,
Streamlit's message cache can also answer a repeat with a reference instead of
the bytes.

The per-session part (the selected commune's outline) is rendered on its own,
on a throw-away map, as ``st_folium(feature_group_to_add=…)`` does.

This reaches into ``streamlit_folium``'s module functions (checked at import);
with a ``streamlit_folium`` that lacks them, :func:`show_map` falls back to
``st_folium`` on a freshly built map.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Iterable

import folium
import streamlit as st
import streamlit_folium as stf

log = logging.getLogger(__name__)

_PRIVATE = ("_component_func", "_get_html", "_get_header", "_get_map_string", "get_full_id",
            "generate_js_hash", "_get_feature_group_string")
#: True when this streamlit_folium has the functions the cache relies on.
SUPPORTED = all(hasattr(stf, name) for name in _PRIVATE)


@dataclass(frozen=True)
class RenderedMap:
    """What ``st_folium`` sends to its frontend for one map, rendered once.

    Attributes
    ----------
    script, header, html : str
        The map's Leaflet script (element ids standardised), header and body.
    map_id : str
        The id of the map element (``map_<id>``), replaced by ``map_div`` in the script.
    css_links, js_links : tuple of str
        The stylesheets and scripts the frontend loads first.
    bounds : dict
        The map's bounds in ``st_folium``'s return format.
    zoom : object
        The map's initial zoom option.
    """

    script: str
    header: str
    html: str
    map_id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    bounds: dict
    zoom: object

    @property
    def size(self) -> int:
        """Bytes of the strings sent to the browser (UTF-8)."""
        return sum(len(s.encode()) for s in (self.script, self.header, self.html))


def _walk(fig):
    import branca

    if isinstance(fig, branca.colormap.ColorMap):
        yield fig
    if isinstance(fig, folium.elements.JSCSSMixin):
        yield fig
    for child in getattr(fig, "_children", {}).values():
        yield from _walk(child)


def _bounds(m: folium.Map) -> dict:
    try:
        (s, w), (n, e) = m.get_bounds()
    except (AttributeError, TypeError, ValueError):
        s = w = n = e = None
    return {"_southWest": {"lat": s, "lng": w}, "_northEast": {"lat": n, "lng": e}}


def render_map(m: folium.Map, *, bounds: bool = True) -> RenderedMap:
    """Render ``m`` into the pieces ``st_folium`` sends (the work a cache saves).

    ``bounds=False`` skips computing the map's bounds (a walk over every
    coordinate), which only a caller asking for ``"bounds"`` back reads.
    """
    m.get_root().render()
    m.render()
    html = stf._get_html(m)
    header = stf._get_header(m)
    script = stf._get_map_string(m)
    css: list[str] = []
    js: list[str] = []
    import branca

    for elem in _walk(m):
        if isinstance(elem, branca.colormap.ColorMap):
            js[:0] = ["https://d3js.org/d3.v4.min.js",
                      "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js"]
        css.extend(href for _, href in getattr(elem, "default_css", []))
        js.extend(src for _, src in getattr(elem, "default_js", []))
    return RenderedMap(script=script, header=header, html=html, map_id=stf.get_full_id(m),
                       css_links=tuple(dict.fromkeys(css)), js_links=tuple(dict.fromkeys(js)),
                       bounds=_bounds(m) if bounds else {}, zoom=m.options.get("zoom"))


@st.cache_data(show_spinner=False, max_entries=48)
def _cached_render(key: tuple, bounds: bool, _build: Callable[[], folium.Map]) -> RenderedMap:
    del key  # the cache key: data version, provinces, map, metric, language, basemap
    return render_map(_build(), bounds=bounds)


def rendered_map(build: Callable[[], folium.Map], *, key: tuple,
                 bounds: bool = True) -> RenderedMap:
    """Return the rendered map for ``key``, building it with ``build()`` only on a miss.

    ``key`` must name everything the map depends on (data version, provinces, map
    vintage, metric, language, basemap); ``build`` is left out of the cache key.
    """
    return _cached_render(tuple(key), bool(bounds), build)


def _feature_groups(groups) -> str | None:
    if groups is None:
        return None
    if isinstance(groups, folium.FeatureGroup):
        groups = [groups]
    scratch = folium.Map(tiles=None)  # a throw-away parent: the cached map is never touched
    return "".join(stf._get_feature_group_string(g, map=scratch, idx=i)
                   for i, g in enumerate(groups))


def show_map(rendered: RenderedMap, *, key: str, height: int = 700,
             use_container_width: bool = True, width: int | None = None,
             returned_objects: Iterable[str] | None = None,
             feature_group_to_add=None, on_change: Callable | None = None) -> dict:
    """Draw a rendered map like ``st_folium`` does, without rendering it again.

    Parameters are those of :func:`streamlit_folium.st_folium`. Returns what the
    component returns (the fields in ``returned_objects``).
    """
    defaults = {"last_clicked": None, "last_object_clicked": None,
                "last_object_clicked_count": None, "last_object_clicked_tooltip": None,
                "last_object_clicked_popup": None, "all_drawings": None,
                "last_active_drawing": None, "bounds": rendered.bounds, "zoom": rendered.zoom,
                "last_circle_radius": None, "last_circle_polygon": None,
                "selected_layers": None, "selected_tags": None,
                "last_geocoder_result": None}
    returned = None if returned_objects is None else list(returned_objects)
    if returned is not None:
        defaults = {k: v for k, v in defaults.items() if k in returned}
    hash_key = stf.generate_js_hash(rendered.script, key, False)

    def _on_change():
        st.session_state[key] = st.session_state.get(hash_key, {})
        if on_change is not None:
            on_change()

    return stf._component_func(
        script=rendered.script, header=rendered.header, html=rendered.html, id=rendered.map_id,
        key=hash_key, height=height, width=None if use_container_width else width,
        returned_objects=returned, default=defaults, zoom=None, center=None,
        feature_group=_feature_groups(feature_group_to_add), return_on_hover=False,
        layer_control=None, pixelated=False, css_links=list(rendered.css_links),
        js_links=list(rendered.js_links), on_change=_on_change, wrap_longitude=False)


def cached_folium(build: Callable[[], folium.Map], *, cache_key: tuple, key: str,
                  **kwargs) -> dict:
    """Show the map ``build()`` returns, rendered once per ``cache_key`` (see module doc).

    Falls back to ``st_folium`` on a new map when ``streamlit_folium`` lacks the
    functions the cache needs.
    """
    if not SUPPORTED:  # pragma: no cover - another streamlit_folium
        width = kwargs.pop("width", None)
        return stf.st_folium(build(), key=key, width=width, **kwargs)
    returned = kwargs.get("returned_objects")
    bounds = returned is None or "bounds" in returned
    return show_map(rendered_map(build, key=cache_key, bounds=bounds), key=key, **kwargs)


# Run as a page by Streamlit's old multipage mode: leave it (see _common).
if __name__ == "__main__":
    from pages._common import leave_pages_folder_mode

    leave_pages_folder_mode()
