"""The group forms refuse what the database cannot hold, in Danish and with the line, keep what was typed, and
stored data never breaks a page."""

from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import func, insert, select

from crm.companies import services as company_services
from crm.companies.models import Activity
from crm.groups import services
from crm.groups.models import GroupMembership, Initiative, InitiativeFigure, WorkingGroup
from crm.mail.models import OutboundEmail
from tests.confirming import post_confirmed
from tests.conftest import post


def group(db, slug):
    return db.session.scalars(select(WorkingGroup).where(WorkingGroup.slug == slug)).one()


def text_of(response):
    return unescape(response.get_data(as_text=True))


def initiatives(db):
    return db.session.scalar(select(func.count()).select_from(Initiative))


# -- figures ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("figures", "problem"), [
    ("x; 99999999999999999999999999999999; ha", "Linje 1: tallet er for stort; højst 999.999.999.999,99."),
    ("Areal; 15; ha\nx; 1.000.000.000.000; ha", "Linje 2: tallet er for stort; højst 999.999.999.999,99."),
    ("x; 1,234; ha", "Linje 1: højst to decimaler, fx 12,5."),
    ("x; nan; ha", "Linje 1: «nan» er ikke et tal"),
    ("x; 1e5; ha", "Linje 1: «1e5» er ikke et tal"),
    ("x; ²; ha", "Linje 1: «²» er ikke et tal"),
    ("x; 0001-01-01; dato", "Linje 1: «0001-01-01» er ikke et tal"),
    ("; 15; ha", "Linje 1: skriv en betegnelse først"),
    ("Areal; ; ha", "Linje 1: tallet mangler."),
    ("Areal", "Linje 1: tallet mangler."),
    ("A" * 201 + "; 15; ha", "Linje 1: betegnelsen må højst have 200 tegn; den har 201."),
    ("Areal; 15; " + "u" * 31, "Linje 1: enheden må højst have 30 tegn; den har 31."),
    ("Areal; 15; ha; ekstra", "Linje 1: højst tre dele adskilt af semikolon"),
    ("Areal\x01; 15; ha", "Linje 1: fjern det usynlige kontroltegn."),
    ("x" * 5001, "Højst 5000 tegn; der er 5001."),
])
def test_figures_the_database_cannot_hold_are_refused_with_their_line(staff_client, db, figures, problem):
    response = post(staff_client, "/groups/natur/initiatives",
                    {"title": "Vild natur", "status": "running", "description": "15 ha", "figures": figures})
    assert response.status_code == 422
    text = text_of(response)
    assert problem in text
    assert 'value="Vild natur"' in text and "15 ha</textarea>" in text, "what was typed is shown again"
    assert initiatives(db) == 0
    assert staff_client.get("/groups/natur").status_code == 200


def test_blank_figures_save_an_initiative_without_figures(staff_client, db):
    response = post(staff_client, "/groups/natur/initiatives", {"title": "Vild natur", "status": "running",
                                                                "figures": " "})
    assert response.status_code == 302
    initiative = db.session.scalars(select(Initiative)).one()
    assert initiative.figures == []
    assert post(staff_client, "/groups/natur/initiatives", {"title": "Uden tal", "status": "running"}
                ).status_code == 302, "a form without the figures field at all"


def test_figures_at_the_limits_are_kept_exactly(staff_client, db):
    response = post(staff_client, "/groups/natur/initiatives", {
        "title": "Store tal", "status": "done",
        "figures": "Største; 999.999.999.999,99; kr\nMindste; -999999999999,99; kr\nDecimal; 12,5;\n\nHel; 15; ha;"})
    assert response.status_code == 302
    figures = db.session.scalars(select(InitiativeFigure).order_by(InitiativeFigure.id)).all()
    assert [(f.label, f.value, f.unit) for f in figures] == [
        ("Største", Decimal("999999999999.99"), "kr"), ("Mindste", Decimal("-999999999999.99"), "kr"),
        ("Decimal", Decimal("12.5"), ""), ("Hel", Decimal("15"), "ha")]
    assert "999.999.999.999,99 kr" in text_of(staff_client.get("/groups/natur"))


