"""The admin's access log page: who has seen this person's data, what has this user looked at; its export; what a
merge, an erasure and the retention job do to the rows."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm.audit import retention
from crm.audit.access_models import AccessEntry, AccessKind
from crm.companies.merging import merge_companies
from crm.companies.models import Contact
from crm.companies.services import erase_contact
from crm.merging import ANONYMISED_NAME
from crm.security import Role
from tests.conftest import login


def _person(db, company, name, email):
    contact = Contact(company=company, name=name, email=email, is_primary=True)
    db.session.add(contact)
    db.session.commit()
    return contact


def _entry(db, *, contact=None, company_id=None, user_email="staff@holme.example", at=None, **values):
    entry = AccessEntry(kind=values.pop("kind", AccessKind.CONTACT), user_email=user_email, user_role="staff",
                        address="192.0.2.9", path="/companies/1", endpoint="companies.show",
                        contact_id=contact.id if contact else None,
                        company_id=contact.company_id if contact else company_id, at=at or datetime.now(UTC),
                        **values)
    db.session.add(entry)
    db.session.commit()
    return entry


@pytest.fixture
def reader(app, db, make_user):
    """A staff member's client, with the user."""
    client = app.test_client()
    client.user = make_user(Role.STAFF, email="læser@holme.example")
    login(client, client.user.email)
    return client


def test_who_has_seen_this_person_and_what_has_this_user_looked_at(admin_client, reader, db, make_company):
    company = make_company(name="Hammerholmen Stål A/S")
    karen = _person(db, company, "Karen Holm", "karen@stal.example")
    reader.get(f"/companies/{company.id}", environ_base={"REMOTE_ADDR": "192.0.2.77"})

    page = admin_client.get(f"/audit/access?contact={karen.id}").get_data(as_text=True)
    assert "Karen Holm, Hammerholmen Stål A/S" in page
    assert "læser@holme.example" in page and "192.0.2.77" in page and f"/companies/{company.id}" in page
    assert "Virksomhed med kontaktpersoner" in page

    page = admin_client.get(f"/audit/access?user={reader.user.id}").get_data(as_text=True)
    assert "Bruger: læser@holme.example" in page
    assert "Karen Holm" in page and "Hammerholmen Stål A/S" in page

    page = admin_client.get(f"/audit/access?company={company.id}").get_data(as_text=True)
    assert "læser@holme.example" in page


def test_the_search_finds_persons_companies_and_users_to_ask_about(admin_client, reader, db, make_company):
    company = make_company(name="Søholm Logistik")
    karen = _person(db, company, "Karen Søholm-Jensen", "karen@soholm.example")
    page = admin_client.get("/audit/access?q=søholm").get_data(as_text=True)
    assert f"/audit/access?contact={karen.id}" in page
    assert f"/audit/access?company={company.id}" in page
    page = admin_client.get("/audit/access?q=læser").get_data(as_text=True)
    assert f"/audit/access?user={reader.user.id}" in page


def test_reads_of_a_removed_person_stay_answerable_by_id(admin_client, db, make_company):
    company = make_company()
    karen = _person(db, company, "Karen Holm", "karen@firma.example")
    _entry(db, contact=karen, user_email="gammel@holme.example")
    karen_id = karen.id
    db.session.delete(karen)
    db.session.commit()
    page = admin_client.get(f"/audit/access?contact={karen_id}").get_data(as_text=True)
    assert f"Kontaktperson nr. {karen_id} (findes ikke længere)" in page
    assert "gammel@holme.example" in page


def test_only_admins_reach_the_page_and_its_export(staff_client, company_client):
    for client in (staff_client, company_client):
        assert client.get("/audit/access").status_code == 403
        assert client.get("/audit/access.csv").status_code == 403


def test_the_links_to_the_page_are_shown_to_admins_only(admin_client, staff_client, db, make_company):
    company = make_company()
    karen = _person(db, company, "Karen Holm", "karen@firma.example")
    assert f'href="/audit/access?company={company.id}"' in admin_client.get(f"/companies/{company.id}").text
    assert f'href="/audit/access?contact={karen.id}"' in admin_client.get(
        f"/companies/{company.id}/contacts/{karen.id}/edit").text
    assert 'href="/audit/access"' in admin_client.get("/audit/").text
    assert "/audit/access" not in staff_client.get(f"/companies/{company.id}").text
    assert "/audit/access" not in staff_client.get("/audit/").text


