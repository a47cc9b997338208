"""Problems found in a roster file, and the validation report that lists them.

:class:`Problem` is one problem (file, spreadsheet row, column, reason,
severity); :class:`ValidationReport` is the outcome of
:func:`geo.roster.validate_roster`; :class:`ProblemList` collects problems with
at most :data:`MAX_PROBLEMS_PER_KIND` of one kind, then one summary problem.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from geo.settings import DEFAULT_PROVINCE

#: Problems listed per kind (one check on one column); the rest are summed up in one.
MAX_PROBLEMS_PER_KIND = 1_000

Kind = Literal["per-commune", "per-officer"]
Severity = Literal["error", "warning"]

@dataclass
class Problem:
    """One problem found in a roster file.

    Attributes
    ----------
    file : str
        The file's name as the user knows it.
    row : int or None
        Row number as a spreadsheet shows it (header is row 1); ``None`` for
        the whole file.
    column : str or None
        The column header as written in the file; ``None`` for a whole row/file.
    message : str
        What is wrong, for a user.
    severity : {"error", "warning"}
        Errors reject the file; warnings do not.
    """

    file: str
    row: int | None
    column: str | None
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        """Return ``"file, row 3, column 'chiefs': error: message"``."""
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.severity}: {self.message}"


class ProblemReport:
    """What every file report shares (rosters, border lists): its problems by severity.

    Subclasses are dataclasses with a ``problems`` list of :class:`Problem`.
    """

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        """The problems that reject the file."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems that do not reject the file."""
        return [p for p in self.problems if p.severity == "warning"]

    def to_frame(self) -> pd.DataFrame:
        """Return the problems as a new frame (file, row, column, severity, message)."""
        return pd.DataFrame(
            {
                "file": [p.file for p in self.problems],
                "row": pd.array([p.row for p in self.problems], dtype="Int64"),
                "column": [p.column for p in self.problems],
                "severity": [p.severity for p in self.problems],
                "message": [p.message for p in self.problems],
            },
            columns=["file", "row", "column", "severity", "message"],
        )


@dataclass
class ValidationReport(ProblemReport):
    """The outcome of :func:`validate_roster`.

    Attributes
    ----------
    problems : list of Problem
        Every error and warning, sorted by row; past :data:`MAX_PROBLEMS_PER_KIND`
        of one kind, one summary problem ("… and N more problems of this
        kind") stands for the rest.
    roster : pandas.DataFrame or None
        The accepted roster (columns :data:`ROSTER_COLUMNS`), ``None`` when
        the file has errors.
    kind : {"per-commune", "per-officer"}
        The layout detected from the header.
    n_rows : int
        Non-empty data rows read from the file.
    sha256 : str
        Hex digest of the file's bytes (empty if the file could not be read).
    source_name : str
        The file's name as reported in problems.
    province, vintage : str
        What the file was validated against.
    """

    problems: list[Problem]
    roster: pd.DataFrame | None
    kind: Kind
    n_rows: int
    sha256: str
    source_name: str
    province: str = DEFAULT_PROVINCE
    vintage: str = "2025"

    @property
    def ok(self) -> bool:
        """True when there is no error and a roster was produced."""
        return not self.errors and self.roster is not None


@dataclass
class ProblemList:
    """The problems found so far, with at most :data:`MAX_PROBLEMS_PER_KIND` of a kind.

    A kind is one check on one column (``column``, ``severity``, ``kind``). Past
    the cap, problems are only counted, and :meth:`finish` adds one summary
    problem per capped kind. Errors at ``muted`` cells (column -> rows) are
    dropped: a better error about the same cell was already given.
    """

    file: str
    items: list[Problem] = field(default_factory=list)
    muted: dict[str | None, set[int]] = field(default_factory=dict)
    _kept: dict[tuple[str | None, str, str], int] = field(default_factory=dict)
    _more: dict[tuple[str | None, str, str], list[int]] = field(default_factory=dict)

    def add(self, row: int | None, column: str | None, message: str,
            severity: Severity = "error") -> None:
        if row is not None and severity == "error" and int(row) in self.muted.get(column, ()):
            return
        self.items.append(Problem(self.file, None if row is None else int(row), column,
                                  message, severity))

    def add_rows(self, rows: np.ndarray, column: str | None,
                 messages: str | Sequence[str] | Callable[[np.ndarray], Sequence[str]],
                 severity: Severity = "error", *, kind: str = "") -> None:
        """Add one problem per row, at most :data:`MAX_PROBLEMS_PER_KIND` per kind.

        ``messages`` is one str for every row, a sequence aligned with ``rows``,
        or a function of an array of positions in ``rows`` returning their
        messages (called for the listed rows only, so that a million capped
        problems cost no million strings).
        """
        rows = np.asarray(rows)
        if not len(rows):
            return
        if rows.dtype.kind != "i":
            rows = rows.astype(np.int64)
        pos = np.arange(len(rows))
        muted = self.muted.get(column) if severity == "error" else None
        if muted:
            pos = pos[~np.isin(rows, np.fromiter(muted, dtype=np.int64, count=len(muted)))]
            if not len(pos):
                return
        key = (column, severity, kind)
        room = max(MAX_PROBLEMS_PER_KIND - self._kept.get(key, 0), 0)
        if len(pos) > room:
            over = rows[pos[room:]]
            more = self._more.setdefault(key, [0, int(over[0]), int(over[-1])])
            more[0] += len(over)
            more[1], more[2] = min(more[1], int(over[0])), max(more[2], int(over[-1]))
            pos = pos[:room]
        self._kept[key] = self._kept.get(key, 0) + len(pos)
        if isinstance(messages, str):
            texts: Sequence[str] = [messages] * len(pos)
        elif callable(messages):
            texts = messages(pos)
        else:
            seq = messages if isinstance(messages, (list, tuple)) else list(messages)
            texts = [seq[i] for i in pos.tolist()]
        self.items.extend(Problem(self.file, r, column, m, severity)
                          for r, m in zip(rows[pos].tolist(), texts))

    def mute(self, column: str | None, rows: np.ndarray) -> None:
        """Drop later errors at these rows of ``column``."""
        self.muted.setdefault(column, set()).update(int(r) for r in rows)

    def finish(self) -> list[Problem]:
        """Return every listed problem plus one summary per capped kind, sorted by row."""
        items = list(self.items)
        for (column, severity, _), (n, first, last) in self._more.items():
            items.append(Problem(
                self.file, first, column,
                f"… and {n:,} more problems of this kind (rows {first}–{last}); only the "
                f"first {MAX_PROBLEMS_PER_KIND:,} of each kind are listed", severity))
        return sorted(items, key=lambda p: (p.row is not None, p.row or 0))

    @property
    def n_errors(self) -> int:
        return sum(p.severity == "error" for p in self.items) + sum(
            1 for (_, sev, _) in self._more if sev == "error")


