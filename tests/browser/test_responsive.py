"""Every main page on a phone (390x844) and a tablet (768x1024), as staff and as a company user.

On each page: the "Menu" button opens the design system's drawer and a link in it leads on, the page never
scrolls sideways (wide tables scroll in their own box) and axe-core finds no violations. axe-core is the pinned
npm devDependency (package.json), put into the page by the test only; the app never serves it.
"""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import AXE_TAGS, log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
#: Besides WCAG 2.1 A/AA: WCAG 2.2's target-size, the tap targets of at least 24 px that phones need.
RESPONSIVE_AXE_TAGS = [*AXE_TAGS, "wcag22aa"]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 768, "height": 1024}}
STAFF = "responsive-staff@browser.example"
COMPANY_USER = "responsive-firma@browser.example"

#: page name -> path; "{...}" is filled from the test's world.
STAFF_PAGES = {
    "home": "/", "company list": "/companies/", "company": "/companies/{company}", "meeting list": "/meetings/",
    "meeting": "/meetings/{meeting}", "check-in": "/meetings/{meeting}/checkin", "group list": "/groups/",
    "group": "/groups/affald", "contributions": "/contributions/", "outbox": "/outbox/", "partnership": "/partnership/",
}
PORTAL_PAGES = {
    "portal home": "/portal/", "our company": "/portal/company", "portal meetings": "/portal/meetings",
    "invoices": "/portal/invoices", "membership": "/portal/membership/",
}
#: The menu link each role follows from the drawer, and the path it must lead to.
MENU_LINK = {STAFF: ("Arbejdsgrupper", "/groups/"), COMPANY_USER: ("Fakturaer", "/portal/invoices")}

_world = {}


def responsive_world(live_server):
    """A company with a portal login, contacts and an invoice, member of a group and invited with 24 other
    companies to a meeting with an agenda; a past meeting with minutes; a mail in the outbox. Made once."""
    if _world:
        return _world
    from crm.auth.services import create_user
    from crm.companies.models import Company, Contact
    from crm.extensions import db
    from crm.groups.models import GroupMembership, WorkingGroup
    from crm.mail.services import queue_email
    from crm.security import Role

    app = live_server.app
    with app.app_context(), app.test_request_context():
        company = Company(cvr="29910448", name="Mobilfirmaet Vinduespolering og Facadeservice ApS",
                          street="Stamholmen 151", postal_code="2650", city="Hvidovre")
        site = "mobilfirmaet-vinduespolering.example"
        contact = Contact(company=company, name="Mette Mobil", is_primary=True, title="Indehaver",
                          email=f"mette.mobil@{site}", phone="+45 36 39 36 39")
        db.session.add_all([company, contact, Contact(company=company, name="Tom Tablet", email=f"tom.tablet@{site}")])
        db.session.flush()
        create_user(STAFF, PASSWORD, Role.STAFF, name="Rikke Responsiv")
        create_user(COMPANY_USER, PASSWORD, Role.COMPANY, name="Mette Mobil", company=company)
        group = db.session.scalars(select(WorkingGroup).where(WorkingGroup.slug == "affald")).one()
        db.session.add(GroupMembership(group_id=group.id, company_id=company.id, contact_id=contact.id))
        meeting_id = _meetings_with(company, contact)
        _an_invoice_for(company)
        _an_agreement()
        queue_email(to_address=contact.email, to_name=contact.name, company=company,
                    subject="Invitation: Netværksmøde om fælles energi og affald på Holmen", body_text="Hej Mette")
        db.session.commit()
        _world.update(company=company.id, meeting=meeting_id)
    return _world


def _meetings_with(company, contact):
    """An upcoming meeting with an agenda, the company and 24 others invited with mixed answers, and a past
    meeting the contact attended; returns the upcoming meeting's id."""
    from crm.companies.models import Company
    from crm.extensions import db
    from crm.meetings.models import AgendaItem, Attendance, AttendanceStatus, Invitation, Meeting, Rsvp

    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    meeting = Meeting(title="Netværksmøde om fælles energi og affald på Holmen", series="Netværksmøde",
                      starts_at=starts, ends_at=starts + timedelta(hours=2), place="Holme Erhvervshus, Stamholmen 1")
    held = starts - timedelta(days=70)
    past = Meeting(title="Netværksmøde om vand", starts_at=held, ends_at=held + timedelta(hours=2),
                   minutes_published_at=held + timedelta(days=2))
    db.session.add_all([meeting, past])
    db.session.flush()
    agenda = [("Velkomst", "Sekretariatet", 10), ("Fælles solceller på tagene", "Energigruppen", 45)]
    db.session.add_all([AgendaItem(meeting_id=meeting.id, position=n, title=title, presenter=who, minutes_allotted=m)
                        for n, (title, who, m) in enumerate(agenda)])
    others = db.session.scalars(select(Company).where(Company.id != company.id).order_by(Company.id).limit(24))
    answers = [Rsvp.YES, Rsvp.MAYBE, Rsvp.NO, None]
    db.session.add_all([Invitation(meeting_id=meeting.id, company_id=c.id, rsvp=answers[n % 4], sent_sequence=0)
                        for n, c in enumerate([company, *others])])
    db.session.add_all([Invitation(meeting_id=past.id, company_id=company.id, rsvp=Rsvp.YES, sent_sequence=0),
                        Attendance(meeting_id=past.id, company_id=company.id, contact_id=contact.id,
                                   status=AttendanceStatus.PRESENT)])
    return meeting.id


