"""Roster files: formats, parsing and validation of commune police staffing.

A roster says, for each commune, how many regular police officers serve there.
Two layouts are accepted, told apart by the header (a ``role`` column means
per-officer):

Per commune (one row per commune)
    ``commune_code`` (GSO 5-digit code; or ``commune_name`` with an optional
    ``district``), ``chiefs``, ``deputies``, ``officers``, ``reinforcements``
    (empty cells count as 0), optional ``reinforcement_origin``, ``trained``
    (officers certified; more than the staff is a warning) and ``as_of``
    (yyyy-mm-dd or dd/mm/yyyy; a date after today is a warning).
Per officer (one row per person)
    ``commune_code`` (or name + district), ``role`` (chief / deputy / officer /
    reinforcement, or the Vietnamese titles), optional ``origin_unit``,
    ``trained`` (yes/no/1/0/có/không) and optional ``since``; aggregated to the
    per-commune form (``as_of`` is the latest ``since`` of the commune).

No personal data are needed. Columns that look like personal names or
identifiers (``name``, ``ho_ten``, ``full_name``, ``cccd``…) are dropped on
reading and never stored; a warning says so. A free-text ``note`` / ``ghi_chu``
column is ignored silently; other unknown columns are ignored with a warning.

Files: CSV in UTF-8 (with or without BOM), UTF-16 or UTF-32 with BOM or
Windows-1258 (what Vietnamese Excel writes), detected without asking and
normalised to NFC; delimiter ``,``, ``;`` or tab, sniffed. XLSX: the first
sheet (or ``sheet=``), read-only, cell values as last saved (formulas are never
evaluated; a formula without a saved value is an error saying so).

:func:`validate_roster` reports every problem at once, each with the file, the
row as a spreadsheet shows it (the header is row 1), the column and the reason;
a file with any error is rejected whole. At most :data:`MAX_PROBLEMS_PER_KIND`
problems of one kind (one check on one column) are listed, then one summary
problem counts the rest. The accepted roster is a new frame
with the columns of :data:`ROSTER_COLUMNS`, one row per commune.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
import logging
import re
import unicodedata
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np
import pandas as pd

from geo._errors import InvalidArgumentType, RosterError
from geo._text import fold, fold_unit
from geo.filebounds import preflight_roster
from geo.plausibility import expected_codes, roster_findings
from geo.registry import find_province, load_units, province_name
from geo.settings import DEFAULT_PROVINCE

log = logging.getLogger(__name__)

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
#: Largest file accepted, in bytes.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Problems listed per kind (one check on one column); the rest are summed up in one.
MAX_PROBLEMS_PER_KIND = 1_000

Kind = Literal["per-commune", "per-officer"]
Severity = Literal["error", "warning"]

# ---------------------------------------------------------------------------
# Column names, matched after fold() (lower case, no diacritics, no spaces/_).
_COMMON_ALIASES = {
    "commune_code": ("communecode", "code", "maxa", "madonvi", "madvhc", "wardcode"),
    "commune_name": ("communename", "commune", "tenxa", "xa", "xaphuong", "tendonvi",
                     "ward", "wardname"),
    "district": ("district", "districtname", "huyen", "tenhuyen"),
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
_REQUIRED = {
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

# Roles, matched after fold(); the Vietnamese titles may end in "Công an xã/phường/thị trấn".
_ROLE_PATTERNS = (
    ("chief", re.compile(r"(chiefs?|truong(congan|ca)?(xa|phuong|thitran|tt)?)")),
    ("deputy", re.compile(
        r"(deput(y|ies)|deputychiefs?|pho|photruong(congan|ca)?(xa|phuong|thitran|tt)?)")),
    ("officer", re.compile(r"(officers?|conganvien|cav)")),
    ("reinforcement", re.compile(r"(reinforcements?|tangcuong|canbotangcuong)")),
)
_YES = frozenset({"yes", "y", "1", "true", "co", "x", "dat"})
_NO = frozenset({"no", "n", "0", "false", "khong", "chua", "ko"})

_INT_TEXT = re.compile(r"[+]?\d+(\.0+)?")
_AMBIGUOUS_THOUSANDS = re.compile(r"\d{1,3}\.0{3}")
_ISO_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_DMY_DATE = re.compile(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}")
_ASCII_TYPE = re.compile(r"^(xa|phuong|thitran|huyen|quan|thixa|thanhpho|tp)(?=.)")
_DELIMITERS = (",", ";", "\t")
_NON_ASCII_OK = re.compile("[^\x00-\x7f\ufffd]")


# ---------------------------------------------------------------------------
@dataclass
class Problem:
    """One problem found in a roster file.

    Attributes
    ----------
    file : str
        The file's name as the user knows it.
    row : int or None
        Row number as a spreadsheet shows it (header is row 1); ``None`` for
        the whole file.
    column : str or None
        The column header as written in the file; ``None`` for a whole row/file.
    message : str
        What is wrong, for a user.
    severity : {"error", "warning"}
        Errors reject the file; warnings do not.
    """

    file: str
    row: int | None
    column: str | None
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        """Return ``"file, row 3, column 'chiefs': error: message"``."""
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.severity}: {self.message}"


@dataclass
class ValidationReport:
    """The outcome of :func:`validate_roster`.

    Attributes
    ----------
    problems : list of Problem
        Every error and warning, sorted by row; past :data:`MAX_PROBLEMS_PER_KIND`
        of one kind, one summary problem ("… and N more problems of this
        kind") stands for the rest.
    roster : pandas.DataFrame or None
        The accepted roster (columns :data:`ROSTER_COLUMNS`), ``None`` when
        the file has errors.
    kind : {"per-commune", "per-officer"}
        The layout detected from the header.
    n_rows : int
        Non-empty data rows read from the file.
    sha256 : str
        Hex digest of the file's bytes (empty if the file could not be read).
    source_name : str
        The file's name as reported in problems.
    province, vintage : str
        What the file was validated against.
    """

    problems: list[Problem]
    roster: pd.DataFrame | None
    kind: Kind
    n_rows: int
    sha256: str
    source_name: str
    province: str = DEFAULT_PROVINCE
    vintage: str = "2020"

    @property
    def errors(self) -> list[Problem]:
        """The problems that reject the file."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems that do not reject the file."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there is no error and a roster was produced."""
        return not self.errors and self.roster is not None

    def to_frame(self) -> pd.DataFrame:
        """Return the problems as a new frame (file, row, column, severity, message)."""
        return pd.DataFrame(
            {
                "file": [p.file for p in self.problems],
                "row": pd.array([p.row for p in self.problems], dtype="Int64"),
                "column": [p.column for p in self.problems],
                "severity": [p.severity for p in self.problems],
                "message": [p.message for p in self.problems],
            },
            columns=["file", "row", "column", "severity", "message"],
        )


@dataclass
class _Problems:
    """The problems found so far, with at most :data:`MAX_PROBLEMS_PER_KIND` of a kind.

    A kind is one check on one column (``column``, ``severity``, ``kind``). Past
    the cap, problems are only counted, and :meth:`finish` adds one summary
    problem per capped kind. Errors at ``muted`` cells (column -> rows) are
    dropped: a better error about the same cell was already given.
    """

    file: str
    items: list[Problem] = field(default_factory=list)
    muted: dict[str | None, set[int]] = field(default_factory=dict)
    _kept: dict[tuple[str | None, str, str], int] = field(default_factory=dict)
    _more: dict[tuple[str | None, str, str], list[int]] = field(default_factory=dict)

    def add(self, row: int | None, column: str | None, message: str,
            severity: Severity = "error") -> None:
        if row is not None and severity == "error" and int(row) in self.muted.get(column, ()):
            return
        self.items.append(Problem(self.file, None if row is None else int(row), column,
                                  message, severity))

    def add_rows(self, rows: np.ndarray, column: str | None,
                 messages: str | Sequence[str] | Callable[[np.ndarray], Sequence[str]],
                 severity: Severity = "error", *, kind: str = "") -> None:
        """Add one problem per row, at most :data:`MAX_PROBLEMS_PER_KIND` per kind.

        ``messages`` is one str for every row, a sequence aligned with ``rows``,
        or a function of an array of positions in ``rows`` returning their
        messages (called for the listed rows only, so that a million capped
        problems cost no million strings).
        """
        rows = np.asarray(rows)
        if not len(rows):
            return
        if rows.dtype.kind != "i":
            rows = rows.astype(np.int64)
        pos = np.arange(len(rows))
        muted = self.muted.get(column) if severity == "error" else None
        if muted:
            pos = pos[~np.isin(rows, np.fromiter(muted, dtype=np.int64, count=len(muted)))]
            if not len(pos):
                return
        key = (column, severity, kind)
        room = max(MAX_PROBLEMS_PER_KIND - self._kept.get(key, 0), 0)
        if len(pos) > room:
            over = rows[pos[room:]]
            more = self._more.setdefault(key, [0, int(over[0]), int(over[-1])])
            more[0] += len(over)
            more[1], more[2] = min(more[1], int(over[0])), max(more[2], int(over[-1]))
            pos = pos[:room]
        self._kept[key] = self._kept.get(key, 0) + len(pos)
        if isinstance(messages, str):
            texts: Sequence[str] = [messages] * len(pos)
        elif callable(messages):
            texts = messages(pos)
        else:
            seq = messages if isinstance(messages, (list, tuple)) else list(messages)
            texts = [seq[i] for i in pos.tolist()]
        self.items.extend(Problem(self.file, r, column, m, severity)
                          for r, m in zip(rows[pos].tolist(), texts))

    def mute(self, column: str | None, rows: np.ndarray) -> None:
        """Drop later errors at these rows of ``column``."""
        self.muted.setdefault(column, set()).update(int(r) for r in rows)

    def finish(self) -> list[Problem]:
        """Return every listed problem plus one summary per capped kind, sorted by row."""
        items = list(self.items)
        for (column, severity, _), (n, first, last) in self._more.items():
            items.append(Problem(
                self.file, first, column,
                f"… and {n:,} more problems of this kind (rows {first}–{last}); only the "
                f"first {MAX_PROBLEMS_PER_KIND:,} of each kind are listed", severity))
        return sorted(items, key=lambda p: (p.row is not None, p.row or 0))

    @property
    def n_errors(self) -> int:
        return sum(p.severity == "error" for p in self.items) + sum(
            1 for (_, sev, _) in self._more if sev == "error")


# ---------------------------------------------------------------------------
# Reading bytes and cells.
def _read_source(path_or_bytes: object, source_name: str | None
                 ) -> tuple[bytes | None, str, str | None]:
    """Return (bytes, name, reason-if-unreadable)."""
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        return bytes(path_or_bytes), source_name or "<bytes>", None
    if isinstance(path_or_bytes, (str, Path)):
        path = Path(path_or_bytes)
        name = source_name or path.name
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                return None, name, (f"file is {size:,} bytes, more than the "
                                    f"{MAX_FILE_BYTES:,} accepted")
            return path.read_bytes(), name, None
        except OSError as err:
            return None, name, f"cannot read the file: {err.strerror or err}"
    if hasattr(path_or_bytes, "read"):
        name = source_name or Path(str(getattr(path_or_bytes, "name", "") or "<upload>")).name
        try:
            data = path_or_bytes.read()  # type: ignore[union-attr]
        except OSError as err:
            return None, name, f"cannot read the file: {err}"
        if isinstance(data, str):
            data = data.encode("utf-8")
        return bytes(data), name, None
    raise InvalidArgumentType(
        "path_or_bytes must be a path, bytes or a binary file object, "
        f"not {type(path_or_bytes).__name__}"
    )


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def _decode(raw: bytes, probs: _Problems) -> str | None:
    """Decode CSV bytes: UTF-32/UTF-16 (BOM), UTF-8 (BOM optional), else Windows-1258; NFC."""
    # The UTF-32 little-endian BOM starts with the UTF-16 one: test it first.
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        try:
            text = raw.decode("utf-32")
        except UnicodeDecodeError as err:
            probs.add(None, None, f"undecodable UTF-32 text at byte {err.start}; save the "
                                  "file as CSV UTF-8")
            return None
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as err:
            probs.add(None, None, f"undecodable UTF-16 text at byte {err.start}")
            return None
    else:
        if b"\x00" in raw[:65536]:
            probs.add(None, None, "binary file: not a CSV or XLSX roster")
            return None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            first_bad = err.start
            # Broken UTF-8 (valid multi-byte sequences around a bad byte) is an error,
            # not Windows-1258: decoding it as 1258 would silently garble every name.
            lenient = raw.decode("utf-8", errors="replace")
            n_bad = lenient.count("\ufffd")
            n_good = len(_NON_ASCII_OK.findall(lenient))
            if n_good and n_good >= n_bad:
                probs.add(_line_of(raw, first_bad), None,
                          f"undecodable text: invalid UTF-8 byte 0x{raw[first_bad]:02x} "
                          f"(the file is mostly UTF-8); save it again as CSV UTF-8")
                return None
            try:
                text = raw.decode("cp1258")
            except UnicodeDecodeError as err2:
                probs.add(_line_of(raw, err2.start), None,
                          f"undecodable text: byte 0x{raw[err2.start]:02x} is neither UTF-8 "
                          f"nor Windows-1258; save the file as CSV UTF-8")
                return None
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def _sniff_delimiter(text: str) -> str:
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()][:20]
    sample = "\n".join(lines)
    counts = {d: sample.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv_rows(raw: bytes, probs: _Problems) -> list[list[str]] | None:
    text = _decode(raw, probs)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    try:
        return list(reader)
    except csv.Error as err:
        probs.add(reader.line_num or None, None, f"malformed CSV: {err}")
        return None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if np.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(raw: bytes) -> bool:
    """Whether any worksheet of the workbook holds a formula (a cheap scan of the XML)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as book:
            for info in book.infolist():
                if not (info.filename.startswith("xl/worksheets/")
                        and info.filename.endswith(".xml")):
                    continue
                with book.open(info) as member:
                    tail = b""
                    while chunk := member.read(1 << 20):
                        if _FORMULA_TAG.search(tail + chunk):
                            return True
                        tail = chunk[-16:]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError):
        return True  # let openpyxl tell
    return False


