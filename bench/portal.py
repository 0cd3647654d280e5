"""The portal pages in the benchmark: a company user on every dataset, and the floor routes of its pages.

The portal user belongs to the first company invited to the dataset's benchmark meeting, so its home page has an
upcoming meeting to answer. The floor finds the same company through the same user (it has no login).
"""

from flask import abort, current_app
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import selectinload

from crm.auth.models import User
from crm.companies.models import Company
from crm.extensions import db
from crm.portal import access, erasure, services
from crm.security import Role

PORTAL_EMAIL = "portal@bench.example"
PORTAL_PASSWORD = "portal-maalebaand-2024"  # noqa: S105  (a benchmark user in a throwaway database)


#: The portal user's company: the first company invited to the benchmark meeting.
PORTAL_COMPANY = text("SELECT min(company_id) FROM invitations WHERE meeting_id = "
                      "(SELECT min(id) FROM meetings WHERE title = :title)")


def ensure_portal_user(url, meeting_title):
    """Add the benchmark's company user to the dataset when it is missing."""
    from crm.auth.passwords import hash_password

    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            if connection.scalar(text("SELECT id FROM users WHERE email = :email"), {"email": PORTAL_EMAIL}):
                return
            company_id = connection.scalar(PORTAL_COMPANY, {"title": meeting_title})
            connection.execute(text(
                "INSERT INTO users (email, name, password_hash, role, company_id, active, session_token, created_at) "
                "VALUES (:email, 'Portal Bruger', :hash, 'company', :company, :active, 'bench-portal', "
                "CURRENT_TIMESTAMP)"), {"email": PORTAL_EMAIL, "hash": hash_password(PORTAL_PASSWORD),
                                        "company": company_id, "active": True})
    finally:
        engine.dispose()


def portal_user():
    """The benchmark's company user (the floor has no login)."""
    user = db.session.scalars(select(User).where(User.email == PORTAL_EMAIL, User.role == Role.COMPANY)).first()
    return user or abort(404)


def portal_home():
    """The portal home's data: upcoming invitations, latest minutes, open tasks, groups, news."""
    company_id = portal_user().company_id
    company = db.session.get(Company, company_id)
    return _render("portal_home", company=company, upcoming=services.upcoming_invitations(company_id),
                   minutes=services.published_minutes(company_id, limit=5),
                   tasks=services.open_action_items(company_id), memberships=services.current_groups(company_id),
                   news=services.latest_news(company_id))


def our_company():
    """Our company's data: details, contacts, portal logins, open removal requests."""
    company_id = portal_user().company_id
    company = db.session.scalars(select(Company).where(Company.id == company_id)
                                 .options(selectinload(Company.contacts))).one()
    logins = {user.contact_id: user for user in access.logins_of(company)}
    return _render("our_company", company=company, logins=logins, requested=erasure.requested_contact_ids(company))


def _render(name, **context):
    return current_app.extensions["floor_templates"][name].render(**context)


PORTAL_HOME = """<!doctype html>
<title>{{ company.name }}</title>
<ul>{% for invitation in upcoming %}<li>{{ invitation.meeting.title }} {{ invitation.meeting.starts_at }}
{{ invitation.rsvp or "" }}</li>{% endfor %}</ul>
<ul>{% for meeting in minutes %}<li><a href="/portal/meetings/{{ meeting.id }}">{{ meeting.title }}</a></li>
{% endfor %}</ul>
<ul>{% for item in tasks %}<li>{{ item.title }} {{ item.meeting.title }} {{ item.due_on or "" }}</li>{% endfor %}</ul>
<ul>{% for m in memberships %}<li>{{ m.group.name }}</li>{% endfor %}</ul>
<ul>{% for letter in news %}<li>{{ letter.subject }} {{ letter.body }}</li>{% endfor %}</ul>
"""

OUR_COMPANY = """<!doctype html>
<title>{{ company.name }}</title>
<form><input name="street" value="{{ company.street }}"><input name="postal_code" value="{{ company.postal_code }}">
<input name="city" value="{{ company.city }}"><input name="employees" value="{{ company.employees or '' }}">
<input name="website" value="{{ company.website }}"><textarea name="description">{{ company.description }}</textarea>
</form>
<table>{% for contact in company.contacts %}{% set login = logins.get(contact.id) %}
<tr><td>{{ contact.name }}</td><td>{{ contact.title }}</td><td>{{ contact.email or "" }}</td>
<td>{{ contact.phone }}</td><td>{{ contact.newsletter_consent }} {{ contact.consent_at or "" }}</td>
<td>{{ login.active if login else "" }}</td><td>{{ contact.id in requested }}</td></tr>{% endfor %}</table>
"""

FLOOR_ROUTES = {
    "portal_home": ("/portal/", portal_home, PORTAL_HOME),
    "our_company": ("/portal/company", our_company, OUR_COMPANY),
}
