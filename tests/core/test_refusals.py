"""Refusals in Danish, and filters that take any value: the root fixes behind the hostile-input test."""

from datetime import UTC, datetime

import pytest

from crm.i18n import local_day
from crm.mail.services import queue_email
from tests.conftest import post


def test_wtforms_own_messages_are_danish(staff_client, make_company):
    company = make_company(name="Tal ApS")
    response = post(staff_client, f"/companies/{company.id}/edit",
                    {"cvr": company.cvr, "name": company.name, "role": "owner", "status": "member",
                     "employees": "mange", "joined_on": "i går"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Skriv et helt tal." in page and "Skriv en gyldig dato." in page
    assert "Not a valid" not in page


def test_wtforms_own_messages_follow_the_chosen_language(staff_client, make_company):
    company = make_company(name="Sprog ApS")
    post(staff_client, "/language", {"lang": "en"})
    response = post(staff_client, f"/companies/{company.id}/edit",
                    {"cvr": company.cvr, "name": company.name, "role": "ejer", "status": "member"})
    assert response.status_code == 422
    assert "Choose one of the options." in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/outbox/?q=a%00b", "/audit/?actor=a%00b", "/groups/a%00b"])
def test_a_nul_character_is_refused_in_danish(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 400
    assert "nul-tegn" in response.get_data(as_text=True)


def test_a_nul_character_in_a_form_is_refused_and_nothing_is_stored(staff_client, make_company, db):
    company = make_company(name="Nul ApS")
    response = post(staff_client, f"/companies/{company.id}/edit",
                    {"cvr": company.cvr, "name": "Nul\x00ApS", "role": "owner", "status": "member"})
    assert response.status_code == 400
    assert "nul-tegn" in response.get_data(as_text=True)
    db.session.refresh(company)
    assert company.name == "Nul ApS"


@pytest.mark.parametrize("query", [
    "from=0001-01-01", "to=0001-01-01", "from=9999-12-31", "to=9999-12-31", "page=9223372036854775808",
    "page=9223372036854775807", "page=-1", "page=%C2%B2", "q=" + "x" * 100_000, "company=" + "x" * 100_000,
])
def test_outbox_filters_take_any_value(staff_client, db, query):
    queue_email(to_address="anna@firma.example", subject="Mødeindkaldelse", body_text="Hej")
    db.session.commit()
    response = staff_client.get(f"/outbox/?{query}")
    assert response.status_code == 200


@pytest.mark.parametrize("query", [
    "from=0001-01-01", "to=0001-01-01", "from=9999-12-31", "to=9999-12-31", "page=9223372036854775808",
    "action=" + "x" * 100_000, "actor=" + "x" * 100_000, "action=auth%25",
])
def test_audit_filters_take_any_value(admin_client, query):
    assert admin_client.get(f"/audit/?{query}").status_code == 200


def test_a_page_past_the_end_shows_the_last_page(staff_client, db):
    for number in range(51):
        queue_email(to_address=f"modtager{number}@firma.example", subject=f"Mail {number}", body_text="Hej")
    db.session.commit()
    page = staff_client.get("/outbox/?page=2147483647").get_data(as_text=True)
    assert "Side 2 af 2" in page and "Mail 0" in page


BEYOND_AN_ID = ("2147483648", "22393982270", "9223372036854775807")


@pytest.mark.parametrize("number", BEYOND_AN_ID)
@pytest.mark.parametrize("path", ["/companies/{}", "/meetings/{}", "/groups/{}", "/contributions/invoices/{}"])
def test_an_id_larger_than_a_table_holds_is_not_found(staff_client, path, number):
    """The ids are INTEGER (32 bits on PostgreSQL): a larger one is a 404, not a database error."""
    assert staff_client.get(path.format(number)).status_code == 404


@pytest.mark.parametrize("number", BEYOND_AN_ID)
@pytest.mark.parametrize("query", ["/outbox/?mailing={}", "/meetings/?group={}", "/companies/?group={}",
                                   "/audit/access?contact={}", "/contributions/?year={}"])
def test_a_number_larger_than_a_table_holds_in_a_query_is_left_out(admin_client, query, number):
    assert admin_client.get(query.format(number)).status_code == 200


@pytest.mark.parametrize("number", BEYOND_AN_ID)
def test_a_year_larger_than_a_table_holds_shows_this_years_report(admin_client, number):
    response = admin_client.get(f"/reports/?year={number}")
    assert response.status_code == 302 and response.location.endswith(f"/reports/{datetime.now(UTC).year}")


def test_local_day_at_the_edges_of_the_calendar():
    assert local_day("0001-01-01") == datetime.min.replace(tzinfo=UTC)
    assert local_day("9999-12-31", end=True) == datetime(9999, 12, 31, 22, 59, 59, 999999, tzinfo=UTC)
    assert local_day("2025-06-01") == datetime(2025, 5, 31, 22, 0, tzinfo=UTC)
    assert local_day("2025-13-01") is None and local_day(None) is None and local_day(" 2025-06-01 ") is not None
