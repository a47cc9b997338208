"""End-to-end test: the real app in a real headless Chromium, offline.

Starts ``streamlit run app.py`` on a free local port with its own
``BORDERMAP_HOME``, drives Debian's Chromium with Playwright, and checks that

* the map page draws every commune polygon (read from the Leaflet map object
  inside the st_folium iframe), the legend and the provenance caption, and that
  clicking a commune shows its record;
* choosing "China" in the border filter narrows the table to the China-border
  communes computed by :mod:`geo.coverage`;
* with the offline basemap, the page requests nothing but the local server;
* a new user meets the sign-in page, signs in with the admin password the first
  start prints on the console, must choose a new password first, and a
  commander is not offered the Data page;
* the session lives in an HttpOnly cookie bound to a server-side record: a
  reload keeps it, signing out in one tab ends it in another, a second app
  process on another port sharing the data folder accepts it, and the audit log
  shows the browser's address.

Every request that is not for the local server is recorded and aborted before
it leaves the machine (``page.route``); any such request fails the test.
The app runs from a temporary folder that links ``app.py``, ``pages/``, ``geo/`` and
``.streamlit/`` of the repository, so the offline assets it copies at start-up land in
that folder's ``static/`` (Streamlit serves ``static/`` beside the main script), not in
the source tree. Screenshots go to ``<tmp>/bordermap-test-artifacts/``. There is no skip: a missing Chromium or
Playwright is a failure with a message saying what to install.
"""

from __future__ import annotations

import time

import pytest

from e2e_support import WAIT_MS, _screenshot, _sign_in
from live_server import start_server, stop_server

from geo.coverage import load_coverage

pytestmark = pytest.mark.e2e



@pytest.fixture()
def page(browser, server, admin_password):
    """A fresh page signed in as the first admin; returns (page, requests that left the machine)."""
    base = server[0]
    context = browser.new_context(viewport={"width": 1600, "height": 1400}, locale="vi-VN")
    pg = context.new_page()
    foreign: list[str] = []
    local = (base, base.replace("http://", "ws://"))

    def guard(route):
        url = route.request.url
        if url.startswith(local) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:  # recorded, and never sent
            foreign.append(url)
            route.abort()

    context.route("**/*", guard)
    pg.on("request", lambda req: None if req.url.startswith(
        local + ("data:", "blob:", "about:")) else foreign.append(req.url))
    pg.on("websocket", lambda ws: None if ws.url.startswith(local) else foreign.append(ws.url))
    _sign_in(pg, base, "admin", admin_password)
    try:
        yield pg, foreign
    finally:
        context.close()


def _map_frame(pg):
    """Return the st_folium iframe once its Leaflet map has drawn the commune layer."""
    pg.wait_for_selector("iframe", timeout=WAIT_MS)
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        for frame in pg.frames:
            if "streamlit_folium" in frame.url:
                try:
                    if frame.evaluate("() => !!(window.map && window.map._loaded)"):
                        return frame
                except Exception:  # noqa: BLE001 - the frame is still loading
                    pass
        pg.wait_for_timeout(250)
    pytest.fail("the st_folium map never finished loading")


COMMUNE_CODES_JS = """() => {
    const codes = new Set();
    window.map.eachLayer(l => {
        if (l.feature && l.feature.properties && l.feature.properties.code
            && l.options.interactive !== false) codes.add(l.feature.properties.code);
    });
    return Array.from(codes).sort();
}"""


