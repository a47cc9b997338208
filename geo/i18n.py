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

from geo.i18n_localize import (column_labels, header_label, is_known,  # noqa: F401
                               localize, message)
from geo.i18n_messages import MESSAGES
from geo.i18n_national import NATIONAL_STRINGS
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
    "province": ("Tỉnh", "Province"),
    "no_province_in_scope": ("Tài khoản này không được xem tỉnh nào; hãy liên hệ quản trị viên.",
                             "This account may not see any province; ask an administrator."),
    "vintage_2020": ("2020 (129 xã, 10 huyện)", "2020 (129 communes, 10 districts)"),
    "vintage_2025": ("2025 (45 xã, không cấp huyện)", "2025 (45 communes, no districts)"),
    "roster_version": ("Danh sách lực lượng: phiên bản {version} (ngày {as_of})",
                       "Roster: version {version} (as of {as_of})"),
    "error": ("Lỗi: {message}", "Error: {message}"),
    # official border-commune lists
    "border_flags_list": ("Xã biên giới theo danh sách chính thức: {source}",
                          "Border communes from the official list: {source}"),
    "border_flags_list_short": ("Xã biên giới: danh sách chính thức",
                                "Border communes: official list"),
    "border_flags_computed": ("Xã biên giới tính từ ranh giới (không có danh sách chính thức)",
                              "Border communes computed from the boundaries (no official "
                              "list loaded)"),
    "border_disagreements": ("Danh sách và kết quả tính khác nhau ở {count} xã: {items}",
                             "The list and the computed flags disagree on {count} "
                             "communes: {items}"),
    "disagree_listed_interior": ("có trong danh sách nhưng tính là nội địa",
                                 "listed but computed interior"),
    "disagree_computed_unlisted": ("tính là biên giới nhưng không có trong danh sách",
                                   "computed border but not listed"),
    "col_border_disagreement": ("Khác danh sách chính thức", "Differs from the official list"),
    "col_border_listed": ("Trong danh sách chính thức", "On the official list"),
    "tab_border_list": ("Danh sách xã biên giới", "Border list"),
    "border_list_intro": ("Tải danh sách xã biên giới chính thức (phụ lục nghị định về khu vực "
                          "biên giới đất liền): CSV/XLSX với cột «commune_code» (hoặc "
                          "«commune_name» + «district»), tùy chọn «country» và «source».",
                          "Load the official border-commune list (the annex of the decree on "
                          "the land border area): CSV/XLSX with commune_code (or commune_name "
                          "+ district), optional country and source."),
    "border_list_current": ("Bản đồ {vintage}: đang dùng danh sách {label}",
                            "{vintage} map: the list {label} is in force"),
    "border_list_none": ("Bản đồ {vintage}: chưa có danh sách chính thức, xã biên giới được tính "
                         "từ ranh giới", "{vintage} map: no official list, border communes "
                         "are computed from the boundaries"),
    "upload_border_list": ("Tệp danh sách xã biên giới (CSV, XLSX)",
                           "Border-commune list file (CSV, XLSX)"),
    "border_list_ok": ("Hợp lệ: {rows} xã biên giới", "Valid: {rows} border communes"),
    "border_list_stored": ("Đã lưu danh sách xã biên giới, phiên bản {version}",
                           "Border-commune list stored as version {version}"),
    "border_list_template": ("Tải mẫu danh sách", "Download a list template"),
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
    "col_staffing_surplus": ("Vượt biên chế", "Staffing surplus"),
    "col_norm_chiefs": ("Định mức Trưởng", "Norm: chiefs"),
    "col_norm_deputies": ("Định mức Phó", "Norm: deputies"),
    "col_norm_officers": ("Định mức CAV", "Norm: officers"),
    "col_short_chiefs": ("Thiếu Trưởng", "Short: chiefs"),
    "col_short_deputies": ("Thiếu Phó", "Short: deputies"),
    "col_short_officers": ("Thiếu CAV", "Short: officers"),
    "col_surplus_chiefs": ("Thừa Trưởng", "Surplus: chiefs"),
    "col_surplus_deputies": ("Thừa Phó", "Surplus: deputies"),
    "col_surplus_officers": ("Thừa CAV", "Surplus: officers"),
    "col_old_communes": ("Các xã cũ (2020)", "Former communes (2020)"),
    "col_n_old_communes": ("Số xã cũ", "Former communes (count)"),
    # carried over: a 2020 roster on the 2025 map shows posts held before the merger
    "col_chiefs_carried": ("Trưởng CA các xã cũ (2020)", "Former commune chiefs (2020)"),
    "col_deputies_carried": ("Phó Trưởng CA các xã cũ (2020)",
                             "Former commune deputy chiefs (2020)"),
    "col_officers_carried": ("CAV các xã cũ (2020)", "Former commune officers (2020)"),
    "col_reinforcements_carried": ("Tăng cường các xã cũ (2020)",
                                   "Former commune reinforcements (2020)"),
    "col_trained_carried": ("Đã tập huấn, các xã cũ (2020)", "Former communes: trained (2020)"),
    "col_total_police_carried": ("Tổng số các xã cũ (2020)", "Former communes: total (2020)"),
    "col_staffing_gap_carried": ("Thiếu biên chế các xã cũ (2020)",
                                 "Former communes' shortfall (2020)"),
    "col_staffing_surplus_carried": ("Vượt biên chế các xã cũ (2020)",
                                     "Former communes' surplus (2020)"),
    "carried_over_note": ("Số liệu chuyển từ bản đồ 2020: vị trí các xã cũ nắm giữ trước sáp "
                          "nhập (không phải biên chế của đơn vị mới).",
                          "Carried over from the 2020 map: posts held by the former communes "
                          "before the merger (not the new unit's staffing)."),
    "carried_over_short": ("Chuyển từ bản đồ 2020 (trước sáp nhập)",
                           "Carried over from the 2020 map (before the merger)"),
    "roster_map": ("Danh sách lực lượng", "Roster shown"),
    "roster_vintage": ("Bản đồ của danh sách", "Map the roster is keyed to"),
    "roster_keyed": ("Danh sách theo bản đồ {vintage}.", "Keyed to the {vintage} map."),
    "roster_map_native": ("Theo bản đồ đang xem", "Keyed to this map"),
    "roster_map_2020": ("Vị trí trước sáp nhập (danh sách 2020)",
                        "Posts held before the merger (2020 roster)"),
    # reform page
    "nav_reform": ("Trước và sau sắp xếp", "Before and after the reform"),
    "reform_title": ("Trước và sau sắp xếp đơn vị hành chính (1/7/2025)",
                     "Before and after the reform of 1 July 2025"),
    "reform_caption": ("Mỗi dòng là một đơn vị mới (2025): các xã cũ, vị trí năm 2020 (chuyển "
                       "sang) và vị trí hiện nay; thiếu biên chế được cộng, không bù trừ.",
                       "One row per 2025 unit: its former communes, their 2020 posts (carried "
                       "over) and the posts now; shortfalls are summed, never netted."),
    "reform_map_before": ("Thiếu biên chế trước sáp nhập", "Shortfall before the merger"),
    "reform_map_now": ("Thiếu biên chế hiện nay", "Shortfall now"),
    "col_old_codes": ("Mã các xã cũ", "Former codes"),
    "col_chiefs_2020": ("Trưởng (2020)", "Chiefs (2020)"),
    "col_deputies_2020": ("Phó (2020)", "Deputies (2020)"),
    "col_officers_2020": ("CAV (2020)", "Officers (2020)"),
    "col_reinforcements_2020": ("Tăng cường (2020)", "Reinforcements (2020)"),
    "col_shortfall_2020": ("Thiếu (2020)", "Shortfall (2020)"),
    "col_surplus_2020": ("Thừa (2020)", "Surplus (2020)"),
    "col_chiefs_now": ("Trưởng (nay)", "Chiefs (now)"),
    "col_deputies_now": ("Phó (nay)", "Deputies (now)"),
    "col_officers_now": ("CAV (nay)", "Officers (now)"),
    "col_reinforcements_now": ("Tăng cường (nay)", "Reinforcements (now)"),
    "col_shortfall_now": ("Thiếu (nay)", "Shortfall (now)"),
    "col_surplus_now": ("Thừa (nay)", "Surplus (now)"),
    "col_shortfall_change": ("Thay đổi thiếu", "Change in shortfall"),
    "col_province": ("Tỉnh", "Province"),
    "col_approximate": ("Ranh giới gần đúng", "Approximate boundary"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    # data page
    "data_title": ("Dữ liệu: danh sách lực lượng và ranh giới", "Data: roster and boundaries"),
    "partial_update": ("Cập nhật một phần (chỉ thay đổi các xã có trong tệp)",
                       "Partial update (only the communes listed in the file change)"),
    "partial_update_help": (
        "Không chọn: tệp thay thế toàn bộ danh sách và phải có đủ mọi xã của tỉnh.",
        "Unticked: the file replaces the whole roster and must list every xã of the "
        "province."),
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
    "scope": ("Phạm vi (tỉnh)", "Scope (provinces)"),
    "scope_help": ("Tên tỉnh cách nhau bởi dấu phẩy (có dấu hoặc không), «border» (25 tỉnh biên "
                   "giới) hoặc «all» (toàn quốc). Để trống: mặc định theo vai trò.",
                   "Province names separated by commas (with or without diacritics), «border» "
                   "(the 25 border provinces) or «all» (whole country). Empty: the role's "
                   "default."),
    "user_scope_set": ("Đổi phạm vi", "Change scope"),
    "user_scope_done": ("{user} giờ được xem: {scope}.", "{user} may now see: {scope}."),
    "user_role_done": ("{user} giờ là {role}.", "{user} is now {role}."),
    "audit_filter_user": ("Lọc theo người dùng", "Filter by user"),
    "audit_filter_action": ("Lọc theo thao tác", "Filter by action"),
    "user_disable": ("Khoá tài khoản", "Disable account"),
    "user_enable": ("Mở khoá tài khoản", "Enable account"),
    "user_disabled": ("Đã khoá {user}; các phiên của tài khoản này đã kết thúc.",
                      "Disabled {user}; the account's sessions have ended."),
    "user_enabled": ("Đã mở khoá {user}.", "Enabled {user}."),
    "password_change_title": ("Đổi mật khẩu", "Change your password"),
    "password_change_hint": ("Tài khoản này phải đổi mật khẩu trước khi tiếp tục. Mật khẩu mới: "
                             "ít nhất 12 ký tự, không phải mật khẩu phổ biến.",
                             "This account must choose a new password before anything else. "
                             "At least 12 characters, not a common password."),
    "password_current": ("Mật khẩu hiện tại", "Current password"),
    "password_new": ("Mật khẩu mới", "New password"),
    "password_repeat": ("Nhập lại mật khẩu mới", "Repeat the new password"),
    "password_change_button": ("Đổi mật khẩu", "Change password"),
    "password_mismatch": ("Hai mật khẩu mới không giống nhau.", "The two new passwords differ."),
    "password_same": ("Mật khẩu mới phải khác mật khẩu cũ.",
                      "The new password must differ from the old one."),
    "nav_password": ("Đổi mật khẩu", "Change password"),
    "startup_failed": ("Ứng dụng chưa dùng được thư mục dữ liệu {home}: {message}. "
                       "Quản trị viên cần sửa quyền ghi hoặc tệp bị hỏng rồi tải lại trang.",
                       "The app cannot use its data folder {home}: {message}. An administrator "
                       "must fix its permissions or the damaged file, then reload the page."),
    # briefing export
    "export_title": ("Xuất bản tin (PNG, PDF, HTML)", "Export a briefing (PNG, PDF, HTML)"),
    "export_format": ("Định dạng", "Format"),
    "export_marking": ("Độ mật (tuỳ chọn, ví dụ MẬT, NỘI BỘ)",
                       "Classification marking (optional, e.g. MẬT, NỘI BỘ)"),
    "export_title_field": ("Tiêu đề (tuỳ chọn)", "Title (optional)"),
    "export_prepare": ("Tạo tệp", "Prepare file"),
    "export_download": ("Tải {name}", "Download {name}"),
    "legend_units": ("{n} đv", "{n} units"),
    # district atlas
    "atlas_title": ("Tập bản đồ lực lượng Công an xã — {province}",
                    "Commune police atlas — {province}"),
    "atlas_contents": ("Mục lục", "Contents"),
    "atlas_overview": ("Toàn tỉnh: tổng quan", "Province overview"),
    "atlas_col_page": ("Trang", "Page"),
    "atlas_col_district": ("Huyện", "District"),
    "atlas_col_units": ("Số đơn vị", "Units"),
    "atlas_col_police": ("Tổng công an", "Police"),
    "atlas_col_gap": ("Thiếu", "Gap"),
    "atlas_locator": ("Vị trí trong tỉnh", "Location in the province"),
    "atlas_district_subtitle": ("{district} · {n} đơn vị · bản đồ hành chính {vintage}",
                                "{district} · {n} units · {vintage} administrative map"),
    "atlas_grouped_2025": ("Bản đồ 2025 không có cấp huyện: các đơn vị được nhóm theo huyện cũ "
                           "(bản đồ 2020) qua bảng chuyển đổi chính thức.",
                           "The 2025 map has no districts: units are grouped by their former "
                           "(2020) district through the official crosswalk."),
    "atlas_former_district": ("Huyện cũ (2020): {district}", "Former district (2020): {district}"),
    "atlas_h_chiefs": ("Tr.", "Chf"),
    "atlas_h_deputies": ("PTr.", "Dep"),
    "atlas_h_officers": ("CAV", "Off"),
    "atlas_h_reinforcements": ("TC", "Rnf"),
    "atlas_h_total_police": ("Tổng", "Total"),
    "atlas_h_staffing_gap": ("Thiếu", "Gap"),
    "atlas_h_note": ("Tr.: Trưởng CAX; PTr.: Phó Trưởng CAX; CAV: Công an viên; TC: tăng cường; "
                     "Thiếu: vị trí còn thiếu so với định mức.",
                     "Chf: chiefs; Dep: deputy chiefs; Off: officers; Rnf: reinforcements; "
                     "Gap: posts missing against the minimum."),
    "atlas_progress": ("Tập bản đồ: trang {i}/{n} — {name}", "Atlas: page {i}/{n} — {name}"),
    "export_atlas": ("Tạo tập bản đồ theo huyện (PDF)", "Make the district atlas (PDF)"),
    # downloads: provenance sheet
    "sheet_communes": ("Danh sách xã", "Danh sách xã"),
    "sheet_provenance": ("Nguồn dữ liệu", "Nguồn dữ liệu"),
    "prov_item": ("Mục", "Item"),
    "prov_value": ("Nội dung", "Value"),
    "prov_boundaries": ("Nguồn ranh giới", "Boundary source"),
    "prov_roster": ("Danh sách lực lượng", "Roster"),
    "prov_roster_sample": ("Dữ liệu mẫu — không phải phân công thực tế",
                           "Sample data — not real assignments"),
    "prov_roster_version": ("Phiên bản {version} ({source})", "Version {version} ({source})"),
    "prov_as_of": ("Số liệu đến ngày", "Data as of"),
    "prov_vintage": ("Bản đồ hành chính", "Administrative map"),
    "prov_province": ("Tỉnh", "Province"),
    "prov_filters": ("Bộ lọc", "Filters"),
    "prov_rows": ("Số dòng", "Rows"),
    "prov_made": ("Ngày xuất", "Exported on"),
    "prov_trained": ("Đã tập huấn (tổng các dòng)", "Trained (sum of rows)"),
    "prov_reinforcements": ("Tăng cường (tổng các dòng)", "Reinforcements (sum of rows)"),
    "prov_origins": ("Đơn vị tăng cường", "Reinforcement origins"),
    "prov_marking": ("Dữ liệu mẫu", "Sample data"),
    "prov_unknown": ("không rõ", "unknown"),
    "prov_note": ("Ghi chú", "Note"),
    "col_reinforcement_origin": ("Đơn vị tăng cường", "Reinforcement origin"),
    # briefing exports (PNG, PDF, HTML, atlas)
    'brief_title': ('Lực lượng Công an xã — {province}',
        'Commune police — {province}'),
    'brief_subtitle': ('{metric} · bản đồ hành chính {vintage} · {n}/{total} đơn vị được chọn',
        '{metric} · {vintage} administrative map · {n}/{total} units selected'),
    'brief_made': ('Lập ngày {date}',
        'Made {date}'),
    'brief_as_of': ('Số liệu quân số đến ngày {date}',
        'Staffing data as of {date}'),
    'brief_as_of_none': ('Số liệu quân số: không rõ ngày',
        'Staffing data: date unknown'),
    'brief_crs': ('Lưới chiếu WGS 84 / UTM 48N (EPSG:32648)',
        'Projection WGS 84 / UTM 48N (EPSG:32648)'),
    'brief_not_selected': ('Không thuộc lựa chọn',
        'Not selected'),
    'brief_lines': ('Đường ranh giới',
        'Lines'),
    'brief_figures': ('Số liệu chính',
        'Key figures'),
    'brief_fig_selected': ('Đơn vị được chọn: {n}',
        'Units selected: {n}'),
    'brief_fig_police': ('Tổng công an (đơn vị chọn): {n}',
        'Police in selection: {n}'),
    'brief_fig_reinf': ('Cán bộ tăng cường (đơn vị chọn): {n}',
        'Reinforcements in selection: {n}'),
    'brief_fig_gap': ('Vị trí còn thiếu (đơn vị chọn): {n}',
        'Missing posts in selection: {n}'),
    'brief_fig_province': ('Toàn tỉnh: {chiefs} Trưởng, {deputies} Phó Trưởng, {officers} CAV',
        'Province: {chiefs} chiefs, {deputies} deputies, {officers} officers'),
    'brief_fig_published': ('Công bố: {chiefs} Trưởng, {deputies} Phó Trưởng, {officers} CAV',
        'Published: {chiefs} chiefs, {deputies} deputies, {officers} officers'),
    'brief_sources': ('Nguồn: ranh giới quốc gia Natural Earth 1:10m; danh mục đơn vị hành chính {vintage} (vietnamadminunits).',
        'Sources: national borders Natural Earth 1:10m; {vintage} administrative register (vietnamadminunits).'),
    'brief_north': ('B',
        'N'),
    'brief_page': ('Trang {i}/{n}',
        'Page {i}/{n}'),
    'brief_filter_all': ('Tất cả các đơn vị cấp xã',
        'All commune-level units'),
    'brief_filter_any': ('Các xã biên giới (Lào hoặc Trung Quốc)',
        'Border communes (Laos or China)'),
    'brief_filter_LAO': ('Các xã biên giới Việt Nam – Lào',
        'Communes on the Vietnam–Laos border'),
    'brief_filter_CHN': ('Các xã biên giới Việt Nam – Trung Quốc',
        'Communes on the Vietnam–China border'),
    'brief_filter_both': ('Các xã giáp cả Lào và Trung Quốc',
        'Communes bordering both Laos and China'),
    'brief_filter_none': ('Các xã không giáp biên giới',
        'Communes not on the border'),
    'brief_table_title': ('Danh sách đơn vị được chọn ({n})',
        'Selected units ({n})'),
    'brief_code': ('Mã',
        'Code'),
    'brief_name': ('Tên đơn vị',
        'Name'),
    'brief_district': ('Huyện',
        'District'),
    'brief_border': ('Biên giới (km)',
        'Border (km)'),
    'brief_chiefs': ('Trưởng',
        'Chiefs'),
    'brief_deputies': ('Phó Trưởng',
        'Deputies'),
    'brief_officers': ('Công an viên',
        'Officers'),
    'brief_reinforcements': ('Tăng cường',
        'Reinf.'),
    'brief_total_police': ('Tổng',
        'Total'),
    'brief_staffing_gap': ('Thiếu',
        'Gap'),
    'brief_totals_title': ('Tổng hợp toàn tỉnh và số liệu công bố',
        'Province totals and published figures'),
    'brief_item': ('Chỉ tiêu',
        'Item'),
    'brief_sel': ('Đơn vị được chọn',
        'Selected units'),
    'brief_prov': ('Toàn tỉnh (dữ liệu)',
        'Province (data)'),
    'brief_pub': ('Số liệu công bố',
        'Published'),
    'brief_diff': ('Chênh lệch (dữ liệu − công bố)',
        'Difference (data − published)'),
    'brief_r_communes': ('Đơn vị hành chính cấp xã',
        'Commune-level units'),
    'brief_r_chiefs': ('Trưởng Công an xã',
        'Commune police chiefs'),
    'brief_r_deputies': ('Phó Trưởng Công an xã',
        'Deputy chiefs'),
    'brief_r_officers': ('Công an viên',
        'Commune police officers'),
    'brief_r_reinforcements': ('Cán bộ tăng cường (Bộ Công an)',
        'Reinforcements (Ministry)'),
    'brief_r_total': ('Tổng số công an',
        'Total police'),
    'brief_r_gap': ('Vị trí còn thiếu so với định mức',
        'Posts missing against the minimum'),
    'brief_r_lao': ('Biên giới với Lào (km)',
        'Border with Laos (km)'),
    'brief_r_chn': ('Biên giới với Trung Quốc (km)',
        'Border with China (km)'),
    'brief_pub_source': ('Số liệu công bố: Công an tỉnh Điện Biên (congan.dienbien.gov.vn) — Trưởng, Phó Trưởng, Công an viên; Bộ Công an tăng cường 28 cán bộ cho các xã biên giới. Biên giới: UBND tỉnh Điện Biên, văn bản 3667/UBND-NC (13/12/2017); Việt Nam – Trung Quốc 40,86 km.',
        'Published figures: Điện Biên provincial police (congan.dienbien.gov.vn) — chiefs, deputies, officers; 28 officers reinforced to border communes by the Ministry. Border: UBND tỉnh Điện Biên 3667/UBND-NC (13/12/2017); Vietnam–China 40.86 km.'),
    'brief_km_note': ('Chiều dài biên giới của dữ liệu đo trên đường biên Natural Earth 1:10m (ngắn hơn đường biên thực tế do mức khái quát hóa).',
        "The data's border lengths are measured on the Natural Earth 1:10m line (shorter than the surveyed border because of generalisation)."),
    'brief_total_row': ('Tổng các đơn vị được chọn',
        'Total of selected units'),
    # briefings of several provinces (geo/export/national.py)
    "nat_n_provinces": ("{n} tỉnh", "{n} provinces"),
    "nat_filter_any": ("Các xã biên giới (Lào, Trung Quốc hoặc Campuchia)",
                       "Border communes (Laos, China or Cambodia)"),
    "nat_roster_sample": ("dữ liệu mẫu", "sample data"),
    "nat_roster_version": ("phiên bản {version}", "version {version}"),
    "nat_fig_provinces": ("Số tỉnh: {n}", "Provinces: {n}"),
    "nat_fig_border_units": ("Xã biên giới: {n} / {total} đơn vị",
                             "Border units: {n} of {total} units"),
    "nat_col_province": ("Tỉnh", "Province"),
    "nat_col_units": ("Số xã", "Units"),
    "nat_col_border_units": ("Xã biên giới", "Border units"),
    "nat_col_selected": ("Được chọn", "Selected"),
    "nat_col_border_km": ("Biên giới (km)", "Border (km)"),
    "nat_col_roster": ("Số liệu quân số", "Staffing data"),
    "nat_total": ("Tổng cộng", "Total"),
    "nat_totals_title": ("Tổng hợp theo tỉnh ({n} tỉnh)", "Totals by province ({n} provinces)"),
    "nat_totals_note": ("Quân số (Trưởng … Thiếu) là tổng của các đơn vị được chọn; số xã và "
                        "số xã biên giới là của toàn tỉnh.",
                        "Staffing counts (chiefs … gap) are sums over the selected units; units "
                        "and border units are the whole province's."),
    "nat_section": ("{province} — {n} đơn vị", "{province} — {n} units"),
    "nat_section_cont": ("{province} (tiếp)", "{province} (continued)"),
    "nat_subtotal": ("Cộng {province}", "Subtotal {province}"),
    "nat_step_load": ("tải {province}", "loading {province}"),
    "nat_step_map": ("bản đồ", "map"),
    "nat_step_totals": ("tổng hợp theo tỉnh", "totals by province"),
    "nat_step_table": ("bảng: {what}", "table: {what}"),

}

#: Messages of validation, uploads, boundaries and sign-in (geo/i18n_messages.py).
STRINGS.update(MESSAGES)
STRINGS.update(NATIONAL_STRINGS)


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
