"""Bounding-box reads of the commune layers that use the GiST index under the province scope.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Under row-level security PostgreSQL only lets ``LEAKPROOF`` operators into an index
scan, and PostGIS's ``&&`` is not one (marking it so needs a superuser), so a
bounding-box query on ``commune_layers`` by the app role scans the table.
``bordermap_communes_in_bbox(map, west, south, east, north)`` returns the communes of one
map whose box meets the given one (EPSG:4326), filtered by the caller's
``bordermap.provinces`` and by the ``role_scopes`` ceiling of the login
(``session_user``), with the index. It runs as the table owner (``SECURITY DEFINER``,
fixed ``search_path``), so ``commune_layers`` is no longer ``FORCE``d: its owner (the
migration role) reads it unfiltered; every other role, the app's included, stays held
to the policy. Only members of ``bordermap_app`` may call it.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

APP_ROLE = "bordermap_app"

_UP = rf"""
ALTER TABLE commune_layers NO FORCE ROW LEVEL SECURITY;

CREATE FUNCTION bordermap_communes_in_bbox(map text, west double precision,
                                           south double precision, east double precision,
                                           north double precision)
RETURNS SETOF commune_layers
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
    SELECT l.* FROM commune_layers l
    WHERE l.vintage = map
      AND l.geom && ST_MakeEnvelope(west, south, east, north, 4326)
      AND (coalesce(current_setting('bordermap.provinces', true), '') = '*'
           OR l.vintage || ':' || l.province_code = ANY (string_to_array(
               replace(coalesce(current_setting('bordermap.provinces', true), ''), ' ', ''),
               ',')))
      AND NOT EXISTS (SELECT 1 FROM role_scopes s
                      WHERE s.role_name = session_user AND s.provinces <> '*'
                        AND NOT l.province_code = ANY (string_to_array(s.provinces, ','))
                        AND NOT l.vintage || ':' || l.province_code
                                = ANY (string_to_array(s.provinces, ',')))
$fn$;
REVOKE ALL ON FUNCTION bordermap_communes_in_bbox(text, double precision, double precision,
    double precision, double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bordermap_communes_in_bbox(text, double precision, double precision,
    double precision, double precision) TO {APP_ROLE};
"""


def upgrade() -> None:
    """Add the bounding-box function; the owner is no longer forced through the policy."""
    op.execute(_UP)


def downgrade() -> None:
    """Drop the function and force the policy on the owner again."""
    op.execute("""
        DROP FUNCTION bordermap_communes_in_bbox(text, double precision, double precision,
            double precision, double precision);
        ALTER TABLE commune_layers FORCE ROW LEVEL SECURITY;
    """)
