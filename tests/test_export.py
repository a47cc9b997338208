"""Briefing exports (geo.export and its modules, ``python -m geo export``).

Logic is tested on a five-commune hand-made fixture with known answers; the
formats are also produced from the embedded Điện Biên data (integration), once
per module, and read back: PNG pixels (Pillow), PDF text (poppler's pdftotext, fonts
with pypdf), HTML text.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import math
import re
import subprocess
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pdf_text import page_texts
from PIL import Image
from pypdf import PdfReader

from geo import export
from geo._errors import BorderMapError
from geo.cli import main
from geo.coverage import compute_metrics
from geo.export import (
    Briefing,
    check_output_path,
    export_briefing,
    legend_classes,
    select_communes,
)
from geo.export.pdf import _TOTALS_ROWS, ROWS_PER_PAGE
from geo.settings import REPO_ROOT

MADE = dt.date(2025, 3, 4)
CODE = re.compile(r"\b(03\d{3})\b")
REMOTE = re.compile(r"""<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""",
                    re.IGNORECASE)


# --------------------------------------------------------------------------- fixtures

def _tiny() -> gpd.GeoDataFrame:
    """Five communes (boxes in EPSG:4326) with hand-set borders and roster."""
    rows = [
        # code, name, district_code, district, border_countries, km_lao, km_chn, box
        ("03154", "Xã Sín Thầu", "096", "Huyện Mường Nhé", "CHN;LAO", 14.0, 17.0,
         (102.15, 22.30, 102.35, 22.45)),
        ("03155", "Xã Sen Thượng", "096", "Huyện Mường Nhé", "CHN", 0.0, 19.8,
         (102.35, 22.30, 102.55, 22.45)),
        ("03160", "Xã Mường Nhé", "096", "Huyện Mường Nhé", "LAO", 25.5, 0.0,
         (102.15, 22.10, 102.35, 22.30)),
        ("03124", "Phường Noong Bua", "094", "Thành phố Điện Biên Phủ", "", 0.0, 0.0,
         (102.35, 22.10, 102.55, 22.30)),
        ("03370", "Xã Pu Nhi", "100", "Huyện Điện Biên Đông", "", 0.0, 0.0,
         (102.55, 22.10, 102.75, 22.30)),
    ]
    gdf = gpd.GeoDataFrame(
        {
            "code": [r[0] for r in rows], "name": [r[1] for r in rows],
            "unit_type": [r[1].split()[0] for r in rows],
            "district_code": [r[2] for r in rows], "district": [r[3] for r in rows],
            "province_code": "11", "province": "Tỉnh Điện Biên",
            "approximate": True, "note": "test",
            "border_countries": [r[4] for r in rows],
            "border_km_lao": [r[5] for r in rows], "border_km_chn": [r[6] for r in rows],
            "border_km_khm": 0.0,
        },
        geometry=[shapely.box(*r[7]) for r in rows], crs="EPSG:4326")
    gdf["area_km2"] = gdf.geometry.to_crs("EPSG:32648").area / 1e6
    roster = pd.DataFrame({
        "commune_code": ["03154", "03155", "03160", "03370"],
        "chiefs": [1, 1, 1, 1], "deputies": [2, 1, 1, 0], "officers": [5, 4, 3, 2],
        "reinforcements": [3, 2, 1, 0], "trained": [4, 3, 2, 1],
    })
    cov = compute_metrics(gdf, roster)
    cov.attrs.update({"sample_roster": True, "roster_version": None,
                      "roster_as_of": "2021-12-31", "approximate": True,
                      "province": "Tỉnh Điện Biên", "vintage": "2020"})
    return cov


@pytest.fixture
def tiny() -> gpd.GeoDataFrame:
    return _tiny()


@pytest.fixture(scope="module")
def cov(tmp_path_factory):
    """The embedded Điện Biên coverage (sample roster), loaded with a private store."""
    from geo.coverage import load_coverage

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BORDERMAP_HOME", str(tmp_path_factory.mktemp("home")))
        return load_coverage("Điện Biên", vintage="2020")


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("exports")


@pytest.fixture(scope="module")
def png_all(cov, out_dir):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = export_briefing(cov, fmt="png", out=out_dir / "all.png", metric="total_police",
                               marking="MẬT", made=MADE)
    return path, [str(w.message) for w in caught]


@pytest.fixture(scope="module")
def pdf_all(cov, out_dir):
    path = export_briefing(cov, fmt="pdf", out=out_dir / "all.pdf", metric="staffing_gap",
                           marking="MẬT", made=MADE)
    reader = PdfReader(path)
    return reader, page_texts(path)


@pytest.fixture(scope="module")
def html_chn(cov, out_dir):
    path = export_briefing(cov, fmt="html", out=out_dir / "chn.html", metric="border_km",
                           country="CHN", marking="NỘI BỘ", made=MADE)
    return path.read_text(encoding="utf-8")


def pdf_codes(texts: list[str]) -> list[str]:
    """Commune codes listed in the PDF's table pages (page 1 is the map)."""
    return [c for t in texts[1:] for c in CODE.findall(t)]


