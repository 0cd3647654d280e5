"""The floor: a bare Flask app that runs each page's queries and renders a minimal HTML table.

No blueprints, no login, no project templates, no translations: what is left is the cost of the queries and of
serving HTML at all, which the CRM's pages are compared with. It answers the same paths as the CRM. Serve it with
`gunicorn 'bench.floor:create_app()'` and DATABASE_URL set; every response carries X-SQL-Statements.
"""

import os
from datetime import UTC, date, datetime

from flask import Flask, abort, current_app, request
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from bench.api import FLOOR_ROUTES as API_FLOOR_ROUTES
from bench.exchange import FLOOR_ROUTES as EXCHANGE_FLOOR_ROUTES
from bench.portal import FLOOR_ROUTES
from bench.reports import FLOOR_ROUTES as REPORT_FLOOR_ROUTES
from crm import instrumentation
from crm.companies.lookup import FIRST_LIST, suggestions
from crm.companies.models import Activity, Company, Plot, Tenancy
from crm.companies.search import COUNT_CAP, CompanyFilters, all_tags, company_statement, count_companies
from crm.extensions import db
from crm.groups.models import GroupMembership, Initiative, WorkingGroup
from crm.groups.services import documents_of
from crm.meetings import attendance
from crm.meetings.models import ActionItem, ActionStatus, Attendance, AttendanceStatus, Invitation, Meeting
from crm.meetings.services import group_meetings

PER_PAGE = 50

COMPANY_LIST = """<!doctype html>
<title>Virksomheder</title>
<p>{% if total > cap %}Over {{ cap }}{% else %}{{ total }}{% endif %} virksomheder, side {{ page }}</p>
<select name="tag">{% for tag in tags %}<option>{{ tag }}</option>{% endfor %}</select>
<table>
<tr><th>Navn</th><th>CVR</th><th>Adresse</th><th>Rolle</th><th>Status</th><th>Ansatte</th><th>Kontakt</th><th>Mærker</th></tr>
{% for company in companies %}{% set contact = company.primary_contact %}
<tr><td><a href="/companies/{{ company.id }}">{{ company.name }}</a></td><td>{{ company.cvr }}</td>
<td>{{ company.street }}</td><td>{{ company.role }}</td><td>{{ company.status }}</td>
<td>{{ company.employees if company.employees is not none else "" }}</td>
<td>{% if contact %}{{ contact.name }} {{ contact.email or "" }}{% endif %}</td>
<td>{{ company.tag_names|join(", ") }}</td></tr>
{% endfor %}
</table>
"""

COMPANY_PAGE = """<!doctype html>
<title>{{ company.name }}</title>
<h1>{{ company.name }}</h1>
<table>
<tr><th>CVR</th><td>{{ company.cvr }}</td></tr><tr><th>Adresse</th><td>{{ company.street }}, {{ company.postal_code }}
{{ company.city }}</td></tr><tr><th>Rolle</th><td>{{ company.role }}</td></tr><tr><th>Status</th>
<td>{{ company.status }}</td></tr><tr><th>Ansatte</th><td>{{ company.employees }}</td></tr><tr><th>Areal</th>
<td>{{ company.area_m2 }}</td></tr><tr><th>Mærker</th><td>{{ company.tag_names|join(", ") }}</td></tr>
</table>
<table>{% for contact in company.contacts %}
<tr><td>{{ contact.name }}</td><td>{{ contact.title }}</td><td>{{ contact.email or "" }}</td>
<td>{{ contact.phone }}</td></tr>
{% endfor %}</table>
<table>{% for plot in owned %}
<tr><td>{{ plot.cadastral_number }}</td><td>{{ plot.address }}</td><td>{{ plot.area_m2 }}</td>
<td>{% for tenancy in plot.tenancies %}<a href="/companies/{{ tenancy.company_id }}">{{ tenancy.company.name }}</a>
{% endfor %}</td></tr>{% endfor %}
{% for tenancy in rented %}<tr><td>{{ tenancy.plot.cadastral_number }}</td><td>{{ tenancy.plot.address }}</td>
<td>{{ tenancy.plot.owner.name if tenancy.plot.owner else "" }}</td></tr>{% endfor %}
</table>
<table>{% for activity in activities %}
<tr><td>{{ activity.occurred_at }}</td><td>{{ activity.kind }}</td>
<td>{{ activity.author.email if activity.author else "" }}</td><td>{{ activity.text }}</td></tr>
{% endfor %}</table>
"""

