"""The legend shows the colours as drawn: pixels sampled in Debian's Chromium.

The interactive map (and the standalone HTML briefing, which inlines it) fills
communes at an opacity over the basemap; the legend's swatches must show the
blended colour. This test opens an inlined map in headless Chromium, samples
the middle of each legend swatch and of a commune of each class, and compares.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo import maps, style
from geo.offline_assets import inline_map_html

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _cov() -> gpd.GeoDataFrame:
    """Four large communes in Điện Biên (inside Vietnam's fill), one per class."""
    boxes = [shapely.box(103.00 + 0.12 * i, 21.30, 103.10 + 0.12 * i, 21.40) for i in range(4)]
    cov = gpd.GeoDataFrame(
        {"code": ["00001", "00002", "00003", "00004"], "name": ["A", "B", "C", "D"],
         "border_countries": "", "total_police": [0, 4, 6, 11]},
        geometry=boxes, crs="EPSG:4326")
    cov.attrs.update({"approximate": False, "sample_roster": False})
    return cov


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def test_legend_swatches_equal_the_rendered_communes(tmp_path):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: apt-get install -y chromium (no skip)")
    from PIL import Image
    from playwright.sync_api import sync_playwright

    cov = _cov()
    empty = gpd.GeoDataFrame({"iso3": []}, geometry=[], crs="EPSG:4326")
    m = maps.build_coverage_map(cov, metric="total_police", borders=empty, districts=False)
    page_html = inline_map_html(m)
    name = re.search(r"var (map_[0-9a-f]+) = L\.map\(", page_html).group(1)
    (tmp_path / "map.html").write_text(page_html, encoding="utf-8")
    legend = style.build_legend(cov["total_police"], "total_police")
    assert len(legend.classes) == 4
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            pg = browser.new_page(viewport={"width": 1200, "height": 800})
            pg.route(re.compile(r"^https?://"), lambda route: route.abort())  # offline
            pg.goto((tmp_path / "map.html").as_uri())
            pg.wait_for_selector(".bordermap-legend .swatch")
            pg.wait_for_timeout(800)  # fitBounds animation
            swatches = [b for b in (el.bounding_box() for el in
                                    pg.query_selector_all(".bordermap-legend .swatch")) if b]
            points = [pg.evaluate(f"() => {{ const p = {name}.latLngToContainerPoint("
                                  f"[{g.centroid.y}, {g.centroid.x}]); return [p.x, p.y]; }}")
                      for g in cov.geometry]
            pg.screenshot(path=str(tmp_path / "map.png"))
        finally:
            browser.close()
    px = np.asarray(Image.open(tmp_path / "map.png").convert("RGB"), dtype=float)

    def at(x: float, y: float) -> np.ndarray:
        return px[int(round(y)), int(round(x))]

    for cls, box, (x, y) in zip(legend.classes, swatches, points):
        swatch = at(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        commune = at(x, y)
        assert np.abs(swatch - _rgb(cls.swatch)).max() <= 2, (cls.label, swatch, cls.swatch)
        assert np.abs(commune - swatch).max() <= 3, (cls.label, commune, swatch)
    # the fault this guards against: the top class's swatch was the raw palette colour,
    # (8, 81, 156), while its communes showed about (61, 118, 176)
    top = legend.classes[-1]
    assert np.abs(at(*points[-1]) - _rgb(top.color)).max() > 30
