"""Initial shared store: commune layers, versioned rosters, province row-level security.

Revision ID: 0001
Revises:
Create Date: 2026-05-20

Tables
    ``commune_layers``      one row per commune and map (PostGIS MultiPolygon, EPSG:4326,
                            GiST index); primary key (vintage, code).
    ``roster_streams``      one row per (province, map): the last version number, locked
                            by every import so numbers are never lost nor duplicated.
    ``roster_versions``     one row per stored roster version (history, never rewritten).
    ``roster_rows``         one row per commune of a version.
    ``role_scopes``         optional ceiling per database role (e.g. a QGIS desk login):
                            the provinces that role may ever see, whatever it sets.
    ``store_meta``          the store's random id (for cache tokens).
    ``current_roster_layer`` view: commune polygons with the current roster's counts.

Row-level security (FORCE, so the table owner is subject too; superusers and roles
with BYPASSRLS are not): a row is visible and writable only when its
``province_code`` is in the session setting ``bordermap.provinces`` (a comma list
of registry codes, or ``*`` for the whole country) and within the role's
``role_scopes`` ceiling, if it has one. Without the setting nothing is visible.
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

#: Group role the application (and GIS desk logins) connect as, or are members of.
APP_ROLE = "bordermap_app"
_SCOPED = ("commune_layers", "roster_streams", "roster_versions", "roster_rows")

_ENSURE_APP_ROLE = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
        BEGIN
            CREATE ROLE {APP_ROLE} NOLOGIN;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE EXCEPTION 'role {APP_ROLE} does not exist and this user may not create it; '
                'ask the database administrator: CREATE ROLE {APP_ROLE} LOGIN PASSWORD ...';
        END;
    END IF;
END
$$;
"""

_SCHEMA = r"""
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE store_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO store_meta (key, value) VALUES ('store_id', replace(gen_random_uuid()::text, '-', ''));

CREATE TABLE role_scopes (
    role_name text PRIMARY KEY,
    provinces text NOT NULL CHECK (provinces = '*' OR provinces ~ '^\d{2}(,\d{2})*$')
);

CREATE FUNCTION bordermap_province_visible(code text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
    SELECT (coalesce(current_setting('bordermap.provinces', true), '') = '*'
            OR code = ANY (string_to_array(
                replace(coalesce(current_setting('bordermap.provinces', true), ''), ' ', ''),
                ',')))
       AND NOT EXISTS (SELECT 1 FROM role_scopes s
                       WHERE s.role_name = current_user AND s.provinces <> '*'
                         AND NOT code = ANY (string_to_array(s.provinces, ',')))
$fn$;

CREATE TABLE commune_layers (
    vintage       text    NOT NULL CHECK (vintage IN ('2020', '2025')),
    code          text    NOT NULL CHECK (code ~ '^\d{5}$'),
    province_code text    NOT NULL CHECK (province_code ~ '^\d{2}$'),
    name          text    NOT NULL,
    unit_type     text    NOT NULL DEFAULT '',
    district_code text    NOT NULL DEFAULT '',
    district      text    NOT NULL DEFAULT '',
    province      text    NOT NULL DEFAULT '',
    area_km2      double precision,
    approximate   boolean NOT NULL,
    note          text    NOT NULL DEFAULT '',
    published_at  timestamptz NOT NULL DEFAULT now(),
    geom          geometry(MultiPolygon, 4326) NOT NULL,
    PRIMARY KEY (vintage, code)
);
CREATE INDEX commune_layers_geom_gist ON commune_layers USING gist (geom);
CREATE INDEX commune_layers_province ON commune_layers (province_code, vintage);

CREATE TABLE roster_streams (
    province_code text NOT NULL CHECK (province_code ~ '^\d{2}$'),
    vintage       text NOT NULL CHECK (vintage IN ('2020', '2025')),
    last_version  integer NOT NULL CHECK (last_version >= 0),
    PRIMARY KEY (province_code, vintage)
);

CREATE TABLE roster_versions (
    province_code text    NOT NULL,
    vintage       text    NOT NULL,
    version       integer NOT NULL CHECK (version >= 1),
    imported_at   text    NOT NULL,
    source_name   text    NOT NULL,
    sha256        text    NOT NULL,
    imported_by   text    NOT NULL,
    kind          text    NOT NULL CHECK (kind IN ('per-commune', 'per-officer')),
    province      text    NOT NULL,
    n_rows        integer NOT NULL CHECK (n_rows >= 0),
    restored_from integer,
    is_current    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (province_code, vintage, version),
    FOREIGN KEY (province_code, vintage) REFERENCES roster_streams,
    FOREIGN KEY (province_code, vintage, restored_from) REFERENCES roster_versions
);
CREATE UNIQUE INDEX roster_versions_one_current ON roster_versions (province_code, vintage)
    WHERE is_current;

CREATE TABLE roster_rows (
    province_code        text    NOT NULL,
    vintage              text    NOT NULL,
    version              integer NOT NULL,
    commune_code         text    NOT NULL CHECK (commune_code ~ '^\d{5}$'),
    chiefs               integer NOT NULL CHECK (chiefs >= 0),
    deputies             integer NOT NULL CHECK (deputies >= 0),
    officers             integer NOT NULL CHECK (officers >= 0),
    reinforcements       integer NOT NULL CHECK (reinforcements >= 0),
    trained              integer NOT NULL CHECK (trained >= 0),
    reinforcement_origin text,
    as_of                text,
    PRIMARY KEY (province_code, vintage, version, commune_code),
    FOREIGN KEY (province_code, vintage, version) REFERENCES roster_versions
);

CREATE VIEW current_roster_layer WITH (security_invoker = true) AS
SELECT l.vintage, l.code, l.province_code, l.province, l.district, l.name, l.unit_type,
       l.approximate, l.area_km2, v.version AS roster_version, r.chiefs, r.deputies,
       r.officers, r.reinforcements, r.trained, r.reinforcement_origin, r.as_of, l.geom
FROM commune_layers l
LEFT JOIN roster_versions v
       ON v.province_code = l.province_code AND v.vintage = l.vintage AND v.is_current
LEFT JOIN roster_rows r
       ON r.province_code = v.province_code AND r.vintage = v.vintage
      AND r.version = v.version AND r.commune_code = l.code;
"""


def upgrade() -> None:
    """Create the tables, the row-level security policies and the app role's grants."""
    op.execute(_ENSURE_APP_ROLE)
    op.execute(_SCHEMA)
    for table in _SCOPED:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY province_scope ON {table} "
                   "USING (bordermap_province_visible(province_code)) "
                   "WITH CHECK (bordermap_province_visible(province_code))")
    # History is never rewritten: the app may add versions and move the current flag only.
    op.execute(f"""
        GRANT SELECT ON store_meta, role_scopes, alembic_version, current_roster_layer
            TO {APP_ROLE};
        GRANT SELECT, INSERT, UPDATE, DELETE ON commune_layers TO {APP_ROLE};
        GRANT SELECT, INSERT ON roster_streams, roster_versions, roster_rows TO {APP_ROLE};
        GRANT UPDATE (last_version) ON roster_streams TO {APP_ROLE};
        GRANT UPDATE (is_current) ON roster_versions TO {APP_ROLE};
    """)


def downgrade() -> None:
    """Drop everything this revision created (not the app role, nor PostGIS)."""
    op.execute("""
        DROP VIEW IF EXISTS current_roster_layer;
        DROP TABLE IF EXISTS roster_rows, roster_versions, roster_streams, commune_layers,
            role_scopes, store_meta;
        DROP FUNCTION IF EXISTS bordermap_province_visible(text);
    """)
