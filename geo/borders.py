"""International land borders: border communes, shared lengths, distances and belts.

A border commune (*xã biên giới*) is one whose administrative boundary touches the
national land border. :func:`flag_border_communes` measures, for every commune
polygon, how much of Vietnam's land border with each neighbour it shares, how far
it is from the border, and which belt it lies in (``border`` / ``second-line`` /
``interior``); :func:`summarize_borders` totals that per country.

Method
------
**Border lines.** Natural Earth 1:10m admin-0 polygons are topologically
consistent: Vietnam and each neighbour share their border vertices exactly, so
the border with country *c* is the exact intersection of the two polygon
boundaries (:func:`border_lines`, no tolerance, line-merged). Their lengths in
EPSG:32648 are Laos 1,749.6 km, China 1,049.0 km, Cambodia 966.7 km — about 85 %
of the published 2,067 / 1,281 / 1,137 km, because a 1:10m line (median vertex
spacing ~1.8 km) cuts off the windings of rivers and ridges.

**Shared length, without double counting.** Commune polygons and Natural Earth
lines come from different sources and never coincide, so adjacency uses a
tolerance. Each border line is cut into pieces of at most ``PIECE_M`` metres and
every piece is given to at most one commune: among the communes within
``tolerance_m`` of the piece's midpoint, the nearest one *whose boundary runs
along the border there* (the offset from the midpoint to the commune is at least
``ALONG_MIN_ANGLE_DEG`` away from the border's direction, or shorter than
``SNAP_M``). A commune's shared length with country *c* is the total length of
the pieces it received; it counts as a border commune of *c* when that length is
at least ``min_shared_km``. Consequences:

- per-commune lengths add up to the length of border covered by the layer, with
  no overlap at the junction of two border communes (the usual buffer-and-clip
  method counts the stretch within ``tolerance_m`` of each junction twice);
- the border running past the end of a commune (or of a province, when only one
  province is analysed) is not credited to it: beyond a corner the offset to the
  commune points *along* the border, so the piece is refused. A commune that only
  touches the border at a corner gets next to nothing;
- the error of a junction is at most half a piece (``PIECE_M / 2``) and cancels
  between the two communes; fragments shorter than ``min_shared_km`` are
  dropped (their length is reported as 0), so a province's total may fall short
  of its border length by those fragments.

**Distance.** ``dist_to_border_km`` is the distance from the commune polygon to
the nearest border piece of any neighbour (STRtree nearest query); it is 0 for
border communes, including those that are counted through the tolerance.

**Belts.** ``border`` (a border commune), ``second-line`` (not a border commune,
but its polygon is within ``SECOND_LINE_TOLERANCE_M`` of a border commune's —
sharing an edge or a corner), ``interior`` (all others).

Everything is measured in one metric CRS (``metric_crs``; by default
:func:`metric_crs_for` picks the UTM zone of the layer's area-weighted centroid,
which is EPSG:32648 for Điện Biên and for the whole of Vietnam) with shapely 2
vectorised functions and STRtrees: no Python loop over communes or pairs.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
from collections.abc import Iterable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geo._errors import BorderMapError, InvalidArgument
from geo.border_inputs import (
    _check_borders,
    _check_communes,
    _check_metric_crs,
    _check_number,
    _ordered_codes,
)
from geo.border_file import read_border_lines
from geo.countries import COUNTRY_NAMES_VI, load_countries
from geo.reference import PUBLISHED_BORDER_KM_DIEN_BIEN  # noqa: F401 (re-export)
from geo.settings import (
    BORDER_MIN_SHARED_KM,
    BORDER_TOLERANCE_M,
    DISPLAY_CRS,
    NEIGHBOURS,
)

log = logging.getLogger(__name__)


#: Border lines are cut into pieces of at most this length (metres) before they are
#: shared out among communes; a junction between two communes is placed to within
#: half a piece.
PIECE_M = 100.0

#: A piece is credited to a commune only if the offset from the piece's midpoint to
#: the commune makes at least this angle (degrees) with the border's direction,
#: i.e. the commune's boundary runs along the border there rather than ending at it.
ALONG_MIN_ANGLE_DEG = 60.0

#: Offsets shorter than this (metres) are taken as "on the border" whatever their
#: direction (their direction is numerical noise).
SNAP_M = 1.0

#: Length of the pieces (metres) indexed for the distance-to-border query.
_NEAREST_PIECE_M = 5000.0

#: Two commune polygons closer than this (metres) touch, for the second-line belt
#: (allows for slivers and gaps between neighbouring polygons of a layer).
SECOND_LINE_TOLERANCE_M = 10.0

#: Belt labels, from the border inwards.
BELTS = ("border", "second-line", "interior")

#: English names of the neighbours (Natural Earth spelling).
_NAMES_EN = {"LAO": "Laos", "CHN": "China", "KHM": "Cambodia"}

# --------------------------------------------------------------------------- border lines

@functools.lru_cache(maxsize=8)
def _border_lines(countries: tuple[str, ...]) -> gpd.GeoDataFrame:
    prebuilt = read_border_lines(countries)
    if prebuilt is not None:
        return prebuilt
    return cut_border_lines(countries)


def cut_border_lines(countries: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Cut Vietnam's border with ``countries`` from Natural Earth (what ``build-default``
    writes to :mod:`geo.border_file`; :func:`border_lines` reads that file when it fits)."""
    gdf = load_countries(("VNM", *countries))
    vnm = gdf.loc[gdf["iso3"] == "VNM", "geometry"].iloc[0]
    others = gdf[gdf["iso3"] != "VNM"].reset_index(drop=True)
    # NE neighbours share vertices exactly: the exact intersection is the border.
    shared = shapely.intersection(shapely.boundary(vnm), shapely.boundary(others.geometry.values))
    parts, owner = shapely.get_parts(shared, return_index=True)
    linear = shapely.get_type_id(parts) == shapely.GeometryType.LINESTRING
    lines = []
    for i in range(len(others)):  # one iteration per country
        mine = parts[linear & (owner == i)]
        if len(mine) == 0:
            raise BorderMapError(f"country {others.at[i, 'iso3']} shares no land border "
                                 f"with Vietnam in Natural Earth")
        lines.append(shapely.line_merge(shapely.multilinestrings(mine)))
    out = gpd.GeoDataFrame(others[["iso3", "name", "name_vi"]],
                           geometry=lines, crs=gdf.crs).to_crs(DISPLAY_CRS)
    geod = pyproj.Geod(ellps="WGS84")
    log.info("border lines: %s", ", ".join(
        f"{iso} {geod.geometry_length(g) / 1000:.1f} km"
        for iso, g in zip(out["iso3"], out.geometry, strict=True)))
    return out


