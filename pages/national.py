"""National overview: the border provinces on one map, per province and per country; drill down.

One service call (:func:`geo.services.national_overview`, cached on the data
version, in the session cache and in ``BORDERMAP_HOME/cache`` shared by every app
process) gives the tables, the totals and the outlines; the drill-down loads one
province's communes (:func:`geo.services.load_coverage`). Maps are rendered once
per data version, metric and language (``pages/_mapcache.py``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import services
from geo._errors import BorderMapError
from geo.escape import escape_markdown
from geo.i18n import country_label, message, t
from geo.maps import build_coverage_map
from geo.national_map import build_national_map
from geo.national_summary import NATIONAL_METRICS
from geo.style import PALETTES, format_value, provenance_notices
from geo.tables import column_label, coverage_table
from pages import _common as common
from pages._mapcache import cached_folium

MAP_KEY = "national_map"
DRILL_MAP_KEY = "national_drill_map"
#: Province-table columns, in order.
PROVINCE_COLUMNS = ("province", "countries", "communes", "border_communes", "border_km",
                    "border_km_lao", "border_km_chn", "border_km_khm", "reinforcements",
                    "staffing_gap", "sample_roster")


@st.cache_data(show_spinner=False, max_entries=8)
def _communes(code: str, vintage: str, key: tuple, home: str, roster_vintage: str | None,
              _actor: services.Actor):
    del key, home  # cache-key parts only
    return services.load_coverage(code, vintage=vintage, roster_vintage=roster_vintage,
                                  store=common.store(), actor=_actor)


def _countries(text: str, language: str) -> str:
    return ", ".join(country_label(c, language) for c in str(text).split()) or "–"


lang, vintage = common.start_view_page("national_title")

actor = common.actor()
try:  # the provinces in the account's scope; read back from the summary cache when unchanged
    overview = services.national_overview("border", vintage=vintage, actor=actor,
                                          roster_vintage=common.roster_vintage(vintage),
                                          store=common.store())
except BorderMapError as err:
    st.error(t("error", lang, message=escape_markdown(message(err, lang))))
    st.stop()
table = overview.provinces
whole = services.visible_provinces(actor, vintage) is None  # a scoped account sees its own
if not whole:
    scope = t("national_scope_own", lang, n=len(table), vintage=vintage)
elif vintage == common.VINTAGE_CHOICES[0]:
    scope = t("national_scope_2025", lang, n=len(table))
else:
    scope = t("national_scope_2020", lang)
st.caption(escape_markdown(scope))

# provenance: approximate layer, sample rosters, computed border flags
warn = []
if overview.approximate:
    warn.append(t("approximate_note", lang))
if overview.sample_roster:
    warn.append(t("national_sample_rosters", lang, n=int(table["sample_roster"].sum()),
                  total=len(table)))
if warn:
    st.warning("  \n".join(escape_markdown(w) for w in warn), icon="⚠️")
st.caption(escape_markdown(t("national_computed_flags", lang)))

metric = common.choice("selectbox", t("national_metric", lang), NATIONAL_METRICS,
                       state="national_metric", default="border_km",
                       format_func=lambda k: t(f"nmetric_{k}", lang), container=st.sidebar)

codes = list(table["province_code"].astype(str))
clicked = (st.session_state.get(MAP_KEY) or {}).get("last_active_drawing") or {}
code = (clicked.get("properties") or {}).get("code")
if code in codes and code != st.session_state.get("national_clicked"):
    st.session_state["national_clicked"] = code  # a new click moves the drill-down:
    st.session_state["national_province"] = code  # the value, and the list's own state
    st.session_state[common.widget_key("national_province")] = code

left, right = st.columns([2, 1], gap="small")
tiles = st.session_state["tiles"]
with left:
    cached_folium(lambda: common.prepare_map(build_national_map(
                      overview.outlines, metric=metric, lang=lang, tiles=tiles)),
                  cache_key=("national", overview.key or common.data_key(vintage), vintage,
                             tuple(codes), metric, lang, tiles,
                             common.asset_base_url()),
                  key=MAP_KEY, height=470, use_container_width=True,
                  returned_objects=["last_active_drawing"])
with right:
    st.subheader(t("national_totals" if whole else "national_totals_own", lang))
    totals = overview.totals
    for name in NATIONAL_METRICS:
        value = format_value(totals[name], integer=name != "border_km", lang=lang)
        st.metric(t(f"nmetric_{name}", lang), value)
        if name == "reinforcements":
            st.caption(escape_markdown(
                t("national_published", lang, value=int(overview.published["reinforcements"]))
                + " · " + t("national_published_source", lang,
                            source=overview.published["source"])))
        elif name in ("border_communes", "border_km"):
            st.caption(t("national_computed", lang))

st.subheader(t("national_by_country", lang))
countries = overview.countries.assign(
    iso3=lambda f: f["iso3"].map(lambda c: country_label(c, lang)),
    border_km=lambda f: f["border_km"].round(1))
st.dataframe(countries.rename(columns={
    "iso3": t("col_country", lang), "provinces": t("col_provinces", lang),
    "border_communes": t("col_border_communes", lang), "border_km": t("col_border_km", lang),
    "reinforcements": t("col_reinforcements", lang),
    "staffing_gap": t("col_staffing_gap", lang)}), hide_index=True, width="stretch")
st.caption(t("national_by_country_note", lang))

st.subheader(t("national_by_province", lang))
shown = table[list(PROVINCE_COLUMNS)].copy()
shown["countries"] = shown["countries"].map(lambda c: _countries(c, lang))
shown["sample_roster"] = shown["sample_roster"].map(lambda v: t("yes" if v else "no", lang))
for col in ("border_km", "border_km_lao", "border_km_chn", "border_km_khm"):
    shown[col] = shown[col].astype(float).round(1)
st.dataframe(shown.rename(columns={c: column_label(c, lang) for c in PROVINCE_COLUMNS}),
             hide_index=True, width="stretch")

# briefing of the provinces shown (PDF; the same file as `python -m geo export --province …`)
if common.can("export"):
    with st.expander(t("national_export", lang)):
        every = st.checkbox(t("national_export_all", lang), key="national_export_all")
        if st.button(t("export_prepare", lang), key="national_export_go"):
            common.require("export")
            name = f"briefing_{vintage}_{len(codes)}_provinces.pdf"
            try:
                with tempfile.TemporaryDirectory() as tmp:
                    path, _ = services.export_briefing(
                        ",".join(codes), fmt="pdf", out=Path(tmp) / name, actor=actor,
                        metric=metric if metric in PALETTES else "border_km", vintage=vintage,
                        roster_vintage=common.roster_vintage(vintage), lang=lang,
                        all_communes=every,
                        progress=common.progress_bar(t("national_export", lang)))
                    data = path.read_bytes()
            except BorderMapError as err:
                st.error(t("error", lang, message=escape_markdown(message(err, lang))))
            else:
                st.session_state["national_export_file"] = (name, data)
        ready = st.session_state.get("national_export_file")
        if ready:
            st.download_button(t("export_download", lang, name=escape_markdown(ready[0])),
                               ready[1], file_name=ready[0], mime="application/pdf",
                               key="national_export_dl")

# drill-down: the communes of one province (a click on the map, or the list)
names = dict(zip(codes, table["province"].astype(str)))
chosen = common.choice("selectbox", t("national_drill", lang), [None, *codes],
                       state="national_province",
                       format_func=lambda c: "—" if c is None else names[c])
if chosen is None:
    st.info(t("national_drill_hint", lang))
    st.stop()
try:  # checked before any cache keyed by province is read (a forged choice is refused)
    services.check_access(actor, chosen, vintage=vintage)
    cov = _communes(chosen, vintage, common.data_key(vintage), str(common.bordermap_home()),
                    common.roster_vintage(vintage), actor)
except BorderMapError as err:
    st.error(t("error", lang, message=escape_markdown(message(err, lang))))
    st.stop()
st.subheader(t("national_communes_of", lang, province=escape_markdown(names[chosen])))
notices = provenance_notices(cov, lang=lang, details=True)
if notices:
    st.caption(" · ".join(escape_markdown(n.text) for n in notices))
commune_metric = metric if metric in PALETTES else "border_km"
cached_folium(lambda: common.prepare_map(build_coverage_map(
                  cov, metric=commune_metric, lang=lang, tiles=tiles)),
              cache_key=("drill", common.data_key(vintage), chosen, commune_metric, lang,
                         tiles, common.asset_base_url()),
              key=DRILL_MAP_KEY, height=460, use_container_width=True, returned_objects=[])
border_only = st.toggle(t("national_border_only", lang), value=True, key="national_border")
rows = cov[cov["is_border"].astype(bool)] if border_only and "is_border" in cov else cov
st.dataframe(coverage_table(pd.DataFrame(rows).drop(columns="geometry"), lang=lang),
             hide_index=True, width="stretch")
