"""Shared Streamlit glue for the pages: session defaults, sidebar, cached loaders.

Everything expensive is cached on the data version: the roster store's
``version_token()`` and the boundaries file in use (path + modification time).
``st.cache_resource`` holds only the shared store connection and the one-off
copy of the offline map assets.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import streamlit as st

import edge
from geo import offline_assets, services
from geo._errors import BorderMapError
from geo.escape import escape_markdown
from geo.headline import headline_figures
from geo.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, message, t
from geo.maps import TILE_MODES, commune_features, default_tiles
from geo.reference import DIEN_BIEN_CODE
from geo.settings import DEFAULT_PROVINCE, DEFAULT_VINTAGE, VINTAGES, bordermap_home  # noqa: F401
from pages._session import (  # noqa: F401 (the pages' identity API, re-exported)
    _watch_session,
    audit_event,
    can,
    client_id,
    current_user,
    fatal,
    per_run,
    require,
    sign_out,
    start_session,
    user_name,
)

log = logging.getLogger(__name__)

#: The maps offered, the map in force (2025, the default) first.
VINTAGE_CHOICES = (DEFAULT_VINTAGE,) + tuple(v for v in VINTAGES if v != DEFAULT_VINTAGE)

#: Session-state defaults (set once per session; pages may run without app.py in tests).
DEFAULTS = {
    "lang": DEFAULT_LANGUAGE,
    "vintage": DEFAULT_VINTAGE,
    "roster_map": "native",
    "metric": "total_police",
    "selected_code": None,
    "role": None,
    "upload_nonce": 0,
    "flash": None,
}


def leave_pages_folder_mode() -> None:
    """Make sure the app runs through ``app.py``'s ``st.navigation``, never page by page.

    Streamlit runs the first script of a fresh server in its old multipage mode
    when a ``pages/`` folder sits beside the entry point: a visitor whose first
    URL is ``/border`` would get that page alone, with every file of ``pages/``
    listed as a page, until ``st.navigation`` runs once. Called first by every
    page and by ``app.py``: it switches that mode off and reruns, so the run goes
    through ``app.py`` (menu, sidebar, role) as usual. (Streamlit's AppTest resets
    the mode before every run, so under AppTest a click made through ``app.py`` is
    spent on the first, interrupted run: tests click on page scripts run directly.)
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - a Streamlit without the old mode
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


def ensure_defaults() -> None:
    """Put every missing session-state default in place (idempotent)."""
    leave_pages_folder_mode()
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value
    if "tiles" not in st.session_state:
        try:
            st.session_state["tiles"] = default_tiles()
        except BorderMapError as err:
            st.session_state["tiles"] = "offline"
            st.session_state["flash"] = ("error", str(err))


def lang() -> str:
    """Return the UI language of this session."""
    return st.session_state.get("lang", DEFAULT_LANGUAGE)


def tile_choices() -> list[str]:
    """Return the basemap choices: offline, OSM, and the configured intranet URL if any."""
    choices = list(TILE_MODES)
    try:
        configured = default_tiles()
    except BorderMapError:
        configured = "offline"
    if configured not in choices:
        choices.append(configured)
    return choices


def _tile_label(value: str, language: str) -> str:
    if value == "offline":
        return t("basemap_offline", language)
    if value == "osm":
        return t("basemap_osm", language)
    return f"{t('basemap_custom', language)} ({value.split('/')[2] if '//' in value else value})"


def widget_key(state: str) -> str:
    """Return the key of the widget that edits ``st.session_state[state]`` in this language."""
    return f"{state}__{lang()}"


def choice(kind: str, label: str, options, *, state: str, format_func, default=None,
           container=None, **kwargs):
    """Draw a selectbox, radio or multiselect whose value survives a language switch.

    Streamlit keeps a choice widget's value as its *displayed* label, so a label
    that changes with the language would lose the selection. The value lives in
    ``st.session_state[state]`` (the option itself, language-free); the widget's
    key carries the language (:func:`widget_key`), so switching language draws a
    new widget that starts from the stored value.

    Parameters
    ----------
    kind : {"selectbox", "radio", "multiselect"}
        The Streamlit widget.
    label : str
        The widget's label.
    options : sequence
        The choices (language-free values).
    state : str
        Session-state key holding the value.
    format_func : callable
        Label of an option in the current language.
    default : object, optional
        The value when ``state`` is not set yet (a list for a multiselect).
    container : optional
        Where to draw the widget (``st``, ``st.sidebar``, a column); default ``st``.
    **kwargs
        Passed on to the widget.

    Returns
    -------
    object
        The chosen value (a list for a multiselect).
    """
    options = list(options)
    if state not in st.session_state:
        st.session_state[state] = default
    value = st.session_state[state]
    if kind == "multiselect":
        kwargs["default"] = [v for v in (value or []) if v in options]
    else:
        kwargs["index"] = options.index(value) if value in options else 0
    widget = getattr(container or st, kind)
    result = widget(label, options, key=widget_key(state), format_func=format_func, **kwargs)
    st.session_state[state] = result
    return result


