"""Reading roster files: bytes, encodings, delimiters and XLSX cells → a grid of text.

CSV in UTF-8 (with or without BOM), UTF-16 or UTF-32 with BOM or Windows-1258
(what Vietnamese Excel writes) is detected without asking and normalised to
NFC; the delimiter (``,``, ``;`` or tab) is sniffed. XLSX: the first sheet (or
``sheet=``), read-only, cell values as last saved (formulas are never
evaluated; formula cells without a saved value are reported by position).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
import unicodedata
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from geo.filebounds import preflight_roster
from geo._errors import InvalidArgumentType
from geo.roster.problems import ProblemList

#: Largest file accepted, in bytes.
MAX_FILE_BYTES = 64 * 1024 * 1024

_DELIMITERS = (",", ";", "\t")
_NON_ASCII_OK = re.compile("[^\x00-\x7f\ufffd]")

# Reading bytes and cells.
def read_source(path_or_bytes: object, source_name: str | None
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


def _decode(raw: bytes, probs: ProblemList) -> str | None:
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


def _head_lines(text: str, n: int) -> list[str]:
    """Return ``text.splitlines()[:n]`` without splitting the whole text."""
    size = 1 << 16
    while True:
        lines = text[:size].splitlines()
        # n + 1 lines begun in the prefix: the first n are whole.
        if len(lines) > n or size >= len(text):
            return lines[:n]
        size *= 4


def _sniff_delimiter(text: str) -> str:
    lines = [ln for ln in _head_lines(text, 50) if ln.strip()][:20]
    sample = "\n".join(lines)
    counts = {d: sample.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


#: The lines of a text as ``io.StringIO(text, newline="")`` yields them (``\n``, ``\r\n``
#: or ``\r`` ends a line, kept), without StringIO's copy of the text at 4 bytes a character.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")

#: Rows parsed per batch while streaming a CSV into columns.
_BATCH_ROWS = 16_384

#: Distinct values a column may have and still be deduplicated while reading.
_MAX_SHARED = 50_000


#: Characters other than ``\n`` that str.splitlines() breaks at.
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")

#: Characters of text split into lines at a time.
_BLOCK_CHARS = 1 << 20


def _lines(text: str):
    """Yield the lines of ``text`` as ``io.StringIO(text, newline="")`` does, a block at a time."""
    start, n = 0, len(text)
    while start < n:
        end = text.rfind("\n", start, start + _BLOCK_CHARS) + 1
        if end <= start:
            end = text.find("\n", start + _BLOCK_CHARS) + 1 or n
        if start + _BLOCK_CHARS >= n:
            end = n
        block = text[start:end]
        if _OTHER_BREAKS.search(block):
            yield from (m.group() for m in _LINE.finditer(block))
        else:
            yield from block.splitlines(keepends=True)
        start = end


#: Bytes of a UTF-8 file decoded at a time.
_DECODE_BYTES = 1 << 20


def _utf8_blocks(raw: bytes):
    """Return an iterator of the NFC text of UTF-8 ``raw``, a block of lines at a time, or None.

    None when ``raw`` is not plain UTF-8 (a UTF-16/32 byte-order mark, a NUL near
    the start, or an invalid byte anywhere): :func:`_decode` then reads it whole
    and reports. The blocks end after a newline, where NFC never joins characters,
    so they are the text :func:`_decode` gives, cut in pieces, without a copy of
    the whole file's text.
    """
    import codecs

    if raw.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) or b"\x00" in raw[:65536]:
        return None
    check = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(raw), _DECODE_BYTES):
            check.decode(raw[start:start + _DECODE_BYTES])
        check.decode(b"", final=True)
    except UnicodeDecodeError:
        return None

    def blocks():
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        start, n = 0, len(raw)
        while start < n:
            end = raw.find(b"\n", start + _DECODE_BYTES) + 1 or n
            text = decoder.decode(raw[start:end], final=end == n)
            if not unicodedata.is_normalized("NFC", text):
                text = unicodedata.normalize("NFC", text)
            if text:
                yield text
            start = end

    return blocks()


def _head_blocks(blocks) -> tuple[list[str], object]:
    """Split off the first blocks until they hold more than 50 lines (for the sniffer)."""
    it = iter(blocks)
    head: list[str] = []
    breaks = 0
    for block in it:
        head.append(block)
        breaks += len(block.splitlines())
        if breaks > 50:
            break
    return head, it


class _Stripped(dict):
    """Raw cell text → the same text stripped, one string per distinct value."""

    def __missing__(self, key: str) -> str:
        value = self[key] = key.strip()
        return value


def _read_csv_columns(raw: bytes, probs: ProblemList) -> tuple[pd.DataFrame, bool] | None:
    """Parse CSV bytes into a frame of stripped text cells (row i is line i + 1), a batch at a time.

    The rows are never held as lists of lists: each batch is moved into its
    columns at once, and a repeated value is kept once (a per-officer roster
    repeats a few codes, roles and dates down a million rows), so a cell costs
    a pointer, not a string. The cells equal those of
    ``pd.DataFrame(list(csv.reader(…)))`` with short rows padded with ``""``,
    each stripped. Also returns whether any cell had text before stripping.
    """
    import itertools

    blocks = _utf8_blocks(raw)
    if blocks is None:  # not plain UTF-8: decode the whole text (and say why if it fails)
        text = _decode(raw, probs)
        if text is None:
            return None
        blocks = [text]
    head, rest = _head_blocks(blocks)
    delimiter = _sniff_delimiter("".join(head))
    reader = csv.reader((line for block in itertools.chain(head, rest)
                         for line in _lines(block)), delimiter=delimiter)
    del head
    columns: list[list[str]] = []
    shared: list[_Stripped | None] = []
    any_text = False
    n_rows = 0
    try:
        while batch := list(itertools.islice(reader, _BATCH_ROWS)):
            width = max(map(len, batch))
            while len(columns) < width:
                columns.append([""] * n_rows)
                shared.append(_Stripped())
            width = len(columns)
            batch = [r if len(r) == width else r + [""] * (width - len(r)) for r in batch]
            for j, values in enumerate(zip(*batch)):
                seen = shared[j]
                if seen is None:
                    any_text = any_text or any(values)
                    columns[j].extend(v.strip() for v in values)
                    continue
                columns[j].extend(map(seen.__getitem__, values))
                if len(seen) > _MAX_SHARED:
                    any_text = any_text or any(seen)
                    shared[j] = None
            n_rows += len(batch)
    except csv.Error as err:
        probs.add(reader.line_num or None, None, f"malformed CSV: {err}")
        return None
    any_text = any_text or any(any(seen) for seen in shared if seen is not None)
    arrays = {}
    for j in range(len(columns)):  # each list freed as soon as it is an array
        arrays[j] = np.array(columns[j], dtype=object)
        columns[j] = None  # type: ignore[call-overload]
    del columns, shared
    frame = pd.DataFrame(arrays, index=range(n_rows), dtype=object, copy=False)
    return frame, any_text


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


def _read_xlsx_rows(raw: bytes, sheet: str | None, probs: ProblemList
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



def read_cells(raw: bytes, sheet: str | None, probs: ProblemList
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
    # bounded work before parsing (dimensions, entities, hidden sheets, columns, line length)
    for severity, message in preflight_roster(raw, name=probs.file, sheet=sheet):
        probs.add(None, None, message, severity)
    if probs.n_errors:
        return None
    formulas: set[tuple[int, int]] = set()
    if raw.startswith(b"PK\x03\x04"):
        got = _read_xlsx_rows(raw, sheet, probs)
        if got is None:
            return None
        table, formulas = got
        width = max(map(len, table), default=0)
        if table and min(map(len, table)) != width:
            table = [r if len(r) == width else list(r) + [""] * (width - len(r))
                     for r in table]
        cells = pd.DataFrame(table, dtype=object)
    elif raw.startswith(b"\xd0\xcf\x11\xe0"):
        probs.add(None, None, "old Excel .xls format is not supported; save as .xlsx or CSV")
        return None
    else:
        got = _read_csv_columns(raw, probs)
        if got is None:
            return None
        cells, any_text = got
        if cells.empty or not any_text:
            probs.add(None, None, "empty file")
            return None
        return cells, formulas
    if cells.isna().to_numpy().any():
        cells = cells.fillna("")
    if cells.empty or not (cells != "").to_numpy().any():
        probs.add(None, None, "empty file")
        return None
    for c in cells.columns:
        # Strip once per distinct value: roster columns repeat the same few values. The
        # column stays an object array of those few strings (a pointer a cell), not one
        # string per cell.
        codes, uniques = pd.factorize(cells[c].to_numpy(dtype=object))
        stripped = np.array([str(u).strip() for u in uniques], dtype=object)
        if len(uniques):
            cells[c] = pd.Series(stripped[codes], index=cells.index, dtype=object)
    return cells, formulas


