"""The yearly report and the staff home page in the benchmark: their floor routes call the same query functions the
app calls (crm.reports), with only a minimal template; no goals are measured in words, no charts drawn."""

from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import func, select

from crm.extensions import db
from crm.mail.models import OutboundEmail
from crm.portal import erasure, group_requests
from crm.reports import dashboard, goals
from crm.reports.document import YEARS_SHOWN
from crm.reports.figures import FIGURES, year_report
from crm.reports.network import count
from crm.reports.periods import current_year


def report_year(year):
    """The year's figures and the years before, the meeting and group tables, the goals."""
    years = {shown: year_report(shown) for shown in range(year - YEARS_SHOWN + 1, year + 1)}
    return _render("report_year", years=years, report=years[year], figures=FIGURES, goals=goals.year_goals(year))


def staff_home():
    """The staff home page's day: next meetings, action items, overdue invoices, quiet companies, the year so far,
    the outbox counts and the portal's waiting requests."""
    now = datetime.now(UTC)
    year = current_year(now)
    overdue = dashboard.overdue_invoices(dashboard.today_in(now))
    quiet = count(dashboard.quiet_companies(now, 365))
    outbox = db.session.execute(select(OutboundEmail.status, func.count()).group_by(OutboundEmail.status)).all()
    return _render("staff_home", meetings=dashboard.next_meetings(now), actions=dashboard.open_action_items(),
                   overdue=overdue, quiet=quiet, values=year_report(year, now).values, goals=goals.year_goals(year),
                   outbox=outbox, erasures=erasure.all_open_requests(), requests=group_requests.all_open_requests())


def _render(name, **context):
    return current_app.extensions["floor_templates"][name].render(**context)


REPORT_YEAR = """<!doctype html>
<title>Årsrapport</title>
<ul>{% for goal in goals %}<li>{{ goal.text }} {{ goal.target }} {{ goal.narrative }}</li>{% endfor %}</ul>
<table>{% for figure in figures %}<tr><th>{{ figure.key }}</th>
{% for year, shown in years.items() %}<td>{{ shown.values[figure.key] }}</td>{% endfor %}</tr>{% endfor %}</table>
<table>{% for row in report.meetings.rows %}<tr><td>{{ row.title }}</td><td>{{ row.starts_at }}</td>
<td>{{ row.companies }}</td><td>{{ row.persons }}</td></tr>{% endfor %}</table>
<table>{% for row in report.groups %}<tr><td>{{ row.group.name }}</td><td>{{ row.at_start }}</td>
<td>{{ row.at_end }}</td><td>{% for initiative in row.initiatives %}{{ initiative.title }}
{% for f in initiative.figures %} {{ f.value }} {{ f.label }}{% endfor %}{% endfor %}</td></tr>{% endfor %}</table>
"""

STAFF_HOME = """<!doctype html>
<title>Forside</title>
{% for m in meetings %}<p>{{ m.meeting.title }} {{ m.meeting.starts_at }} {{ m.yes }} {{ m.no }} {{ m.maybe }}
{{ m.unanswered }} {{ m.not_answered|join(", ") }}</p>{% endfor %}
<ul>{% for item in actions %}<li>{{ item.title }} {{ item.owner_company.name if item.owner_company else "" }}
{{ item.due_on or "" }}</li>{% endfor %}</ul>
<p>{{ overdue[0] }} {{ overdue[1] }} {{ overdue[2] }} {{ quiet }}</p>
<ul>{% for goal in goals %}<li>{{ goal.text }} {{ goal.target }}</li>{% endfor %}</ul>
<ul>{% for key, value in values.items() %}<li>{{ key }} {{ value }}</li>{% endfor %}</ul>
<p>{% for status, n in outbox %}{{ status }} {{ n }} {% endfor %}</p>
<ul>{% for row in erasures %}<li>{{ row.company.name }}</li>{% endfor %}
{% for row in requests %}<li>{{ row.company.name }} {{ row.group.name }}</li>{% endfor %}</ul>
"""

FLOOR_ROUTES = {
    "report_year": ("/reports/<int:year>", report_year, REPORT_YEAR),
    "staff_home": ("/", staff_home, STAFF_HOME),
}
