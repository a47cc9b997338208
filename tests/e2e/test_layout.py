"""End-to-end layout and linked-view tests at a laptop's 1366×768, offline.

Uses the session's server, browser and first admin (tests/e2e/conftest.py, shared
with :mod:`test_browser`). Checks that

* on both pages the map's top edge is inside the first screen at 1366×768,
  with commune labels, neighbouring provinces and countries named on the map,
  and that the selected commune's record shows every field without scrolling;
* clicking a bar of the planners' district chart narrows the table to that
  district and outlines its communes on the map, the rest of the province
  staying greyed; clicking a commune of the map selects its district;
* choosing the online basemap without network shows the warning on the map.

Screenshots (first screen only, as a user sees it) go to ``test-artifacts/``.
"""

from __future__ import annotations

import io
import re

import pytest
from e2e_support import ARTIFACTS, WAIT_MS, _sign_in
from test_browser import COMMUNE_CODES_JS, _map_frame

from geo.coverage import load_coverage
from geo.district_summary import BAR_OTHER, BAR_SELECTED
from geo.map_context import HIGHLIGHT_COLOR, OUTSIDE_FILL
from geo.tables import filter_coverage

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture()
def laptop(browser, server, admin_password):
    """A 1366×768 page signed in as the first admin; returns (page, foreign requests)."""
    base = server[0]
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
    pg = context.new_page()
    foreign: list[str] = []
    local = (base, base.replace("http://", "ws://"), "data:", "blob:", "about:")

    def guard(route):
        if route.request.url.startswith(local):
            route.continue_()
        else:  # no network: recorded and aborted, like a machine without internet
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    _sign_in(pg, base, "admin", admin_password)
    # these checks count the 2020 map's 129 communes and its 10 districts (2025 is the default)
    pg.locator('[data-testid="stSidebar"]').get_by_text("2020 (129 xã, 10 huyện)").click()
    pg.get_by_text("công bố: 129", exact=True).wait_for(timeout=WAIT_MS)  # the 2020 map is shown
    pg.wait_for_timeout(1500)
    try:
        yield pg, foreign
    finally:
        context.close()


