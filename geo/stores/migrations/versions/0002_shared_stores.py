"""Users, sessions, the audit log, norms and border lists in the shared store.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

Tables (the same names and columns as the embedded SQLite stores, so both backends
run the same queries; see :mod:`geo.stores._backend`)
    ``app_users``            one row per account: explicit columns for the fields the
                             app reads (role, bcrypt hash, disabled, must_change, scope,
                             created, updated) and ``extra`` (JSONB) for any other field.
    ``sessions``, ``tickets``, ``signin_failures``, ``signin_known``
                             signed-in sessions (token hashes only), one-time sign-in
                             tickets and sign-in failure counters
                             (:mod:`geo.stores.sessions`).
    ``audit_log``            append-only: the app role may only ``SELECT``/``INSERT``, and
                             triggers refuse ``UPDATE``, ``DELETE`` and ``TRUNCATE`` for
                             every role (the owner must drop them to change history).
    ``audit_head``           one row: the newest event's id and hash with their HMAC
                             (the head anchor, kept in a file by the SQLite log).
    ``store_counters``       last version number per versioned store (``norms``,
                             ``border_lists``): writers lock the row, so numbers are
                             never lost nor duplicated across processes.
    ``norm_version``, ``norm_row``               staffing norms (national, no province).
    ``border_list_version``, ``border_list_row`` official border-commune lists, with
                             row-level security by province (rows through their version).
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APP_ROLE = "bordermap_app"

_SCHEMA = r"""
CREATE TABLE app_users (
    username    text PRIMARY KEY CHECK (username <> ''),
    role        text NOT NULL,
    hash        text NOT NULL CHECK (left(hash, 2) = '$2'),
    disabled    boolean NOT NULL DEFAULT false,
    must_change boolean NOT NULL DEFAULT false,
    scope       text[],
    created     text NOT NULL DEFAULT '',
    updated     text NOT NULL DEFAULT '',
    extra       jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(extra) = 'object')
);

CREATE TABLE sessions (
    token_hash text PRIMARY KEY,
    username   text NOT NULL,
    created    double precision NOT NULL,
    last_seen  double precision NOT NULL,
    expires    double precision NOT NULL,
    revoked    double precision,
    reason     text NOT NULL DEFAULT '',
    client     text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (username);
CREATE TABLE tickets (
    ticket_hash text PRIMARY KEY,
    username    text NOT NULL,
    client      text NOT NULL,
    expires     double precision NOT NULL
);
CREATE TABLE signin_failures (
    kind         text NOT NULL,
    key          text NOT NULL,
    failures     integer NOT NULL,
    last_failure double precision NOT NULL,
    locked_until double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, key)
);
CREATE TABLE signin_known (
    username text NOT NULL,
    address  text NOT NULL,
    last_ok  double precision NOT NULL,
    PRIMARY KEY (username, address)
);

CREATE TABLE audit_log (
    id       bigint   PRIMARY KEY CHECK (id >= 1),
    ts       text     NOT NULL,
    username text     NOT NULL,
    action   text     NOT NULL,
    ok       smallint NOT NULL CHECK (ok IN (0, 1)),
    detail   text     NOT NULL DEFAULT '',
    client   text     NOT NULL DEFAULT '',
    hash     text     NOT NULL,
    phase    text     NOT NULL DEFAULT 'done',
    ref      bigint,
    keyed    smallint NOT NULL DEFAULT 1
);
CREATE INDEX audit_log_user ON audit_log (username);
CREATE INDEX audit_log_action ON audit_log (action);
CREATE INDEX audit_log_ref ON audit_log (ref);
CREATE TABLE audit_head (
    one      boolean PRIMARY KEY DEFAULT true CHECK (one),
    event_id bigint  NOT NULL,
    hash     text    NOT NULL,
    mac      text    NOT NULL
);
CREATE FUNCTION bordermap_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$fn$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION bordermap_audit_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION bordermap_audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION bordermap_audit_append_only();

