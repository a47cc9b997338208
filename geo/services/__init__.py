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

from geo.services._base import (  # noqa: F401  # noqa: F401
    Actor,
    _action,
    actor_for_user,
    actor_provinces,
    _record,
    border_list_store,
    norm_store,
    os_actor,
    roster_store,
    scoped_store,
    store_for,
)
from geo.services.access import (  # noqa: F401
    check_access,
    province_choices,
    same_province,
    visible_provinces,
)
from geo.services.briefings import export_briefing, write_briefing  # noqa: F401
from geo.services.database import (  # noqa: F401
    import_users_file,
    publish_commune_layers,
    upgrade_database,
)
from geo.services.layers import (  # noqa: F401
    BORDER_COUNTRY_CHOICES,
    BorderSummary,
    accept_boundaries,
    border_communes,
    border_summary,
    build_default_layers,
    build_province_samples,
    build_sample_rosters,
    check_boundaries,
    current_boundaries,
    flag_communes,
    load_communes,
    load_coverage,
    remove_boundaries,
)
from geo.services.national import NationalOverview, national_overview  # noqa: F401
from geo.services.lists import (  # noqa: F401
    border_list_history,
    border_list_label,
    border_list_template,
    border_list_token,
    check_border_list,
    current_border_list,
    current_norms,
    import_border_list,
    import_norms,
    norms_token,
    restore_border_list,
    restore_norms,
)
from geo.services.rosters import (  # noqa: F401
    border_codes,
    check_roster,
    import_roster,
    restore_roster,
    roster_history,
    roster_token,
)
