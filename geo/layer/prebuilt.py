"""The prebuilt nationwide approximate layers: GeoParquet files written by ``build-default``.

``data/shapefiles/vietnam_communes_2020.parquet`` and ``vietnam_communes_2025.parquet``
hold the whole country's approximate commune layer of each map, as built by
:func:`geo.layer.build_national_layer` / :func:`geo.layer.build_2025_layer`, in the metric
CRS (EPSG:32648) with the builder's columns (provenance ``approximate``, ``note``,
``method``, ``placement`` kept); GeoParquet 1.0 (WKB), so GDAL, QGIS and
``geopandas.read_parquet`` open them too. Coordinates are the build's own 1 m grid, so a
province read from these files is the province the builder gives, vertex for vertex.
Rows are sorted by province and code, in one row group per province, so a reader can
skip the others.

A process decodes only the row groups of the provinces asked for (the whole file once
when more than :data:`MAX_ROW_GROUPS` are asked for) and keeps them for later calls.
"""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path

import geopandas as gpd
import pyarrow as pa
import pyarrow.parquet as pq

from geo._errors import InvalidArgument, LayerError
from geo.settings import METRIC_CRS, SHAPEFILE_DIR

log = logging.getLogger(__name__)

#: Prebuilt nationwide layer files, by map.
NATIONAL_FILES = {"2020": "vietnam_communes_2020.parquet",
                  "2025": "vietnam_communes_2025.parquet"}
#: Parquet compression: zstd at a high level (the files are committed; reading stays fast).
COMPRESSION = "zstd"
COMPRESSION_LEVEL = 19
#: Above this many row groups (provinces) a reader decodes the whole file once instead.
MAX_ROW_GROUPS = 4
#: Folder of the prebuilt files (the embedded layers' folder).
FOLDER = SHAPEFILE_DIR


def national_path(vintage: str, *, folder: Path | None = None) -> Path:
    """Return the path of the prebuilt nationwide layer of a map (it may not exist).

    ``folder`` defaults to :data:`FOLDER` (``data/shapefiles/``).
    """
    try:
        return Path(folder or FOLDER) / NATIONAL_FILES[str(vintage)]
    except KeyError:
        raise InvalidArgument(f"vintage must be 2020 or 2025, not {vintage!r}") from None


def geoparquet_table(frame: gpd.GeoDataFrame, extra: dict[bytes, bytes] | None = None
                     ) -> pa.Table:
    """Return ``frame`` as an Arrow table ready to write as GeoParquet 1.0.

    WKB with the GeoArrow field type (:meth:`geopandas.GeoDataFrame.from_arrow` reads it
    back) and the GeoParquet file metadata (GDAL/QGIS, ``geopandas.read_parquet``); no
    library version in it, so writing the same frame again gives the same bytes.
    ``extra`` is added to the schema metadata.
    """
    table = pa.table(frame.to_arrow(index=False, geometry_encoding="WKB"))
    geo_meta = {"version": "1.0.0", "primary_column": "geometry", "columns": {"geometry": {
        "encoding": "WKB", "geometry_types": sorted(set(frame.geom_type)),
        "crs": frame.crs.to_json_dict(), "bbox": [float(v) for v in frame.total_bounds]}}}
    meta = dict(table.schema.metadata or {})
    meta[b"geo"] = json.dumps(geo_meta, sort_keys=True).encode()
    meta.update(extra or {})
    return table.replace_schema_metadata(meta)


