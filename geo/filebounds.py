"""Bounded work before parsing: refuse hostile or oversized XLSX and CSV files cheaply.

A spreadsheet parser trusts what a file says about itself. An 8 KB workbook can
declare the sheet ``A1:XFD1048576`` (17 billion cells, which openpyxl's
read-only mode pads out row by row), carry a "billion laughs" entity bomb or an
external entity in any of its XML parts, or hide the sheet that gets read; a
small CSV can hold one line with 100,000 fields. The checks here look at the
bytes before any parser does, with work and memory bounded by the limits:

:func:`check_xlsx`
    Opens the zip without extracting it; streams every XML part through
    ``defusedxml`` (no DTD, no entity declaration, no external reference is
    accepted) with a byte budget per part; reads the sheet list and states
    (visible, hidden, very hidden) from ``xl/workbook.xml``; for the sheet
    that would be read, checks the declared ``<dimension>`` and then counts
    rows, the highest column and cells while streaming, stopping at the first
    limit passed; caps the size of the shared-strings table.
:func:`check_csv`
    Counts lines, the longest line (bytes) and the most fields a line could
    hold (delimiters + 1) without decoding or parsing.

Both raise :class:`geo._errors.UploadError` with a message for the user (the
file, what was found and the limit). The limits are keyword options; their
defaults (module constants below) are far above any real roster — a whole
country's per-officer list is about 100,000 rows of a dozen columns.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse as _safe_iterparse

from geo._errors import UploadError

log = logging.getLogger(__name__)

#: Most rows of the sheet read (declared by ``<dimension>`` or present).
MAX_ROWS = 200_000
#: Highest column of the sheet read (``IV`` = 256).
MAX_COLS = 256
#: Most cells of the sheet read.
MAX_CELLS = 5_000_000
#: Largest shared-strings part, uncompressed (bytes).
MAX_SHARED_STRINGS_BYTES = 32 << 20
#: Largest uncompressed XML part of a workbook (bytes).
MAX_XML_PART_BYTES = 256 << 20
#: Most members of a workbook zip.
MAX_XLSX_MEMBERS = 1_000
#: Most fields on one CSV line.
MAX_CSV_COLUMNS = 1_000
#: Longest CSV line (bytes); one field is capped further by the CSV reader (128 KB).
MAX_CSV_LINE_BYTES = 4 << 20
#: Most CSV lines (a whole country's per-officer roster is about 100,000).
MAX_CSV_LINES = 2_000_000

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})?\$?(\d{1,7})?")
_CSV_DELIMITERS = (b",", b";", b"\t")
_CHUNK = 1 << 16


@dataclass(frozen=True)
class SheetInfo:
    """One sheet listed in ``xl/workbook.xml``.

    Attributes
    ----------
    name : str
        The sheet's name as Excel shows it.
    state : {"visible", "hidden", "veryHidden"}
        Whether Excel shows it.
    part : str
        Its XML part inside the zip (``xl/worksheets/sheet1.xml``), or ``""``.
    """

    name: str
    state: str
    part: str

    @property
    def hidden(self) -> bool:
        """True for a hidden or very hidden sheet."""
        return self.state != "visible"


@dataclass(frozen=True)
class XlsxInfo:
    """What :func:`check_xlsx` found.

    Attributes
    ----------
    sheets : list of SheetInfo
        Every sheet, in workbook order.
    chosen : SheetInfo or None
        The sheet that would be read (the named one, else the first); ``None``
        when the named sheet does not exist (the reader reports that).
    rows, cols, cells : int
        Highest row, highest column and number of cells of the chosen sheet.
    """

    sheets: list[SheetInfo] = field(default_factory=list)
    chosen: SheetInfo | None = None
    rows: int = 0
    cols: int = 0
    cells: int = 0

    @property
    def visible_names(self) -> list[str]:
        """Names of the visible sheets."""
        return [s.name for s in self.sheets if not s.hidden]


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def _split_ref(ref: str) -> tuple[int, int]:
    """Return (column, row) of ``"XFD1048576"`` (0 for a missing part)."""
    m = _CELL_REF.fullmatch(ref.strip())
    if not m:
        return 0, 0
    return (_col_number(m.group(1)) if m.group(1) else 0,
            int(m.group(2)) if m.group(2) else 0)


class _Budget(io.RawIOBase):
    """A readable stream over a zip member that refuses to yield more than ``limit`` bytes."""

    def __init__(self, member, limit: int, label: str) -> None:
        self._member, self._left, self._limit, self._label = member, limit, limit, label

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        data = self._member.read(min(len(buf), _CHUNK))
        self._left -= len(data)
        if self._left < 0:
            raise UploadError(f"{self._label} is larger than {self._limit:,} bytes uncompressed")
        buf[: len(data)] = data
        return len(data)


def _iter_xml(zf: zipfile.ZipFile, part: str, name: str, limit: int):
    """Yield (event, element) of one XML part, refusing DTDs, entities and overlong parts."""
    label = f"{name}: part {part}"
    try:
        with zf.open(part) as member:
            stream = io.BufferedReader(_Budget(member, limit, label), _CHUNK)
            for event, elem in _safe_iterparse(stream, events=("start", "end"),
                                               forbid_dtd=True, forbid_entities=True,
                                               forbid_external=True):
                yield event, elem
    except DefusedXmlException as err:
        raise UploadError(f"{name}: part {part} declares a DTD or XML entities "
                          f"({type(err).__name__}); a workbook saved by a spreadsheet program "
                          "never does — refused") from err
    except SyntaxError as err:  # xml.etree.ElementTree.ParseError
        raise UploadError(f"{name}: part {part} is not well-formed XML ({err})") from err
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as err:
        raise UploadError(f"{name}: damaged workbook, part {part} cannot be read "
                          f"({err})") from err


def _drain(zf: zipfile.ZipFile, part: str, name: str, limit: int) -> None:
    for _event, elem in _iter_xml(zf, part, name, limit):
        elem.clear()


def _rels(zf: zipfile.ZipFile, name: str) -> dict[str, str]:
    """Relationship id -> part path, from ``xl/_rels/workbook.xml.rels``."""
    out: dict[str, str] = {}
    part = "xl/_rels/workbook.xml.rels"
    if part not in zf.NameToInfo:
        return out
    for event, elem in _iter_xml(zf, part, name, MAX_XML_PART_BYTES):
        if event == "end" and elem.tag == f"{_NS_PKG_REL}Relationship":
            target = elem.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else str(
                PurePosixPath("xl") / target)
            out[elem.get("Id", "")] = path.replace("xl/./", "xl/")
    return out


def _sheets(zf: zipfile.ZipFile, name: str) -> list[SheetInfo]:
    if "xl/workbook.xml" not in zf.NameToInfo:
        raise UploadError(f"{name}: unreadable spreadsheet (not a valid .xlsx file): "
                          "no xl/workbook.xml")
    rels = _rels(zf, name)
    out = []
    for event, elem in _iter_xml(zf, "xl/workbook.xml", name, MAX_XML_PART_BYTES):
        if event == "end" and elem.tag == f"{_NS_MAIN}sheet":
            out.append(SheetInfo(elem.get("name", ""), elem.get("state", "visible"),
                                 rels.get(elem.get(f"{_NS_REL}id", ""), "")))
    return out


def _measure_sheet(zf: zipfile.ZipFile, part: str, label: str, name: str, *, max_rows: int,
                   max_cols: int, max_cells: int) -> tuple[int, int, int]:
    """Return (rows, cols, cells) of a sheet part, stopping at the first limit passed."""
    rows = cols = cells = 0
    row_tag, cell_tag, dim_tag = f"{_NS_MAIN}row", f"{_NS_MAIN}c", f"{_NS_MAIN}dimension"
    sheet_data = f"{_NS_MAIN}sheetData"
    fix = ("; delete the empty rows and columns around the data (or copy the table into "
           "a new sheet) and save again")
    current_row = 0
    for event, elem in _iter_xml(zf, part, name, MAX_XML_PART_BYTES):
        if event == "start":
            if elem.tag == dim_tag:
                first, _, last = elem.get("ref", "").partition(":")
                c, r = _split_ref(last or first)
                if r > max_rows or c > max_cols:
                    raise UploadError(
                        f"{name}: sheet {label} declares its size as {elem.get('ref')!r} "
                        f"({r:,} rows × {c:,} columns), more than the {max_rows:,} rows × "
                        f"{max_cols:,} columns accepted{fix}")
            elif elem.tag == row_tag:
                r = elem.get("r")
                current_row = int(r) if r and r.isdigit() else current_row + 1
                rows = max(rows, current_row)
                if rows > max_rows:
                    raise UploadError(f"{name}: sheet {label} has data in row {rows:,}, past "
                                      f"the {max_rows:,} rows accepted{fix}")
            elif elem.tag == cell_tag:
                cells += 1
                c, r = _split_ref(elem.get("r", ""))
                cols = max(cols, c)
                if r > max_rows:
                    raise UploadError(f"{name}: sheet {label} has a cell in row {r:,}, past "
                                      f"the {max_rows:,} rows accepted{fix}")
                if cols > max_cols:
                    raise UploadError(f"{name}: sheet {label} has a cell in column {cols:,}, "
                                      f"past the {max_cols:,} columns accepted{fix}")
                if cells > max_cells:
                    raise UploadError(f"{name}: sheet {label} has more than {max_cells:,} "
                                      f"cells{fix}")
        elif elem.tag in (row_tag, sheet_data):
            elem.clear()  # keep memory flat while streaming
    return rows, cols, cells


def check_xlsx(data: bytes, *, name: str = "workbook", sheet: str | None = None,
               max_rows: int = MAX_ROWS, max_cols: int = MAX_COLS, max_cells: int = MAX_CELLS,
               max_shared_strings_bytes: int = MAX_SHARED_STRINGS_BYTES,
               max_part_bytes: int = MAX_XML_PART_BYTES,
               max_members: int = MAX_XLSX_MEMBERS) -> XlsxInfo:
    """Check an XLSX workbook's bytes before a spreadsheet parser reads them.

    Parameters
    ----------
    data : bytes
        The workbook.
    name : str
        The file name to quote in messages.
    sheet : str, optional
        The sheet that will be read; the first sheet (in workbook order) when ``None``.
    max_rows, max_cols, max_cells : int
        Limits for the sheet that will be read (declared dimension and cells present).
    max_shared_strings_bytes : int
        Largest ``xl/sharedStrings.xml``, uncompressed.
    max_part_bytes : int
        Largest other XML part, uncompressed.
    max_members : int
        Most zip members.

    Returns
    -------
    XlsxInfo
        The sheets with their states and the size of the sheet to be read.

    Raises
    ------
    UploadError
        Not a readable workbook, an XML part with a DTD or entity declarations
        (billion laughs, external entities), a part or sheet past a limit.

    Examples
    --------
    >>> import io, openpyxl
    >>> wb = openpyxl.Workbook(); wb.active.append(["commune_code", "chiefs"])
    >>> buf = io.BytesIO(); wb.save(buf)
    >>> check_xlsx(buf.getvalue()).rows
    1
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(bytes(data)))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as err:
        raise UploadError(f"{name}: unreadable spreadsheet (not a valid .xlsx file): "
                          f"{err}") from err
    with zf:
        infos = zf.infolist()
        if len(infos) > max_members:
            raise UploadError(f"{name}: the workbook has {len(infos):,} parts, more than the "
                              f"{max_members:,} accepted")
        sheets = _sheets(zf, name)
        chosen = next((s for s in sheets if s.name == sheet), None) if sheet is not None \
            else (sheets[0] if sheets else None)
        rows = cols = cells = 0
        for info in infos:
            part = info.filename
            if not part.lower().endswith((".xml", ".rels", ".vml")):
                continue
            if part == "xl/sharedStrings.xml":
                limit = max_shared_strings_bytes
                if info.file_size > limit:
                    raise UploadError(f"{name}: the shared-strings table is "
                                      f"{info.file_size:,} bytes, more than the {limit:,} "
                                      "accepted")
            else:
                limit = max_part_bytes
                if info.file_size > limit:
                    raise UploadError(f"{name}: part {part} is {info.file_size:,} bytes "
                                      f"uncompressed, more than the {limit:,} accepted")
            if chosen is not None and part == chosen.part:
                rows, cols, cells = _measure_sheet(zf, part, repr(chosen.name), name,
                                                   max_rows=max_rows, max_cols=max_cols,
                                                   max_cells=max_cells)
            else:
                _drain(zf, part, name, limit)
    info = XlsxInfo(sheets, chosen, rows, cols, cells)
    log.info("xlsx %s: %d sheets (%d hidden), sheet %s: %d rows, %d columns, %d cells", name,
             len(sheets), sum(s.hidden for s in sheets), chosen.name if chosen else "-",
             rows, cols, cells)
    return info