def _formulas_without_value(raw: bytes, title: str, rows: list[list[str]]
                            ) -> set[tuple[int, int]]:
    """Return (row index, column index) of formula cells read as empty (no saved value).

    Such cells come from programs that write formulas without computing them;
    ``data_only=True`` reads them as ``None``.
    """
    import openpyxl

    found: set[tuple[int, int]] = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    try:
        for r in book[title].iter_rows():
            for c in r:
                if getattr(c, "data_type", None) != "f":
                    continue
                i, j = c.row - 1, c.column - 1
                if i < len(rows) and (j >= len(rows[i]) or rows[i][j] == ""):
                    found.add((i, j))
    finally:
        book.close()
    return found


def _read_xlsx_rows(raw: bytes, sheet: str | None, probs: _Problems
                    ) -> tuple[list[list[str]], set[tuple[int, int]]] | None:
    """Return the sheet's cells as text, and the formula cells without a saved value."""
    import zipfile

    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, SyntaxError) as err:
        probs.add(None, None, f"unreadable spreadsheet (not a valid .xlsx file): {err}")
        return None
    try:
        if sheet is None:
            if not book.worksheets:
                probs.add(None, None, "the workbook has no sheet")
                return None
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            probs.add(None, None, f"no sheet named {sheet!r}; sheets: "
                                  f"{', '.join(book.sheetnames)}")
            return None
        rows = [[unicodedata.normalize("NFC", c) if isinstance(c, str) else _cell_text(c)
                 for c in r] for r in ws.iter_rows(values_only=True)]
        title = ws.title
    except (KeyError, ValueError, TypeError, OSError, SyntaxError) as err:
        probs.add(None, None, f"unreadable spreadsheet: {err}")
        return None
    finally:
        book.close()
    formulas: set[tuple[int, int]] = set()
    if _has_formulas(raw):
        try:
            formulas = _formulas_without_value(raw, title, rows)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError,
                SyntaxError) as err:
            probs.add(None, None, f"unreadable spreadsheet: {err}")
            return None
    return rows, formulas


