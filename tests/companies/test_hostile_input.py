"""What people and scripts send that no form would: NUL bytes, huge numbers, other digits, very long texts,
missing and doubled fields. None of it may answer 500; each is refused or dropped with a clear Danish word."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm.companies.models import Company
from tests.conftest import post

HOSTILE = ["a\x00b", "\x00", str(2**63), str(2**64 + 1), "-9223372036854775809", "²", "١٢", "x" * 100_000,
           "😀", "\u202eevil", "' OR 1=1 --", "%", "\r\n"]


def test_a_nul_byte_in_the_search_is_dropped(staff_client, db, make_company):
    make_company(name="Alfa Beta ApS")
    page = staff_client.get("/companies/?q=al%00fa")
    assert page.status_code == 200 and "Alfa Beta ApS" in page.get_data(as_text=True)
    export = staff_client.get("/companies/export?q=al%00fa")
    assert export.status_code == 200 and "Alfa Beta ApS" in export.data.decode("utf-8-sig")


def test_a_very_long_search_is_cut_to_a_sane_length(staff_client, db, make_company):
    make_company(name="Alfa Beta ApS")
    page = staff_client.get("/companies/", query_string={"q": "alfa " + "x" * 100_000})
    assert page.status_code == 200 and 'value="alfa ' + "x" * 195 + '"' in page.get_data(as_text=True)


@pytest.mark.parametrize("name", ["q", "tag", "group", "role", "status", "page", "sort", "dir"])
def test_hostile_filter_values_on_the_list_and_the_export_never_answer_500(staff_client, db, make_company, name):
    make_company(name="Alfa Beta ApS")
    for value in HOSTILE:
        for path in ("/companies/", "/companies/export"):
            response = staff_client.get(path, query_string={name: value})
            assert response.status_code == 200, (path, name, value[:20])


def test_the_newsletter_and_meeting_invite_filters_drop_what_the_database_refuses(staff_client, db, make_company):
    from crm.meetings import services

    make_company(name="Alfa Beta ApS")
    filters = {"q": "a\x00b", "tag": "\x00", "group": "energi\x00", "role": "\x00", "status": "²"}
    assert staff_client.get("/outbox/newsletter", query_string=filters).status_code == 200
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=14)
    meeting = services.create_meeting({"title": "Netværksmøde", "starts_at": starts,
                                       "ends_at": starts + timedelta(hours=2), "place": "Stamholmen 5"}, [])
    db.session.commit()
    response = post(staff_client, f"/meetings/{meeting.id}/invite", {"source": "filter", **filters})
    assert response.status_code == 422 and "Ingen virksomheder" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Company)) == 1


def a_company_with_tags(db, make_company):
    from crm.companies import services

    company = make_company(name="Mærket ApS")
    services.update_company(company, {}, tags="affald, energi")
    db.session.commit()
    return company


def test_an_edit_without_the_tags_field_leaves_the_tags(staff_client, db, make_company):
    company = a_company_with_tags(db, make_company)
    response = post(staff_client, f"/companies/{company.id}/edit", {
        "cvr": company.cvr, "name": "Mærket og Omdøbt ApS", "role": "tenant", "status": "member"})
    assert response.status_code == 302
    db.session.refresh(company)
    assert company.name == "Mærket og Omdøbt ApS" and company.tag_names == ["affald", "energi"]


def test_an_edit_with_an_empty_tags_field_removes_the_tags_as_the_browser_form_does(staff_client, db, make_company):
    company = a_company_with_tags(db, make_company)
    response = post(staff_client, f"/companies/{company.id}/edit", {
        "cvr": company.cvr, "name": company.name, "role": "tenant", "status": "member", "tags": ""})
    assert response.status_code == 302
    db.session.refresh(company)
    assert company.tag_names == []


def test_the_edit_form_shows_the_tags_as_text(staff_client, db, make_company):
    company = a_company_with_tags(db, make_company)
    page = staff_client.get(f"/companies/{company.id}/edit").get_data(as_text=True)
    assert 'value="affald, energi"' in page


BREAKS = ["Bo\nBcc: alle@example.dk", "Bo\r\nBo", "Bo\rBo", "Bo\tBo", "Bo\x00", "Bo\u2028Bo", "Bo\x85Bo"]


@pytest.mark.parametrize("text", BREAKS)
def test_a_contact_name_title_or_phone_on_two_lines_is_refused_at_the_staff_form(staff_client, db, make_company,
                                                                               text):
    from crm.companies.models import Contact

    company = make_company()
    for field, message in (("name", "Navnet skal stå på én linje"), ("title", "Stillingen skal stå på én linje"),
                           ("phone", "Telefonnummeret skal stå på én linje")):
        data = {"name": "Bo Holm", "email": "bo@holm.example", "lawful_basis": "legitimate_interest", field: text}
        response = post(staff_client, f"/companies/{company.id}/contacts/new", data)
        assert response.status_code == 422, field
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 0


def test_a_contact_edited_with_a_line_break_keeps_its_name(staff_client, db, make_company):
    from crm.companies import services

    company = make_company()
    contact = services.add_contact(company, {"name": "Bo Holm", "email": "bo@holm.example"})
    db.session.commit()
    response = post(staff_client, f"/companies/{company.id}/contacts/{contact.id}/edit", {
        "name": "Bo Holm\r\nBcc: alle@example.dk", "email": "bo@holm.example", "lawful_basis": "legitimate_interest"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Navnet skal stå på én linje" in page and "Bcc: alle@example.dk" in page  # what was typed is kept
    db.session.refresh(contact)
    assert contact.name == "Bo Holm"


@pytest.mark.parametrize("text", BREAKS)
def test_a_company_name_on_two_lines_is_refused(staff_client, db, make_company, text):
    company = make_company(name="Rigtigt Navn ApS")
    response = post(staff_client, f"/companies/{company.id}/edit", {
        "cvr": company.cvr, "name": text, "role": "tenant", "status": "invited"})
    assert response.status_code == 422 and "Navnet skal stå på én linje" in response.get_data(as_text=True)
    db.session.refresh(company)
    assert company.name == "Rigtigt Navn ApS"
    created = post(staff_client, "/companies/new", {"cvr": "DK 1234 5678", "name": text, "role": "tenant",
                                                     "status": "invited", "contact-name": text})
    assert created.status_code == 422 and "Navnet skal stå på én linje" in created.get_data(as_text=True)