# --------------------------------------------------------------------------- legend classes

def test_legend_classes_known_answer():
    # zero is a class of its own, the positive values share the rest
    assert legend_classes([3, 0, 1, 0, 2], k=2) == [(0.0, 0.0, 2), (1.0, 3.0, 3)]
    assert legend_classes([0.5, 2.5, 1.5], k=1) == [(0.5, 2.5, 3)]


@pytest.mark.parametrize("metric", ["total_police", "police_per_100km2", "border_km"])
def test_legend_classes_are_the_app_maps_classes(cov, metric):
    from geo import maps

    values = export.metric_values(cov, metric)
    edges = maps.class_breaks(values, integer=metric in maps.INTEGER_METRICS)
    idx = maps.classify(values, edges)
    expected = [(values[idx == i].min(), values[idx == i].max(), int((idx == i).sum()))
                for i in range(len(edges) - 1) if (idx == i).any()]
    assert legend_classes(values, integer=metric in maps.INTEGER_METRICS) == expected


def test_legend_classes_edge_cases():
    assert legend_classes([5, 5, 5]) == [(5.0, 5.0, 3)]
    assert legend_classes([]) == []
    assert legend_classes([np.nan, 2.0, np.inf, 1.0, 3.0], k=5)[0][0] == 1.0
    assert sum(c[2] for c in legend_classes([np.nan, 2.0, np.inf, 1.0, 3.0])) == 3
    with pytest.raises(ValueError, match="k must be a whole number"):
        legend_classes([1, 2], k=0)


@pytest.mark.parametrize("metric", export.METRIC_KEYS)
def test_legend_classes_match_the_data(cov, metric):
    values = export.metric_values(cov, metric)
    classes = legend_classes(values)
    assert 1 <= len(classes) <= 5
    assert sum(c[2] for c in classes) == len(cov)
    assert classes[0][0] == values.min() and classes[-1][1] == values.max()
    for (lo, hi, n), nxt in zip(classes, classes[1:] + [None]):
        assert lo <= hi and n == int(((values >= lo) & (values <= hi)).sum())
        if nxt is not None:
            assert hi < nxt[0]  # no overlap, increasing


def test_briefing_legend_counts_the_selection(cov):
    brief = Briefing(cov, metric="border_km", country="LAO")
    assert sum(n for _, _, _, n in brief.legend) == brief.selected.sum() == (
        cov["border_countries"].str.contains("LAO").sum())
    assert (brief.class_of[~brief.selected] == -1).all()
    assert (brief.class_of[brief.selected] >= 0).all()


# --------------------------------------------------------------------------- selection

@pytest.mark.parametrize("country,codes", [
    ("all", {"03154", "03155", "03160", "03124", "03370"}),
    ("any", {"03154", "03155", "03160"}),
    ("LAO", {"03154", "03160"}),
    ("CHN", {"03154", "03155"}),
    ("both", {"03154"}),
    ("none", {"03124", "03370"}),
    ("chn", {"03154", "03155"}),
])
def test_select_communes(tiny, country, codes):
    out = select_communes(tiny, country=country)
    assert set(out["code"]) == codes
    assert out.attrs["country_filter"] == {"chn": "CHN"}.get(country, country)
    assert out.attrs["sample_roster"] is True
    assert list(out["code"]) == [c for c in tiny["code"] if c in codes]  # order kept


