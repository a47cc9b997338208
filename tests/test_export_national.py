"""Briefings of several provinces: the 25 border provinces in one PDF, border communes by default.

Integration tests on the embedded layer (the 25 land-border provinces of the
2020 map, each with its own coverage) read the PDF's text back with poppler's
pdftotext; the logic (pagination, sums, provenance) is also tested on hand-made frames; and
renders are shown to run at the same time (no process-wide lock).
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from pdf_text import page_texts
from pypdf import PdfReader

from geo import export
from geo._errors import BorderMapError
from geo.border_list import border_in_use
from geo.cli import main
from geo.export import national
from geo.i18n import t

MADE = dt.date(2026, 1, 5)


def _text(path: Path) -> list[str]:
    return page_texts(path)


@pytest.fixture(scope="module")
def parts25(tmp_path_factory):
    """Coverage of each of the 25 land-border provinces (2020 map), a private store."""
    from geo.registry import find_provinces
    from geo.services.layers import load_coverage

    home = tmp_path_factory.mktemp("home")
    codes = find_provinces("border", vintage="2020")
    assert len(codes) == 25
    return [load_coverage(code, vintage="2020", home=home) for code in codes]


@pytest.fixture(scope="module")
def border_pdf(parts25, tmp_path_factory):
    calls: list[tuple[int, int, str]] = []
    path = export.export_national_briefing(
        parts25, fmt="pdf", out=tmp_path_factory.mktemp("out") / "border.pdf",
        metric="total_police", marking="MẬT", made=MADE,
        progress=lambda i, n, what: calls.append((i, n, what)))
    return path, calls


@pytest.fixture(scope="module")
def border_pages(border_pdf) -> list[str]:
    """The text of each page of the 25-province PDF (read once for the module's tests)."""
    return _text(border_pdf[0])


# --------------------------------------------------------------------------- 25 provinces

def test_border_pdf_lists_every_border_province_and_only_border_communes(parts25, border_pages):
    pages = border_pages
    body = "\n".join(pages[2:])
    for part in parts25:
        name = str(part.attrs["province"])
        border = part.loc[np.asarray(border_in_use(part), dtype=bool)]
        assert len(border), name
        assert t("nat_section", "vi", province=name, n=len(border)) in body, name
        for code in border["code"]:
            assert code in body, (name, code)
        for code in part.loc[~np.asarray(border_in_use(part), dtype=bool), "code"]:
            assert code not in body, (name, code)


def test_border_pdf_page_count_and_progress(parts25, border_pdf):
    path, calls = border_pdf
    n_pages = len(PdfReader(str(path)).pages)
    n_border = sum(int(np.asarray(border_in_use(p)).sum()) for p in parts25)
    # map + totals + a table of 353 rows, 25 heads and 25 subtotals, 32 entries a page
    assert n_border > 300
    assert 2 + (n_border + 50) / national.ROWS_PER_PAGE <= n_pages <= 2 + (n_border + 100) / 30
    assert [c[0] for c in calls] == list(range(1, n_pages + 1))
    assert {c[1] for c in calls} == {n_pages}


def test_border_pdf_totals_page_and_provenance(parts25, border_pages):
    pages = border_pages
    totals = pages[1]
    assert t("nat_totals_title", "vi", n=25) in totals
    for part in parts25:
        assert national._short_province(str(part.attrs["province"])) in totals
    n_units = sum(len(p) for p in parts25)
    assert f"{n_units}" in totals
    from geo.reference import APPROXIMATE_NOTE_VI, SAMPLE_NOTE_VI

    for page in (pages[0], totals):
        flat = " ".join(page.split())
        assert " ".join(APPROXIMATE_NOTE_VI.split())[:40] in flat
        assert " ".join(SAMPLE_NOTE_VI.split())[:30] in flat
    assert all("MẬT" in p for p in pages)
    assert all(f"Trang {i}/{len(pages)}" in p for i, p in enumerate(pages, start=1))
    assert "Các xã biên giới (Lào, Trung Quốc hoặc Campuchia)" in pages[0]


def test_all_communes_lists_the_others_too(parts25, tmp_path):
    two = [p for p in parts25 if str(p["province_code"].iloc[0]) in ("11", "12")]
    path = export.export_national_briefing(two, fmt="pdf", out=tmp_path / "all.pdf",
                                           metric="total_police", all_communes=True, made=MADE)
    body = "\n".join(_text(path)[2:])
    for part in two:
        interior = part.loc[~np.asarray(border_in_use(part), dtype=bool), "code"]
        assert len(interior)
        assert all(code in body for code in interior)
        assert t("nat_section", "vi", province=str(part.attrs["province"]), n=len(part)) in body


# --------------------------------------------------------------------------- logic

def _two_provinces() -> list:
    from tests.test_export import _tiny

    a = _tiny()
    b = _tiny()
    b["code"] = ["04154", "04155", "04160", "04124", "04370"]
    b["province_code"], b["province"] = "12", "Tỉnh Lai Châu"
    b["geometry"] = b.geometry.translate(0, -0.5)
    b.attrs.update({"province": "Tỉnh Lai Châu", "sample_roster": False, "roster_version": 3})
    return [a, b]


def test_combine_keeps_provenance_of_each_province():
    a, b = _two_provinces()
    cov = national.combine_coverage([a, b])
    assert len(cov) == 10
    assert cov.attrs["province"] == "Điện Biên, Lai Châu"
    assert cov.attrs["sample_roster"] is True  # one of them is sample data
    assert [p["province"] for p in cov.attrs["provinces"]] == ["Tỉnh Điện Biên", "Tỉnh Lai Châu"]
    b.attrs["vintage"] = "2025"
    with pytest.raises(BorderMapError, match="different maps"):
        national.combine_coverage([a, b])


def test_province_table_sums_the_selection():
    cov = national.combine_coverage(_two_provinces())
    brief = national.national_briefing(cov, metric="total_police")
    table = national.province_table(brief)
    assert table["province"].tolist() == ["Tỉnh Điện Biên", "Tỉnh Lai Châu", "TOTAL"]
    # three border communes each; police summed over them only: 11 + 8 + 6
    assert table["selected"].tolist() == [3, 3, 6]
    assert table["units"].tolist() == [5, 5, 10]
    assert table["total_police"].tolist() == [25, 25, 50]
    assert table["roster"].tolist()[:2] == ["dữ liệu mẫu", "phiên bản 3"]


def test_paginate_never_ends_a_page_on_a_head_and_marks_continuations():
    entries = []
    for p in ("A", "B"):
        entries.append(("section", [p], p))
        entries += [("row", [str(i)], p) for i in range(5)]
        entries.append(("subtotal", ["s"], p))
    pages = national.paginate(entries, per_page=5)
    assert all(page[-1][0] != "section" for page in pages)
    assert all(page[0][0] == "section" for page in pages)
    assert pages[1][0][1] == [t("nat_section_cont", "vi", province="A")]
    rows = [c for page in pages for k, c, _ in page if k == "row"]
    assert len(rows) == 10
    assert max(len(page) for page in pages) <= 5


def test_html_of_several_provinces_is_refused_before_loading(tmp_path, capsys):
    assert main(["export", "--province", "Lai Châu,Điện Biên", "--out",
                 str(tmp_path / "x.html")]) == 2
    assert "a briefing of several provinces is a PDF or a PNG" in capsys.readouterr().err
    assert main(["export", "--province", "border", "--atlas", "--out",
                 str(tmp_path / "x.pdf")]) == 2
    assert "the district atlas is of one province" in capsys.readouterr().err


def test_cli_two_provinces_with_progress(tmp_path, capsys):
    out = tmp_path / "two.pdf"
    assert main(["export", "--province", "Lai Châu,Điện Biên", "--vintage", "2020",
                 "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "export 1/2: tải Tỉnh Lai Châu" in err
    assert "export 1/4: bản đồ" in err
    pages = _text(out)
    assert len(pages) == 4
    assert "Lai Châu" in pages[1] and "Điện Biên" in pages[1]


# --------------------------------------------------------------------------- no global lock

def test_renders_run_at_the_same_time_and_restore_rcparams(tmp_path):
    """A render in progress does not block another (the old lock would time out here)."""
    before = matplotlib.rcParams["pdf.fonttype"]
    inside, release = threading.Event(), threading.Event()

    def hold():
        with export.render_context():
            inside.set()
            release.wait(120)

    holder = threading.Thread(target=hold)
    holder.start()
    assert inside.wait(30)
    done = []
    parts = _two_provinces()

    def render():
        done.append(export.export_national_briefing(parts, fmt="pdf", out=tmp_path / "b.pdf",
                                                    metric="total_police", made=MADE))

    worker = threading.Thread(target=render)
    worker.start()
    worker.join(240)
    finished = not worker.is_alive()
    assert matplotlib.rcParams["pdf.fonttype"] == 42  # held while someone renders
    release.set()
    holder.join(30)
    assert finished, "a render waited for another one"
    assert matplotlib.rcParams["pdf.fonttype"] == before
    assert PdfReader(str(done[0])).pages


def test_concurrent_pdfs_embed_truetype_text(tmp_path):
    parts = _two_provinces()
    outs = [tmp_path / f"c{i}.pdf" for i in range(2)]  # two renders at the same time
    errors: list[BaseException] = []

    def run(out):
        try:
            export.export_national_briefing(parts, fmt="pdf", out=out, metric="staffing_gap",
                                            made=MADE)
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=run, args=(o,)) for o in outs]
    for th in threads:
        th.start()
    for th in threads:
        th.join(300)
    assert not errors
    texts = [_text(o) for o in outs]
    assert texts[0] == texts[1]
    assert "Xã Sín Thầu" in texts[0][2]
    for o in outs:
        fonts = {f["/BaseFont"] for page in PdfReader(str(o)).pages
                 for f in (page["/Resources"]["/Font"].get_object().values())
                 for f in [f.get_object()]}
        subtypes = {f["/Subtype"] for page in PdfReader(str(o)).pages
                    for f in page["/Resources"]["/Font"].get_object().values()
                    for f in [f.get_object()]}
        assert any("DejaVuSans" in str(name) for name in fonts)
        assert subtypes == {"/Type0"}  # TrueType (Type 42) as CID fonts, not Type 3
    assert pd.notna(texts[0][0])
