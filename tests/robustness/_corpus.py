"""Helpers of the robustness suite (not tests): digests, zips, shapefile parts."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import geopandas as gpd

#: Files of BORDERMAP_HOME that are not stored data (the audit log records rejections; the
#: SQLite shared-memory index changes on every read; lock files; the audit key and head anchor).
NOT_DATA = ("audit.sqlite", "audit.key", "-shm", ".lock")


def home_digest(home: Path) -> dict[str, str]:
    """SHA-256 of every stored-data file under ``home`` (the store and its WAL, users…)."""
    out = {}
    for p in sorted(home.rglob("*")):
        if p.is_file() and not any(s in p.name for s in NOT_DATA):
            out[str(p.relative_to(home))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def make_zip(members, *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of {name: bytes} or [(name or ZipInfo, bytes)]."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in (members.items() if isinstance(members, dict) else members):
            zf.writestr(name, data)
    return buf.getvalue()


def shapefile_parts(gdf: gpd.GeoDataFrame, folder: Path, stem: str = "xa") -> dict[str, bytes]:
    """Write ``gdf`` as a shapefile into ``folder``; return {suffix: bytes} of its parts."""
    folder.mkdir(parents=True, exist_ok=True)
    gdf.to_file(folder / f"{stem}.shp", engine="pyogrio", encoding="utf-8")
    return {p.suffix: p.read_bytes() for p in sorted(folder.glob(f"{stem}.*"))}
