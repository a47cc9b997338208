"""Helpers of the shared-store tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import os

import pytest

START_HINT = 'start one with: eval "$(python3 tests/pg_cluster.py start)"'
TEMPLATE_DB = "bordermap_template"


def require_env(name: str) -> str:
    """Return an environment variable, or skip (fail in CI) saying how to get it."""
    value = os.environ.get(name, "")
    if value:
        return value
    message = f"{name} is not set: no PostgreSQL/PostGIS test cluster ({START_HINT})"
    if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def with_database(url: str, database: str) -> str:
    """Return ``url`` pointing at another database of the same server."""
    base, _, rest = url.rpartition("/")
    query = rest.partition("?")[2]
    return f"{base}/{database}" + (f"?{query}" if query else "")
