"""User-interface strings in Vietnamese (the default) and English.

Every label the app, the maps and the exported tables show comes from
:data:`STRINGS`, so a translation is changed in one place. Place names are never
translated: they keep their Vietnamese diacritics in both languages.

Examples
--------
>>> t("nav_map", "vi")
'Bản đồ lực lượng'
>>> t("published", "en", value=115)
'published: 115'
"""

from __future__ import annotations

from geo.reference import APPROXIMATE_NOTE, APPROXIMATE_NOTE_VI, SAMPLE_NOTE, SAMPLE_NOTE_VI

#: Map metric labels: key → (Vietnamese, English).
METRIC_LABELS: dict[str, tuple[str, str]] = {
    "total_police": ("Tổng số công an", "Total police"),
    "police_per_100km2": ("Công an / 100 km²", "Police per 100 km²"),
    "staffing_gap": ("Thiếu biên chế (số vị trí)", "Staffing gap (missing posts)"),
    "reinforcements": ("Tăng cường", "Reinforcements"),
    "border_km": ("Chiều dài biên giới (km)", "Border length (km)"),
}

#: Supported languages; the first is the default.
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

#: Language names, shown in the language switch in their own language.
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}

#: key → (Vietnamese, English). ``{name}`` placeholders are filled by :func:`t`.
STRINGS: dict[str, tuple[str, str]] = {
    # app and navigation
    "app_title": ("Bản đồ công an xã — Điện Biên", "Commune police map — Điện Biên"),
    "nav_map": ("Bản đồ lực lượng", "Coverage map"),
    "nav_border": ("Xã biên giới", "Border communes"),
    "nav_data": ("Dữ liệu", "Data"),
    "language": ("Ngôn ngữ / Language", "Language / Ngôn ngữ"),
    "basemap": ("Nền bản đồ", "Basemap"),
    "basemap_offline": ("Ngoại tuyến (không cần Internet)", "Offline (no internet needed)"),
    "basemap_osm": ("OpenStreetMap (cần Internet)", "OpenStreetMap (needs internet)"),
    "basemap_custom": ("Máy chủ bản đồ nội bộ", "Intranet tile server"),
    "vintage": ("Bản đồ hành chính", "Administrative map"),
    "vintage_2020": ("2020 (129 xã, 10 huyện)", "2020 (129 communes, 10 districts)"),
    "vintage_2025": ("2025 (45 xã, không cấp huyện)", "2025 (45 communes, no districts)"),
    "roster_version": ("Danh sách lực lượng: phiên bản {version} (ngày {as_of})",
                       "Roster: version {version} (as of {as_of})"),
    "error": ("Lỗi: {message}", "Error: {message}"),
    # provenance
    "approximate_note": (APPROXIMATE_NOTE_VI, APPROXIMATE_NOTE),
    "approximate_short": ("Ranh giới gần đúng", "Approximate boundaries"),
    "sample_note": (SAMPLE_NOTE_VI, SAMPLE_NOTE),
    "sample_short": ("Dữ liệu mẫu — không phải phân công thực tế",
                     "Sample data — not real assignments"),
    "official_boundaries": ("Ranh giới chính thức từ tệp {source}",
                            "Official boundaries from {source}"),
    # map page
    "map_title": ("Bản đồ lực lượng công an xã", "Commune police coverage map"),
    "metric": ("Tô màu theo", "Shade communes by"),
    "communes": ("Số xã", "Communes"),
    "border_communes_lao": ("Xã giáp Lào", "Border communes (Laos)"),
    "border_communes_chn": ("Xã giáp Trung Quốc", "Border communes (China)"),
    "chiefs": ("Trưởng Công an xã", "Chiefs"),
    "deputies": ("Phó Trưởng Công an xã", "Deputy chiefs"),
    "officers": ("Công an viên", "Officers"),
    "reinforcements": ("Tăng cường", "Reinforcements"),
    "published": ("công bố: {value}", "published: {value}"),
    "published_caption": ("Số liệu công bố: Công an tỉnh Điện Biên; 129 xã, phường, thị trấn "
                          "(bản đồ 2020), 45 (từ 1/7/2025).",
                          "Published figures: Điện Biên provincial police; 129 communes "
                          "(2020 map), 45 (from 1 July 2025)."),
    "click_hint": ("Bấm vào một xã trên bản đồ để xem chi tiết.",
                   "Click a commune on the map to see its record."),
    "selected": ("Xã đã chọn", "Selected commune"),
    "field": ("Trường", "Field"),
    "value": ("Giá trị", "Value"),
    # map layers and legend
    "layer_communes": ("Xã — {metric}", "Communes — {metric}"),
    "layer_border_communes": ("Viền xã biên giới", "Border communes (outline)"),
    "layer_districts": ("Ranh giới huyện", "District boundaries"),
    "layer_province": ("Ranh giới tỉnh", "Province boundary"),
    "layer_context": ("Nền: Việt Nam và nước láng giềng", "Context: Vietnam and neighbours"),
    "layer_border_LAO": ("Biên giới Việt Nam – Lào", "Vietnam–Laos border"),
    "layer_border_CHN": ("Biên giới Việt Nam – Trung Quốc", "Vietnam–China border"),
    "layer_border_KHM": ("Biên giới Việt Nam – Campuchia", "Vietnam–Cambodia border"),
    "layer_selected": ("Xã đã chọn", "Selected commune"),
    "legend_no_data": ("Không áp dụng", "Not applicable"),
    "legend_border_communes": ("Xã biên giới", "Border commune"),
    "layer_labels": ("Tên xã", "Commune names"),
    "layer_neighbours": ("Tên tỉnh lân cận", "Neighbouring provinces"),
    "layer_outside": ("Các xã khác (ngoài bộ lọc)", "Other communes (outside the filters)"),
    "layer_highlight": ("Xã được chọn (biểu đồ, bảng)", "Selected (chart, table)"),
    "hover_ranks": ("Trưởng / Phó / CAV", "Chiefs / deputies / officers"),
    "hover_no_border": ("Không giáp biên giới", "Not on the border"),
    "tiles_offline_warning": ("Không tải được nền bản đồ trực tuyến (không có mạng?). Hãy chọn "
                              "nền «Ngoại tuyến» ở thanh bên.",
                              "The online basemap cannot be loaded (no network?). Choose the "
                              "«Offline» basemap in the sidebar."),
    "tiles_online_note": ("Nền bản đồ trực tuyến cần Internet. Nếu bản đồ trống, hãy chọn nền "
                          "«Ngoại tuyến» ở thanh bên.",
                          "The online basemap needs internet. If the map stays blank, choose "
                          "the «Offline» basemap in the sidebar."),
    # border communes page
    "border_title": ("Xã biên giới — lọc cho công tác kế hoạch",
                     "Border communes — filters for planners"),
    "filters": ("Bộ lọc", "Filters"),
    "filter_border": ("Biên giới với", "Border with"),
    "border_all": ("Tất cả xã", "All communes"),
    "border_any": ("Lào hoặc Trung Quốc (mọi xã biên giới)", "Laos or China (any border)"),
    "border_LAO": ("Lào", "Laos"),
    "border_CHN": ("Trung Quốc", "China"),
    "border_both": ("Cả Lào và Trung Quốc", "Both Laos and China"),
    "border_none": ("Không giáp biên giới", "No border"),
    "filter_belt": ("Tuyến", "Border belt"),
    "choose": ("Chọn…", "Choose…"),
    "filter_district": ("Huyện", "District"),
    "filter_district_2025": ("Bản đồ 2025 không có cấp huyện.", "The 2025 map has no districts."),
    "filter_gap": ("Chỉ xã thiếu biên chế (thiếu > 0)", "Only communes with a staffing gap (> 0)"),
    "filter_reinforced": ("Chỉ xã có lực lượng tăng cường", "Only communes with reinforcements"),
    "rows_shown": ("{count} xã phù hợp bộ lọc", "{count} communes match the filters"),
    "no_rows": ("Không có xã nào phù hợp bộ lọc.", "No commune matches the filters."),
    "download_csv": ("Tải CSV", "Download CSV"),
    "download_xlsx": ("Tải Excel (XLSX)", "Download Excel (XLSX)"),
    "district_chart_title": ("Theo huyện", "By district"),
    "district_chart_hint": ("Bấm một cột hoặc một xã trên bản đồ để chọn huyện; bấm lại để bỏ "
                            "chọn. Chọn dòng trong bảng để đánh dấu xã trên bản đồ.",
                            "Click a bar, or a commune on the map, to select its district; "
                            "click again to clear. Select table rows to mark communes on the "
                            "map."),
    "district_selected": ("Huyện đang chọn: **{district}** — {count} xã",
                          "Selected district: **{district}** — {count} communes"),
    "district_clear": ("Bỏ chọn huyện", "Clear the district"),
    "district_none_2025": ("Bản đồ 2025 không có cấp huyện: không có biểu đồ theo huyện.",
                           "The 2025 map has no districts: no district chart."),
    "col_communes": ("Số xã", "Communes"),
    "col_border_communes": ("Xã biên giới", "Border communes"),
    "province_totals": ("Tổng hợp toàn tỉnh", "Province totals"),
    # belts and countries
    "belt_border": ("Xã biên giới", "Border"),
    "belt_second-line": ("Tuyến hai", "Second line"),
    "belt_interior": ("Nội địa", "Interior"),
    "country_LAO": ("Lào", "Laos"),
    "country_CHN": ("Trung Quốc", "China"),
    "country_KHM": ("Campuchia", "Cambodia"),
    # table columns
    "col_code": ("Mã xã", "Code"),
    "col_name": ("Tên xã", "Commune"),
    "col_unit_type": ("Loại", "Type"),
    "col_district": ("Huyện", "District"),
    "col_border_countries": ("Giáp biên giới", "Borders"),
    "col_border_belt": ("Tuyến", "Belt"),
    "col_border_km_lao": ("Biên giới Lào (km)", "Laos border (km)"),
    "col_border_km_chn": ("Biên giới Trung Quốc (km)", "China border (km)"),
    "col_dist_to_border_km": ("Cách biên giới (km)", "Distance to border (km)"),
    "col_area_km2": ("Diện tích (km²)", "Area (km²)"),
    "col_chiefs": ("Trưởng CAX", "Chiefs"),
    "col_deputies": ("Phó Trưởng CAX", "Deputies"),
    "col_officers": ("Công an viên", "Officers"),
    "col_reinforcements": ("Tăng cường", "Reinforcements"),
    "col_trained": ("Đã tập huấn", "Trained"),
    "col_total_police": ("Tổng số", "Total police"),
    "col_police_per_100km2": ("CA / 100 km²", "Police / 100 km²"),
    "col_police_per_10km_border": ("CA / 10 km biên giới", "Police / 10 km border"),
    "col_staffing_gap": ("Thiếu biên chế", "Staffing gap"),
    "col_province": ("Tỉnh", "Province"),
    "col_approximate": ("Ranh giới gần đúng", "Approximate boundary"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    # data page
    "data_title": ("Dữ liệu: danh sách lực lượng và ranh giới", "Data: roster and boundaries"),
    "upload_roster": ("Tải lên danh sách lực lượng (CSV hoặc XLSX)",
                      "Upload a roster (CSV or XLSX)"),
    "upload_boundaries": ("Tải lên tệp ranh giới chính thức (GeoPackage, GeoJSON, "
                          "shapefile nén .zip)",
                          "Upload an official boundaries file (GeoPackage, GeoJSON, "
                          "zipped shapefile)"),
    "tab_roster": ("Danh sách lực lượng", "Roster"),
    "tab_boundaries": ("Ranh giới", "Boundaries"),
    "tab_history": ("Lịch sử phiên bản", "Version history"),
    "validation_report": ("Kết quả kiểm tra", "Validation report"),
    "validation_ok": ("Tệp hợp lệ: {rows} dòng. Chưa có gì được lưu — hãy chấp nhận hoặc hủy.",
                      "The file is valid: {rows} rows. Nothing is stored yet — accept or "
                      "cancel."),
    "validation_failed": ("Tệp bị từ chối: {errors} lỗi. Không có gì được lưu.",
                          "The file was rejected: {errors} errors. Nothing was stored."),
    "warnings": ("{count} cảnh báo", "{count} warning(s)"),
    "report_file": ("Tệp", "File"),
    "report_row": ("Dòng", "Row"),
    "report_column": ("Cột", "Column"),
    "report_severity": ("Mức độ", "Severity"),
    "report_message": ("Nội dung", "Message"),
    "severity_error": ("lỗi", "error"),
    "severity_warning": ("cảnh báo", "warning"),
    "accept": ("Chấp nhận và lưu", "Accept and store"),
    "cancel": ("Hủy", "Cancel"),
    "stored": ("Đã lưu phiên bản {version}.", "Stored as version {version}."),
    "cancelled": ("Đã hủy; không có gì được lưu.", "Cancelled; nothing was stored."),
    "history_empty": ("Chưa có phiên bản nào; bản đồ đang dùng dữ liệu mẫu.",
                      "No version stored yet; the map uses the sample roster."),
    "restore": ("Khôi phục phiên bản", "Restore version"),
    "restore_button": ("Khôi phục", "Restore"),
    "restored": ("Đã khôi phục phiên bản {version} thành phiên bản hiện hành.",
                 "Version {version} restored as the current version."),
    "user": ("Người thực hiện", "User"),
    "boundaries_matched": ("Khớp {matched} xã; {unmatched} đối tượng không khớp; "
                           "thiếu {missing} xã.",
                           "{matched} communes matched; {unmatched} features unmatched; "
                           "{missing} communes missing."),
    "boundaries_unmatched": ("Không khớp", "Unmatched"),
    "boundaries_missing": ("Thiếu", "Missing"),
    "boundaries_stored": ("Đã lưu tệp ranh giới; bản đồ {vintage} dùng tệp này.",
                          "Boundaries file stored; the {vintage} map now uses it."),
    "boundaries_current": ("Ranh giới đang dùng ({vintage}): {source}",
                           "Boundaries in use ({vintage}): {source}"),
    "boundaries_embedded": ("Ranh giới đang dùng ({vintage}): lớp gần đúng có sẵn",
                            "Boundaries in use ({vintage}): embedded approximate layer"),
    "boundaries_remove": ("Quay lại lớp gần đúng có sẵn", "Go back to the embedded layer"),
    "storage_unavailable": ("Kho dữ liệu chưa sẵn sàng: {message}",
                            "The roster store is not available: {message}"),
    # sign-in, roles, administration
    "nav_signin": ("Đăng nhập", "Sign in"),
    "nav_admin": ("Quản trị", "Administration"),
    "signin_title": ("Đăng nhập", "Sign in"),
    "signin_hint": ("Dữ liệu bố trí lực lượng là thông tin nhạy cảm: hãy đăng nhập để tiếp tục.",
                    "Police deployments are sensitive: sign in to continue."),
    "username": ("Tên đăng nhập", "Username"),
    "password": ("Mật khẩu", "Password"),
    "signin_button": ("Đăng nhập", "Sign in"),
    "signin_failed": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password."),
    "signin_locked": ("Tạm khoá do đăng nhập sai nhiều lần: {message}",
                      "Locked after too many failed sign-ins: {message}"),
    "signed_in_as": ("Đăng nhập: **{user}** ({role})", "Signed in: **{user}** ({role})"),
    "signout": ("Đăng xuất", "Sign out"),
    "access_denied": ("Không có quyền: {message}", "Access denied: {message}"),
    "role_commander": ("chỉ huy", "commander"),
    "role_planner": ("kế hoạch", "planner"),
    "role_admin": ("quản trị", "admin"),
    "admin_title": ("Quản trị: tài khoản và nhật ký", "Administration: accounts and audit log"),
    "tab_users": ("Tài khoản", "Accounts"),
    "tab_audit": ("Nhật ký", "Audit log"),
    "user_add": ("Thêm tài khoản", "Add an account"),
    "role": ("Vai trò", "Role"),
    "user_added": ("Đã thêm {user}. Mật khẩu (chỉ hiện một lần): {password}",
                   "Added {user}. Password (shown once): {password}"),
    "user_remove": ("Xoá tài khoản", "Remove an account"),
    "user_removed": ("Đã xoá {user}.", "Removed {user}."),
    "user_role_set": ("Đổi vai trò", "Change role"),
    "user_role_done": ("{user} giờ là {role}.", "{user} is now {role}."),
    "audit_filter_user": ("Lọc theo người dùng", "Filter by user"),
    "audit_filter_action": ("Lọc theo thao tác", "Filter by action"),
    # briefing export
    "export_title": ("Xuất bản tin (PNG, PDF, HTML)", "Export a briefing (PNG, PDF, HTML)"),
    "export_format": ("Định dạng", "Format"),
    "export_marking": ("Độ mật (tuỳ chọn, ví dụ MẬT, NỘI BỘ)",
                       "Classification marking (optional, e.g. MẬT, NỘI BỘ)"),
    "export_title_field": ("Tiêu đề (tuỳ chọn)", "Title (optional)"),
    "export_prepare": ("Tạo tệp", "Prepare file"),
    "export_download": ("Tải {name}", "Download {name}"),
}


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """Return the UI string ``key`` in ``lang``, with ``{placeholders}`` filled.

    Parameters
    ----------
    key : str
        A key of :data:`STRINGS`.
    lang : {"vi", "en"}
        Language; unknown languages fall back to Vietnamese.
    **values
        Values for the string's placeholders.

    Returns
    -------
    str

    Raises
    ------
    KeyError
        If ``key`` is not a known string (a programming error, not a user one).
    """
    vi, en = STRINGS[key]
    text = en if lang == "en" else vi
    return text.format(**values) if values else text


def metric_label(metric: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return the label of a map metric (a key of :data:`METRIC_LABELS`)."""
    vi, en = METRIC_LABELS[metric]
    return en if lang == "en" else vi


def country_label(iso3: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return a neighbouring country's name (``"LAO"`` → ``"Lào"`` / ``"Laos"``)."""
    key = f"country_{iso3}"
    return t(key, lang) if key in STRINGS else iso3


def belt_label(belt: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return the label of a border belt (``border``, ``second-line``, ``interior``)."""
    key = f"belt_{belt}"
    return t(key, lang) if key in STRINGS else belt
