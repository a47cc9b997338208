"""Strings of the national overview page, in Vietnamese and English.

Part of the one catalogue :data:`geo.i18n.STRINGS` (merged there). Imports
nothing from the domain.
"""

from __future__ import annotations

#: key → (Vietnamese, English). ``{name}`` placeholders are filled by :func:`geo.i18n.t`.
NATIONAL_STRINGS: dict[str, tuple[str, str]] = {
    "nav_national": ("Toàn quốc", "National overview"),
    "national_export": ("Báo cáo các tỉnh biên giới (PDF): bản đồ, tổng theo tỉnh, xã biên giới "
                        "từng tỉnh", "Briefing of the border provinces (PDF): map, totals by "
                        "province, each province's border communes"),
    "national_export_all": ("Liệt kê mọi xã (không chỉ xã biên giới)",
                            "List every commune (not only border communes)"),
    "export_step": ("{i}/{n} · {what}", "{i}/{n} · {what}"),
    "national_title": ("Các tỉnh biên giới — toàn quốc", "Border provinces — national overview"),
    "national_scope_2020": ("25 tỉnh có đường biên giới đất liền (bản đồ 2020)",
                            "The 25 land-border provinces (2020 map)"),
    "national_scope_2025": ("{n} tỉnh (bản đồ 2025) gồm 25 tỉnh biên giới trước sáp nhập",
                            "{n} provinces (2025 map) that took in the 25 land-border provinces"),
    "national_metric": ("Tô màu theo", "Shade by"),
    "nmetric_border_communes": ("Số xã biên giới", "Border communes"),
    "nmetric_border_km": ("Chiều dài biên giới (km)", "Border length (km)"),
    "nmetric_reinforcements": ("Tăng cường", "Reinforcements"),
    "nmetric_staffing_gap": ("Thiếu biên chế (số vị trí)", "Staffing shortfall (missing posts)"),
    "national_totals": ("Tổng toàn quốc (cộng các tỉnh)", "National totals (sum of the provinces)"),
    "national_scope_own": ("{n} tỉnh biên giới trong phạm vi tài khoản (bản đồ {vintage})",
                           "The {n} border provinces in this account's scope ({vintage} map)"),
    "national_totals_own": ("Tổng các tỉnh trong phạm vi (cộng các tỉnh)",
                            "Totals of the provinces in scope (sum of the provinces)"),
    "national_published": ("công bố: gần {value} (cả nước)", "published: nearly {value} nationwide"),
    "national_published_source": ("Số công bố: {source}", "Published figure: {source}"),
    "national_computed": ("tính từ lớp gần đúng", "computed, approximate layer"),
    "national_sample_rosters": (
        "Quân số, tăng cường và thiếu biên chế: {n}/{total} tỉnh dùng dữ liệu mẫu — không phải "
        "phân công thực tế.",
        "Police, reinforcements and shortfall: {n} of {total} provinces use sample data — not "
        "real assignments."),
    "national_computed_flags": (
        "Xã biên giới và chiều dài biên giới được tính từ ranh giới gần đúng (không phải danh "
        "sách chính thức) trừ nơi đã nạp danh sách chính thức.",
        "Border communes and border lengths are computed from approximate boundaries (not "
        "official lists) except where an official list is loaded."),
    "national_by_country": ("Theo nước láng giềng", "By neighbouring country"),
    "national_by_country_note": (
        "Một xã giáp hai nước được tính cho cả hai nước.",
        "A commune on two borders counts for both countries."),
    "national_by_province": ("Theo tỉnh", "By province"),
    "national_drill": ("Xem các xã của tỉnh", "Show the communes of"),
    "national_drill_hint": ("Bấm vào một tỉnh trên bản đồ hoặc chọn trong danh sách.",
                            "Click a province on the map or choose it from the list."),
    "national_communes_of": ("Các xã của {province}", "Communes of {province}"),
    "national_border_only": ("Chỉ xã biên giới", "Border communes only"),
    "col_countries": ("Giáp nước", "Borders"),
    "col_border_km_khm": ("Biên giới Campuchia (km)", "Cambodia border (km)"),
    "col_border_km": ("Chiều dài biên giới (km)", "Border length (km)"),
    "col_provinces": ("Số tỉnh", "Provinces"),
    "col_country": ("Nước", "Country"),
    "col_sample_roster": ("Dữ liệu mẫu", "Sample data"),
    "col_published_reinforcements": ("Tăng cường (công bố)", "Reinforcements (published)"),
    "national_province_tooltip": ("Tỉnh", "Province"),
}
