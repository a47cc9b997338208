"""Data page: upload a roster or official boundaries, check, accept or cancel; history
(the picked province's, on the roster map)."""

from __future__ import annotations

import warnings

import pandas as pd
import streamlit as st

from geo._errors import BorderMapError
from geo import services
from geo.escape import escape_list, escape_markdown
from geo.i18n import column_labels, header_label, localize, message, t
from geo.settings import VINTAGES
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
    st.session_state.pop("pending_border_list", None)


def _problems_table(report) -> None:
    """Show a validation report's problems (file, row, column, severity, message)."""
    problems = report.to_frame()
    problems["severity"] = problems["severity"].map(lambda v: t(f"severity_{v}", lang))
    st.dataframe(problems.rename(columns={c: t(f"report_{c}", lang) for c in problems.columns}),
                 hide_index=True, width="stretch")


@st.cache_data(show_spinner=False, max_entries=4)
def _check_boundaries(files: tuple[tuple[str, bytes], ...], province: str, vintage: str,
                      _actor: services.Actor | None = None) -> dict:
    """Stage and load an uploaded boundaries file; return what the report shows.

    The caller checks the province against the user's scope on every rerun
    (:func:`pages._common.check_scope`): this cache is keyed by province.
    """
    with staged_uploads(list(files), kind="boundaries") as path, \
            warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        gdf = services.check_boundaries(path, province=province, vintage=vintage,
                                        actor=_actor)
    return {"matched": pd.DataFrame(gdf[["code", "name", "district", "area_km2"]]),
            "unmatched": list(gdf.attrs.get("unmatched", [])),
            "missing": list(gdf.attrs.get("missing", [])),
            "encoding": gdf.attrs.get("encoding", ""), "source": gdf.attrs.get("source", "")}


tab_roster, tab_bounds, tab_list, tab_history = st.tabs(
    [t("tab_roster", lang), t("tab_boundaries", lang), t("tab_border_list", lang),
     t("tab_history", lang)])

nonce = st.session_state["upload_nonce"]
try:
    store = common.store()
except BorderMapError as err:
    st.error(t("storage_unavailable", lang, message=escape_markdown(message(err, lang))))
    st.stop()

with tab_roster:
    r_vintage = common.choice("radio", t("roster_vintage", lang), common.VINTAGE_CHOICES,
                              state="roster_vintage", default=common.DEFAULT_VINTAGE,
                              horizontal=True, format_func=lambda v: t(f"vintage_{v}", lang))
    partial = st.checkbox(t("partial_update", lang), key=f"roster_partial_{nonce}",
                          help=t("partial_update_help", lang))
    upload = st.file_uploader(t("upload_roster", lang), type=["csv", "xlsx"],
                              key=f"roster_upload_{nonce}")
    if upload is not None:
        data = upload.getvalue()
        try:
            name = check_upload(upload.name, data, kind="roster")
        except BorderMapError as err:
            st.error(t("error", lang, message=escape_markdown(message(err, lang))))
            name = None
        if name is not None:
            pending = st.session_state.get("pending_roster")
            r_province = common.check_scope(r_vintage, action="upload")
            key = (name, len(data), hash(data), r_province, r_vintage, partial)
            if pending is None or pending[0] != key:
                try:
                    report = services.check_roster(data, source_name=name, province=r_province,
                                                   vintage=r_vintage, partial=partial,
                                                   actor=common.actor())
                except BorderMapError as err:
                    st.error(t("error", lang, message=escape_markdown(message(err, lang))))
                    st.stop()
                st.session_state["pending_roster"] = (key, report)
            report = st.session_state["pending_roster"][1]
            st.subheader(t("validation_report", lang))
            if report.ok:
                st.success(t("validation_ok", lang, rows=len(report.roster))
                           + " " + t("roster_keyed", lang, vintage=report.vintage))
            else:
                st.error(t("validation_failed", lang, errors=len(report.errors)))
            if report.warnings:
                st.warning(t("warnings", lang, count=len(report.warnings)))
            if report.problems:
                problems = report.to_frame()
                problems["message"] = problems["message"].map(lambda m: localize(m, lang))
                problems["column"] = problems["column"].map(
                    lambda c: header_label(c, lang) if isinstance(c, str) else c)
                problems["severity"] = problems["severity"].map(
                    lambda v: t(f"severity_{v}", lang))
                st.dataframe(problems.rename(columns={c: t(f"report_{c}", lang)
                                                      for c in problems.columns}),
                             hide_index=True, width="stretch")
            if report.ok:
                st.dataframe(report.roster.rename(
                    columns=column_labels(report.roster.columns, lang)),
                    hide_index=True, width="stretch", height=240)
                a, c, _ = st.columns([1, 1, 4])
                if a.button(t("accept", lang), type="primary", key="roster_accept"):
                    common.require("import")
                    try:
                        version = services.import_roster(report, actor=common.actor(),
                                                         store=store, partial=partial)
                    except BorderMapError as err:
                        st.error(t("error", lang, message=escape_markdown(message(err, lang))))
                    else:
                        _reset(("success", t("stored", lang, version=version)))
                        st.rerun()
                if c.button(t("cancel", lang), key="roster_cancel"):
                    _reset(("info", t("cancelled", lang)))
                    st.rerun()

