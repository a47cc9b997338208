"""Every page and every error path, in Vietnamese and in English, speaks one language.

The walk runs each page under Streamlit's AppTest (signed in as an admin; the sign-in
page as a visitor), drives the error paths — a roster with many kinds of errors, files
refused before parsing, bad boundaries files, a wrong password and a lockout, a weak
password, a bad username — and collects every text the page shows: titles, markdown,
captions, alerts, widget labels and options, table headers, and the messages and
columns of the validation report. The Vietnamese walk fails on a common English word;
the English walk fails on a Vietnamese word that is not a place name (data) or a
Vietnamese term the English catalogue quotes on purpose.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import auth, registry
from geo.auth import User
from geo.i18n import LANGUAGE_NAMES, STRINGS, is_known, localize
from geo.settings import REPO_ROOT

pytestmark = pytest.mark.slow  # ~1 min per language: many AppTest runs

PAGES = REPO_ROOT / "pages"
TIMEOUT = 120
ADMIN = User("quan.tri", "admin")

#: Common English words that never occur in the Vietnamese interface.
ENGLISH = frozenset("""
the and or of is not with without for from are was were be has have this that which
commune communes chief chiefs deputy deputies officer officers reinforcement reinforcements
row rows column columns file files error errors warning warnings version username role
created imported password sign signed upload uploaded refused roster sheet number empty
missing unknown invalid more than only must map accepted bytes too many failed try again
minute minutes message severity user action detail history district province name
area trained disabled updated current source yes header value values data text
""".split())

_QUOTED = re.compile(r"'[^']*'|«[^»]*»|\"[^\"]*\"")
_FILENAME = re.compile(r"[\w.-]+\.(?:csv|xlsx|xls|zip|geojson|json|gpkg|shp|shx|dbf|prj|txt)\b")
_WORD = re.compile(r"[^\W\d_]+")


def _vietnamese(word: str) -> bool:
    return any(ord(c) > 127 and c.isalpha() for c in word)


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


@pytest.fixture(scope="module")
def data_words() -> set[str]:
    """Words of place names (data): units, districts and provinces of both maps."""
    words: set[str] = set()
    for vintage in ("2020", "2025"):
        units = registry.load_units(vintage)
        for column in ("name", "district", "province"):
            if column in units:
                for value in units[column].dropna().unique():
                    words |= _words(str(value))
    return words


@pytest.fixture(scope="module")
def english_catalogue_words() -> set[str]:
    """Vietnamese words the English catalogue quotes on purpose (role titles, có/không…)."""
    words: set[str] = set()
    for key, (_, en) in STRINGS.items():
        if not key.startswith("sheet_"):
            words |= {w for w in _words(en) if _vietnamese(w)}
    for name in LANGUAGE_NAMES.values():
        words |= _words(name)
    return words


def _texts(at: AppTest) -> list[str]:
    """Every text the run shows (data cells of tables excepted, report messages included)."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "error", "warning",
                 "info", "success"):
        out += [str(e.value) for e in getattr(at, kind)]
    for kind in ("button", "checkbox", "radio", "selectbox", "multiselect", "text_input",
                 "toggle", "number_input", "slider", "select_slider"):
        for w in getattr(at, kind):
            out.append(str(w.label))
            for option in getattr(w, "options", []) or []:
                out.append(str(option))
    out += [str(t.label) for t in at.tabs]
    out += [str(m.label) for m in at.metric]
    for kind in ("file_uploader", "download_button", "expander"):
        out += [str(getattr(e.proto, "label", "")) for e in at.get(kind)]
    report_cols = {STRINGS[k][i] for k in ("report_message", "report_column") for i in (0, 1)}
    for frame in at.dataframe:
        value = frame.value
        out += [str(c) for c in value.columns]
        for c in value.columns:
            if c in report_cols:
                out += [str(v) for v in value[c].dropna()]
    return [s for s in out if s]


def _offending(texts: list[str], lang: str, data: set[str], allowed_vi: set[str]) -> list:
    bad = []
    for text in texts:
        clean = _FILENAME.sub(" ", _QUOTED.sub(" ", text))
        words = _words(clean)
        if lang == "vi":
            hits = sorted(words & ENGLISH)
        else:
            hits = sorted(w for w in words if _vietnamese(w) and w not in data
                          and w not in allowed_vi)
        if hits:
            bad.append((hits, text[:200]))
    return bad


