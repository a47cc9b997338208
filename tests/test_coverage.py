"""Tests for geo.coverage: rosters on either map, norms, carried-over 2020 posts.

Integration tests use the embedded Điện Biên layers and the sample rosters
(sample data — not real assignments), with a private, empty roster store.
"""

from __future__ import annotations

import io

import matplotlib.figure
import openpyxl
import pandas as pd
import pytest
from pdf_text import page_texts

from geo._errors import InvalidArgument
from geo.coverage import load_coverage, province_totals
from geo.export import export_briefing
from geo.i18n import t
from geo.roster import validate_roster
from geo.settings import SAMPLE_ROSTER_2025
from geo.stores.rosters import open_store
from geo.tables import coverage_table, to_csv_bytes, to_xlsx_bytes

CARRIED_EN = t("carried_over_note", "en")
CARRIED_VI = t("carried_over_note", "vi")


@pytest.fixture(scope="module")
def covs(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("home"))
    c2020 = load_coverage("Điện Biên", vintage="2020", store=store)
    carried = load_coverage("Điện Biên", vintage="2025", roster_vintage="2020", store=store)
    native = load_coverage("Điện Biên", vintage="2025", store=store)
    return c2020, carried, native


def test_carried_over_shortfall_is_the_sum_of_the_old_communes_shortfalls(covs):
    c2020, carried, _ = covs
    assert carried.attrs["carried_over"] and not c2020.attrs["carried_over"]
    assert len(c2020) == 129 and len(carried) == 45
    assert int(carried["staffing_gap"].sum()) == int(c2020["staffing_gap"].sum()) > 0
    assert int(carried["staffing_surplus"].sum()) == int(c2020["staffing_surplus"].sum())
    for col in ("chiefs", "deputies", "officers", "reinforcements"):
        assert int(carried[col].sum()) == int(c2020[col].sum())
    # per unit: the gap is the sum over the unit's former communes
    from geo.coverage import crosswalk_targets
    target = crosswalk_targets("Điện Biên")
    per_unit = c2020.groupby(c2020["code"].map(target))["staffing_gap"].sum()
    got = carried.set_index("code")["staffing_gap"]
    assert (got.reindex(per_unit.index) == per_unit).all()
    assert carried["n_old_communes"].sum() == 129
    totals = province_totals(carried)
    assert totals["carried_over"] and totals["staffing_gap"] == int(c2020["staffing_gap"].sum())


def test_gap_never_nets_surplus_against_shortfall(covs):
    c2020, _, native = covs
    for cov in (c2020, native):
        assert (cov["staffing_gap"] == cov[["short_chiefs", "short_deputies",
                                            "short_officers"]].sum(axis=1)).all()
        assert (cov["staffing_gap"] >= 0).all() and (cov["staffing_surplus"] >= 0).all()
    # The 2020 sample has both: netting would hide the shortfall.
    assert c2020["staffing_gap"].sum() > 0 and c2020["staffing_surplus"].sum() > 0


def test_native_2025_roster_is_the_2025_sample(covs):
    _, _, native = covs
    assert not native.attrs["carried_over"] and native.attrs["sample_roster"]
    assert native.attrs["roster_vintage"] == "2025"
    assert native.attrs["roster_source"] == SAMPLE_ROSTER_2025.name
    assert native["chiefs"].max() == 1  # one chief per unit on its own map


def test_2025_roster_is_never_split_onto_the_2020_map(tmp_path):
    with pytest.raises(InvalidArgument, match="cannot be split back"):
        load_coverage("Điện Biên", vintage="2020", roster_vintage="2025",
                      store=open_store(tmp_path))


def test_stored_2020_roster_is_carried_over_until_a_2025_roster_is_stored(tmp_path):
    store = open_store(tmp_path)
    rep = validate_roster(b"commune_code,chiefs,deputies,officers,reinforcements,trained,as_of\n"
                          b"03154,1,1,9,0,0,2024-01-01\n03155,1,1,9,0,0,2024-01-01\n",
                          vintage="2020")
    store.import_roster(rep, user="t")
    cov = load_coverage("Điện Biên", vintage="2025", store=store)
    assert cov.attrs["carried_over"] and not cov.attrs["sample_roster"]
    assert int(cov["officers"].sum()) == 18
    rep25 = validate_roster(SAMPLE_ROSTER_2025)
    assert rep25.ok and rep25.vintage == "2025"
    store.import_roster(rep25, user="t")
    cov = load_coverage("Điện Biên", vintage="2025", store=store)
    assert not cov.attrs["carried_over"] and cov.attrs["roster_version"] == 2
    # the 2020 roster is still the 2020 map's current roster
    assert load_coverage("Điện Biên", vintage="2020", store=store).attrs["roster_version"] == 1


def test_carried_over_tables_never_label_several_chiefs(covs):
    _, carried, native = covs
    many = carried[carried["chiefs"] > 1]
    assert len(many)  # merged units hold several former chiefs…
    for lang in ("en", "vi"):
        table = coverage_table(carried, lang=lang)
        assert t("col_chiefs", lang) not in table.columns  # …but are never labelled "Chiefs"
        assert t("col_chiefs_carried", lang) in table.columns
        assert t("col_old_communes", lang) in table.columns
    assert "Chiefs" in coverage_table(native, lang="en").columns


def test_carried_over_marking_in_csv_and_xlsx_downloads(covs):
    _, carried, _ = covs
    table = coverage_table(carried, lang="en")
    csv_text = to_csv_bytes(table).decode("utf-8-sig")
    assert "Former commune chiefs (2020)" in csv_text.splitlines()[0]
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(table)))
    header = [c.value for c in next(book.active.iter_rows(max_row=1))]
    assert "Former commune chiefs (2020)" in header
    assert "Former communes' shortfall (2020)" in header


def test_carried_over_marking_in_pdf_html_and_png(covs, tmp_path, monkeypatch):
    _, carried, native = covs
    pdf = export_briefing(carried, fmt="pdf", out=tmp_path / "c.pdf", metric="staffing_gap",
                          lang="en")
    text = " ".join(page_texts(pdf))
    assert "Carried over from the 2020 map" in " ".join(text.split())
    assert "Chiefs (2020)" in text  # the table header, not "Chiefs"
    html = export_briefing(carried, fmt="html", out=tmp_path / "c.html",
                           metric="staffing_gap").read_text(encoding="utf-8")
    assert CARRIED_VI in html
    native_html = export_briefing(native, fmt="html", out=tmp_path / "n.html",
                                  metric="staffing_gap").read_text(encoding="utf-8")
    assert CARRIED_VI not in native_html
    written: list[str] = []
    original = matplotlib.figure.Figure.text

    def spy(self, x, y, s, *args, **kwargs):
        written.append(str(s))
        return original(self, x, y, s, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "text", spy)
    export_briefing(carried, fmt="png", out=tmp_path / "c.png", metric="staffing_gap",
                    lang="en")
    assert any("Carried over from the 2020" in " ".join(w.split()) for w in written)


def test_unknown_map_is_refused(tmp_path):
    with pytest.raises(InvalidArgument, match="roster_vintage must be one of"):
        load_coverage("Điện Biên", vintage="2025", roster_vintage="2030",
                      store=open_store(tmp_path))


def test_norms_source_is_on_the_frame(covs):
    assert covs[0].attrs["norms_source"] == "norms.csv"
    assert isinstance(covs[0]["norm_officers"], pd.Series)
