"""Commune polygons: the embedded approximate layer, and official boundary files.

Every loader returns a new GeoDataFrame in EPSG:4326 (display) with the columns
``code, name, unit_type, district_code, district, province_code, province,
area_km2, approximate, note, geometry``; ``area_km2`` is computed in the metric
CRS (EPSG:32648).

The embedded default for Điện Biên is read from ``data/shapefiles/`` (shapefiles written
by ``python -m geo build-default``); any other province, on either map, or ``"all"``, is
read from the prebuilt nationwide layers beside them (GeoParquet,
:mod:`geo.layer.prebuilt`), subset by the province code of that map. Only when those
files are missing is the nationwide tessellation built in the process (tens of seconds,
logged as a warning).
"""

from __future__ import annotations

import functools
import logging
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import layer, registry
from geo.layer import prebuilt
from geo.boundary_checks import check_boundary_plausibility, refuse_duplicate_codes
from geo._errors import BoundaryFileError, BorderMapError, InvalidArgument, LayerError
from geo._text import fold, fold_unit
from geo.matching import unit_matcher
from geo.reference import DIEN_BIEN_CODE
from geo.settings import (DEFAULT_PROVINCE, DEFAULT_VINTAGE, DISPLAY_CRS, METRIC_CRS,
                          SHAPEFILE_DIR)

log = logging.getLogger(__name__)

COLUMNS = ["code", "name", "unit_type", "district_code", "district", "province_code",
           "province", "area_km2", "approximate", "note"]

#: Embedded layer files, by layer name. Shapefile field names are at most 10 characters.
EMBEDDED = {
    "communes_2020": "dien_bien_communes_2020.shp",
    "communes_2025": "dien_bien_communes_2025.shp",
    "districts_2020": "dien_bien_districts_2020.shp",
    "province": "dien_bien_province.shp",
}
EMBEDDED_PROVINCE_CODE = DIEN_BIEN_CODE

_SHP_FIELDS = {"district_code": "dist_code", "province_code": "prov_code",
               "approximate": "approx", "official_area_km2": "off_km2",
               "n_old_units": "n_old", "n_communes": "n_communes"}

BOUNDARY_SUFFIXES = (".shp", ".zip", ".gpkg", ".geojson", ".json")