@pytest.mark.parametrize(("data", "problem"), [
    ({"title": "Vild\r\nnatur"}, "Skriv det på én linje"),
    ({"title": "Vild natur\x01"}, "Skriv det på én linje"),
    ({"title": "V" * 100_000}, "Højst 200 tegn; der er 100000."),
    ({"title": "Vild natur", "description": "D" * 100_000}, "Højst 10000 tegn; der er 100000."),
    ({"title": "Vild natur", "description": "15 ha\x01"}, "usynligt kontroltegn"),
    ({"title": "Vild natur", "status": "²"}, "Vælg en af mulighederne på listen."),
])
def test_an_initiative_is_refused_in_danish(staff_client, db, data, problem):
    response = post(staff_client, "/groups/natur/initiatives", {"status": "running", "figures": "", **data})
    assert response.status_code == 422 and problem in text_of(response)
    assert initiatives(db) == 0


def test_a_stored_figure_too_large_for_any_page_still_shows(staff_client, company_client, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's numeric(14, 2) cannot hold the value at all")
    nature = group(db, "natur")
    initiative = Initiative(group_id=nature.id, title="Gammelt tal", status="running")
    db.session.add(initiative)
    db.session.flush()
    db.session.execute(insert(InitiativeFigure), [{"initiative_id": initiative.id, "label": "Absurd",
                                                   "value": Decimal("99999999999999999999999999999999"),
                                                   "unit": "ha"}])
    db.session.commit()
    page = staff_client.get("/groups/natur")
    assert page.status_code == 200 and "Absurd" in text_of(page)
    portal = company_client.get("/portal/groups")
    assert portal.status_code == 200 and "Absurd" in text_of(portal)


# -- group mail ---------------------------------------------------------------------------------------------------


@pytest.fixture
def two_members(db, make_company):
    good, bad = make_company(name="Godt Vand ApS"), make_company(name="Brudt Vand ApS")
    company_services.add_contact(good, {"name": "Gitte God", "email": "gitte@godt.example"})
    contact = company_services.add_contact(bad, {"name": "Bo Brudt", "email": "bo@brudt.example"})
    services.add_members(group(db, "vand"), [good, bad])
    db.session.commit()
    contact.name = "Bo Brudt\r\nBcc: x@example.com"  # saved before names had to be one line
    db.session.commit()
    return good, bad


def test_group_mail_skips_a_contact_whose_name_has_a_line_break_and_names_it(staff_client, db, two_members):
    good, bad = two_members
    page = post_confirmed(staff_client, "/groups/vand/mail", {"subject": "Regnvand", "body": "Vi ses torsdag."},
                follow_redirects=True)
    assert page.status_code == 200
    text = text_of(page)
    assert "Mailen er lagt i udbakken til 1 medlemmer." in text
    assert ("Ikke sendt til Brudt Vand ApS: Bo Brudt Bcc: x@example.com <bo@brudt.example> "
            "(navnet har et linjeskift).") in text
    assert [(m.to_address, m.company_id) for m in db.session.scalars(select(OutboundEmail))] == [
        ("gitte@godt.example", good.id)]
    notes = db.session.scalars(select(Activity.text).where(Activity.company_id == bad.id)).all()
    assert ("Ikke sendt: mail fra arbejdsgruppen Vand, til Bo Brudt Bcc: x@example.com <bo@brudt.example>, "
            "fordi navnet har et linjeskift. Ret kontaktpersonen.") in notes


@pytest.mark.parametrize(("data", "problem"), [
    ({"subject": "Regnvand\r\nBcc: x@example.com", "body": "Vi ses"}, "Skriv det på én linje"),
    ({"subject": "S" * 100_000, "body": "Vi ses"}, "Højst 300 tegn; der er 100000."),
    ({"subject": "Regnvand", "body": "Vi ses\x01"}, "usynligt kontroltegn"),
    ({"subject": "Regnvand", "body": "B" * 20_001}, "Højst 20000 tegn; der er 20001."),
])
def test_group_mail_is_refused_at_the_form_with_what_was_typed(staff_client, db, two_members, data, problem):
    response = post(staff_client, "/groups/vand/mail", data)
    assert response.status_code == 422
    text = text_of(response)
    assert problem in text
    assert data["body"][:50].replace("\x01", "") in text.replace("\x01", "")
    assert db.session.scalars(select(OutboundEmail)).first() is None


# -- members and the group itself ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("cvrs", "problem"), [
    ("²²²²²²²²", "CVR-nummeret «²²²²²²²²» skal være 8 cifre"),
    ("9" * 100_000, "Højst 20000 tegn; der er 100000."),
    ("\x01", "CVR-nummeret «\x01» skal være 8 cifre"),
    (" ", "Vælg en virksomhed, eller skriv mindst ét CVR-nummer."),
])
def test_adding_members_is_refused_on_the_group_page_with_what_was_typed(staff_client, db, cvrs, problem):
    response = post(staff_client, "/groups/vand/members", {"cvrs": cvrs, "role": "member"})
    assert response.status_code == 422
    assert problem in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(GroupMembership)) == 0


