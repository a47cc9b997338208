"""Commanders' page: the coverage map, province totals beside the published figures."""

from __future__ import annotations

import streamlit as st

from geo.coverage import METRICS
from geo.i18n import metric_label, t
from geo.maps import build_coverage_map, selection_layer
from geo.tables import commune_record
from pages import _common as common
from pages._mapcache import cached_folium

MAP_KEY = "coverage_map"
#: Row height of the record panel (px): every field fits beside the map without scrolling.
RECORD_ROW_PX = 21
#: Height of the grid's header row (px, fixed by Streamlit's data grid).
RECORD_HEADER_PX = 35
#: Width of the record's field-name column (px): the longest name shows in full.
RECORD_FIELD_PX = 150

lang, vintage = common.start_view_page("map_title")

cov = common.coverage(vintage)
common.provenance(cov)

# the click of the previous interaction is in session state before the map is drawn
clicked = (st.session_state.get(MAP_KEY) or {}).get("last_active_drawing") or {}
code = (clicked.get("properties") or {}).get("code")
if code in set(cov["code"]):
    st.session_state["selected_code"] = code
selected = st.session_state.get("selected_code")
if selected not in set(cov["code"]):
    selected = None

left, right = st.columns([2, 1], gap="small")
# the metric choice goes with the basemap in the sidebar: the map and the whole record
# fit on a laptop's first screen
metric = common.choice("selectbox", t("metric", lang), METRICS, state="metric",
                       format_func=lambda k: metric_label(k, lang), container=st.sidebar)
with left:
    tiles = st.session_state["tiles"]
    # rendered once per data version, map, metric, language and basemap (pages/_mapcache.py)
    cached_folium(lambda: common.prepare_map(build_coverage_map(
                      cov, metric=metric, lang=lang, tiles=tiles,
                      features=common.features(vintage), labels=True)),
                  cache_key=("coverage", common.data_key(vintage), metric, lang, tiles,
                             common.asset_base_url()),
                  key=MAP_KEY, height=620, use_container_width=True,
                  returned_objects=["last_active_drawing"],
                  feature_group_to_add=selection_layer(cov, selected, lang=lang))
    if st.session_state["tiles"] != "offline":
        st.caption(t("tiles_online_note", lang))
with right:
    if selected:
        record = commune_record(cov, selected, lang=lang)
        st.dataframe(record, hide_index=True, width="stretch", row_height=RECORD_ROW_PX,
                     height=RECORD_HEADER_PX + RECORD_ROW_PX * len(record) + 3,
                     column_config={record.columns[0]: st.column_config.TextColumn(
                         width=RECORD_FIELD_PX)})
    else:
        st.info(t("click_hint", lang))

st.subheader(t("province_totals", lang))
figures = common.headline(cov, vintage, lang)
for col, fig in zip(st.columns(len(figures)), figures):
    col.metric(fig.label, fig.value)
    col.caption(fig.caption)
st.caption(t("published_caption", lang))

common.export_control(cov, metric=metric, key="map_export")