def sidebar() -> None:
    """Draw the sidebar controls shared by every page: language, basemap, administrative map.

    A signed-in user also sees who they are and a sign-out button.
    """
    user = current_user()
    if user is not None:
        st.sidebar.markdown(t("signed_in_as", lang(), user=escape_markdown(user.username),
                              role=t(f"role_{user.role}", lang())))
        if st.sidebar.button(t("signout", lang()), key="signout"):
            sign_out()
        if edge.is_serving():
            with st.sidebar:
                _watch_session(user.role, user.must_change_password)
    st.sidebar.radio(t("language", lang()), LANGUAGES, key="lang",
                     format_func=LANGUAGE_NAMES.get, horizontal=True)
    language = lang()  # labels are bound to this run's language (format_func must be pure)
    choice("selectbox", t("basemap", language), tile_choices(), state="tiles",
           format_func=lambda v: _tile_label(v, language), container=st.sidebar)
    choice("radio", t("vintage", language), VINTAGE_CHOICES, state="vintage",
           format_func=lambda v: t(f"vintage_{v}", language), container=st.sidebar)
    if user is not None and not user.must_change_password:
        vintage = st.session_state.get("vintage", DEFAULT_VINTAGE)
        choices = province_choices(vintage)
        if choices:
            choice("selectbox", t("province", language), choices, state=f"province_{vintage}",
                   default=province(vintage), container=st.sidebar,
                   format_func=lambda c: province_label(c, vintage))
    if st.session_state.get("vintage") == "2025":
        choice("radio", t("roster_map", language), ("native", "2020"), state="roster_map",
               format_func=lambda v: t(f"roster_map_{v}", language), container=st.sidebar)


def flash() -> None:
    """Show (once) a message left by the previous run, e.g. after an import."""
    left = st.session_state.get("flash")
    if left:
        kind, text = left
        {"success": st.success, "error": st.error, "info": st.info}.get(kind, st.info)(text)
        st.session_state["flash"] = None


def export_control(cov: gpd.GeoDataFrame, *, metric: str, country: str = "all",
                   codes: list[str] | None = None, key: str) -> None:
    """Draw the briefing export control: the same files as ``python -m geo export``.

    ``cov`` is the whole province's coverage; ``country`` and ``codes`` are the
    page's filters, so the briefing shows what the page shows.
    """
    import tempfile

    if not can("export"):
        return
    language = lang()
    with st.expander(t("export_title", language)):
        c1, c2, c3 = st.columns([1, 2, 2])
        fmt = c1.selectbox(t("export_format", language), ("pdf", "png", "html"),
                           key=f"{key}_fmt", format_func=str.upper)
        marking = c2.text_input(t("export_marking", language), key=f"{key}_marking",
                                max_chars=40)
        title = c3.text_input(t("export_title_field", language), key=f"{key}_title",
                              max_chars=120)
        if st.button(t("export_prepare", language), key=f"{key}_go"):
            require("export")
            name = f"briefing_{cov.attrs.get('vintage', '')}_{country}_{metric}.{fmt}"
            try:
                with tempfile.TemporaryDirectory() as tmp:
                    path = services.write_briefing(
                        cov, fmt=fmt, out=Path(tmp) / name, metric=metric, actor=actor(),
                        country=country, codes=codes, title=title or None,
                        marking=marking or None, lang=language)
                    data = path.read_bytes()
            except BorderMapError as err:
                st.error(t("error", language, message=escape_markdown(message(err, language))))
                return
            st.session_state[f"{key}_file"] = (name, data)
        if st.button(t("export_atlas", language), key=f"{key}_atlas"):
            require("export")
            name = f"atlas_{cov.attrs.get('vintage', '')}_{metric}.pdf"
            try:
                with tempfile.TemporaryDirectory() as tmp:
                    data = services.write_briefing(
                        cov, fmt="atlas", out=Path(tmp) / name, metric=metric, actor=actor(),
                        title=title or None, marking=marking or None, lang=language,
                        progress=progress_bar(t("export_atlas", language))).read_bytes()
            except BorderMapError as err:
                st.error(t("error", language, message=escape_markdown(message(err, language))))
                return
            st.session_state[f"{key}_file"] = (name, data)
        ready = st.session_state.get(f"{key}_file")
        if ready:
            mime = {"pdf": "application/pdf", "png": "image/png", "html": "text/html"}
            st.download_button(t("export_download", language, name=escape_markdown(ready[0])),
                               ready[1],
                               file_name=ready[0], key=f"{key}_dl",
                               mime=mime[ready[0].rsplit(".", 1)[-1]])