def hidden_sheet_message(info: XlsxInfo, *, sheet: str | None) -> tuple[str, str] | None:
    """Say what to do when the sheet to be read is hidden: ``(severity, message)`` or ``None``.

    Reading a hidden sheet without being asked is an error (the user checks
    what Excel shows, not what is hidden); a hidden sheet named explicitly is
    read, with a warning.
    """
    if info.chosen is None or not info.chosen.hidden:
        return None
    what = "very hidden" if info.chosen.state == "veryHidden" else "hidden"
    if sheet is None:
        visible = ", ".join(repr(n) for n in info.visible_names) or "none"
        return ("error", f"the first sheet {info.chosen.name!r} is {what} in Excel; it is "
                         f"not read without being named (visible sheets: {visible})")
    return ("warning", f"sheet {info.chosen.name!r} is {what} in Excel; read because it was "
                       "named")


def check_csv(data: bytes, *, name: str = "file", max_columns: int = MAX_CSV_COLUMNS,
              max_line_bytes: int = MAX_CSV_LINE_BYTES, max_lines: int = MAX_CSV_LINES) -> int:
    r"""Check CSV bytes before decoding and parsing them; return the number of lines.

    A line's possible field count is the count of its most frequent delimiter
    (``,``, ``;`` or tab) plus one, so the check needs no decoding; a quoted
    delimiter counts too, which only matters far above any real roster.

    Parameters
    ----------
    data : bytes
        The CSV file.
    name : str
        The file name to quote in messages.
    max_columns : int
        Most fields on one line.
    max_line_bytes : int
        Longest line in bytes.
    max_lines : int
        Most lines.

    Returns
    -------
    int
        The number of lines.

    Raises
    ------
    UploadError
        A line with too many fields or too many bytes, or too many lines.

    Examples
    --------
    >>> check_csv(b"commune_code,chiefs\n03154,1\n")
    3
    """
    buf = np.frombuffer(data if isinstance(data, bytes) else bytes(data), dtype=np.uint8)
    ends = np.flatnonzero(buf == 0x0A)
    n_lines = len(ends) + 1
    if n_lines > max_lines:
        raise UploadError(f"{name}: {n_lines:,} lines, more than the {max_lines:,} accepted")
    bounds = np.concatenate(([-1], ends, [len(buf)]))
    # UTF-16/32 text has NUL bytes between characters; count characters, not bytes.
    width = 4 if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff") else (
        2 if data[:2] in (b"\xff\xfe", b"\xfe\xff") else 1)
    lengths = np.diff(bounds) - 1
    if len(lengths) and lengths.max() > max_line_bytes * width:
        i = int(np.argmax(lengths > max_line_bytes * width))
        raise UploadError(f"{name}: line {i + 1:,} is {int(lengths[i]):,} bytes long, more "
                          f"than the {max_line_bytes:,} accepted")
    for d in _CSV_DELIMITERS:
        at = np.flatnonzero(buf == d[0])
        if len(at) < max_columns:
            continue
        fields = np.diff(np.searchsorted(at, bounds)) + 1
        if len(fields) and fields.max() > max_columns:
            i = int(np.argmax(fields > max_columns))
            raise UploadError(f"{name}: line {i + 1:,} has {int(fields[i]):,} fields, more "
                              f"than the {max_columns:,} columns accepted")
    lines = range(n_lines)
    log.info("csv %s: %d lines within bounds", name, len(lines))
    return len(lines)


