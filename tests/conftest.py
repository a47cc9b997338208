"""Shared fixtures and session checks.

* every test gets its own ``BORDERMAP_HOME``, never ``./var``;
* generated files (offline map assets, hypothesis's cache) go to a temporary folder,
  and the session fails if it left anything new in the source tree;
* ``cli``: run ``python -m geo …`` in-process (``geo.cli.main`` with captured output);
* every ``e2e`` test is also ``slow``, so ``-m "not slow"`` leaves out the browser test;
* the suite runs on pytest-xdist workers (pytest.ini: ``-n auto``, at most 4); each worker
  has its own temporary folders, ports and PostgreSQL test database (tests/stores/conftest.py);
* Streamlit's scan of the installed packages for components, which every ``AppTest`` makes
  (~0.2 s), is made once per session (the packages do not change during a run);
* new password hashes use bcrypt cost 4 (``_fast_bcrypt``), as tests/test_auth.py did;
* compiled bytecode goes to a folder in the system's temporary directory
  (``PYTHONPYCACHEPREFIX``), also when the environment sets ``PYTHONDONTWRITEBYTECODE``;
* the nationwide layer build (``geo.layer.build``, ~20 s of CPU, needed for any province
  but Điện Biên) is made once per session and shared by the workers through a pickle in
  a temporary folder of the session.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Set before geo is imported anywhere: the offline map assets the app copies for
# Streamlit (geo.settings: BORDERMAP_STATIC_DIR) go to a folder of this session, and
# hypothesis's cache (its Unicode tables take seconds to build) to a folder kept in the
# system's temporary directory — neither into the repository.
_SESSION_TMP = Path(tempfile.mkdtemp(prefix="bordermap-tests-"))
# Shared by the pytest-xdist workers (they inherit the environment of the main process,
# which removes the folder at the end of the session).
_IS_WORKER = "PYTEST_XDIST_WORKER" in os.environ
if not _IS_WORKER or "BORDERMAP_TEST_SHARED_DIR" not in os.environ:
    os.environ["BORDERMAP_TEST_SHARED_DIR"] = tempfile.mkdtemp(prefix="bordermap-shared-")
_SHARED_TMP = Path(os.environ["BORDERMAP_TEST_SHARED_DIR"])
os.environ["BORDERMAP_STATIC_DIR"] = str(_SESSION_TMP / "static" / "bordermap")

# Compiled bytecode is kept, outside the source tree: the xdist workers (started after
# this runs) and the processes the tests start (python -m geo, streamlit) otherwise
# compile every module of geo, pages and tests again when the environment sets
# PYTHONDONTWRITEBYTECODE (this machine does), ~5 s per worker. An explicit
# PYTHONPYCACHEPREFIX is kept.
if not os.environ.get("PYTHONPYCACHEPREFIX"):
    os.environ["PYTHONPYCACHEPREFIX"] = str(
        Path(tempfile.gettempdir()) / f"bordermap-tests-pycache-{os.getuid()}")
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.pycache_prefix = os.environ["PYTHONPYCACHEPREFIX"]
    sys.dont_write_bytecode = False

try:
    from hypothesis import configuration as _hypothesis_configuration
except ImportError:  # pragma: no cover - hypothesis is in requirements-dev.txt
    pass
else:
    _hypothesis_configuration.set_hypothesis_home_dir(
        Path(tempfile.gettempdir()) / "bordermap-tests-hypothesis")


# --------------------------------------------------------------------------- source tree


def _tree_entries() -> set[str] | None:
    """Untracked and ignored paths of the repository (``git status``), bytecode excluded."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        return None
    proc = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
                          cwd=REPO, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return None
    return {line[3:] for line in proc.stdout.splitlines()
            if line[:2] in ("??", "!!") and "__pycache__/" not in line
            and not line.endswith(".pyc")}


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_TREE_KEY] = _tree_entries()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    before = session.config.stash.get(_TREE_KEY, None)
    after = _tree_entries() if before is not None else None
    shutil.rmtree(_SESSION_TMP, ignore_errors=True)
    if not _IS_WORKER:
        shutil.rmtree(_SHARED_TMP, ignore_errors=True)
    if before is None or after is None:
        return
    new = sorted(after - before)
    if new:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = ("the test session wrote into the source tree: " + ", ".join(new[:10])
                   + (" …" if len(new) > 10 else ""))
        if reporter is not None:
            reporter.write_line(f"ERROR: {message}", red=True, bold=True)
        else:
            print(message, file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_TREE_KEY = pytest.StashKey[set]()


# --------------------------------------------------------------------------- markers


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("e2e") and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)