GROUP_LIST = """<!doctype html>
<title>Arbejdsgrupper</title>
<table>
<tr><th>Gruppe</th><th>Medlemmer nu</th><th>Pr. {{ year_start }}</th><th>Ændring i år</th><th>Status</th></tr>
{% for group in groups %}{% set n = now.get(group.id, 0) %}{% set b = before.get(group.id, 0) %}
<tr><td><a href="/groups/{{ group.slug }}">{{ group.name }}</a></td><td>{{ n }}</td><td>{{ b }}</td>
<td>{{ "%+d"|format(n - b) }}</td><td>{{ "Aktiv" if group.active else "Arkiveret" }}</td></tr>
{% endfor %}
</table>
"""

GROUP_PAGE = """<!doctype html>
<title>{{ group.name }}</title>
<h1>{{ group.name }}</h1>
<p>{{ group.purpose }}</p>
<h2>Medlemmer ({{ members|length }})</h2>
<table>{% for m in members %}
<tr><td><a href="/companies/{{ m.company_id }}">{{ m.company.name }}</a></td>
<td>{{ m.contact.name if m.contact else "" }}</td><td>{{ m.role }}</td><td>{{ m.joined_on }}</td></tr>
{% endfor %}</table>
{% for initiative in group.initiatives %}
<h3>{{ initiative.title }} {{ initiative.status }}</h3><p>{{ initiative.description }}</p>
<ul>{% for f in initiative.figures %}<li>{{ f.value }} {{ f.unit }} {{ f.label }}</li>{% endfor %}</ul>
{% endfor %}
<ul>{% for d in documents %}<li>{{ d.filename }}</li>{% endfor %}</ul>
<ul>{% for m in meetings %}<li><a href="/meetings/{{ m.id }}">{{ m.title }}</a> {{ m.starts_at }}</li>{% endfor %}</ul>
<ul>{% for item in open_items %}<li>{{ item.title }} {{ item.owner_company.name if item.owner_company else "" }}</li>
{% endfor %}</ul>
<datalist id="company-options">{% for c in companies %}<option value="{{ c.name }} (CVR {{ c.cvr }})"></option>
{% endfor %}</datalist>
"""

MEETING_LIST = """<!doctype html>
<title>Møder</title>
<select name="group">{% for id, name in groups %}<option value="{{ id }}">{{ name }}</option>{% endfor %}</select>
{% for heading, meetings in (("Kommende møder", upcoming), ("Afholdte møder", past)) %}
<h2>{{ heading }} ({{ meetings|length }})</h2>
<table>
<tr><th>Tid</th><th>Møde</th><th>Type</th><th>Sted</th><th>Inviterede</th><th>Status</th></tr>
{% for m in meetings %}
<tr><td>{{ m.starts_at }}</td>
<td><a href="/meetings/{{ m.id }}">{{ m.title }}</a>{% if m.group %} {{ m.group.name }}{% endif %}</td>
<td>{{ m.kind }}</td><td>{{ m.place }}</td><td>{{ counts.get(m.id, 0) }}</td><td>{{ m.status }}</td></tr>
{% endfor %}
</table>
{% endfor %}
"""

MEETING_PAGE = """<!doctype html>
<title>{{ meeting.title }}</title>
<h1>{{ meeting.title }}</h1>
<table>
<tr><th>Tid</th><td>{{ meeting.starts_at }}-{{ meeting.ends_at }}</td></tr><tr><th>Type</th><td>{{ meeting.kind }}
{% if meeting.group %}<a href="/groups/{{ meeting.group.slug }}">{{ meeting.group.name }}</a>{% endif %}</td></tr>
<tr><th>Mødeserie</th><td>{{ meeting.series }}</td></tr><tr><th>Sted</th><td>{{ meeting.place }}</td></tr>
<tr><th>Status</th><td>{{ meeting.status }}</td></tr>
<tr><th>Inviterede</th><td>{{ invited }} ja {{ answers.get("yes", 0) }} måske {{ answers.get("maybe", 0) }}
nej {{ answers.get("no", 0) }} ikke svaret {{ answers.get(None, 0) }}</td></tr>
<tr><th>Fremmøde</th><td>virksomheder til stede: {{ present.companies }}
personer til stede: {{ present.persons }}</td></tr>
</table>
<p>{{ meeting.description }}</p>
<ul>{% for item in follow_ups %}
<li>{{ item.title }} {{ item.owner_company.name if item.owner_company else item.owner_name }} {{ item.due_on or "" }}
({{ item.meeting.title }}, {{ item.meeting.starts_at }})</li>
{% endfor %}</ul>
<ol>{% for item in meeting.agenda %}
<li>{{ item.title }} {{ item.presenter }} {{ item.minutes_allotted or "" }} {{ item.text }}</li>
{% endfor %}</ol>
"""

