"""Safe handling of uploaded files: size, type, archive checks and a throw-away staging folder.

An upload is bytes plus the name the browser sent. Before any parser sees it:

* its size must not exceed :func:`max_upload_bytes` (``$BORDERMAP_MAX_UPLOAD_MB``,
  default 50 MB);
* its extension must be one expected for its kind (:data:`KINDS`) and its
  first bytes must look like that format (a ``.csv`` holding binary junk, a
  ``.xlsx`` that is not a workbook, a ``.shp`` without the shapefile magic
  number are refused);
* an archive (``.zip``, and ``.xlsx``, which is one) is inspected without
  extracting: no absolute paths, ``..`` components, symbolic links, encrypted
  or duplicate members; at most :data:`MAX_ZIP_MEMBERS` members; no member
  that expands more than :data:`MAX_RATIO` times (above :data:`RATIO_MIN_BYTES`);
  at most :data:`MAX_UNCOMPRESSED_BYTES` in all. Extraction then re-counts
  the bytes actually written.

:func:`staged_upload` writes the checked file (a zip is extracted) into a
private temporary folder and yields the path of the one dataset in it; the
folder is removed when the ``with`` block ends, whatever happens inside.
Nothing uploaded is ever unpickled or evaluated.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import stat
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Literal

from geo._errors import InvalidArgument, InvalidArgumentType, SettingsError, UploadError
from geo.settings import DEFAULT_MAX_UPLOAD_MB, get_settings  # noqa: F401 (re-export)

log = logging.getLogger(__name__)

UploadKind = Literal["roster", "boundaries"]

#: Extensions accepted for each kind of upload.
KINDS: dict[str, tuple[str, ...]] = {
    "roster": (".csv", ".xlsx"),
    "boundaries": (".zip", ".shp", ".shx", ".dbf", ".prj", ".cpg", ".gpkg", ".geojson",
                   ".json"),
}

#: Files that hold a dataset (what :func:`staged_upload` yields for boundaries).
DATASET_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json")

#: Sidecar files a shapefile cannot do without.
SHAPEFILE_REQUIRED = (".shx", ".dbf", ".prj")

#: Members of a boundaries zip that are extracted; anything else is left inside the zip.
ZIP_MEMBER_SUFFIXES = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".gpkg",
                       ".geojson", ".json")

#: Default upload limit in megabytes (``$BORDERMAP_MAX_UPLOAD_MB`` overrides it).

#: Most members an archive may hold.
MAX_ZIP_MEMBERS = 200

#: Largest expansion ratio (uncompressed / compressed) of one archive member …
MAX_RATIO = 100.0

#: … applied to members larger than this once uncompressed (small files may
#: legitimately compress very well).
RATIO_MIN_BYTES = 1 << 20

#: Largest total uncompressed size of an archive.
MAX_UNCOMPRESSED_BYTES = 500 << 20

_CHUNK = 1 << 20
_BAD_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"|?*]')
_DBF_VERSIONS = frozenset({0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x7B, 0x83,
                           0x8B, 0x8E, 0xCB, 0xE5, 0xF5, 0xFB})
_SHP_MAGIC = b"\x00\x00\x27\x0a"


def max_upload_bytes() -> int:
    """Return the upload size limit in bytes (``$BORDERMAP_MAX_UPLOAD_MB``, default 50 MB).

    Raises
    ------
    UploadError
        The environment variable is not a positive number.
    """
    try:
        return get_settings().max_upload_bytes
    except SettingsError as err:
        raise UploadError(str(err)) from err


def safe_filename(name: str) -> str:
    """Return a name safe to create in the staging folder.

    Keeps the last path component only (browsers may send ``C:\\fakepath\\x``),
    normalises to NFC, replaces control and reserved characters with ``_``,
    drops leading dots and caps the length, keeping the extension.
    """
    base = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    base = _BAD_NAME_CHARS.sub("_", base).strip().lstrip(".").strip()
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem[:100] or "upload"
    suffix = suffix[:10]
    return f"{stem}.{suffix}" if suffix else stem


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def _suffix(name: str) -> str:
    return PurePosixPath(name.lower()).suffix


def _check_head(name: str, suffix: str, head: bytes, size: int) -> None:
    """Refuse a file whose first bytes do not match its extension."""
    if size == 0:
        raise UploadError(f"{name}: the file is empty")
    if suffix == ".csv":
        if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
            return  # UTF-16 and UTF-32 text hold NUL bytes
        if head.startswith(b"PK\x03\x04"):
            raise UploadError(f"{name}: this is an Excel workbook or a zip, not CSV; "
                              "rename it to .xlsx or export it as CSV")
        if b"\x00" in head:
            raise UploadError(f"{name}: binary data, not a CSV text file")
    elif suffix == ".xlsx":
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise UploadError(f"{name}: an old .xls or password-protected workbook; "
                              "save it as .xlsx without a password")
        if not head.startswith(b"PK\x03\x04"):
            raise UploadError(f"{name}: not an .xlsx workbook")
    elif suffix == ".zip":
        if head.startswith(b"PK\x05\x06"):
            raise UploadError(f"{name}: the zip archive is empty")
        if not head.startswith(b"PK\x03\x04"):
            raise UploadError(f"{name}: not a zip archive")
    elif suffix in (".shp", ".shx"):
        if size < 100 or not head.startswith(_SHP_MAGIC):
            raise UploadError(f"{name}: not a shapefile {suffix} (bad or truncated header)")
        declared = int.from_bytes(head[24:28], "big") * 2  # file length in 16-bit words
        if declared != size:
            raise UploadError(f"{name}: the header says {declared:,} bytes but the file has "
                              f"{size:,} — truncated or damaged")
    elif suffix == ".dbf":
        if size < 33 or head[0] not in _DBF_VERSIONS:
            raise UploadError(f"{name}: not a dBASE .dbf table (bad or truncated header)")
    elif suffix in (".prj", ".cpg"):
        if b"\x00" in head:
            raise UploadError(f"{name}: binary data, not a text {suffix} file")
    elif suffix == ".gpkg":
        if not head.startswith(b"SQLite format 3\x00"):
            raise UploadError(f"{name}: not a GeoPackage (SQLite) file")
    elif suffix in (".geojson", ".json"):
        if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            raise UploadError(f"{name}: not a GeoJSON object (it must start with '{{')")


def _member_path(info: zipfile.ZipInfo, archive: str) -> PurePosixPath | None:
    """Return the member's safe relative path, ``None`` to skip it, or raise if hostile."""
    raw = info.filename
    if "\x00" in raw:
        raise UploadError(f"{archive}: member name with a NUL byte: {raw!r}")
    norm = raw.replace("\\", "/")
    if norm.startswith("/") or re.match(r"[A-Za-z]:", norm):
        raise UploadError(f"{archive}: member {raw!r} has an absolute path; refused")
    parts = [p for p in norm.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UploadError(f"{archive}: member {raw!r} points outside the archive (..); refused")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise UploadError(f"{archive}: member {raw!r} is a symbolic link; refused")
    if info.flag_bits & 0x1:
        raise UploadError(f"{archive}: member {raw!r} is encrypted; upload an unencrypted zip")
    if info.is_dir() or not parts:
        return None
    if parts[0] == "__MACOSX" or parts[-1].startswith("._"):
        return None
    return PurePosixPath(*parts)


def _inspect_zip(name: str, zf: zipfile.ZipFile
                 ) -> list[tuple[zipfile.ZipInfo, PurePosixPath | None]]:
    """Check an archive's directory (no extraction); return members with their safe paths."""
    infos = zf.infolist()
    if not infos:
        raise UploadError(f"{name}: the zip archive is empty")
    if len(infos) > MAX_ZIP_MEMBERS:
        raise UploadError(f"{name}: {len(infos)} members, more than the {MAX_ZIP_MEMBERS} "
                          "accepted")
    total, seen, out = 0, set(), []
    for info in infos:
        rel = _member_path(info, name)
        if rel is not None:
            key = str(rel).casefold()
            if key in seen:
                raise UploadError(f"{name}: member {info.filename!r} appears twice; refused")
            seen.add(key)
        size, packed = info.file_size, info.compress_size
        if size > RATIO_MIN_BYTES and (packed == 0 or size / packed > MAX_RATIO):
            ratio = "∞" if packed == 0 else f"{size / packed:,.0f}"
            raise UploadError(f"{name}: member {info.filename!r} expands {ratio}:1 "
                              f"(to {_mb(size)}), more than {MAX_RATIO:.0f}:1 — "
                              "refused as a possible zip bomb")
        total += size
        if total > MAX_UNCOMPRESSED_BYTES:
            raise UploadError(f"{name}: uncompressed size over {_mb(MAX_UNCOMPRESSED_BYTES)} — "
                              "refused as a possible zip bomb")
        out.append((info, rel))
    return out


def _open_zip(name: str, data: bytes) -> zipfile.ZipFile:
    import io

    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError,
            EOFError) as err:
        raise UploadError(f"{name}: damaged or truncated zip archive ({err})") from err


