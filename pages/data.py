"""Data page: upload a roster or official boundaries, check, accept or cancel; history."""

from __future__ import annotations

import warnings

import pandas as pd
import streamlit as st

from geo._errors import BorderMapError
from geo.boundaries import load_official_boundaries
from geo.i18n import t
from geo.plausibility import roster_to_store
from geo.roster import validate_roster
from geo.settings import DEFAULT_PROVINCE, VINTAGES
from geo.uploads import check_upload, staged_uploads
from pages import _common as common

BOUNDARY_TYPES = ["zip", "gpkg", "geojson", "json", "shp", "shx", "dbf", "prj", "cpg"]

common.ensure_defaults()
common.require("upload")
lang = common.lang()
st.title(t("data_title", lang))
common.flash()
common.provenance(common.coverage())


def _reset(message: tuple[str, str]) -> None:
    """Forget the pending upload (new uploader key) and leave a message for the next run."""
    st.session_state["upload_nonce"] += 1
    st.session_state["flash"] = message
    st.session_state.pop("pending_roster", None)


@st.cache_data(show_spinner=False, max_entries=4)
def _check_boundaries(files: tuple[tuple[str, bytes], ...], vintage: str) -> dict:
    """Stage and load an uploaded boundaries file; return what the report shows."""
    with staged_uploads(list(files), kind="boundaries") as path, \
            warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        gdf = load_official_boundaries(path, province=DEFAULT_PROVINCE, vintage=vintage)
    return {"matched": pd.DataFrame(gdf[["code", "name", "district", "area_km2"]]),
            "unmatched": list(gdf.attrs.get("unmatched", [])),
            "missing": list(gdf.attrs.get("missing", [])),
            "encoding": gdf.attrs.get("encoding", ""), "source": gdf.attrs.get("source", "")}


tab_roster, tab_bounds, tab_history = st.tabs(
    [t("tab_roster", lang), t("tab_boundaries", lang), t("tab_history", lang)])

nonce = st.session_state["upload_nonce"]
try:
    store = common.store()
except BorderMapError as err:
    st.error(t("storage_unavailable", lang, message=str(err)))
    st.stop()

with tab_roster:
    partial = st.checkbox(t("partial_update", lang), key=f"roster_partial_{nonce}",
                          help=t("partial_update_help", lang))
    upload = st.file_uploader(t("upload_roster", lang), type=["csv", "xlsx"],
                              key=f"roster_upload_{nonce}")
    if upload is not None:
        data = upload.getvalue()
        try:
            name = check_upload(upload.name, data, kind="roster")
        except BorderMapError as err:
            st.error(t("error", lang, message=str(err)))
            name = None
        if name is not None:
            pending = st.session_state.get("pending_roster")
            if pending is None or pending[0] != (name, len(data), hash(data), partial):
                border_codes = set(common.coverage("2020").query("border_countries != ''")["code"])
                report = validate_roster(data, source_name=name, province=DEFAULT_PROVINCE,
                                         vintage="2020", border_codes=border_codes,
                                         partial=partial)
                st.session_state["pending_roster"] = ((name, len(data), hash(data), partial),
                                                      report)
            report = st.session_state["pending_roster"][1]
            st.subheader(t("validation_report", lang))
            if report.ok:
                st.success(t("validation_ok", lang, rows=len(report.roster)))
            else:
                st.error(t("validation_failed", lang, errors=len(report.errors)))
            if report.warnings:
                st.warning(t("warnings", lang, count=len(report.warnings)))
            if report.problems:
                problems = report.to_frame()
                problems["severity"] = problems["severity"].map(
                    lambda v: t(f"severity_{v}", lang))
                st.dataframe(problems.rename(columns={c: t(f"report_{c}", lang)
                                                      for c in problems.columns}),
                             hide_index=True, width="stretch")
            if report.ok:
                st.dataframe(report.roster, hide_index=True, width="stretch", height=240)
                a, c, _ = st.columns([1, 1, 4])
                if a.button(t("accept", lang), type="primary", key="roster_accept"):
                    common.require("import")
                    try:
                        what = "partial update" if partial else "roster"
                        with common.audited("roster.import", f"{what} {report.source_name} "
                                            f"sha256={report.sha256[:12]}") as act:
                            frame = roster_to_store(
                                report.roster, partial=partial,
                                current=store.current() if partial else None,
                                province=report.province, vintage=report.vintage)
                            version = store.import_roster(
                                frame, source_name=report.source_name, sha256=report.sha256,
                                user=common.user_name(), kind=report.kind,
                                province=report.province, vintage=report.vintage)
                            act.result = f"→ version {version}"
                    except BorderMapError as err:
                        st.error(t("error", lang, message=str(err)))
                    else:
                        _reset(("success", t("stored", lang, version=version)))
                        st.rerun()
                if c.button(t("cancel", lang), key="roster_cancel"):
                    _reset(("info", t("cancelled", lang)))
                    st.rerun()

