"""One escaping helper for every data string the app shows as markdown or HTML.

Streamlit renders the text of ``st.markdown``, ``st.write``, ``st.error``,
``st.warning``, ``st.info``, ``st.success``, ``st.caption``, ``st.subheader``
and widget labels as markdown: a commune name read from an uploaded file such as
``![x](http://host/beacon.png) [bấm vào đây](http://evil.example/login)`` would
make the browser fetch an image and show a live link. :func:`escape_markdown`
turns every markdown-active character into a literal one (a backslash escape)
and every ``<``, ``>`` and ``&`` into an HTML entity, so the text is shown exactly
as it was written and nothing in it becomes a link, an image, emphasis, a
heading, a list, HTML, LaTeX, an emoji shortcode or a coloured span.
:func:`escape_html` is the same for text placed into HTML (``html.escape``).

Strings the app writes itself (from :mod:`geo.i18n`) are trusted; every value
that came from a file, a form or the stores passes through here first.
"""

from __future__ import annotations

import html
import re

#: Characters with a meaning in CommonMark, GitHub-flavoured markdown or Streamlit's
#: extensions (``:material/…:`` icons, ``:red[…]`` colours, ``$…$`` LaTeX). ``<``, ``>`` and ``&``
#: are written as HTML entities instead.
MARKDOWN_SPECIAL = "\\`*_{}[]()#+-.!|~:$"

_SPECIAL = re.compile("([" + re.escape(MARKDOWN_SPECIAL) + "])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_URL_SCHEME = re.compile(r"(?i)\b(https?|ftp|mailto|www)(?=[:.])")


def escape_html(text: object) -> str:
    """Return ``text`` with ``&``, ``<``, ``>``, ``"`` and ``'`` as HTML entities."""
    return html.escape("" if text is None else str(text), quote=True)


def escape_markdown(text: object) -> str:
    """Return ``text`` so that markdown (and the HTML inside it) shows it literally.

    Control characters are dropped, newlines become spaces (a value never opens a
    new paragraph or list item), markdown punctuation is backslash-escaped, HTML
    is entity-escaped, and a URL scheme is broken with a zero-width joiner so no
    renderer turns a bare address into a link.

    Examples
    --------
    >>> escape_markdown("[x](http://a.b)") == "\\\\[x\\\\]\\\\(http\\u2060\\\\://a\\\\.b\\\\)"
    True
    >>> escape_markdown("Xã Sín Thầu")
    'Xã Sín Thầu'
    """
    value = "" if text is None else str(text)
    value = _CONTROL.sub("", value.replace("\r\n", " ").replace("\n", " ").replace("\r", " "))
    value = _URL_SCHEME.sub(lambda m: m.group(1) + "\u2060", value)
    value = _SPECIAL.sub(r"\\\1", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_list(values, *, limit: int | None = None, sep: str = ", ") -> str:
    """Return ``values`` escaped with :func:`escape_markdown` and joined (first ``limit``)."""
    items = list(values)[:limit] if limit is not None else list(values)
    return sep.join(escape_markdown(v) for v in items)
