"""The company portal in a browser: the keyboard-only journey from the invitation mail, and axe on every page."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.browser.conftest import axe_violations, log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

NEW = "en lang sætning om stål på holmen"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def portal_company(live_server, key):
    """A company with a primary contact, an upcoming meeting it is invited to and a network meeting with
    published minutes and an attachment; returns (company id, contact e-mail, ids)."""
    from crm.auth.models import User
    from crm.companies.models import Company, Contact
    from crm.extensions import db
    from crm.meetings.models import Invitation, Meeting, MeetingAttachment

    app = live_server.app
    with app.app_context():
        cvr = {"tast": "29910413", "axe": "29910421"}[key]
        company = Company(cvr=cvr, name=f"Portalfirma {key} ApS")
        contact = Contact(company=company, name=f"Pia {key.title()}", email=f"pia@{key}.example", is_primary=True)
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=14)
        upcoming = Meeting(title=f"Netværksmøde {key}", starts_at=starts, ends_at=starts + timedelta(hours=2))
        past = Meeting(title=f"Netværksmøde med referat {key}", starts_at=starts - timedelta(days=60),
                       ends_at=starts - timedelta(days=60) + timedelta(hours=2),
                       minutes_published_at=starts - timedelta(days=59))
        db.session.add_all([company, contact, upcoming, past])
        db.session.flush()
        db.session.add_all([Invitation(meeting_id=upcoming.id, company_id=company.id, sent_sequence=0),
                            MeetingAttachment(meeting_id=past.id, filename="bilag.pdf", content_type="application/pdf",
                                              data=PDF, size=len(PDF))])
        staff = db.session.scalars(select(User).where(User.email == "staff@browser.example")).one()
        db.session.commit()
        return company.id, contact.id, staff.id, past.id


def invitation_path(live_server, contact_id, staff_id):
    """Staff invite the contact; the path of the link in the outbox mail."""
    from crm.auth.models import User
    from crm.companies.models import Contact
    from crm.extensions import db
    from crm.mail.models import OutboundEmail
    from crm.portal import access

    with live_server.app.app_context(), live_server.app.test_request_context():
        contact = db.session.get(Contact, contact_id)
        access.invite_contact(contact, by=db.session.get(User, staff_id))
        email = db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == contact.email)
                                   .order_by(OutboundEmail.id.desc())).first()
        db.session.commit()
        return re.search(r"(/portal/invitation/[\w-]+)", email.body_text).group(1)


def tab_to(page, predicate, limit=60):
    """Press Tab until the focused element matches the JavaScript predicate (given `el`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {predicate}")


def test_keyboard_only_from_the_invitation_mail_to_rsvp_and_a_contact_change(page, live_server):
    _company_id, contact_id, staff_id, _past = portal_company(live_server, "tast")
    page.goto(invitation_path(live_server, contact_id, staff_id))
    assert page.get_by_role("heading", level=1).inner_text() == "Velkommen til portalen"
    tab_to(page, "el.id === 'password'")
    page.keyboard.type(NEW)
    tab_to(page, "el.id === 'confirm'")
    page.keyboard.type(NEW)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/portal/") and "Velkommen til portalen. Din adgangskode er gemt." in page.content()

    tab_to(page, "el.textContent.trim() === 'Log af'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "el.id === 'email'")
    page.keyboard.type("pia@tast.example")
    tab_to(page, "el.id === 'password'")
    page.keyboard.type(NEW)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/portal/")

    tab_to(page, "el.textContent.includes('Ja, vi kommer')")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Svar gemt")
    assert "Jeres svar: Ja, vi kommer." in page.content()
    assert page.evaluate("document.activeElement.id").endswith("-yes"), "focus stays on the pressed answer"

    tab_to(page, "el.textContent.trim() === 'Vores virksomhed'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "el.textContent.includes('Redigér') && el.textContent.includes('Pia Tast')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "el.id === 'phone'")
    page.keyboard.type("36 39 36 39")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Kontaktpersonen er gemt." in page.content() and "36 39 36 39" in page.content()


PAGES = ["home", "meetings", "meeting", "company", "company_errors", "contact_new", "contact_errors", "groups",
         "directory", "invitation", "invitation_errors", "invitation_invalid", "staff_company", "staff_group",
         "upcoming_meeting", "invoices"]


@pytest.mark.parametrize("where", PAGES)
def test_portal_pages_have_no_accessibility_violations(page, live_server, where):
    company_id, contact_id, staff_id, past_id = portal_axe_company(live_server)
    if where.startswith("invitation"):
        path = "/portal/invitation/forfalsket" if where == "invitation_invalid" else invitation_path(
            live_server, contact_id, staff_id)
        page.goto(path)
        if where == "invitation_errors":
            page.get_by_label("Ny adgangskode", exact=True).fill("kort")
            with page.expect_navigation():
                page.get_by_role("button", name="Gem adgangskode og log ind").click()
            assert page.locator(".form-error-message").count() >= 1
    elif where.startswith("staff_"):
        log_in(page, "staff@browser.example")
        page.goto(f"/companies/{company_id}" if where == "staff_company" else "/groups/vand")
        assert "Anmodninger fra portalen" in page.content() or where == "staff_company"
    else:
        log_in(page, "portal-axe@axe.example")
        path = {"home": "/portal/", "meetings": "/portal/meetings", "meeting": f"/portal/meetings/{past_id}",
                "company": "/portal/company", "company_errors": "/portal/company",
                "contact_new": "/portal/company/contacts/new", "contact_errors": "/portal/company/contacts/new",
                "groups": "/portal/groups", "directory": "/portal/directory", "invoices": "/portal/invoices",
                "upcoming_meeting": f"/portal/meetings/{upcoming_meeting_id(live_server, company_id)}"}[where]
        page.goto(path)
        if where == "company_errors":
            page.locator("#website").fill("ikke en adresse")
            with page.expect_navigation():
                page.get_by_role("button", name="Gem oplysninger").click()
            assert page.locator(".form-error-message").count() == 1
        if where == "contact_errors":
            with page.expect_navigation():
                page.get_by_role("button", name="Gem kontaktperson").click()
            assert page.locator(".form-error-message").count() == 1
    assert axe_violations(page) == []


_axe_ids = {}


def portal_axe_company(live_server):
    if not _axe_ids:
        from crm.auth.models import Role
        from crm.auth.services import create_user
        from crm.companies.models import Company
        from crm.extensions import db

        ids = portal_company(live_server, "axe")
        with live_server.app.app_context():
            company = db.session.get(Company, ids[0])
            create_user("portal-axe@axe.example", PASSWORD, Role.COMPANY, name="Axel Axe", company=company)
            company.directory_listed, company.description = True, "Vi laver stål."
            _an_open_invoice(company)
            db.session.commit()
        with live_server.app.app_context(), live_server.app.test_request_context():
            from crm.auth.services import find_user
            from crm.groups.models import WorkingGroup
            from crm.portal import group_requests

            group = db.session.scalars(select(WorkingGroup).where(WorkingGroup.slug == "vand")).one()
            company = db.session.get(Company, ids[0])
            if group_requests.current_membership(group.id, company.id) is None:
                group_requests.ask(group, company, "join", by=find_user("portal-axe@axe.example"))
            db.session.commit()
        _axe_ids["ids"] = ids
    return _axe_ids["ids"]


def _an_open_invoice(company):
    """One sent invoice for the company, so the home page and the invoices page show their tables."""
    from datetime import date

    from crm.contributions.models import Contribution, ContributionScheme
    from crm.extensions import db

    scheme = ContributionScheme(year=2030, name="Axe-model", base_ore=300_000)
    db.session.add(scheme)
    db.session.flush()
    db.session.add(Contribution(company_id=company.id, year=2030, scheme_id=scheme.id, invoice_number=1,
                                invoice_date=date(2030, 2, 1), due_date=date(2030, 3, 3), net_ore=300_000,
                                vat_ore=75_000, paid_ore=100_000, state="partly_paid",
                                lines=[{"part": "base", "ore": 300_000}]))


def upcoming_meeting_id(live_server, company_id):
    from crm.extensions import db
    from crm.meetings.models import Invitation

    with live_server.app.app_context():
        return db.session.scalars(select(Invitation.meeting_id).where(Invitation.company_id == company_id)).first()
