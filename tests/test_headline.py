"""The commanders' headline figures: computed totals beside the published ones."""

from __future__ import annotations

from geo import services
from geo.headline import headline_figures


def test_headline_figures_on_the_2020_sample_match_the_published_staff():
    cov = services.load_coverage("Điện Biên", vintage="2020", roster_vintage="2020")
    figures = {f.key: f for f in headline_figures(cov, vintage="2020", lang="en")}
    assert list(figures) == ["communes", "border_communes_lao", "border_communes_chn",
                             "chiefs", "deputies", "officers", "reinforcements"]
    assert figures["communes"].value == "129" and "129" in figures["communes"].caption
    assert (figures["chiefs"].value, figures["officers"].value) == ("115", "332")
    assert "414.7 km" in figures["border_communes_lao"].caption


def test_carried_over_staff_labels_say_2020_and_units_are_45():
    cov = services.load_coverage("Điện Biên", vintage="2025", roster_vintage="2020")
    figures = {f.key: f for f in headline_figures(cov, vintage="2025", lang="en")}
    assert figures["communes"].value == "45"
    assert "2020" in figures["chiefs"].label and "2020" not in figures["communes"].label