def progress_bar(title: str):
    """Return a ``progress(i, n, what)`` callback that moves a progress bar (long exports)."""
    bar = st.progress(0.0, text=escape_markdown(title))
    language = lang()

    def update(i: int, n: int, what: str) -> None:
        bar.progress(min(1.0, max(0.0, i / max(n, 1))),
                     text=escape_markdown(t("export_step", language, i=i, n=n, what=what)))
    return update


# --------------------------------------------------------------------------- data versions

@st.cache_resource(show_spinner=False)
def _store(home: str):
    return services.roster_store(Path(home))


@st.cache_resource(show_spinner=False)
def _norm_store(home: str, url: str | None):
    # opened once per home and database (each read opens its own connection)
    del url  # cache-key part only: services.norm_store reads it again
    return services.norm_store(Path(home))


def store():
    """Return the roster store of this ``BORDERMAP_HOME`` (one shared connection object)."""
    return _store(str(bordermap_home()))


def scoped_store():
    """Return the roster store narrowed to the signed-in user's scope (PostGIS: in the database)."""
    return services.scoped_store(store(), actor())


def actor() -> services.Actor:
    """Return who is acting in this session: name, address and province scope.

    Built from the account as it is now (re-read on every rerun), never from
    anything the browser sent: every service the page calls checks the scope.
    """
    return services.actor_for_user(current_user(), client=client_id())


# --------------------------------------------------------------------------- provinces

def province_choices(vintage: str) -> list[str]:
    """Return the province codes the signed-in user may pick on a map (border ones first).

    Worked out once per run (:func:`pages._session.per_run`): a page asks for its
    province, and so for these, a dozen times in one run.
    """
    return list(per_run(("province_choices", vintage),
                        lambda: services.province_choices(actor(), vintage)))


def province_label(code: str, vintage: str) -> str:
    """Return a province's name for the picker ("Điện Biên")."""
    from geo.registry import province_name

    name = province_name(code, vintage=vintage)
    return name.removeprefix("Tỉnh ")


def province(vintage: str | None = None) -> str:
    """Return the province code the session shows on ``vintage``'s map.

    The sidebar's picker (only provinces in the user's scope) keeps it in
    ``st.session_state["province_<vintage>"]``; before anything was picked,
    Điện Biên when in scope, else the province picked on the other map, else
    the first in scope. Whatever the session state says, the services refuse a
    province outside the scope (:mod:`geo.scope`): the page then shows the refusal.
    """
    vintage = vintage or st.session_state.get("vintage", DEFAULT_VINTAGE)
    picked = st.session_state.get(f"province_{vintage}")
    if picked:
        return str(picked)
    choices = province_choices(vintage)
    if not choices:
        st.error(t("no_province_in_scope", lang()))
        st.stop()
    other = st.session_state.get(f"province_{'2020' if vintage == '2025' else '2025'}")
    derived = services.same_province(other, vintage) if other else []
    for code in (DIEN_BIEN_CODE, *derived):
        if code in choices:
            return code
    return choices[0]


def current_boundaries(vintage: str) -> Path | None:
    """Return the accepted official boundaries file for ``vintage``, or None (embedded layer).

    Looked up once per run (:func:`pages._session.per_run`), with the scope check.
    """
    code = province(vintage)
    return per_run(("current_boundaries", vintage, code),
                   lambda: services.current_boundaries(code, vintage=vintage, actor=actor()))


