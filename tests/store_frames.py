"""Tiny hand-made rosters for the store tests (tests/test_storage.py, tests/stores/).

Điện Biên communes 03154/03155/03156 (2020 map), made-up counts.
"""

from __future__ import annotations

import pandas as pd


def roster(officers: int, codes: tuple[str, ...] = ("03154", "03155")) -> pd.DataFrame:
    """A per-commune roster frame: one row per code, ``officers`` officers in each."""
    n = len(codes)
    return pd.DataFrame({
        "commune_code": pd.Series(codes, dtype="str"),
        "chiefs": [1] * n, "deputies": [1] * n, "officers": [officers] * n,
        "reinforcements": [0] * n, "trained": [2] * n,
        "reinforcement_origin": pd.Series([None] * n, dtype="str"),
        "as_of": pd.Series(["2022-01-15"] * n, dtype="str"),
    })
