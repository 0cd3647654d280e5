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


def deliver_all(live_server):
    """Run the mail worker once against the live server's database, delivering to a local SMTP server."""
    from crm.mail.worker import run_worker
    from tests.mail.smtp import SMTPSink
    from tests.mail.test_worker import worker_app_for

    sink = SMTPSink().start()
    try:
        with worker_app_for(live_server.app.config["SQLALCHEMY_DATABASE_URI"], sink).app_context():
            run_worker(once=True)
    finally:
        sink.stop()


def last_company_with_contacts(live_server):
    """(id, name) of the company with contacts whose name sorts last: far down an unanswered check-in list."""
    from crm.companies.models import Company, Contact
    from crm.extensions import db

    with live_server.app.app_context():
        return tuple(db.session.execute(select(Company.id, Company.name).where(Company.id.in_(
            select(Contact.company_id))).order_by(Company.name.desc()).limit(1)).one())


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
    assert invitation_mails(live_server, meeting_id) == [], "the first click only asks"
    asked = re.search(r"Mailen går til (\d+) personer i (\d+) virksomheder", page.content())
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Inviter og send").click()
    mails = invitation_mails(live_server, meeting_id)
    invited = network_size(live_server)
    assert f"{invited} virksomheder inviteret; {len(mails)} mails lagt i udbakken." in page.content()
    assert 0 < len(mails) <= invited and len(mails) == int(asked.group(1))
    # The delivery state updates in place while a mail worker delivers to an SMTP server.
    state = page.locator(".app-mailing-state")
    expect(state).to_contain_text(f"{len(mails)} i kø, 0 sendt, 0 fejlet")
    page.evaluate("window.samePage = true")
    deliver_all(live_server)
    expect(state).to_contain_text(f"0 i kø, {len(mails)} sendt, 0 fejlet", timeout=15_000)
    assert page.evaluate("window.samePage === true"), "updated in place, not by reloading the page"
    assert axe_violations(page) == []

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

    # 4. At the door: the company that said yes first, 50 companies until asked for more; check in the first
    #    person of 22 companies, each tap in place; then search a company further down and check in its person.
    page.set_viewport_size({"width": 768, "height": 1024})  # a tablet at the door
    with page.expect_navigation():
        page.get_by_role("link", name="Fremmøde").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    companies = page.locator("li.app-checkin-company")
    assert companies.first.get_attribute("id") == f"firma-{company_id}"
    expect(companies.first.locator("summary .app-tag")).to_have_text("Ja")
    assert companies.count() == 50 and f"{invited} virksomheder" in page.locator("#checkin-list").inner_text()
    assert axe_violations(page) == []
    page.evaluate("window.samePage = true")  # gone if a tap reloaded the page instead of swapping the row
    with_people = companies.filter(has=page.locator("li.app-checkin-person"))
    for n in range(CHECKED_IN):
        company = with_people.nth(n)
        company.locator("summary").click()
        row = company.locator("li.app-checkin-person").first
        row.get_by_role("button", name="Til stede", exact=True).click()
        expect(row.locator(".app-checkin-state")).to_have_text(re.compile(r"^Til stede \d\d:\d\d$"))
        expect(row.get_by_role("button", name="Til stede", exact=True)).to_have_attribute("aria-pressed", "true")
        expect(company.locator(".app-checkin-present")).to_have_text("1 til stede")
    expect(page.locator("#checkin-counts")).to_contain_text(f"personer til stede: {CHECKED_IN}")
    page.get_by_role("link", name=re.compile("^Vis flere")).click()
    expect(companies).to_have_count(100)
    expect(companies.nth(50).locator("summary")).to_be_focused()
    far_id, far_name = last_company_with_contacts(live_server)
    page.get_by_label("Søg virksomhed eller person").fill(far_name.upper())  # narrows as it is typed (htmx)
    expect(companies).to_have_count(1)
    found = page.locator(f"#firma-{far_id}")
    found.locator("li.app-checkin-person").first.get_by_role("button", name="Til stede", exact=True).click()
    expect(found.locator(".app-checkin-present")).to_have_text("1 til stede")
    assert page.evaluate("window.samePage === true")
    assert axe_violations(page) == []
    page.reload()
    counts = page.locator("#checkin-counts").inner_text()
    assert f"virksomheder til stede: {CHECKED_IN + 1}" in counts
    assert f"personer til stede: {CHECKED_IN + 1}" in counts
    assert axe_violations(page) == []

    # 5. Minutes with an action item, then published (back at the laptop).
    page.set_viewport_size({"width": 1366, "height": 900})
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
    assert f"Mailen går til {len(mails)} personer" in page.content(), "publishing asks first"
    with page.expect_navigation():
        page.get_by_role("button", name="Offentliggør og send").click()
    assert f"Referatet er offentliggjort og lagt i udbakken til {len(mails)} modtagere." in page.content()
    with page.expect_navigation():
        page.locator(".back-link").click()
    assert "Referatet blev offentliggjort" in page.content() and "Mails: I udbakken." in page.content()
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
