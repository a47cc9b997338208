"""Alembic environment of the shared PostgreSQL/PostGIS store.

Run through :func:`geo.stores.postgis.migrate` (``python -m geo db upgrade``), which
passes an open SQLAlchemy connection in ``config.attributes["connection"]`` so the
URL (and its password) never goes through Alembic's ini interpolation or logs.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable from a bare `alembic` call
    raise RuntimeError("run the migrations through geo.stores.postgis.migrate(url)")

context.configure(connection=connection, target_metadata=None, transaction_per_migration=True)
with context.begin_transaction():
    context.run_migrations()
