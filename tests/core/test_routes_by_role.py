"""Every registered route, requested as every role: the answer each role must get.

A new route fails `test_every_route_is_in_the_matrix` until it is added to ROUTES with the roles that reach it.
"""

import pytest
from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.mail.services import queue_email
from tests.conftest import login, post

PUBLIC = "public"
ALL = {"admin", "staff", "company"}
STAFF = {"admin", "staff"}
ADMIN = {"admin"}
COMPANY = {"company"}
#: The API's resources: a bearer token reaches them (tests/api), a session of any role never does (401, JSON).
TOKEN = "token"

#: endpoint -> (method, url, roles that reach it). {email} is an outbox mail made by the fixture.
ROUTES = {
    "auth.login": ("GET", "/login", PUBLIC),
    "auth.logout": ("POST", "/logout", ALL),
    "auth.forgot_password": ("GET", "/password/forgot", PUBLIC),
    "auth.reset_password": ("GET", "/password/reset/unknown-token", PUBLIC),
    "auth.change_password": ("GET", "/account/password", ALL),
    "auth.set_language": ("POST", "/language", PUBLIC),
    "auth.two_factor_login": ("GET", "/login/two-factor", PUBLIC),
    "auth.two_factor": ("GET", "/account/two-factor", ALL),
    "auth.two_factor_start": ("POST", "/account/two-factor/start", ALL),
    "auth.two_factor_confirm": ("POST", "/account/two-factor/confirm", ALL),
    "auth.two_factor_disable": ("POST", "/account/two-factor/disable", ALL),
    "auth.two_factor_recovery_codes": ("POST", "/account/two-factor/recovery-codes", ALL),
    "auth.two_factor_users": ("GET", "/account/two-factor/users", ADMIN),
    "auth.two_factor_reset": ("POST", "/users/999999/two-factor/reset", ADMIN),
    "home.index": ("GET", "/", ALL),
    "reports.index": ("GET", "/reports/", STAFF),
    "reports.year": ("GET", "/reports/2025", STAFF),
    "reports.export_figures": ("GET", "/reports/2025/figures.csv", STAFF),
    "reports.company_list": ("GET", "/reports/2025/companies/invited", STAFF),
    "reports.export_company_list": ("GET", "/reports/2025/companies/invited.xlsx", STAFF),
    "reports.meetings": ("GET", "/reports/2025/meetings", STAFF),
    "reports.export_meetings": ("GET", "/reports/2025/meetings.csv", STAFF),
    "reports.funnel_index": ("GET", "/reports/funnel", STAFF),
    "reports.funnel_step": ("GET", "/reports/funnel/came", STAFF),
    "reports.export_funnel_step": ("GET", "/reports/funnel/pays.csv", STAFF),
    "reports.quiet": ("GET", "/reports/quiet", STAFF),
    "reports.export_quiet": ("GET", "/reports/quiet.xlsx", STAFF),
    "reports.year_pdf": ("GET", "/reports/2025.pdf", STAFF),
    "reports.year_docx": ("GET", "/reports/2025.docx", STAFF),
    "reports.goals_index": ("GET", "/reports/2025/goals", STAFF),
    "reports.new_goal": ("GET", "/reports/2025/goals/new", STAFF),
    "reports.edit_goal": ("GET", "/reports/{goal_year}/goals/{goal}/edit", STAFF),
    "reports.delete_goal": ("POST", "/reports/{goal_year}/goals/{goal}/delete", STAFF),
    "exchange.cases": ("GET", "/exchange/cases/", STAFF),
    "exchange.new_case": ("GET", "/exchange/cases/companies/{company}/new", STAFF),
    "exchange.edit_case": ("GET", "/exchange/cases/{case}/edit", STAFF),
    "exchange.case_partners": ("GET", "/exchange/cases/partners", STAFF),
    "exchange.add_case_partner": ("POST", "/exchange/cases/partners", STAFF),
    "exchange.edit_case_partner": ("GET", "/exchange/cases/partners/{partner}/edit", STAFF),
    "home.healthz": ("GET", "/healthz", PUBLIC),
    "home.accessibility_statement": ("GET", "/was", PUBLIC),
    "audit.index": ("GET", "/audit/", STAFF),
    "audit.access": ("GET", "/audit/access", ADMIN),
    "audit.export_access": ("GET", "/audit/access.csv", ADMIN),
    "audit.retention_page": ("GET", "/audit/retention", ADMIN),
    "mail.index": ("GET", "/outbox/", STAFF),
    "mail.show": ("GET", "/outbox/{email}", STAFF),
    "mail.html_body": ("GET", "/outbox/{email}/html", STAFF),
    "mail.retry": ("POST", "/outbox/{email}/retry", STAFF),
    "mail.cancel": ("POST", "/outbox/{email}/cancel", STAFF),
    "mail.newsletter": ("GET", "/outbox/newsletter", STAFF),
    "mail.mass_mailing": ("GET", "/outbox/mailings/{mailing}", STAFF),
    "mail.mass_mailing_state": ("GET", "/outbox/mailings/{mailing}/state", STAFF),
    "mail_public.unsubscribe": ("GET", "/unsubscribe/forged-token", PUBLIC),
    "static": ("GET", "/static/css/app.css", PUBLIC),
    "companies.index": ("GET", "/companies/", STAFF),
    "companies.export": ("GET", "/companies/export?format=csv", STAFF),
    "companies.create": ("GET", "/companies/new", STAFF),
    "companies.show": ("GET", "/companies/{company}", STAFF),
    "companies.edit": ("GET", "/companies/{company}/edit", STAFF),
    "companies.mark_left": ("POST", "/companies/{company}/left", STAFF),
    "companies.add_activity": ("POST", "/companies/{company}/activities", STAFF),
    "companies.add_contact": ("GET", "/companies/{company}/contacts/new", STAFF),
    "companies.edit_contact": ("GET", "/companies/{company}/contacts/{contact}/edit", STAFF),
    "companies.remove_contact": ("POST", "/companies/{company}/contacts/{contact}/delete", STAFF),
    "companies.merge": ("GET", "/companies/{company}/merge", STAFF),
    "companies.add_plot": ("POST", "/companies/{company}/plots", STAFF),
    "companies.add_tenant": ("POST", "/companies/{company}/plots/{plot}/tenants", STAFF),
    "companies.import_upload": ("GET", "/companies/import", STAFF),
    "companies.import_preview": ("GET", "/companies/import/{upload}", STAFF),
    "companies.import_confirm": ("POST", "/companies/import/{upload}/confirm", STAFF),
    "groups.index": ("GET", "/groups/", STAFF),
    "groups.show": ("GET", "/groups/vand", STAFF),
    "groups.add_members": ("POST", "/groups/vand/members", STAFF),
    "groups.remove_member": ("POST", "/groups/vand/members/{membership}/remove", STAFF),
    "groups.set_role": ("POST", "/groups/vand/members/{membership}/role", STAFF),
    "groups.mail": ("GET", "/groups/vand/mail", STAFF),
    "groups.add_initiative": ("POST", "/groups/vand/initiatives", STAFF),
    "groups.create": ("GET", "/groups/new", ADMIN),
    "groups.edit": ("GET", "/groups/vand/edit", ADMIN),
    "groups.upload_document": ("POST", "/groups/vand/documents", STAFF),
    "groups.download_document": ("GET", "/groups/vand/documents/999999", STAFF),
    "companies.lookup_names": ("GET", "/companies/lookup?q=holme", STAFF),
    "meetings.index": ("GET", "/meetings/", STAFF),
    "meetings.create": ("GET", "/meetings/new", STAFF),
    "meetings.show": ("GET", "/meetings/{meeting}", STAFF),
    "meetings.edit": ("GET", "/meetings/{meeting}/edit", STAFF),
    "meetings.add_agenda_item": ("POST", "/meetings/{meeting}/agenda", STAFF),
    "meetings.plan_next": ("POST", "/meetings/{meeting}/next", STAFF),
    "meetings.preview_minutes": ("POST", "/meetings/{meeting}/minutes/preview", STAFF),
    "meetings.invite": ("GET", "/meetings/{meeting}/invite", STAFF),
    "meetings.invitation_list": ("GET", "/meetings/{meeting}/invitations", STAFF),
    "meetings.export_invitations": ("GET", "/meetings/{meeting}/invitations.csv", STAFF),
    "meetings.send": ("POST", "/meetings/{meeting}/send", STAFF),
    "meetings.cancel": ("POST", "/meetings/{meeting}/cancel", STAFF),
    "meetings.remind": ("POST", "/meetings/{meeting}/remind", STAFF),
    "meetings.record_answer": ("POST", "/meetings/{meeting}/invitations/{invitation}/rsvp", STAFF),
    "meetings.calendar_file": ("GET", "/meetings/{meeting}.ics", STAFF),
    "meetings_public.rsvp": ("GET", "/rsvp/forged-token", PUBLIC),
    "meetings.checkin": ("GET", "/meetings/{meeting}/checkin", STAFF),
    "meetings.mark_attendance": ("POST", "/meetings/{meeting}/attendance", STAFF),
    "meetings.walk_in": ("POST", "/meetings/{meeting}/walk-in", STAFF),
    "meetings.export_attendance": ("GET", "/meetings/{meeting}/attendance.csv", STAFF),
    "meetings.edit_minutes": ("GET", "/meetings/{meeting}/minutes", STAFF),
    "meetings.add_action": ("POST", "/meetings/{meeting}/actions", STAFF),
    "meetings.action_status": ("POST", "/meetings/{meeting}/actions/999999/status", STAFF),
    "meetings.upload_attachment": ("POST", "/meetings/{meeting}/attachments", STAFF),
    "meetings.download_attachment": ("GET", "/meetings/{meeting}/attachments/999999", STAFF),
    "meetings.minutes_pdf": ("GET", "/meetings/{meeting}/minutes.pdf", STAFF),
    "meetings.publish": ("POST", "/meetings/{meeting}/publish", STAFF),
    "meetings.minutes_archive": ("GET", "/meetings/archive", STAFF),
    "meetings.calendar_settings": ("GET", "/meetings/calendar", ALL),
    "meetings_public.calendar_feed_file": ("GET", "/calendar/unknown-token.ics", PUBLIC),
    "contributions.index": ("GET", "/contributions/", STAFF),
    "contributions.export": ("GET", "/contributions/export?format=xlsx", STAFF),
    "contributions.billing_run": ("GET", "/contributions/billing?year=2031", ADMIN),
    "contributions.send_reminders": ("POST", "/contributions/reminders", STAFF),
    "contributions.hold_reminders": ("POST", "/contributions/holds/{company}", STAFF),
    "contributions.release_reminders": ("POST", "/contributions/holds/{company}/delete", STAFF),
    "contributions.schemes_index": ("GET", "/contributions/schemes", ADMIN),
    "contributions.new_scheme": ("GET", "/contributions/schemes/new", ADMIN),
    "contributions.edit_scheme": ("GET", "/contributions/schemes/{scheme}/edit", ADMIN),
    "contributions.show_scheme": ("GET", "/contributions/schemes/{scheme}", ADMIN),
    "contributions.compare_schemes": ("GET", "/contributions/schemes/{scheme}/compare?with={scheme}", ADMIN),
    "contributions.export_scheme": ("GET", "/contributions/schemes/{scheme}/export.xlsx", ADMIN),
    "contributions.copy_scheme": ("POST", "/contributions/schemes/{scheme}/copy", ADMIN),
    "contributions.adopt_scheme": ("POST", "/contributions/schemes/{scheme}/adopt", ADMIN),
    "contributions.add_adjustment": ("POST", "/contributions/schemes/{scheme}/adjustments", ADMIN),
    "contributions.remove_adjustment": ("POST", "/contributions/schemes/{scheme}/adjustments/999999/delete", ADMIN),
    "contributions.show_invoice": ("GET", "/contributions/invoices/{contribution}", STAFF),
    "contributions.invoice_pdf": ("GET", "/contributions/invoices/{contribution}.pdf", STAFF),
    "contributions.credit_note_pdf": ("GET", "/contributions/invoices/{contribution}/credit-note.pdf", STAFF),
    "contributions.add_payment": ("POST", "/contributions/invoices/{contribution}/payments", STAFF),
    "contributions.credit": ("POST", "/contributions/invoices/{contribution}/credit", ADMIN),
    "contributions.waive": ("POST", "/contributions/invoices/{contribution}/waive", ADMIN),
    "contributions.send_invoice": ("POST", "/contributions/invoices/{contribution}/send", STAFF),
    "contributions.bank_index": ("GET", "/contributions/bank/", STAFF),
    "contributions.statement_mapping": ("GET", "/contributions/bank/statements/{statement}/columns", STAFF),
    "contributions.statement_preview": ("GET", "/contributions/bank/statements/{statement}", STAFF),
    "contributions.statement_confirm": ("POST", "/contributions/bank/statements/{statement}/confirm", STAFF),
    "contributions.transaction_assign": ("POST", "/contributions/bank/transactions/{transaction}/assign", STAFF),
    "contributions.transaction_undo": ("POST", "/contributions/bank/transactions/{transaction}/undo", STAFF),
    "portal.index": ("GET", "/portal/", COMPANY),
    "portal.rsvp": ("POST", "/portal/invitations/{invitation}/rsvp", COMPANY),
    "portal.meetings": ("GET", "/portal/meetings", COMPANY),
    "portal.meeting": ("GET", "/portal/meetings/{meeting}", COMPANY),
    "portal.attachment": ("GET", "/portal/meetings/{meeting}/attachments/999999", COMPANY),
    "portal.minutes_pdf": ("GET", "/portal/meetings/{meeting}/minutes.pdf", COMPANY),
    "portal.company": ("GET", "/portal/company", COMPANY),
    "portal.add_contact": ("GET", "/portal/company/contacts/new", COMPANY),
    "portal.edit_contact": ("GET", "/portal/company/contacts/{contact}", COMPANY),
    "portal.remove_our_contact": ("POST", "/portal/company/contacts/{contact}/delete", COMPANY),
    "portal.request_erasure": ("POST", "/portal/company/contacts/{contact}/erasure", COMPANY),
    "portal.invite_contact": ("POST", "/portal/contacts/{contact}/invite", ALL),
    "portal.download_data": ("GET", "/portal/company/data.zip", COMPANY),
    "portal_partnership.index": ("GET", "/portal/membership/", COMPANY),
    "portal_partnership.figures": ("POST", "/portal/membership/figures", COMPANY),
    "portal_partnership.sign": ("POST", "/portal/membership/sign", COMPANY),
    "portal_partnership.agreement_pdf": ("GET", "/portal/membership/agreement.pdf", COMPANY),
    "partnership.index": ("GET", "/partnership/", STAFF),
    "partnership.new_version": ("GET", "/partnership/agreements/new", ADMIN),
    "partnership.version": ("GET", "/partnership/agreements/{agreement}", STAFF),
    "partnership.version_pdf": ("GET", "/partnership/agreements/{agreement}.pdf", STAFF),
    "portal.groups": ("GET", "/portal/groups", COMPANY),
    "portal.group_request": ("POST", "/portal/groups/vand/request", COMPANY),
    "portal.directory": ("GET", "/portal/directory", COMPANY),
    "portal.invoices_index": ("GET", "/portal/invoices", COMPANY),
    "portal.invoice_pdf": ("GET", "/portal/invoices/{contribution}.pdf", COMPANY),
    "portal.credit_note_pdf": ("GET", "/portal/invoices/{contribution}/credit-note.pdf", COMPANY),
    "portal.accept_invitation": ("GET", "/portal/invitation/forged-token", PUBLIC),
    "portal.disable_login": ("POST", "/portal/users/999999/disable", STAFF),
    "portal.carry_out_erasure": ("POST", "/portal/erasure/999999", STAFF),
    "portal.decide_group_request": ("POST", "/portal/group-requests/999999", STAFF),
    "joining.join": ("GET", "/join", PUBLIC),
    "joining.thanks": ("GET", "/join/thanks", PUBLIC),
    "joining.requests": ("GET", "/companies/join-requests", STAFF),
    "joining.show": ("GET", "/companies/join-requests/999999", STAFF),
    "joining.approve": ("POST", "/companies/join-requests/999999/approve", STAFF),
    "joining.decline": ("POST", "/companies/join-requests/999999/decline", STAFF),
    "api_tokens.index": ("GET", "/account/tokens", ALL),
    "api_tokens.create": ("POST", "/account/tokens", ALL),
    "api_tokens.revoke": ("POST", "/account/tokens/999999/revoke", ALL),
    "api_docs.index": ("GET", "/api/v1/", PUBLIC),
    "api_docs.openapi_json": ("GET", "/api/v1/openapi.json", PUBLIC),
    "api_docs.docs": ("GET", "/api/v1/docs", PUBLIC),
    "api_companies.companies": ("GET", "/api/v1/companies", TOKEN),
    "api_companies.company": ("GET", "/api/v1/companies/{company}", TOKEN),
    "api_companies.add_activity": ("POST", "/api/v1/companies/{company}/activities", TOKEN),
    "api_companies.contacts": ("GET", "/api/v1/contacts", TOKEN),
    "api_companies.contact": ("GET", "/api/v1/contacts/{contact}", TOKEN),
    "api_companies.plots": ("GET", "/api/v1/plots", TOKEN),
    "api_companies.plot": ("GET", "/api/v1/plots/{plot}", TOKEN),
    "api_meetings.meetings": ("GET", "/api/v1/meetings", TOKEN),
    "api_meetings.meeting": ("GET", "/api/v1/meetings/{meeting}", TOKEN),
    "api_groups.groups": ("GET", "/api/v1/groups", TOKEN),
    "api_groups.group": ("GET", "/api/v1/groups/1", TOKEN),
    "api_contributions.contributions": ("GET", "/api/v1/contributions", TOKEN),
    "api_contributions.contribution": ("GET", "/api/v1/contributions/{contribution}", TOKEN),
    "exchange.index": ("GET", "/exchange/", STAFF),
    "exchange.listing": ("GET", "/exchange/listings/999999", STAFF),
    "exchange.hide_listing": ("POST", "/exchange/listings/999999/hide", STAFF),
    "exchange.show_listing": ("POST", "/exchange/listings/999999/show", STAFF),
    "exchange.conversation": ("GET", "/exchange/conversations/999999", STAFF),
    "exchange.categories": ("GET", "/exchange/categories", ADMIN),
    "exchange.toggle_category": ("POST", "/exchange/categories/999999/toggle", ADMIN),
    "exchange.factors": ("GET", "/exchange/factors", ADMIN),
    "exchange.edit_factor": ("GET", "/exchange/factors/999999", ADMIN),
    "portal_exchange.index": ("GET", "/portal/exchange/", COMPANY),
    "portal_exchange.new_listing": ("GET", "/portal/exchange/listings/new", COMPANY),
    "portal_exchange.show_listing": ("GET", "/portal/exchange/listings/999999", COMPANY),
    "portal_exchange.edit_listing": ("GET", "/portal/exchange/listings/999999/edit", COMPANY),
    "portal_exchange.delete_picture": ("POST", "/portal/exchange/listings/999999/pictures/999999/delete", COMPANY),
    "portal_exchange.picture": ("GET", "/portal/exchange/pictures/999999", ALL),
    "portal_exchange.withdraw_listing": ("POST", "/portal/exchange/listings/999999/withdraw", COMPANY),
    "portal_exchange.close_listing": ("GET", "/portal/exchange/listings/999999/close", COMPANY),
    "portal_exchange.interest": ("POST", "/portal/exchange/listings/999999/interest", COMPANY),
    "portal_exchange.conversation_list": ("GET", "/portal/exchange/conversations", COMPANY),
    "portal_exchange.conversation": ("GET", "/portal/exchange/conversations/999999", COMPANY),
    "portal_exchange.report_message": ("POST", "/portal/exchange/conversations/999999/messages/999999/report",
                                       COMPANY),
    "portal_exchange.mail_choices": ("GET", "/portal/exchange/mail", COMPANY),
}

