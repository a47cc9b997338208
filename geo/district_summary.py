"""Per-district summary and its bar chart, for the planners' linked views.

:func:`district_summary` counts communes, border communes and the roster
figures per district of a (filtered) coverage frame; :func:`district_chart`
draws it as a horizontal bar chart whose bars can be clicked (an Altair point
selection on ``district``); the selected districts are drawn dark, the others
light. :func:`chart_selection` reads the clicked district back from the
chart's selection state, :func:`district_of` maps a clicked commune to its
district.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Mapping

import altair as alt
import pandas as pd

from geo._errors import BorderMapError
from geo.border_list import border_in_use
from geo.i18n import metric_label, t

log = logging.getLogger(__name__)

#: Name of the chart's point selection (the key of the selection in Streamlit's state).
SELECTION = "district_pick"

#: Figures summed per district, besides the commune counts.
SUMMED = ("total_police", "staffing_gap", "reinforcements", "chiefs", "deputies", "officers")

#: Metrics the chart can show (the summary's columns).
CHART_METRICS = ("total_police", "staffing_gap", "reinforcements", "border_communes",
                 "communes")

#: The chart's metric for each map metric (a rate or a length is not summed per district).
CHART_METRIC_OF = {"police_per_100km2": "total_police", "border_km": "border_communes"}

BAR_SELECTED = "#08519c"
BAR_OTHER = "#9ecae1"


def district_summary(cov: pd.DataFrame) -> pd.DataFrame:
    """Return one row per district: communes, border communes and summed figures.

    Parameters
    ----------
    cov : DataFrame or GeoDataFrame
        Coverage frame (possibly filtered) with ``district`` and the roster columns.

    Returns
    -------
    pandas.DataFrame
        Columns ``district``, ``communes``, ``border_communes`` and those of
        :data:`SUMMED` present in ``cov``; sorted by district name. Empty when no
        commune has a district (the 2025 map).

    Examples
    --------
    >>> frame = pd.DataFrame({"district": ["A", "A", "B"], "border_countries": ["LAO", "", ""],
    ...                       "total_police": [3, 4, 5]})
    >>> district_summary(frame)[["district", "communes", "border_communes", "total_police"]]
      district  communes  border_communes  total_police
    0        A         2                1             7
    1        B         1                0             5
    """
    summed = [c for c in SUMMED if c in cov]
    columns = ["district", "communes", "border_communes", *summed]
    if "district" not in cov:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame({
        "district": cov["district"].fillna("").astype(str).to_numpy(),
        "communes": 1,
        "border_communes": border_in_use(cov).astype(int) if "border_countries" in cov else 0,
    })
    for col in summed:
        frame[col] = pd.to_numeric(cov[col], errors="coerce").fillna(0).to_numpy()
    frame = frame[frame["district"] != ""]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    out = frame.groupby("district", sort=True).sum().reset_index()
    for col in columns[1:]:
        out[col] = out[col].astype(int)
    log.info("district summary: %d districts, %d communes", len(out), int(out["communes"].sum()))
    return out[columns]


def chart_metric(map_metric: str) -> str:
    """Return the chart metric that goes with the map's ``map_metric``.

    Examples
    --------
    >>> chart_metric("staffing_gap"), chart_metric("police_per_100km2")
    ('staffing_gap', 'total_police')
    """
    return CHART_METRIC_OF.get(map_metric, map_metric if map_metric in CHART_METRICS
                               else "total_police")


def district_of(cov: pd.DataFrame, code: object) -> str | None:
    """Return the district of the commune ``code`` (None when unknown or without district)."""
    if code is None or "district" not in cov:
        return None
    rows = cov.loc[cov["code"].astype(str) == str(code), "district"]
    if rows.empty or pd.isna(rows.iloc[0]) or not str(rows.iloc[0]):
        return None
    return str(rows.iloc[0])


def _chart_label(metric: str, lang: str) -> str:
    if metric in ("communes", "border_communes"):
        return t(f"col_{metric}", lang)
    return metric_label(metric, lang)


def district_chart(summary: pd.DataFrame, *, metric: str = "total_police",
                   selected: Iterable[str] = (), lang: str = "vi",
                   height: int | None = None) -> alt.Chart:
    """Return the clickable bar chart of ``metric`` per district.

    Parameters
    ----------
    summary : DataFrame
        :func:`district_summary`.
    metric : str
        One of :data:`CHART_METRICS`.
    selected : iterable of str
        Districts drawn highlighted (dark bars); with none, every bar is dark.
    lang : {"vi", "en"}
        Language of the axis titles.
    height : int, optional
        Chart height in pixels; default 22 px per district.

    Raises
    ------
    BorderMapError
        If ``metric`` is not one of :data:`CHART_METRICS`.
    """
    if metric not in CHART_METRICS:
        raise BorderMapError(f"unknown chart metric {metric!r}; use one of "
                             f"{', '.join(CHART_METRICS)}")
    chosen = {str(d) for d in selected}
    data = summary.copy()
    if metric not in data:
        data[metric] = 0
    data["highlight"] = data["district"].isin(chosen) if chosen else True
    data["label"] = data["district"].str.replace(r"^(Huyện|Thị xã|Thành phố) ", "", regex=True)
    pick = alt.selection_point(name=SELECTION, fields=["district"], on="click", empty=False)
    title = _chart_label(metric, lang)
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=160)),
        x=alt.X(f"{metric}:Q", title=title, axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.condition(alt.datum.highlight, alt.value(BAR_SELECTED), alt.value(BAR_OTHER)),
        tooltip=[alt.Tooltip("district:N", title=t("col_district", lang)),
                 alt.Tooltip("communes:Q", title=t("col_communes", lang)),
                 alt.Tooltip("border_communes:Q", title=t("col_border_communes", lang)),
                 alt.Tooltip(f"{metric}:Q", title=title)],
    ).add_params(pick).properties(height=height or chart_height(len(data)))
    return chart


def chart_height(districts: int) -> int:
    """Return the bar chart's plot height for ``districts`` bars (px, without the axis)."""
    return max(26 * districts, 52)


def chart_selection(state: Mapping | None) -> str | None:
    """Return the district clicked in the chart, from its Streamlit selection state.

    ``state`` is what ``st.altair_chart(..., on_select=...)`` keeps under its key:
    ``{"selection": {SELECTION: [{"district": ...}]}}``; None when nothing is picked.
    """
    try:
        picked = (state or {}).get("selection", {}).get(SELECTION) or []
    except AttributeError:
        return None
    for item in picked:
        if isinstance(item, Mapping) and item.get("district"):
            return str(item["district"])
    return None


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def selected_text(district: str, count: int, *, lang: str = "vi") -> str:
    r"""Return the "selected district" line for Streamlit markdown, the name escaped.

    A district name is data: markdown characters in it are backslash-escaped, so
    it is shown as written and never becomes a link, an image or markup.

    Examples
    --------
    >>> print(selected_text("Huyện [x](http://a)", 2, lang="en"))
    Selected district: **Huyện \[x\]\(http\://a\)** — 2 communes
    """
    return t("district_selected", lang, district=_MARKDOWN_SPECIAL.sub(r"\\\1", str(district)),
             count=count)


def selection_key(prefix: str, codes: Iterable[str]) -> str:
    """Return a widget key that changes when the set of rows ``codes`` changes.

    A table whose rows change gets a new key, so a row selection made on the
    old rows is never applied to the new ones.
    """
    digest = hashlib.sha1("\n".join(sorted(str(c) for c in codes)).encode("utf-8"))
    return f"{prefix}_{digest.hexdigest()[:12]}"