def preflight_roster(raw: bytes, *, name: str, sheet: str | None = None
                     ) -> list[tuple[str, str]]:
    """Run the bounded checks a roster file needs before parsing; return its problems.

    XLSX bytes (a zip) go through :func:`check_xlsx` and
    :func:`hidden_sheet_message`; anything else through :func:`check_csv`.

    Returns
    -------
    list of tuple
        ``(severity, message)`` pairs; an ``"error"`` means: do not parse.
    """
    try:
        if raw.startswith(b"PK\x03\x04"):
            got = hidden_sheet_message(check_xlsx(raw, name=name, sheet=sheet), sheet=sheet)
            return [got] if got else []
        if raw.startswith(b"\xd0\xcf\x11\xe0"):
            return []  # old .xls: the reader refuses it by name
        check_csv(raw, name=name)
    except UploadError as err:
        return [("error", str(err))]
    return []


def preflight_path(path: str | Path, *, sheet: str | None = None,
                   max_bytes: int = 64 << 20) -> bool:
    """Return True when a roster file passes :func:`preflight_roster` (cheap; no parsing).

    A file that cannot be read or is larger than ``max_bytes`` returns False
    (the reader reports why).
    """
    path = Path(path)
    try:
        if path.stat().st_size > max_bytes:
            return False
        raw = path.read_bytes()
    except OSError:
        return False
    return not any(sev == "error" for sev, _ in preflight_roster(raw, name=path.name,
                                                                 sheet=sheet))
