"""Property-based tests of the roster parser: accept with totals preserved, or reject with a
message — never crash."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from geo.registry import load_units
from geo.roster import COUNT_COLUMNS, MAX_COUNT, ROSTER_COLUMNS, validate_roster

CODES = sorted(load_units("2020", province="Điện Biên")["code"])
assert len(CODES) == 129

_COMMON = dict(deadline=None, derandomize=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: Every run checks each property on a few derandomized examples; the ``slow`` runs
#: (the full suite) check 60 more (each validation takes ~0.1–0.3 s).
QUICK = settings(max_examples=12, **_COMMON)
THOROUGH = settings(max_examples=60, **_COMMON)


def _quick_and_thorough(*strategies):
    """Return (quick test, thorough ``slow`` test) of one property body."""
    def build(body):
        return (QUICK(given(*strategies)(body)),
                pytest.mark.slow(THOROUGH(given(*strategies)(body))))
    return build
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1258")
HEADER = ["commune_code", "chiefs", "deputies", "officers", "reinforcements", "trained", "as_of"]


def _check_report(report, name: str) -> None:
    """What every report must satisfy, accepted or not."""
    if report.ok:
        roster = report.roster
        assert list(roster.columns) == list(ROSTER_COLUMNS)
        assert roster["commune_code"].is_unique
        assert roster["commune_code"].isin(CODES).all()
        for c in COUNT_COLUMNS:
            values = roster[c].to_numpy()
            assert values.dtype == np.int64 and (values >= 0).all() and (values <= MAX_COUNT).all()
    else:
        assert report.roster is None and report.errors
        for p in report.errors:
            assert p.file == name and p.message.strip()
            assert p.row is None or p.row >= 1


@st.composite
def rosters(draw):
    """A per-commune roster file with known totals, in one of the accepted dialects."""
    codes = draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=15, unique=True))
    rows = []
    for code in codes:
        counts = {
            "chiefs": draw(st.integers(0, 1)),
            "deputies": draw(st.integers(0, 3)),
            "officers": draw(st.integers(0, MAX_COUNT)),
            "reinforcements": draw(st.integers(0, 200)),
        }
        counts["trained"] = draw(st.integers(0, min(MAX_COUNT, counts["chiefs"]
                                                    + counts["deputies"] + counts["officers"])))
        day = draw(st.dates(dt.date(2015, 1, 1), dt.date(2024, 12, 31)))
        rows.append((code, counts, day))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    encoding = draw(st.sampled_from(ENCODINGS))
    order = draw(st.permutations(HEADER))

    def cell(col, code, counts, day):
        if col == "commune_code":
            return code
        if col == "as_of":
            return day.isoformat() if draw(st.booleans()) else day.strftime("%d/%m/%Y")
        n = counts[col]
        return draw(st.sampled_from([str(n), f" {n} ", f"{n}.0"]))

    lines = [sep.join(order)] + [sep.join(cell(c, *r) for c in order) for r in rows]
    text = "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n"]))
    return text.encode(encoding), rows


def _generated_rosters_are_accepted_with_totals_preserved(case):
    data, rows = case
    report = validate_roster(data, source_name="gen.csv")
    _check_report(report, "gen.csv")
    assert report.ok, [str(p) for p in report.errors]
    roster = report.roster.set_index("commune_code")
    assert sorted(roster.index) == sorted(code for code, _, _ in rows)
    for col in COUNT_COLUMNS:
        assert int(roster[col].sum()) == sum(c[col] for _, c, _ in rows), col
    for code, counts, day in rows:
        assert roster.loc[code, "officers"] == counts["officers"]
        assert roster.loc[code, "as_of"] == day.isoformat()


(test_generated_rosters_are_accepted_with_totals_preserved,
 test_generated_rosters_are_accepted_with_totals_preserved_thorough) = _quick_and_thorough(
    rosters())(_generated_rosters_are_accepted_with_totals_preserved)


MUTATIONS = st.lists(st.tuples(st.sampled_from(["insert", "delete", "replace", "dup-line"]),
                               st.floats(0, 1), st.binary(min_size=1, max_size=8)),
                     min_size=1, max_size=6)


def _mutate(data: bytes, ops) -> bytes:
    buf = bytearray(data)
    for op, where, junk in ops:
        i = int(where * len(buf))
        if op == "insert":
            buf[i:i] = junk
        elif op == "delete":
            del buf[i:i + len(junk)]
        elif op == "replace":
            buf[i:i + len(junk)] = junk
        else:
            lines = bytes(buf).split(b"\n")
            k = int(where * (len(lines) - 1))
            lines.insert(k, lines[k])
            buf = bytearray(b"\n".join(lines))
    return bytes(buf)


def _mutated_rosters_are_accepted_sanely_or_rejected_with_a_message(case, ops):
    data, _ = case
    mutated = _mutate(data, ops)
    assume(mutated != data)
    _check_report(validate_roster(mutated, source_name="mut.csv"), "mut.csv")


(test_mutated_rosters_are_accepted_sanely_or_rejected_with_a_message,
 test_mutated_rosters_are_accepted_sanely_or_rejected_with_a_message_thorough) = \
    _quick_and_thorough(rosters(), MUTATIONS)(
        _mutated_rosters_are_accepted_sanely_or_rejected_with_a_message)


def _arbitrary_bytes_never_crash(data):
    _check_report(validate_roster(data, source_name="junk.csv"), "junk.csv")


test_arbitrary_bytes_never_crash, test_arbitrary_bytes_never_crash_thorough = \
    _quick_and_thorough(st.binary(max_size=3000))(_arbitrary_bytes_never_crash)


def _any_count_cell_is_a_whole_number_or_a_named_error(cell):
    assume("," not in cell and "\n" not in cell and "\r" not in cell and '"' not in cell)
    data = ("commune_code,chiefs,deputies,officers,reinforcements,trained,as_of\n"
            f"03154,1,1,{cell},0,0,2024-01-01\n").encode()
    report = validate_roster(data, source_name="cell.csv")
    _check_report(report, "cell.csv")
    if report.ok:
        text = "".join(cell.split())
        assert report.roster["officers"].iloc[0] == int(float(text.lstrip("+")))
    else:
        # the cell is named, or the whole file is refused (a NUL byte makes it "binary")
        assert any((p.column == "officers" and p.row == 2) or p.row is None
                   for p in report.errors), [str(p) for p in report.errors]


(test_any_count_cell_is_a_whole_number_or_a_named_error,
 test_any_count_cell_is_a_whole_number_or_a_named_error_thorough) = _quick_and_thorough(
    st.text(max_size=40))(_any_count_cell_is_a_whole_number_or_a_named_error)


@pytest.mark.parametrize("text, value", [("7", 7), (" 7 ", 7), ("+7", 7), ("7.0", 7)])
def test_count_cell_known_answers(text, value):
    """Anchors the property above: these spellings are accepted as the same number."""
    data = ("commune_code,chiefs,deputies,officers,reinforcements,trained,as_of\n"
            f"03154,1,1,{text},0,0,2024-01-01\n").encode()
    report = validate_roster(data, source_name="cell.csv")
    assert report.ok and report.roster["officers"].iloc[0] == value
