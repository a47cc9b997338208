"""Province scope of an account: how it is typed, stored, defaulted, mapped and changed.

The scope is stored as 2020 province codes (``["*"]`` = whole country) and works on
both maps; the access tests on both backends are in ``tests/stores/test_access_scope.py``.
"""

from __future__ import annotations

import json

import pytest

from geo import audit, auth, passwords, services
from geo._errors import AuthError, ScopeDenied
from geo.auth import User
from geo.reference import LAND_BORDER_PROVINCES_2020
from geo.scope import (
    allowed_provinces,
    check_province,
    describe_scope,
    parse_scope,
    province_choices,
    restrict_provinces,
)
from geo.stores.sessions import SessionStore

PW = "correct horse battery"


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch):
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)


@pytest.mark.parametrize("typed, stored", [
    ("Lai Châu", ("12",)),
    ("lai chau", ("12",)),
    ("LAI CHAU, Điện Biên", ("11", "12")),
    ("Tỉnh Điện Biên,dien bien", ("11",)),
    ("12", ("12",)),
    ("Thừa Thiên Huế", ("46",)),
    ("all", ("*",)),
    ("Toàn quốc", ("*",)),
    ("Lai Châu,all", ("*",)),
    ("border", tuple(sorted(LAND_BORDER_PROVINCES_2020))),
])
def test_scopes_are_typed_as_names_with_or_without_diacritics(typed, stored):
    assert parse_scope(typed) == stored


@pytest.mark.parametrize("typed, error", [
    ("", "empty scope"), (" , ", "empty scope"), ("Atlantis", "no province named 'Atlantis'"),
    ("99", "no province with code '99'"),
])
def test_a_scope_naming_no_province_is_refused(typed, error):
    with pytest.raises(AuthError, match=error):
        parse_scope(typed)


def test_a_scope_works_on_both_maps():
    ha_giang = services.Actor("hg", scope=frozenset(parse_scope("Hà Giang")))
    assert allowed_provinces(ha_giang, "2020") == {"02"}
    assert allowed_provinces(ha_giang, "2025") == {"08"}  # merged into Tuyên Quang
    lai_chau = services.Actor("lc", scope=frozenset({"12"}))
    assert allowed_provinces(lai_chau, "2025") == {"12"}  # not merged, same code
    assert check_province(ha_giang, "Tuyên Quang", vintage="2025") == "08"
    with pytest.raises(ScopeDenied):
        check_province(ha_giang, "Tuyên Quang", vintage="2020")  # the old Tuyên Quang
    assert allowed_provinces(services.os_actor(), "2025") is None  # the CLI operator


def test_pickers_offer_only_the_scope_border_provinces_first():
    two = services.Actor("x", scope=frozenset({"01", "12"}))
    assert province_choices(two, "2020") == ["12", "01"]
    everything = province_choices(None, "2020")
    assert len(everything) == 63
    assert set(everything[:25]) == set(LAND_BORDER_PROVINCES_2020)
    assert len(province_choices(None, "2025")) == 34


def test_several_provinces_are_reduced_to_the_scope_or_refused():
    lc = services.Actor("lc", scope=frozenset({"12"}))
    assert restrict_provinces(lc, "all", vintage="2020") == "12"
    assert restrict_provinces(lc, "border", vintage="2020") == "12"
    assert restrict_provinces(lc, "lai chau", vintage="2020") == "12"
    with pytest.raises(ScopeDenied, match=r"Tỉnh Điện Biên \(11\) is outside"):
        restrict_provinces(lc, "Lai Châu,Điện Biên", vintage="2020")
    hanoi = services.Actor("hn", scope=frozenset({"01"}))
    with pytest.raises(ScopeDenied):  # no border province in scope
        restrict_provinces(hanoi, "border", vintage="2020")
    assert restrict_provinces(None, "all", vintage="2020") is None


