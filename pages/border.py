"""Planners' page: filter the communes; the map, the district chart and the table are linked.

Selecting a district (a bar of the chart, or a commune on the map) outlines its
communes on the map, darkens its bar and narrows the table to it; selecting
table rows outlines those communes and darkens their districts' bars. The map
keeps the communes the filters left out, greyed, around the selection.
"""

from __future__ import annotations

import streamlit as st

from geo.coverage import METRICS
from geo.district_summary import (
    chart_height,
    chart_metric,
    chart_selection,
    district_chart,
    district_of,
    district_summary,
    selected_text,
    selection_key,
)
from geo.i18n import belt_label, metric_label, t
from geo.map_context import highlight_group
from geo.maps import build_coverage_map
from geo.tables import (
    BELTS,
    BORDER_FILTERS,
    coverage_table,
    describe_filters,
    deferred_downloads,
    filter_coverage,
)
from pages import _common as common
from pages._mapcache import cached_folium

MAP_KEY = "border_map"
CHART_KEY = "district_chart"
LINKED = "linked_district"

lang, vintage = common.start_view_page("border_title", show_flash=False)

cov = common.coverage(vintage)
common.provenance(cov)

c1, c2, c3, c4 = st.columns([1.2, 1.4, 1.6, 1.2])
border = common.choice("selectbox", t("filter_border", lang), BORDER_FILTERS, state="f_border",
                       default="any", container=c1, format_func=lambda v: t(f"border_{v}", lang))
belts = common.choice("multiselect", t("filter_belt", lang), BELTS, state="f_belts",
                      default=list(BELTS), container=c2, format_func=lambda v: belt_label(v, lang),
                      placeholder=t("choose", lang))
district_names = sorted(d for d in cov["district"].dropna().unique() if d)
if district_names:
    districts = common.choice("multiselect", t("filter_district", lang), district_names,
                              state="f_districts", default=[], container=c3, format_func=str,
                              placeholder=t("choose", lang))
else:
    c3.caption(t("filter_district_2025", lang))
    districts = []
metric = common.choice("selectbox", t("metric", lang), METRICS, state="border_metric",
                       default="staffing_gap", container=c4,
                       format_func=lambda k: metric_label(k, lang))
c5, c6, c7 = st.columns([1.2, 1.2, 2.2])
gap_only = c5.checkbox(t("filter_gap", lang), key="f_gap")
reinforced_only = c6.checkbox(t("filter_reinforced", lang), key="f_reinforced")

filtered = filter_coverage(cov, border=border, belts=belts, districts=districts or None,
                           gap_only=gap_only, reinforced_only=reinforced_only)
c7.markdown(f"**{t('rows_shown', lang, count=len(filtered))}**")


def _pick_from_chart() -> None:
    st.session_state[LINKED] = chart_selection(st.session_state.get(CHART_KEY))


def _pick_from_map() -> None:
    drawing = (st.session_state.get(MAP_KEY) or {}).get("last_active_drawing") or {}
    picked = district_of(cov, (drawing.get("properties") or {}).get("code"))
    if picked:
        st.session_state[LINKED] = picked


def _clear_district() -> None:
    st.session_state[LINKED] = None


summary = district_summary(filtered)
linked = st.session_state.get(LINKED)
if linked not in set(summary["district"]):
    linked = st.session_state[LINKED] = None
rows = filtered if linked is None else filter_coverage(filtered, districts=[linked])
table = coverage_table(rows, lang=lang)
table_key = selection_key("border_table", rows["code"])
picked_rows = (((st.session_state.get(table_key) or {}).get("selection") or {}).get("rows")
               or [])
picked_codes = [str(rows["code"].iloc[i]) for i in picked_rows if 0 <= i < len(rows)]
marked_codes = list(rows["code"].astype(str)) if linked else []
marked_codes += [c for c in picked_codes if c not in marked_codes]
bar_districts = ({linked} if linked else set()) | {district_of(cov, c) for c in picked_codes}

features = common.features(vintage)
left, right = st.columns([1.45, 1], gap="medium")
with left:
    if filtered.empty:
        st.info(t("no_rows", lang))
    else:
        tiles = st.session_state["tiles"]
        # rendered once per data version, filtered communes, metric, language and basemap
        # (pages/_mapcache.py): picking rows or a district bar only redraws the highlight
        cached_folium(lambda: common.prepare_map(build_coverage_map(
                          filtered, metric=metric, lang=lang, tiles=tiles, features=features,
                          context=cov, labels=True)),
                      cache_key=("border", common.data_key(vintage), metric, lang, tiles,
                                 common.asset_base_url(), tuple(filtered["code"].astype(str))),
                      key=MAP_KEY, height=560, use_container_width=True,
                      returned_objects=["last_active_drawing"], on_change=_pick_from_map,
                      feature_group_to_add=highlight_group(features, marked_codes, lang=lang))
        if st.session_state["tiles"] != "offline":
            st.caption(t("tiles_online_note", lang))
with right:
    if len(summary):
        st.altair_chart(district_chart(summary, metric=chart_metric(metric),
                                       selected=sorted(d for d in bar_districts if d),
                                       lang=lang),
                        key=CHART_KEY, on_select=_pick_from_chart, width="stretch",
                        height=chart_height(len(summary)) + 60)
        if linked:
            s1, s2 = st.columns([2, 1])
            s1.markdown(selected_text(linked, len(rows), lang=lang))
            s2.button(t("district_clear", lang), key="district_clear", on_click=_clear_district)
        else:
            st.caption(t("district_chart_hint", lang))
    else:
        st.caption(t("district_none_2025", lang))
    st.dataframe(table, hide_index=True, width="stretch", height=300, row_height=28,
                 key=table_key, on_select="rerun", selection_mode="multi-row")

d1, d2, _ = st.columns([1, 1, 4])
stem = f"xa_bien_gioi_{vintage}_{border}"
official = common.current_boundaries(vintage)
csv_data, xlsx_data = deferred_downloads(
    filtered, lang=lang, store=common.scoped_store(), boundary_source=official.name if official else None,
    filters=describe_filters(border=border, belts=belts, districts=districts, gap_only=gap_only,
                             reinforced_only=reinforced_only, lang=lang))
d1.download_button(t("download_csv", lang), csv_data, file_name=f"{stem}.csv",
                   mime="text/csv", key="dl_csv", on_click=common.audit_event,
                   args=("download", f"csv {stem}.csv, {len(table)} rows"))
d2.download_button(t("download_xlsx", lang), xlsx_data, file_name=f"{stem}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   key="dl_xlsx", on_click=common.audit_event,
                   args=("download", f"xlsx {stem}.xlsx, {len(table)} rows"))
common.export_control(cov, metric=metric, country=border, codes=list(rows["code"]),
                      key="border_export")
