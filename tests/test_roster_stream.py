"""The streaming CSV reader of rosters gives the same cells, problems and reports as list(csv.reader).

:func:`geo.roster.read._read_csv_columns` parses a batch of rows at a time into
deduplicated columns; these tests hold it to the plain reader it replaced
(``pd.DataFrame(list(csv.reader(io.StringIO(text, newline=""))))`` with short
rows padded), with batches and text blocks made tiny so every boundary is crossed.
"""

from __future__ import annotations

import csv
import io
import random

import pandas as pd
import pytest

from geo.roster import read as rd
from geo.roster import validate_roster
from geo.roster.problems import ProblemList


def _reference(raw: bytes, probs: ProblemList) -> pd.DataFrame | None:
    """The reader before streaming: every row as a list, then one frame."""
    text = rd._decode(raw, probs)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=rd._sniff_delimiter(text))
    try:
        table = list(reader)
    except csv.Error as err:
        probs.add(reader.line_num or None, None, f"malformed CSV: {err}")
        return None
    width = max(map(len, table), default=0)
    table = [r + [""] * (width - len(r)) for r in table]
    return pd.DataFrame(table, dtype=object)


@pytest.fixture
def tiny_batches(monkeypatch):
    monkeypatch.setattr(rd, "_BATCH_ROWS", 2)
    monkeypatch.setattr(rd, "_BLOCK_CHARS", 5)
    monkeypatch.setattr(rd, "_MAX_SHARED", 3)


CASES = [
    "commune_code,role\n03154,chief\n03154,officer\n",
    "a,b\r\nc,d\r\ne\r\n",                        # CRLF, a short row
    "a;b\rc;d;e;f\r\r",                           # CR only, a long row, blank lines
    'a,"multi\nline",c\nd,e\n',                   # a quoted newline crosses a line
    'a,"multi\r\nline",c\r\nd,e',                 # no final newline
    "x,y\n\n\n1,2\n",                             # empty rows stay (row numbers)
    "a,b\x0bc\n\x1cd,e\u2028f\n",                  # splitlines() breaks that StringIO keeps
    'a,"b\n',                                     # unterminated quote
    "Xã Mường Nhé\tTrưởng Công an xã\n" * 7,      # tab, diacritics, repeats
    'a,b"c,"d""e"\n1,2,3\n',                      # quotes inside and doubled
]


@pytest.mark.parametrize("text", CASES)
def test_streamed_cells_equal_the_plain_reader(text, tiny_batches):
    raw = text.encode("utf-8")
    p_ref, p_new = ProblemList("f.csv"), ProblemList("f.csv")
    ref, new = _reference(raw, p_ref), rd._read_csv_columns(raw, p_new)
    assert [str(p) for p in p_new.items] == [str(p) for p in p_ref.items]
    if ref is None:
        assert new is None
        return
    assert new.shape == ref.shape
    assert list(new.columns) == list(ref.columns)
    assert new.to_numpy().tolist() == ref.to_numpy().tolist()


def test_streamed_cells_equal_the_plain_reader_on_random_text(tiny_batches):
    rng = random.Random(7)
    pieces = ["a", "ô", "ư", ",", ";", "\t", '"', "\n", "\r", "\r\n", " ", "1", "\x0b", "\u2028"]
    for _ in range(1500):
        raw = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))).encode("utf-8")
        p_ref, p_new = ProblemList("f"), ProblemList("f")
        ref, new = _reference(raw, p_ref), rd._read_csv_columns(raw, p_new)
        assert [str(p) for p in p_new.items] == [str(p) for p in p_ref.items], raw
        assert (ref is None) == (new is None), raw
        if ref is not None:
            assert new.to_numpy().tolist() == ref.to_numpy().tolist(), raw


def test_repeated_values_are_one_string():
    raw = ("commune_code,role\n" + "03154,Công an viên\n" * 1000).encode("utf-8")
    cells = rd._read_csv_columns(raw, ProblemList("f"))
    roles = cells[1].to_numpy()[1:]
    assert len({id(v) for v in roles}) == 1


def test_head_lines_equals_splitlines():
    text = "".join(f"line {i}\r\n" if i % 3 else f"l{i}\n" for i in range(200_000))
    assert rd._head_lines(text, 50) == text.splitlines()[:50]
    assert rd._head_lines("a\nb", 50) == ["a", "b"]


def _messy_per_officer(n: int) -> bytes:
    """Per-officer rows with bad roles, yes/no, dates and codes past the per-kind cap."""
    rng = random.Random(3)
    lines = ["commune_code,role,trained,since,origin_unit"]
    codes = ["03154", "03157", "03160", "3163", "99999", "0315x", ""]
    roles = ["Công an viên", "chief", "deputy", "tăng cường", "sếp", ""]
    for _ in range(n):
        lines.append(",".join([rng.choice(codes), rng.choice(roles),
                               rng.choice(["có", "không", "maybe", ""]),
                               rng.choice(["01/02/2023", "2023-13-01", "", "31/12/2099"]),
                               rng.choice(["", "Bộ Công an"])]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_report_does_not_depend_on_batches(monkeypatch):
    raw = _messy_per_officer(4000)
    whole = validate_roster(raw, source_name="messy.csv", vintage="2020")
    monkeypatch.setattr(rd, "_BATCH_ROWS", 7)
    monkeypatch.setattr(rd, "_BLOCK_CHARS", 64)
    monkeypatch.setattr(rd, "_MAX_SHARED", 2)
    streamed = validate_roster(raw, source_name="messy.csv", vintage="2020")
    assert not whole.ok
    assert any("more problems of this kind" in p.message for p in whole.problems)
    assert [str(p) for p in streamed.problems] == [str(p) for p in whole.problems]


def test_report_equals_the_plain_readers(monkeypatch):
    raw = _messy_per_officer(3000)
    streamed = validate_roster(raw, source_name="messy.csv", vintage="2020")
    monkeypatch.setattr(rd, "_read_csv_columns", _reference)
    plain = validate_roster(raw, source_name="messy.csv", vintage="2020")
    assert len(plain.problems) > 1000
    assert [str(p) for p in streamed.problems] == [str(p) for p in plain.problems]
