"""What people and scripts send that no form would: NUL bytes, huge numbers, other digits, very long texts,
missing and doubled fields. None of it may answer 500; each is refused or dropped with a clear Danish word."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm.companies.models import Company
from tests.conftest import post, valid_cvr

HOSTILE = ["a\x01b", "\x01", str(2**63), str(2**64 + 1), "-9223372036854775809", "²", "١٢", "x" * 100_000,
           "😀", "\u202eevil", "' OR 1=1 --", "%", "\r\n"]


def test_a_control_character_in_the_search_is_dropped_and_a_nul_refused_in_danish(staff_client, db, make_company):
    make_company(name="Alfa Beta ApS")
    page = staff_client.get("/companies/?q=al%01fa")
    assert page.status_code == 200 and "Alfa Beta ApS" in page.get_data(as_text=True)
    export = staff_client.get("/companies/export?q=al%01fa")
    assert export.status_code == 200 and "Alfa Beta ApS" in export.data.decode("utf-8-sig")
    refused = staff_client.get("/companies/?q=al%00fa")  # never typed: refused before any view reads it
    assert refused.status_code == 400 and "usynligt nul-tegn" in refused.get_data(as_text=True)


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
    filters = {"q": "a\x01b", "tag": "\x01", "group": "energi\x01", "role": "\x01", "status": "²"}
    assert staff_client.get("/outbox/newsletter", query_string=filters).status_code == 200
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=14)
    meeting = services.create_meeting({"title": "Netværksmøde", "starts_at": starts,
                                       "ends_at": starts + timedelta(hours=2), "place": "Stamholmen 5"}, [])
    db.session.commit()
    response = post(staff_client, f"/meetings/{meeting.id}/invite", {"source": "filter", **filters})
    assert response.status_code == 422  # the search words must be one line
    assert "Skriv det på én linje, uden linjeskift eller kontroltegn." in response.get_data(as_text=True)
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


BREAKS = ["Bo\nBcc: alle@example.dk", "Bo\r\nBo", "Bo\rBo", "Bo\tBo", "Bo\x01", "Bo\u2028Bo", "Bo\x85Bo"]


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


@pytest.mark.parametrize(("field", "value", "message"), [
    ("cvr", "1234567²", "skal være 8 cifre"), ("cvr", "١٢٣٤٥٦٧٨", "skal være 8 cifre"),
    ("p_number", "²" * 10, "skal være 10 cifre"), ("ean", "123456789012²", "skal være 13 cifre"),
    ("employees", str(2**63), "Skriv et helt tal mellem 0 og 1.000.000."),
    ("employees", "-1", "Skriv et helt tal mellem 0 og 1.000.000."),
    ("area_m2", str(2**63), "Skriv et areal mellem 0 og 10.000.000 m²."),
    ("joined_on", "0001-01-01", "Skriv en dato mellem 1900 og 2100."),
    ("joined_on", "9999-12-31", "Skriv en dato mellem 1900 og 2100."),
])
def test_numbers_and_dates_the_register_cannot_hold_are_explained(staff_client, db, make_company, field, value,
                                                                   message):
    company = make_company(name="Uændret ApS")
    response = post(staff_client, f"/companies/{company.id}/edit", {
        "cvr": company.cvr, "name": "Ændret ApS", "role": "tenant", "status": "member", field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(company)
    assert company.name == "Uændret ApS"


@pytest.mark.parametrize(("data", "message"), [
    ({"area_m2": str(2**63)}, "Skriv et areal mellem 0 og 10.000.000 m²."),
    ({"area_m2": "99999999999"}, "Skriv et areal mellem 0 og 10.000.000 m²."),
    ({"cadastral_number": "12ab\x01"}, "på én linje"),
])
def test_a_plot_the_database_cannot_hold_is_explained(staff_client, db, make_company, data, message):
    from crm.companies.models import Plot

    company = make_company()
    response = post(staff_client, f"/companies/{company.id}/plots",
                    {"cadastral_number": "12ab Avedøre By", "address": "Stamholmen 1", **data}, follow_redirects=True)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Plot)) == 0


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_dates_outside_the_registers_years_are_refused(staff_client, db, make_company, value):
    from crm.companies.models import Tenancy
    from crm.companies.services import add_plot

    company = make_company(status="member")
    post(staff_client, f"/companies/{company.id}/left", {"left_on": value})
    db.session.refresh(company)
    assert (company.status, company.left_on) == ("member", None)
    plot = add_plot(company, {"cadastral_number": "1a", "address": "", "area_m2": None})
    db.session.commit()
    response = post(staff_client, f"/companies/{company.id}/plots/{plot.id}/tenants",
                    {"tenant_cvr": company.cvr, "from_date": value}, follow_redirects=True)
    assert "Skriv en dato mellem 1900 og 2100." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Tenancy)) == 0


def test_a_contact_e_mail_with_a_nul_byte_on_a_new_company_is_refused(staff_client, db):
    response = post(staff_client, "/companies/new", {
        "cvr": valid_cvr(8811), "name": "Ny Virksomhed ApS", "role": "tenant", "status": "invited",
        "contact-name": "Bo", "contact-email": "bo\x01@ny.example"})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Company)) == 0


def test_doubled_fields_take_the_first_value(staff_client, db, make_company):
    from werkzeug.datastructures import MultiDict

    from tests.conftest import csrf_token

    company = make_company(name="Før ApS")
    response = staff_client.post(f"/companies/{company.id}/edit", data=MultiDict([
        ("csrf_token", csrf_token(staff_client)), ("cvr", company.cvr), ("name", "Første ApS"), ("name", "Anden"),
        ("role", "owner"), ("role", "hacker"), ("status", "member"), ("employees", "7"), ("employees", "x")]))
    assert response.status_code == 302
    db.session.refresh(company)
    assert (company.name, company.role, company.employees) == ("Første ApS", "owner", 7)


PROBES = ["a\x01b", "x" * 100_000, str(2**63), "1234567²", "9999-12-31", "😀\u202e"]


def company_forms(company, contact, plot):
    """(path, a valid post made fresh for each probe, the fields to probe) of every form of the register."""
    serial = iter(range(7000, 9000))
    return [
        ("/companies/new", lambda: {"cvr": valid_cvr(next(serial)), "name": "Ny ApS", "role": "tenant",
                                    "status": "member", "contact-name": "Bo", "contact-email": "bo@ny.example",
                                    "confirm_duplicates": "1"},
         ["cvr", "name", "street", "postal_code", "city", "role", "status", "employees", "area_m2", "industry",
          "p_number", "ean", "website", "joined_on", "tags", "description", "contact-name", "contact-email",
          "contact-title", "contact-phone", "contact-lawful_basis"]),
        (f"/companies/{company.id}/edit", lambda: {"cvr": company.cvr, "name": "Fuzz ApS", "role": "tenant",
                                                   "status": "member"},
         ["cvr", "name", "street", "postal_code", "city", "role", "status", "employees", "area_m2", "industry",
          "p_number", "ean", "website", "joined_on", "tags", "description", "advertising_protected"]),
        (f"/companies/{company.id}/left", lambda: {"left_on": "2026-01-01"}, ["left_on"]),
        (f"/companies/{company.id}/activities", lambda: {"kind": "note", "text": "Hej"}, ["kind", "text"]),
        (f"/companies/{company.id}/contacts/new", lambda: {"name": "Bo", "email": f"bo{next(serial)}@x.example",
                                                          "lawful_basis": "legitimate_interest"},
         ["name", "title", "email", "phone", "lawful_basis", "is_primary", "newsletter_consent"]),
        (f"/companies/{company.id}/contacts/{contact.id}/edit", lambda: {"name": "Ib", "email": contact.email,
                                                                        "lawful_basis": "legitimate_interest"},
         ["name", "title", "email", "phone", "lawful_basis"]),
        (f"/companies/{company.id}/merge", lambda: {"other_cvr": valid_cvr(next(serial))}, ["other_cvr", "confirm"]),
        (f"/companies/{company.id}/plots", lambda: {"cadastral_number": f"{next(serial)}ab", "address": "Vej 1",
                                                    "area_m2": "10"}, ["cadastral_number", "address", "area_m2"]),
        (f"/companies/{company.id}/plots/{plot.id}/tenants", lambda: {"tenant_cvr": company.cvr,
                                                                      "from_date": "2024-01-01"},
         ["tenant_cvr", "from_date", "to_date"]),
    ]


def test_no_field_of_the_register_forms_answers_500_whatever_it_is_sent(staff_client, db, make_company):
    from crm.companies import services
    from tests.conftest import csrf_token

    company = make_company(name="Fuzz ApS")
    contact = services.add_contact(company, {"name": "Ib", "email": "ib@x.example"})
    plot = services.add_plot(company, {"cadastral_number": "1a", "address": "", "area_m2": None})
    db.session.commit()
    token = csrf_token(staff_client)
    answered = []
    for path, valid, fields in company_forms(company, contact, plot):
        for field in fields:
            for value in PROBES:
                response = staff_client.post(path, data={**valid(), field: value, "csrf_token": token})
                answered.append((response.status_code, path, field, value[:12]))
    assert [answer for answer in answered if answer[0] >= 500] == []
    for path in ("/companies/", "/companies/export", "/companies/export?format=xlsx", f"/companies/{company.id}"):
        assert staff_client.get(path).status_code == 200, path
    db.session.refresh(company)
    assert company.name == "Fuzz ApS" and company.joined_on is None and company.left_on is None