def test_several_bad_cvrs_are_each_named_and_a_good_list_is_added(staff_client, db, make_company):
    company = make_company(name="Akva ApS")
    refused = post(staff_client, "/groups/vand/members", {"cvrs": f"{company.cvr}\n12345678\nabc", "role": "member"})
    text = text_of(refused)
    assert refused.status_code == 422 and "«12345678»" in text and "«abc»" in text
    assert f"{company.cvr}\n12345678\nabc</textarea>" in text
    added = post(staff_client, "/groups/vand/members", {"cvrs": f"DK{company.cvr}",
                                                        "role": "chair"})
    assert added.status_code == 302
    assert db.session.scalars(select(GroupMembership.role)).all() == ["chair"]


@pytest.mark.parametrize(("data", "problem"), [
    ({"name": "Mobilitet\r\nX", "slug": "mobilitet"}, "Skriv det på én linje"),
    ({"name": "Mobilitet", "slug": "mobilitet\n"}, "Kun små bogstaver a-z, tal og bindestreg."),
    ({"name": "Mobilitet", "slug": "m" * 100_000}, "Højst 50 tegn; der er 100000."),
    ({"name": "Mobilitet", "slug": "mobilitet", "purpose": "Formål\x01"}, "usynligt kontroltegn"),
])
def test_a_group_is_refused_in_danish(admin_client, db, data, problem):
    response = post(admin_client, "/groups/new", {"active": "y", **data})
    assert response.status_code == 422 and problem in text_of(response)
    assert db.session.scalars(select(WorkingGroup).where(WorkingGroup.name.startswith("Mobilitet"))).first() is None


def test_hostile_ids_in_the_group_routes_are_not_found(staff_client, db):
    assert post(staff_client, f"/groups/vand/members/{2**63}/role", {"role": "chair"}).status_code == 404
    assert post(staff_client, f"/groups/vand/members/{2**63}/remove").status_code == 404
    assert staff_client.get(f"/groups/vand/documents/{2**63}").status_code == 404


def test_member_buttons_with_hostile_values_change_nothing(staff_client, db, make_company):
    company = make_company()
    services.add_members(group(db, "vand"), [company])
    db.session.commit()
    membership = db.session.scalars(select(GroupMembership)).one()
    for role in ("²", "chair\x01", "x" * 100_000):
        assert post(staff_client, f"/groups/vand/members/{membership.id}/role", {"role": role}).status_code == 400
    assert post(staff_client, f"/groups/vand/members/{membership.id}/role", {"role": "chair"}).status_code == 302
    warned = post(staff_client, f"/groups/vand/members/{membership.id}/remove", {"confirm": ""})
    assert warned.status_code == 200 and "eneste formand" in text_of(warned)
    db.session.refresh(membership)
    assert membership.role == "chair" and membership.left_on is None