with tab_bounds:
    for v in VINTAGES:
        try:
            path = common.current_boundaries(v)
        except BorderMapError as err:
            st.error(t("error", lang, message=escape_markdown(message(err, lang))))
            st.stop()
        if path is None:
            st.caption(t("boundaries_embedded", lang, vintage=v))
        else:
            st.caption(t("boundaries_current", lang, vintage=v,
                         source=escape_markdown(path.name)))
            if st.button(t("boundaries_remove", lang) + f" ({v})", key=f"bnd_forget_{v}"):
                common.require("import")
                try:
                    services.remove_boundaries(actor=common.actor(),
                                               province=common.province(v), vintage=v)
                except BorderMapError as err:
                    st.error(t("error", lang, message=escape_markdown(message(err, lang))))
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
        b_province = common.check_scope(b_vintage, action="upload")
        try:
            result = _check_boundaries(payload, b_province, b_vintage, _actor=common.actor())
        except BorderMapError as err:
            st.error(t("error", lang, message=escape_markdown(message(err, lang))))
            result = None
        if result is not None:
            st.subheader(t("validation_report", lang))
            st.info(t("boundaries_matched", lang, matched=len(result["matched"]),
                      unmatched=len(result["unmatched"]), missing=len(result["missing"])))
            u, mi = st.columns(2)
            if result["unmatched"]:
                u.markdown(f"**{t('boundaries_unmatched', lang)}:** "
                           + escape_list(result["unmatched"], limit=50))
            if result["missing"]:
                mi.markdown(f"**{t('boundaries_missing', lang)}:** "
                            + escape_list(result["missing"], limit=50))
            st.dataframe(result["matched"].rename(
                columns=column_labels(result["matched"].columns, lang)),
                hide_index=True, width="stretch", height=240)
            a, c, _ = st.columns([1, 1, 4])
            if a.button(t("accept", lang), type="primary", key="bnd_accept"):
                common.require("import")
                try:
                    with staged_uploads(list(payload), kind="boundaries") as staged, \
                            warnings.catch_warnings(record=True):
                        warnings.simplefilter("always")
                        services.accept_boundaries(staged, actor=common.actor(),
                                                   province=b_province, vintage=b_vintage)
                except (BorderMapError, OSError) as err:
                    st.error(t("error", lang, message=escape_markdown(message(err, lang))))
                else:
                    _reset(("success", t("boundaries_stored", lang, vintage=b_vintage)))
                    st.rerun()
            if c.button(t("cancel", lang), key="bnd_cancel"):
                _reset(("info", t("cancelled", lang)))
                st.rerun()