CHECKIN_PAGE = """<!doctype html>
<title>Fremmøde: {{ meeting.title }}</title>
<h1>Fremmøde: {{ meeting.title }}</h1>
{% if counts %}<p>{{ meeting.starts_at }} Inviterede: {{ counts.invited }} sagt ja: {{ counts.yes }}
til stede: {{ counts.companies }} / {{ counts.persons }}</p>{% endif %}
<p>{{ rows.total }} virksomheder</p>
<table>
{% for company in rows.companies %}
<tr><th colspan="3" id="firma-{{ company.id }}">{{ company.name }} {{ rows.answers.get(company.id) or "" }}
{{ rows.present(company) }}</th></tr>
{% for contact in company.contacts %}{% set row = rows.attendances.get(contact.id) %}
<tr id="kontakt-{{ contact.id }}"><td>{{ contact.name }} {{ contact.title }}</td>
<td>{{ row.status if row else "" }}{% if row and row.walk_in %} (uanmeldt){% endif %}</td>
<td><button value="{{ contact.id }}">Til stede</button></td></tr>
{% endfor %}
{% endfor %}
</table>
{% if rows.more %}<a href="?offset={{ rows.shown_to }}">Vis flere</a>{% endif %}
"""


def company_list():
    """The company list's queries: the count (up to the list's cap), one page with tags and contacts, and the tags
    to filter by."""
    filters = CompanyFilters.from_args(request.args)
    page = max(request.args.get("page", 1, type=int), 1)
    statement = company_statement(filters)
    total = count_companies(filters)
    companies = db.session.scalars(
        statement.options(selectinload(Company.tags), selectinload(Company.contacts))
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return _render("company_list", total=total, cap=COUNT_CAP, page=page, companies=companies, tags=all_tags())


def company_page(company_id):
    """The company page's data: the company, its tags, contacts, plots with tenants, tenancies, 100 activities."""
    company = db.session.scalars(
        select(Company).where(Company.id == company_id)
        .options(selectinload(Company.tags), selectinload(Company.contacts))
    ).first()
    if company is None:
        abort(404)
    owned = db.session.scalars(
        select(Plot).where(Plot.owner_id == company_id).order_by(Plot.cadastral_number)
        .options(selectinload(Plot.tenancies).joinedload(Tenancy.company))
    ).all()
    rented = db.session.scalars(
        select(Tenancy).where(Tenancy.company_id == company_id).order_by(Tenancy.from_date.desc())
        .options(joinedload(Tenancy.plot).joinedload(Plot.owner))
    ).all()
    activities = db.session.scalars(
        select(Activity).where(Activity.company_id == company_id)
        .order_by(Activity.occurred_at.desc()).limit(100).options(joinedload(Activity.author))
    ).all()
    return _render("company_page", company=company, owned=owned, rented=rented, activities=activities)


def _member_counts(day):
    """{group id: companies taking part on the day}, as crm.groups.services.member_counts."""
    return dict(db.session.execute(
        select(GroupMembership.group_id, func.count())
        .where(GroupMembership.joined_on <= day,
               GroupMembership.left_on.is_(None) | (GroupMembership.left_on > day))
        .group_by(GroupMembership.group_id)
    ).all())


def group_list():
    """The group list's queries: every group, and the member counts today and on 1 January."""
    groups = db.session.scalars(select(WorkingGroup).order_by(WorkingGroup.active.desc(), WorkingGroup.name)).all()
    year_start = date(date.today().year, 1, 1)
    return _render("group_list", groups=groups, now=_member_counts(date.today()), before=_member_counts(year_start),
                   year_start=year_start)


def group_page(slug):
    """The group page's data: the group with initiatives and figures, current members, meetings, open tasks."""
    group = db.session.scalars(
        select(WorkingGroup).where(WorkingGroup.slug == slug)
        .options(selectinload(WorkingGroup.initiatives).selectinload(Initiative.figures))
    ).first()
    if group is None:
        abort(404)
    members = db.session.scalars(
        select(GroupMembership).join(Company)
        .where(GroupMembership.group_id == group.id, GroupMembership.left_on.is_(None))
        .options(joinedload(GroupMembership.company), joinedload(GroupMembership.contact))
        .order_by(GroupMembership.role, Company.name)
    ).all()
    upcoming, past, open_items = group_meetings(group)
    return _render("group_page", group=group, members=members, meetings=upcoming + past, open_items=open_items,
                   documents=documents_of(group), companies=suggestions("", FIRST_LIST))


def _meeting_list(upcoming):
    """Upcoming or past meetings (200 at most) with their group, and their invitation counts."""
    now = datetime.now(UTC)
    statement = select(Meeting).options(selectinload(Meeting.group))
    statement = statement.where(Meeting.starts_at >= now) if upcoming else statement.where(Meeting.starts_at < now)
    meetings = db.session.scalars(
        statement.order_by(Meeting.starts_at.asc() if upcoming else Meeting.starts_at.desc()).limit(200)
    ).all()
    counts = dict(db.session.execute(
        select(Invitation.meeting_id, func.count()).where(Invitation.meeting_id.in_([m.id for m in meetings]))
        .group_by(Invitation.meeting_id)
    ).all()) if meetings else {}
    return meetings, counts


def meeting_list():
    """The meeting list's queries: upcoming and past meetings with invitation counts, the groups to filter by."""
    upcoming, upcoming_counts = _meeting_list(upcoming=True)
    past, past_counts = _meeting_list(upcoming=False)
    groups = db.session.execute(select(WorkingGroup.id, WorkingGroup.name).order_by(WorkingGroup.name)).all()
    return _render("meeting_list", upcoming=upcoming, past=past, counts={**upcoming_counts, **past_counts},
                   groups=groups)


def meeting_page(meeting_id):
    """The meeting page's data: the meeting and its agenda, the answer counts, open items of the series."""
    meeting = db.session.scalars(
        select(Meeting).where(Meeting.id == meeting_id)
        .options(selectinload(Meeting.agenda), selectinload(Meeting.group))
    ).first()
    if meeting is None:
        abort(404)
    answers = dict(db.session.execute(
        select(Invitation.rsvp, func.count()).where(Invitation.meeting_id == meeting.id).group_by(Invitation.rsvp)
    ).all())
    present = _present_counts(meeting)
    follow_ups = []
    if meeting.series or meeting.group_id:
        same = Meeting.series == meeting.series if meeting.series else Meeting.group_id == meeting.group_id
        follow_ups = db.session.scalars(
            select(ActionItem).join(Meeting)
            .options(selectinload(ActionItem.owner_company), selectinload(ActionItem.meeting))
            .where(same, Meeting.starts_at < meeting.starts_at, ActionItem.status == ActionStatus.OPEN)
            .order_by(ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id)
        ).all()
    return _render("meeting_page", meeting=meeting, answers=answers, invited=sum(answers.values()), present=present,
                   follow_ups=follow_ups)


def _present_counts(meeting):
    """Companies and persons present, in one query (as crm.meetings.attendance.present_counts)."""
    companies, persons = db.session.execute(
        select(func.count(func.distinct(Attendance.company_id)), func.count())
        .where(Attendance.meeting_id == meeting.id, Attendance.status == AttendanceStatus.PRESENT)
    ).one()
    return {"companies": companies, "persons": persons}


def checkin_page(meeting_id):
    """The check-in page's queries, as the CRM runs them: the first 50 invited (and walked-in) companies matching
    the search with their contacts and attendances, and the counts; for htmx (a search typed, "Vis flere") the
    list alone."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    view = attendance.CheckinView.from_args(request.args)
    rows = attendance.checkin_rows(meeting, view.q, offset=view.offset, limit=view.limit)
    counts = None if request.headers.get("HX-Request") else attendance.counts(meeting)
    return _render("checkin_page", meeting=meeting, rows=rows, counts=counts)


def healthz():
    return "ok"


#: Floor route name -> (URL rule, view, template). The rules are the CRM's own paths.
ROUTES = {
    "company_list": ("/companies/", company_list, COMPANY_LIST),
    "company_page": ("/companies/<int:company_id>", company_page, COMPANY_PAGE),
    "group_list": ("/groups/", group_list, GROUP_LIST),
    "group_page": ("/groups/<slug>", group_page, GROUP_PAGE),
    "meeting_list": ("/meetings/", meeting_list, MEETING_LIST),
    "meeting_page": ("/meetings/<int:meeting_id>", meeting_page, MEETING_PAGE),
    "checkin_page": ("/meetings/<int:meeting_id>/checkin", checkin_page, CHECKIN_PAGE),
    **FLOOR_ROUTES,
    **REPORT_FLOOR_ROUTES,
    **API_FLOOR_ROUTES,
    **EXCHANGE_FLOOR_ROUTES,
}


def _render(name, **context):
    return current_app.extensions["floor_templates"][name].render(**context)


def create_app(database_url=None):
    """The floor app on DATABASE_URL (or the given URL), counting SQL statements per request."""
    app = Flask(__name__)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=database_url or os.environ["DATABASE_URL"],
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        SQL_COUNT_HEADER=True,
    )
    db.init_app(app)
    instrumentation.init_app(app)
    import crm.models  # noqa: F401  (every model known to SQLAlchemy, for the relationships)

    # Compiled once, as Flask caches the CRM's file templates; autoescaped like them.
    app.extensions["floor_templates"] = {
        name: app.jinja_env.from_string(template) for name, (_, _, template) in ROUTES.items()
    }
    for name, (rule, view, _) in ROUTES.items():
        app.add_url_rule(rule, name, view)
    app.add_url_rule("/healthz", "healthz", healthz)
    return app