def test_map_page_draws_every_commune_offline(page, server):
    pg, foreign = page
    cov = load_coverage(vintage="2025")  # the app opens on the map in force
    frame = _map_frame(pg)  # signing in lands on the map page
    frame.wait_for_function(f"() => ({COMMUNE_CODES_JS})().length >= {len(cov)}",
                            timeout=WAIT_MS)
    assert frame.evaluate(COMMUNE_CODES_JS) == sorted(cov["code"])
    assert frame.locator("canvas").count() >= 1  # prefer_canvas: polygons on a canvas
    legend = frame.locator(".bordermap-legend").inner_text()
    for text in ["Tổng số công an", "Biên giới Việt Nam – Lào", "Biên giới Việt Nam – Trung Quốc"]:
        assert text in legend
    assert "Ranh giới gần đúng" in frame.locator(".bordermap-caption").inner_text()
    assert "Ngoại tuyến" in pg.get_by_role("combobox", name="Nền bản đồ").input_value()
    _screenshot(pg, "e2e_map.png")

    # click a commune: its record appears beside the map
    x, y = frame.evaluate("""() => { let out = null; window.map.eachLayer(l => {
        if (!out && l.feature && l.feature.properties.code === '03158'
            && l.options.interactive !== false) {
            const p = window.map.latLngToContainerPoint(l.getBounds().getCenter());
            out = [p.x, p.y]; } }); return out; }""")
    box = pg.locator("iframe").first.bounding_box()
    pg.mouse.click(box["x"] + x, box["y"] + y)
    # the grid is drawn on a canvas; its accessible (hidden) table holds the text
    pg.locator('[data-testid="stDataFrame"] td', has_text="Xã Sín Thầu").first.wait_for(
        state="attached", timeout=WAIT_MS)
    pg.wait_for_timeout(1000)
    _screenshot(pg, "e2e_map_selected.png")
    assert foreign == [], f"requests left the machine with the offline basemap: {foreign[:5]}"


def test_border_page_china_filter_narrows_the_table(page, server):
    pg, foreign = page
    server = server[0]
    cov = load_coverage(vintage="2025")  # the app opens on the map in force
    any_border = cov[cov["border_countries"] != ""]
    china = cov[cov["border_countries"].str.contains("CHN")]
    pg.locator('[data-testid="stSidebarNav"]').get_by_text("Xã biên giới").click()
    pg.get_by_text(f"{len(any_border)} xã phù hợp bộ lọc").wait_for(timeout=WAIT_MS)
    nav = pg.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Xã biên giới" in nav and "common" not in nav  # app.py's menu, not the pages/ folder
    _map_frame(pg)

    pg.get_by_role("combobox", name="Biên giới với").click()
    pg.get_by_role("option", name="Trung Quốc", exact=True).click()
    pg.get_by_text(f"{len(china)} xã phù hợp bộ lọc").wait_for(timeout=WAIT_MS)
    grid = pg.locator('[data-testid="stDataFrame"] [aria-rowcount]').first
    pg.wait_for_function(
        "n => { const g = document.querySelector('[data-testid=\"stDataFrame\"] [aria-rowcount]');"
        " return g && Number(g.getAttribute('aria-rowcount')) === n; }",
        arg=len(china) + 1, timeout=WAIT_MS)
    assert int(grid.get_attribute("aria-rowcount")) == len(china) + 1  # + header row
    cells = pg.locator('[data-testid="stDataFrame"] td').all_inner_texts()
    assert set(china["code"]) <= set(cells)
    assert not (set(any_border["code"]) - set(china["code"])) & set(cells)
    frame = _map_frame(pg)
    frame.wait_for_function(f"() => ({COMMUNE_CODES_JS})().length === {len(china)}",
                            timeout=WAIT_MS)
    assert frame.evaluate(COMMUNE_CODES_JS) == sorted(china["code"])
    _screenshot(pg, "e2e_border_china.png")
    assert foreign == [], f"requests left the machine with the offline basemap: {foreign[:5]}"


def test_recorder_sees_a_tile_request_when_osm_is_chosen(page, server):
    """Control: the request check can fail — OSM tiles are caught (and aborted, never sent)."""
    pg, foreign = page
    _map_frame(pg)
    pg.get_by_role("combobox", name="Nền bản đồ").click()
    pg.get_by_role("option", name="OpenStreetMap (cần Internet)").click()
    deadline = time.monotonic() + WAIT_MS / 1000
    while not any("tile.openstreetmap.org" in u for u in foreign):
        if time.monotonic() > deadline:
            pytest.fail(f"no tile request recorded after choosing OSM: {foreign[:5]}")
        pg.wait_for_timeout(250)


