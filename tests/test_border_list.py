"""Official border-commune lists: validation like a roster, the list deciding the flags.

Known answers (embedded Điện Biên layer, 2020 map): 23 communes are computed
border communes, among them Xã Sín Thầu (03154, China and Laos) and Xã Phu
Luông (03368, Laos); Phường Noong Bua (03124) is computed interior. The good
list below is the 23 computed communes minus Phu Luông plus Noong Bua: two
disagreements, one of each kind.
"""

from __future__ import annotations

import pandas as pd
import pytest

from geo import services
from geo._errors import BorderListError
from geo.border_list import (COMPUTED_UNLISTED, LISTED_INTERIOR, apply_border_list,
                             parse_countries, validate_border_list)
from geo.stores.border_lists import BorderListStore
from geo.tables import coverage_table, filter_coverage

HEADER = "commune_code,country,source\n"
DROPPED, ADDED = "03368", "03124"  # Xã Phu Luông (computed border), Phường Noong Bua (interior)


@pytest.fixture(scope="module")
def computed_codes(tmp_path_factory) -> list[str]:
    flagged = services.flag_communes("Điện Biên", vintage="2020",
                                     home=tmp_path_factory.mktemp("home"))
    codes = sorted(flagged.loc[flagged["border_countries"] != "", "code"])
    assert len(codes) == 23 and DROPPED in codes and ADDED not in codes
    return codes


@pytest.fixture
def good_list(tmp_path, computed_codes) -> str:
    codes = [c for c in computed_codes if c != DROPPED] + [ADDED]
    lines = [f"{c},{'LAO' if c == ADDED else ''},Nghị định 34/2014/NĐ-CP" for c in codes]
    path = tmp_path / "xa_bien_gioi.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _only_error(report, *, row, column, match):
    assert not report.ok and report.listed is None
    assert len(report.errors) == 1, report.to_frame().to_string()
    err = report.errors[0]
    assert (err.row, err.column) == (row, column)
    assert match in err.message, err.message
    return err


# --------------------------------------------------------------------------- validation

def test_unknown_code_is_reported_at_its_row_and_column():
    rep = validate_border_list(HEADER.encode() + b"03154,LAO,x\n99999,LAO,x\n",
                               source_name="list.csv", vintage="2020")
    err = _only_error(rep, row=3, column="commune_code", match="unknown commune code 99999")
    assert str(err).startswith("list.csv, row 3, column 'commune_code': error:")


def test_code_of_the_other_map_says_which_map():
    rep = validate_border_list(HEADER.encode() + b"03154,LAO,x\n", vintage="2025")
    _only_error(rep, row=2, column="commune_code", match="is on the 2020 map")


def test_name_of_the_other_map_says_which_map():
    rep = validate_border_list("commune_name\nPhường Noong Bua\n".encode(), vintage="2025")
    _only_error(rep, row=2, column="commune_name", match="is a unit of the 2020 map")


def test_xlsx_with_vietnamese_headers():
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["Mã xã", "Giáp với", "Nguồn"])
    wb.active.append(["03154", "Lào; Trung Quốc", "NĐ 34/2014"])
    wb.active.append(["3155", "Trung Quốc", "NĐ 34/2014"])
    buf = io.BytesIO()
    wb.save(buf)
    rep = validate_border_list(buf.getvalue(), source_name="list.xlsx", vintage="2020")
    assert rep.ok, rep.to_frame().to_string()
    assert rep.listed.to_dict("list") == {"commune_code": ["03154", "03155"],
                                          "country": ["CHN;LAO", "CHN"],
                                          "source": ["NĐ 34/2014", "NĐ 34/2014"]}


def test_code_of_another_province_is_refused():
    rep = validate_border_list(HEADER.encode() + b"03100,LAO,x\n", vintage="2020")
    _only_error(rep, row=2, column="commune_code", match="outside Tỉnh Điện Biên")


def test_duplicate_commune_names_both_rows():
    rep = validate_border_list(b"commune_name,district\nSin Thau,Muong Nhe\nXa Sin Thau,\n",
                               vintage="2020")
    _only_error(rep, row=3, column="commune_name", match="listed twice (rows 2 and 3)")


def test_unknown_country_and_empty_files():
    rep = validate_border_list(HEADER.encode() + b"03154,Thai Lan,x\n", vintage="2020")
    _only_error(rep, row=2, column="country", match="not a border country")
    _only_error(validate_border_list(b"", vintage="2020"), row=None, column=None,
                match="empty file")
    _only_error(validate_border_list(HEADER.encode(), vintage="2020"), row=None, column=None,
                match="no data rows")
    _only_error(validate_border_list(b"country\nLAO\n", vintage="2020"), row=1,
                column="commune_code (or commune_name)", match="missing required column")


def test_country_words():
    assert parse_countries("Lào; Trung Quốc") == "CHN;LAO"
    assert parse_countries("Campuchia") == "KHM"
    assert parse_countries("Thái Lan") is None


def test_cli_rejects_a_bad_file_and_stores_nothing(cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "03154,LAO,x\n99999,LAO,x\n03154,LAO,x\n", encoding="utf-8")
    res = cli("border-list", "import", bad, "--vintage", "2020", check=False)
    assert res.returncode == 2
    assert "unknown commune code 99999" in res.stdout and "listed twice" in res.stdout
    assert "nothing was stored" in res.stdout
    assert BorderListStore().history().empty
    assert services.current_border_list("Điện Biên", vintage="2020") is None


# --------------------------------------------------------------------------- the list decides

