"""Standalone HTML briefing: the interactive map, inlined, with a header and the tables.

The map is :func:`geo.maps.build_coverage_map` of the selected communes on the
offline basemap, made self-contained by :func:`geo.offline_assets.inline_map_html`.
The briefing header, the table of the selected communes and the totals are
rendered from one Jinja2 template with autoescaping (every data string is
escaped there) and placed into the map's own branca ``Figure``: the header
before the map, the tables after it, the stylesheet in ``<head>`` and the
title in ``<title>`` — no string splicing of the rendered page.
"""

from __future__ import annotations

import html
import logging

from branca.element import Element, MacroElement
from jinja2 import Environment
from markupsafe import Markup

from geo.export.model import (
    Briefing,
    table_columns,
    table_rows,
    totals_header,
    totals_notes,
    totals_rows,
)

log = logging.getLogger(__name__)



def _escape(value: object) -> Markup:
    """Escape like :func:`html.escape` (``&quot;``, ``&#x27;``), the project's one escaping."""
    return value if isinstance(value, Markup) else Markup(html.escape(str(value), quote=True))


_ENV = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, finalize=_escape)

STYLE = """<style>
.bm-brief{font-family:"DejaVu Sans","Noto Sans",Arial,sans-serif;font-size:13px;color:#222;
 margin:8px 12px}
.bm-brief h1{font-size:19px;margin:4px 0}
.bm-brief h2{font-size:15px;margin:12px 0 2px 0}
.bm-brief .bm-sub{margin:2px 0;color:#333}
.bm-brief .bm-marking{color:#b00000;font-weight:bold;border:2px solid #b00000;padding:2px 10px;
 display:inline-block;margin:4px 0;letter-spacing:1px}
.bm-brief .bm-center{text-align:center}
.bm-brief .bm-note{color:#7a1f1f;font-style:italic;margin:2px 0}
.bm-brief table{border-collapse:collapse;margin-top:8px}
.bm-brief th,.bm-brief td{border:1px solid #bbb;padding:2px 6px;text-align:left}
.bm-brief td.n{text-align:right}
.bm-brief tr:nth-child(even) td{background:#f4f4f4}
.folium-map{height:75vh !important}
</style>"""

HEADER = _ENV.from_string("""
<div class="bm-brief">
{% if marking %}
<div class="bm-center"><span class="bm-marking">{{ marking }}</span></div>
{% endif %}
<h1>{{ title }}</h1>
<p class="bm-sub">{{ subtitle }}</p><p class="bm-sub">{{ filters }}</p>
<p class="bm-sub">{{ dates }}</p>
{% for note in notes %}<p class="bm-note">{{ note }}</p>{% endfor %}
</div>
""")

TABLES = _ENV.from_string("""
<div class="bm-brief">
<h2>{{ table_title }}</h2>
<table class="bm-table"><thead><tr>
{%- for c in columns %}<th>{{ c.title }}</th>{% endfor -%}
</tr></thead>
<tbody>
{% for code, cells in rows %}
<tr data-code="{{ code }}">
{%- for c, v in zip(columns, cells) -%}
<td{% if c.numeric %} class="n"{% endif %}>{{ v }}</td>
{%- endfor -%}
</tr>
{% endfor %}
</tbody></table>
<h2>{{ totals_title }}</h2>
<table class="bm-totals"><thead><tr>
{%- for h in totals_head %}<th>{{ h }}</th>{% endfor -%}
</tr></thead>
<tbody>
{% for row in totals %}
<tr>
{%- for v in row -%}
<td{% if not loop.first %} class="n"{% endif %}>{{ v }}</td>
{%- endfor -%}
</tr>
{% endfor %}
</tbody></table>
{% for note in sources %}<p class="bm-note">{{ note }}</p>{% endfor %}
{% if marking %}
<div class="bm-center"><span class="bm-marking">{{ marking }}</span></div>
{% endif %}
</div>
""")


class _AfterMap(MacroElement):
    """Adds fixed HTML to the page body when rendered, i.e. after the map's own ``<div>``."""

    def __init__(self, html_text: str) -> None:
        super().__init__()
        self._name = "BriefingTables"
        self.html_text = html_text

    def render(self, **kwargs) -> None:  # noqa: D102 - branca hook
        self.get_root().html.add_child(Element(self.html_text), name=self.get_name())


def header_html(brief: Briefing) -> str:
    """Return the briefing header (marking, title, subtitle, filters, dates, notes) as HTML."""
    return HEADER.render(marking=brief.marking, title=brief.title, subtitle=brief.subtitle,
                         filters=brief.filters, dates=brief.dates_line(), notes=brief.notes)


def tables_html(brief: Briefing) -> str:
    """Return the table of selected communes, the totals and their notes as HTML."""
    text = brief.text
    rows = table_rows(brief)
    return TABLES.render(
        table_title=text["table_title"].format(n=len(rows)), rows=rows, zip=zip,
        columns=table_columns(brief.lang, with_district=brief.has_districts,
                         carried=bool(brief.cov.attrs.get("carried_over"))),
        totals_title=text["totals_title"], totals_head=totals_header(brief.lang),
        totals=totals_rows(brief), sources=totals_notes(brief), marking=brief.marking)


def briefing_html(brief: Briefing) -> str:
    """Return the standalone HTML briefing: the Folium map, inlined, with header and tables.

    Parameters
    ----------
    brief : Briefing

    Returns
    -------
    str
        One HTML document, no remote script or stylesheet, ``<title>`` = the
        briefing's title.
    """
    from geo.maps import build_coverage_map
    from geo.offline_assets import inline_map_html

    m = build_coverage_map(brief.cov.loc[brief.selected], metric=brief.metric, lang=brief.lang,
                           tiles="offline")
    figure = m.get_root()
    figure.title = html.escape(brief.title)  # branca's template does not escape
    figure.header.add_child(Element(STYLE), name="bordermap_briefing_style")
    figure.html.add_child(Element(header_html(brief)), name="bordermap_briefing_header")
    figure.add_child(_AfterMap(tables_html(brief)))
    page = inline_map_html(m)
    log.info("briefing html: %d communes, %d bytes", int(brief.selected.sum()), len(page))
    return page


__all__ = ["briefing_html", "header_html", "tables_html"]
