"""Commune layers in PostGIS: publish the layers the app uses, so a GIS desk can open them.

:func:`publish_layers` writes a commune GeoDataFrame (as returned by
:func:`geo.services.load_communes`) into ``commune_layers`` in one transaction,
replacing the rows of each province and map it covers. Geometries are stored as
``MultiPolygon`` in EPSG:4326 with a GiST index; QGIS opens the table (or the
``current_roster_layer`` view, joined with the current roster) directly.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import pandas as pd
import shapely

from geo._errors import InvalidArgument
from geo.settings import DISPLAY_CRS, VINTAGES, mask_url
from geo.stores.postgis import connect, scoped_transaction

log = logging.getLogger(__name__)

#: Text columns copied from the layer frame (missing ones are written empty).
_TEXT = ("name", "unit_type", "district_code", "district", "province", "note")


def _rows(gdf: gpd.GeoDataFrame, vintage: str) -> list[tuple]:
    frame = gdf.to_crs(DISPLAY_CRS) if gdf.crs is not None else gdf
    if frame.crs is None:
        raise InvalidArgument("the commune layer has no coordinate reference system")
    text = {c: (frame[c] if c in frame else pd.Series("", index=frame.index))
            .fillna("").astype(str).tolist() for c in _TEXT}
    area = (pd.to_numeric(frame["area_km2"], errors="coerce") if "area_km2" in frame
            else pd.Series(float("nan"), index=frame.index))
    approx = (frame["approximate"].astype(bool) if "approximate" in frame
              else pd.Series(False, index=frame.index))
    wkb = shapely.to_wkb(frame.geometry.to_numpy(), include_srid=False)
    return [
        (vintage, str(code), str(prov), *(text[c][i] for c in _TEXT),
         None if pd.isna(area.iloc[i]) else float(area.iloc[i]), bool(approx.iloc[i]), wkb[i])
        for i, (code, prov) in enumerate(zip(frame["code"], frame["province_code"]))
    ]


def publish_layers(url: str, gdf: gpd.GeoDataFrame, *, vintage: str) -> dict[str, int]:
    """Replace the published communes of every province in ``gdf`` for one map.

    Parameters
    ----------
    url : str
        PostgreSQL URL of a role allowed to write ``commune_layers`` (the app role).
    gdf : geopandas.GeoDataFrame
        Communes with at least ``code``, ``province_code`` and polygon geometries.
    vintage : {"2020", "2025"}
        The administrative map of ``gdf``.

    Returns
    -------
    dict
        Communes written per province code.

    Raises
    ------
    InvalidArgument
        Unknown vintage, an empty layer, or missing columns.
    StorageError
        The database refused the write (nothing is changed then).
    """
    vintage = str(vintage)
    if vintage not in VINTAGES:
        raise InvalidArgument(f"vintage must be one of {', '.join(VINTAGES)}, not {vintage!r}")
    missing = [c for c in ("code", "province_code") if c not in gdf]
    if missing or gdf.empty:
        raise InvalidArgument("the commune layer is empty" if not missing else
                              f"the commune layer lacks column(s) {', '.join(missing)}")
    rows = _rows(gdf, vintage)
    provinces = sorted({r[2] for r in rows})
    with connect(url) as con, scoped_transaction(con, provinces, vintage=vintage) as tx:
        tx.execute("DELETE FROM commune_layers WHERE vintage = %s AND province_code = ANY(%s)",
                   (vintage, provinces))
        tx.cursor().executemany(
            "INSERT INTO commune_layers (vintage, code, province_code, name, unit_type,"
            " district_code, district, province, note, area_km2, approximate, geom) VALUES"
            " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
            "  ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_GeomFromWKB(%s, 4326)), 3)))",
            rows)
    counts = {p: sum(1 for r in rows if r[2] == p) for p in provinces}
    log.info("commune layers: published %d communes (%s map, provinces %s) to %s", len(rows),
             vintage, ",".join(provinces), mask_url(url))
    return counts
