"""A file cache of derived tables in ``BORDERMAP_HOME/cache``, keyed by a data fingerprint.

Computing the national overview means loading the coverage of every border
province (seconds to tens of seconds); its result is a few small tables. They
are kept here, keyed by a fingerprint of everything they are derived from (the
stores' version tokens, the program and data files), so that every app process
sharing ``BORDERMAP_HOME`` and every new session reads them back in
milliseconds, and any change of data or program computes them afresh.

Files are gzip-compressed JSON (columns as lists, numeric and boolean dtypes
restored) and geometry as hex WKB: no pickle, nothing executable is ever loaded.
A file that cannot be read is ignored (and recomputed), never trusted.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Iterable, Mapping

import geopandas as gpd
import pandas as pd
import shapely

log = logging.getLogger(__name__)

#: Sub-folder of ``BORDERMAP_HOME`` holding the cache files.
CACHE_DIRNAME = "cache"
#: Format version of the files (part of every key).
FORMAT = "1"


def code_and_data_token(root: Path | None = None) -> str:
    """Return a token of the program and data files (path, size, modification time).

    Covers ``geo/**/*.py`` and ``data/**`` under ``root`` (default the repository):
    a new release or a rebuilt layer changes it.
    """
    from geo.settings import REPO_ROOT

    root = Path(root or REPO_ROOT)
    digest = hashlib.sha256()
    for base, pattern in (("geo", "*.py"), ("data", "*")):
        folder = root / base
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                st = path.stat()
                digest.update(f"{path.relative_to(root)}|{st.st_size}|{st.st_mtime_ns}\n"
                              .encode())
    return digest.hexdigest()[:16]


def fingerprint(parts: Iterable[object]) -> str:
    """Return a short hash of ``parts`` (their ``str``), with the format version."""
    digest = hashlib.sha256(FORMAT.encode())
    for part in parts:
        digest.update(b"\x1f" + str(part).encode())
    return digest.hexdigest()[:24]


def _folder(home: Path | None) -> Path:
    from geo.settings import bordermap_home

    return Path(home) if home is not None else bordermap_home()


def _path(name: str, key: str, home: Path | None) -> Path:
    return _folder(home) / CACHE_DIRNAME / f"{name}-{key}.json.gz"


def _frame_to_json(frame: pd.DataFrame) -> dict:
    out: dict = {"crs": None, "geometry": None}
    data = pd.DataFrame(frame).copy()
    if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame:
        geom = frame._geometry_column_name
        out["crs"] = frame.crs.to_string() if frame.crs is not None else None
        out["geometry"] = geom
        data[geom] = shapely.to_wkb(frame.geometry.values, hex=True)
    out["columns"] = [str(c) for c in data.columns]
    out["dtypes"] = {str(c): str(data[c].dtype) for c in data.columns}
    out["data"] = {str(c): data[c].astype(object).where(data[c].notna(), None).tolist()
                   for c in data.columns}
    out["attrs"] = {k: v for k, v in (frame.attrs or {}).items()
                    if isinstance(v, (str, int, float, bool, type(None)))}
    return out


def _frame_from_json(blob: Mapping) -> pd.DataFrame:
    columns = list(blob["columns"])
    data = pd.DataFrame({c: blob["data"][c] for c in columns}, columns=columns)
    for col, dtype in blob.get("dtypes", {}).items():
        if col in data and dtype in _NATIVE and str(data[col].dtype) != dtype:
            data[col] = data[col].astype(dtype)
    geom = blob.get("geometry")
    if geom:
        data[geom] = shapely.from_wkb(data[geom].to_numpy(dtype=object))
        data = gpd.GeoDataFrame(data, geometry=geom, crs=blob.get("crs"))
    data.attrs.update(blob.get("attrs", {}))
    return data


#: Column dtypes restored as they were (others stay as JSON gave them: str, object).
_NATIVE = frozenset({"bool", "int64", "int32", "float64", "float32"})


def read_frames(name: str, key: str, *, home: Path | None = None
                ) -> dict[str, pd.DataFrame] | None:
    """Return the frames kept under ``name`` for ``key``, or None (missing or unreadable)."""
    path = _path(name, key, home)
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            blob = json.load(fh)
        if blob.get("key") != key:
            return None
        return {k: _frame_from_json(v) for k, v in blob["frames"].items()}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as err:
        log.warning("ignoring unreadable cache file %s: %s", path.name, err)
        return None


def write_frames(name: str, key: str, frames: Mapping[str, pd.DataFrame], *,
                 home: Path | None = None, keep: int = 4) -> Path | None:
    """Keep ``frames`` under ``name`` for ``key`` (atomic replace); drop all but ``keep`` older.

    Returns the file, or None when the cache folder cannot be written (the caller
    goes on without a cache).
    """
    path = _path(name, key, home)
    blob = {"key": key, "frames": {k: _frame_to_json(v) for k, v in frames.items()}}
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb",
                                                       compresslevel=5) as fh:
            fh.write(json.dumps(blob).encode("utf-8"))
        os.replace(tmp, path)
    except OSError as err:
        log.warning("could not write cache file %s: %s", path.name, err)
        return None
    older = sorted((p for p in path.parent.glob(f"{name}-*.json.gz") if p != path),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in older[max(keep - 1, 0):]:
        stale.unlink(missing_ok=True)
    return path