# --------------------------------------------------------------------------- Streamlit


def _scan_components_once() -> None:
    """Make ``AppTest``'s scan of installed packages for v2 components once per session."""
    try:
        from streamlit.components.v2 import manifest_scanner
    except ImportError:  # pragma: no cover - another Streamlit version: nothing to share
        return
    scan = manifest_scanner.scan_component_manifests
    if getattr(scan, "_bordermap_once", False):
        return
    found: list = []

    def scan_once(max_workers: int | None = None):
        if not found:
            found.append(scan(max_workers))
        return list(found[0])

    scan_once._bordermap_once = True  # type: ignore[attr-defined]
    manifest_scanner.scan_component_manifests = scan_once


# --------------------------------------------------------------------------- nationwide build


def _share_nationwide_build() -> None:
    """Let the workers share one nationwide layer build per method (a pickle, under a lock)."""
    import fcntl
    import functools
    import pickle

    try:
        from geo.layer import build
    except ImportError:  # pragma: no cover - the module moved: nothing to share
        return
    compute = getattr(build, "_build", None)
    if compute is None or getattr(compute, "_bordermap_shared", False):
        return

    @functools.lru_cache(maxsize=2)
    def shared(method: str):
        target = _SHARED_TMP / f"nationwide-{method}.pickle"
        with open(_SHARED_TMP / f"nationwide-{method}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if target.exists():
                with open(target, "rb") as f:
                    return pickle.load(f)
            result = compute(method)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as f:
                pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
            return result

    shared._bordermap_shared = True  # type: ignore[attr-defined]
    shared.__wrapped__ = compute  # type: ignore[attr-defined]
    build._build = shared


def pytest_configure(config: pytest.Config) -> None:
    # Not in the main process of a pytest-xdist run: it runs no test.
    if _IS_WORKER or not getattr(config.option, "numprocesses", None):
        _scan_components_once()
        _share_nationwide_build()


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(autouse=True)
def _bordermap_home(tmp_path, monkeypatch):
    home = tmp_path / "bordermap-home"
    home.mkdir()
    monkeypatch.setenv("BORDERMAP_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch):
    """New password hashes with bcrypt cost 4 instead of 12: the same code path, a hundred
    times less CPU (the app's sign-in and user pages hash several passwords per test)."""
    from geo import passwords

    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)


@dataclass(frozen=True)
class CliResult:
    """What a run of the command line gave: exit code and captured output."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys):
    """Run ``python -m geo ARGS…`` in-process; return a :class:`CliResult`.

    ``cli(*args, check=True)`` calls :func:`geo.cli.main` with ``args`` (argparse's
    ``SystemExit`` becomes the exit code), captures stdout and stderr, and with
    ``check`` asserts exit code 0. ``stdin`` (a string) replaces standard input.
    """
    from geo.cli import main

    def run(*args: object, check: bool = True, stdin: str | None = None) -> CliResult:
        capsys.readouterr()  # drop what the test printed before
        argv = [str(a) for a in args]
        saved_stdin = sys.stdin
        if stdin is not None:
            import io

            sys.stdin = io.StringIO(stdin)
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse: --help, bad choices
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None
                                                                   else 1)
        finally:
            sys.stdin = saved_stdin
        out, err = capsys.readouterr()
        result = CliResult(int(code), out, err)
        if check:
            assert result.returncode == 0, result.stderr
        return result

    return run
