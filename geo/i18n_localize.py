"""Render the domain's English messages, values and table headers in the page's language.

:func:`localize` finds the entry of :data:`geo.i18n_messages.MESSAGES` a message was
built from (its English side is the template) and fills the Vietnamese side with
the same values, themselves translated when they are nested messages or words of
:data:`VALUE_LABELS`; data (place names, codes, file names, quoted cells) is kept.

Examples
--------
>>> localize("2 chiefs; a commune has at most one chief", "vi")
'2 Trưởng Công an xã; mỗi xã có nhiều nhất một Trưởng Công an xã'
>>> column_labels(["version", "sha256"], "vi")
{'version': 'Phiên bản', 'sha256': 'Mã băm SHA-256'}
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from geo.i18n_messages import MESSAGES

#: Values the domain writes into messages in English (actions of geo.auth as written in
#: "sign in to …" / "may not …", words of geo.roster), by English wording.
VALUE_LABELS: dict[str, str] = {
    "view": "xem", "upload": "tải lên", "import": "nạp dữ liệu", "restore": "khôi phục",
    "manage users": "quản lý tài khoản", "read audit": "xem nhật ký", "export": "xuất dữ liệu",
    "change password": "đổi mật khẩu",
    # words the domain puts into a message as a value
    "number": "số", "value": "giá trị", "roster": "danh sách lực lượng",
    "boundaries": "ranh giới", "hidden": "bị ẩn", "very hidden": "bị ẩn sâu",
    "a file without extension": "tệp không có đuôi", "the shape index": "chỉ mục hình",
    "the attribute table (commune codes)": "bảng thuộc tính (mã xã)",
    "the coordinate reference system": "hệ quy chiếu toạ độ",
    "commune_code (or commune_name)": "Mã xã («commune_code») hoặc Tên xã («commune_name»)",
}

#: Column names of stored tables and previews → (Vietnamese, English) headers.
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    # roster history (geo/stores/rosters.py)
    "version": ("Phiên bản", "Version"), "imported_at": ("Thời điểm nạp", "Imported at"),
    "sha256": ("Mã băm SHA-256", "SHA-256"), "source_name": ("Tên tệp", "File"),
    "source": ("Nguồn", "Source"), "actor": ("Người thực hiện", "User"),
    "is_current": ("Đang dùng", "Current"), "n_rows": ("Số dòng", "Rows"),
    "rows": ("Số dòng", "Rows"), "updated": ("Cập nhật", "Updated"),
    "id": ("STT", "No."), "ok": ("Thành công", "Succeeded"), "phase": ("Giai đoạn", "Phase"),
    "ref": ("Tham chiếu", "Reference"),
    "n_communes": ("Số xã", "Communes"), "province": ("Tỉnh", "Province"),
    "vintage": ("Bản đồ", "Map"), "as_of": ("Ngày số liệu", "As of"),
    "kind": ("Dạng tệp", "Layout"), "restored_from": ("Khôi phục từ", "Restored from"),
    "partial": ("Cập nhật một phần", "Partial update"), "note": ("Ghi chú", "Note"),
    # accounts and audit (geo/auth.py, geo/audit.py)
    "username": ("Tên đăng nhập", "Username"), "role": ("Vai trò", "Role"),
    "created": ("Ngày tạo", "Created"), "created_at": ("Ngày tạo", "Created"),
    "disabled": ("Đã khoá", "Disabled"), "scope": ("Phạm vi (mã tỉnh 2020)", "Scope (2020 codes)"), "must_change": ("Phải đổi mật khẩu",
                 "Must change password"),
    "last_sign_in": ("Lần đăng nhập cuối", "Last sign-in"),
    "time": ("Thời gian", "Time"), "ts": ("Thời gian", "Time"), "at": ("Thời gian", "Time"),
    "user": ("Người dùng", "User"), "action": ("Thao tác", "Action"),
    "detail": ("Chi tiết", "Detail"), "details": ("Chi tiết", "Details"),
    "target": ("Đối tượng", "Target"), "outcome": ("Kết quả", "Outcome"),
    "client": ("Máy trạm", "Client"), "seq": ("STT", "No."), "hash": ("Mã băm", "Hash"),
    "prev": ("Mã băm trước", "Previous hash"), "mac": ("Mã xác thực", "MAC"),
    # roster preview and boundary match (geo/roster, geo/boundaries.py)
    "commune_code": ("Mã xã", "Commune code"), "commune_name": ("Tên xã", "Commune"),
    "code": ("Mã xã", "Code"), "name": ("Tên xã", "Commune"), "district": ("Huyện", "District"),
    "area_km2": ("Diện tích (km²)", "Area (km²)"),
    "chiefs": ("Trưởng CAX", "Chiefs"), "deputies": ("Phó Trưởng CAX", "Deputies"),
    "officers": ("Công an viên", "Officers"), "reinforcements": ("Tăng cường", "Reinforcements"),
    "trained": ("Đã tập huấn", "Trained"),
    "reinforcement_origin": ("Đơn vị tăng cường", "Reinforcement origin"),
    "roster_vintage": ("Bản đồ của danh sách", "Roster map"),
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_PAREN = re.compile(r"\(([^()]*(?:\([^()]*\))?[^()]*)\)")
_MORE = re.compile(r" and ([\d,]+) more\b")
_PATTERNS: list[tuple[re.Pattern[str], str]] = []


def _compile() -> list[tuple[re.Pattern[str], str]]:
    """Return (regex of the English template, key), most literal text first."""
    if not _PATTERNS:
        rows = []
        for key, (_, en) in MESSAGES.items():
            en = en.replace("{{", "{").replace("}}", "}")
            parts, pos, names = [], 0, set()
            for m in _PLACEHOLDER.finditer(en):
                parts.append(re.escape(en[pos:m.start()]))
                name = m.group(1)
                parts.append(f"(?P={name})" if name in names else f"(?P<{name}>.*?)")
                names.add(name)
                pos = m.end()
            parts.append(re.escape(en[pos:]))
            literal = len(_PLACEHOLDER.sub("", en))
            rows.append((literal, re.compile("".join(parts), re.S), key))
        _PATTERNS.extend((p, k) for _, p, k in sorted(rows, key=lambda r: -r[0]))
    return _PATTERNS


def match(text: str) -> tuple[str, dict[str, str]] | None:
    """Return the catalogue key and parameters an English message was built from, or None."""
    for pattern, key in _compile():
        m = pattern.fullmatch(text)
        if m:
            return key, m.groupdict()
    return None


def _value(name: str, text: str, lang: str) -> str:
    """A parameter in Vietnamese: a nested message, a list of them, a word, or data (kept)."""
    if match(text) is not None:
        return localize(text, lang)
    if "; " in text:
        parts = text.split("; ")
        if any(match(p) is not None for p in parts):
            return "; ".join(localize(p, lang) if match(p) else p for p in parts)
    if name in ("role", "allowed"):  # roles of geo.auth, e.g. "planner or admin"
        from geo.i18n_strings import STRINGS

        roles = text.split(" or ")
        if all(f"role_{r}" in STRINGS for r in roles):
            return " hoặc ".join(STRINGS[f"role_{r}"][0] for r in roles)
    if name != "file" and text.strip("'") in VALUE_LABELS:
        return VALUE_LABELS[text.strip("'")]
    text = _PAREN.sub(lambda m: f"({VALUE_LABELS.get(m.group(1), m.group(1))})", text)
    if name == "what" and text in COLUMN_LABELS:
        return COLUMN_LABELS[text][0]
    if name in ("col", "canon") and text in COLUMN_LABELS:  # a header the file must have
        return f"{COLUMN_LABELS[text][0]} («{text}»)"
    return _MORE.sub(lambda m: f" và {m.group(1)} mục khác", text)


def localize(text: str, lang: str) -> str:
    """Return a domain message (built in English) in ``lang``.

    A message ``"<file name>: <message>"`` keeps the file name and translates
    the rest. A message with no catalogue entry is returned unchanged (the walk
    test fails on it).
    """
    text = str(text)
    if lang == "en":
        return text
    found = match(text)
    if found is None:
        head, sep, tail = text.partition(": ")
        if sep and match(tail) is not None:
            return f"{_value('file', head, lang)}: {localize(tail, lang)}"
        return text
    key, params = found
    vi = MESSAGES[key][0]
    return vi.format(**{k: _value(k, v, lang) for k, v in params.items()})


def message(err: BaseException, lang: str) -> str:
    """Return an exception's message (a project error) in ``lang``."""
    return localize(str(err), lang)


def column_labels(columns: Iterable[object], lang: str) -> dict[object, str]:
    """Return ``{column: header}`` for ``DataFrame.rename(columns=...)`` in ``lang``.

    Columns without a label keep their name (they are data, e.g. a code).
    """
    i = 1 if lang == "en" else 0
    return {c: COLUMN_LABELS[c][i] for c in columns if c in COLUMN_LABELS}


def header_label(header: str, lang: str) -> str:
    """Return a validation report's column cell (a file's header) for a page in ``lang``.

    A canonical header (``chiefs``) shows its label and, quoted, the name to write; a
    spreadsheet column letter (``column B``) is translated; other headers are the
    file's own text (data).
    """
    if lang == "en":
        return header
    if header in VALUE_LABELS:
        return VALUE_LABELS[header]
    if header in COLUMN_LABELS:
        return f"{COLUMN_LABELS[header][0]} («{header}»)"
    return localize(header, lang)


def is_known(text: str) -> bool:
    """True when ``text`` is a catalogue message (possibly after a file name)."""
    if match(text) is not None:
        return True
    _, sep, tail = text.partition(": ")
    return bool(sep) and match(tail) is not None
