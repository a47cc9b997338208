"""Row-level security tells the two administrative maps apart.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Seven 2-digit registry codes name different provinces on the 2020 and 2025 maps
(15, 24, 44, 52, 80, 82, 91: e.g. 44 is Quảng Bình in 2020, Quảng Trị in 2025), so a
bare code in ``bordermap.provinces`` cannot say which province it means. From this
revision the setting is a comma list of ``<map>:<code>`` entries (``2020:44,2025:12``)
or ``*`` for the whole country, and every policy checks the row's ``vintage`` with its
``province_code``: ``bordermap_province_visible(code, vintage)``. A bare code in the
session setting matches nothing any more.

The ``role_scopes`` ceiling accepts the same entries; a bare code there (as written
before this revision) still means that code on either map.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: Tables whose policy checks (province_code, vintage) of the row itself.
_DIRECT = ("commune_layers", "roster_streams", "roster_versions", "roster_rows",
           "border_list_version")

_UP = r"""
ALTER TABLE role_scopes DROP CONSTRAINT IF EXISTS role_scopes_provinces_check;
ALTER TABLE role_scopes ADD CONSTRAINT role_scopes_provinces_check
    CHECK (provinces = '*'
           OR provinces ~ '^((2020|2025):)?\d{2}(,((2020|2025):)?\d{2})*$');

CREATE FUNCTION bordermap_province_visible(code text, vintage text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
    SELECT (coalesce(current_setting('bordermap.provinces', true), '') = '*'
            OR vintage || ':' || code = ANY (string_to_array(
                replace(coalesce(current_setting('bordermap.provinces', true), ''), ' ', ''),
                ',')))
       AND NOT EXISTS (SELECT 1 FROM role_scopes s
                       WHERE s.role_name = current_user AND s.provinces <> '*'
                         AND NOT code = ANY (string_to_array(s.provinces, ','))
                         AND NOT vintage || ':' || code
                                 = ANY (string_to_array(s.provinces, ',')))
$fn$;
"""


def upgrade() -> None:
    """Replace the province-only policies by map-aware ones."""
    op.execute(_UP)
    for table in _DIRECT:
        op.execute(f"DROP POLICY province_scope ON {table}")
        op.execute(f"CREATE POLICY province_scope ON {table} "
                   "USING (bordermap_province_visible(province_code, vintage)) "
                   "WITH CHECK (bordermap_province_visible(province_code, vintage))")
    op.execute("DROP FUNCTION bordermap_province_visible(text)")


def downgrade() -> None:
    """Back to the province-only policies of 0002 (bare codes in the setting)."""
    op.execute(r"""
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
""")
    for table in _DIRECT:
        op.execute(f"DROP POLICY province_scope ON {table}")
        op.execute(f"CREATE POLICY province_scope ON {table} "
                   "USING (bordermap_province_visible(province_code)) "
                   "WITH CHECK (bordermap_province_visible(province_code))")
    op.execute(r"""
DROP FUNCTION bordermap_province_visible(text, text);
UPDATE role_scopes SET provinces = regexp_replace(provinces, '(2020|2025):', '', 'g');
ALTER TABLE role_scopes DROP CONSTRAINT IF EXISTS role_scopes_provinces_check;
ALTER TABLE role_scopes ADD CONSTRAINT role_scopes_provinces_check
    CHECK (provinces = '*' OR provinces ~ '^\d{2}(,\d{2})*$');
""")