CREATE TABLE store_counters (
    name       text PRIMARY KEY,
    last_value bigint NOT NULL CHECK (last_value >= 0)
);

CREATE TABLE norm_version (
    version       integer PRIMARY KEY CHECK (version >= 1),
    imported_at   text    NOT NULL,
    source_name   text    NOT NULL,
    sha256        text    NOT NULL,
    imported_by   text    NOT NULL,
    n_rows        integer NOT NULL CHECK (n_rows >= 0),
    restored_from integer REFERENCES norm_version (version)
);
CREATE TABLE norm_row (
    version   integer NOT NULL REFERENCES norm_version (version),
    vintage   text    NOT NULL,
    unit_type text    NOT NULL,
    border    integer NOT NULL CHECK (border IN (0, 1)),
    chiefs    integer NOT NULL CHECK (chiefs >= 0),
    deputies  integer NOT NULL CHECK (deputies >= 0),
    officers  integer NOT NULL CHECK (officers >= 0),
    source    text    NOT NULL,
    PRIMARY KEY (version, vintage, unit_type, border)
);

CREATE TABLE border_list_version (
    version       integer PRIMARY KEY CHECK (version >= 1),
    imported_at   text    NOT NULL,
    source_name   text    NOT NULL,
    sha256        text    NOT NULL,
    imported_by   text    NOT NULL,
    province_code text    NOT NULL CHECK (province_code ~ '^\d{2}$'),
    vintage       text    NOT NULL CHECK (vintage IN ('2020', '2025')),
    n_rows        integer NOT NULL CHECK (n_rows >= 0),
    restored_from integer REFERENCES border_list_version (version)
);
CREATE INDEX border_list_key ON border_list_version (province_code, vintage, version);
CREATE TABLE border_list_row (
    version      integer NOT NULL REFERENCES border_list_version (version),
    commune_code text    NOT NULL CHECK (commune_code ~ '^\d{5}$'),
    country      text    NOT NULL,
    source       text    NOT NULL,
    PRIMARY KEY (version, commune_code)
);

ALTER TABLE border_list_version ENABLE ROW LEVEL SECURITY;
ALTER TABLE border_list_version FORCE ROW LEVEL SECURITY;
CREATE POLICY province_scope ON border_list_version
    USING (bordermap_province_visible(province_code))
    WITH CHECK (bordermap_province_visible(province_code));
-- A list's rows carry no province: they are visible and writable through their version,
-- itself subject to the policy above.
ALTER TABLE border_list_row ENABLE ROW LEVEL SECURITY;
ALTER TABLE border_list_row FORCE ROW LEVEL SECURITY;
CREATE POLICY province_scope ON border_list_row
    USING (EXISTS (SELECT 1 FROM border_list_version v WHERE v.version = border_list_row.version))
    WITH CHECK (EXISTS (SELECT 1 FROM border_list_version v
                        WHERE v.version = border_list_row.version));
"""

_GRANTS = f"""
GRANT SELECT, INSERT, UPDATE, DELETE ON app_users, sessions, tickets, signin_failures,
    signin_known TO {APP_ROLE};
GRANT SELECT, INSERT ON audit_log TO {APP_ROLE};
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {APP_ROLE};
GRANT SELECT, INSERT, UPDATE ON audit_head, store_counters TO {APP_ROLE};
GRANT SELECT, INSERT ON norm_version, norm_row, border_list_version, border_list_row
    TO {APP_ROLE};
"""


def upgrade() -> None:
    """Create the tables, triggers, row-level security policies and the app role's grants."""
    op.execute(_SCHEMA)
    op.execute(_GRANTS)


def downgrade() -> None:
    """Drop everything this revision created."""
    op.execute("""
        DROP TABLE IF EXISTS border_list_row, border_list_version, norm_row, norm_version,
            store_counters, audit_head, audit_log, signin_known, signin_failures, tickets,
            sessions, app_users;
        DROP FUNCTION IF EXISTS bordermap_audit_append_only();
    """)
