"""Before and after the 2025 reform: each new unit, its old communes, posts then and now."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo import services
from geo._errors import BorderMapError
from geo.i18n import message, t
from geo.maps import build_coverage_map
from geo.reform import reform_coverage, reform_table
from geo.tables import column_label, to_csv_bytes
from pages import _common as common

common.ensure_defaults()
common.require("view")
lang = common.lang()
st.title(t("reform_title", lang))
st.caption(t("reform_caption", lang))


@st.cache_data(show_spinner=False, max_entries=4)
def _reform(province: str, token: str, home: str, _actor=None):
    del token, home  # cache-key parts only
    store = services.scoped_store(common.store(), _actor)
    return reform_table(province, store=store), reform_coverage(province, store=store)


province = common.check_scope("2025")  # every rerun, before the cache is read
try:
    table, (before, after) = _reform(province, common.data_version("2025")[0],
                                     str(common.bordermap_home()), _actor=common.actor())
except BorderMapError as err:
    st.error(t("error", lang, message=message(err, lang)))
    st.stop()
common.provenance(before)
if table.attrs.get("sample_2025"):
    st.caption(t("sample_short", lang) + " (2025)")
shown = table.rename(columns={c: column_label(c, lang) for c in table.columns})
st.dataframe(shown, hide_index=True, width="stretch")
st.download_button(t("download_csv", lang), to_csv_bytes(shown), file_name="reform_2025.csv",
                   mime="text/csv", key="reform_csv", on_click=common.audit_event,
                   args=("download", f"csv reform_2025.csv, {len(shown)} rows"))
left, right = st.columns(2)
for col, cov, key in ((left, before, "reform_map_before"), (right, after, "reform_map_now")):
    with col:
        st.subheader(t(key, lang))
        m = build_coverage_map(cov, metric="staffing_gap", lang=lang,
                               tiles=st.session_state["tiles"])
        st_folium(common.prepare_map(m), key=key, height=460, use_container_width=True,
                  returned_objects=[])