def test_a_commander_is_not_offered_the_data_page(browser, server, admin_password, cli,
                                                  monkeypatch):
    base, _, home = server
    monkeypatch.setenv("BORDERMAP_HOME", str(home))
    cli("users", "add", "chi.huy", "--role", "commander", "--password-stdin",
        stdin="mat-khau-chi-huy\n")
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="vi-VN")
    pg = context.new_page()
    try:
        _sign_in(pg, base, "chi.huy", "mat-khau-chi-huy")
        nav = pg.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Bản đồ lực lượng" in nav and "Dữ liệu" not in nav and "Quản trị" not in nav
        pg.wait_for_timeout(1500)
        assert pg.locator('[data-testid="stFileUploader"]').count() == 0
        # a URL typed by hand: still signed in (the cookie), still no Data page
        pg.goto(f"{base}/data")
        pg.get_by_text("Đăng nhập:").first.wait_for(timeout=WAIT_MS)
        pg.wait_for_timeout(1500)
        assert pg.locator('[data-testid="stFileUploader"]').count() == 0
        _screenshot(pg, "e2e_commander.png")
    finally:
        context.close()


# --------------------------------------------------------------------------- sessions

def _signed_in(pg, timeout: int = WAIT_MS) -> None:
    pg.get_by_text("Đăng nhập:").first.wait_for(timeout=timeout)


def test_reload_keeps_the_session_and_the_cookie_is_httponly(page, server):
    pg, _ = page
    _signed_in(pg)
    cookies = {c["name"]: c for c in pg.context.cookies()}
    session = cookies["bordermap_session"]
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    assert pg.evaluate("document.cookie").find("bordermap_session") == -1  # not for scripts
    pg.reload()
    _signed_in(pg)
    assert pg.get_by_label("Mật khẩu").count() == 0
    pg.goto(server[0] + "/border")  # a URL typed by hand: the same session
    pg.get_by_text("xã phù hợp bộ lọc").first.wait_for(timeout=WAIT_MS)


def test_audit_rows_show_the_browser_address(page, server, monkeypatch):
    pg, _ = page
    base, _, home = server
    monkeypatch.setenv("BORDERMAP_HOME", str(home))
    from geo import audit

    signins = audit.read(50, user="admin", action="signin")
    assert len(signins) >= 2 and set(signins["client"]) == {"127.0.0.1"}
    pg.locator('[data-testid="stSidebarNav"]').get_by_text("Quản trị").click()
    pg.get_by_role("tab", name="Nhật ký").click()
    pg.locator('[data-testid="stDataFrame"] td', has_text="127.0.0.1").first.wait_for(
        state="attached", timeout=WAIT_MS)
    _screenshot(pg, "e2e_audit.png")


def test_sign_out_in_one_tab_ends_the_session_in_another(browser, server, admin_password):
    base = server[0]
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="vi-VN")
    try:
        first = context.new_page()
        _sign_in(first, base, "admin", admin_password)
        second = context.new_page()
        second.goto(base)
        _signed_in(second)
        first.get_by_role("button", name="Đăng xuất").click()
        first.get_by_label("Mật khẩu").wait_for(timeout=WAIT_MS)
        # the other tab notices by itself (the e2e server has it check its session every
        # 2 s, BORDERMAP_SESSION_CHECK_S; the default is 10 s)
        second.get_by_label("Mật khẩu").wait_for(timeout=30_000)
        assert second.get_by_text("Đăng nhập:").count() == 0
        _screenshot(second, "e2e_signed_out_elsewhere.png")
        assert "bordermap_session" not in {c["name"] for c in context.cookies()}
    finally:
        context.close()


def test_a_second_app_process_accepts_the_session(browser, server, admin_password,
                                                  tmp_path_factory):
    base, _, home = server
    second = start_server(home, tmp_path_factory.mktemp("second-log"))
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="vi-VN")
    try:
        pg = context.new_page()
        _sign_in(pg, base, "admin", admin_password)
        pg.goto(second.http)  # another process; the browser sends the same cookie
        _signed_in(pg)
        assert pg.get_by_label("Mật khẩu").count() == 0
        _screenshot(pg, "e2e_second_process.png")
    finally:
        context.close()
        stop_server(second)