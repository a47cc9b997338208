"""Planners' page: filter the communes; the map, the table and the downloads follow."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo.coverage import METRICS
from geo.i18n import belt_label, metric_label, t
from geo.maps import build_coverage_map
from geo.tables import (
    BELTS,
    BORDER_FILTERS,
    coverage_table,
    describe_filters,
    download_files,
    filter_coverage,
)
from pages import _common as common

common.ensure_defaults()
common.require("view")
lang = common.lang()
vintage = st.session_state["vintage"]
st.title(t("border_title", lang))

cov = common.coverage(vintage)
common.provenance(cov)

st.subheader(t("filters", lang))
c1, c2, c3 = st.columns([1.3, 1.3, 2])
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
c4, c5, c6 = st.columns([1.3, 1.3, 2])
gap_only = c4.checkbox(t("filter_gap", lang), key="f_gap")
reinforced_only = c5.checkbox(t("filter_reinforced", lang), key="f_reinforced")
metric = common.choice("selectbox", t("metric", lang), METRICS, state="border_metric",
                       default="staffing_gap", container=c6,
                       format_func=lambda k: metric_label(k, lang))

filtered = filter_coverage(cov, border=border, belts=belts, districts=districts or None,
                           gap_only=gap_only, reinforced_only=reinforced_only)
st.markdown(f"**{t('rows_shown', lang, count=len(filtered))}**")

if filtered.empty:
    st.info(t("no_rows", lang))
else:
    shown = common.subset_features(common.features(vintage), set(filtered["code"]))
    m = build_coverage_map(filtered, metric=metric, lang=lang, tiles=st.session_state["tiles"],
                           features=shown)
    st_folium(common.prepare_map(m), key="border_map", height=520, use_container_width=True,
              returned_objects=[])

table = coverage_table(filtered, lang=lang)
st.dataframe(table, hide_index=True, width="stretch")
d1, d2, _ = st.columns([1, 1, 4])
stem = f"xa_bien_gioi_{vintage}_{border}"
official = common.current_boundaries(vintage)
csv_data, xlsx_data = download_files(
    filtered, lang=lang, store=common.store(), boundary_source=official.name if official else None,
    filters=describe_filters(border=border, belts=belts, districts=districts, gap_only=gap_only,
                             reinforced_only=reinforced_only, lang=lang))
d1.download_button(t("download_csv", lang), csv_data, file_name=f"{stem}.csv",
                   mime="text/csv", key="dl_csv", on_click=common.audit_event,
                   args=("download", f"csv {stem}.csv, {len(table)} rows"))
d2.download_button(t("download_xlsx", lang), xlsx_data, file_name=f"{stem}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   key="dl_xlsx", on_click=common.audit_event,
                   args=("download", f"xlsx {stem}.xlsx, {len(table)} rows"))
common.export_control(cov, metric=metric, country=border, codes=list(filtered["code"]),
                      key="border_export")