def _an_agreement():
    """The partnership agreement in force (made when the network has none), for the membership pages."""
    from crm.extensions import db
    from crm.partnership.models import AgreementVersion
    from tests.partnership.helpers import AGREEMENT_TEXT

    if db.session.scalars(select(AgreementVersion)).first() is None:
        db.session.add(AgreementVersion(title="Partnerskabsaftale for Avedøre Holme Erhvervsnetværk",
                                        takes_effect_on=date(2020, 1, 1), notice_months=3, body=AGREEMENT_TEXT))


def _an_invoice_for(company):
    """A sent invoice this year, under the year's adopted scheme (made when the network has none)."""
    from crm.contributions.models import Contribution, ContributionScheme
    from crm.extensions import db

    year = date.today().year
    scheme = db.session.scalars(select(ContributionScheme).where(ContributionScheme.year == year,
                                                                 ContributionScheme.active)).first()
    if scheme is None:
        scheme = ContributionScheme(year=year, name="Responsiv model", base_ore=250_000, active=True)
        db.session.add(scheme)
        db.session.flush()
    db.session.add(Contribution(company_id=company.id, year=year, scheme_id=scheme.id, invoice_number=9_001,
                                invoice_date=date(year, 2, 1), due_date=date(year, 3, 3), net_ore=250_000,
                                vat_ore=62_500, state="sent", lines=[{"part": "base", "ore": 250_000}]))


def axe_violations(page):
    """axe-core's violations on the page as (rule, help, first targets)."""
    assert AXE.exists(), f"{AXE} is missing: run `make assets` (npm ci installs the pinned axe-core)"
    page.wait_for_load_state("load")
    # Evaluated rather than added as a <script>: the app's CSP (rightly) refuses inline scripts, and the test
    # keeps the CSP on so that a page that only works without it still fails here.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    options = json.dumps({"runOnly": {"type": "tag", "values": RESPONSIVE_AXE_TAGS}})
    result = page.evaluate(f"async () => (await axe.run(document, {options})).violations")
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result]


def sideways_overflow(page):
    """How many pixels the page scrolls sideways (0 when it fits the screen)."""
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


@pytest.fixture
def screen(request, browser, live_server):
    context = browser.new_context(locale="da-DK", base_url=live_server.url, viewport=VIEWPORTS[request.param])
    yield context.new_page()
    context.close()


def check_pages(page, pages):
    """Visit each page; return {page name: [what is wrong]} for the pages where something is."""
    problems = {}
    for name, path in pages.items():
        response = page.goto(path.format(**_world))
        found = [] if response.ok else [f"status {response.status}"]
        if (overflow := sideways_overflow(page)) > 0:
            found.append(f"scrolls sideways by {overflow} px")
        if not page.get_by_role("button", name="Menu", exact=True).is_visible():
            found.append("no visible menu button")
        found += axe_violations(page)
        if found:
            problems[name] = found
    return problems


@pytest.mark.parametrize(("who", "pages"), [(STAFF, STAFF_PAGES), (COMPANY_USER, PORTAL_PAGES)],
                         ids=["staff", "portal"])
@pytest.mark.parametrize("screen", VIEWPORTS, indirect=True)
def test_the_main_pages_fit_a_phone_and_a_tablet_without_accessibility_violations(screen, live_server, who, pages):
    responsive_world(live_server)
    log_in(screen, who)
    problems = check_pages(screen, pages)
    assert not problems, problems


@pytest.mark.parametrize("who", [STAFF, COMPANY_USER])
@pytest.mark.parametrize("screen", VIEWPORTS, indirect=True)
def test_the_menu_button_opens_the_menu_and_its_links_lead_on(screen, live_server, who):
    responsive_world(live_server)
    log_in(screen, who)
    label, path = MENU_LINK[who]
    desktop_menu = screen.locator(".navigation-menu")
    menu_button = screen.get_by_role("button", name="Menu", exact=True)
    expect(desktop_menu).to_be_hidden()
    drawer = screen.get_by_role("dialog", name="Menu")
    expect(drawer).to_be_hidden()

    menu_button.click()
    expect(drawer).to_be_visible()
    expect(drawer.get_by_role("button", name="Luk")).to_be_focused()
    screen.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    expect(menu_button).to_be_focused()

    menu_button.click()
    with screen.expect_navigation():
        drawer.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name=label, exact=True).click()
    assert screen.url == f"{live_server.url}{path}"
    menu_button.click()
    current = drawer.locator("[aria-current=page]")
    expect(current).to_have_count(1)
    expect(current).to_have_text(label)
    assert sideways_overflow(screen) == 0
