"""SQL schema of the embedded store (rosters and norms) and its migrations."""

from __future__ import annotations

#: Schema version written to ``PRAGMA user_version``.
SCHEMA_VERSION = 2

_SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS store_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS roster_version (
    version       INTEGER PRIMARY KEY AUTOINCREMENT,
    imported_at   TEXT    NOT NULL,
    source_name   TEXT    NOT NULL,
    sha256        TEXT    NOT NULL,
    imported_by   TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('per-commune', 'per-officer')),
    province      TEXT    NOT NULL,
    vintage       TEXT    NOT NULL,
    n_rows        INTEGER NOT NULL CHECK (n_rows >= 0),
    restored_from INTEGER REFERENCES roster_version (version)
);
CREATE TABLE IF NOT EXISTS roster_row (
    version              INTEGER NOT NULL REFERENCES roster_version (version),
    commune_code         TEXT    NOT NULL CHECK (length(commune_code) = 5),
    chiefs               INTEGER NOT NULL CHECK (chiefs >= 0),
    deputies             INTEGER NOT NULL CHECK (deputies >= 0),
    officers             INTEGER NOT NULL CHECK (officers >= 0),
    reinforcements       INTEGER NOT NULL CHECK (reinforcements >= 0),
    trained              INTEGER NOT NULL CHECK (trained >= 0),
    reinforcement_origin TEXT,
    as_of                TEXT,
    PRIMARY KEY (version, commune_code)
) WITHOUT ROWID;
"""
# Version 2: the province code keys the current roster per province and map; staffing
# norms are versioned in the same file (see geo.stores.norms).
_SCHEMA_V2 = """
ALTER TABLE roster_version ADD COLUMN province_code TEXT;
CREATE INDEX IF NOT EXISTS roster_version_key ON roster_version (province_code, vintage, version);
CREATE TABLE IF NOT EXISTS norm_version (
    version       INTEGER PRIMARY KEY AUTOINCREMENT,
    imported_at   TEXT    NOT NULL,
    source_name   TEXT    NOT NULL,
    sha256        TEXT    NOT NULL,
    imported_by   TEXT    NOT NULL,
    n_rows        INTEGER NOT NULL CHECK (n_rows >= 0),
    restored_from INTEGER REFERENCES norm_version (version)
);
CREATE TABLE IF NOT EXISTS norm_row (
    version   INTEGER NOT NULL REFERENCES norm_version (version),
    vintage   TEXT    NOT NULL,
    unit_type TEXT    NOT NULL,
    border    INTEGER NOT NULL CHECK (border IN (0, 1)),
    chiefs    INTEGER NOT NULL CHECK (chiefs >= 0),
    deputies  INTEGER NOT NULL CHECK (deputies >= 0),
    officers  INTEGER NOT NULL CHECK (officers >= 0),
    source    TEXT    NOT NULL,
    PRIMARY KEY (version, vintage, unit_type, border)
) WITHOUT ROWID;
"""
#: Migrations: schema version reached -> SQL that gets there from the one before.
_MIGRATIONS = {1: _SCHEMA_V1, 2: _SCHEMA_V2}
