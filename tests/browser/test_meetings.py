import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.conftest import axe_violations, log_in

pytestmark = pytest.mark.browser

CHECKED_IN = 22


def network_size(live_server):
    from crm.companies.models import Company, CompanyStatus
    from crm.extensions import db

    with live_server.app.app_context():
        return db.session.scalar(select(func.count()).select_from(Company).where(Company.status != CompanyStatus.LEFT))


def invitation_mails(live_server, meeting_id):
    """The meeting's mails in the outbox, oldest first: (company id, recipient name, text)."""
    from crm.extensions import db
    from crm.mail.models import OutboundEmail

    with live_server.app.app_context():
        rows = db.session.execute(
            select(OutboundEmail.company_id, OutboundEmail.to_name, OutboundEmail.body_text)
            .where(OutboundEmail.object_type == "meetings", OutboundEmail.object_id == meeting_id)
            .order_by(OutboundEmail.id)
        ).all()
    return [tuple(row) for row in rows]


def contact_names(live_server, contact_ids):
    from crm.companies.models import Contact
    from crm.extensions import db

    with live_server.app.app_context():
        return dict(db.session.execute(select(Contact.id, Contact.name).where(Contact.id.in_(contact_ids))).all())


def company_name_and_cvr(live_server, company_id):
    from crm.companies.models import Company
    from crm.extensions import db

    with live_server.app.app_context():
        company = db.session.get(Company, company_id)
        return company.name, company.cvr


def meeting_id_of(page):
    return int(re.search(r"/meetings/(\d+)$", page.url.split("#")[0].split("?")[0]).group(1))


