"""A company new to the area in a browser: it asks to join at /join, staff approve it from the home page, the
invitation mail arrives (real SMTP server) and its link opens the page where the new user chooses a password.
And axe on the join pages."""

import re

import pytest
from sqlalchemy import select

from tests.browser.conftest import axe_violations, deliver_to_sink, log_in
from tests.conftest import valid_cvr

pytestmark = pytest.mark.browser


def fill_join_form(page, cvr, email):
    page.get_by_label("CVR-nummer").fill(f"DK {cvr}")
    page.get_by_label("Virksomhedens navn").fill("Holmens Browserværksted ApS")
    page.get_by_label("Adresse på Avedøre Holme").fill("Stamholmen 199")
    page.get_by_label("Postnummer").fill("2650")
    page.get_by_label("Lejer").check()
    page.get_by_label("Kontaktpersonens navn").fill("Bent Browser")
    page.get_by_label("Kontaktpersonens e-mail").fill(email)
    page.get_by_label("Ja, netværkets sekretariat må kontakte mig").check()


def test_a_new_company_asks_to_join_staff_approve_and_the_invitation_opens_the_portal(page, live_server):
    cvr, email = valid_cvr(777_001), "bent@browser-vaerksted.example"
    page.goto("/login")
    with page.expect_navigation():
        page.get_by_role("link", name="Ny virksomhed på Avedøre Holme? Bliv en del af netværket").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Bliv en del af netværket"
    box = page.locator("#homepage").bounding_box()
    assert box["x"] + box["width"] <= 0, "the honeypot is out of sight, left of the page"
    fill_join_form(page, cvr, email)
    with page.expect_navigation():
        page.get_by_role("button", name="Send anmodning").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Tak for jeres anmodning"

    page.context.clear_cookies()
    log_in(page, "staff@browser.example")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("anmodninger om optagelse venter på svar")).click()
    with page.expect_navigation():
        page.get_by_role("link", name="Holmens Browserværksted ApS").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Godkend og inviter").click()
    assert re.search(r"/companies/\d+$", page.url)
    assert "Holmens Browserværksted ApS er oprettet som inviteret virksomhed." in page.content()
    assert f"Invitationen til portalen er sendt til {email}." in page.content()

    [mail] = [message for message in deliver_to_sink(live_server) if message["To"].addresses[0].addr_spec == email]
    assert mail["Subject"] == "Invitation til netværkets portal"
    path = re.search(r"(/portal/invitation/[\w-]+)", mail.get_body(("plain",)).get_content()).group(1)
    page.context.clear_cookies()
    page.goto(path)
    assert page.get_by_role("heading", level=1).inner_text() == "Velkommen til portalen"
    assert f"Vælg en adgangskode til {email}" in page.content()


def pending_request_id(live_server):
    from crm.extensions import db
    from crm.joining.models import JoinRequest

    with live_server.app.app_context():
        row = db.session.scalars(select(JoinRequest).where(JoinRequest.cvr == valid_cvr(777_101))).first()
        if row is None:
            row = JoinRequest(cvr=valid_cvr(777_101), name="Axe Lager ApS", street="Industriholmen 5",
                              postal_code="2650", city="Hvidovre", role="owner", contact_name="Ada Axe",
                              contact_email="ada@axe-lager.example", consent_text_version="join-2024-1",
                              address="192.0.2.1")
            db.session.add(row)
            db.session.commit()
        return row.id


@pytest.mark.parametrize("where", ["join", "join_errors", "thanks", "requests", "request", "request_errors"])
def test_join_pages_have_no_accessibility_violations(page, live_server, where):
    if where.startswith("request"):
        request_id = pending_request_id(live_server)
        log_in(page, "staff@browser.example")
        page.goto("/companies/join-requests" if where == "requests" else f"/companies/join-requests/{request_id}")
        if where == "request_errors":
            with page.expect_navigation():
                page.get_by_role("button", name="Afvis og send mail").click()
            assert page.locator(".form-error-message").count() == 1
    else:
        page.goto("/join/thanks" if where == "thanks" else "/join")
        if where == "join_errors":
            page.get_by_label("CVR-nummer").fill("12345678")
            page.get_by_label("Postnummer").fill("2000")
            with page.expect_navigation():
                page.get_by_role("button", name="Send anmodning").click()
            assert page.locator(".form-error-message").count() >= 5
    assert axe_violations(page) == []