def _page(name: str, lang: str, user: User | None = ADMIN, **state) -> AppTest:
    at = AppTest.from_file(str(PAGES / name) if name != "app.py" else
                           str(REPO_ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    if user is not None:
        at.session_state["user"] = user
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


# --------------------------------------------------------------------------- files

def _sample() -> pd.DataFrame:
    return pd.read_csv(REPO_ROOT / "data" / "sample_roster.csv", dtype=str,
                       keep_default_na=False)


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def _many_errors() -> bytes:
    """A 2020 roster with one problem of many kinds (errors and warnings)."""
    f = _sample().drop(columns=["note"])
    f["ho_ten"] = "x"  # personal data column: dropped with a warning
    f["cot_la"] = "y"  # unknown column
    f.loc[0, "commune_code"] = "12ab"  # not a 5-digit code
    f.loc[1, "chiefs"] = "2"  # two chiefs
    f.loc[2, "officers"] = "abc"  # not a number
    f.loc[3, "deputies"] = "-1"  # negative
    f.loc[4, "officers"] = ""  # empty count
    f.loc[5, "officers"] = "2.5"  # not whole
    f.loc[6, "trained"] = "99"  # more trained than staff (warning)
    f.loc[7, "as_of"] = "31/02/2021"  # not a date
    f.loc[8, "commune_code"] = "99999"  # unknown code
    f.loc[9, "commune_code"] = f.loc[10, "commune_code"]  # duplicate
    f.loc[11, "as_of"] = "2091-01-01"  # future date (warning)
    f.loc[12, "commune_name"] = "Xã Không Có"  # name beside the code disagrees
    f.loc[13, "reinforcements"] = "1.000"  # ambiguous thousands separator
    return _csv(f)


def _few_communes() -> bytes:
    """A whole-province roster that lists 3 communes only (plausibility error)."""
    return _csv(_sample().head(3))


def _roster_2025() -> bytes:
    from geo.roster import roster_template

    lines = roster_template(vintage="2025").splitlines()
    return ("\n".join([lines[0]] + [ln.rstrip(",") + ",1,2,5,0,,4,2025-08-01"
                                    for ln in lines[1:]]) + "\n").encode("utf-8")


ROSTER_UPLOADS = [
    ("nhieu_loi.csv", _many_errors),
    ("thieu_xa.csv", _few_communes),
    ("ban_do_2025.csv", _roster_2025),  # checked as the 2020 map: refused
    ("thieu_cot.csv", lambda: b"ghi_chu\n1\n"),  # missing columns
    ("nhi_phan.csv", lambda: b"\x00\x01\x02binary"),  # refused before parsing
    ("gia.xlsx", lambda: b"not a workbook"),  # refused before parsing
    ("rong.csv", lambda: b"commune_code,chiefs,deputies,officers\n"),  # no data rows
]

BOUNDARY_UPLOADS = [
    ("rong.geojson", b'{"type": "FeatureCollection", "features": []}'),
    ("diem.geojson", b'{"type": "FeatureCollection", "features": [{"type": "Feature", '
                     b'"properties": {"ma_xa": "03154"}, "geometry": {"type": "Point", '
                     b'"coordinates": [102.9, 22.3]}}]}'),
    ("khong_zip.zip", b"not a zip"),
    ("hong.shp", b"not a shapefile header"),
]


# --------------------------------------------------------------------------- the walk

def _walk(lang: str) -> list[tuple[str, str]]:
    """Run every page and error path in ``lang``; return (where, text) pairs."""
    seen: list[tuple[str, str]] = []

    def collect(where: str, at: AppTest) -> None:
        _ok(at)
        seen.extend((where, s) for s in _texts(at))

    for name in ("app.py", "map.py", "border.py", "reform.py", "admin.py"):
        collect(name, _page(name, lang))
    collect("map.py 2020", _page("map.py", lang, vintage="2020"))
    collect("border.py 2020", _page("border.py", lang, vintage="2020"))

    # data page: roster uploads with errors, then a valid one accepted (history table)
    for file_name, make in ROSTER_UPLOADS:
        at = _page("data.py", lang, roster_vintage="2020")
        at.get("file_uploader")[0].upload(file_name, make(), "text/csv").run()
        collect(f"data.py {file_name}", at)
    at = _page("data.py", lang, roster_vintage="2020")
    at.get("file_uploader")[0].upload("hop_le.csv", _csv(_sample()), "text/csv").run()
    collect("data.py valid", at)
    at.button(key="roster_accept").click().run()
    collect("data.py accepted", at)
    for file_name, data in BOUNDARY_UPLOADS:
        at = _page("data.py", lang)
        at.get("file_uploader")[1].upload(file_name, data, "application/octet-stream").run()
        collect(f"data.py {file_name}", at)

    # administration: a bad username
    at = _page("admin.py", lang)
    at.text_input(key="new_user_name").input("X Y")
    at.button(key="user_add_submit").click().run()
    collect("admin.py bad user", at)

    # sign-in: a wrong password, then the lockout
    auth.add_user("can.bo", "mat-khau-dai-du-12", role="planner")
    for attempt in range(7):
        at = AppTest.from_file(str(PAGES / "signin.py"), default_timeout=TIMEOUT)
        at.session_state["lang"] = lang
        at.run()
        at.text_input(key="signin_username").input("can.bo")
        at.text_input(key="signin_password").input(f"sai-{attempt}")
        at.button(key="signin_submit").click().run()
        collect(f"signin.py attempt {attempt}", at)
    assert any(STRINGS["signin_locked"][0 if lang == "vi" else 1].split("{")[0] in s
               for w, s in seen if w.startswith("signin")), "the lockout was not reached"

    # password page: a common password, then two that differ
    user = User("can.bo2", "planner")
    auth.add_user("can.bo2", "mat-khau-dai-du-34", role="planner")
    for new, again in (("password1234", "password1234"), ("mot-cum-tu-dai", "khac-han")):
        at = _page("password.py", lang, user=user)
        at.text_input(key="pw_current").input("mat-khau-dai-du-34")
        at.text_input(key="pw_new").input(new)
        at.text_input(key="pw_again").input(again)
        at.button(key="pw_submit").click().run()
        collect("password.py", at)
    return seen


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_page_and_error_path_speaks_one_language(lang, data_words,
                                                       english_catalogue_words):
    seen = _walk(lang)
    texts = [s for _, s in seen]
    assert len(texts) > 200  # the walk reached the pages and the error paths
    bad = [(where, hits, text) for where, s in seen
           for hits, text in _offending([s], lang, data_words, english_catalogue_words)]
    assert not bad, "\n".join(f"{w}: {h}: {t}" for w, h, t in bad[:40])


def test_walk_reaches_the_error_paths():
    """The messages of the walk's error paths all come from the catalogue."""
    from geo.roster import validate_roster
    from geo.uploads import check_upload
    from geo._errors import BorderMapError

    messages: list[str] = []
    for name, make in ROSTER_UPLOADS:
        try:
            check_upload(name, make(), kind="roster")
        except BorderMapError as err:
            messages.append(str(err))
            continue
        report = validate_roster(make(), source_name=name, vintage="2020")
        messages += [p.message for p in report.problems]
        messages += [p.column for p in report.problems
                     if p.column and p.column.startswith("column ")]
    assert len(messages) >= 15
    unknown = [m for m in messages if not is_known(m)]
    assert not unknown, unknown
    assert all(localize(m, "en") == m for m in messages)  # English stays the domain's text


def test_the_vietnamese_check_would_catch_english():
    """The checks are not vacuous: an English message fails the Vietnamese walk, and back."""
    data, allowed = set(), {"ngôn", "ngữ"}
    assert _offending(["2 chiefs; a commune has at most one chief"], "vi", data, allowed)
    assert not _offending([localize("2 chiefs; a commune has at most one chief", "vi")],
                          "vi", data, allowed)
    assert _offending(["Tệp bị từ chối: 3 lỗi"], "en", data, allowed)
    assert not _offending(["Xã Sín Thầu: 3 errors"], "en", {"xã", "sín", "thầu"}, allowed)


def test_column_labels_cover_the_tables():
    from geo.i18n import column_labels
    from geo.roster.columns import ROSTER_COLUMNS
    from geo.stores.rosters import HISTORY_COLUMNS
    from geo.audit import COLUMNS as AUDIT_COLUMNS

    users = ["username", "role", "disabled", "created", "updated"]
    for columns in (ROSTER_COLUMNS, HISTORY_COLUMNS, AUDIT_COLUMNS, users):
        for lang in ("vi", "en"):
            labels = column_labels(columns, lang)
            assert set(labels) == set(columns), set(columns) - set(labels)
    assert column_labels(["sha256", "imported_at"], "vi") == {
        "sha256": "Mã băm SHA-256", "imported_at": "Thời điểm nạp"}
    # an English rendering is the domain's text; a missing template shows through
    assert localize("something new nobody translated", "vi") == "something new nobody translated"
