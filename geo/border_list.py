"""Official border-commune lists: read and check a list file, and let it decide the flags.

The government publishes which communes are border communes (the annex of the
decree on the land border area lists them per province). A list file names
them, for one province on one administrative map (2020 or 2025):

``commune_code`` (or ``ma_xa``)
    The GSO 5-digit code; or ``commune_name`` with ``district`` (2020 map).
``country`` (optional)
    ``LAO`` / ``CHN`` / ``KHM`` or ``Lào`` / ``Trung Quốc`` / ``Campuchia``
    (several separated by ``;``); empty: the computed countries are used.
``source`` (optional)
    Where the list comes from (e.g. the decree number).

:func:`validate_border_list` reads the file the way a roster is read
(:func:`geo.roster.read.read_cells`, the same bounded pre-parse checks), names
each row's commune through the one matcher (:mod:`geo.matching`) and reports
every problem at once with its row and column (:class:`geo.roster.Problem`);
a file with any error yields no list. :func:`apply_border_list` makes a loaded
list decide ``is_border`` while the computed columns stay beside it, and marks
every disagreement.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from geo._errors import RegistryError
from geo._text import fold
from geo.matching import unit_matcher
from geo.registry import find_province, province_name
from geo.roster.problems import Problem, ProblemList, ProblemReport
from geo.roster.read import read_cells, read_source
from geo.roster.rules import resolve_communes
from geo.roster.values import normalise_codes, on_uniques
from geo.settings import DEFAULT_PROVINCE, VINTAGES

log = logging.getLogger(__name__)

#: Columns of an accepted list.
LIST_COLUMNS = ("commune_code", "country", "source")
#: Disagreement labels (``border_disagreement`` column).
LISTED_INTERIOR = "listed but computed interior"
COMPUTED_UNLISTED = "computed border but not listed"
#: Source label of computed flags (``border_source`` column and attribute).
COMPUTED_SOURCE = "computed"

# Header aliases, matched after fold() (lower case, no diacritics, no spaces/_).
_ALIASES = {
    "commune_code": ("communecode", "code", "maxa", "madonvi", "madvhc", "wardcode"),
    "commune_name": ("communename", "commune", "tenxa", "xa", "xaphuong", "tendonvi", "ward",
                     "wardname"),
    "district": ("district", "districtname", "huyen", "tenhuyen"),
    "country": ("country", "countries", "quocgia", "nuoc", "giapvoi", "biengioi"),
    "source": ("source", "nguon", "cancu", "vanban", "quyetdinh", "nghidinh"),
}
_IGNORED = frozenset({"note", "notes", "ghichu", "stt", "no", "tt"})
_COUNTRY_WORDS = {
    "lao": "LAO", "laos": "LAO", "chn": "CHN", "china": "CHN", "trungquoc": "CHN",
    "khm": "KHM", "cambodia": "KHM", "campuchia": "KHM", "camphuchia": "KHM",
}


@dataclass
class BorderListReport(ProblemReport):
    """The outcome of :func:`validate_border_list` (problems as in a roster report).

    Attributes
    ----------
    problems : list of Problem
        Every error and warning, sorted by row (the header is row 1).
    listed : pandas.DataFrame or None
        The accepted list (columns :data:`LIST_COLUMNS`), ``None`` on any error.
    n_rows : int
        Non-empty data rows read.
    sha256, source_name : str
        Digest of the file's bytes and its name as shown in problems.
    province, vintage : str
        What the file was checked against (``province`` is the 2-digit code).
    """

    problems: list[Problem]
    listed: pd.DataFrame | None
    n_rows: int
    sha256: str
    source_name: str
    province: str
    vintage: str

    @property
    def ok(self) -> bool:
        """True when there is no error and a list was produced."""
        return not self.errors and self.listed is not None


def parse_countries(text: object) -> str | None:
    """Return ``"CHN;LAO"`` for ``"Lào; Trung Quốc"``, ``""`` for empty, None if unknown.

    Examples
    --------
    >>> parse_countries("Lào, Trung Quốc"), parse_countries(""), parse_countries("Thái Lan")
    ('CHN;LAO', '', None)
    """
    parts = [p for p in re.split(r"[;,/+]| và | and ", str(text or "")) if p.strip()]
    found = [_COUNTRY_WORDS.get(fold(p)) for p in parts]
    if any(f is None for f in found):
        return None
    return ";".join(sorted(set(found)))  # type: ignore[arg-type]


def _map_header(header: list[str], row: int, probs: ProblemList) -> dict[str, int]:
    positions: dict[str, int] = {}
    for i, h in enumerate(header):
        if not h:
            continue
        f = fold(h)
        canon = next((c for c, names in _ALIASES.items() if f in names), None)
        if canon is None:
            if f not in _IGNORED:
                probs.add(row, h, "unknown column ignored", "warning")
            continue
        if canon in positions:
            probs.add(row, h, f"column {canon} appears twice")
            continue
        positions[canon] = i
    return positions


def _other_map(data: pd.DataFrame, rows: np.ndarray, headers: dict[str, str],
               province: str, vintage: str, probs: ProblemList) -> None:
    """Report codes and names that belong to the other map (and mute the generic errors)."""
    other = next(v for v in VINTAGES if v != vintage)
    here = unit_matcher(province, vintage=vintage)
    there = unit_matcher(province, vintage=other)
    if "commune_code" in data:
        code, ok = on_uniques(normalise_codes)(data["commune_code"])
        hit = (ok.astype(bool) & ~code.isin(here.codes) & code.isin(there.codes)).to_numpy()
        col = headers["commune_code"]
        for r, c in zip(rows[hit], code[hit]):
            probs.add(int(r), col, f"commune code {c} is on the {other} map "
                      f"({there.describe(c)}), not the {vintage} map; load this list for the "
                      f"{other} map")
        probs.mute(col, rows[hit])
    if "commune_name" in data:
        has_code = (data["commune_code"] != "") if "commune_code" in data else False
        by_name = ((data["commune_name"] != "") & ~has_code).to_numpy()
        dist = data["district"] if "district" in data else pd.Series("", index=data.index)
        col = headers["commune_name"]
        hit = []
        for r, name, d in zip(rows[by_name], data["commune_name"][by_name], dist[by_name]):
            if here.match(name, d).code is None and there.match(name, "").code is not None:
                probs.add(int(r), col, f"commune {name!r} is a unit of the {other} map "
                          f"({there.describe(there.match(name, '').code)}), not of the "
                          f"{vintage} map; load this list for the {other} map")
                hit.append(int(r))
        probs.mute(col, np.asarray(hit, dtype=np.int64))


def validate_border_list(path_or_bytes: str | Path | bytes | BinaryIO, *,
                         source_name: str | None = None, province: str = DEFAULT_PROVINCE,
                         vintage: str = "2025", sheet: str | None = None
                         ) -> BorderListReport:
    r"""Read and check an official border-commune list, reporting every problem at once.

    Parameters
    ----------
    path_or_bytes : str, Path, bytes or binary file object
        CSV (UTF-8, UTF-16/32 with BOM or Windows-1258) or XLSX.
    source_name : str, optional
        Name shown in problems; default the file name.
    province : str
        Province name or code.
    vintage : {"2020", "2025"}
        The map the list is keyed to; codes and names of the other map are errors
        that say so.
    sheet : str, optional
        XLSX sheet (default the first).

    Returns
    -------
    BorderListReport
        ``listed`` is ``None`` if there is any error. Bad content never raises.

    Raises
    ------
    RegistryError
        Unknown province or map.

    Examples
    --------
    >>> rep = validate_border_list(b"commune_code,country\n03154,LAO;CHN\n", vintage="2020")
    >>> rep.ok, rep.listed["country"].tolist()
    (True, ['CHN;LAO'])
    """
    vintage = str(vintage)
    if vintage not in VINTAGES:
        raise RegistryError(f"vintage must be one of {', '.join(VINTAGES)}, not {vintage!r}")
    code = find_province(province, vintage=vintage)
    raw, name, unreadable = read_source(path_or_bytes, source_name)
    probs = ProblemList(name)
    digest = hashlib.sha256(raw).hexdigest() if raw is not None else ""

    def report(n_rows: int = 0, listed: pd.DataFrame | None = None) -> BorderListReport:
        rep = BorderListReport(probs.finish(), None if probs.n_errors else listed, n_rows,
                               digest, name, code, vintage)
        log.info("border list %s: %d rows, %d listed, %d errors, %d warnings", name, n_rows,
                 0 if rep.listed is None else len(rep.listed), len(rep.errors),
                 len(rep.warnings))
        return rep

    if unreadable:
        probs.add(None, None, unreadable)
        return report()
    got = read_cells(raw, sheet, probs)  # type: ignore[arg-type]
    if got is None:
        return report()
    cells, _ = got
    keys = set(_ALIASES["commune_code"]) | set(_ALIASES["commune_name"])
    nonempty = np.flatnonzero((cells != "").any(axis=1).to_numpy())
    at = next((int(i) for i in nonempty[:10]
               if any(fold(v) in keys for v in cells.iloc[i].tolist())),
              int(nonempty[0]) if len(nonempty) else 0)
    header = cells.iloc[at].tolist()
    positions = _map_header(header, at + 1, probs)
    headers = {c: header[i] for c, i in positions.items()}
    if "commune_code" not in positions and "commune_name" not in positions:
        probs.add(at + 1, "commune_code (or commune_name)",
                  "missing required column commune_code (or commune_name)")
    body = cells.iloc[at + 1:]
    rows = np.arange(at + 2, len(cells) + 1)
    keep = (body != "").any(axis=1).to_numpy()
    body, rows = body[keep], rows[keep]
    if len(body) == 0:
        probs.add(None, None, "no data rows under the header")
    if probs.n_errors:
        return report(len(body))
    data = pd.DataFrame({c: body[i].to_numpy() for c, i in positions.items()},
                        index=range(len(body)), dtype=object)
    reg = unit_matcher(code, vintage=vintage)
    _other_map(data, rows, headers, code, vintage, probs)
    codes = resolve_communes(data, rows, headers, reg, probs)
    dup = codes.notna() & codes.duplicated(keep=False)
    if dup.any():
        seen: dict[str, int] = {}
        for i in np.flatnonzero(dup.to_numpy()):
            c = codes.iloc[i]
            if c in seen:
                probs.add(int(rows[i]), headers.get("commune_code") or headers["commune_name"],
                          f"commune {reg.describe(c)} is listed twice (rows {seen[c]} and "
                          f"{int(rows[i])})")
            else:
                seen[c] = int(rows[i])
    countries = pd.Series("", index=data.index, dtype=object)
    if "country" in data:
        parsed = data["country"].map(parse_countries)
        bad = parsed.isna().to_numpy()
        for r, v in zip(rows[bad], data["country"][bad]):
            probs.add(int(r), headers["country"], f"{v!r} is not a border country; write "
                      "LAO, CHN or KHM (Lào, Trung Quốc, Campuchia)")
        countries = parsed.fillna("")
    if probs.n_errors:
        return report(len(data))
    listed = pd.DataFrame({
        "commune_code": codes.astype(str).to_numpy(),
        "country": countries.astype(str).to_numpy(),
        "source": (data["source"] if "source" in data else pd.Series("", index=data.index)
                   ).astype(str).to_numpy()}).sort_values("commune_code", ignore_index=True)
    return report(len(data), listed)


def border_list_template(*, province: str = DEFAULT_PROVINCE, vintage: str = "2025") -> str:
    """Return a CSV template (header and two example rows of the province) to fill in."""
    reg = unit_matcher(province, vintage=vintage)
    units = reg.units.head(2)
    lines = ["commune_code,commune_name,country,source"]
    lines += [f"{c},{n},LAO,<decree number>" for c, n in zip(units["code"], units["name"])]
    return "\n".join(lines) + "\n"


def apply_border_list(flagged: pd.DataFrame, listed: pd.DataFrame | None, *,
                      label: str = "") -> pd.DataFrame:
    """Return ``flagged`` with the flags in use and, with a list, its disagreements.

    Parameters
    ----------
    flagged : DataFrame
        Communes with the computed ``border_countries``.
    listed : DataFrame or None
        An accepted list (:data:`LIST_COLUMNS`) of the same province and map, or
        ``None`` (the computed flags decide).
    label : str
        How the list is named in ``border_source`` (e.g. its source and version).

    Returns
    -------
    Same type as ``flagged``
        A new frame with ``is_border`` (the flag in use), ``border_listed`` (bool,
        or None without a list), ``listed_countries`` (the list's country column,
        ``""`` when not given), ``border_disagreement`` (:data:`LISTED_INTERIOR`,
        :data:`COMPUTED_UNLISTED` or ``""``) and ``border_source``; the same in
        ``attrs`` (``border_source``, ``border_disagreements``).
    """
    out = flagged.copy()
    computed = (out["border_countries"].fillna("") != "").to_numpy()
    if listed is None:
        out["is_border"] = computed
        out["border_listed"] = pd.Series([None] * len(out), index=out.index, dtype=object)
        out["listed_countries"] = ""
        out["border_disagreement"] = ""
        source = COMPUTED_SOURCE
    else:
        by_code = listed.set_index("commune_code")["country"]
        is_listed = out["code"].astype(str).isin(by_code.index).to_numpy()
        out["is_border"] = is_listed
        out["border_listed"] = pd.Series(is_listed, index=out.index, dtype=object)
        out["listed_countries"] = out["code"].astype(str).map(by_code).fillna("").to_numpy()
        out["border_disagreement"] = np.where(
            is_listed & ~computed, LISTED_INTERIOR,
            np.where(computed & ~is_listed, COMPUTED_UNLISTED, ""))
        source = f"official list {label}".strip()
    out["border_source"] = source
    out.attrs["border_source"] = source
    out.attrs["border_disagreements"] = disagreements(out).to_dict("records")
    log.info("border flags (%s): %d border of %d, %d disagreements", source,
             int(out["is_border"].sum()), len(out), len(out.attrs["border_disagreements"]))
    return out


def disagreements(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``code, name, district, border_countries, border_disagreement`` of the disagreements."""
    if "border_disagreement" not in frame:
        return pd.DataFrame(columns=["code", "name", "district", "border_countries",
                                     "border_disagreement"])
    cols = [c for c in ("code", "name", "district", "border_countries", "border_disagreement")
            if c in frame]
    return pd.DataFrame(frame.loc[frame["border_disagreement"] != "", cols]).reset_index(
        drop=True)


