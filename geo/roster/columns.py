"""Roster columns: the canonical columns, header aliases, layouts and the accepted frame.

Headers are matched after :func:`geo._text.fold` (lower case, no diacritics, no
spaces or underscores), so ``Mã xã``, ``ma_xa`` and ``MAXA`` are one column.
A ``role`` column makes the file per-officer; otherwise it is per-commune.
Columns that look like personal names or identifiers are dropped with a
warning and never stored; free-text notes are ignored silently.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo._text import fold
from geo.roster.problems import ProblemList

#: Columns of an accepted roster frame, in order.
ROSTER_COLUMNS = (
    "commune_code",
    "chiefs",
    "deputies",
    "officers",
    "reinforcements",
    "trained",
    "reinforcement_origin",
    "as_of",
)
#: Integer count columns of an accepted roster frame.
COUNT_COLUMNS = ("chiefs", "deputies", "officers", "reinforcements", "trained")
#: Roles of the per-officer layout.
ROLES = ("chief", "deputy", "officer", "reinforcement")
#: Largest count accepted for one commune.
MAX_COUNT = 10_000

# Column names, matched after fold() (lower case, no diacritics, no spaces/_).
_COMMON_ALIASES = {
    "commune_code": ("communecode", "code", "maxa", "madonvi", "madvhc", "wardcode"),
    "commune_name": ("communename", "commune", "tenxa", "xa", "xaphuong", "tendonvi",
                     "ward", "wardname"),
    "district": ("district", "districtname", "huyen", "tenhuyen"),
    "vintage": ("vintage", "map", "adminmap", "bando", "bandohanhchinh"),
}
_PER_COMMUNE_ALIASES = {
    "chiefs": ("chiefs", "chief", "truongconganxa", "truongcongan", "truongca"),
    "deputies": ("deputies", "deputy", "deputychiefs", "photruongconganxa", "photruongca",
                 "photruong"),
    "officers": ("officers", "officer", "conganvien", "cav"),
    "reinforcements": ("reinforcements", "reinforcement", "tangcuong", "canbotangcuong"),
    "reinforcement_origin": ("reinforcementorigin", "origin", "donvitangcuong",
                             "nguontangcuong"),
    "trained": ("trained", "dataphuan", "certified"),
    "as_of": ("asof", "date", "ngay", "ngaycapnhat"),
}
_PER_OFFICER_ALIASES = {
    "role": ("role", "chucvu", "vaitro"),
    "origin_unit": ("originunit", "origin", "donvigoc", "donvicu"),
    "trained": ("trained", "dataphuan", "certified"),
    "since": ("since", "tungay", "ngaynhanchuc", "startdate"),
}
REQUIRED = {
    "per-commune": ("chiefs", "deputies", "officers", "reinforcements", "trained", "as_of"),
    "per-officer": ("role", "trained"),
}
_PERSONAL_EXACT = frozenset({
    "name", "names", "fullname", "hoten", "hovaten", "ten", "tencanbo", "hotencanbo",
    "officername", "firstname", "lastname", "surname", "givenname", "familyname",
    "middlename", "personname", "hodem", "cccd", "cmnd", "cancuoc", "socccd", "socmnd",
    "idnumber", "nationalid", "phone", "sdt", "sodienthoai", "dienthoai", "email", "dob",
    "ngaysinh", "birthdate", "dateofbirth", "address", "diachi", "quequan", "sohieu",
})
_PERSONAL_PART = ("hoten", "hovaten", "fullname", "personname", "officername")
_KNOWN_NAME_COLUMNS = frozenset({"communename", "districtname", "wardname", "provincename"})
#: Free-text columns (after fold()) accepted and ignored without a warning.
_FREE_TEXT = frozenset({"note", "notes", "ghichu"})

def _column_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def canonical_header(folded: str, kind: str) -> str | None:
    tables = [_COMMON_ALIASES, _PER_OFFICER_ALIASES if kind == "per-officer"
              else _PER_COMMUNE_ALIASES]
    for table in tables:
        for canon, aliases in table.items():
            if folded in aliases:
                return canon
    return None


def _is_personal(folded: str) -> bool:
    if folded in _KNOWN_NAME_COLUMNS:
        return False
    return folded in _PERSONAL_EXACT or any(p in folded for p in _PERSONAL_PART) or (
        folded.endswith("name") and not folded.startswith(("commune", "district", "ward",
                                                           "province", "unit", "origin"))
    )


def find_header(cells: pd.DataFrame) -> int:
    """Return the header row index: the first of 10 non-empty rows naming a key column."""
    nonempty = np.flatnonzero((cells != "").any(axis=1).to_numpy())
    keys = set(_COMMON_ALIASES["commune_code"]) | set(_COMMON_ALIASES["commune_name"]) | {
        "role"}
    for i in nonempty[:10]:
        if any(fold(v) in keys for v in cells.iloc[i].tolist()):
            return int(i)
    return int(nonempty[0]) if len(nonempty) else 0



def map_header(header_vals: list[str], header_row: int, body: pd.DataFrame,
                body_rows: np.ndarray, kind: str, probs: ProblemList
                ) -> tuple[dict[str, str], dict[str, int]]:
    """Map header cells to canonical columns: (canonical -> header text, -> position)."""
    headers: dict[str, str] = {}
    positions: dict[str, int] = {}
    last_header = max((i for i, h in enumerate(header_vals) if h), default=-1)
    for i, h in enumerate(header_vals):
        if not h:
            if i < last_header and (body[i] != "").any():
                probs.add(header_row, f"column {_column_letter(i)}",
                          "values under a column without a header were ignored", "warning")
            continue
        f = fold(h)
        canon = canonical_header(f, kind)
        if canon is None:
            if f in _FREE_TEXT:
                continue
            if _is_personal(f):
                probs.add(header_row, h, "personal data column dropped: names and "
                                         "identifiers are not needed and never stored",
                          "warning")
            else:
                probs.add(header_row, h, "unknown column ignored", "warning")
            continue
        if canon in positions:
            probs.add(header_row, h, f"column {canon} appears twice (columns "
                                     f"{_column_letter(positions[canon])} and "
                                     f"{_column_letter(i)})")
            continue
        headers[canon] = h
        positions[canon] = i
    beyond = [c for c in body.columns if c > last_header]
    if beyond:
        extra = (body[beyond] != "").any(axis=1).to_numpy()
        probs.add_rows(body_rows[extra], None,
                       f"more values than header columns ({last_header + 1}); check the "
                       "delimiter and quotes", kind="extra-values")
    return headers, positions


