"""A live app (``streamlit run app.py`` on a loopback port) with known accounts and rosters."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from _streamlit import running  # noqa: E402

from geo.settings import REPO_ROOT  # noqa: E402

#: Accounts of the live app: name → (role, password).
ACCOUNTS = {
    "quan.tri": ("admin", "mat-khau-quan-tri"),
    "ke.hoach": ("planner", "mat-khau-ke-hoach"),
    "chi.huy": ("commander", "mat-khau-chi-huy"),
    "doan.mo": ("planner", "mat-khau-doan-mo"),
    "tam.thoi": ("planner", "mat-khau-tam-thoi"),
    "giang.chuc": ("planner", "mat-khau-giang-chuc"),
}


def roster_bytes(officers: int) -> bytes:
    frame = pd.read_csv(REPO_ROOT / "data" / "sample_roster.csv", dtype=str,
                        keep_default_na=False)
    frame.loc[frame["commune_code"] == "03154", "officers"] = str(officers)
    return frame.to_csv(index=False).encode("utf-8")


def prepare_home(home: Path) -> None:
    """Create the accounts and two roster versions in ``home`` (through the geo API)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BORDERMAP_HOME", str(home))
        from geo import auth, passwords
        from geo.roster import validate_roster
        from geo.stores.rosters import open_store

        mp.setattr(passwords, "BCRYPT_ROUNDS", 4)  # the server checks any cost
        for name, (role, password) in ACCOUNTS.items():
            auth.add_user(name, password, role=role, actor="test")
        store = open_store(home)
        for officers in (7, 8):
            report = validate_roster(roster_bytes(officers), source_name="r.csv")
            store.import_roster(report, user="test")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The app on a free loopback port with its own BORDERMAP_HOME (shared by a module)."""
    home = tmp_path_factory.mktemp("live-home")
    prepare_home(home)
    with running(home, tmp_path_factory.mktemp("live-log")) as server:
        yield server


@pytest.fixture()
def live_home(live, monkeypatch):
    """Point this test's geo calls (auth, audit, store) at the live app's data folder."""
    monkeypatch.setenv("BORDERMAP_HOME", str(live.home))
    return live.home
