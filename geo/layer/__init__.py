"""The approximate commune layer: province outlines, power-diagram fit, plain Voronoi baseline.

Public entry points::

    from geo.layer import build_national_layer, build_2025_layer, build_province_layers
    from geo.layer import fit_power_weights, power_cells, load_province_outlines

Modules: :mod:`~geo.layer.voronoi` (seeds, plain Voronoi, dissolves),
:mod:`~geo.layer.power` (power diagram and weight fit), :mod:`~geo.layer.outlines`
(ECharts/OpenStreetMap province outlines extended to Natural Earth),
:mod:`~geo.layer.build` (the whole build, both methods), :mod:`~geo.layer.prebuilt`
(the nationwide layers written by ``build-default``, read by every province).
"""

from geo._lazy import lazy_exports

#: Public name → submodule; submodules are imported on first use, so reading the
#: prebuilt layer (:mod:`geo.layer.prebuilt`) never imports the builder (SciPy and all).
_EXPORTS = {
    **dict.fromkeys(("METHODS", "LayerBuild", "build_2025_layer", "build_layers",
                     "build_national_layer", "build_province_layers", "clear_cache"), "build"),
    **dict.fromkeys(("build_province_regions", "decode_echarts_geojson",
                     "estimate_outline_shift", "load_province_outlines",
                     "match_outline_names"), "outlines"),
    **dict.fromkeys(("PowerCells", "PowerFit", "fit_power_weights", "power_cells"), "power"),
    **dict.fromkeys(("COMMUNE_COLUMNS", "dissolve_districts", "dissolve_province",
                     "polygonal"), "voronoi"),
}


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "COMMUNE_COLUMNS", "METHODS", "LayerBuild", "PowerCells", "PowerFit",
    "build_2025_layer", "build_layers", "build_national_layer", "build_province_layers",
    "build_province_regions", "clear_cache", "decode_echarts_geojson", "dissolve_districts",
    "dissolve_province", "estimate_outline_shift", "fit_power_weights", "load_province_outlines",
    "match_outline_names", "polygonal", "power_cells",
]
