"""Validation rules of a roster: which commune each row names, and what its counts must satisfy.

Per commune: counts are whole numbers 0–:data:`~geo.roster.columns.MAX_COUNT`
(reinforcements may be empty), ``as_of`` a date, at most one chief, no
commune twice; more trained than staff is a warning. Per officer: a known role
and yes/no ``trained`` per row, aggregated to the per-commune form, at most one
chief per commune. Both: a reinforcement outside the border communes is a
warning. Every check adds to one :class:`~geo.roster.problems.ProblemList`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from geo.matching import UnitMatcher
from geo.roster.columns import COUNT_COLUMNS, MAX_COUNT, ROLES
from geo.roster.problems import ProblemList
from geo.roster.values import (emit, future_dates, normalise_codes, on_uniques,
                               parse_count_columns, parse_dates, parse_roles, parse_yes_no)

#: Border commune codes, or a function returning them when first needed (or None: no check).
BorderCodes = set[str] | Callable[[], set[str] | None] | None


def resolve_communes(data: pd.DataFrame, rows: np.ndarray, headers: dict[str, str],
                      reg: UnitMatcher, probs: ProblemList) -> pd.Series:
    """Return the commune code of each data row (NaN where it cannot be resolved)."""
    n = len(data)
    empty = pd.Series([""] * n, index=data.index, dtype=object)
    code_raw = data["commune_code"] if "commune_code" in data else empty
    name_raw = data["commune_name"] if "commune_name" in data else empty
    dist_raw = data["district"] if "district" in data else empty
    out = pd.Series(np.nan, index=data.index, dtype=object)

    has_code = code_raw != ""
    code, well_formed = _objects_on_uniques(normalise_codes, code_raw)
    well_formed = well_formed.astype(bool)
    col = headers.get("commune_code")
    bad = has_code & ~well_formed
    bad_vals = code_raw[bad].to_numpy()
    probs.add_rows(rows[bad.to_numpy()], col,
                   lambda i: [f"{v!r} is not a 5-digit commune code" for v in bad_vals[i]],
                   kind="code-format")
    in_prov = well_formed & code.isin(reg.local_codes)
    in_nat = well_formed & ~in_prov & code.isin(reg.codes)
    nat_vals = code[in_nat].to_numpy()
    probs.add_rows(rows[in_nat.to_numpy()], col,
                   lambda i: [f"commune {reg.describe(c)} is outside {reg.province}"
                              for c in nat_vals[i]], kind="code-outside")
    unknown = well_formed & ~in_prov & ~in_nat
    unknown_vals = code[unknown].to_numpy()
    probs.add_rows(rows[unknown.to_numpy()], col,
                   lambda i: [f"unknown commune code {c} (not in the {reg.vintage} registry)"
                              for c in unknown_vals[i]], kind="code-unknown")
    out[in_prov] = code[in_prov]

    # Codes given with a name or district: cross-check once per distinct triple.
    check = in_prov & ((name_raw != "") | (dist_raw != ""))
    if check.any():
        triple = code[check] + "\x1f" + name_raw[check] + "\x1f" + dist_raw[check]
        verdict = {t: reg.check(*t.split("\x1f")) for t in triple.unique()}
        msg = triple.map(verdict)
        bad = msg.notna()
        bad_idx = msg.index[bad]
        bad_msg = msg[bad].to_numpy()
        probs.add_rows(rows[data.index.get_indexer(bad_idx)],
                       headers.get("commune_name") or headers.get("district"),
                       lambda i: bad_msg[i].tolist(), kind="name-mismatch")
        out[bad_idx] = np.nan

    # Names without a code: resolve once per distinct (name, district).
    by_name = ~has_code & (name_raw != "")
    if by_name.any():
        codes, reasons = reg.match_many(name_raw[by_name], dist_raw[by_name])
        out[codes.index] = codes
        bad = reasons.notna()
        bad_reasons = reasons[bad].to_numpy()
        probs.add_rows(rows[data.index.get_indexer(reasons.index[bad])],
                       headers.get("commune_name"), lambda i: bad_reasons[i].tolist(),
                       kind="name-unmatched")

    neither = ~has_code & (name_raw == "")
    if neither.any():
        probs.add_rows(rows[neither.to_numpy()], headers.get("commune_code")
                       or headers.get("commune_name"),
                       "no commune: commune_code (or commune_name) is empty",
                       kind="no-commune")
    return out



def validate_per_commune(data: pd.DataFrame, rows: np.ndarray, codes: pd.Series,
                          headers: dict[str, str], reg: UnitMatcher,
                          border_codes: BorderCodes, probs: ProblemList,
                          deferred: list | None = None) -> pd.DataFrame:
    parsed = parse_count_columns(data, COUNT_COLUMNS, empty_is_zero={"reinforcements"})
    counts = {c: parsed[c][0] for c in COUNT_COLUMNS}
    messages = {c: parsed[c][1] for c in COUNT_COLUMNS}
    # Cells are already stripped by _read_cells.
    all_empty = np.logical_and.reduce([(data[c] == "").to_numpy() for c in COUNT_COLUMNS])
    skipped = all_empty & codes.notna().to_numpy()
    if skipped.any():
        shown = ", ".join(map(str, rows[skipped][:20].tolist()))
        more = f" and {int(skipped.sum()) - 20} more" if skipped.sum() > 20 else ""
        probs.add(int(rows[skipped][0]), None,
                  f"{int(skipped.sum())} row(s) without any count skipped (rows {shown}{more})",
                  "warning")
    keep = ~all_empty
    for c in COUNT_COLUMNS:
        emit(probs, rows[keep], headers[c], messages[c][keep])
    as_of, date_msg = on_uniques(parse_dates)(data["as_of"])
    date_msg = date_msg.where(data["as_of"] != "",
                              "empty; write the date the counts hold (yyyy-mm-dd)")
    emit(probs, rows[keep], headers["as_of"], date_msg[keep])
    future_dates(probs, rows[keep], headers["as_of"], data["as_of"][keep], as_of[keep])

    chiefs = counts["chiefs"]
    many = keep & (chiefs > 1).to_numpy()
    many_vals = chiefs[many].to_numpy()
    probs.add_rows(rows[many], headers["chiefs"],
                   lambda i: [f"{int(v)} chiefs; a commune has at most one chief"
                              for v in many_vals[i]], kind="chiefs")

    valid_code = codes.notna().to_numpy() & keep
    dup = valid_code & codes.where(valid_code).duplicated(keep="first").to_numpy()
    if dup.any():
        firsts = ~dup & valid_code
        first_row = dict(zip(codes[firsts], rows[firsts].tolist()))
        dup_codes = codes[dup].to_numpy()
        probs.add_rows(rows[dup], headers.get("commune_code") or headers.get("commune_name"),
                       lambda i: [f"duplicate commune {c}: also in row {first_row[c]}"
                                  for c in dup_codes[i]], kind="duplicate")

    origin = data["reinforcement_origin"] if "reinforcement_origin" in data else pd.Series(
        "", index=data.index, dtype=object)
    frame = pd.DataFrame({"commune_code": codes, **counts,
                          "reinforcement_origin": origin, "as_of": as_of})
    frame["_row"] = rows
    frame = frame[keep]
    total = frame[["chiefs", "deputies", "officers", "reinforcements"]].sum(axis=1,
                                                                              skipna=False)
    over = frame["trained"] > total
    over_t, over_s = frame.loc[over, "trained"].to_numpy(), total[over].to_numpy()
    probs.add_rows(frame.loc[over, "_row"].to_numpy(), headers["trained"],
                   lambda i: [f"{int(t)} trained but only {int(s)} staff in the commune"
                              for t, s in zip(over_t[i], over_s[i])], "warning",
                   kind="trained-over")
    _check_borders(deferred, frame, reg, border_codes, headers.get("reinforcements"), probs)
    return frame


def validate_per_officer(data: pd.DataFrame, rows: np.ndarray, codes: pd.Series,
                          headers: dict[str, str], reg: UnitMatcher,
                          border_codes: BorderCodes, probs: ProblemList,
                          deferred: list | None = None) -> pd.DataFrame:
    # Parsed once per distinct value (a million rows hold a handful of roles and answers).
    role, role_msg = _objects_on_uniques(parse_roles, data["role"])
    emit(probs, rows, headers["role"], role_msg)
    del role_msg
    trained, trained_msg = on_uniques(parse_yes_no)(data["trained"])
    emit(probs, rows, headers["trained"], trained_msg)
    del trained_msg
    if "since" in data:
        since, since_msg = on_uniques(parse_dates)(data["since"])
        emit(probs, rows, headers["since"], since_msg)
        del since_msg
        future_dates(probs, rows, headers["since"], data["since"], since)
    else:
        since = pd.Series(np.nan, index=data.index, dtype=object)
    origin = data["origin_unit"] if "origin_unit" in data else pd.Series(
        "", index=data.index, dtype=object)

    good = (codes.notna() & role.notna()).to_numpy()
    # Every row good (a valid roster): views of the columns, not million-row copies.
    good = slice(None) if good.all() else good
    # Aggregated on integer group codes: no million-row frame, no group-by of a
    # million strings. Communes in code order, as a group-by would give them.
    code_g = codes.to_numpy(dtype=object)[good]
    role_g = role.to_numpy(dtype=object)[good]
    del role
    rows_g = np.asarray(rows)[good]
    ci, uniq = pd.factorize(code_g, sort=True)
    n = len(uniq)
    tally = _tally(pd.Series(code_g[:0], dtype=object), pd.Series(role_g, dtype=object,
                                                                   copy=False),
                   factorized=(ci, uniq))
    frame = pd.DataFrame({
        "commune_code": tally.index.astype(str),
        "chiefs": tally["chief"].to_numpy(),
        "deputies": tally["deputy"].to_numpy(),
        "officers": tally["officer"].to_numpy(),
        "reinforcements": tally["reinforcement"].to_numpy(),
    })
    frame["trained"] = np.bincount(ci, weights=trained.fillna(0).to_numpy()[good],
                                   minlength=n).astype("int64")
    # Latest date: ISO text sorts like dates, so the largest sorted code is the max.
    si, s_uniq = pd.factorize(since.to_numpy(dtype=object)[good], sort=True)
    latest = np.full(n, -1, dtype=np.int64)
    np.maximum.at(latest, ci, si)
    as_of = np.asarray(s_uniq, dtype=object)[np.maximum(latest, 0)] if len(s_uniq) else \
        np.full(n, np.nan, dtype=object)
    frame["as_of"] = np.where(latest >= 0, as_of, np.nan)
    origin_g = origin.to_numpy(dtype=object)[good]
    is_reinf = role_g == "reinforcement"
    with_origin = is_reinf & (origin_g != "")
    origins = pd.Series(origin_g[with_origin]).groupby(code_g[with_origin]).agg(
        lambda s: "; ".join(sorted(set(s))))
    frame["reinforcement_origin"] = frame["commune_code"].map(origins).to_numpy()
    first_row = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_row, ci, rows_g.astype(np.int64))
    frame["_row"] = first_row

    # At most one chief per commune: report once, at the second chief's row.
    is_chief = role_g == "chief"
    multi = pd.Series(rows_g[is_chief]).groupby(code_g[is_chief]).agg(list)
    multi = multi[multi.map(len) > 1]
    for c, rs in multi.items():
        rs = sorted(rs)
        probs.add(rs[1], headers["role"],
                  f"commune {c} has {len(rs)} chiefs (rows {', '.join(map(str, rs))}); "
                  "a commune has at most one chief")
    for c in COUNT_COLUMNS:
        over = frame[c] > MAX_COUNT
        for code_, r, v in zip(frame.loc[over, "commune_code"], frame.loc[over, "_row"],
                               frame.loc[over, c]):
            probs.add(r, headers["role"] if c != "trained" else headers["trained"],
                      f"commune {code_} has {v:,} {c}, more than {MAX_COUNT:,}")
    first_reinf = pd.Series(rows_g[is_reinf]).groupby(code_g[is_reinf]).min()
    at_reinf = frame.assign(_row=frame["commune_code"].map(first_reinf)
                            .fillna(frame["_row"]).to_numpy())
    del code_g, role_g, rows_g, origin_g, ci, si
    _check_borders(deferred, at_reinf, reg, border_codes, headers["role"], probs)
    return frame


def _objects_on_uniques(fn, values: pd.Series) -> tuple[pd.Series, ...]:
    """``fn`` run once per distinct value, its results spread back as object columns.

    Like :func:`~geo.roster.values.on_uniques`, but each result is an object
    array of the few distinct results (a pointer a row), never Arrow text that
    every comparison and group-by would copy out as a million new strings.
    """
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    results = fn(pd.Series(uniques, dtype=object))
    return tuple(pd.Series(r.to_numpy(dtype=object)[codes], index=values.index, dtype=object)
                 for r in results)


def _tally(codes: pd.Series, roles: pd.Series, *, factorized=None) -> pd.DataFrame:
    """People per commune (rows, in code order) and role (columns :data:`ROLES`).

    ``pd.crosstab(codes, roles)`` reindexed to the roles, counted with one
    ``bincount`` instead of a pivot table of the million rows. ``factorized``:
    ``pd.factorize(codes, sort=True)`` when the caller has it already.
    """
    ci, uniq = (factorized if factorized is not None
                else pd.factorize(codes.to_numpy(dtype=object), sort=True))
    # Roles mapped once per distinct role (a handful), then spread as small integers:
    # no million-row hash lookups or object temporaries.
    rcodes, r_uniq = pd.factorize(roles.to_numpy(dtype=object))
    lut = np.array([ROLES.index(r) for r in r_uniq], dtype=np.int64)
    cell = np.multiply(ci, len(ROLES), dtype=np.int64)
    if len(lut):
        np.take(lut, rcodes, out=rcodes)  # in place: no second row-sized array
    cell += rcodes
    del rcodes
    counts = np.bincount(cell, minlength=len(uniq) * len(ROLES))
    del cell
    return pd.DataFrame(counts.reshape(-1, len(ROLES)).astype(np.int64),
                        index=pd.Index(uniq, dtype=object, name=codes.name),
                        columns=list(ROLES))


def _check_borders(deferred: list | None, *args) -> None:
    """Run the border check now, or append it to ``deferred`` (the last check of a validation).

    Deferred, the caller runs it once it has dropped its row-sized columns: the
    border analysis then does not stack on a million rows. Nothing is added to
    the problems in between, so their order is the same.
    """
    if deferred is None:
        _border_warning(*args)
    else:
        deferred.append(lambda: _border_warning(*args))


def _border_warning(frame: pd.DataFrame, reg: UnitMatcher, border_codes: BorderCodes,
                    column: str | None, probs: ProblemList) -> None:
    if callable(border_codes):
        border_codes = border_codes()
    if border_codes is None:
        return
    border = {str(c).zfill(5) for c in border_codes}
    flag = frame["commune_code"].notna() & (frame["reinforcements"] > 0) & ~frame[
        "commune_code"].isin(border)
    flag_codes = frame.loc[flag, "commune_code"].to_numpy()
    flag_n = frame.loc[flag, "reinforcements"].to_numpy()
    probs.add_rows(frame.loc[flag, "_row"].to_numpy().astype("int64"), column,
                   lambda i: [f"{int(n)} reinforcement(s) in {reg.describe(c)}, which "
                              "is not a border commune" for c, n in zip(flag_codes[i], flag_n[i])],
                   "warning", kind="border")


