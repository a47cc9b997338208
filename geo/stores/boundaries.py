"""BoundaryStore: accepted official boundary files, kept with history, seen by app and CLI.

An accepted dataset (with its shapefile sidecars) is copied to
``<home>/boundaries/<province code>/<vintage>/<UTC time>/`` and a pointer file
``<home>/boundaries/current_<province code>_<vintage>.txt`` names the current one. Earlier files
stay on disk; :meth:`BoundaryStore.forget` goes back to the embedded layer.
Pointer updates are atomic (``os.replace``).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
from pathlib import Path

from geo._errors import InvalidArgument, StorageError
from geo.settings import VINTAGES, bordermap_home

log = logging.getLogger(__name__)


class BoundaryStore:
    """Official boundary files accepted for each administrative map.

    Parameters
    ----------
    home : Path, optional
        The data folder; :func:`geo.settings.bordermap_home` when ``None``.
    """

    def __init__(self, home: Path | None = None) -> None:
        self.folder = (Path(home) if home is not None else bordermap_home()) / "boundaries"

    def _pointer(self, province: str, vintage: str) -> Path:
        vintage, province = str(vintage), str(province)
        if vintage not in VINTAGES:
            raise InvalidArgument(f"vintage must be one of {', '.join(VINTAGES)}, not {vintage!r}")
        if not province.isdigit():
            raise InvalidArgument(f"province must be a registry code such as '11', "
                                  f"not {province!r}")
        return self.folder / f"current_{province}_{vintage}.txt"

    def current(self, province: str, vintage: str) -> Path | None:
        """Return the accepted dataset of a province (registry code) and map, or None.

        None means the embedded approximate layer is used.
        """
        pointer = self._pointer(province, vintage)
        if not pointer.is_file():
            return None
        try:
            path = self.folder / pointer.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as err:
            raise StorageError(f"{pointer}: cannot read the boundaries pointer ({err})") from err
        return path if path.is_file() else None

    def keep(self, dataset: Path, province: str, vintage: str) -> Path:
        """Copy ``dataset`` (and its sidecars) into the store and make it current.

        Returns
        -------
        Path
            The kept copy of the dataset.

        Raises
        ------
        StorageError
            The files could not be copied (nothing is made current then).
        """
        pointer = self._pointer(province, vintage)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.folder / str(province) / str(vintage) / stamp
        dataset = Path(dataset)
        try:
            target.mkdir(parents=True, exist_ok=False)
            for part in dataset.parent.iterdir():
                if part.is_file() and part.stem == dataset.stem:
                    shutil.copy2(part, target / part.name)
            tmp = pointer.with_suffix(".tmp")
            tmp.write_text(str((target / dataset.name).relative_to(self.folder)),
                           encoding="utf-8")
            os.replace(tmp, pointer)
        except OSError as err:
            raise StorageError(f"{self.folder}: cannot keep the boundaries file ({err})") from err
        log.info("boundaries %s kept for province %s, %s map, at %s", dataset.name, province,
                 vintage, target)
        return target / dataset.name

    def forget(self, province: str, vintage: str) -> bool:
        """Go back to the embedded layer; return True if a file was current."""
        pointer = self._pointer(province, vintage)
        if not pointer.exists():
            return False
        try:
            pointer.unlink()
        except OSError as err:
            raise StorageError(f"{pointer}: cannot remove the pointer ({err})") from err
        return True

    def version_token(self, province: str, vintage: str) -> str:
        """Return a string that changes whenever the current dataset changes."""
        path = self.current(province, vintage)
        return f"{path}:{path.stat().st_mtime_ns}" if path else ""