def check_scope(vintage: str, *, action: str = "view") -> str:
    """Return the session's province on ``vintage``'s map, or stop the page if out of scope.

    Called on every rerun, before any cached data is handed out (a cache keyed by
    province must not serve a province to a user outside it).
    """
    code = province(vintage)
    try:
        services.check_access(actor(), code, vintage=vintage, action=action)
    except BorderMapError as err:
        st.error(t("access_denied", lang(), message=escape_markdown(message(err, lang()))))
        st.stop()
    return code


def data_version(vintage: str) -> tuple[str, str, float]:
    """Return the cache key of the data: roster, border-list and norms tokens, boundaries path,
    mtime.

    Read once per run (:func:`pages._session.per_run`): every rerun reads the stores again.
    """
    code = province(vintage)
    return per_run(("data_version", vintage, code), lambda: _data_version(vintage))


def _data_version(vintage: str) -> tuple[str, str, float]:
    try:
        token = services.roster_token(store(), province(vintage), vintage)
    except BorderMapError as err:
        log.warning("roster store unavailable: %s", err)
        token = "no-store"
    try:
        token += "|" + services.border_list_token()
    except BorderMapError as err:
        log.warning("border-list store unavailable: %s", err)
    try:  # norms stored by another process (the CLI, another app host) change the figures
        from geo.stores._backend import shared_url

        token += "|" + _norm_store(str(bordermap_home()), shared_url()).version_token()
    except BorderMapError as err:
        log.warning("norm store unavailable: %s", err)
    try:
        path = current_boundaries(vintage)
    except BorderMapError as err:
        log.warning("boundary store unavailable: %s", err)
        path = None
    return token, str(path or ""), (path.stat().st_mtime if path else 0.0)


def _home_key(token: str, path: str) -> str:
    """The ``BORDERMAP_HOME`` part of the coverage cache key.

    Empty when the stores hold nothing (no roster of the province, no border list, the
    committed norms, no accepted boundary file): the frame is then the defaults (sample
    rosters, computed border flags), the same for every home, so one entry serves all.
    """
    parts = token.split("|")
    rosters, border_list, norms = parts[:-2], *(parts[-2:] if len(parts) >= 3 else ("?", "?"))
    defaults = (bool(rosters) and all(r.startswith("empty:") for r in rosters)
                and border_list == "" and norms == "norms:0" and not path)
    return "" if defaults else str(bordermap_home())


@st.cache_data(show_spinner=False, max_entries=16)
def _coverage(province_code: str, vintage: str, boundaries: str, mtime: float, token: str,
              home: str, roster_vintage: str | None = None,
              _actor: services.Actor | None = None, _home: str = "") -> gpd.GeoDataFrame:
    del mtime, token  # cache-key parts only
    return services.load_coverage(province_code, vintage=vintage, roster_vintage=roster_vintage,
                                  boundaries=boundaries or None, store=_store(_home or home),
                                  actor=_actor)


@st.cache_data(show_spinner=False, max_entries=16)
def _features(province_code: str, vintage: str, boundaries: str, mtime: float, token: str,
              home: str, roster_vintage: str | None = None,
              _actor: services.Actor | None = None, _home: str = "") -> dict:
    return commune_features(_coverage(province_code, vintage, boundaries, mtime, token, home,
                                      roster_vintage, _actor=_actor, _home=_home))


def data_key(vintage: str | None = None) -> tuple:
    """Return what the session's coverage frame depends on: a cache key for maps built on it.

    The data version (:func:`data_version`), the map, the roster map and the province.
    """
    vintage = vintage or st.session_state.get("vintage", DEFAULT_VINTAGE)
    return (*data_version(vintage), vintage, roster_vintage(vintage), province(vintage))


def roster_vintage(vintage: str) -> str | None:
    """Return the roster map the session asks for on ``vintage`` (None: the map's own)."""
    if vintage == "2025" and st.session_state.get("roster_map") == "2020":
        return "2020"
    return None


def coverage(vintage: str | None = None) -> gpd.GeoDataFrame:
    """Return the coverage frame of the session's map (cached on the data version).

    Stops the page with a clear message when the data cannot be loaded.
    """
    vintage = vintage or st.session_state.get("vintage", DEFAULT_VINTAGE)
    code = check_scope(vintage)
    token, path, mtime = data_version(vintage)
    try:
        return _coverage(code, vintage, path, mtime, token, _home_key(token, path),
                         roster_vintage(vintage), _actor=actor(), _home=str(bordermap_home()))
    except BorderMapError as err:
        st.error(t("error", lang(), message=escape_markdown(message(err, lang()))))
        st.stop()
        raise  # st.stop() raises; this keeps type checkers quiet


