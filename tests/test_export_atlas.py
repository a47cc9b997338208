"""The district atlas (geo.export.atlas, ``python -m geo export --atlas``)."""

from __future__ import annotations

import subprocess
import sys

import geopandas as gpd
import pytest
import shapely
from pdf_text import page_texts

from geo._errors import BorderMapError
from geo.export import export_atlas
from geo.export.atlas import group_units
from geo.settings import REPO_ROOT


def _tiny(districts: bool = True) -> gpd.GeoDataFrame:
    rows = [("03154", "096", "Huyện Mường Nhé"), ("03155", "096", "Huyện Mường Nhé"),
            ("03124", "094", "Thành phố Điện Biên Phủ"), ("03370", "100", "Huyện Điện Biên Đông")]
    return gpd.GeoDataFrame(
        {"code": [r[0] for r in rows], "name": ["Xã A", "Xã B", "Phường C", "Xã D"],
         "district_code": [r[1] if districts else "" for r in rows],
         "district": [r[2] if districts else "" for r in rows], "border_countries": ""},
        geometry=[shapely.box(i, 0, i + 1, 1) for i in range(4)], crs="EPSG:4326")


def test_group_units_by_district_in_name_order():
    groups, former = group_units(_tiny())
    assert not former
    # folded name order: "huyen dien bien dong" < "huyen muong nhe" < "thanh pho …"
    assert [(g.name, g.codes) for g in groups] == [
        ("Huyện Điện Biên Đông", ("03370",)), ("Huyện Mường Nhé", ("03154", "03155")),
        ("Thành phố Điện Biên Phủ", ("03124",))]


def test_group_units_2025_by_former_district():
    from geo.boundaries import load_communes

    units = load_communes("Điện Biên", vintage="2025")
    groups, former = group_units(units)
    assert former and len(groups) == 10
    codes = [c for g in groups for c in g.codes]
    assert sorted(codes) == sorted(units["code"]) and len(codes) == 45  # each unit once
    by_name = {g.name: g for g in groups}
    assert "Huyện Mường Nhé" in by_name and "Thị Xã Mường Lay" in by_name


def test_group_units_without_any_district_is_an_error():
    frame = _tiny(districts=False)
    frame["code"] = ["99991", "99992", "99993", "99994"]  # in no crosswalk
    with pytest.raises(BorderMapError, match="no unit of the province can be placed"):
        group_units(frame)


def test_atlas_is_a_pdf(tmp_path):
    with pytest.raises(BorderMapError, match="has a .png name but the format is pdf"):
        export_atlas(_tiny(), out=tmp_path / "atlas.png")


@pytest.mark.slow
def test_cli_atlas_one_page_per_district(tmp_path):
    """`python -m geo export --atlas`: contents, overview, then one page per district."""
    from geo.registry import load_units

    out = tmp_path / "atlas.pdf"
    proc = subprocess.run([sys.executable, "-m", "geo", "export", "--province", "Điện Biên",
                           "--vintage", "2020", "--atlas", "--out", str(out)],
                          cwd=REPO_ROOT, capture_output=True, text=True, encoding="utf-8",
                          check=False)
    assert proc.returncode == 0, proc.stderr
    districts = sorted(set(load_units("2020", province="11")["district"]))
    assert len(districts) == 10
    texts = page_texts(out)
    assert len(texts) == 2 + len(districts)
    assert "Mục lục" in texts[0] and "Toàn tỉnh: tổng quan" in texts[0]
    for name in districts:
        assert name in texts[0], name  # listed in the contents
    on_pages = {}
    for i, text in enumerate(texts[2:], start=3):
        assert f"Trang {i}/12" in text
        # the subtitle names the page's district: "Huyện Mường Nhé · 11 đơn vị · …"
        named = [d for d in districts if f"{d} · " in text]
        assert len(named) == 1, (i, named)
        on_pages[named[0]] = text
    assert sorted(on_pages) == districts  # each district has a page of its own
    nhe = on_pages["Huyện Mường Nhé"]
    for name in ("Xã Sín Thầu", "Xã Sen Thượng", "Xã Mường Nhé"):
        assert name in nhe
    assert "Xã Mường Chà" not in nhe  # another district's commune is not in its table
    assert "Vị trí trong tỉnh" in nhe and "Dữ liệu mẫu — không phải phân công thực tế." in nhe
    assert "# atlas 12/12: " in proc.stderr  # progress on stderr
    assert proc.stdout.strip() == str(out.resolve())


@pytest.mark.slow
def test_app_atlas_button(tmp_path, monkeypatch):
    """The export control's atlas button gives the same atlas as the command line."""
    from streamlit.testing.v1 import AppTest

    from geo import audit
    from geo.auth import User

    monkeypatch.setenv("BORDERMAP_HOME", str(tmp_path))
    at = AppTest.from_file(str(REPO_ROOT / "pages" / "map.py"), default_timeout=300)
    at.session_state["user"] = User("chi.huy", "commander")
    at.session_state["vintage"] = "2020"  # the district atlas of the 10 districts (2020 map)
    at.session_state["roster_vintage"] = "2020"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.button(key="map_export_atlas").click().run()
    assert not at.exception, [e.value for e in at.exception]
    name, data = at.session_state["map_export_file"]
    assert name == "atlas_2020_total_police.pdf" and data.startswith(b"%PDF")
    (tmp_path / "atlas.pdf").write_bytes(data)
    texts = page_texts(tmp_path / "atlas.pdf")
    assert len(texts) == 12 and "Mục lục" in texts[0]
    details = list(audit.read(5, action="export")["detail"])
    assert any(d.startswith("atlas atlas_2020_total_police.pdf ") and "metric=total_police" in d
               for d in details), details