with tab_bounds:
    for v in VINTAGES:
        path = common.current_boundaries(v)
        if path is None:
            st.caption(t("boundaries_embedded", lang, vintage=v))
        else:
            st.caption(t("boundaries_current", lang, vintage=v, source=path.name))
            if st.button(t("boundaries_remove", lang) + f" ({v})", key=f"bnd_forget_{v}"):
                try:
                    with common.audited("boundaries.remove", f"{path.name} vintage={v}"):
                        common.forget_boundaries(v)
                except BorderMapError as err:
                    st.error(t("error", lang, message=str(err)))
                else:
                    st.session_state["flash"] = ("info",
                                                 t("boundaries_embedded", lang, vintage=v))
                    st.rerun()
    b_vintage = common.choice("radio", t("vintage", lang), VINTAGES, state="bnd_vintage",
                              default=st.session_state["vintage"], horizontal=True,
                              format_func=lambda v: t(f"vintage_{v}", lang))
    files = st.file_uploader(t("upload_boundaries", lang), type=BOUNDARY_TYPES,
                             accept_multiple_files=True, key=f"bnd_upload_{nonce}")
    if files:
        payload = tuple((f.name, f.getvalue()) for f in files)
        try:
            result = _check_boundaries(payload, b_vintage)
        except BorderMapError as err:
            st.error(t("error", lang, message=str(err)))
            result = None
        if result is not None:
            st.subheader(t("validation_report", lang))
            st.info(t("boundaries_matched", lang, matched=len(result["matched"]),
                      unmatched=len(result["unmatched"]), missing=len(result["missing"])))
            u, mi = st.columns(2)
            if result["unmatched"]:
                u.write(f"**{t('boundaries_unmatched', lang)}:** "
                        + ", ".join(map(str, result["unmatched"][:50])))
            if result["missing"]:
                mi.write(f"**{t('boundaries_missing', lang)}:** "
                         + ", ".join(map(str, result["missing"][:50])))
            st.dataframe(result["matched"], hide_index=True, width="stretch",
                         height=240)
            a, c, _ = st.columns([1, 1, 4])
            if a.button(t("accept", lang), type="primary", key="bnd_accept"):
                common.require("import")
                try:
                    with common.audited("boundaries.accept", f"{result['source']} vintage="
                                        f"{b_vintage}: {len(result['matched'])} units"), \
                            staged_uploads(list(payload), kind="boundaries") as staged:
                        common.keep_boundaries(staged, b_vintage)
                except (BorderMapError, OSError) as err:
                    st.error(t("error", lang, message=str(err)))
                else:
                    _reset(("success", t("boundaries_stored", lang, vintage=b_vintage)))
                    st.rerun()
            if c.button(t("cancel", lang), key="bnd_cancel"):
                _reset(("info", t("cancelled", lang)))
                st.rerun()

with tab_history:
    history = store.history()
    if history.empty:
        st.info(t("history_empty", lang))
    else:
        st.dataframe(history, hide_index=True, width="stretch")
        older = [int(v) for v in history.loc[~history["is_current"], "version"]]
        if older:
            version = st.selectbox(t("restore", lang), older[::-1], key="restore_version")
            if st.button(t("restore_button", lang), key="restore_go"):
                common.require("restore")
                try:
                    with common.audited("roster.restore", f"version {version}") as act:
                        new = store.restore(int(version), user=common.user_name())
                        act.result = f"version {version} → version {new}"
                except BorderMapError as err:
                    st.error(t("error", lang, message=str(err)))
                else:
                    st.session_state["flash"] = ("success",
                                                 t("restored", lang, version=version)
                                                 + f" (v{new})")
                    st.rerun()