def _check_xlsx(name: str, data: bytes) -> None:
    with _open_zip(name, data) as zf:
        members = _inspect_zip(name, zf)
        names = {info.filename for info, _ in members}
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise UploadError(f"{name}: a zip but not an .xlsx workbook")


def check_upload(name: str, data: bytes, *, kind: UploadKind) -> str:
    """Check one uploaded file without writing it anywhere; return its safe file name.

    Parameters
    ----------
    name : str
        The file name the browser sent.
    data : bytes
        The file's content.
    kind : {"roster", "boundaries"}
        What the upload is meant to be; decides the accepted extensions.

    Returns
    -------
    str
        :func:`safe_filename` of ``name``.

    Raises
    ------
    UploadError
        Too large, empty, unexpected extension, content that does not match
        the extension, or an unsafe archive.
    ValueError
        ``kind`` is unknown (a programming error).
    """
    if kind not in KINDS:
        raise InvalidArgument(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidArgumentType(f"data must be bytes, not {type(data).__name__}")
    safe = safe_filename(name)
    limit = max_upload_bytes()
    if len(data) > limit:
        raise UploadError(f"{safe}: {_mb(len(data))} is more than the {_mb(limit)} upload limit "
                          "(BORDERMAP_MAX_UPLOAD_MB)")
    suffix = _suffix(safe)
    if suffix not in KINDS[kind]:
        raise UploadError(f"{safe}: a {kind} upload must be {', '.join(KINDS[kind])}, "
                          f"not {suffix or 'a file without extension'!r}")
    data = bytes(data)
    _check_head(safe, suffix, data[:65536], len(data))
    if suffix == ".xlsx":
        _check_xlsx(safe, data)
    elif suffix == ".zip":
        with _open_zip(safe, data) as zf:
            _inspect_zip(safe, zf)
    return safe


def _write_new(path: Path, chunks: Iterable[bytes], *, limit: int, label: str) -> int:
    """Create ``path`` (never following or replacing anything) and write chunks; return size."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                 0o600)
    written = 0
    with os.fdopen(fd, "wb") as fh:
        for chunk in chunks:
            written += len(chunk)
            if written > limit:
                raise UploadError(f"{label}: more data than declared — refused as a possible "
                                  "zip bomb")
            fh.write(chunk)
    return written


def _extract(name: str, data: bytes, root: Path) -> list[Path]:
    """Extract the expected members of a checked zip under ``root``; return the files."""
    files, total, skipped = [], 0, []
    root = root.resolve()
    with _open_zip(name, data) as zf:
        for info, rel in _inspect_zip(name, zf):
            if rel is None:
                continue
            if rel.suffix.lower() not in ZIP_MEMBER_SUFFIXES:
                skipped.append(str(rel))
                continue
            dest = root.joinpath(*rel.parts)
            if not dest.resolve().is_relative_to(root):  # belt and braces after _member_path
                raise UploadError(f"{name}: member {info.filename!r} points outside; refused")
            try:
                dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                with zf.open(info) as src:
                    total += _write_new(dest, iter(lambda: src.read(_CHUNK), b""),
                                        limit=min(info.file_size, MAX_UNCOMPRESSED_BYTES - total),
                                        label=f"{name}: {info.filename}")
            except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError,
                    RuntimeError, ValueError) as err:
                if isinstance(err, UploadError):
                    raise
                raise UploadError(f"{name}: member {info.filename!r} cannot be extracted "
                                  f"({err})") from err
            files.append(dest)
    if skipped:
        log.info("upload %s: %d member(s) not extracted: %s", name, len(skipped),
                 ", ".join(skipped[:5]))
    return files


def _dataset(label: str, files: list[Path]) -> Path:
    """Return the one dataset among ``files``; check a shapefile has its sidecars."""
    found = [f for f in files if f.suffix.lower() in DATASET_SUFFIXES]
    if not found:
        raise UploadError(f"{label}: no .shp, .gpkg or .geojson file found")
    if len(found) > 1:
        names = ", ".join(sorted(f.name for f in found)[:6])
        raise UploadError(f"{label}: {len(found)} datasets ({names}); upload one at a time")
    dataset = found[0]
    with open(dataset, "rb") as fh:
        head = fh.read(65536)
    _check_head(dataset.name, dataset.suffix.lower(), head, dataset.stat().st_size)
    if dataset.suffix.lower() == ".shp":
        present = {f.suffix.lower(): f for f in files
                   if f.parent == dataset.parent and f.stem == dataset.stem}
        missing = [s for s in SHAPEFILE_REQUIRED if s not in present]
        if missing:
            why = {".shx": "the shape index", ".dbf": "the attribute table (commune codes)",
                   ".prj": "the coordinate reference system"}
            raise UploadError(
                f"{label}: {dataset.name} comes without "
                + ", ".join(f"{dataset.stem}{s} ({why[s]})" for s in missing)
                + "; upload all parts of the shapefile together (or zipped together)")
        for s in SHAPEFILE_REQUIRED:
            f = present[s]
            with open(f, "rb") as fh:
                _check_head(f.name, s, fh.read(65536), f.stat().st_size)
    return dataset


@contextlib.contextmanager
def staged_uploads(files: Iterable[tuple[str, bytes]], *, kind: UploadKind) -> Iterator[Path]:
    """Check uploaded files, stage them in a private temporary folder, yield the dataset.

    For boundaries, several files may make one dataset (the parts of a
    shapefile); a zip must come alone and is extracted. For a roster, exactly
    one file is expected. The folder (mode 0700) and everything in it are
    removed when the block ends, also on error.

    Parameters
    ----------
    files : iterable of (name, bytes)
        The uploaded files.
    kind : {"roster", "boundaries"}
        What the upload is meant to be.

    Yields
    ------
    Path
        The staged roster file, or the one boundaries dataset (``.shp``,
        ``.gpkg``, ``.geojson``/``.json``), inside the temporary folder.

    Raises
    ------
    UploadError
        Any check of :func:`check_upload` fails; too many or too few files;
        two files with the same name; the total is over the size limit; a
        zip holds no dataset or several; a shapefile lacks .shx, .dbf or .prj.
    """
    files = [(str(n), d) for n, d in files]
    if not files:
        raise UploadError("no file uploaded")
    checked = [(check_upload(n, d, kind=kind), bytes(d)) for n, d in files]
    label = checked[0][0] if len(checked) == 1 else f"{len(checked)} uploaded files"
    total, limit = sum(len(d) for _, d in checked), max_upload_bytes()
    if total > limit:
        raise UploadError(f"{label}: {_mb(total)} in all, more than the {_mb(limit)} "
                          "upload limit (BORDERMAP_MAX_UPLOAD_MB)")
    if kind == "roster" and len(checked) != 1:
        raise UploadError(f"upload one roster file at a time, not {len(checked)}")
    zips = [n for n, _ in checked if _suffix(n) == ".zip"]
    if zips and len(checked) > 1:
        raise UploadError(f"{zips[0]}: upload a zip on its own, not with other files")
    names = [n.casefold() for n, _ in checked]
    if len(set(names)) != len(names):
        raise UploadError(f"{label}: two uploaded files have the same name")
    with tempfile.TemporaryDirectory(prefix="bordermap-upload-") as tmp:
        root = Path(tmp)
        os.chmod(root, 0o700)
        if zips:
            staged = _extract(zips[0], checked[0][1], root / "unzipped")
        else:
            staged = []
            for n, d in checked:
                _write_new(root / n, [d], limit=len(d), label=n)
                staged.append(root / n)
        target = staged[0] if kind == "roster" else _dataset(label, staged)
        log.info("upload %s staged (%s, %d file(s), %s)", label, kind, len(staged), _mb(total))
        yield target


@contextlib.contextmanager
def staged_upload(name: str, data: bytes, *, kind: UploadKind) -> Iterator[Path]:
    """Check one uploaded file, stage it in a temporary folder and yield its path.

    A zip is extracted and the path of the dataset inside it is yielded. The
    folder is removed when the block ends. See :func:`staged_uploads`.

    Examples
    --------
    >>> with staged_upload("roster.csv", b"commune_code,chiefs\\n03154,1\\n",
    ...                    kind="roster") as path:
    ...     path.name
    'roster.csv'
    """
    with staged_uploads([(name, data)], kind=kind) as path:
        yield path
