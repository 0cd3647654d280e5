"""At the door on a tablet and a phone: the counts stay in view, a search narrows the list as it is typed, a tap
marks a person, a walk-in is written in; no horizontal scrolling and no axe violations."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import axe_violations, log_in
from tests.conftest import valid_cvr

pytestmark = pytest.mark.browser

WIDTHS = ((768, 1024), (390, 844))


def a_meeting_at_the_door(live_server):
    """A meeting starting within the hour with the whole network invited; (meeting id, [(company id, name)] of
    the two companies with contacts whose names sort last, far down the list)."""
    from crm.companies.models import Company, Contact
    from crm.extensions import db
    from crm.meetings import invitations, services

    with live_server.app.app_context():
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
        meeting = services.create_meeting({"title": "Netværksmøde ved døren", "starts_at": starts,
                                           "ends_at": starts + timedelta(hours=2)})
        invitations.invite(meeting, invitations.network_companies())
        db.session.commit()
        far = db.session.execute(select(Company.id, Company.name).where(Company.id.in_(select(Contact.company_id)))
                                 .order_by(Company.name.desc()).limit(2)).all()
        return meeting.id, [tuple(row) for row in far]


def test_check_in_at_the_door_on_a_tablet_and_a_phone(browser, live_server):
    meeting_id, far = a_meeting_at_the_door(live_server)
    for (width, height), (company_id, name) in zip(WIDTHS, far, strict=True):
        context = browser.new_context(locale="da-DK", base_url=live_server.url,
                                      viewport={"width": width, "height": height})
        try:
            page = context.new_page()
            log_in(page, "staff@browser.example")
            page.goto(f"/meetings/{meeting_id}/checkin")
            companies = page.locator("li.app-checkin-company")
            assert companies.count() == 50
            assert page.evaluate("document.documentElement.scrollWidth") <= width, "no horizontal scrolling"
            assert axe_violations(page) == []
            companies.nth(40).scroll_into_view_if_needed()
            counts = page.locator("#checkin-counts").bounding_box()
            assert 0 <= counts["y"] < height, "the present count stays in view further down the list"

            page.get_by_label("Søg virksomhed eller person").fill(name[:-2])  # part of the name is enough
            found = page.locator(f"#firma-{company_id}")
            expect(found).to_be_visible()
            expect(companies).to_have_count(1)
            person = found.locator("li.app-checkin-person").first
            person.get_by_role("button", name="Til stede", exact=True).click()
            expect(person.locator(".app-checkin-state")).to_have_text(re.compile(r"^Til stede \d\d:\d\d$"))
            expect(found.locator(".app-checkin-present")).to_have_text("1 til stede")
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            assert axe_violations(page) == []
        finally:
            context.close()

    context = browser.new_context(locale="da-DK", base_url=live_server.url, viewport={"width": 768, "height": 1024})
    try:
        page = context.new_page()
        log_in(page, "staff@browser.example")
        page.goto(f"/meetings/{meeting_id}/checkin")
        expect(page.locator("#checkin-counts")).to_contain_text("personer til stede: 2")
        page.get_by_role("link", name="Uanmeldt fremmøde").click()
        page.get_by_label("Personens navn").fill("Åse Ærø")
        page.get_by_label("Virksomhedens CVR-nummer").fill(f"DK {valid_cvr(7373)}")  # not in the register yet
        page.get_by_label("Virksomhedens navn, hvis den er ny").fill("Ankomst ApS")
        with page.expect_navigation():
            page.get_by_role("button", name="Skriv ind som fremmødt").click()
        assert "Åse Ærø er skrevet ind som fremmødt." in page.locator(".alert-success").inner_text()
        expect(page.locator("#checkin-counts")).to_contain_text("personer til stede: 3")
        assert axe_violations(page) == []
    finally:
        context.close()