def test_select_communes_agrees_with_app_filter(cov):
    from geo.tables import filter_coverage

    for choice in export.COUNTRY_FILTERS:
        assert list(select_communes(cov, country=choice)["code"]) == list(
            filter_coverage(cov, border=choice)["code"])


def test_select_communes_rejects_unknown_filter(tiny):
    with pytest.raises(BorderMapError, match="unknown country filter 'VNM'"):
        select_communes(tiny, country="VNM")
    with pytest.raises(BorderMapError, match="no border_countries column"):
        select_communes(tiny.drop(columns="border_countries"), country="LAO")


def test_briefing_refuses_bad_arguments(tiny):
    with pytest.raises(BorderMapError, match="unknown metric 'police'"):
        Briefing(tiny, metric="police")
    with pytest.raises(BorderMapError, match="unknown language 'fr'"):
        Briefing(tiny, metric="total_police", lang="fr")
    with pytest.raises(BorderMapError, match="no commune .* matches the filters"):
        Briefing(tiny, metric="total_police", country="both", codes=["03160"])
    with pytest.raises(BorderMapError, match="not in the coverage frame: 99999"):
        Briefing(tiny, metric="total_police", codes=["99999"])
    with pytest.raises(BorderMapError, match="has no CRS"):
        Briefing(tiny.set_crs(None, allow_override=True), metric="total_police")


def test_short_names_and_border_text(tiny):
    assert export.short_name("Xã Mường Nhé") == "Mường Nhé"
    assert export.short_name("Thị trấn Mường Chà") == "Mường Chà"
    assert export.short_name("Phường Him Lam") == "Him Lam"
    row = tiny.iloc[0]
    assert export.border_text(row, "vi") == "Trung Quốc 17,0; Lào 14,0"  # ISO order
    assert export.border_text(row, "en") == "China 17.0; Laos 14.0"
    assert export.border_text(tiny.iloc[3], "vi") == ""


# --------------------------------------------------------------------------- output paths

def test_check_output_path(tmp_path):
    assert check_output_path(tmp_path / "a.PDF") == ((tmp_path / "a.PDF").resolve(), "pdf")
    assert check_output_path(tmp_path / "a.htm")[1] == "html"
    assert check_output_path(tmp_path / "briefing", fmt="png")[1] == "png"
    with pytest.raises(BorderMapError, match="folder .*missing' does not exist"):
        check_output_path(tmp_path / "missing" / "a.png")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(BorderMapError, match="is not a folder"):
        check_output_path(tmp_path / "file.txt" / "a.png")
    with pytest.raises(BorderMapError, match="is a folder"):
        check_output_path(tmp_path, fmt="png")
    with pytest.raises(BorderMapError, match="has a .png name but the format is pdf"):
        check_output_path(tmp_path / "a.png", fmt="pdf")
    with pytest.raises(BorderMapError, match="cannot tell the format"):
        check_output_path(tmp_path / "a.txt")
    with pytest.raises(BorderMapError, match="unknown format 'svg'"):
        check_output_path(tmp_path / "a", fmt="svg")


def test_write_failure_is_a_clear_error(tiny, tmp_path, monkeypatch):
    def refuse(*_a, **_k):
        raise PermissionError(13, "Permission denied")

    folder = tmp_path / "out"
    folder.mkdir()
    monkeypatch.setattr(export.tempfile, "mkstemp", refuse)
    with pytest.raises(BorderMapError, match="cannot write .*Permission denied"):
        export_briefing(tiny, fmt="html", out=folder / "x.html", metric="total_police")
    assert list(folder.iterdir()) == []