def test_staff_plans_invites_checks_in_writes_minutes_and_plans_the_next_meeting(page, browser, live_server):
    title = "Netværksmøde om fælles affald"
    action = "Indhent tilbud på fælles affaldscontainere"
    day, next_day, due = (date.today() + timedelta(days=n) for n in (20, 48, 40))

    # 1. Plan the meeting.
    log_in(page, "staff@browser.example")
    with page.expect_navigation():
        page.get_by_role("link", name="Møder", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("link", name="Planlæg møde").click()
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Mødeserie").fill("Netværksmøde")
    page.get_by_label("Dato", exact=True).fill(day.isoformat())
    page.get_by_label("Starter kl.").fill("15:00")
    page.get_by_label("Slutter kl.").fill("17:00")
    page.get_by_label("Sted").fill("Holme Erhvervshus, Stamholmen 1")
    page.get_by_label("Dagsorden").fill("Velkomst; Søren; 10\nFælles affaldsordning; Miljøgruppen; 45\nEventuelt")
    with page.expect_navigation():
        page.get_by_role("button", name="Planlæg møde").click()
    assert "Mødet er planlagt." in page.content()
    assert page.get_by_role("heading", level=1).inner_text() == title
    meeting_id = meeting_id_of(page)
    meeting_url = page.url

    # 2. Invite the whole network.
    with page.expect_navigation():
        page.get_by_role("link", name="Inviterede og svar").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Inviter flere").click()
    page.get_by_label("Alle virksomheder i netværket").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Inviter og send").click()
    mails = invitation_mails(live_server, meeting_id)
    invited = network_size(live_server)
    assert f"{invited} virksomheder inviteret; {len(mails)} mails lagt i udbakken." in page.content()
    assert 0 < len(mails) <= invited

    # 3. A contact opens the answer link from the mail they received, in their own browser.
    company_id, recipient, text = mails[0]
    link = re.search(r"https?://[^/\s]+(/rsvp/[^\s?]+\?svar=yes)", text).group(1)
    contact = browser.new_context(locale="da-DK", base_url=live_server.url)
    try:
        guest = contact.new_page()
        guest.goto(link)
        assert guest.get_by_role("heading", level=1).inner_text() == title
        assert axe_violations(guest) == []
        with guest.expect_navigation():
            guest.get_by_role("button", name="Ja, vi kommer", exact=True).click()
        assert "Jeres svar er gemt: Ja, vi kommer." in guest.get_by_role("status").inner_text()
        assert axe_violations(guest) == []
    finally:
        contact.close()
    page.goto(meeting_url)
    answers = page.locator(".app-details").inner_text()
    assert f"{invited} · ja: 1 · måske: 0 · nej: 0 · ikke svaret: {invited - 1}" in answers

    # 4. Check in the first person of 22 companies; each tap updates its row in place.
    with page.expect_navigation():
        page.get_by_role("link", name="Fremmøde").click()
    assert page.locator(f"#firma-{company_id}").get_by_text("svar: ja").is_visible()
    assert axe_violations(page) == []
    sections = page.locator("section.app-checkin-company").filter(has=page.locator("li.app-checkin-person"))
    assert sections.count() >= CHECKED_IN
    row_ids = [sections.nth(n).locator("li.app-checkin-person").first.get_attribute("id") for n in range(CHECKED_IN)]
    names = contact_names(live_server, [int(row_id.removeprefix("kontakt-")) for row_id in row_ids])
    page.evaluate("window.samePage = true")  # gone if a tap reloaded the page instead of swapping the row
    for row_id in row_ids:
        row = page.locator(f"#{row_id}")
        row.get_by_role("button", name=f"Til stede {names[int(row_id.removeprefix('kontakt-'))]}", exact=True).click()
        expect(row.locator(".app-checkin-state")).to_have_text("Til stede")
        expect(row.get_by_role("button", name=re.compile(r"^Til stede"))).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.samePage === true")
    page.reload()
    counts = page.locator("main p").filter(has_text="virksomheder til stede").inner_text()
    assert f"virksomheder til stede: {CHECKED_IN}" in counts
    assert f"personer til stede: {CHECKED_IN}" in counts
    assert axe_violations(page) == []

    # 5. Minutes with an action item, then published.
    page.goto(meeting_url)
    with page.expect_navigation():
        page.get_by_role("link", name="Referat", exact=True).click()
    editor = page.get_by_label("Referat", exact=True).first
    editor.fill("Alle bød velkommen.\n- **22 virksomheder** mødte op")  # a list right after a line of text
    expect(page.locator(".app-minutes-preview ul strong").first).to_have_text("22 virksomheder")  # the live preview
    with page.expect_navigation():
        page.get_by_role("button", name="Gem referat").click()
    assert "Referatet er gemt." in page.content()
    assert page.locator(".app-minutes-preview strong").first.inner_text() == "22 virksomheder"
    page.get_by_label("Opgave", exact=True).fill(action)
    owner_name, owner_cvr = company_name_and_cvr(live_server, company_id)
    owner = page.get_by_label("Ansvarlig virksomhed")
    owner.press_sequentially(owner_cvr[:6], delay=20)  # the suggestions follow the typing (name, CVR, address)
    picked = page.locator(f'#owner-options option[value="{owner_name} (CVR {owner_cvr})"]')
    expect(picked).to_have_count(1)
    expect(page.locator("#owner-options option")).not_to_have_count(113)  # narrowed from the first list
    owner.fill(picked.get_attribute("value"))  # picked from the list
    page.get_by_label("Frist").fill(due.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Tilføj opgave").click()
    assert "Opgaven er tilføjet." in page.content()
    assert page.locator("#opgaver + ul").get_by_text(action).is_visible()
    assert owner_name in page.locator("#opgaver + ul").inner_text()
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Offentliggør og send").click()
    assert f"Referatet er offentliggjort og lagt i udbakken til {len(mails)} modtagere." in page.content()
    assert "Referatet blev sendt" in page.content()
    assert page.get_by_role("button", name="Offentliggør og send").count() == 0

    # 6. The next meeting of the series carries the open action item.
    with page.expect_navigation():
        page.locator(".back-link").click()
    page.get_by_label("Titel på næste møde").fill("Netværksmøde om affald, opfølgning")
    page.get_by_label("Dato for næste møde").fill(next_day.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Planlæg næste møde").click()
    assert "Næste møde er planlagt med samme dagsorden, sted og inviterede." in page.content()
    assert meeting_id_of(page) != meeting_id
    assert page.get_by_role("heading", level=1).inner_text() == "Netværksmøde om affald, opfølgning"
    follow_up = page.get_by_role("heading", name="Opfølgning fra tidligere møder")
    assert follow_up.is_visible()
    items = page.locator("h2:has-text('Opfølgning fra tidligere møder') + ul")
    assert action in items.inner_text()
    assert f"frist {due:%d.%m.%Y}" in items.inner_text()
    assert axe_violations(page) == []
