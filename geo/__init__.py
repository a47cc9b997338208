"""Commune police coverage maps for Vietnam's border provinces (starting with Điện Biên).

Data flow: registry → boundaries → borders → roster → coverage → maps and exports,
with storage and the CLI at the edges. Public entry points::

    from geo.registry import load_units, load_crosswalk, find_province
    from geo.boundaries import load_communes, load_districts, load_province_outline
    from geo.countries import load_countries
"""

__version__ = "0.1.0"