ROLES = ("anonymous", "admin", "staff", "company")


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(ROUTES), "add new routes to ROUTES, remove old ones"


def test_every_view_declares_who_may_reach_it(app):
    undeclared = [
        endpoint for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "allowed_roles")
    ]
    assert undeclared == []


@pytest.fixture
def sample(db, make_company):
    from crm.companies.models import CompanyImport, Contact, Plot

    company = make_company()
    email = queue_email(to_address="modtager@firma.example", subject="Prøve", body_text="Hej",
                        body_html="<p>Hej</p>", company=company)
    contact = Contact(company=company, name="Karen Kontakt", email="karen@firma.example", is_primary=True)
    plot = Plot(cadastral_number="1a Avedøre By", owner_id=company.id)
    upload = CompanyImport(filename="liste.csv", data=b"CVR;Navn\r\n")
    db.session.add_all([contact, plot, upload])
    db.session.flush()
    from crm.groups.models import GroupMembership, WorkingGroup

    water = db.session.scalars(select(WorkingGroup).where(WorkingGroup.slug == "vand")).one()
    membership = GroupMembership(group_id=water.id, company_id=company.id)
    from datetime import UTC, datetime, timedelta

    from crm.meetings.models import Meeting

    starts = datetime.now(UTC) + timedelta(days=7)
    meeting = Meeting(title="Netværksmøde", starts_at=starts, ends_at=starts + timedelta(hours=2))
    db.session.add_all([membership, meeting])
    db.session.flush()
    from crm.meetings.models import Invitation

    invitation = Invitation(meeting_id=meeting.id, company_id=company.id, sent_sequence=0)
    db.session.add(invitation)
    from crm.contributions.models import Contribution, ContributionScheme

    scheme = ContributionScheme(year=2031, name="Prøvemodel", base_ore=100_000)
    db.session.add(scheme)
    db.session.flush()
    contribution = Contribution(company_id=company.id, year=2031, scheme_id=scheme.id, invoice_number=1,
                                invoice_date=starts.date(), due_date=starts.date(), net_ore=100_000,
                                vat_ore=25_000)
    from crm.contributions.statement_models import BankStatement, BankTransaction, TransactionState

    statement = BankStatement(filename="bank.csv", kind="csv", mapping={"date": 0, "text": 1, "amount": 2},
                              data="Dato;Tekst;Beløb\n01-03-2031;Gave;10,00\n".encode())
    db.session.add(statement)
    db.session.flush()
    transaction = BankTransaction(statement_id=statement.id, identity="routes:1", booked_on=starts.date(),
                                  amount_ore=1_000, state=TransactionState.UNMATCHED)
    db.session.add(transaction)
    from crm.mail.models import MassMailing
    from crm.reports.models import ReportGoal

    mailing = MassMailing(token="prøve-udsendelse", purpose="group", title="Mail til Vand: Prøve", back_path="/")
    goal = ReportGoal(year=2025, text="Ti netværksmøder", figure="network_meetings", target=10)
    from crm.exchange.case_models import CaseKind, CasePartner, GreenCase

    partner = CasePartner(name="Prøvepartner")
    db.session.add_all([contribution, mailing, goal, partner])
    db.session.flush()
    case = GreenCase(company_id=company.id, kind=CaseKind.ADVICE, partner_id=partner.id, started_on=starts.date())
    db.session.add(case)
    from crm.partnership.models import AgreementVersion

    agreement = AgreementVersion(title="Aftale", body="# Aftale", takes_effect_on=starts.date().replace(year=2020))
    db.session.add_all([contribution, mailing, goal, agreement])
    db.session.commit()
    return {"mailing": mailing.id, "scheme": scheme.id, "agreement": agreement.id, "contribution": contribution.id,
            "goal": goal.id, "goal_year": goal.year,
            "email": email.id, "company": company.id, "contact": contact.id, "plot": plot.id, "upload": upload.id,
            "membership": membership.id, "meeting": meeting.id, "invitation": invitation.id,
            "statement": statement.id, "transaction": transaction.id, "case": case.id, "partner": partner.id}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_route_answers_each_role(app, db, make_user, sample, endpoint, role):
    method, url, allowed = ROUTES[endpoint]
    url = url.format(**sample)
    client = app.test_client()
    if role != "anonymous":
        assert login(client, make_user(role).email).status_code == 302
    response = post(client, url) if method == "POST" else client.get(url)
    location = response.headers.get("Location", "")
    if allowed == TOKEN:  # a session cookie opens nothing in the API
        assert response.status_code == 401 and response.is_json, f"{role} not refused at {url}"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    elif allowed == PUBLIC or role in allowed:
        assert response.status_code not in (401, 403), f"{role} refused at {url}"
        if endpoint != "auth.logout":  # logging out ends at the login page
            assert not location.startswith("/login"), f"{role} sent to login from {url}"
    elif role == "anonymous":
        assert response.status_code == 302 and location.startswith("/login?next=")
    else:
        assert response.status_code == 403
        assert "Du har ikke adgang til siden" in response.get_data(as_text=True)


def test_refused_access_is_audited(company_client, db):
    assert company_client.get("/audit/").status_code == 403
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "access.denied")).one()
    assert entry.actor_id == company_client.user.id
    assert entry.changes["path"] == "/audit/"
