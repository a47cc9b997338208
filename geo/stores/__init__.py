"""Stores at the edge: rosters, boundaries, norms, users and the audit log (SQLite embedded)."""