def features(vintage: str | None = None) -> dict:
    """Return the display GeoJSON of the communes (cached on the data version)."""
    vintage = vintage or st.session_state.get("vintage", DEFAULT_VINTAGE)
    code = check_scope(vintage)
    token, path, mtime = data_version(vintage)
    return _features(code, vintage, path, mtime, token, _home_key(token, path),
                     roster_vintage(vintage), _actor=actor(), _home=str(bordermap_home()))


@st.cache_data(show_spinner=False, max_entries=64)
def _headline(key: tuple, home: str, vintage: str, language: str,
              _cov: gpd.GeoDataFrame) -> list:
    del key, home  # cache-key parts only: the frame's data version, province and home
    return headline_figures(_cov, vintage=vintage, lang=language)


def headline(cov: gpd.GeoDataFrame, vintage: str, language: str) -> list:
    """Return the province's headline figures (:func:`geo.headline.headline_figures`).

    Cached on what the coverage frame depends on (:func:`data_key`): ``cov`` must be
    this run's frame of the session's province on ``vintage``'s map (:func:`coverage`,
    which checked the scope first).
    """
    key = data_key(vintage)
    return _headline(key, _home_key(key[0], key[1]), vintage, language, _cov=cov)


def subset_features(all_features: dict, codes: set[str]) -> dict:
    """Return the display features of ``codes`` only (a new collection)."""
    return {"type": "FeatureCollection",
            "features": [f for f in all_features["features"] if f["id"] in codes]}


def provenance(cov: gpd.GeoDataFrame) -> None:
    """Show the provenance notices that apply, compactly (the map stays on the first screen).

    Approximate boundaries, sample data and carried-over posts share one warning box
    (one line each); the details (roster version, boundary file, source of the border
    flags) share one caption.
    """
    from geo.style import provenance_notices

    path = current_boundaries((cov.attrs or {}).get("vintage", DEFAULT_VINTAGE))
    notices = provenance_notices(cov, lang=lang(), details=True,
                                 boundary_source=path.name if path else None)
    warn = [n.text for n in notices if n.kind in ("approximate", "sample", "carried_over")]
    rest = [n.text for n in notices if n.kind not in ("approximate", "sample", "carried_over")]
    if warn:
        st.warning("  \n".join(escape_markdown(text) for text in warn), icon="⚠️")
    if rest:
        st.caption(" · ".join(escape_markdown(text) for text in rest))


# --------------------------------------------------------------------------- offline assets

@st.cache_resource(show_spinner=False)
def _static_assets() -> int:
    return len(offline_assets.write_static_assets())


def asset_base_url() -> str:
    """Return the URL path the offline assets are served from (honours server.baseUrlPath)."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}{offline_assets.STATIC_URL}" if base else offline_assets.STATIC_URL


def prepare_map(m):
    """Point the map's scripts and stylesheets at the app's own copies (offline first)."""
    _static_assets()
    return offline_assets.localize_map(m, base_url=asset_base_url())


#: Less empty space above a page's title: the map starts on a laptop's first screen (1366×768).
COMPACT_TOP_CSS = ('<style>[data-testid="stMainBlockContainer"]'
                   '{padding-top: 2.2rem;}</style>')


def start_view_page(title_key: str, *, show_flash: bool = True) -> tuple[str, str]:
    """Open a page that shows data: defaults, the ``view`` right, the message left by
    the previous run (``show_flash``), the compact top and the title.

    Returns the session's language and map.
    """
    ensure_defaults()
    require("view")
    language = lang()
    vintage = st.session_state["vintage"]
    if show_flash:
        flash()
    compact_top()
    st.title(t(title_key, language))
    return language, vintage


def compact_top() -> None:
    """Shrink the space Streamlit leaves above the page (a style-only element, takes no room)."""
    st.html(COMPACT_TOP_CSS)


# Run as a page by Streamlit's old multipage mode (URL /common on a fresh server): leave it.
if __name__ == "__main__":
    leave_pages_folder_mode()