def test_accounts_without_a_scope_get_the_safe_default(_bordermap_home):
    """Accounts made before scopes: admins the whole country, others Điện Biên only."""
    auth.add_user("boss", PW, role="admin")
    auth.add_user("alice", PW, role="planner")
    auth.add_user("chi.huy", PW, role="commander")
    raw = json.loads((_bordermap_home / "users.json").read_text())
    assert all("scope" not in rec for rec in raw["users"].values())
    assert auth.account("boss").provinces == ("*",)
    assert auth.account("alice").provinces == ("11",)
    assert auth.account("chi.huy").provinces == ("11",)
    assert services.actor_for_user(auth.account("alice")).scope == {"11"}
    assert services.actor_for_user(auth.account("boss")).scope is None
    assert services.actor_for_user(None).scope == frozenset()  # nobody signed in: nothing


def test_scope_is_stored_as_a_plain_list_and_read_back(_bordermap_home):
    user = auth.add_user("lc.planner", PW, role="planner", scope="Lai Châu")
    assert user.scope == ("12",)
    raw = json.loads((_bordermap_home / "users.json").read_text())
    assert raw["users"]["lc.planner"]["scope"] == ["12"]
    assert auth.account("lc.planner") == User("lc.planner", "planner", scope=("12",))
    signed_in = auth.authenticate("lc.planner", PW, client_id="c")
    assert signed_in.scope == ("12",)


def test_a_malformed_stored_scope_makes_the_users_file_unreadable(_bordermap_home):
    auth.add_user("alice", PW, role="planner")
    path = _bordermap_home / "users.json"
    raw = json.loads(path.read_text())
    raw["users"]["alice"]["scope"] = "Lai Châu"  # a string, not a list of codes
    path.write_text(json.dumps(raw))
    with pytest.raises(AuthError, match="user 'alice': scope must be a list"):
        auth.account("alice")


def test_changing_a_scope_is_audited_and_ends_the_sessions():
    auth.add_user("boss", PW, role="admin")
    auth.add_user("alice", PW, role="planner")
    store = SessionStore()
    token = store.create("alice", client="c", lifetime_s=3600)
    assert auth.set_scope("alice", "Lai Châu, Điện Biên", actor="boss") == ("11", "12")
    assert store.lookup(token, idle_s=600) is None
    event = audit.read(1, action="users.scope").iloc[0]
    assert (event["user"], event["detail"]) == ("boss", "alice default->11,12")
    with pytest.raises(AuthError, match="no user 'ghost'"):
        auth.set_scope("ghost", "all")


def test_cli_users_add_set_scope_and_list(cli):
    out = cli("users", "add", "lc.planner", "--role", "planner", "--scope", "lai chau,Điện Biên",
              "--password-stdin", stdin=PW + "\n").stdout
    assert out == "added lc.planner (planner, Điện Biên, Lai Châu)\n"
    cli("users", "add", "chi.huy", "--role", "commander", "--password-stdin", stdin=PW + "\n")
    assert cli("users", "set-scope", "chi.huy", "all").stdout == \
        "chi.huy may now see: whole country\n"
    listed = cli("users", "list").stdout.splitlines()
    assert listed[0].startswith("username,role,scope,")
    assert listed[1].startswith("chi.huy,commander,*,")
    assert listed[2].startswith('lc.planner,planner,"11,12",')
    bad = cli("users", "set-scope", "chi.huy", "Atlantis", check=False)
    assert bad.returncode == 2 and "no province named 'Atlantis'" in bad.stderr
    assert auth.account("chi.huy").provinces == ("*",)  # unchanged
    assert describe_scope(("12",), lang="vi") == "Lai Châu"
    assert list(audit.read(10, action="users.")["action"]) == [
        "users.scope", "users.add", "users.add"]