# ---------------------------------------------------------------------------
def _column_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _canonical_header(folded: str, kind: str) -> str | None:
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


def _find_header(cells: pd.DataFrame) -> int:
    """Return the header row index: the first of 10 non-empty rows naming a key column."""
    nonempty = np.flatnonzero((cells != "").any(axis=1).to_numpy())
    keys = set(_COMMON_ALIASES["commune_code"]) | set(_COMMON_ALIASES["commune_name"]) | {
        "role"}
    for i in nonempty[:10]:
        if any(fold(v) in keys for v in cells.iloc[i].tolist()):
            return int(i)
    return int(nonempty[0]) if len(nonempty) else 0


def _read_cells(raw: bytes, sheet: str | None, probs: _Problems
                ) -> tuple[pd.DataFrame, set[tuple[int, int]]] | None:
    """Return every cell of the file as stripped text (row i is spreadsheet row i + 1).

    Also return the (row, column) indices of XLSX formula cells that have no
    saved value (they read as empty text).
    """
    if len(raw) > MAX_FILE_BYTES:
        probs.add(None, None, f"file is {len(raw):,} bytes, more than the "
                              f"{MAX_FILE_BYTES:,} accepted")
        return None
    if not raw.strip():
        probs.add(None, None, "empty file")
        return None
    # [integrity hook] bounded work before parsing: geo.filebounds.preflight_roster
    for severity, message in preflight_roster(raw, name=probs.file, sheet=sheet):
        probs.add(None, None, message, severity)
    if probs.n_errors:
        return None
    formulas: set[tuple[int, int]] = set()
    if raw.startswith(b"PK\x03\x04"):
        got = _read_xlsx_rows(raw, sheet, probs)
        table, formulas = got if got is not None else (None, formulas)
    elif raw.startswith(b"\xd0\xcf\x11\xe0"):
        probs.add(None, None, "old Excel .xls format is not supported; save as .xlsx or CSV")
        return None
    else:
        table = _read_csv_rows(raw, probs)
    if table is None:
        return None
    width = max(map(len, table), default=0)
    if table and min(map(len, table)) != width:
        table = [r if len(r) == width else list(r) + [""] * (width - len(r)) for r in table]
    cells = pd.DataFrame(table, dtype=object)
    if cells.empty or not (cells.fillna("") != "").to_numpy().any():
        probs.add(None, None, "empty file")
        return None
    cells = cells.fillna("")
    for c in cells.columns:
        # Strip once per distinct value: roster columns repeat the same few values.
        codes, uniques = pd.factorize(cells[c].to_numpy(dtype=object))
        stripped = np.array([str(u).strip() for u in uniques], dtype=object)
        cells[c] = stripped[codes] if len(uniques) else cells[c]
    return cells, formulas


