"""Every exception the project raises on purpose, under one base: :class:`BorderMapError`.

Input problems (a bad file, argument, name or value) are :class:`InputError` and its
subclasses; the CLI maps every :class:`BorderMapError` to exit code 2 with its message,
and the app shows the message with ``st.error``. Messages are meant for a user and
never name a command-line flag.
"""

from __future__ import annotations


class BorderMapError(ValueError):
    """Base class of the project's own errors; its message is meant for a user."""


class InputError(BorderMapError):
    """Bad input: a file, argument or value that the user can correct."""


class InvalidArgument(InputError):
    """A function argument has a wrong value (the message quotes it)."""


class InvalidArgumentType(InputError, TypeError):
    """A function argument has a wrong type (the message quotes it)."""


class SettingsError(InputError):
    """An environment setting (``BORDERMAP_*``) has a value that cannot be used."""


class RegistryError(InputError):
    """An administrative unit, province or vintage could not be found or is ambiguous."""


class BoundaryFileError(InputError):
    """A boundary file is unreadable, empty, lacks a CRS, is not polygonal, or does not match."""


class LayerError(BorderMapError):
    """The approximate commune layer could not be built (a computation failed)."""


class RosterError(InputError):
    """A roster file was rejected; ``problems`` lists every problem found."""

    def __init__(self, message: str, problems: list | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class BorderListError(InputError):
    """An official border-commune list was rejected; ``problems`` lists every problem found."""

    def __init__(self, message: str, problems: list | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class NormsError(InputError):
    """A staffing-norms table was rejected (missing column, bad count, duplicate key…)."""


class UploadError(InputError):
    """An uploaded file was refused before parsing (size, type, unsafe archive…)."""


class StorageError(BorderMapError):
    """A store (rosters, boundaries, users, audit) could not be read or written."""


class AuditError(BorderMapError):
    """The audit log could not be written or read, or its hash chain is broken."""


class AuthError(BorderMapError):
    """A user could not be created, changed or signed in (bad name, password, file…)."""


class AccessDenied(BorderMapError):
    """The signed-in user's role does not allow the requested action."""


class ScopeDenied(AccessDenied):
    """The province asked for lies outside the user's province scope."""


class SignInLocked(AuthError):
    """Too many failed sign-ins; ``retry_after`` is in seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = float(retry_after)
