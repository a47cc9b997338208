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
from pathlib import Path

import pandas as pd
import pytest

from geo.roster import read as rd
from geo.roster import validate_roster
from geo.roster.problems import ProblemList


def _reference(raw: bytes, probs: ProblemList) -> tuple[pd.DataFrame, bool] | None:
    """The reader before streaming: every row as a list, then one frame, then stripped."""
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
    cells = pd.DataFrame(table, dtype=object)
    any_text = bool((cells != "").to_numpy().any())
    return cells.map(str.strip) if not cells.empty else cells, any_text


@pytest.fixture
def tiny_batches(monkeypatch):
    monkeypatch.setattr(rd, "_BATCH_ROWS", 2)
    monkeypatch.setattr(rd, "_BLOCK_CHARS", 5)
    monkeypatch.setattr(rd, "_MAX_SHARED", 3)
    monkeypatch.setattr(rd, "_DECODE_BYTES", 3)


CASES = [
    "commune_code,role\n03154,chief\n03154,officer\n",
    "a,b\r\nc,d\r\ne\r\n",                        # CRLF, a short row
    "a;b\rc;d;e;f\r\r",                           # CR only, a long row, blank lines
    'a,"multi\nline",c\nd,e\n',                   # a quoted newline crosses a line
    'a,"multi\r\nline",c\r\nd,e',                 # no final newline
    "x,y\n\n\n1,2\n",                             # empty rows stay (row numbers)
    "a,b\x0bc\n\x1cd,e\u2028f\n",                  # splitlines() breaks that StringIO keeps
    " , \n\t\n",                                  # blanks only: stripped to nothing
    "  commune_code , role \n 03154 ,chief\n",     # cells are stripped
    'a,"b\n',                                     # unterminated quote
    "Xã Mường Nhé\tTrưởng Công an xã\n" * 7,      # tab, diacritics, repeats
    'a,b"c,"d""e"\n1,2,3\n',                      # quotes inside and doubled
    "\ufeffcode;role\n" + "03154;Công an viên\n" * 60,   # BOM, 61 lines: sniffed on the head
    "x\n" * 55 + "a;b;c\n" * 30,                  # the sniffer sees the first 50 lines only
    "Cong an vie\u0302n,x\n" * 3,                 # decomposed: NFC per block
]


def _same(raw: bytes) -> None:
    p_ref, p_new = ProblemList("f.csv"), ProblemList("f.csv")
    ref, new = _reference(raw, p_ref), rd._read_csv_columns(raw, p_new)
    assert [str(p) for p in p_new.items] == [str(p) for p in p_ref.items], raw
    assert (ref is None) == (new is None), raw
    if ref is None:
        return
    (ref_cells, ref_text), (new_cells, new_text) = ref, new
    assert new_text == ref_text, raw
    assert new_cells.shape == ref_cells.shape, raw
    assert list(new_cells.columns) == list(ref_cells.columns), raw
    assert new_cells.to_numpy().tolist() == ref_cells.to_numpy().tolist(), raw


@pytest.mark.parametrize("text", CASES)
def test_streamed_cells_equal_the_plain_reader(text, tiny_batches):
    _same(text.encode("utf-8"))


def test_streamed_cells_equal_the_plain_reader_on_random_text(tiny_batches):
    rng = random.Random(7)
    pieces = ["a", "ô", "ư", ",", ";", "\t", '"', "\n", "\r", "\r\n", " ", "1", "\x0b",
              "\u2028", "  x ", "\t "]
    for _ in range(1500):
        _same("".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))).encode("utf-8"))


def test_repeated_values_are_one_string():
    raw = ("commune_code,role\n" + "03154,Công an viên\n" * 1000).encode("utf-8")
    cells, _ = rd._read_csv_columns(raw, ProblemList("f"))
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


def test_tally_equals_crosstab():
    from geo.roster.columns import ROLES
    from geo.roster.rules import _tally

    rng = random.Random(5)
    codes = pd.Series([rng.choice(["03154", "03157", "00715"]) for _ in range(500)],
                      dtype=object, name="commune_code")
    roles = pd.Series([rng.choice(["chief", "officer", "reinforcement"]) for _ in range(500)],
                      dtype=object, name="role")
    expected = pd.crosstab(codes, roles).reindex(columns=list(ROLES), fill_value=0)
    got = _tally(codes, roles)
    assert got.index.tolist() == expected.index.tolist()
    assert got.to_numpy().tolist() == expected.to_numpy().tolist()
    assert got["deputy"].sum() == 0
    assert _tally(codes[:0], roles[:0]).shape == (0, len(ROLES))


def test_per_officer_aggregation_equals_a_plain_group_by(tmp_path):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.bench_roster import make_roster

    path = make_roster(tmp_path / "officers.csv", 3000, seed=11)
    report = validate_roster(path, vintage="2020")
    assert report.ok, report.to_frame().head()
    people = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    role = people["role"].map({"Trưởng Công an xã": "chiefs", "Phó Trưởng Công an xã": "deputies",
                               "Công an viên": "officers", "tăng cường": "reinforcements"})
    counts = pd.crosstab(people["commune_code"], role)
    since = pd.to_datetime(people["since"], format="%d/%m/%Y").dt.strftime("%Y-%m-%d")
    got = report.roster.set_index("commune_code")
    assert got.index.tolist() == sorted(counts.index)
    for col in ("chiefs", "deputies", "officers", "reinforcements"):
        assert got[col].tolist() == counts[col].reindex(got.index, fill_value=0).tolist(), col
    trained = (people["trained"] == "có").groupby(people["commune_code"]).sum()
    assert got["trained"].tolist() == trained.reindex(got.index).tolist()
    assert got["as_of"].tolist() == since.groupby(people["commune_code"]).max().reindex(
        got.index).tolist()
    has = got["reinforcements"] > 0
    assert (got.loc[has, "reinforcement_origin"] == "Bộ Công an (synthetic)").all()
    assert got.loc[~has, "reinforcement_origin"].isna().all()


@pytest.mark.parametrize("raw", [
    "commune_code;role\n03154;Công an viên\n".encode("cp1258"),        # Windows-1258
    "commune_code,role\n03154,Công an viên\n".encode("utf-16"),        # UTF-16 with BOM
    b"commune_code,role\n03154,C\xc3\xb4ng \xff\n" + "ô\n".encode() * 3,  # broken UTF-8
    b"a,b\n\x00\x00\n",                                               # binary
    ("a,b\n" * 40 + "c,\x00d\n").encode(),                           # a NUL past the start
])
def test_streamed_cells_equal_the_plain_reader_on_other_encodings(raw, tiny_batches):
    _same(raw)
