"""Members added by company name as well as by CVR number; a second chair only when chosen as co-chair."""

from sqlalchemy import select

from crm.groups import services
from crm.groups.models import GroupMembership, MemberRole
from tests.conftest import post
from tests.groups.test_groups import group


def roles(db):
    rows = db.session.execute(select(GroupMembership.company_id, GroupMembership.role)
                              .where(GroupMembership.left_on.is_(None))).all()
    return {company_id: str(role) for company_id, role in rows}


def test_a_company_is_added_by_its_name_and_others_by_cvr_in_the_same_form(staff_client, db, make_company):
    rain, pump = make_company(name="Regnvand Holme ApS"), make_company(name="Pumpeservice A/S")
    page = staff_client.get("/groups/vand").get_data(as_text=True)
    assert 'list="company-options"' in page and "Regnvand Holme ApS (CVR" in page
    response = post(staff_client, "/groups/vand/members",
                    {"company": "regnvand holme aps", "cvrs": pump.cvr, "role": "member"}, follow_redirects=True)
    assert "Tilføjet: Regnvand Holme ApS, Pumpeservice A/S." in response.get_data(as_text=True)
    assert roles(db) == {rain.id: "member", pump.id: "member"}


def test_an_unknown_name_is_refused_with_what_was_typed(staff_client, db, make_company):
    make_company(name="Regnvand Holme ApS")
    response = post(staff_client, "/groups/vand/members", {"company": "Regnvand", "cvrs": "", "role": "member"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Mente du: Regnvand Holme ApS (CVR" in page and 'value="Regnvand"' in page
    assert roles(db) == {}


def test_a_new_chair_takes_over_unless_chosen_as_co_chair(staff_client, db, make_company):
    first, second, third = (make_company(name=name) for name in ("Første ApS", "Anden ApS", "Tredje ApS"))
    water = group(db, "vand")
    services.add_members(water, [first], role=MemberRole.CHAIR)
    services.add_members(water, [second, third])
    db.session.commit()
    page = staff_client.get("/groups/vand").get_data(as_text=True)
    assert "Gør til formand i stedet" in page and "Gør til medformand" in page
    memberships = {m.company_id: m.id for m in db.session.scalars(select(GroupMembership))}

    post(staff_client, f"/groups/vand/members/{memberships[second.id]}/role", {"role": "chair"})
    assert roles(db) == {first.id: "member", second.id: "chair", third.id: "member"}, "one chair: the new one"

    post(staff_client, f"/groups/vand/members/{memberships[third.id]}/role", {"role": "co_chair"})
    assert roles(db) == {first.id: "member", second.id: "chair", third.id: "chair"}, "co-chair: two chairs"


def test_adding_a_co_chair_keeps_the_chair_and_only_one_company_can_take_over(staff_client, db, make_company):
    chair, co, a, b = (make_company(name=name) for name in ("Formand ApS", "Medformand ApS", "A ApS", "B ApS"))
    services.add_members(group(db, "vand"), [chair], role=MemberRole.CHAIR)
    db.session.commit()
    post(staff_client, "/groups/vand/members", {"company": co.name, "cvrs": "", "role": "co_chair"})
    assert roles(db) == {chair.id: "chair", co.id: "chair"}
    refused = post(staff_client, "/groups/vand/members", {"cvrs": f"{a.cvr} {b.cvr}", "role": "chair"})
    assert refused.status_code == 422 and "Kun én virksomhed kan afløse formanden" in refused.get_data(as_text=True)
    post(staff_client, "/groups/vand/members", {"cvrs": a.cvr, "role": "chair"})
    assert roles(db) == {chair.id: "member", co.id: "member", a.id: "chair"}