def test_failed_export_leaves_no_partial_file(tiny, tmp_path, monkeypatch):
    folder = tmp_path / "out"
    folder.mkdir()

    def broken(brief, path):
        Path(path).write_bytes(b"%PDF-partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("geo.export.pdf.write_pdf", broken)
    with pytest.raises(BorderMapError, match="No space left on device"):
        export_briefing(tiny, fmt="pdf", out=folder / "x.pdf", metric="total_police")
    assert list(folder.iterdir()) == []


# --------------------------------------------------------------------------- PNG

@functools.lru_cache(maxsize=2)
def _pixels(path: Path) -> np.ndarray:
    """The PNG's RGB pixels (uint8, read-only; decoded once per file for the module)."""
    with Image.open(path) as im:
        px = np.asarray(im.convert("RGB"))
    px.setflags(write=False)
    return px


def test_png_size_and_content(png_all):
    path, _ = png_all
    px = _pixels(path)
    assert px.shape[1] >= 2400 and px.shape[0] >= 1600
    assert px.std() > 30  # not blank: a white page has std 0
    # the map is shaded: a good share of pixels are neither white nor grey
    saturation = px.max(axis=2) - px.min(axis=2)
    assert (saturation > 60).mean() > 0.05
    # the marking is printed in red at the top and the bottom centre
    red = (px[..., 0] > 140) & (px[..., 1] < 60) & (px[..., 2] < 60)
    h = px.shape[0]
    assert red[: h // 20].sum() > 200 and red[-h // 20:].sum() > 200


def test_png_has_no_missing_glyphs(png_all):
    _, messages = png_all
    assert not [m for m in messages if "missing from" in m], messages


def test_missing_glyph_detection_works(tmp_path):
    """The check above can fail: a glyph DejaVu Sans lacks does raise the warning."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(export.RC), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = Figure()
        fig.text(0.5, 0.5, "Mường Nhé 中")
        fig.savefig(tmp_path / "x.png")
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert missing and all("Mường" not in m for m in missing)


def test_png_tiny_selection_greys_the_others(tiny, tmp_path):
    path = export_briefing(tiny, fmt="png", out=tmp_path / "t.png", metric="total_police",
                           country="none", made=MADE)
    px = _pixels(path)
    assert px.shape[1] >= 2400 and px.std() > 30
    grey = 0xE4  # the unselected fill, #e4e4e4
    assert (np.abs(px.astype(np.int16) - grey).max(axis=2) < 2).sum() > 5000


# --------------------------------------------------------------------------- PDF

def test_pdf_pages_and_numbers(pdf_all, cov):
    reader, texts = pdf_all
    table_pages = math.ceil(len(cov) / ROWS_PER_PAGE)
    room = ROWS_PER_PAGE * table_pages - len(cov)
    expected = 1 + table_pages + (0 if room >= _TOTALS_ROWS else 1)
    assert len(reader.pages) == expected
    for i, text in enumerate(texts, start=1):
        assert f"Trang {i}/{expected}" in text
        assert text.count("MẬT") >= 2  # header and footer
    w, h = (float(v) for v in reader.pages[0].mediabox[2:])
    assert w > h and abs(w - 841.7) < 2 and abs(h - 595.4) < 2  # A4 landscape, points


def test_pdf_text_keeps_diacritics(pdf_all, cov):
    _, texts = pdf_all
    full = "\n".join(texts)
    assert "Lực lượng Công an xã — Tỉnh Điện Biên" in texts[0]
    assert "Xã Mường Nhé" in full and "Huyện Mường Nhé" in full
    for name in cov["name"]:
        assert name in full, name
    assert sorted(pdf_codes(texts)) == sorted(cov["code"])


def test_pdf_totals_beside_published(pdf_all):
    _, texts = pdf_all
    last = texts[-1]
    assert "Tổng hợp toàn tỉnh và số liệu công bố" in last
    assert re.search(r"Trưởng Công an xã 115 115 115 0", last), last
    assert re.search(r"Phó Trưởng Công an xã 153 153 153 0", last)
    assert re.search(r"Công an viên 332 332 332 0", last)
    assert "414,7" in last and "40,9" in last
    assert "Dữ liệu mẫu — không phải phân công thực tế." in last
    assert "Ranh giới gần đúng — không phải ranh giới chính thức." in last


def test_pdf_embeds_truetype_fonts(pdf_all):
    reader, _ = pdf_all
    fonts = reader.pages[1]["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        assert "DejaVuSans" in str(font["/BaseFont"])
        assert font["/Subtype"] in ("/TrueType", "/Type0")


def test_pdf_without_provenance_notes_and_in_english(tiny, tmp_path):
    tiny.attrs.update({"approximate": False, "sample_roster": False, "roster_as_of": None})
    path = export_briefing(tiny, fmt="pdf", out=tmp_path / "t.pdf", metric="reinforcements",
                           lang="en", title="Test briefing", made=MADE)
    texts = page_texts(path)
    full = "\n".join(texts)
    assert len(texts) == 2 and "Page 2/2" in texts[1]
    assert "Test briefing" in texts[0] and "Made 2025-03-04" in texts[0]
    assert "Staffing data: date unknown" in texts[0]
    assert "Sample data" not in full and "Approximate boundaries" not in full
    assert "MẬT" not in full
    assert "China 17.0; Laos 14.0" in texts[1]
    # selection total row: chiefs 4, deputies 4, officers 14, reinforcements 6
    assert re.search(r"Total of selected units 4 4 14 6 28", texts[1]), texts[1]


def test_pdf_2025_map_has_no_district_column(tiny, tmp_path):
    tiny["district"] = ""
    tiny["district_code"] = ""
    tiny.attrs["vintage"] = "2025"
    path = export_briefing(tiny, fmt="pdf", out=tmp_path / "t.pdf", metric="total_police",
                           made=MADE)
    texts = page_texts(path)
    assert "Mã Tên đơn vị Biên giới (km) Trưởng" in texts[1]
    assert "Ranh giới huyện" not in texts[0] and "bản đồ hành chính 2025" in texts[0]
    # the 2025 map is compared with the 45 published units of 2025
    assert re.search(r"Đơn vị hành chính cấp xã 5 5 45 \u2212\s?40", texts[1]), texts[1]


def test_app_selection_by_codes_and_description(tiny, tmp_path):
    path = export_briefing(tiny, fmt="pdf", out=tmp_path / "t.pdf", metric="total_police",
                           country="LAO", codes=["03160", "03124"],
                           filters_desc="Huyện Mường Nhé", made=MADE)
    texts = page_texts(path)
    assert pdf_codes(texts) == ["03160"]  # LAO ∩ chosen codes
    assert "Các xã biên giới Việt Nam – Lào; Huyện Mường Nhé" in texts[0]
    assert "1/5 đơn vị được chọn" in texts[0]


# --------------------------------------------------------------------------- HTML

def test_html_standalone_with_every_selected_commune(html_chn, cov):
    chn = cov[cov["border_countries"].str.contains("CHN")]
    assert len(chn) >= 1
    for name in chn["name"]:
        assert html.escape(name) in html_chn
    codes = set(re.findall(r'<tr data-code="(\d{5})"', html_chn))
    assert codes == set(chn["code"])
    assert not REMOTE.search(html_chn)
    assert "<script src=\"http" not in html_chn and "<link href=\"http" not in html_chn
    assert "L.map(" in html_chn and "leaflet" in html_chn.lower()  # Leaflet inlined
    assert html_chn.count("NỘI BỘ") >= 2
    assert "Dữ liệu mẫu — không phải phân công thực tế." in html_chn


def test_html_escapes_data_strings(tiny, tmp_path):
    tiny.loc[0, "name"] = 'Xã <script>alert("x")</script>'
    path = export_briefing(tiny, fmt="html", out=tmp_path / "t.html", metric="total_police",
                           title="<b>T</b>", marking="<i>M</i>", made=MADE)
    text = path.read_text(encoding="utf-8")
    assert "<script>alert" not in text
    assert "Xã &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert "&lt;b&gt;T&lt;/b&gt;" in text and "&lt;i&gt;M&lt;/i&gt;" in text


# --------------------------------------------------------------------------- CLI

def test_cli_and_library_give_the_same_pdf_content(cov, tmp_path, capsys):
    out = tmp_path / "cli.pdf"
    assert main(["export", "--country", "CHN", "--format", "pdf", "--out", str(out),
                 "--metric", "staffing_gap", "--marking", "MẬT", "--vintage", "2020"]) == 0
    assert capsys.readouterr().out.strip() == str(out.resolve())
    lib = export_briefing(cov, fmt="pdf", out=tmp_path / "lib.pdf", metric="staffing_gap",
                          country="CHN", marking="MẬT")
    cli_texts = page_texts(out)
    lib_texts = page_texts(lib)
    chn = sorted(cov.loc[cov["border_countries"].str.contains("CHN"), "code"])
    assert sorted(pdf_codes(cli_texts)) == sorted(pdf_codes(lib_texts)) == chn
    assert cli_texts[1:] == lib_texts[1:]
    for code in set(cov["code"]) - set(chn):
        assert code not in "\n".join(cli_texts)


def test_cli_and_library_give_the_same_html_communes(cov, html_chn, tmp_path):
    out = tmp_path / "cli.html"
    assert main(["export", "--country", "chn", "--out", str(out), "--metric",
                 "border_km", "--marking", "NỘI BỘ", "--vintage", "2020"]) == 0
    cli = out.read_text(encoding="utf-8")
    pattern = r'<tr data-code="(\d{5})"'
    assert set(re.findall(pattern, cli)) == set(re.findall(pattern, html_chn))


@pytest.mark.slow
def test_cli_whole_process_png(tmp_path):
    out = tmp_path / "b.png"
    proc = subprocess.run([sys.executable, "-m", "geo", "export", "--province", "dien bien",
                           "--format", "png", "--out", str(out), "--country", "any",
                           "--lang", "en", "--title", "Border communes"],
                          cwd=REPO_ROOT, capture_output=True, text=True, encoding="utf-8",
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Sample data" in proc.stderr and "Approximate boundaries" in proc.stderr
    assert _pixels(out).shape[1] >= 2400


@pytest.mark.parametrize("argv,message", [
    (["--metric", "police"], "argument --metric: invalid choice: 'police'"),
    (["--country", "VNM"], "argument --country: invalid choice: 'VNM'"),
    (["--format", "svg"], "argument --format: invalid choice: 'svg'"),
    (["--lang", "fr"], "argument --lang: invalid choice: 'fr'"),
])
def test_cli_bad_choices_exit_2(argv, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as err:
        main(["export", "--out", str(tmp_path / "x.pdf"), *argv])
    assert err.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("out,message", [
    ("missing/x.pdf", "error: cannot write .*folder .*missing' does not exist"),
    ("file.txt/x.pdf", "error: cannot write .*is not a folder"),
    ("x.png --format pdf", "error: output .*x.png' has a .png name but the format is pdf"),
])
def test_cli_bad_output_exit_2(out, message, tmp_path, capsys):
    (tmp_path / "file.txt").write_text("x")
    path, *rest = out.split()
    assert main(["export", "--out", str(tmp_path / path), *rest]) == 2
    err = capsys.readouterr().err
    assert re.search(message, err), err
    assert "Traceback" not in err


def test_cli_refuses_html_of_all_provinces_before_loading(tmp_path, capsys):
    # The whole country is a PDF (or PNG) with a section per province
    # (tests/test_export_national.py); HTML stays one province.
    assert main(["export", "--province", "all", "--out", str(tmp_path / "x.html")]) == 2
    assert "a briefing of several provinces is a PDF or a PNG" in capsys.readouterr().err


# --------------------------------------------------------------------------- one style

def test_html_has_a_title_and_legend_colours_as_seen(html_chn, cov):
    from geo import style

    assert "<title>Lực lượng Công an xã — Tỉnh Điện Biên</title>" in html_chn
    chn = cov[cov["border_countries"].str.contains("CHN")]
    legend = style.build_legend(style.metric_values(chn, "border_km"), "border_km")
    for cls in legend.classes:
        assert f"background:{cls.swatch}" in html_chn  # blended, not the raw palette colour
        assert f"background:{cls.color}" not in html_chn


def test_png_pixels_are_the_legend_swatches(png_all, cov):
    """The static map paints each class in its legend swatch colour (the colour as seen)."""
    path, _ = png_all
    brief = Briefing(cov, metric="total_police")
    px = _pixels(path).astype(np.int32)
    packed = (px[..., 0] << 16) | (px[..., 1] << 8) | px[..., 2]  # one number per colour
    for swatch, _lo, _hi, count in brief.legend:
        exact = int(swatch[1:7], 16)  # "#rrggbb": exactly this colour
        assert (packed == exact).sum() > 2000 * min(count, 10) / 10, swatch