def write_national_layer(gdf: gpd.GeoDataFrame, vintage: str, *, folder: Path | None = None
                         ) -> Path:
    """Write a nationwide layer as GeoParquet (WKB, zstd), one row group per province.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The whole country's communes of ``vintage``, with ``code`` and ``province_code``,
        in the metric CRS.
    vintage : {"2020", "2025"}
        The map; names the file (:data:`NATIONAL_FILES`).

    Returns
    -------
    Path
        The file written.
    """
    if gdf.crs is None:
        raise LayerError("the nationwide layer has no CRS")
    path = national_path(vintage, folder=folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = gdf.to_crs(METRIC_CRS).sort_values(["province_code", "code"]).reset_index(drop=True)
    sizes = frame.groupby("province_code", sort=True).size()
    table = geoparquet_table(frame)
    tmp = path.with_suffix(".parquet.tmp")
    with pq.ParquetWriter(tmp, table.schema, compression=COMPRESSION,
                          compression_level=COMPRESSION_LEVEL,
                          write_statistics=["province_code"]) as writer:
        start = 0
        for n in sizes.to_numpy():
            writer.write_table(table.slice(start, int(n)), row_group_size=int(n))
            start += int(n)
    tmp.replace(path)
    _row_groups.cache_clear()
    _row_group.cache_clear()
    _whole.cache_clear()
    log.info("national layer %s: wrote %d units of %d provinces to %s (%.1f MB)", vintage,
             len(frame), len(sizes), path, path.stat().st_size / 1e6)
    return path


def read_table(path: Path, province_codes=None) -> pa.Table:
    """Read a prebuilt layer file, or some provinces of it, as an Arrow table (WKB geometry).

    Only the row groups whose ``province_code`` statistics can hold the provinces asked
    for are decoded (one row group per province as written). Row groups are cached per
    process, keyed by path, size and modification time: a rebuilt file is read again.
    """
    stat = Path(path).stat()
    key = (Path(path), stat.st_size, stat.st_mtime_ns)
    groups = _row_groups(*key)
    if province_codes is None:
        wanted = range(len(groups))
    else:
        codes = {str(c).zfill(2) for c in province_codes}
        wanted = [i for i, (lo, hi) in enumerate(groups)
                  if lo is None or any(lo <= c <= hi for c in codes)]
    if len(wanted) > MAX_ROW_GROUPS or not groups:
        table = _whole(*key)  # many provinces: one read of the whole file is cheaper
    elif not wanted:
        table = _row_group(*key, 0).slice(0, 0)
    else:
        tables = [_row_group(*key, i) for i in wanted]
        table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
    if province_codes is not None:
        keep = pa.array([c in codes for c in table.column("province_code").to_pylist()],
                        type=pa.bool_())
        table = table.filter(keep)
    return table


@functools.lru_cache(maxsize=4)
def _row_groups(path: Path, size: int, mtime_ns: int) -> list[tuple]:
    """``(min, max)`` province code of each row group (``None`` without statistics)."""
    del size, mtime_ns  # cache key only
    meta = pq.ParquetFile(path).metadata
    col = meta.schema.to_arrow_schema().get_field_index("province_code")
    out = []
    for i in range(meta.num_row_groups):
        stats = meta.row_group(i).column(col).statistics
        has = stats is not None and stats.has_min_max
        out.append((stats.min, stats.max) if has else (None, None))
    return out


@functools.lru_cache(maxsize=4)
def _whole(path: Path, size: int, mtime_ns: int) -> pa.Table:
    del size, mtime_ns  # cache key only
    return pq.ParquetFile(path).read()


@functools.lru_cache(maxsize=256)
def _row_group(path: Path, size: int, mtime_ns: int, index: int) -> pa.Table:
    del size, mtime_ns  # cache key only
    return pq.ParquetFile(path).read_row_group(index)


def read_national_layer(vintage: str, province_codes=None, *, folder: Path | None = None
                        ) -> gpd.GeoDataFrame | None:
    """Return rows of the prebuilt nationwide layer, or None when the file is missing.

    Parameters
    ----------
    vintage : {"2020", "2025"}
        The map; a 2025 file is subset by 2025 province codes.
    province_codes : iterable of str, optional
        The provinces to return (codes of that map); all when None.

    Returns
    -------
    geopandas.GeoDataFrame or None
        A new frame in the metric CRS, sorted by province and code.
    """
    path = national_path(vintage, folder=folder)
    if not path.exists():
        return None
    try:
        table = read_table(path, province_codes)
    except (OSError, pa.ArrowException) as err:
        raise LayerError(f"{path.name}: cannot read the prebuilt layer ({err}); "
                         f"rebuild it with `python -m geo build-default`") from err
    gdf = gpd.GeoDataFrame.from_arrow(table)
    if gdf.crs is None:
        raise LayerError(f"{path.name}: the prebuilt layer has no CRS")
    log.debug("national layer %s: %d units read from %s", vintage, len(gdf), path.name)
    return gdf