def test_oidc_groups_and_emails_grant_a_scope(_bordermap_home):
    (_bordermap_home / "roles.json").write_text(json.dumps({
        "groups": {"ca-lai-chau": "planner", "bo-cong-an": "admin"},
        "emails": {"an@ca.vn": "commander"},
        "group_scopes": {"ca-lai-chau": "Lai Châu", "bo-cong-an": "all"},
        "email_scopes": {"An@CA.vn": "Điện Biên,Lai Châu"},
    }), encoding="utf-8")
    planner = auth.user_from_identity({"email": "p@ca.vn", "groups": ["ca-lai-chau"]})
    assert (planner.role, planner.provinces) == ("planner", ("12",))
    commander = auth.user_from_identity({"email": "an@ca.vn"})
    assert (commander.role, commander.provinces) == ("commander", ("11", "12"))
    hq = auth.user_from_identity({"email": "hq@ca.vn", "groups": ["bo-cong-an", "ca-lai-chau"]})
    assert (hq.role, hq.provinces) == ("admin", ("*",))
    (_bordermap_home / "roles.json").write_text(json.dumps({
        "groups": {"ca": "planner"}}), encoding="utf-8")
    unmapped = auth.user_from_identity({"email": "x@ca.vn", "groups": ["ca"]})
    assert unmapped.scope is None and unmapped.provinces == ("11",)  # the role's default


def test_a_role_map_scope_naming_no_province_is_refused(_bordermap_home):
    (_bordermap_home / "roles.json").write_text(json.dumps({
        "groups": {"ca": "planner"}, "group_scopes": {"ca": "Atlantis"}}), encoding="utf-8")
    with pytest.raises(AuthError, match="group_scopes.ca: scope: no province named"):
        auth.user_from_identity({"email": "x@ca.vn", "groups": ["ca"]})


def test_an_admin_sets_a_scope_on_the_administration_page():
    from streamlit.testing.v1 import AppTest

    from geo.settings import REPO_ROOT

    auth.add_user("quan.tri", PW, role="admin")
    auth.add_user("alice", PW, role="planner")
    at = AppTest.from_file(str(REPO_ROOT / "pages" / "admin.py"), default_timeout=120)
    at.session_state["user"] = auth.account("quan.tri")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    users = at.dataframe[0].value
    assert users.set_index("Tên đăng nhập").loc["alice", "Phạm vi (mã tỉnh 2020)"] == \
        "11 (default)"
    at.selectbox(key="admin_target").select("alice")
    at.text_input(key="admin_scope").input("lai chau, Điện Biên")
    at.button(key="admin_set_scope").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("alice giờ được xem: Điện Biên, Lai Châu" in s.value for s in at.success)
    assert auth.account("alice").scope == ("11", "12")
    event = audit.read(1, action="users.scope").iloc[0]
    assert (event["user"], event["detail"]) == ("quan.tri", "alice default->11,12")
    at.text_input(key="admin_scope").input("Atlantis")
    at.button(key="admin_set_scope").click().run()
    assert any("không có tỉnh nào tên 'Atlantis'" in e.value for e in at.error)
    assert auth.account("alice").scope == ("11", "12")


def test_the_sidebar_picker_offers_only_the_accounts_provinces():
    from streamlit.testing.v1 import AppTest

    from geo.settings import REPO_ROOT

    auth.add_user("chi.huy", PW, role="commander", scope="Lai Châu,Điện Biên")
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=300)
    at.session_state["user"] = auth.account("chi.huy")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    picker = at.sidebar.selectbox(key="province_2025__vi")
    assert picker.label == "Tỉnh" and picker.options == ["Điện Biên", "Lai Châu"]
    assert picker.value == "11"  # Điện Biên first when in scope
    assert {m.label: m.value for m in at.metric}["Số xã"] == "45"
    # a province outside the scope, forced into the session, is replaced by one in it
    at.session_state["province_2025"] = "01"  # Hà Nội
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["province_2025"] == "11"
    assert {m.label: m.value for m in at.metric}["Số xã"] == "45"