def _first_screen(pg, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pg.wait_for_timeout(700)  # as e2e_support._screenshot: Leaflet's animations end
    pg.screenshot(path=str(ARTIFACTS / name), full_page=False)


def _map_top(pg) -> float:
    return pg.locator("iframe").first.bounding_box()["y"]


VISIBLE_LABELS_JS = """() => Array.from(document.querySelectorAll('.bm-commune-label'))
    .filter(e => getComputedStyle(e).display !== 'none').map(e => e.textContent)"""


def test_map_page_fits_a_laptop_screen(laptop):
    pg, foreign = laptop
    frame = _map_frame(pg)
    top = _map_top(pg)
    assert 0 <= top < VIEWPORT["height"] * 0.55, f"map top edge at {top:.0f} px"
    # names at the province's zoom (the map opens at zoom 8, then fits the province)
    frame.wait_for_function(f"() => ({VISIBLE_LABELS_JS})().length >= 20", timeout=WAIT_MS)
    assert "Mường Nhé" in frame.evaluate(VISIBLE_LABELS_JS)
    text = frame.locator(".leaflet-marker-pane").inner_text()
    for name in ["Lai Châu", "Sơn La", "LÀO", "TRUNG QUỐC"]:
        assert name in text
    _first_screen(pg, "layout_map_1366.png")

    # the record of a clicked commune: every field, no scrolling inside the panel
    cov = load_coverage(vintage="2020")
    code = cov.loc[cov["name"] == "Xã Chà Nưa", "code"].iloc[0]
    x, y = frame.evaluate("""code => { let out = null; window.map.eachLayer(l => {
        if (!out && l.feature && l.feature.properties.code === code
            && l.options.interactive !== false) {
            const p = window.map.latLngToContainerPoint(l.getBounds().getCenter());
            out = [p.x, p.y]; } }); return out; }""", code)
    box = pg.locator("iframe").first.bounding_box()
    assert box["y"] + y < VIEWPORT["height"]
    pg.mouse.click(box["x"] + x, box["y"] + y)
    pg.locator('[data-testid="stDataFrame"] td', has_text="Xã Chà Nưa").first.wait_for(
        state="attached", timeout=WAIT_MS)
    assert _map_top(pg) == pytest.approx(top, abs=2)  # the click did not scroll the page
    grid = pg.locator('[data-testid="stDataFrame"] [aria-rowcount]').first
    rows = int(grid.get_attribute("aria-rowcount"))
    assert rows >= 20
    panel = pg.locator('[data-testid="stDataFrame"]').first.bounding_box()
    assert panel["y"] + panel["height"] <= VIEWPORT["height"], panel  # all on the first screen
    scroll = pg.evaluate("""() => { const s = document.querySelector(
        '[data-testid="stDataFrame"] .dvn-scroller'); return s ? [s.scrollHeight, s.clientHeight,
        s.scrollWidth, s.clientWidth] : null; }""")
    assert scroll is not None
    assert scroll[0] <= scroll[1] + 1 and scroll[2] <= scroll[3] + 1, scroll
    pg.mouse.move(5, 5)
    _first_screen(pg, "layout_map_record_1366.png")
    assert foreign == [], foreign[:5]


def _bar_bands(png: bytes, color: str) -> list[tuple[int, int, int]]:
    """Return (top, bottom, left) pixel rows of the bars of ``color`` in a chart screenshot."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    want = tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))
    width, height = img.size
    pixels = img.load()
    rows = {}
    for yy in range(height):
        xs = [xx for xx in range(width)
              if all(abs(a - b) <= 6 for a, b in zip(pixels[xx, yy], want))]
        if len(xs) >= 3:
            rows[yy] = min(xs)
    bands, start = [], None
    for yy in range(height + 1):
        if yy in rows and start is None:
            start = yy
        elif yy not in rows and start is not None:
            bands.append((start, yy - 1, min(rows[r] for r in range(start, yy))))
            start = None
    return bands


def test_district_bar_filters_the_table_and_marks_the_map(laptop):
    pg, foreign = laptop
    cov = load_coverage(vintage="2020")
    shown = filter_coverage(cov, border="any")
    pg.locator('[data-testid="stSidebarNav"]').get_by_text("Xã biên giới").click()
    pg.get_by_text(f"{len(shown)} xã phù hợp bộ lọc").wait_for(timeout=WAIT_MS)
    frame = _map_frame(pg)
    assert 0 <= _map_top(pg) < VIEWPORT["height"] * 0.65
    # the filtered map keeps the rest of the province, greyed and not clickable
    assert sorted(frame.evaluate(COMMUNE_CODES_JS)) == sorted(shown["code"])
    greyed = frame.evaluate(f"""() => {{ let n = 0; window.map.eachLayer(l => {{
        if (l.feature && l.options.fillColor === '{OUTSIDE_FILL}') n++; }}); return n; }}""")
    assert greyed == len(cov) - len(shown)
    _first_screen(pg, "layout_border_1366.png")

    chart = pg.locator('[data-testid="stVegaLiteChart"]').first
    chart.wait_for(timeout=WAIT_MS)
    pg.wait_for_timeout(1500)
    bands = _bar_bands(chart.screenshot(), BAR_SELECTED)
    assert len(bands) >= 2, bands
    top_px, bottom_px, left_px = bands[-1]
    box = chart.bounding_box()
    pg.mouse.click(box["x"] + left_px + 3, box["y"] + (top_px + bottom_px) / 2)
    picked = pg.get_by_text(re.compile("Huyện đang chọn: ")).first
    picked.wait_for(timeout=WAIT_MS)
    district = re.search(r"Huyện đang chọn: (.+?) — ", picked.inner_text()).group(1)
    expected = shown[shown["district"] == district]
    assert 1 <= len(expected) < len(shown)
    pg.wait_for_function(
        "n => { const g = document.querySelector('[data-testid=\"stDataFrame\"] [aria-rowcount]');"
        " return g && Number(g.getAttribute('aria-rowcount')) === n; }",
        arg=len(expected) + 1, timeout=WAIT_MS)
    cells = pg.locator('[data-testid="stDataFrame"] td').all_inner_texts()
    assert set(expected["code"]) <= set(cells)
    assert not (set(shown["code"]) - set(expected["code"])) & set(cells)
    # the chosen district's communes are outlined on the map, its bar dark, the others light
    frame = _map_frame(pg)
    frame.wait_for_function(f"""n => {{ let k = 0; window.map.eachLayer(l => {{
        if (l.feature && l.options.color === '{HIGHLIGHT_COLOR}') k++; }}); return k === n; }}""",
                            arg=len(expected), timeout=WAIT_MS)
    pg.wait_for_timeout(1000)
    shot = chart.screenshot()
    assert len(_bar_bands(shot, BAR_SELECTED)) == 1 and _bar_bands(shot, BAR_OTHER)
    _first_screen(pg, "layout_border_district_1366.png")

    # the reverse: a commune clicked on the map selects its district
    other = shown[shown["district"] != district].iloc[0]
    x, y = frame.evaluate("""code => { let out = null; window.map.eachLayer(l => {
        if (!out && l.feature && l.feature.properties.code === code
            && l.options.interactive !== false) {
            const p = window.map.latLngToContainerPoint(l.getBounds().getCenter());
            out = [p.x, p.y]; } }); return out; }""", other["code"])
    frame_box = pg.locator("iframe").first.bounding_box()
    pg.mouse.click(frame_box["x"] + x, frame_box["y"] + y)
    pg.get_by_text(f"Huyện đang chọn: {other['district']}").first.wait_for(timeout=WAIT_MS)
    n_other = int((shown["district"] == other["district"]).sum())
    pg.wait_for_function(
        "n => { const g = document.querySelector('[data-testid=\"stDataFrame\"] [aria-rowcount]');"
        " return g && Number(g.getAttribute('aria-rowcount')) === n; }",
        arg=n_other + 1, timeout=WAIT_MS)
    pg.get_by_role("button", name="Bỏ chọn huyện").click()
    pg.wait_for_function(
        "n => { const g = document.querySelector('[data-testid=\"stDataFrame\"] [aria-rowcount]');"
        " return g && Number(g.getAttribute('aria-rowcount')) === n; }",
        arg=len(shown) + 1, timeout=WAIT_MS)

    # a table row chosen: that commune is outlined on the map
    grid = pg.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    pg.wait_for_timeout(500)
    grid_box = grid.bounding_box()
    pg.mouse.click(grid_box["x"] + 16, grid_box["y"] + 35 + 14)  # first row's checkbox
    frame = _map_frame(pg)
    frame.wait_for_function(f"""() => {{ const codes = []; window.map.eachLayer(l => {{
        if (l.feature && l.options.color === '{HIGHLIGHT_COLOR}')
            codes.push(l.feature.properties.code); }});
        return codes.length === 1 && codes[0] === {shown["code"].iloc[0]!r}; }}""",
                            timeout=WAIT_MS)
    assert foreign == [], foreign[:5]


def _warning_shown(frame) -> bool:
    try:
        return frame.evaluate("() => { const w = document.querySelector("
                              "'.bordermap-tile-warning'); return !!w && "
                              "getComputedStyle(w).display !== 'none'; }")
    except Exception:  # noqa: BLE001 - the frame is being replaced
        return False


def test_online_basemap_without_network_warns_on_the_map(laptop):
    pg, foreign = laptop
    _map_frame(pg)
    pg.get_by_role("combobox", name="Nền bản đồ").click()
    pg.get_by_role("option", name="OpenStreetMap (cần Internet)").click()
    pg.get_by_text("Nền bản đồ trực tuyến cần Internet").first.wait_for(timeout=WAIT_MS)
    deadline_ms = WAIT_MS
    while deadline_ms > 0:
        shown = [f for f in pg.frames if "streamlit_folium" in f.url and _warning_shown(f)]
        if shown:
            break
        pg.wait_for_timeout(250)
        deadline_ms -= 250
    else:
        pytest.fail("no warning on the map after the online basemap failed to load")
    assert "Không tải được nền bản đồ trực tuyến" in shown[0].locator(
        ".bordermap-tile-warning").inner_text()
    assert any("tile.openstreetmap.org" in u for u in foreign)  # tried, and had no network
    _first_screen(pg, "layout_offline_warning_1366.png")

