"""Use cases shared by the app and the CLI: the one workflow layer.

Pages and CLI handlers only parse input, call one function here and show the
result. Each use case that changes stored state writes its audit event here, so
the app and the command line cannot drift apart: import a roster, restore a
version, accept or remove an official boundary file, export a briefing.
Boundary files accepted anywhere (app or CLI) are kept in the
:class:`~geo.stores.boundaries.BoundaryStore` and used everywhere.

Examples
--------
>>> from geo import services
>>> cov = services.load_coverage("Điện Biên", vintage="2025")  # doctest: +SKIP
>>> report = services.check_roster("roster.csv", province="Điện Biên")  # doctest: +SKIP
>>> services.import_roster(report, actor=services.os_actor())  # doctest: +SKIP
"""

from __future__ import annotations

from geo._lazy import lazy_exports

#: The use cases, by the module that defines them. They are imported on first use
#: (PEP 562), so a command loads only the modules of the use case it calls.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "_base": (
        "Actor", "_action", "actor_for_user", "actor_provinces", "_record", "border_list_store",
        "norm_store", "os_actor", "roster_store", "scoped_store", "store_for",),
    "access": (
        "check_access", "province_choices", "same_province", "visible_provinces",),
    "briefings": (
        "export_briefing", "write_briefing",),
    "database": (
        "import_users_file", "publish_commune_layers", "upgrade_database",),
    "layers": (
        "BORDER_COUNTRY_CHOICES", "BorderSummary", "accept_boundaries", "border_communes",
        "border_summary", "build_default_layers", "build_province_samples", "build_sample_rosters",
        "check_boundaries", "current_boundaries", "flag_communes", "load_communes", "load_coverage",
        "remove_boundaries",),
    "national": (
        "NationalOverview", "national_overview",),
    "lists": (
        "border_list_history", "border_list_label", "border_list_template", "border_list_token",
        "check_border_list", "current_border_list", "current_norms", "import_border_list",
        "import_norms", "norms_token", "restore_border_list", "restore_norms",),
    "rosters": (
        "border_codes", "check_roster", "import_roster", "restore_roster", "roster_history",
        "roster_token",),
}
_WHERE = {name: mod for mod, names in _EXPORTS.items() for name in names}
__all__ = sorted(n for n in _WHERE if not n.startswith("_"))
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
