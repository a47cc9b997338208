"""Serve Leaflet and the folium plugins' JavaScript / CSS without the internet.

folium links Leaflet, its plugins and their stylesheets from public CDNs. The
PyPI package ``folium-offline`` (import name ``offlinefolium``) ships the text
of every one of those files, keyed by the CDN address folium uses; this module
reads them from the installed package (nothing is committed to the repository,
nothing is downloaded) and

* for the app, rewrites a map's ``default_js`` / ``default_css`` so each address
  points at a copy under ``static/`` that Streamlit serves itself
  (:func:`write_static_assets`, :func:`localize_map`);
* for a standalone HTML file, inlines every script and stylesheet
  (:func:`inline_map_html`), so the file opens with no network at all.

Leaflet images (layer switcher, measure icons) are embedded in the packaged CSS
as ``data:`` URIs. Assets a coverage map never uses (jQuery, Bootstrap, Font
Awesome, Glyphicons, awesome-markers) are dropped from offline maps
(:data:`UNUSED_ASSETS`).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import branca.element
import folium

from geo._errors import BorderMapError
from geo.settings import DEFAULT_STATIC_DIR, get_settings

log = logging.getLogger(__name__)

#: The installed package that holds the asset texts.
ASSET_PACKAGE = "offlinefolium"

#: Where Streamlit serves static files from (``server.enableStaticServing``):
#: ``static/`` beside ``app.py``, at ``/app/static/``. Generated, git-ignored. The
#: folder actually written is :attr:`geo.settings.Settings.static_dir` (this by default).
STATIC_DIR = DEFAULT_STATIC_DIR

#: URL path under which :data:`STATIC_DIR` is served.
STATIC_URL = "/app/static/bordermap"

#: folium resource names a coverage map never needs (no markers, icons, popovers).
UNUSED_ASSETS = frozenset({
    "jquery", "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
    "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css",
})

_REMOTE = re.compile(r"""<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""",
                     re.IGNORECASE)


@functools.lru_cache(maxsize=1)
def _packaged() -> dict[str, str]:
    try:
        from offlinefolium import elements  # about 0.5 s: the package embeds ~7 MB of text
    except ImportError as err:
        raise BorderMapError(
            f"the package providing offline map assets ({ASSET_PACKAGE!r}, PyPI name "
            f"'folium-offline') is not installed; run `pip install -r requirements.txt`"
        ) from err
    res = dict(getattr(elements, "_res", {}))
    if not res:
        raise BorderMapError(f"{ASSET_PACKAGE} holds no assets; reinstall folium-offline")
    log.info("offline assets: %d files available from %s", len(res), ASSET_PACKAGE)
    return res


def asset_urls() -> list[str]:
    """Return every CDN address the installed asset package can serve, sorted."""
    return sorted(_packaged())


def asset_text(url: str) -> str:
    """Return the text of the asset folium loads from ``url``.

    Raises
    ------
    BorderMapError
        If the installed package has no copy of ``url``.
    """
    res = _packaged()
    if url not in res:
        raise BorderMapError(
            f"no offline copy of {url}: the installed {ASSET_PACKAGE} does not ship it "
            f"(folium and folium-offline versions must match)")
    return res[url]


def local_name(url: str) -> str:
    """Return the file name under which ``url`` is stored locally (stable, unique).

    Examples
    --------
    >>> local_name("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")
    'leaflet-88d58c69.js'
    """
    base = url.rstrip("/").rsplit("/", 1)[-1] or "asset"
    base = re.sub(r"[^A-Za-z0-9._-]", "_", base)
    stem, dot, ext = base.rpartition(".")
    if not dot or ext not in ("js", "css"):
        stem, ext = base, ("css" if "css" in url.lower().rsplit("/", 1)[-1] else "js")
    digest = hashlib.sha1(url.encode()).hexdigest()[:8]
    return f"{stem}-{digest}.{ext}"


def _elements(root: branca.element.Element) -> Iterator[branca.element.Element]:
    yield root
    for child in list(getattr(root, "_children", {}).values()):
        yield from _elements(child)


def map_assets(m: folium.Map, *, prune: bool = True) -> tuple[list[tuple[str, str]],
                                                              list[tuple[str, str]]]:
    """Return the (name, url) scripts and stylesheets a map loads, in load order.

    Parameters
    ----------
    m : folium.Map
        The map (any element tree).
    prune : bool
        Leave out :data:`UNUSED_ASSETS`.
    """
    js: dict[str, str] = {}
    css: dict[str, str] = {}
    for elem in _elements(m):
        for name, url in getattr(elem, "default_js", []):
            if not (prune and name in UNUSED_ASSETS):
                js.setdefault(name, url)
        for name, url in getattr(elem, "default_css", []):
            if not (prune and name in UNUSED_ASSETS):
                css.setdefault(name, url)
    return list(js.items()), list(css.items())


def write_static_assets(urls: list[str] | None = None, *, static_dir: Path | None = None
                        ) -> dict[str, Path]:
    """Copy packaged assets into ``static_dir`` (only files that changed are written).

    A ``.gitignore`` holding ``*`` is written at the top of the ``static/`` folder,
    so the generated copies are never committed.

    Parameters
    ----------
    urls : list of str, optional
        CDN addresses to copy; default every address the package ships.
    static_dir : path, optional
        Target folder; default :attr:`geo.settings.Settings.static_dir`
        (``BORDERMAP_STATIC_DIR``, else ``static/bordermap`` beside ``app.py``).

    Returns
    -------
    dict
        CDN address → local file written.
    """
    urls = asset_urls() if urls is None else list(urls)
    static_dir = Path(static_dir) if static_dir is not None else get_settings().static_dir
    static_dir.mkdir(parents=True, exist_ok=True)
    ignore = static_dir.parent / ".gitignore"
    if static_dir.parent.name == "static" and not ignore.exists():
        ignore.write_text("# generated by geo/offline_assets.py at start-up\n*\n",
                          encoding="utf-8")
    written: dict[str, Path] = {}
    changed = 0
    for url in urls:
        data = asset_text(url).encode("utf-8")
        path = static_dir / local_name(url)
        if not path.exists() or path.stat().st_size != len(data) or path.read_bytes() != data:
            path.write_bytes(data)
            changed += 1
        written[url] = path
    log.info("offline assets: %d files in %s (%d written)", len(written), static_dir, changed)
    return written


def localize_map(m: folium.Map, *, base_url: str = STATIC_URL, prune: bool = True
                 ) -> folium.Map:
    """Point every script and stylesheet of ``m`` at local copies under ``base_url``.

    The map is changed in place (each element gets its own ``default_js`` /
    ``default_css`` lists; folium's class-level lists are left alone) and
    returned, ready for ``st_folium``. The files must have been written with
    :func:`write_static_assets` and be served at ``base_url``.

    Raises
    ------
    BorderMapError
        If an asset the map needs has no offline copy.
    """
    base = base_url.rstrip("/")
    for elem in _elements(m):
        for attr in ("default_js", "default_css"):
            links = getattr(elem, attr, None)
            if not links:
                continue
            local = []
            for name, url in links:
                if prune and name in UNUSED_ASSETS:
                    continue
                if url.startswith(("http://", "https://", "//")):
                    asset_text(url)  # raises when there is no offline copy
                    url = f"{base}/{local_name(url)}"
                local.append((name, url))
            setattr(elem, attr, local)
    return m


def _script_text(text: str) -> str:
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


def _prune(m: folium.Map) -> set[str]:
    """Drop :data:`UNUSED_ASSETS` from every element of ``m``; return their addresses."""
    dropped: set[str] = set()
    for elem in _elements(m):
        for attr in ("default_js", "default_css"):
            links = getattr(elem, attr, None)
            if links:
                dropped |= {url for name, url in links if name in UNUSED_ASSETS}
                setattr(elem, attr, [(n, u) for n, u in links if n not in UNUSED_ASSETS])
    return dropped


_SCRIPT_TAG = re.compile(r"""<script\b[^>]*\bsrc\s*=\s*["']([^"']+)["'][^>]*>\s*</script>""",
                         re.IGNORECASE)
_LINK_TAG = re.compile(r"""<link\b[^>]*\bhref\s*=\s*["']([^"']+)["'][^>]*/?>""", re.IGNORECASE)
_ASSET_TAG = re.compile(f"{_SCRIPT_TAG.pattern}|{_LINK_TAG.pattern}", re.IGNORECASE)


def _source_url(url: str) -> str | None:
    """Map a CDN address, or a local copy's address, to the packaged asset's address."""
    if url in _packaged():
        return url
    return _by_local_name().get(url.rstrip("/").rsplit("/", 1)[-1])


@functools.lru_cache(maxsize=1)
def _by_local_name() -> dict[str, str]:
    return {local_name(url): url for url in _packaged()}


def inline_map_html(m: folium.Map, *, prune: bool = True) -> str:
    """Return the map as one standalone HTML page with every asset inlined.

    The page needs no network: Leaflet, plugins and stylesheets are embedded in
    ``<script>`` and ``<style>`` elements (tiles excepted, when the map has an
    online tile layer). Works on a map already passed through
    :func:`localize_map`. Used by the HTML export.

    Parameters
    ----------
    m : folium.Map
        The map; its asset lists are pruned in place when ``prune``.
    prune : bool
        Leave out :data:`UNUSED_ASSETS`.

    Returns
    -------
    str
        HTML with no ``<script src="http…">`` and no ``<link href="http…">``.

    Raises
    ------
    BorderMapError
        If an asset has no offline copy.
    """
    dropped = _prune(m) if prune else set()
    html_text = m.get_root().render()
    counts = {"js": 0, "css": 0}

    def script(match: re.Match) -> str:
        url = match.group(1)
        source = _source_url(url)
        if url in dropped or (source is not None and source in dropped):
            return ""
        if source is None:
            raise BorderMapError(f"no offline copy of script {url}")
        counts["js"] += 1
        return f"<script>{_script_text(asset_text(source))}</script>"

    def link(match: re.Match) -> str:
        tag, url = match.group(0), match.group(1)
        if "stylesheet" not in tag.lower():
            return tag
        source = _source_url(url)
        if url in dropped or (source is not None and source in dropped):
            return ""
        if source is None:
            raise BorderMapError(f"no offline copy of stylesheet {url}")
        counts["css"] += 1
        return f"<style>{asset_text(source)}</style>"

    def either(match: re.Match) -> str:  # one pass: inlined text is never re-scanned
        tag = match.group(0)
        inner = _SCRIPT_TAG.fullmatch(tag) or _LINK_TAG.fullmatch(tag)
        return script(inner) if tag[1:7].lower() == "script" else link(inner)

    html_text = _ASSET_TAG.sub(either, html_text)
    remote = remote_assets(html_text)
    if remote:
        raise BorderMapError(f"the inlined map still loads a remote asset: {remote[0]!r}")
    log.info("inline map html: %d scripts, %d stylesheets inlined, %d bytes", counts["js"],
             counts["css"], len(html_text))
    return html_text


def remote_assets(html: str) -> list[str]:
    """Return the remote (``http(s)://`` or ``//``) script/stylesheet tags in ``html``."""
    return [html[m.start():html.find(">", m.start()) + 1] for m in _REMOTE.finditer(html)]