def _map_header(header_vals: list[str], header_row: int, body: pd.DataFrame,
                body_rows: np.ndarray, kind: str, probs: _Problems
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
        canon = _canonical_header(f, kind)
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


# ---------------------------------------------------------------------------
# Communes.
def _exact_key(text: str) -> str:
    """Case-insensitive, diacritics kept, type word dropped: tells "Nà Tòng" from "Na Tông"."""
    nfc = unicodedata.normalize("NFC", str(text)).strip()
    nfc = re.sub(r"^\s*(thành phố|thị xã|thị trấn|tỉnh|huyện|quận|phường|xã)\s+", "", nfc,
                 flags=re.IGNORECASE)
    return " ".join(nfc.casefold().split())


def _keys(text: str) -> tuple[str, str | None]:
    """Folded key, and a fallback with a leading unaccented type word dropped ("xa …")."""
    k = fold_unit(text)
    alt = _ASCII_TYPE.sub("", k, count=1)
    return k, (alt if alt != k else None)


@dataclass
class _Registry:
    province_code: str
    province: str
    vintage: str
    units: pd.DataFrame  # province units, indexed by code
    national: pd.DataFrame  # all units of the vintage, indexed by code
    by_key: dict[str, list[str]]  # folded name -> codes (province)
    national_by_key: dict[str, list[str]]

    @property
    def has_districts(self) -> bool:
        return bool((self.units["district"] != "").any())


_REGISTRY_CACHE: dict[tuple[str, str], _Registry] = {}


def _registry(province: str, vintage: str) -> _Registry:
    code = find_province(province, vintage=vintage)
    hit = _REGISTRY_CACHE.get((code, vintage))
    if hit is not None:
        return hit
    national = load_units(vintage).set_index("code", drop=False)
    units = national[national["province_code"] == code]
    national_keys = national["name"].map(fold_unit)
    by_key: dict[str, list[str]] = {}
    nat_by_key: dict[str, list[str]] = {}
    for c, k, p in zip(national["code"], national_keys, national["province_code"]):
        nat_by_key.setdefault(k, []).append(c)
        if p == code:
            by_key.setdefault(k, []).append(c)
    reg = _Registry(code, province_name(code, vintage=vintage), vintage, units, national,
                    by_key, nat_by_key)
    _REGISTRY_CACHE[(code, vintage)] = reg
    return reg


def _describe_unit(reg: _Registry, code: str) -> str:
    u = reg.national.loc[code]
    where = f"{u['district']}, " if u["district"] else ""
    return f"{u['name']} ({where}{u['province']}, {code})"


def _match_name(name: str, district: str, reg: _Registry) -> tuple[str | None, str | None]:
    """Return (code, None) or (None, reason)."""
    key, alt = _keys(name)
    cands = list(reg.by_key.get(key, []))
    if not cands and alt:
        cands = list(reg.by_key.get(alt, []))
    if not cands:
        elsewhere = reg.national_by_key.get(key, []) or (
            reg.national_by_key.get(alt, []) if alt else [])
        if elsewhere:
            shown = "; ".join(_describe_unit(reg, c) for c in elsewhere[:3])
            more = f" and {len(elsewhere) - 3} more" if len(elsewhere) > 3 else ""
            return None, (f"no commune named {name!r} in {reg.province}; "
                          f"outside the province: {shown}{more}")
        return None, f"no commune named {name!r} in {reg.province} ({reg.vintage} registry)"
    if district and reg.has_districts:
        dkey, dalt = _keys(district)
        dists = reg.units.loc[cands, "district"].map(fold_unit)
        inside = [c for c, d in zip(cands, dists) if d in (dkey, dalt)]
        if not inside:
            shown = "; ".join(_describe_unit(reg, c) for c in cands)
            return None, f"no commune named {name!r} in district {district!r}; found {shown}"
        cands = inside
    if len(cands) > 1:
        exact = [c for c in cands
                 if _exact_key(reg.units.loc[c, "name"]) == _exact_key(name)]
        if len(exact) == 1:
            return exact[0], None
        shown = "; ".join(_describe_unit(reg, c) for c in cands)
        return None, (f"commune name {name!r} matches {len(cands)} communes: {shown}; "
                      "add the district or use commune_code")
    return cands[0], None


def _name_mismatch(code: str, name: str, district: str, reg: _Registry) -> str | None:
    """Why a code and the name/district on the same row disagree, or None."""
    unit = reg.units.loc[code]
    if name:
        key, alt = _keys(name)
        if fold_unit(unit["name"]) not in (key, alt):
            return (f"commune_code {code} is {unit['name']} but the name column says "
                    f"{name!r}; check which one is right")
    if district and unit["district"]:
        key, alt = _keys(district)
        if fold_unit(unit["district"]) not in (key, alt):
            return (f"commune_code {code} is in {unit['district']} but the district column "
                    f"says {district!r}")
    return None


def _resolve_communes(data: pd.DataFrame, rows: np.ndarray, headers: dict[str, str],
                      reg: _Registry, probs: _Problems) -> pd.Series:
    """Return the commune code of each data row (NaN where it cannot be resolved)."""
    n = len(data)
    empty = pd.Series([""] * n, index=data.index, dtype=object)
    code_raw = data["commune_code"] if "commune_code" in data else empty
    name_raw = data["commune_name"] if "commune_name" in data else empty
    dist_raw = data["district"] if "district" in data else empty
    out = pd.Series(np.nan, index=data.index, dtype=object)

    has_code = code_raw != ""
    code, well_formed = _on_uniques(_normalise_codes)(code_raw)
    well_formed = well_formed.astype(bool)
    col = headers.get("commune_code")
    bad = has_code & ~well_formed
    bad_vals = code_raw[bad].to_numpy()
    probs.add_rows(rows[bad.to_numpy()], col,
                   lambda i: [f"{v!r} is not a 5-digit commune code" for v in bad_vals[i]],
                   kind="code-format")
    in_prov = well_formed & code.isin(reg.units.index)
    in_nat = well_formed & ~in_prov & code.isin(reg.national.index)
    nat_vals = code[in_nat].to_numpy()
    probs.add_rows(rows[in_nat.to_numpy()], col,
                   lambda i: [f"commune {_describe_unit(reg, c)} is outside {reg.province}"
                              for c in nat_vals[i]], kind="code-outside")
    unknown = well_formed & ~in_prov & ~in_nat
    unknown_vals = code[unknown].to_numpy()
    probs.add_rows(rows[unknown.to_numpy()], col,
                   lambda i: [f"unknown commune code {c} (not in the {reg.vintage} registry)"
                              for c in unknown_vals[i]], kind="code-unknown")
    out[in_prov] = code[in_prov]

    # Codes given with a name or district: cross-check once per distinct triple.
    check = in_prov & ((name_raw != "") | (dist_raw != ""))
    if check.any():
        triple = code[check] + "\x1f" + name_raw[check] + "\x1f" + dist_raw[check]
        verdict = {t: _name_mismatch(*t.split("\x1f"), reg) for t in triple.unique()}
        msg = triple.map(verdict)
        bad = msg.notna()
        bad_idx = msg.index[bad]
        bad_msg = msg[bad].to_numpy()
        probs.add_rows(rows[data.index.get_indexer(bad_idx)],
                       headers.get("commune_name") or headers.get("district"),
                       lambda i: bad_msg[i].tolist(), kind="name-mismatch")
        out[bad_idx] = np.nan

    # Names without a code: resolve once per distinct (name, district).
    by_name = ~has_code & (name_raw != "")
    if by_name.any():
        pair = name_raw[by_name] + "\x1f" + dist_raw[by_name]
        resolved = {p: _match_name(*p.split("\x1f"), reg) for p in pair.unique()}
        codes = pair.map({p: r[0] for p, r in resolved.items()})
        reasons = pair.map({p: r[1] for p, r in resolved.items()})
        out[codes.index] = codes
        bad = reasons.notna()
        bad_reasons = reasons[bad].to_numpy()
        probs.add_rows(rows[data.index.get_indexer(reasons.index[bad])],
                       headers.get("commune_name"), lambda i: bad_reasons[i].tolist(),
                       kind="name-unmatched")

    neither = ~has_code & (name_raw == "")
    if neither.any():
        probs.add_rows(rows[neither.to_numpy()], headers.get("commune_code")
                       or headers.get("commune_name"),
                       "no commune: commune_code (or commune_name) is empty",
                       kind="no-commune")
    return out


# ---------------------------------------------------------------------------
# Cell values.
def _parse_counts(values: pd.Series, *, empty_is_zero: bool
                  ) -> tuple[pd.Series, pd.Series]:
    """Return (integer counts with NaN where bad or empty, message per bad cell or NaN)."""
    text = values.str.replace(r"\s+", "", regex=True)
    num = pd.to_numeric(text.where(text != ""), errors="coerce")
    msg = pd.Series(np.nan, index=values.index, dtype=object)
    is_empty = text == ""
    folded = text.str.lower()
    nonfinite = folded.isin(["nan", "inf", "+inf", "-inf", "infinity", "-infinity"]) | (
        num.notna() & ~np.isfinite(num.fillna(0)))
    not_number = ~is_empty & num.isna() & ~nonfinite
    whole = text.str.fullmatch(_INT_TEXT.pattern).fillna(False).astype(bool)
    ambiguous = text.str.fullmatch(_AMBIGUOUS_THOUSANDS.pattern).fillna(False).astype(bool)
    negative = num.notna() & (num < 0) & ~nonfinite
    fractional = num.notna() & ~negative & ~nonfinite & (num != np.floor(num.fillna(0)))
    huge = num.notna() & ~nonfinite & ~negative & (num > MAX_COUNT)

    def put(mask: pd.Series, make) -> None:
        todo = mask & msg.isna()
        if todo.any():
            msg[todo] = [make(v) for v in values[todo]]

    if not empty_is_zero:
        put(is_empty, lambda v: "empty; write 0 if there are none")
    put(nonfinite, lambda v: f"{v!r} is not a finite number")
    put(not_number, lambda v: f"{v!r} is not a number")
    put(negative, lambda v: f"{v!r} is negative")
    put(fractional, lambda v: f"{v!r} is not a whole number")
    put(ambiguous, lambda v: f"{v!r} is ambiguous (thousands separator?); write the "
                             "whole number without separators")
    put(huge, lambda v: f"{v!r} is more than {MAX_COUNT:,} for one commune")
    put(~is_empty & ~whole & msg.isna(), lambda v: f"{v!r} is not a whole number")
    counts = num.where(msg.isna())
    if empty_is_zero:
        counts = counts.where(~is_empty, 0.0)
    return counts, msg


def _on_uniques(fn):
    """Wrap ``fn(series) -> tuple of series`` to run once per distinct value.

    Per-officer files repeat the same few values down 100,000 rows, so this is
    much faster than working on every cell.
    """

    def wrapper(values: pd.Series, **kwargs):
        codes, uniques = pd.factorize(values.to_numpy(dtype=object))
        results = fn(pd.Series(uniques, dtype=object), **kwargs)
        return tuple(pd.Series(r.to_numpy()[codes], index=values.index, dtype=r.dtype)
                     for r in results)

    wrapper.__doc__ = fn.__doc__
    return wrapper


def _normalise_codes(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return (5-digit code text, well-formed flag) for commune code cells."""
    code = values.str.replace(r"\.0+$", "", regex=True)
    well_formed = (values != "") & code.str.fullmatch(r"\d{1,5}").fillna(False).astype(bool)
    return code.where(~well_formed, code.str.zfill(5)), well_formed


def _parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return (ISO date text or NaN, message per bad non-empty cell or NaN)."""
    text = values.str.strip()
    text = text.str.replace(r"[ T]00:00(:00(\.0+)?)?$", "", regex=True)
    iso_mask = text.str.fullmatch(_ISO_DATE.pattern).fillna(False).astype(bool)
    dmy_mask = text.str.fullmatch(_DMY_DATE.pattern).fillna(False).astype(bool)
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    if iso_mask.any():
        parsed[iso_mask] = pd.to_datetime(text[iso_mask], format="%Y-%m-%d", errors="coerce")
    if dmy_mask.any():
        norm = text[dmy_mask].str.replace(r"[.\-]", "/", regex=True)
        parsed[dmy_mask] = pd.to_datetime(norm, format="%d/%m/%Y", errors="coerce")
    bad = (text != "") & parsed.isna()
    msg = pd.Series(np.nan, index=values.index, dtype=object)
    if bad.any():
        msg[bad] = [f"{v!r} is not a valid date (use yyyy-mm-dd or dd/mm/yyyy)"
                    for v in values[bad]]
    iso = parsed.dt.strftime("%Y-%m-%d").astype(object).where(parsed.notna(), np.nan)
    return iso, msg


def _parse_roles(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    uniq = values.unique()
    table: dict[str, str | None] = {}
    for v in uniq:
        f = fold(v)
        table[v] = next((r for r, pat in _ROLE_PATTERNS if pat.fullmatch(f)), None)
    role = values.map(table)
    msg = pd.Series(np.nan, index=values.index, dtype=object)
    empty = values == ""
    msg[empty] = "role is empty; use chief, deputy, officer or reinforcement"
    bad = role.isna() & ~empty
    if bad.any():
        msg[bad] = [f"{v!r} is not a role; use chief, deputy, officer or reinforcement "
                    "(or Trưởng Công an xã, Phó Trưởng Công an xã, Công an viên, tăng cường)"
                    for v in values[bad]]
    return role, msg


def _parse_yes_no(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    table = {}
    for v in values.unique():
        f = fold(v)
        table[v] = 1.0 if f in _YES else 0.0 if f in _NO else np.nan
    flag = values.map(table).astype(float)
    msg = pd.Series(np.nan, index=values.index, dtype=object)
    bad = flag.isna()
    if bad.any():
        msg[bad] = [("empty; " if v == "" else f"{v!r} is not yes or no; ")
                    + "write yes/no, 1/0 or có/không" for v in values[bad]]
    return flag, msg


def _emit(probs: _Problems, rows: np.ndarray, column: str | None, msg: pd.Series,
          severity: Severity = "error", *, kind: str = "value") -> None:
    bad = msg.notna().to_numpy()
    if bad.any():
        texts = msg.to_numpy()[bad]
        probs.add_rows(rows[bad], column, lambda i: texts[i].tolist(), severity, kind=kind)


def _report_formulas(formulas: set[tuple[int, int]], rows: np.ndarray,
                     headers: dict[str, str], positions: dict[str, int],
                     probs: _Problems) -> None:
    """Report formula cells without a saved value, instead of calling them empty."""
    for canon, j in positions.items():
        at = np.array(sorted(i + 1 for i, jj in formulas if jj == j), dtype=np.int64)
        at = at[np.isin(at, rows)]
        if not len(at):
            continue
        what = "number" if canon in COUNT_COLUMNS else "value"
        probs.add_rows(at, headers[canon], "formula without a saved value — open and save "
                       f"the file in Excel, or type the {what}", kind="formula")
        probs.mute(headers[canon], at)


def _future_dates(probs: _Problems, rows: np.ndarray, column: str, text: pd.Series,
                  iso: pd.Series) -> None:
    """Warn about dates after today (``iso`` holds yyyy-mm-dd text or NaN)."""
    today = _dt.date.today().isoformat()
    # Parsed years have four digits, so yyyy-mm-dd text sorts like the dates.
    future = (iso.notna() & (iso.astype(object).fillna("") > today)).to_numpy()
    if future.any():
        shown = text.to_numpy()[future]
        probs.add_rows(rows[future], column,
                       lambda i: [f"{v!r} is a date in the future (today is {today}); "
                                  "check the year" for v in shown[i]],
                       "warning", kind="future-date")


def _canonical_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a new roster frame with the canonical columns, dtypes and order."""
    out = pd.DataFrame(index=range(len(frame)))
    out["commune_code"] = frame["commune_code"].astype(str).to_numpy()
    for c in COUNT_COLUMNS:
        out[c] = frame[c].to_numpy().astype("int64")
    for c in ("reinforcement_origin", "as_of"):
        vals = frame[c].astype(object).where(frame[c].notna(), None).to_numpy()
        vals = [None if (v is None or v == "") else str(v) for v in vals]
        out[c] = pd.Series(vals, dtype="str")
    return out.sort_values("commune_code", kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------
# The two layouts.
def _validate_per_commune(data: pd.DataFrame, rows: np.ndarray, codes: pd.Series,
                          headers: dict[str, str], reg: _Registry,
                          border_codes: set[str] | None, probs: _Problems
                          ) -> pd.DataFrame:
    counts: dict[str, pd.Series] = {}
    messages: dict[str, pd.Series] = {}
    for c in COUNT_COLUMNS:
        counts[c], messages[c] = _on_uniques(_parse_counts)(
            data[c], empty_is_zero=(c == "reinforcements"))
    # Cells are already stripped by _read_cells.
    all_empty = np.logical_and.reduce([(data[c] == "").to_numpy() for c in COUNT_COLUMNS])
    skipped = all_empty & codes.notna().to_numpy()
    if skipped.any():
        shown = ", ".join(map(str, rows[skipped][:20].tolist()))
        more = f" and {int(skipped.sum()) - 20} more" if skipped.sum() > 20 else ""
        probs.add(int(rows[skipped][0]), None,
                  f"{int(skipped.sum())} row(s) without any count skipped (rows {shown}{more})",
                  "warning")
    keep = ~all_empty
    for c in COUNT_COLUMNS:
        _emit(probs, rows[keep], headers[c], messages[c][keep])
    as_of, date_msg = _on_uniques(_parse_dates)(data["as_of"])
    date_msg = date_msg.where(data["as_of"] != "",
                              "empty; write the date the counts hold (yyyy-mm-dd)")
    _emit(probs, rows[keep], headers["as_of"], date_msg[keep])
    _future_dates(probs, rows[keep], headers["as_of"], data["as_of"][keep], as_of[keep])

    chiefs = counts["chiefs"]
    many = keep & (chiefs > 1).to_numpy()
    many_vals = chiefs[many].to_numpy()
    probs.add_rows(rows[many], headers["chiefs"],
                   lambda i: [f"{int(v)} chiefs; a commune has at most one chief"
                              for v in many_vals[i]], kind="chiefs")

    valid_code = codes.notna().to_numpy() & keep
    dup = valid_code & codes.where(valid_code).duplicated(keep="first").to_numpy()
    if dup.any():
        firsts = ~dup & valid_code
        first_row = dict(zip(codes[firsts], rows[firsts].tolist()))
        dup_codes = codes[dup].to_numpy()
        probs.add_rows(rows[dup], headers.get("commune_code") or headers.get("commune_name"),
                       lambda i: [f"duplicate commune {c}: also in row {first_row[c]}"
                                  for c in dup_codes[i]], kind="duplicate")

    origin = data["reinforcement_origin"] if "reinforcement_origin" in data else pd.Series(
        "", index=data.index, dtype=object)
    frame = pd.DataFrame({"commune_code": codes, **counts,
                          "reinforcement_origin": origin, "as_of": as_of})
    frame["_row"] = rows
    frame = frame[keep]
    total = frame[["chiefs", "deputies", "officers", "reinforcements"]].sum(axis=1,
                                                                              skipna=False)
    over = frame["trained"] > total
    over_t, over_s = frame.loc[over, "trained"].to_numpy(), total[over].to_numpy()
    probs.add_rows(frame.loc[over, "_row"].to_numpy(), headers["trained"],
                   lambda i: [f"{int(t)} trained but only {int(s)} staff in the commune"
                              for t, s in zip(over_t[i], over_s[i])], "warning",
                   kind="trained-over")
    _border_warning(frame, reg, border_codes, headers.get("reinforcements"), probs)
    return frame


def _validate_per_officer(data: pd.DataFrame, rows: np.ndarray, codes: pd.Series,
                          headers: dict[str, str], reg: _Registry,
                          border_codes: set[str] | None, probs: _Problems
                          ) -> pd.DataFrame:
    role, role_msg = _parse_roles(data["role"])
    _emit(probs, rows, headers["role"], role_msg)
    trained, trained_msg = _parse_yes_no(data["trained"])
    _emit(probs, rows, headers["trained"], trained_msg)
    if "since" in data:
        since, since_msg = _on_uniques(_parse_dates)(data["since"])
        _emit(probs, rows, headers["since"], since_msg)
        _future_dates(probs, rows, headers["since"], data["since"], since)
    else:
        since = pd.Series(np.nan, index=data.index, dtype=object)
    origin = data["origin_unit"] if "origin_unit" in data else pd.Series(
        "", index=data.index, dtype=object)

    good = codes.notna() & role.notna()
    people = pd.DataFrame({"commune_code": codes, "role": role, "trained": trained.fillna(0),
                           "since": since, "origin": origin, "_row": rows})[good]
    tally = pd.crosstab(people["commune_code"], people["role"])
    tally = tally.reindex(columns=list(ROLES), fill_value=0)
    grouped = people.groupby("commune_code", sort=True)
    frame = pd.DataFrame({
        "commune_code": tally.index.astype(str),
        "chiefs": tally["chief"].to_numpy(),
        "deputies": tally["deputy"].to_numpy(),
        "officers": tally["officer"].to_numpy(),
        "reinforcements": tally["reinforcement"].to_numpy(),
    })
    frame["trained"] = grouped["trained"].sum().reindex(tally.index).to_numpy().astype("int64")
    frame["as_of"] = grouped["since"].max().reindex(tally.index).to_numpy()
    reinf = people[(people["role"] == "reinforcement") & (people["origin"] != "")]
    origins = reinf.groupby("commune_code")["origin"].agg(lambda s: "; ".join(sorted(set(s))))
    frame["reinforcement_origin"] = frame["commune_code"].map(origins).to_numpy()
    first_row = grouped["_row"].min().reindex(tally.index).to_numpy()
    frame["_row"] = first_row

    # At most one chief per commune: report once, at the second chief's row.
    chiefs = people[people["role"] == "chief"]
    multi = chiefs.groupby("commune_code")["_row"].agg(list)
    multi = multi[multi.map(len) > 1]
    for c, rs in multi.items():
        rs = sorted(rs)
        probs.add(rs[1], headers["role"],
                  f"commune {c} has {len(rs)} chiefs (rows {', '.join(map(str, rs))}); "
                  "a commune has at most one chief")
    for c in COUNT_COLUMNS:
        over = frame[c] > MAX_COUNT
        for code_, r, v in zip(frame.loc[over, "commune_code"], frame.loc[over, "_row"],
                               frame.loc[over, c]):
            probs.add(r, headers["role"] if c != "trained" else headers["trained"],
                      f"commune {code_} has {v:,} {c}, more than {MAX_COUNT:,}")
    first_reinf = people[people["role"] == "reinforcement"].groupby("commune_code")[
        "_row"].min()
    _border_warning(frame.assign(_row=frame["commune_code"].map(first_reinf)
                                 .fillna(frame["_row"]).to_numpy()),
                    reg, border_codes, headers["role"], probs)
    return frame


def _border_warning(frame: pd.DataFrame, reg: _Registry, border_codes: set[str] | None,
                    column: str | None, probs: _Problems) -> None:
    if border_codes is None:
        return
    border = {str(c).zfill(5) for c in border_codes}
    flag = frame["commune_code"].notna() & (frame["reinforcements"] > 0) & ~frame[
        "commune_code"].isin(border)
    flag_codes = frame.loc[flag, "commune_code"].to_numpy()
    flag_n = frame.loc[flag, "reinforcements"].to_numpy()
    probs.add_rows(frame.loc[flag, "_row"].to_numpy().astype("int64"), column,
                   lambda i: [f"{int(n)} reinforcement(s) in {_describe_unit(reg, c)}, which "
                              "is not a border commune" for c, n in zip(flag_codes[i], flag_n[i])],
                   "warning", kind="border")


# ---------------------------------------------------------------------------
def validate_roster(
    path_or_bytes: str | Path | bytes | BinaryIO,
    *,
    source_name: str | None = None,
    province: str = DEFAULT_PROVINCE,
    vintage: str = "2020",
    sheet: str | None = None,
    border_codes: set[str] | None = None,
    partial: bool | None = None,
) -> ValidationReport:
    r"""Read and check a roster file, reporting every problem at once.

    Parameters
    ----------
    path_or_bytes : str, Path, bytes or binary file object
        The roster: CSV (UTF-8, UTF-8 with BOM, UTF-16 or UTF-32 with BOM or
        Windows-1258; ``,``, ``;`` or tab) or XLSX.
    source_name : str, optional
        The name to show in problems; defaults to the file name.
    province : str
        The province the roster belongs to (name or code, any case/diacritics).
    vintage : {"2020", "2025"}
        The administrative map the commune codes and names refer to.
    sheet : str, optional
        XLSX sheet name; the first sheet when ``None``. Ignored for CSV.
    border_codes : set of str, optional
        Codes of the border communes; reinforcements elsewhere are warned
        about. ``None`` skips that check.
    partial : bool, optional
        ``False``: the roster is to replace the stored one, so a roster that
        does not list every xã of the province is an error. ``True``: a
        partial update (only the listed units change; a warning says so).
        ``None`` (default): coverage is not judged — checking a file, not
        importing it. See :mod:`geo.plausibility`.

    Returns
    -------
    ValidationReport
        ``roster`` is the accepted per-commune frame, or ``None`` if there is
        any error. Bad content never raises.

    Raises
    ------
    TypeError
        If ``path_or_bytes`` is not a path, bytes or a binary file object.
    RegistryError
        If ``province`` or ``vintage`` is unknown.

    Examples
    --------
    >>> report = validate_roster(b"commune_code,chiefs,deputies,officers,"
    ...     b"reinforcements,trained,as_of\n03154,1,1,3,0,4,2024-05-01\n")
    >>> report.ok, report.roster["officers"].tolist()
    (True, [3])
    """
    reg = _registry(province, str(vintage))
    raw, name, unreadable = _read_source(path_or_bytes, source_name)
    probs = _Problems(name)
    digest = hashlib.sha256(raw).hexdigest() if raw is not None else ""
    kind: Kind = "per-commune"

    def report(n_rows: int = 0, roster: pd.DataFrame | None = None) -> ValidationReport:
        items = probs.finish()
        rep = ValidationReport(items, roster if not probs.n_errors else None, kind, n_rows,
                               digest, name, reg.province, reg.vintage)
        log.info("roster %s: %s, %d data rows, %d communes, %d errors, %d warnings", name,
                 kind, n_rows, 0 if rep.roster is None else len(rep.roster),
                 len(rep.errors), len(rep.warnings))
        return rep

    if unreadable:
        probs.add(None, None, unreadable)
        return report()
    assert raw is not None
    got = _read_cells(raw, sheet, probs)
    if got is None:
        return report()
    cells, formulas = got
    header_at = _find_header(cells)
    if header_at > 0 and (cells.iloc[:header_at] != "").to_numpy().any():
        probs.add(header_at, None, f"rows 1–{header_at} above the header were ignored",
                  "warning")
    header_vals = cells.iloc[header_at].tolist()
    body = cells.iloc[header_at + 1:]
    body_rows = np.arange(header_at + 2, len(cells) + 1)
    nonempty = (body != "").any(axis=1).to_numpy()
    if formulas:  # a row of formulas without saved values is not empty
        nonempty = nonempty | np.isin(body_rows, [i + 1 for i, _ in formulas])
    body, body_rows = body[nonempty], body_rows[nonempty]
    kind = "per-officer" if any(
        _canonical_header(fold(h), "per-officer") == "role" for h in header_vals
    ) else "per-commune"
    headers, positions = _map_header(header_vals, header_at + 1, body, body_rows, kind, probs)
    missing = [c for c in _REQUIRED[kind] if c not in headers]
    if "commune_code" not in headers and "commune_name" not in headers:
        missing.insert(0, "commune_code (or commune_name)")
    for m in missing:
        probs.add(header_at + 1, m, f"missing required column {m}")
    n_rows = int(len(body))
    if n_rows == 0:
        probs.add(None, None, "no data rows under the header")
    if missing or n_rows == 0:
        return report(n_rows)
    if "district" in headers and not reg.has_districts:
        probs.add(header_at + 1, headers["district"], f"the {reg.vintage} map has no "
                  "districts; the column is ignored", "warning")
    if sheet is not None and not raw.startswith(b"PK\x03\x04"):
        probs.add(None, None, f"sheet={sheet!r} ignored: the file is CSV", "warning")

    data = pd.DataFrame({c: body[positions[c]].to_numpy() for c in positions},
                        index=range(n_rows), dtype=object)
    if formulas:
        _report_formulas(formulas, body_rows, headers, positions, probs)
    codes = _resolve_communes(data, body_rows, headers, reg, probs)
    if kind == "per-commune":
        frame = _validate_per_commune(data, body_rows, codes, headers, reg, border_codes,
                                      probs)
    else:
        frame = _validate_per_officer(data, body_rows, codes, headers, reg, border_codes,
                                      probs)
    if probs.n_errors:
        return report(n_rows)
    frame = frame[frame["commune_code"].notna()]
    if frame.empty:
        probs.add(None, None, "no commune has counts")
        return report(n_rows)
    # [integrity hook] dates, all-zero, every unit listed: geo.plausibility.roster_findings
    for severity, row, column, message in roster_findings(
            frame, expected_codes=expected_codes(reg.units), partial=partial, province=reg.province,
            date_column=headers.get("as_of") or headers.get("since")):
        probs.add(row, column, message, severity)
    if probs.n_errors:
        return report(n_rows)
    return report(n_rows, _canonical_frame(frame))


def read_roster(
    path_or_bytes: str | Path | bytes | BinaryIO,
    *,
    source_name: str | None = None,
    province: str = DEFAULT_PROVINCE,
    vintage: str = "2020",
    sheet: str | None = None,
    border_codes: set[str] | None = None,
    partial: bool | None = None,
) -> pd.DataFrame:
    """Return the accepted roster frame, or raise if the file has any error.

    Same parameters as :func:`validate_roster`. Warnings are issued as one
    ``UserWarning``.

    Raises
    ------
    RosterError
        If the file has errors; ``problems`` holds every problem found.
    """
    rep = validate_roster(path_or_bytes, source_name=source_name, province=province,
                          vintage=vintage, sheet=sheet, border_codes=border_codes,
                          partial=partial)
    if not rep.ok:
        errs = rep.errors
        first = "; ".join(str(p) for p in errs[:3])
        more = f" (and {len(errs) - 3} more)" if len(errs) > 3 else ""
        raise RosterError(f"roster {rep.source_name} rejected: {len(errs)} error(s): "
                          f"{first}{more}", problems=rep.problems)
    if rep.warnings:
        shown = "; ".join(str(p) for p in rep.warnings[:3])
        warnings.warn(f"roster {rep.source_name}: {len(rep.warnings)} warning(s): {shown}",
                      UserWarning, stacklevel=2)
    assert rep.roster is not None
    return rep.roster


def roster_template(*, per_officer: bool = False, province: str = DEFAULT_PROVINCE,
                    vintage: str = "2020", unit_types: tuple[str, ...] | None = None) -> str:
    r"""Return a CSV template to fill in, as text.

    Parameters
    ----------
    per_officer : bool
        ``False``: one row per commune of the province with code, name and
        district filled in and counts empty. ``True``: the per-officer header
        and one example row (no personal names).
    province : str
        Province name or code.
    vintage : {"2020", "2025"}
        Administrative map (2025 has no districts; the column is left out).
    unit_types : tuple of str, optional
        Keep only these unit types (e.g. ``("Xã",)``); all commune-level units
        (xã, phường, thị trấn) when ``None``.

    Returns
    -------
    str
        CSV text with ``\n`` line ends. Write it with ``encoding="utf-8-sig"``
        so that Excel shows the diacritics.
    """
    reg = _registry(province, str(vintage))
    units = reg.units.reset_index(drop=True).sort_values("code")
    if unit_types is not None:
        units = units[units["unit_type"].isin(unit_types)]
    has_district = bool(units["district"].astype(bool).any())
    name_cols = ["commune_code", "commune_name"] + (["district"] if has_district else [])
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    if per_officer:
        out.writerow(name_cols + ["role", "origin_unit", "trained", "since"])
        xa = units[units["unit_type"] == "Xã"]
        u = (xa if len(xa) else units).iloc[0]
        out.writerow([u["code"], u["name"]] + ([u["district"]] if has_district else [])
                     + ["officer", "", "yes", "2024-01-01"])
    else:
        out.writerow(name_cols + ["chiefs", "deputies", "officers", "reinforcements",
                                  "reinforcement_origin", "trained", "as_of"])
        for _, u in units.iterrows():
            out.writerow([u["code"], u["name"]] + ([u["district"]] if has_district else [])
                         + [""] * 7)
    log.info("roster template %s (%s): %d units", reg.province,
             "per-officer" if per_officer else "per-commune", len(units))
    return buf.getvalue()