def test_loaded_list_decides_filters_cli_and_exports(cli, good_list, tmp_path, computed_codes):
    res = cli("border-list", "import", good_list, "--vintage", "2020")
    assert "stored as version 1" in res.stdout

    cov = services.load_coverage("Điện Biên", vintage="2020")
    assert cov.attrs["border_source"].startswith("official list Nghị định 34/2014/NĐ-CP")
    border = filter_coverage(cov, border="any")
    assert len(border) == 23
    assert ADDED in set(border["code"]) and DROPPED not in set(border["code"])
    # computed columns stay as they were, beside the list
    row = cov.set_index("code")
    assert row.loc[ADDED, "border_countries"] == "" and row.loc[DROPPED, "border_countries"]
    assert row.loc[ADDED, "border_disagreement"] == LISTED_INTERIOR
    assert row.loc[DROPPED, "border_disagreement"] == COMPUTED_UNLISTED
    assert (cov["border_disagreement"] != "").sum() == 2
    # LAO: the list's country for the added commune; computed ones otherwise
    assert ADDED in set(filter_coverage(cov, border="LAO")["code"])
    assert set(filter_coverage(cov, border="CHN")["code"]) == {"03154", "03155"}
    assert len(filter_coverage(cov, border="none")) == 129 - 23

    table = coverage_table(cov, lang="en")
    assert "Differs from the official list" in table.columns
    assert (table["Differs from the official list"] == "listed but computed interior").sum() == 1

    res = cli("border-communes", "--vintage", "2020")
    out = pd.read_csv(__import__("io").StringIO(res.stdout), dtype=str)
    assert len(out) == 23 and ADDED in set(out["code"]) and DROPPED not in set(out["code"])
    assert "border_disagreement" in out.columns
    assert f"listed but computed interior: Phường Noong Bua ({ADDED})" in res.stderr
    assert f"computed border but not listed: Xã Phu Luông ({DROPPED})" in res.stderr
    assert "Border communes from the official list" in res.stderr

    html = tmp_path / "brief.html"
    cli("export", "--vintage", "2020", "--format", "html", "--country", "any", "--lang", "en",
        "--out", html)
    text = html.read_text(encoding="utf-8")
    assert "Border communes from the official list" in text
    assert "disagree on 2 communes" in text
    assert "Phường Noong Bua" in text and "Xã Phu Luông" in text


def test_history_restore_and_audit(cli, good_list, tmp_path):
    cli("border-list", "import", good_list, "--vintage", "2020")
    other = tmp_path / "short.csv"
    other.write_text(HEADER + "03154,LAO;CHN,x\n", encoding="utf-8")
    cli("border-list", "import", other, "--vintage", "2020")
    cov = services.load_coverage("Điện Biên", vintage="2020")
    assert set(filter_coverage(cov, border="any")["code"]) == {"03154"}

    res = cli("border-list", "restore", "1")
    assert "as version 3" in res.stdout
    history = BorderListStore().history(vintage="2020")
    assert history["version"].tolist() == [1, 2, 3]
    assert history["is_current"].tolist() == [False, False, True]
    assert int(history["restored_from"].iloc[2]) == 1
    cov = services.load_coverage("Điện Biên", vintage="2020")
    assert len(filter_coverage(cov, border="any")) == 23
    # the 2025 map has no list: its flags stay computed
    assert services.load_coverage("Điện Biên", vintage="2025").attrs["border_source"] == \
        "computed"
    res = cli("audit", "--action", "border_list.", "--format", "csv")
    assert res.stdout.count("border_list.import") >= 2 and "border_list.restore" in res.stdout


def test_import_refuses_a_rejected_report():
    rep = validate_border_list(HEADER.encode() + b"99999,LAO,x\n", vintage="2020")
    with pytest.raises(BorderListError, match="nothing was stored"):
        services.import_border_list(rep, actor=services.Actor("tester"))
    assert BorderListStore().history().empty


def test_without_a_list_the_computed_flags_decide():
    frame = pd.DataFrame({"code": ["1", "2"], "border_countries": ["LAO", ""]})
    out = apply_border_list(frame, None)
    assert out["is_border"].tolist() == [True, False]
    assert out["border_disagreement"].tolist() == ["", ""]
    assert out.attrs["border_source"] == "computed"
    assert len(filter_coverage(out, border="any")) == 1


# --------------------------------------------------------------------------- app

@pytest.mark.slow
def test_data_page_loads_a_list_and_the_planners_page_follows_it(computed_codes):
    from streamlit.testing.v1 import AppTest

    from geo.auth import User
    from geo.settings import REPO_ROOT

    def page(name: str) -> AppTest:
        at = AppTest.from_file(str(REPO_ROOT / "pages" / name), default_timeout=120)
        at.session_state["user"] = User("admin", "admin")
        at.session_state["vintage"] = "2020"
        return at.run()

    codes = [c for c in computed_codes if c != DROPPED] + [ADDED]
    body = (HEADER + "".join(f"{c},,Nghị định 34\n" for c in codes)).encode("utf-8")
    at = page("data.py")
    bad = (HEADER + "03154,,x\n99999,,x\n").encode("utf-8")
    at.get("file_uploader")[2].upload("bad.csv", bad, "text/csv")
    at.run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert "99999" in " ".join(shown.astype(str).to_numpy().ravel())
    assert BorderListStore().history().empty
    at.get("file_uploader")[2].upload("list.csv", body, "text/csv")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.button(key="list_accept").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert BorderListStore().history()["version"].tolist() == [1]

    border = page("border.py")
    assert not border.exception, [e.value for e in border.exception]
    notes = " ".join(x.value for x in [*border.info, *border.warning, *border.caption])
    assert "danh sách chính thức" in notes
    table = border.dataframe[-1].value
    assert len(table) == 23 and ADDED in set(table.iloc[:, 0])
