"""Rosters: read, validate and template the staffing files of the commune police.

A roster says, for each commune-level unit of one province on one
administrative map (2020 or 2025), how many chiefs, deputy chiefs, officers and
reinforcements serve there. The package is split by concern:

``read``
    bytes → a grid of text (encodings, delimiters, XLSX);
``columns``
    header aliases, the two layouts, the canonical columns;
``values``
    cell parsers (counts, codes, dates, roles, yes/no);
``rules``
    which commune each row names (through :mod:`geo.matching`) and the checks;
``vintage``
    which map a file is keyed to;
``problems``
    :class:`Problem` and :class:`ValidationReport`;
``validate``
    :func:`validate_roster` and :func:`read_roster`;
``template``
    :func:`roster_template`.

Everything a caller needs is imported here: ``from geo.roster import validate_roster``.
"""

from __future__ import annotations

from geo.roster.columns import COUNT_COLUMNS, MAX_COUNT, ROLES, ROSTER_COLUMNS
from geo.roster.problems import MAX_PROBLEMS_PER_KIND, Kind, Problem, Severity, ValidationReport
from geo.roster.read import MAX_FILE_BYTES
from geo.roster.template import roster_template
from geo.roster.validate import read_roster, validate_roster
from geo.roster.values import canonical_frame
from geo.roster.vintage import MapEvidence, detect_vintage

__all__ = [
    "COUNT_COLUMNS", "MAX_COUNT", "MAX_FILE_BYTES", "MAX_PROBLEMS_PER_KIND", "ROLES",
    "ROSTER_COLUMNS", "Kind", "MapEvidence", "Problem", "Severity", "ValidationReport",
    "canonical_frame", "detect_vintage", "read_roster", "roster_template", "validate_roster",
]
