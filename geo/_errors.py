"""Domain exceptions: every error the project raises on purpose is a BorderMapError."""

from __future__ import annotations


class BorderMapError(ValueError):
    """Base class of the project's own errors; its message is meant for a user."""


class RegistryError(BorderMapError):
    """An administrative unit, province or vintage could not be found or is ambiguous."""


class BoundaryFileError(BorderMapError):
    """A boundary file is unreadable, empty, lacks a CRS, is not polygonal, or does not match."""


class RosterError(BorderMapError):
    """A roster file was rejected; ``problems`` lists every problem found."""

    def __init__(self, message: str, problems: list | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class StorageError(BorderMapError):
    """The roster store could not be read or written."""


class LayerError(BorderMapError):
    """The approximate commune layer could not be built (source data, outlines or fit)."""