def _with_area(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    out["area_km2"] = out.geometry.to_crs(METRIC_CRS).area.to_numpy() / 1e6
    return out.to_crs(DISPLAY_CRS)


def write_embedded_layers(layers: dict[str, gpd.GeoDataFrame], *, out_dir: Path = SHAPEFILE_DIR
                          ) -> list[Path]:
    """Write the embedded layers as ESRI Shapefiles with ``.prj`` and a UTF-8 ``.cpg``.

    Returns the paths of the ``.shp`` files written.
    """
    import pyogrio  # GDAL loads here, not for a command that reads only the prebuilt files

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, gdf in layers.items():
        path = out_dir / EMBEDDED[name]
        frame = gdf.rename(columns=_SHP_FIELDS).copy()
        frame["approx"] = frame["approx"].astype(int)
        pyogrio.write_dataframe(frame, path, driver="ESRI Shapefile", encoding="UTF-8")
        path.with_suffix(".cpg").write_text("UTF-8", encoding="ascii")
        written.append(path)
    log.info("embedded layers: wrote %d shapefiles to %s", len(written), out_dir)
    return written


def read_embedded_layer(name: str, *, folder: Path = SHAPEFILE_DIR) -> gpd.GeoDataFrame:
    """Read one embedded layer as written (metric CRS, shapefile field names restored)."""
    path = folder / EMBEDDED[name]
    if not path.exists():
        raise BoundaryFileError(
            f"embedded layer {path} is missing; run `python -m geo build-default`")
    st = path.stat()
    return _read_layer_file(str(path), st.st_mtime_ns, st.st_size).copy()


@functools.lru_cache(maxsize=8)
def _read_layer_file(path: str, mtime_ns: int, size: int) -> gpd.GeoDataFrame:
    """Read an embedded layer file (cached on its path, mtime and size; callers copy it)."""
    import pyogrio  # GDAL loads here, not for a command that reads only the prebuilt files

    del mtime_ns, size  # cache-key parts only
    gdf = pyogrio.read_dataframe(path, encoding="UTF-8")
    gdf = gdf.rename(columns={v: k for k, v in _SHP_FIELDS.items()})
    gdf["approximate"] = gdf["approximate"].astype(bool)
    for col in ("district_code", "district"):
        if col in gdf:
            gdf[col] = gdf[col].fillna("")
    return gdf


def build_default_layers() -> dict[str, gpd.GeoDataFrame]:
    """Build Điện Biên's four embedded layers from the nationwide tessellation.

    Returns
    -------
    dict
        ``communes_2020``, ``communes_2025``, ``districts_2020``, ``province``,
        each a GeoDataFrame in the metric CRS.
    """
    national = _national_layer()
    db = national[national["province_code"] == EMBEDDED_PROVINCE_CODE].reset_index(drop=True)
    layers = {
        "communes_2020": db[layer.COMMUNE_COLUMNS + ["geometry"]],
        "communes_2025": layer.build_2025_layer(db),
        "districts_2020": layer.dissolve_districts(db),
        "province": layer.dissolve_province(db),
    }
    return layers


@functools.lru_cache(maxsize=1)
def _national_layer() -> gpd.GeoDataFrame:
    return layer.build_national_layer()


@functools.lru_cache(maxsize=1)
def _national_layer_2025() -> gpd.GeoDataFrame:
    return layer.build_2025_layer(_national_layer())


def _generated(province_codes: list[str] | None, vintage: str) -> gpd.GeoDataFrame:
    """The approximate communes of some provinces (codes of ``vintage``'s map), or all.

    Read from the prebuilt nationwide layer of that map; built in the process (the
    whole country, then subset) only when the file is missing.
    """
    communes = prebuilt.read_national_layer(vintage, province_codes)
    if communes is None:
        log.warning("prebuilt layer %s is missing: building the nationwide %s layer in this "
                    "process (slow); run `python -m geo build-default` to write it",
                    prebuilt.national_path(vintage), vintage)
        national = _national_layer_2025() if vintage == "2025" else _national_layer()
        communes = national if province_codes is None else national[
            national["province_code"].isin(province_codes)]
    if province_codes is not None:
        empty = sorted(set(province_codes) - set(communes["province_code"]))
        if empty:
            raise LayerError(f"the approximate {vintage} layer holds no unit of province "
                             f"{', '.join(empty)}")
    return communes.reset_index(drop=True)


def _embedded_here(code: str | None, vintage: str) -> bool:
    return code == EMBEDDED_PROVINCE_CODE and (
        SHAPEFILE_DIR / EMBEDDED[f"communes_{vintage}"]).exists()


def _finish(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Area in the metric CRS, EPSG:4326, :data:`COLUMNS` (+ extras) in order."""
    gdf = _with_area(gdf)
    for col in COLUMNS:
        if col not in gdf:
            gdf[col] = ""
    extra = [c for c in ("official_area_km2", "placement") if c in gdf]
    return gdf[COLUMNS + extra + ["geometry"]]


def load_communes(province: str | None = DEFAULT_PROVINCE, *, vintage: str = DEFAULT_VINTAGE,
                  boundaries: str | Path | None = None) -> gpd.GeoDataFrame:
    """Return the commune polygons of a province (or the country) for a vintage.

    Parameters
    ----------
    province : str or None
        Province name or code (ignoring case and diacritics); ``None`` or
        ``"all"`` for the whole country (embedded layer only).
    vintage : {"2020", "2025"}
        The administrative map; default 2025, the map in force today.
    boundaries : path, optional
        An official boundaries file (shapefile, zipped shapefile, GeoPackage,
        GeoJSON) to use instead of the embedded approximate layer.

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame in EPSG:4326 with :data:`COLUMNS` and ``geometry``, sorted by code.

    Raises
    ------
    RegistryError
        Unknown province or vintage.
    BoundaryFileError
        A boundaries file that cannot be used (the message says why).
    """
    vintage = str(vintage)
    if vintage not in ("2020", "2025"):
        raise BorderMapError(f"vintage must be 2020 or 2025, not {vintage!r}")
    all_country = province is None or fold(province) == "all"
    code = None if all_country else registry.find_province(province, vintage=vintage)
    if boundaries is not None:
        if all_country:
            raise InvalidArgument("an official boundaries file covers one province, not 'all'")
        return load_official_boundaries(boundaries, province=code, vintage=vintage)
    if _embedded_here(code, vintage):
        gdf = read_embedded_layer(f"communes_{vintage}")
    else:
        gdf = _generated(None if code is None else [code], vintage)
    out = _finish(gdf).sort_values("code").reset_index(drop=True)
    log.info("communes: %d units (%s, %s, approximate layer)", len(out),
             "all" if code is None else code, vintage)
    return out


def load_approximate_communes(province_codes: list[str], *, vintage: str = DEFAULT_VINTAGE
                              ) -> gpd.GeoDataFrame:
    """Return the approximate communes of several provinces, read together.

    The same rows as :func:`load_communes` for each province without a boundaries
    file, concatenated in the order of ``province_codes`` (each sorted by code), but
    read from the prebuilt layer in one go.

    Parameters
    ----------
    province_codes : list of str
        Province codes of ``vintage``'s map (see :func:`geo.registry.find_provinces`).
    vintage : {"2020", "2025"}
        The administrative map.

    Raises
    ------
    RegistryError
        Unknown province code or vintage.
    """
    vintage = str(vintage)
    if vintage not in ("2020", "2025"):
        raise BorderMapError(f"vintage must be 2020 or 2025, not {vintage!r}")
    codes = list(dict.fromkeys(registry.find_province(c, vintage=vintage)
                               for c in province_codes))
    parts = [read_embedded_layer(f"communes_{vintage}").to_crs(METRIC_CRS) for c in codes
             if _embedded_here(c, vintage)]
    rest = [c for c in codes if not _embedded_here(c, vintage)]
    if rest:
        parts.append(_generated(rest, vintage).to_crs(METRIC_CRS))
    gdf = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    gdf = gpd.GeoDataFrame(gdf, geometry="geometry", crs=METRIC_CRS)
    order = {c: i for i, c in enumerate(codes)}
    out = _finish(gdf)
    out = out.iloc[np.lexsort((out["code"].to_numpy(),
                               out["province_code"].map(order).to_numpy()))]
    out = out.reset_index(drop=True)
    log.info("communes: %d units of %d provinces (%s, approximate layer)", len(out),
             len(codes), vintage)
    return out


def _dissolved(layer: str, province: str, dissolve) -> gpd.GeoDataFrame:
    """Return an embedded dissolved layer for Điện Biên, else dissolve the generated communes."""
    code = registry.find_province(province, vintage="2020")
    if code == EMBEDDED_PROVINCE_CODE and (SHAPEFILE_DIR / EMBEDDED[layer]).exists():
        gdf = read_embedded_layer(layer)
    else:
        gdf = dissolve(_generated([code], "2020"))
    return _with_area(gdf)


def load_districts(province: str = DEFAULT_PROVINCE) -> gpd.GeoDataFrame:
    """Return the 2020 district polygons of a province (EPSG:4326), dissolved from communes."""
    return _dissolved("districts_2020", province, layer.dissolve_districts)


def load_province_outline(province: str = DEFAULT_PROVINCE) -> gpd.GeoDataFrame:
    """Return the province polygon (EPSG:4326), dissolved from communes."""
    return _dissolved("province", province, layer.dissolve_province)


# --------------------------------------------------------------------------- official files

_CODE_HINTS = ("ma_xa", "maxa", "ma_dvhc", "madvhc", "commune_code", "code", "ma", "ward_code",
               "id_xa", "gso")
_NAME_HINTS = ("ten_xa", "tenxa", "ten", "name", "commune", "commune_name", "xa", "ward",
               "ten_dvhc")
_DISTRICT_HINTS = ("ten_huyen", "tenhuyen", "huyen", "district", "district_name")


def _open_path(path: Path) -> str:
    if path.suffix.lower() == ".zip":
        return f"zip://{path}"
    return str(path)


def _ordered(columns: list[str], hints: tuple[str, ...]) -> list[str]:
    lower = {c.lower(): c for c in columns}
    first = [lower[h] for h in hints if h in lower]
    return first + [c for c in columns if c not in first]


def _code_column(frame: pd.DataFrame, codes: set[str]) -> str | None:
    best, best_share = None, 0.0
    for col in _ordered([c for c in frame.columns if c != "geometry"], _CODE_HINTS):
        values = frame[col].dropna().astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
        values = values[values.str.fullmatch(r"\d{1,5}")].str.zfill(5)
        if len(frame) == 0:
            continue
        share = values.isin(codes).sum() / len(frame)
        if share > best_share:
            best, best_share = col, share
    return best if best_share >= 0.5 else None


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c != "geometry"
            and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))]


def _match_share(values: pd.Series, known: set[str]) -> float:
    folded = values.dropna().astype(str).map(fold_unit)
    return float(folded.isin(known).mean()) if len(folded) else 0.0


def _fix_encoding(frame: pd.DataFrame, known: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Detect legacy Vietnamese encodings (TCVN3, VNI) in text columns and convert them.

    A column whose values already match registry names is left alone; any other
    text column is checked against the registry's names (with and without type word).
    """
    from geo import _vnencodings

    known_folded = set(known["name"].map(fold_unit)) | set(known["district"].map(fold_unit))
    display = sorted(set(known["name"]) | set(known["short_name"]) | set(known["district"]) - {""})
    found = "unicode"
    out = frame.copy()
    for col in _text_columns(frame):
        values = frame[col].fillna("").astype(str).tolist()
        if _match_share(frame[col], known_folded) >= 0.5:
            continue
        fixed, enc = _vnencodings.fix_text_column(values, known_names=display)
        if enc in ("tcvn3", "vni"):
            out[col] = fixed
            found = enc
    return out, found


def load_official_boundaries(path: str | Path, *, province: str, vintage: str = DEFAULT_VINTAGE
                             ) -> gpd.GeoDataFrame:
    """Load an official commune boundaries file and map it onto the registry.

    The file's commune code column (or name + district columns) is found by
    matching values against the registry; text in TCVN3 or VNI is converted to
    Unicode; any CRS is reprojected to EPSG:4326; invalid geometries are
    repaired (keeping polygonal parts). Units that do not match the registry,
    and registry units missing from the file, are reported as warnings and in
    ``gdf.attrs["unmatched"]`` / ``gdf.attrs["missing"]`` — never dropped silently.

    Raises
    ------
    BoundaryFileError
        Missing, unreadable or empty file; no CRS; no polygons; no column that
        matches the registry; a file of another province.
    """
    path = Path(path)
    province_code = registry.find_province(province, vintage=vintage)
    pname = registry.province_name(province_code, vintage=vintage)
    if not path.exists():
        raise BoundaryFileError(f"{path}: no such file")
    if path.suffix.lower() not in BOUNDARY_SUFFIXES:
        raise BoundaryFileError(
            f"{path.name}: unsupported file type {path.suffix!r}; use one of "
            f"{', '.join(BOUNDARY_SUFFIXES)}")
    _check_shp_length(path)
    try:
        gdf = gpd.read_file(_open_path(path), engine="pyogrio")
    except Exception as err:  # GDAL raises many types; all mean "cannot read this file"
        msg = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise BoundaryFileError(
            f"{path.name}: cannot be read as a boundaries file ({msg}). For a shapefile, "
            f"the .shp, .shx, .dbf and .prj files must sit together (or be zipped together).") from err
    if gdf.empty:
        raise BoundaryFileError(f"{path.name}: the file holds no features")
    if gdf.crs is None:
        raise BoundaryFileError(
            f"{path.name}: the file has no coordinate reference system (a shapefile needs its "
            f".prj file); add it rather than guessing — nothing was loaded")
    geoms = gdf.geometry.values
    polygonal = shapely.get_type_id(geoms)
    if not np.isin(polygonal[~shapely.is_missing(geoms)], [3, 6, 7]).all():
        kinds = sorted(set(gdf.geometry.geom_type.dropna()))
        raise BoundaryFileError(
            f"{path.name}: commune boundaries must be polygons, but the file holds "
            f"{', '.join(kinds)}")

    units = registry.load_units(vintage)
    known = units[units["province_code"] == province_code]
    gdf, encoding = _fix_encoding(gdf, known)

    code_col = _code_column(gdf, set(units["code"]))
    if code_col is not None:
        codes = (gdf[code_col].astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
                 .str.zfill(5))
    else:
        codes = _codes_from_names(gdf, units, province_code, vintage, path)

    gdf = gdf.assign(code=codes.to_numpy())
    other = units.set_index("code").reindex(gdf["code"])
    in_province = (other["province_code"] == province_code).to_numpy()
    unknown = other["province_code"].isna().to_numpy()
    if not in_province.any():
        provinces = sorted(set(other["province"].dropna()))
        raise BoundaryFileError(
            f"{path.name}: no unit of {pname} in this file"
            + (f" — it covers {', '.join(provinces[:3])}" if provinces else
               " — no value matches a commune code or name of the registry"))
    unmatched = gdf.loc[unknown | ~in_province]
    gdf = gdf.loc[in_province].copy()
    refuse_duplicate_codes(gdf, name=path.name)  # [integrity hook] geo.boundary_checks
    geoms = shapely.make_valid(gdf.geometry.values)
    geoms = np.array([layer.polygonal(g) for g in geoms], dtype=object)
    gdf = gpd.GeoDataFrame({"code": gdf["code"].to_numpy()}, geometry=geoms, crs=gdf.crs)
    gdf = gdf[~shapely.is_empty(gdf.geometry.values)]
    if gdf.empty:
        raise BoundaryFileError(f"{path.name}: every geometry of the units of {pname} is empty "
                                f"or missing; nothing was loaded")
    _check_placement(gdf, known, path)
    # [integrity hook] areas and per-unit positions: geo.boundary_checks
    check_boundary_plausibility(gdf, known, name=path.name, province=pname,
                                province_area_km2=_province_area_km2(province_code, vintage))
    ref = known.set_index("code").loc[gdf["code"]]
    out = gpd.GeoDataFrame(
        {
            "code": gdf["code"].to_numpy(),
            "name": ref["name"].to_numpy(),
            "unit_type": ref["unit_type"].to_numpy(),
            "district_code": ref["district_code"].to_numpy(),
            "district": ref["district"].to_numpy(),
            "province_code": ref["province_code"].to_numpy(),
            "province": ref["province"].to_numpy(),
            "approximate": False,
            "note": f"Official boundaries from {path.name}",
        },
        geometry=gdf.geometry.to_numpy(), crs=gdf.crs)
    out = _with_area(out)[COLUMNS + ["geometry"]].sort_values("code").reset_index(drop=True)
    missing = sorted(set(known["code"]) - set(out["code"]))
    out.attrs["unmatched"] = [str(v) for v in unmatched.get("code", pd.Series(dtype=str))]
    out.attrs["missing"] = missing
    out.attrs["encoding"] = encoding
    out.attrs["source"] = path.name
    if len(unmatched):
        warnings.warn(f"{path.name}: {len(unmatched)} feature(s) match no unit of {pname} "
                      f"and were left out: {', '.join(out.attrs['unmatched'][:10])}",
                      UserWarning, stacklevel=2)
    if missing:
        warnings.warn(f"{path.name}: {len(missing)} unit(s) of {pname} have no polygon in "
                      f"this file: {', '.join(missing[:10])}", UserWarning, stacklevel=2)
    log.info("official boundaries %s: %d units matched, %d unmatched, %d missing, text %s",
             path.name, len(out), len(unmatched), len(missing), encoding)
    return out


def _province_area_km2(province_code: str, vintage: str) -> float | None:
    """The province's area from the embedded approximate layer (``None`` if unavailable)."""
    try:
        return float(load_communes(province_code, vintage=vintage)["area_km2"].sum())
    except BorderMapError as err:
        log.warning("no reference area for province %s: %s", province_code, err)
        return None


#: A matched unit counts as well placed when its registry centroid is within this distance
#: of its polygon; most must be, or the file's CRS or coordinates are wrong.
PLACEMENT_TOLERANCE_KM = 25.0


def _check_placement(gdf: gpd.GeoDataFrame, known: pd.DataFrame, path: Path) -> None:
    """Refuse a file whose coordinates do not land where the registry places its communes.

    Catches metres labelled as degrees (and the reverse), swapped axes and shifted
    data: after reprojection to EPSG:4326 the bounds must be finite and valid, and
    at least half of the matched units' registry centroids must lie within
    :data:`PLACEMENT_TOLERANCE_KM` of their polygon.
    """
    crs_name = gdf.crs.to_string() if gdf.crs is not None else "?"
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            shown = gdf.to_crs(DISPLAY_CRS)
        except Exception as err:  # pyproj raises several types for impossible coordinates
            raise BoundaryFileError(f"{path.name}: coordinates cannot be converted from "
                                    f"{crs_name} to EPSG:4326 ({err})") from err
        minx, miny, maxx, maxy = shown.total_bounds
    if not (np.isfinite([minx, miny, maxx, maxy]).all() and -180 <= minx <= maxx <= 180
            and -90 <= miny <= maxy <= 90):
        raise BoundaryFileError(
            f"{path.name}: coordinates are out of range once read as {crs_name} "
            f"(bounds {minx:.4g}, {miny:.4g}, {maxx:.4g}, {maxy:.4g}); the file's CRS "
            f"(.prj) does not match its coordinates")
    ref = known.set_index("code").loc[shown["code"]]
    pts = gpd.GeoSeries(gpd.points_from_xy(ref["lon"], ref["lat"]), crs=DISPLAY_CRS)
    metric_polys = shown.geometry.to_crs(METRIC_CRS).to_numpy()
    metric_pts = pts.to_crs(METRIC_CRS).to_numpy()
    dist_km = shapely.distance(metric_polys, metric_pts) / 1000.0
    near = np.nanmean(dist_km <= PLACEMENT_TOLERANCE_KM) if len(dist_km) else 0.0
    if near < 0.5:
        raise BoundaryFileError(
            f"{path.name}: the polygons lie far from where the registry places these "
            f"communes (median {np.nanmedian(dist_km):,.0f} km away; only {near:.0%} within "
            f"{PLACEMENT_TOLERANCE_KM:g} km). The coordinates do not match the declared CRS "
            f"({crs_name}) — e.g. metres labelled as degrees, or swapped axes.")


def _check_shp_length(path: Path) -> None:
    """Refuse a truncated .shp: its header states the file length in 16-bit words."""
    if path.suffix.lower() != ".shp":
        return
    size = path.stat().st_size
    with path.open("rb") as fh:
        header = fh.read(100)
    if len(header) < 100:
        raise BoundaryFileError(f"{path.name}: truncated shapefile ({size} bytes, the header "
                                f"alone is 100 bytes)")
    stated = int.from_bytes(header[24:28], "big") * 2
    if stated != size:
        raise BoundaryFileError(f"{path.name}: truncated or damaged shapefile (its header says "
                                f"{stated:,} bytes, the file has {size:,})")


def _codes_from_names(gdf: gpd.GeoDataFrame, units: pd.DataFrame, province_code: str,
                      vintage: str, path: Path) -> pd.Series:
    """Map name (+ district) columns onto registry codes; raise when no column fits.

    The columns are the ones whose values best match the province's unit (and
    district) names; the names are matched by :mod:`geo.matching`. Unmatched or
    ambiguous names keep their text, prefixed with ``?``, and are reported as
    unmatched by the caller.
    """
    del units  # the matcher holds the registry
    matcher = unit_matcher(province_code, vintage=vintage)
    text_cols = _text_columns(gdf)
    shares = {c: matcher.name_share(gdf[c]) for c in _ordered(text_cols, _NAME_HINTS)}
    name_col = max(shares, key=shares.get) if shares else None
    if name_col is None or shares[name_col] < 0.5:
        raise BoundaryFileError(
            f"{path.name}: found no column of commune codes or names that matches the "
            f"{vintage} registry (columns: {', '.join(c for c in gdf.columns if c != 'geometry')}). "
            f"Name a column ma_xa (5-digit GSO code) or ten_xa + ten_huyen.")
    dshares = {c: matcher.district_share(gdf[c]) for c in _ordered(text_cols, _DISTRICT_HINTS)
               if c != name_col} if matcher.has_districts else {}
    dist_col = max(dshares, key=dshares.get) if dshares else None
    if dist_col is not None and dshares[dist_col] < 0.5:
        dist_col = None
    names = gdf[name_col].astype(str)
    codes, _ = matcher.match_many(names, gdf[dist_col].astype(str) if dist_col else None)
    return codes.fillna("?" + names)