with tab_list:
    st.caption(t("border_list_intro", lang))
    for v in VINTAGES:
        try:
            in_force = services.current_border_list(common.province(v), vintage=v,
                                                    actor=common.actor())
        except BorderMapError as err:
            st.error(t("error", lang, message=escape_markdown(err)))
            st.stop()
        st.caption(t("border_list_none", lang, vintage=v) if in_force is None else
                   t("border_list_current", lang, vintage=v, label=escape_markdown(
                       services.border_list_label(in_force))))
    l_vintage = common.choice("radio", t("vintage", lang), VINTAGES, state="list_vintage",
                              default=st.session_state["vintage"], horizontal=True,
                              format_func=lambda v: t(f"vintage_{v}", lang))
    st.download_button(t("border_list_template", lang),
                       services.border_list_template(common.province(l_vintage), vintage=l_vintage)
                       .encode("utf-8-sig"), file_name=f"xa_bien_gioi_{l_vintage}.csv",
                       mime="text/csv", key="list_template")
    upload = st.file_uploader(t("upload_border_list", lang), type=["csv", "xlsx"],
                              key=f"list_upload_{nonce}")
    if upload is not None:
        data = upload.getvalue()
        try:
            name = check_upload(upload.name, data, kind="roster")
        except BorderMapError as err:
            st.error(t("error", lang, message=escape_markdown(err)))
            name = None
        if name is not None:
            pending = st.session_state.get("pending_border_list")
            l_province = common.check_scope(l_vintage, action="upload")
            key = (name, len(data), hash(data), l_province, l_vintage)
            if pending is None or pending[0] != key:
                try:
                    report = services.check_border_list(data, source_name=name,
                                                        province=l_province, vintage=l_vintage,
                                                        actor=common.actor())
                except BorderMapError as err:
                    st.error(t("error", lang, message=escape_markdown(message(err, lang))))
                    st.stop()
                st.session_state["pending_border_list"] = (key, report)
            report = st.session_state["pending_border_list"][1]
            st.subheader(t("validation_report", lang))
            if report.ok:
                st.success(t("border_list_ok", lang, rows=len(report.listed)))
            else:
                st.error(t("validation_failed", lang, errors=len(report.errors)))
            if report.problems:
                _problems_table(report)
            if report.ok:
                st.dataframe(report.listed, hide_index=True, width="stretch", height=240)
                a, c, _ = st.columns([1, 1, 4])
                if a.button(t("accept", lang), type="primary", key="list_accept"):
                    common.require("import")
                    try:
                        version = services.import_border_list(report, actor=common.actor())
                    except BorderMapError as err:
                        st.error(t("error", lang, message=escape_markdown(err)))
                    else:
                        _reset(("success", t("border_list_stored", lang, version=version)))
                        st.rerun()
                if c.button(t("cancel", lang), key="list_cancel"):
                    _reset(("info", t("cancelled", lang)))
                    st.rerun()
    lists = services.border_list_history(actor=common.actor())
    if not lists.empty:
        st.dataframe(lists, hide_index=True, width="stretch")
        older = [int(v) for v in lists.loc[~lists["is_current"], "version"]]
        if older:
            version = st.selectbox(t("restore", lang), older[::-1], key="list_restore_version")
            if st.button(t("restore_button", lang), key="list_restore_go"):
                common.require("restore")
                try:
                    new = services.restore_border_list(int(version), actor=common.actor())
                except BorderMapError as err:
                    st.error(t("error", lang, message=escape_markdown(err)))
                else:
                    st.session_state["flash"] = ("success", t("restored", lang, version=version)
                                                 + f" (v{new})")
                    st.rerun()

with tab_history:
    # The picked province's history on the roster map: the shared store counts versions
    # per province and map, so a version number means something only within one stream.
    # When that map has no version yet, the province's versions on the other map are shown.
    h_province, h_vintage = common.check_scope(r_vintage, action="view"), r_vintage
    history = services.roster_history(actor=common.actor(), store=store, province=h_province,
                                      vintage=h_vintage)
    other = next(v for v in common.VINTAGE_CHOICES if v != r_vintage)
    same = services.same_province(h_province, other)
    if history.empty and len(same) == 1:
        try:
            found = services.roster_history(actor=common.actor(), store=store,
                                             province=same[0], vintage=other)
        except BorderMapError:  # out of scope on the other map: nothing more to show
            found = history
        if not found.empty:
            history, h_province, h_vintage = found, same[0], other
    st.caption(f"{t('province', lang)}: {common.province_label(h_province, h_vintage)} · "
               f"{t('roster_vintage', lang)}: {h_vintage}")
    if history.empty:
        st.info(t("history_empty", lang))
    else:
        st.dataframe(history.rename(columns=column_labels(history.columns, lang)),
                     hide_index=True, width="stretch")
        older = [int(v) for v in history.loc[~history["is_current"], "version"]]
        if older:
            version = st.selectbox(t("restore", lang), older[::-1], key="restore_version")
            if st.button(t("restore_button", lang), key="restore_go"):
                common.require("restore")
                try:
                    new = services.restore_roster(int(version), actor=common.actor(),
                                                  store=store, province=h_province,
                                                  vintage=h_vintage)
                except BorderMapError as err:
                    st.error(t("error", lang, message=escape_markdown(message(err, lang))))
                else:
                    st.session_state["flash"] = ("success",
                                                 t("restored", lang, version=version)
                                                 + f" (v{new})")
                    st.rerun()
