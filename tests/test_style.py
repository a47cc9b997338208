"""The one map style (geo.style): classes, legend colours as seen, line styles, provenance."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.reference import APPROXIMATE_NOTE, SAMPLE_NOTE
from geo import style
from geo._errors import BorderMapError, InvalidArgument


def test_rendered_colour_is_the_alpha_blend():
    # the fault of the issue: #08519c at 0.78 over the Vietnam fill (#fbfaf5) shows as
    # (61, 118, 176), not (8, 81, 156)
    assert style.rendered_color("#08519c", opacity=0.78, background="#fbfaf5") == "#3d76b0"
    assert tuple(int("3d76b0"[i:i + 2], 16) for i in (0, 2, 4)) == (61, 118, 176)
    assert style.rendered_color("#08519c", opacity=1.0) == "#08519c"
    assert style.rendered_color("#000000", opacity=0.0, background="#ffffff") == "#ffffff"
    assert style.rendered_color("#000000", opacity=0.5, background="#ffffff") == "#808080"
    with pytest.raises(InvalidArgument, match="opacity must be in"):
        style.rendered_color("#000000", opacity=1.5)
    with pytest.raises(InvalidArgument, match="colour must be"):
        style.rendered_color("blue")


def test_top_class_swatch_is_not_the_second_class_colour():
    legend = style.build_legend([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], "total_police")
    swatches = [c.swatch for c in legend.classes]
    assert len(set(swatches)) == len(swatches)
    assert swatches[-1] == style.rendered_color(style.PALETTES["total_police"][-1])
    assert swatches[-1] != legend.classes[-1].color


def test_build_legend_known_answer():
    legend = style.build_legend([3, 0, 1, 0, 2, np.nan], "reinforcements", k=2)
    assert legend.edges == [0.0, 1.0, 3.0]
    assert [(c.lo, c.hi, c.count) for c in legend.classes] == [(0.0, 0.0, 2), (1.0, 3.0, 3)]
    assert legend.class_of.tolist() == [1, 0, 1, 0, 1, -1]
    assert legend.title == "Tăng cường"
    assert legend.fill_colors()[-1] == style.NO_DATA_COLOR
    assert legend.fill_colors(rendered=True)[0] == style.rendered_color(legend.colors[1])


def test_build_legend_with_fixed_edges_counts_the_given_values():
    province = style.build_legend(range(0, 20), "total_police")
    district = style.build_legend([0, 1, 19], "total_police", edges=province.edges)
    assert district.edges == province.edges
    assert sum(c.count for c in district.classes) == 3
    assert district.classes[-1].color == province.classes[-1].color


def test_metric_values_and_unknown_metric():
    frame = pd.DataFrame({"border_km_lao": [1.0, np.nan], "border_km_chn": [2.0, 3.0]})
    assert style.metric_values(frame, "border_km").tolist() == [3.0, 3.0]
    with pytest.raises(BorderMapError, match="unknown map metric 'x'"):
        style.metric_values(frame, "x")
    with pytest.raises(BorderMapError, match="no column for metric 'total_police'"):
        style.metric_values(frame, "total_police")


def test_line_styles_for_folium_and_matplotlib():
    lao, chn = style.border_line("LAO", "en"), style.border_line("CHN", "vi")
    assert lao.label == "Vietnam–Laos border" and chn.label == "Biên giới Việt Nam – Trung Quốc"
    assert lao.color == style.BORDER_STYLES["LAO"]["color"] != chn.color
    assert lao.mpl()["linestyle"] == "-" and chn.mpl()["linestyle"][1] == (10 / 2.4, 6 / 2.4)
    assert style.district_line("vi").label == "Ranh giới huyện"


def _frame(**attrs) -> gpd.GeoDataFrame:
    out = gpd.GeoDataFrame({"code": ["1"], "approximate": [False], "note": ["official.gpkg"]},
                           geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4326")
    out.attrs.update(attrs)
    return out


def test_provenance_notes_one_source():
    sample = _frame(approximate=True, sample_roster=True)
    assert style.provenance_notes(sample, lang="en") == [APPROXIMATE_NOTE, SAMPLE_NOTE]
    assert style.provenance_notes(sample, lang="vi", short=True) == [
        "Ranh giới gần đúng", "Dữ liệu mẫu — không phải phân công thực tế"]
    stored = _frame(approximate=False, sample_roster=False, roster_version=3,
                    roster_as_of="2024-05-01")
    assert style.provenance_notes(stored) == []
    kinds = [n.kind for n in style.provenance_notices(stored, details=True)]
    assert kinds == ["roster", "boundaries"]
    assert style.provenance_notes(stored, lang="en", details=True) == [
        "Roster: version 3 (as of 2024-05-01)", "official.gpkg"]
    assert style.provenance_notes(stored, lang="en", details=True, boundary_source="b.gpkg")[1] \
        == "Official boundaries from b.gpkg"
    # no attrs: the approximate column decides
    plain = _frame()
    plain["approximate"] = True
    plain.attrs = {}
    assert [n.kind for n in style.provenance_notices(plain)] == ["approximate"]


def test_no_import_cycle_in_geo():
    """Module-level imports between geo's modules form no cycle (the export package included)."""
    import ast

    from geo.settings import REPO_ROOT

    root = REPO_ROOT / "geo"
    graph: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        name = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)
        name = name.removesuffix(".__init__")
        deps = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("geo"):
                deps.add(node.module)
                deps |= {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name.startswith("geo")}
        graph[name] = deps
    # a package's __init__ importing its own modules is how packages work: only edges
    # from a module to a sibling or another package count
    edges = {m: {d for d in deps if d in graph and d != m and not m.startswith(d + ".")}
             for m, deps in graph.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in edges[node]:
            if state.get(dep) == 1:
                cycles.append(trail[trail.index(dep):] + [dep] if dep in trail else [node, dep])
            elif dep not in state:
                visit(dep, trail + [dep])
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []
    assert "geo.export.model" in graph and "geo.export.pdf" in edges["geo.export.atlas"]