def border_lines(*, countries: Iterable[str] = ("LAO", "CHN", "KHM")) -> gpd.GeoDataFrame:
    """Return Vietnam's land border with each given neighbour, as lines.

    The border with a country is the exact shared edge of Vietnam's and that
    country's Natural Earth 1:10m polygons (they share vertices), line-merged.
    Cached: repeated calls read Natural Earth once.

    Parameters
    ----------
    countries : iterable of str, default ("LAO", "CHN", "KHM")
        ISO 3166 alpha-3 codes of the neighbours.

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame with columns ``iso3``, ``name``, ``name_vi``, ``geometry``
        (one (Multi)LineString per country), in EPSG:4326, sorted by ``iso3``.

    Raises
    ------
    ValueError
        If ``countries`` is empty or includes ``"VNM"``.
    BorderMapError
        If a code is unknown to Natural Earth or the country does not border Vietnam.

    Examples
    --------
    >>> lines = border_lines(countries=("LAO",))
    >>> lines["iso3"].tolist()
    ['LAO']
    """
    if isinstance(countries, str):
        countries = (countries,)
    codes = tuple(sorted({str(c).strip().upper() for c in countries}))
    if not codes:
        raise InvalidArgument(f"countries must name at least one neighbour, got {countries!r}")
    if "VNM" in codes:
        raise InvalidArgument(f"countries must be Vietnam's neighbours, not VNM: got {countries!r}")
    return _border_lines(codes).copy()


# --------------------------------------------------------------------------- metric CRS