def list_label(source_name: str, version: int, sources: pd.Series | None = None) -> str:
    """Return ``"<decree> (file.csv, version 3)"``: how a stored list is named."""
    given = sorted({s for s in (sources if sources is not None else []) if s})
    first = f"{'; '.join(given[:2])} " if given else ""
    return f"{first}({source_name}, version {version})"


def province_label(code: str, vintage: str) -> str:
    """Return the province's name for messages."""
    return province_name(code, vintage=vintage)


def countries_in_use(frame: pd.DataFrame) -> pd.Series:
    """Return the border countries the flags in use give each commune (``""``: not border).

    With a list loaded, a listed commune has the list's countries (the computed
    ones when the list gives none; ``""`` is still a border commune, see
    :func:`border_in_use`) and an unlisted one none; without a list the
    computed countries.
    """
    computed = frame["border_countries"].fillna("").astype(str)
    if "is_border" not in frame:
        return computed
    listed = frame["listed_countries"].fillna("").astype(str) if "listed_countries" in frame \
        else pd.Series("", index=frame.index)
    chosen = listed.where(listed != "", computed)
    return chosen.where(frame["is_border"].astype(bool), "")


def border_in_use(frame: pd.DataFrame) -> np.ndarray:
    """Return the border flag in use: ``is_border`` when present, else the computed one."""
    if "is_border" in frame:
        return frame["is_border"].astype(bool).to_numpy()
    return (frame["border_countries"].fillna("") != "").to_numpy()


def apply_province_lists(flagged, in_force) -> pd.DataFrame:
    """Apply to each province of ``flagged`` its list in force (:func:`apply_border_list`).

    ``in_force(province_code)`` returns ``(list frame, label)`` or ``None``
    (the computed flags decide). ``attrs`` joins the provinces' sources and
    disagreements.
    """
    if flagged.empty or "province_code" not in flagged:
        return apply_border_list(flagged, None)
    groups = list(flagged.groupby("province_code", sort=False))
    lists = [in_force(str(code)) for code, _ in groups]
    if all(got is None for got in lists):  # no list in force: the computed flags, in one go
        return apply_border_list(flagged, None)
    parts = [apply_border_list(part, None if got is None else got[0],
                               label="" if got is None else got[1])
             for (_, part), got in zip(groups, lists)]
    if len(parts) == 1:
        return parts[0]
    out = pd.concat(parts).loc[flagged.index]
    out.attrs.update(flagged.attrs)
    out.attrs["border_source"] = "; ".join(sorted({p.attrs["border_source"] for p in parts}))
    out.attrs["border_disagreements"] = [d for p in parts for d in p.attrs["border_disagreements"]]
    return out