@pytest.mark.parametrize("query", [
    "contact=abc", "contact=-1", "contact=9223372036854775808", "company=²", "user=1e9", "page=-5",
    "page=99999999999999999999", "q=%25_%27%22%3Cscript%3E", "q=" + "x" * 5000, "contact=1&company=2&user=3",
    "q=%E2%80%AE%F0%9F%8F%AD",
])
def test_hostile_query_parameters_answer_a_page(admin_client, query):
    response = admin_client.get(f"/audit/access?{query}")
    assert response.status_code == 200
    assert "<script>" not in response.text
    assert admin_client.get(f"/audit/access.csv?{query}").status_code == 200


def test_the_page_is_paginated(admin_client, db, make_company):
    company = make_company()
    karen = _person(db, company, "Karen Holm", "karen@firma.example")
    start = datetime.now(UTC) - timedelta(days=1)
    db.session.add_all([AccessEntry(kind=AccessKind.CONTACT, contact_id=karen.id, company_id=company.id,
                                    user_email=f"læser{n}@holme.example", at=start + timedelta(minutes=n))
                        for n in range(60)])
    db.session.commit()
    first = admin_client.get(f"/audit/access?contact={karen.id}").text
    assert "læser59@holme.example" in first and "læser9@holme.example" not in first
    assert "Side 1 af 2" in first
    second = admin_client.get(f"/audit/access?contact={karen.id}&page=2").text
    assert "læser9@holme.example" in second and "læser59@holme.example" not in second


def test_the_export_has_danish_columns_ids_only_and_no_formulas(admin_client, db, make_company):
    company = make_company()
    karen = _person(db, company, "Karen Holm", "karen@firma.example")
    _entry(db, contact=karen, user_email="=HYPERLINK(\"http://ond.example\")@x.example")
    response = admin_client.get(f"/audit/access.csv?contact={karen.id}")
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = response.get_data().decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert header == ["Tidspunkt", "Bruger", "Rolle", "Adresse", "Hvad", "Side", "Kontaktperson (id)",
                      "Virksomhed (id)"]
    assert row[1].startswith("'=HYPERLINK"), "an e-mail that looks like a formula stays text"
    assert row[2:] == ["Medarbejder", "192.0.2.9", "Kontaktperson åbnet", "/companies/1", str(karen.id),
                       str(company.id)]
    assert "Karen Holm" not in text, "ids, not copies of the data"
    assert admin_client.get(f"/audit/access.xlsx?contact={karen.id}").status_code == 200


def test_a_merge_points_the_duplicates_reads_at_the_survivor(db, make_company):
    survivor, duplicate = make_company(), make_company()
    karen = _person(db, survivor, "Karen Holm", "karen@firma.example")
    twin = _person(db, duplicate, "Karen Holm", "karen@firma.example")
    _entry(db, contact=twin)
    _entry(db, company_id=duplicate.id, kind=AccessKind.COMPANY_CONTACTS)
    merge_companies(survivor, duplicate)
    db.session.commit()
    assert db.session.execute(select(AccessEntry.contact_id, AccessEntry.company_id).order_by(AccessEntry.id)
                              ).all() == [(karen.id, survivor.id), (None, survivor.id)]


def test_an_erasure_keeps_the_rows_and_takes_the_persons_email_out_of_its_own_reads(db, make_company):
    company = make_company()
    karen = _person(db, company, "Karen Holm", "karen@firma.example")
    read_about = _entry(db, contact=karen)
    read_by = _entry(db, company_id=company.id, user_email="karen@firma.example", kind=AccessKind.COMPANY_CONTACTS)
    erase_contact(karen)
    db.session.commit()
    db.session.expire_all()
    assert (read_about.contact_id, read_about.user_email) == (karen.id, "staff@holme.example")
    assert read_by.user_email == ANONYMISED_NAME


def test_the_retention_run_deletes_rows_past_their_period(app, db):
    now = datetime.now(UTC)
    days = app.config["RETENTION_ACCESS_LOG_DAYS"]
    assert days == 365
    for age in (days + 10, days + 1, days - 1, 0):
        _entry(db, company_id=1, at=now - timedelta(days=age))
    task = next(task for task in retention.tasks() if task.kind == "access_log")
    assert retention.run_task(task, now, apply=False) == 2, "the dry run counts the two past their period"
    assert db.session.scalar(select(func.count()).select_from(AccessEntry)) == 4, "and deletes nothing"
    assert retention.run_task(task, now, apply=True) == 2
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(AccessEntry)) == 2