def metric_crs_for(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> str:
    """Return the WGS 84 / UTM zone that fits a layer, as ``"EPSG:326zz"`` (or ``327zz``).

    The zone is the one of the layer's area-weighted centroid (the mean of the
    polygons' centroids, weighted by area). For Vietnam that is zone 48N
    (EPSG:32648) west of 108°E and zone 49N (EPSG:32649) east of it: Điện Biên and
    every northern border province get EPSG:32648, and so does the whole country
    in one pass (its area-weighted centroid is near 106°E; at the far east, 109.5°E,
    the scale error of zone 48 is about 0.3 %, and under 0.1 % along the land
    borders, which all lie between 102° and 108°E).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame or geopandas.GeoSeries
        A layer with a CRS and at least one non-empty geometry.

    Returns
    -------
    str
        An EPSG code such as ``"EPSG:32648"``.

    Raises
    ------
    BorderMapError
        If the layer has no CRS or no geometry.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> metric_crs_for(gpd.GeoSeries([shapely.box(103, 21, 103.5, 21.5)], crs="EPSG:4326"))
    'EPSG:32648'
    """
    if gdf.crs is None:
        raise BorderMapError("the layer has no CRS; set one with .set_crs(...) before "
                             "choosing a metric CRS")
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(geoms) == 0:
        raise BorderMapError("the layer has no geometry; cannot choose a metric CRS for it")
    xy = shapely.get_coordinates(shapely.centroid(geoms))
    weight = shapely.area(geoms)
    if not weight.sum() > 0:
        weight = np.ones(len(geoms))
    to_ll = pyproj.Transformer.from_crs(gdf.crs, DISPLAY_CRS, always_xy=True)
    lon, lat = to_ll.transform(xy[:, 0], xy[:, 1])
    lon = float(np.average(lon, weights=weight))
    lat = float(np.average(lat, weights=weight))
    zone = min(60, max(1, int(math.floor((lon + 180.0) / 6.0)) + 1))
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


def _pieces(lines: np.ndarray, iso3: np.ndarray, max_len: float
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cut lines into straight pieces of at most ``max_len`` (all vectorised).

    Returns the pieces' start and end coordinates (n, 2 each), country codes and lengths.
    """
    dense = shapely.segmentize(lines, max_len)
    parts, owner = shapely.get_parts(dense, return_index=True)
    coords, which = shapely.get_coordinates(parts, return_index=True)
    same = which[1:] == which[:-1]
    start, end = coords[:-1][same], coords[1:][same]
    code = iso3[owner[which[:-1][same]]]
    length = np.hypot(*(end - start).T)
    keep = length > 0
    return start[keep], end[keep], code[keep], length[keep]


class _Cut:
    """Border lines cut into pieces in a metric CRS (see :func:`_cut_borders`)."""

    def __init__(self, line_geoms: np.ndarray, line_code: np.ndarray):
        self.start, self.end, self.code, self.length = _pieces(line_geoms, line_code, PIECE_M)
        self.mid = (self.start + self.end) / 2.0
        self.direction = (self.end - self.start) / self.length[:, None]
        self.points = shapely.points(self.mid)
        coarse = shapely.linestrings(np.stack(
            _pieces(line_geoms, line_code, _NEAREST_PIECE_M)[:2], axis=1))
        self.coarse_tree = shapely.STRtree(coarse)


_CUTS: dict[tuple, _Cut] = {}


def _geometry_digest(geoms) -> str:
    """A digest of geometries' WKB (vertex for vertex; missing ones count as such)."""
    wkb = shapely.to_wkb(np.asarray(geoms, dtype=object))
    return hashlib.sha256(b"".join(w if w is not None else b"-" for w in wkb)
                          + np.array([len(w or b"") for w in wkb]).tobytes()).hexdigest()


def _lines_key(borders: gpd.GeoDataFrame) -> tuple:
    """What identifies border lines: their geometry, countries and CRS."""
    return (_geometry_digest(borders.geometry.values),
            tuple(borders["iso3"].astype(str).str.upper()),
            borders.crs.to_wkt() if borders.crs is not None else None)


def _cut_borders(borders: gpd.GeoDataFrame, crs, lines_key: tuple) -> _Cut:
    """The pieces of ``borders`` in ``crs``, kept for the next call with the same lines.

    Loading several provinces flags each one in turn against the same border lines:
    they are projected and cut once (keyed by :func:`_lines_key`, the CRS and the piece
    sizes), not once per province.
    """
    line_code = borders["iso3"].astype(str).str.upper().to_numpy()
    key = (crs.to_wkt(), PIECE_M, _NEAREST_PIECE_M, lines_key)
    cut = _CUTS.get(key)
    if cut is None:
        lines = borders.to_crs(crs)
        cut = _Cut(np.asarray(lines.geometry.values, dtype=object), line_code)
        if len(_CUTS) >= 4:
            _CUTS.pop(next(iter(_CUTS)))
        _CUTS[key] = cut
    return cut


def _share_out(mid: np.ndarray, direction: np.ndarray, polys: np.ndarray,
               tolerance_m: float, points: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """Give each border piece to at most one commune; return (piece index, commune index)."""
    if points is None:
        points = shapely.points(mid)
    piece, commune = shapely.STRtree(polys).query(points, predicate="dwithin",
                                                  distance=tolerance_m)
    if len(piece) == 0:
        return piece, commune
    dist = shapely.distance(points[piece], polys[commune])
    ok = dist <= SNAP_M
    far = np.flatnonzero(~ok)
    if len(far):
        # Direction of the offset from the midpoint to the nearest point of the commune.
        ends = shapely.get_coordinates(
            shapely.shortest_line(points[piece[far]], polys[commune[far]])).reshape(-1, 2, 2)
        offset = (ends[:, 1] - ends[:, 0]) / dist[far][:, None]
        cos = np.abs(np.einsum("ij,ij->i", offset, direction[piece[far]]))
        ok[far] = cos <= math.cos(math.radians(ALONG_MIN_ANGLE_DEG)) + 1e-9
    piece, commune, dist = piece[ok], commune[ok], dist[ok]
    order = np.lexsort((commune, dist, piece))  # nearest first; ties → lowest row
    piece, commune = piece[order], commune[order]
    first = np.unique(piece, return_index=True)[1]
    return piece[first], commune[first]


# --------------------------------------------------------------------------- flags

#: Border analysis results kept per process, by input geometry and options (the flags
#: depend on nothing else): a new roster version, session or store does not redo them.
_FLAGS: dict[tuple, dict[str, np.ndarray]] = {}
_FLAGS_KEPT = 8


def _flags_key(communes: gpd.GeoDataFrame, lines_key: tuple, tolerance_m: float,
               min_shared_km: float, metric_crs: str | None) -> tuple:
    """Everything :func:`flag_border_communes` computes from: geometry, CRS and options."""
    return (_geometry_digest(communes.geometry.values), communes.crs.to_wkt(), lines_key,
            tolerance_m, min_shared_km, metric_crs, PIECE_M, _NEAREST_PIECE_M,
            SNAP_M, SECOND_LINE_TOLERANCE_M)


def flag_border_communes(communes: gpd.GeoDataFrame, *,
                         borders: gpd.GeoDataFrame | None = None,
                         tolerance_m: float = BORDER_TOLERANCE_M,
                         min_shared_km: float = BORDER_MIN_SHARED_KM,
                         metric_crs: str | None = None) -> gpd.GeoDataFrame:
    """Flag border communes and measure their shared border with each neighbour.

    See the module docstring for the method: the border is cut into short pieces,
    each piece goes to the nearest commune within ``tolerance_m`` whose boundary
    runs along it, so per-commune lengths never double count.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Commune polygons (Polygon / MultiPolygon), any CRS but one must be set. Any
        number of provinces, up to the whole country.
    borders : geopandas.GeoDataFrame, optional
        Border lines with columns ``iso3`` and ``geometry`` and a CRS (which may
        differ from the communes': both are projected to ``metric_crs``); by default
        :func:`border_lines` (Laos, China, Cambodia from Natural Earth 1:10m).
    tolerance_m : float, default geo.settings.BORDER_TOLERANCE_M (500)
        How far (metres) a commune may lie from the border line and still share it.
    min_shared_km : float, default geo.settings.BORDER_MIN_SHARED_KM (1)
        Minimum shared length (km) with a country for the commune to count as a
        border commune of that country, so that a corner touch does not count.
    metric_crs : str, optional
        Projected CRS in metres in which everything is measured; by default
        :func:`metric_crs_for` of ``communes`` (EPSG:32648 for Điện Biên and for
        the whole country).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``communes`` (same CRS, index and geometry) with columns
        ``border_countries`` (e.g. ``"LAO"``, ``"CHN;LAO"`` — sorted, ``;``-joined — or
        ``""``), ``border_km_lao``, ``border_km_chn``, ``border_km_khm`` (plus
        ``border_km_<iso3>`` for any other country in ``borders``; 0 unless the
        country is in ``border_countries``), ``dist_to_border_km`` (0 for border
        communes) and ``border_belt`` (``border`` / ``second-line`` / ``interior``).

    Raises
    ------
    TypeError
        If ``communes`` or ``borders`` is not a GeoDataFrame, or an option is not a number.
    ValueError
        If ``tolerance_m`` or ``min_shared_km`` is negative or not finite, or
        ``metric_crs`` is not a projected CRS in metres.
    BorderMapError
        If ``communes`` has no CRS or non-polygonal / missing geometries (all rows
        listed), or ``borders`` has no CRS, no ``iso3`` column or non-line geometries.

    Examples
    --------
    >>> from geo.boundaries import load_communes
    >>> flagged = flag_border_communes(load_communes("Điện Biên", vintage="2020"))
    >>> flagged.loc[flagged["border_belt"] == "border", ["name", "border_countries"]]
    ... # doctest: +SKIP
    """
    tolerance_m = _check_number("tolerance_m", tolerance_m)
    min_shared_km = _check_number("min_shared_km", min_shared_km)
    _check_communes(communes)
    if borders is None:
        borders = border_lines()
    else:
        _check_borders(borders)
    borders = borders[~(borders.geometry.is_empty | borders.geometry.isna())]

    codes = _ordered_codes({*NEIGHBOURS, *borders["iso3"].astype(str).str.upper()})
    km_columns = {c: f"border_km_{c.lower()}" for c in codes}
    out = communes.copy()
    n = len(out)
    if n == 0:
        out["border_countries"] = pd.Series(dtype=str)
        for col in km_columns.values():
            out[col] = pd.Series(dtype=float)
        out["dist_to_border_km"] = pd.Series(dtype=float)
        out["border_belt"] = pd.Series(dtype=str)
        log.info("border flags: 0 communes")
        return out

    lines_key = _lines_key(borders)
    key = _flags_key(communes, lines_key, tolerance_m, min_shared_km, metric_crs)
    cached = _FLAGS.get(key)
    if cached is not None:
        for col, values in cached.items():
            out[col] = values.copy()
        log.debug("border flags: %d communes, the same geometry as before (kept)", n)
        return out

    crs = _check_metric_crs(metric_crs if metric_crs is not None else metric_crs_for(communes))
    polys = np.asarray(communes.geometry.to_crs(crs).values, dtype=object)
    cut = _cut_borders(borders, crs, lines_key)
    piece_code, piece_len = cut.code, cut.length

    # Shared length per commune × country: each piece counted once. Only the pieces
    # near the communes' extent can be within the tolerance of one of them.
    x0, y0, x1, y1 = shapely.total_bounds(polys)
    pad = tolerance_m + 1.0
    near = np.flatnonzero((cut.mid[:, 0] >= x0 - pad) & (cut.mid[:, 0] <= x1 + pad)
                          & (cut.mid[:, 1] >= y0 - pad) & (cut.mid[:, 1] <= y1 + pad))
    piece, commune = _share_out(cut.mid[near], cut.direction[near], polys, tolerance_m,
                                points=cut.points[near])
    piece = near[piece]
    country = pd.Series(range(len(codes)), index=codes)[piece_code[piece]].to_numpy()
    shared_m = np.zeros((n, len(codes)))
    np.add.at(shared_m, (commune, country), piece_len[piece])
    shared_km = shared_m / 1000.0
    counted = (shared_km > 0) & (shared_km >= min_shared_km)
    is_border = counted.any(axis=1)

    label = pd.Series("", index=out.index, dtype=object)
    for code in sorted(codes):  # one pass per country, vectorised over communes
        label = label + np.where(counted[:, codes.index(code)], code + ";", "")
    out["border_countries"] = label.str.rstrip(";").astype(str)
    for k, code in enumerate(codes):
        out[km_columns[code]] = np.where(counted[:, k], shared_km[:, k], 0.0)

    # Distance to the nearest border of any country. Any cut gives the same distance;
    # pieces of a few km keep the tree both selective and small.
    hit, dist = cut.coarse_tree.query_nearest(polys, return_distance=True,
                                              all_matches=False)
    dist_km = np.full(n, np.nan)
    dist_km[hit[0]] = dist / 1000.0
    dist_km[is_border] = 0.0
    out["dist_to_border_km"] = dist_km

    # Belts: second-line communes touch a border commune.
    second = np.zeros(n, dtype=bool)
    border_idx = np.flatnonzero(is_border)
    if len(border_idx):
        near, _ = shapely.STRtree(polys[border_idx]).query(
            polys, predicate="dwithin", distance=SECOND_LINE_TOLERANCE_M)
        second[near] = True
    second &= ~is_border
    out["border_belt"] = np.where(is_border, "border", np.where(second, "second-line", "interior"))

    added = ["border_countries", *km_columns.values(), "dist_to_border_km", "border_belt"]
    if len(_FLAGS) >= _FLAGS_KEPT:
        _FLAGS.pop(next(iter(_FLAGS)))
    _FLAGS[key] = {col: out[col].to_numpy().copy() for col in added}

    per_country = ", ".join(
        f"{c} {int(counted[:, k].sum())} ({shared_km[counted[:, k], k].sum():.1f} km)"
        for k, c in enumerate(codes))
    log.info("border flags: %d communes, %d border [%s], %d second-line, %d interior; "
             "%d border pieces; tolerance %g m, min %g km, %s",
             n, int(is_border.sum()), per_country, int(second.sum()),
             int(n - is_border.sum() - second.sum()), len(piece_len), tolerance_m, min_shared_km,
             crs.to_string())
    return out


# --------------------------------------------------------------------------- summary

def summarize_borders(flagged: pd.DataFrame, *,
                      published: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Total the border communes and shared border length per neighbouring country.

    Parameters
    ----------
    flagged : pandas.DataFrame or geopandas.GeoDataFrame
        The output of :func:`flag_border_communes` (its ``border_km_<iso3>`` columns
        are read).
    published : mapping of str to float, optional
        Published border lengths (km) by ISO 3166 alpha-3 code, e.g.
        ``PUBLISHED_BORDER_KM_DIEN_BIEN`` for Điện Biên; adds a ``published_km``
        column (NaN for countries not given).

    Returns
    -------
    pandas.DataFrame
        A new frame, one row per country (LAO, CHN, KHM always, then any other
        ``border_km_`` column), with columns ``iso3``, ``name``, ``name_vi``,
        ``n_border_communes``, ``border_km`` and, when ``published`` is given,
        ``published_km``.

    Raises
    ------
    BorderMapError
        If ``flagged`` has no ``border_km_<iso3>`` columns.
    ValueError
        If ``published`` names a country that is not in the summary or gives a
        length that is not a finite number ≥ 0.

    Examples
    --------
    >>> summary = summarize_borders(flagged, published=PUBLISHED_BORDER_KM_DIEN_BIEN)
    ... # doctest: +SKIP
    """
    prefix = "border_km_"
    found = [c[len(prefix):].upper() for c in flagged.columns
             if isinstance(c, str) and c.startswith(prefix)]
    if not found:
        raise BorderMapError("the frame has no border_km_<iso3> columns; run "
                             "flag_border_communes() on it first")
    codes = _ordered_codes(found)
    rows = []
    for code in codes:  # one row per country
        col = prefix + code.lower()
        km = flagged[col].fillna(0.0) if col in flagged.columns else pd.Series(0.0)
        rows.append({"iso3": code, "name": _NAMES_EN.get(code, code),
                     "name_vi": COUNTRY_NAMES_VI.get(code, _NAMES_EN.get(code, code)),
                     "n_border_communes": int((km > 0).sum()), "border_km": float(km.sum())})
    summary = pd.DataFrame(rows)
    if published is not None:
        given = {}
        for key, value in dict(published).items():
            code = str(key).upper()
            if code not in codes:
                raise InvalidArgument(f"published names country {key!r}, which is not in the "
                                 f"summary ({', '.join(codes)})")
            given[code] = _check_number(f"published[{key!r}]", value)
        summary["published_km"] = summary["iso3"].map(given).astype(float)
    log.info("border summary: %s", ", ".join(
        f"{r.iso3} {r.n_border_communes} communes {r.border_km:.1f} km"
        for r in summary.itertuples()))
    return summary
