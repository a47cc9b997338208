"""Messages of validation, uploads, boundary files and sign-in, in Vietnamese and English.

Part of the one catalogue :data:`geo.i18n.STRINGS` (merged there): the domain
builds its messages in English (the CLI, logs and tests read them), and
:func:`geo.i18n_localize.localize` finds the entry a message was built from and
renders it in the page's language. Each English template is the exact wording of
the domain module named in the comment above it, with ``{placeholders}`` where
values go; a message of the app's error paths without an entry fails
``tests/test_i18n_walk.py``.
"""

from __future__ import annotations

#: key → (Vietnamese, English template). Placeholders match between the two.
MESSAGES: dict[str, tuple[str, str]] = {
    # geo/roster/values.py: cell values
    "m_count_empty": ("ô trống; ghi 0 nếu không có ai", "empty; write 0 if there are none"),
    "m_not_finite": ("{v} không phải là số hữu hạn", "{v} is not a finite number"),
    "m_not_number": ("{v} không phải là số", "{v} is not a number"),
    "m_negative": ("{v} là số âm", "{v} is negative"),
    "m_not_whole": ("{v} không phải là số nguyên", "{v} is not a whole number"),
    "m_ambiguous": ("{v} không rõ nghĩa (dấu phân cách hàng nghìn?); hãy ghi số nguyên, không "
                    "dùng dấu phân cách",
                    "{v} is ambiguous (thousands separator?); write the whole number without "
                    "separators"),
    "m_huge": ("{v} lớn hơn {max} cho một xã", "{v} is more than {max} for one commune"),
    "m_bad_date": ("{v} không phải là ngày hợp lệ (ghi yyyy-mm-dd hoặc dd/mm/yyyy)",
                   "{v} is not a valid date (use yyyy-mm-dd or dd/mm/yyyy)"),
    "m_role_empty": ("chức danh trống; ghi Trưởng Công an xã, Phó Trưởng Công an xã, Công an "
                     "viên hoặc tăng cường",
                     "role is empty; use chief, deputy, officer or reinforcement"),
    "m_role_bad": ("{v} không phải là chức danh; ghi Trưởng Công an xã, Phó Trưởng Công an xã, "
                   "Công an viên hoặc tăng cường",
                   "{v} is not a role; use chief, deputy, officer or reinforcement (or Trưởng "
                   "Công an xã, Phó Trưởng Công an xã, Công an viên, tăng cường)"),
    "m_yesno_empty": ("ô trống; ghi có/không hoặc 1/0", "empty; write yes/no, 1/0 or có/không"),
    "m_yesno_bad": ("{v} không phải là có hoặc không; ghi có/không hoặc 1/0",
                    "{v} is not yes or no; write yes/no, 1/0 or có/không"),
    "m_formula": ("công thức chưa có giá trị đã lưu — hãy mở và lưu lại tệp trong Excel, hoặc "
                  "nhập trực tiếp {what}",
                  "formula without a saved value — open and save the file in Excel, or type "
                  "the {what}"),
    "m_future_date": ("{v} là ngày trong tương lai (hôm nay là {today}); hãy kiểm tra năm",
                      "{v} is a date in the future (today is {today}); check the year"),
    # geo/roster/rules.py
    "m_date_empty": ("ô trống; ghi ngày của số liệu (yyyy-mm-dd)",
                     "empty; write the date the counts hold (yyyy-mm-dd)"),
    "m_no_commune": ("không có xã: cột mã xã (hoặc tên xã) trống",
                     "no commune: commune_code (or commune_name) is empty"),
    "m_skipped_rows": ("đã bỏ qua {n} dòng không có số liệu nào (dòng {rows})",
                       "{n} row(s) without any count skipped (rows {rows})"),
    "m_chiefs_rows": ("xã {c} có {n} Trưởng Công an xã (dòng {rows}); mỗi xã có nhiều nhất một "
                      "Trưởng Công an xã",
                      "commune {c} has {n} chiefs (rows {rows}); a commune has at most one "
                      "chief"),
    "m_code_format": ("{v} không phải là mã xã 5 chữ số", "{v} is not a 5-digit commune code"),
    "m_code_outside": ("xã {unit} không thuộc {province}", "commune {unit} is outside {province}"),
    "m_code_unknown": ("mã xã {c} không có (không có trong danh mục {vintage})",
                       "unknown commune code {c} (not in the {vintage} registry)"),
    "m_chiefs": ("{n} Trưởng Công an xã; mỗi xã có nhiều nhất một Trưởng Công an xã",
                 "{n} chiefs; a commune has at most one chief"),
    "m_trained_over": ("{t} người đã tập huấn nhưng xã chỉ có {s} người",
                       "{t} trained but only {s} staff in the commune"),
    "m_count_over": ("xã {c} có {v} {what}, nhiều hơn {max}",
                     "commune {c} has {v} {what}, more than {max}"),
    "m_reinf_interior": ("{n} cán bộ tăng cường ở {unit}, không phải xã biên giới",
                         "{n} reinforcement(s) in {unit}, which is not a border commune"),
    "m_duplicate": ("xã {c} bị lặp: đã có ở dòng {row}",
                    "duplicate commune {c}: also in row {row}"),
    # geo/matching.py
    "m_name_outside": ("không có xã tên {name} ở {province}; ngoài tỉnh: {shown}",
                       "no commune named {name} in {province}; outside the province: {shown}"),
    "m_name_unknown": ("không có xã tên {name} ở {province} (danh mục {vintage})",
                       "no commune named {name} in {province} ({vintage} registry)"),
    "m_name_district": ("không có xã tên {name} ở huyện {district}; tìm thấy {shown}",
                        "no commune named {name} in district {district}; found {shown}"),
    "m_name_ambiguous": ("tên xã {name} trùng với {n} xã: {shown}; hãy ghi thêm huyện hoặc mã xã",
                         "commune name {name} matches {n} communes: {shown}; add the district "
                         "or use commune_code"),
    "m_code_name": ("mã xã {code} là {unit} nhưng cột tên xã ghi {name}; hãy kiểm tra bên nào "
                    "đúng",
                    "commune_code {code} is {unit} but the name column says {name}; check which "
                    "one is right"),
    "m_code_district": ("mã xã {code} thuộc {unit} nhưng cột huyện ghi {district}",
                        "commune_code {code} is in {unit} but the district column says "
                        "{district}"),
    # geo/roster/columns.py
    "m_col_letter": ("cột {letter}", "column {letter}"),
    "m_no_header": ("đã bỏ qua các giá trị ở cột không có tiêu đề",
                    "values under a column without a header were ignored"),
    "m_personal": ("đã bỏ cột dữ liệu cá nhân: họ tên và số định danh không cần và không bao "
                   "giờ được lưu",
                   "personal data column dropped: names and identifiers are not needed and "
                   "never stored"),
    "m_unknown_col": ("đã bỏ qua cột không xác định", "unknown column ignored"),
    "m_col_twice": ("cột {canon} xuất hiện hai lần (cột {a} và {b})",
                    "column {canon} appears twice (columns {a} and {b})"),
    "m_extra_values": ("nhiều giá trị hơn số cột tiêu đề ({n}); hãy kiểm tra dấu phân cách và "
                       "dấu ngoặc kép",
                       "more values than header columns ({n}); check the delimiter and quotes"),
    # geo/roster/read.py
    "m_utf32": ("không giải mã được văn bản UTF-32 tại byte {at}; hãy lưu tệp dạng CSV UTF-8",
                "undecodable UTF-32 text at byte {at}; save the file as CSV UTF-8"),
    "m_utf16": ("không giải mã được văn bản UTF-16 tại byte {at}",
                "undecodable UTF-16 text at byte {at}"),
    "m_binary": ("tệp nhị phân: không phải danh sách CSV hoặc XLSX",
                 "binary file: not a CSV or XLSX roster"),
    "m_utf8_bad": ("không giải mã được văn bản: byte 0x{b} không hợp lệ trong UTF-8 (phần lớn "
                   "tệp là UTF-8); hãy lưu lại dạng CSV UTF-8",
                   "undecodable text: invalid UTF-8 byte 0x{b} (the file is mostly UTF-8); save "
                   "it again as CSV UTF-8"),
    "m_1258_bad": ("không giải mã được văn bản: byte 0x{b} không phải UTF-8 cũng không phải "
                   "Windows-1258; hãy lưu tệp dạng CSV UTF-8",
                   "undecodable text: byte 0x{b} is neither UTF-8 nor Windows-1258; save the "
                   "file as CSV UTF-8"),
    "m_bad_csv": ("tệp CSV sai định dạng (chi tiết kỹ thuật: {err})", "malformed CSV: {err}"),
    "m_bad_xlsx": ("không đọc được bảng tính (không phải tệp .xlsx hợp lệ; chi tiết kỹ thuật: "
                   "{err})",
                   "unreadable spreadsheet (not a valid .xlsx file): {err}"),
    "m_no_sheet": ("sổ tính không có trang nào", "the workbook has no sheet"),
    "m_sheet_name": ("không có trang tên {sheet}; các trang: {sheets}",
                     "no sheet named {sheet}; sheets: {sheets}"),
    "m_unreadable_xlsx": ("không đọc được bảng tính (chi tiết kỹ thuật: {err})",
                          "unreadable spreadsheet: {err}"),
    "m_too_big": ("tệp có {n} byte, nhiều hơn mức {max} byte cho phép",
                  "file is {n} bytes, more than the {max} accepted"),
    "m_cannot_read": ("không đọc được tệp (chi tiết kỹ thuật: {err})",
                      "cannot read the file: {err}"),
    "m_empty_file": ("tệp trống", "empty file"),
    "m_xls": ("không hỗ trợ định dạng Excel .xls cũ; hãy lưu dạng .xlsx hoặc CSV",
              "old Excel .xls format is not supported; save as .xlsx or CSV"),
    # geo/roster/validate.py
    "m_vintage_value": ("{v} không phải là bản đồ; ghi 2020 hoặc 2025",
                        "{v} is not a map; write 2020 or 2025"),
    "m_both_maps": ("tệp ghi cả hai bản đồ (2020 và 2025); mỗi danh sách chỉ theo một bản đồ",
                    "the file names both maps (2020 and 2025); a roster is kept for one map"),
    "m_map_conflict": ("tệp ghi là theo bản đồ {in_file}, nhưng được nạp như bản đồ {asked}",
                       "the file says it is keyed to the {in_file} map, but it was given as the "
                       "{asked} map"),
    "m_map_unknown": ("không xác định được danh sách này theo bản đồ hành chính nào: {reason}; "
                      "hãy cho biết đó là bản đồ 2020 hay 2025",
                      "cannot tell which administrative map this roster is keyed to: {reason}; "
                      "say whether it is the 2020 or the 2025 map"),
    "m_map_default": ("{reason}: đã kiểm tra theo bản đồ {vintage}, bản đồ đang có hiệu lực; "
                      "nếu là bản đồ 2020 hãy chọn lại",
                      "{reason}: checked against the {vintage} map, the map in force; say so if "
                      "it is the 2020 map"),
    "m_map_wrong": ("danh sách này theo bản đồ {found}, không phải bản đồ {named}: {reason}",
                    "this roster is keyed to the {found} map, not the {named} map: {reason}"),
    "m_above_header": ("đã bỏ qua các dòng 1–{n} phía trên dòng tiêu đề",
                       "rows 1–{n} above the header were ignored"),
    "m_missing_col": ("thiếu cột bắt buộc {col}", "missing required column {col}"),
    "m_no_rows": ("không có dòng dữ liệu nào dưới dòng tiêu đề", "no data rows under the header"),
    "m_sheet_csv": ("đã bỏ qua tên trang {sheet}: tệp là CSV",
                    "sheet={sheet} ignored: the file is CSV"),
    "m_no_districts": ("bản đồ {vintage} không có cấp huyện; đã bỏ qua cột này",
                       "the {vintage} map has no districts; the column is ignored"),
    "m_no_counts": ("không xã nào có số liệu", "no commune has counts"),
    # geo/roster/vintage.py: why a roster belongs to a map
    "m_only_map": ("{n} mã chỉ có trên bản đồ {vintage} ({examples})",
                   "{n} code(s) exist only on the {vintage} map ({examples})"),
    "m_names_beside": ("tên ghi cạnh {n} mã là đơn vị của bản đồ {vintage} ({examples})",
                       "the names beside {n} code(s) are {vintage} units ({examples})"),
    "m_names_only": ("{n} tên chỉ có trên bản đồ {vintage} ({examples})",
                     "{n} name(s) exist only on the {vintage} map ({examples})"),
    "m_district_col": ("cột huyện ghi các huyện của {province}, mà bản đồ 2025 không có cấp "
                       "huyện",
                       "its district column names districts of {province}, and the 2025 map has "
                       "none"),
    "m_mixed_maps": ("tệp trộn lẫn hai bản đồ: {reasons}",
                     "the file mixes the two maps: {reasons}"),
    "m_all_2025": ("{n} mã của tệp là các đơn vị của {province} trên bản đồ 2025 ({total} đơn vị)",
                   "its {n} codes are the units of {province} on the 2025 map ({total} units)"),
    "m_both_vintages": ("mã và tên trong tệp đều có trên cả bản đồ 2020 và 2025",
                        "its codes and names exist on both the 2020 and the 2025 map"),
    # geo/plausibility.py
    "m_date_early": ("{v} của xã {c} trước ngày {min}; hãy ghi ngày của số liệu",
                     "{v} for commune {c} is before {min}; write the date the counts hold"),
    "m_all_zero": ("mọi số liệu của {n} xã đều bằng 0; danh sách không có ai tại vị là không "
                   "hợp lý (ô trống ở cột số liệu bắt buộc là lỗi, không phải 0)",
                   "every count of the {n} commune(s) is 0; a roster with nobody in post is not "
                   "plausible (an empty cell of a required count is an error, not 0)"),
    "m_missing_units": ("danh sách có {n} trong {total} xã của {province}; thiếu: {missing}. Danh "
                        "sách thay thế toàn bộ tỉnh: hãy ghi đủ mọi xã, hoặc chọn cập nhật một "
                        "phần (khi đó chỉ các xã có trong tệp thay đổi)",
                        "the roster lists {n} of the {total} communes of {province}; missing: "
                        "{missing}. A roster replaces the whole province: list every commune, or "
                        "declare the file a partial update (then only the listed communes "
                        "change)"),
    "m_partial": ("cập nhật một phần: chỉ {n} xã có trong tệp thay đổi; {m} xã còn lại của "
                  "{province} giữ nguyên số liệu hiện có",
                  "partial update: only the {n} listed commune(s) change; the other {m} of "
                  "{province} keep their current counts"),
    "m_partial_none": ("cập nhật một phần cần có danh sách đã lưu, nhưng chưa có danh sách nào; "
                       "hãy nạp trước một danh sách đủ mọi xã",
                       "a partial update needs a stored roster to update, and none was imported "
                       "yet; import a roster listing every commune first"),
    "m_partial_other": ("danh sách hiện hành là của {a} ({av}), không phải {b} ({bv}); không thể "
                        "cập nhật một phần",
                        "the current roster is for {a} ({av}), not {b} ({bv}); a partial update "
                        "cannot apply to it"),
    # geo/filebounds.py: bounded checks before parsing
    "m_fix_sheet": ("; hãy xoá các dòng và cột trống quanh dữ liệu (hoặc chép bảng sang trang "
                    "mới) rồi lưu lại",
                    "; delete the empty rows and columns around the data (or copy the table "
                    "into a new sheet) and save again"),
    "m_sheet_size": ("trang {label} khai báo kích thước {ref} ({r} dòng × {c} cột), vượt mức "
                     "{mr} dòng × {mc} cột cho phép{fix}",
                     "sheet {label} declares its size as {ref} ({r} rows × {c} columns), more "
                     "than the {mr} rows × {mc} columns accepted{fix}"),
    "m_sheet_rows": ("trang {label} có dữ liệu ở dòng {r}, vượt mức {mr} dòng cho phép{fix}",
                     "sheet {label} has data in row {r}, past the {mr} rows accepted{fix}"),
    "m_sheet_cell_row": ("trang {label} có ô ở dòng {r}, vượt mức {mr} dòng cho phép{fix}",
                         "sheet {label} has a cell in row {r}, past the {mr} rows accepted{fix}"),
    "m_sheet_cell_col": ("trang {label} có ô ở cột {c}, vượt mức {mc} cột cho phép{fix}",
                         "sheet {label} has a cell in column {c}, past the {mc} columns "
                         "accepted{fix}"),
    "m_sheet_cells": ("trang {label} có hơn {n} ô{fix}",
                      "sheet {label} has more than {n} cells{fix}"),
    "m_part_big": ("{label} lớn hơn {n} byte khi giải nén",
                   "{label} is larger than {n} bytes uncompressed"),
    "m_dtd": ("phần {part} khai báo DTD hoặc thực thể XML ({err}); sổ tính do chương trình bảng "
              "tính "
              "lưu không bao giờ như vậy — bị từ chối",
              "part {part} declares a DTD or XML entities ({err}); a workbook saved by a "
              "spreadsheet program never does — refused"),
    "m_bad_xml": ("phần {part} không phải XML hợp lệ (chi tiết kỹ thuật: {err})",
                  "part {part} is not well-formed XML ({err})"),
    "m_damaged_part": ("sổ tính bị hỏng, không đọc được phần {part} (chi tiết kỹ thuật: {err})",
                       "damaged workbook, part {part} cannot be read ({err})"),
    "m_parts": ("sổ tính có {n} phần, nhiều hơn mức {max} cho phép",
                "the workbook has {n} parts, more than the {max} accepted"),
    "m_shared_strings": ("bảng chuỗi dùng chung có {n} byte, nhiều hơn mức {max} cho phép",
                         "the shared-strings table is {n} bytes, more than the {max} accepted"),
    "m_part_size": ("phần {part} có {n} byte khi giải nén, nhiều hơn mức {max} cho phép",
                    "part {part} is {n} bytes uncompressed, more than the {max} accepted"),
    "m_hidden_first": ("trang đầu {sheet} đang {what} trong Excel; trang này không được đọc nếu "
                       "không ghi rõ tên (các trang hiện: {visible})",
                       "the first sheet {sheet} is {what} in Excel; it is not read without being "
                       "named (visible sheets: {visible})"),
    "m_hidden_named": ("trang {sheet} đang {what} trong Excel; vẫn đọc vì đã ghi rõ tên",
                       "sheet {sheet} is {what} in Excel; read because it was named"),
    "m_lines": ("{n} dòng, nhiều hơn mức {max} cho phép",
                "{n} lines, more than the {max} accepted"),
    "m_line_long": ("dòng {i} dài {n} byte, nhiều hơn mức {max} cho phép",
                    "line {i} is {n} bytes long, more than the {max} accepted"),
    "m_line_fields": ("dòng {i} có {n} trường, nhiều hơn mức {max} cột cho phép",
                      "line {i} has {n} fields, more than the {max} columns accepted"),
    "m_no_workbook": ("không đọc được bảng tính (không phải tệp .xlsx hợp lệ): thiếu "
                      "xl/workbook.xml",
                      "unreadable spreadsheet (not a valid .xlsx file): no xl/workbook.xml"),
    # geo/roster/problems.py
    "m_more_problems": ("… và {n} lỗi cùng loại nữa (dòng {first}–{last}); mỗi loại chỉ liệt kê "
                        "{max} mục đầu",
                        "… and {n} more problems of this kind (rows {first}–{last}); only the "
                        "first {max} of each kind are listed"),
    # geo/uploads.py: refused before parsing
    "m_up_empty": ("tệp trống", "the file is empty"),
    "m_up_csv_zip": ("đây là sổ tính Excel hoặc tệp zip, không phải CSV; hãy đổi đuôi thành "
                     ".xlsx hoặc xuất ra CSV",
                     "this is an Excel workbook or a zip, not CSV; rename it to .xlsx or export "
                     "it as CSV"),
    "m_up_csv_binary": ("dữ liệu nhị phân, không phải tệp văn bản CSV",
                        "binary data, not a CSV text file"),
    "m_up_xls": ("sổ tính .xls cũ hoặc có mật khẩu; hãy lưu dạng .xlsx không đặt mật khẩu",
                 "an old .xls or password-protected workbook; save it as .xlsx without a "
                 "password"),
    "m_up_not_xlsx": ("không phải sổ tính .xlsx", "not an .xlsx workbook"),
    "m_up_zip_empty": ("tệp zip trống", "the zip archive is empty"),
    "m_up_not_zip": ("không phải tệp zip", "not a zip archive"),
    "m_up_not_shp": ("không phải tệp shapefile {suffix} (phần đầu sai hoặc bị cắt cụt)",
                     "not a shapefile {suffix} (bad or truncated header)"),
    "m_up_shp_len": ("phần đầu ghi {declared} byte nhưng tệp có {size} — bị cắt cụt hoặc hỏng",
                     "the header says {declared} bytes but the file has {size} — truncated or "
                     "damaged"),
    "m_up_not_dbf": ("không phải bảng dBASE .dbf (phần đầu sai hoặc bị cắt cụt)",
                     "not a dBASE .dbf table (bad or truncated header)"),
    "m_up_text_binary": ("dữ liệu nhị phân, không phải tệp văn bản {suffix}",
                         "binary data, not a text {suffix} file"),
    "m_up_not_gpkg": ("không phải tệp GeoPackage (SQLite)", "not a GeoPackage (SQLite) file"),
    "m_up_not_geojson": ("không phải đối tượng GeoJSON (phải bắt đầu bằng '{{')",
                         "not a GeoJSON object (it must start with '{{')"),
    "m_up_nul": ("tên thành phần chứa byte NUL: {raw}", "member name with a NUL byte: {raw}"),
    "m_up_abs": ("thành phần {raw} có đường dẫn tuyệt đối; bị từ chối",
                 "member {raw} has an absolute path; refused"),
    "m_up_dotdot": ("thành phần {raw} trỏ ra ngoài tệp nén (..); bị từ chối",
                    "member {raw} points outside the archive (..); refused"),
    "m_up_symlink": ("thành phần {raw} là liên kết tượng trưng; bị từ chối",
                     "member {raw} is a symbolic link; refused"),
    "m_up_encrypted": ("thành phần {raw} bị mã hoá; hãy tải lên tệp zip không mã hoá",
                       "member {raw} is encrypted; upload an unencrypted zip"),
    "m_up_members": ("{n} thành phần, nhiều hơn mức {max} cho phép",
                     "{n} members, more than the {max} accepted"),
    "m_up_twice": ("thành phần {raw} xuất hiện hai lần; bị từ chối",
                   "member {raw} appears twice; refused"),
    "m_up_ratio": ("thành phần {raw} giãn {ratio}:1 (thành {size}), vượt mức {max}:1 — bị từ "
                   "chối vì có thể là bom zip",
                   "member {raw} expands {ratio}:1 (to {size}), more than {max}:1 — refused as "
                   "a possible zip bomb"),
    "m_up_total": ("dung lượng giải nén vượt {max} — bị từ chối vì có thể là bom zip",
                   "uncompressed size over {max} — refused as a possible zip bomb"),
    "m_up_damaged": ("tệp zip bị hỏng hoặc bị cắt cụt (chi tiết kỹ thuật: {err})",
                     "damaged or truncated zip archive ({err})"),
    "m_up_zip_not_xlsx": ("là tệp zip nhưng không phải sổ tính .xlsx",
                          "a zip but not an .xlsx workbook"),
    "m_up_limit": ("{size} vượt giới hạn tải lên {max} (BORDERMAP_MAX_UPLOAD_MB)",
                   "{size} is more than the {max} upload limit (BORDERMAP_MAX_UPLOAD_MB)"),
    "m_up_kind": ("tệp {kind} phải có đuôi {allowed}, không phải {suffix}",
                  "a {kind} upload must be {allowed}, not {suffix}"),
    "m_up_more_data": ("nhiều dữ liệu hơn khai báo — bị từ chối vì có thể là bom zip",
                       "more data than declared — refused as a possible zip bomb"),
    "m_up_outside": ("thành phần {raw} trỏ ra ngoài; bị từ chối",
                     "member {raw} points outside; refused"),
    "m_up_extract": ("không giải nén được thành phần {raw} (chi tiết kỹ thuật: {err})",
                     "member {raw} cannot be extracted ({err})"),
    "m_up_no_dataset": ("không tìm thấy tệp .shp, .gpkg hoặc .geojson",
                        "no .shp, .gpkg or .geojson file found"),
    "m_up_datasets": ("{n} bộ dữ liệu ({names}); hãy tải lên từng bộ một",
                      "{n} datasets ({names}); upload one at a time"),
    "m_up_sidecars": ("{dataset} thiếu {missing}; hãy tải lên đủ các phần của shapefile cùng lúc "
                      "(hoặc nén chung)",
                      "{dataset} comes without {missing}; upload all parts of the shapefile "
                      "together (or zipped together)"),
    "m_up_none": ("chưa tải lên tệp nào", "no file uploaded"),
    "m_up_files": ("{n} tệp đã tải lên", "{n} uploaded files"),
    "m_up_all": ("tổng cộng {size}, vượt giới hạn tải lên {max} (BORDERMAP_MAX_UPLOAD_MB)",
                 "{size} in all, more than the {max} upload limit (BORDERMAP_MAX_UPLOAD_MB)"),
    "m_up_one_roster": ("mỗi lần chỉ tải lên một tệp danh sách, không phải {n}",
                        "upload one roster file at a time, not {n}"),
    # geo/boundaries.py and geo/boundary_checks.py
    "m_b_no_file": ("không có tệp này", "no such file"),
    "m_b_type": ("không hỗ trợ loại tệp {suffix}; hãy dùng một trong {allowed}",
                 "unsupported file type {suffix}; use one of {allowed}"),
    "m_b_unreadable": ("không đọc được như tệp ranh giới (chi tiết kỹ thuật: {msg}). Với "
                       "shapefile, các tệp .shp, .shx, "
                       ".dbf và .prj phải nằm cùng nhau (hoặc nén chung).",
                       "cannot be read as a boundaries file ({msg}). For a shapefile, the .shp, "
                       ".shx, .dbf and .prj files must sit together (or be zipped together)."),
    "m_b_empty": ("tệp không có đối tượng nào", "the file holds no features"),
    "m_b_no_crs": ("tệp không có hệ quy chiếu toạ độ (shapefile cần tệp .prj); hãy bổ sung thay "
                   "vì đoán — chưa nạp gì",
                   "the file has no coordinate reference system (a shapefile needs its .prj "
                   "file); add it rather than guessing — nothing was loaded"),
    "m_b_not_poly": ("ranh giới xã phải là đa giác, nhưng tệp chứa {kinds}",
                     "commune boundaries must be polygons, but the file holds {kinds}"),
    "m_b_no_unit_other": ("tệp không có đơn vị nào của {province} — tệp thuộc {others}",
                          "no unit of {province} in this file — it covers {others}"),
    "m_b_no_unit": ("tệp không có đơn vị nào của {province} — không giá trị nào khớp mã hoặc tên "
                    "xã trong danh mục",
                    "no unit of {province} in this file — no value matches a commune code or "
                    "name of the registry"),
    "m_b_all_empty": ("mọi hình của các đơn vị thuộc {province} đều trống hoặc thiếu; chưa nạp gì",
                      "every geometry of the units of {province} is empty or missing; nothing "
                      "was loaded"),
    "m_b_convert": ("không chuyển được toạ độ từ {crs} sang EPSG:4326 (chi tiết kỹ thuật: {err})",
                    "coordinates cannot be converted from {crs} to EPSG:4326 ({err})"),
    "m_b_range": ("toạ độ vượt phạm vi khi đọc theo {crs} (giới hạn {minx}, {miny}, {maxx}, "
                  "{maxy}); hệ quy chiếu của tệp (.prj) không khớp với toạ độ",
                  "coordinates are out of range once read as {crs} (bounds {minx}, {miny}, "
                  "{maxx}, {maxy}); the file's CRS (.prj) does not match its coordinates"),
    "m_b_far": ("các đa giác nằm xa vị trí của các xã trong danh mục (trung vị cách {median} km; "
                "chỉ {near} trong phạm vi {tol} km). Toạ độ không khớp với hệ quy chiếu đã khai "
                "báo ({crs}) — ví dụ mét bị ghi là độ, hoặc đảo trục.",
                "the polygons lie far from where the registry places these communes (median "
                "{median} km away; only {near} within {tol} km). The coordinates do not match "
                "the declared CRS ({crs}) — e.g. metres labelled as degrees, or swapped axes."),
    "m_b_trunc": ("shapefile bị cắt cụt ({size} byte, riêng phần đầu đã 100 byte)",
                  "truncated shapefile ({size} bytes, the header alone is 100 bytes)"),
    "m_b_damaged": ("shapefile bị cắt cụt hoặc hỏng (phần đầu ghi {stated} byte, tệp có {size})",
                    "truncated or damaged shapefile (its header says {stated} bytes, the file "
                    "has {size})"),
    "m_b_no_column": ("không tìm thấy cột mã hoặc tên xã nào khớp danh mục {vintage} (các cột: "
                      "{columns}). Hãy đặt tên cột ma_xa (mã 5 chữ số của TCTK) hoặc ten_xa + "
                      "ten_huyen.",
                      "found no column of commune codes or names that matches the {vintage} "
                      "registry (columns: {columns}). Name a column ma_xa (5-digit GSO code) or "
                      "ten_xa + ten_huyen."),
    "m_b_duplicates": ("{n} mã đơn vị xuất hiện ở nhiều đối tượng: {spans}. Mỗi đơn vị phải là "
                       "một đối tượng (đa giác bội nếu có nhiều phần); chưa nạp gì",
                       "{n} unit code(s) appear on more than one feature: {spans}. Each unit "
                       "must be one feature (a multipolygon if it has several parts); nothing "
                       "was loaded"),
    "m_b_span": ("{code} ({n} đối tượng, cách nhau tới {km} km)",
                 "{code} ({n} features, up to {km} km apart)"),
    "m_b_implausible": ("ranh giới không hợp lý — {reasons}; chưa nạp gì",
                        "implausible boundaries — {reasons}; nothing was loaded"),
    "m_b_tiny": ("{n} đơn vị gần như không có diện tích (dưới {min} km²): {codes}",
                 "{n} unit(s) have almost no area (under {min} km²): {codes}"),
    "m_b_huge": ("{n} đơn vị rộng bằng cả tỉnh ({area} km²) trở lên: {codes}",
                 "{n} unit(s) cover about the whole province ({area} km²) or more: {codes}"),
    "m_b_total_big": ("tổng diện tích các đơn vị là {total} km², gấp {ratio} lần diện tích "
                      "{province} ({area} km²)",
                      "the units add up to {total} km², {ratio} times the area of {province} "
                      "({area} km²)"),
    "m_b_total_small": ("tổng diện tích các đơn vị là {total} km², chỉ bằng {ratio} diện tích "
                        "{province} ({area} km²)",
                        "the units add up to {total} km², only {ratio} of the area of {province} "
                        "({area} km²)"),
    "m_b_area_off": ("{n} đơn vị có diện tích chênh với danh mục quá {factor} lần: {codes}",
                     "{n} unit(s) differ from the registry's area by more than a factor "
                     "{factor}: {codes}"),
    "m_b_far_units": ("{n} đơn vị nằm cách vị trí trong danh mục quá {max} km (tới {km} km): "
                      "{codes}",
                      "{n} unit(s) lie more than {max} km from where the registry places them "
                      "(up to {km} km): {codes}"),
    # geo/auth.py, geo/passwords.py: sign-in and accounts
    "m_locked": ("hãy thử lại sau {n} phút",
                 "too many failed sign-ins; try again in {n} minute(s)"),
    "m_bad_username": ("tên đăng nhập {name} không hợp lệ: dùng 3–32 ký tự gồm chữ thường, chữ "
                       "số, '.', '_' hoặc '-', bắt đầu bằng chữ cái",
                       "invalid username {name}: use 3–32 characters, lowercase letters, "
                       "digits, '.', '_' or '-', starting with a letter"),
    "m_bad_role": ("vai trò {role} không có; dùng một trong {roles}",
                   "unknown role {role}: use one of {roles}"),
    "m_no_user": ("không có tài khoản {name}", "no user {name}"),
    "m_only_admin": ("{name} là quản trị viên duy nhất; hãy thêm một quản trị viên khác trước",
                     "{name} is the only admin; add another admin first"),
    "m_user_exists": ("tài khoản {name} đã có (dùng 'users passwd' để đổi mật khẩu)",
                      "user {name} already exists (use 'users passwd' to change the password)"),
    # geo/scope.py: province scope of an account
    "m_scope_denied": ("{province} nằm ngoài phạm vi tỉnh của người dùng {user}",
                       "{province} is outside the province scope of user {user}"),
    "m_scope_empty": ("phạm vi trống: hãy ghi tên tỉnh, «border» hoặc «all»",
                      "empty scope: give province names, 'border' or 'all'"),
    "m_scope_no_province": ("phạm vi: không có tỉnh nào tên {name} trong danh mục {vintage} "
                            "(tên được so khớp không phân biệt hoa thường và dấu)",
                            "scope: no province named {name} in the {vintage} registry (names "
                            "are matched ignoring case and diacritics, e.g. 'dien bien')"),
    "m_sign_in_to": ("hãy đăng nhập để {action}", "sign in to {action}"),
    "m_may_not": ("tài khoản {user} ({role}) không được {action}; việc này cần vai trò {allowed}",
                  "user {user} ({role}) may not {action}; that needs role {allowed}"),
    "m_pw_short": ("mật khẩu quá ngắn: {n} ký tự, cần ít nhất {min}",
                   "password too short: {n} characters, at least {min} needed"),
    "m_pw_long": ("mật khẩu quá dài: tối đa {max} byte UTF-8 (mật khẩu này có {n})",
                  "password too long: at most {max} bytes in UTF-8 (this one has {n})"),
    "m_pw_control": ("mật khẩu chứa ký tự điều khiển (tab, xuống dòng…)",
                     "password contains control characters (tab, newline…)"),
    "m_pw_username": ("mật khẩu không được chứa tên đăng nhập",
                      "password must not contain the username"),
    "m_pw_common": ("mật khẩu quá phổ biến (nằm trong danh sách mật khẩu kẻ tấn công thử đầu "
                    "tiên); hãy chọn một cụm từ dài hơn gồm các từ không liên quan",
                    "password is too common (it is on a list of passwords attackers try first); "
                    "choose a longer phrase of unrelated words"),
}
