"""Finding 7: markdown and HTML from data files are shown as text, never rendered.

Each data string the pages show goes through :func:`geo.escape.escape_markdown`.
The check renders what the page sent with a CommonMark renderer (raw HTML
allowed, as a browser would get it) and looks for links, images and tags.
"""

from __future__ import annotations

import io

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from geo.auth import User
from geo.coverage import load_coverage
from geo.escape import escape_html, escape_list, escape_markdown
from geo.settings import REPO_ROOT

PAGES = REPO_ROOT / "pages"
TIMEOUT = 120

#: What a hostile boundary file put in a commune name (the finding), and relatives.
HOSTILE = [
    "![x](http://127.0.0.1:9/beacon.png) [bấm vào đây](http://evil.example/login)",
    "<img src=x onerror=alert(1)><script>alert(2)</script>",
    "<http://evil.example/auto> www.evil.example https://evil.example/bare",
    "[ref]: http://evil.example/ref\n\n[ref]",
    "# heading\n- item\n> quote\n1. list",
    "**bold** _it_ `code` ~~strike~~ :red[colour] :material/warning: $x^2$",
    "a | b\n---|---\nc | d",
    "&lt;b&gt; &amp; &#x3C;script&#x3E;",
]

MD = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def _active(html: str, *, page_bold: bool = False) -> list[str]:
    """Return the rendering-active tags found in rendered HTML (should be none).

    ``page_bold``: the page's own labels may be bold (``**Không khớp:**``).
    """
    found = []
    tags = ("<a ", "<img", "<script", "<h1", "<ul", "<ol", "<blockquote", "<em", "<code",
            "<table", "<del", "<li") + (() if page_bold else ("<strong",))
    for tag in tags:
        if tag in html:
            found.append(tag)
    return found


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_markdown_renders_as_the_same_text_and_nothing_else(text):
    html = MD.render(escape_markdown(text))
    assert _active(html) == [], html
    # the words are still there for the reader (one line; URL schemes carry a word joiner)
    visible = html.replace("\u2060", "")
    for word in ("bấm vào đây", "evil.example", "alert(2)", "heading", "colour"):
        if word in text:
            assert word in visible or word.replace("(", "(") in visible


def test_control_and_plain_vietnamese_text():
    assert escape_markdown("Xã Sín Thầu") == "Xã Sín Thầu"
    assert escape_markdown("a\x1b[2Jb\nc") == "a\\[2Jb c"
    assert escape_markdown(None) == ""
    assert escape_html('<a href="x">') == "&lt;a href=&quot;x&quot;&gt;"
    assert escape_list(["[a](b)", "c"], limit=1) == "\\[a\\]\\(b\\)"


def _texts(at: AppTest) -> list[str]:
    """Every markdown-rendered body the page sent (markdown, captions, alerts, headings)."""
    out = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "title",
                 "header", "subheader"):
        out += [el.value for el in getattr(at, kind)]
    return out


def _page(name: str, user: User | None = User("tester", "planner")) -> AppTest:
    at = AppTest.from_file(str(PAGES / name), default_timeout=TIMEOUT)
    at.session_state["vintage"] = "2020"  # the fixtures carry 2020 commune codes
    if user is not None:
        at.session_state["user"] = user
    return at


def _boundaries_with(names: list[str]) -> bytes:
    cov = load_coverage(vintage="2020")
    official = cov[["code", "geometry"]].rename(columns={"code": "ma_xa"}).copy()
    extra = official.iloc[: len(names)].copy()
    extra["ma_xa"] = names
    buffer = io.BytesIO()
    import pandas as pd

    pd.concat([official, extra]).to_file(buffer, driver="GeoJSON", engine="pyogrio")
    return buffer.getvalue()


def test_hostile_names_in_a_boundary_file_are_shown_as_text_on_every_page():
    at = _page("data.py").run()
    at.get("file_uploader")[1].upload("ranh_gioi.geojson", _boundaries_with(HOSTILE),
                                      "application/geo+json").run()
    assert not at.exception, [e.value for e in at.exception]
    texts = _texts(at)
    shown = [s for s in texts if "bấm vào đây" in s]
    assert shown, texts  # the unmatched names are listed (so this check can fail)
    for body in texts:
        assert _active(MD.render(body), page_bold=True) == [], body
    # accepted: the map and border pages name the file in a caption, the data page too
    at.button(key="bnd_accept").click().run()
    assert not at.exception
    for name in ("map.py", "border.py", "data.py"):
        page = _page(name).run()
        assert not page.exception, [e.value for e in page.exception]
        for body in _texts(page):
            assert _active(MD.render(body), page_bold=True) == [], (name, body)


def test_error_messages_quoting_a_file_are_escaped():
    at = _page("data.py").run()
    at.get("file_uploader")[1].upload("x.geojson", b'{"type": "FeatureCollection", '
                                      b'"features": []}', "application/geo+json").run()
    assert at.error
    for body in _texts(at):
        assert _active(MD.render(body), page_bold=True) == [], body


def test_unescaped_text_would_have_rendered():
    """Control: the check sees a link and an image in the finding's raw value."""
    assert {"<a ", "<img"} <= set(_active(MD.render(HOSTILE[0])))
