"""The engagement funnel: invited -> has a portal user -> came to a meeting -> pays a contribution -> is in a
working group, each step counting the companies that have taken it and every step before it, over the last 12
months (owners, tenants and companies that are both apart).

- invited: received an invitation or minutes in the last 12 months (as the report's figure, over that window);
- has a portal user: an active company user who chose a password;
- came to a meeting: present at a meeting that started in the last 12 months;
- pays a contribution: an invoice dated in the last 12 months, sent or paid (not a draft, credited or waived);
- in a working group: a membership current today.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from crm.auth.models import User
from crm.companies.models import Company
from crm.contributions.models import Contribution, ContributionState
from crm.extensions import db
from crm.groups.models import GroupMembership
from crm.i18n import LOCAL
from crm.meetings.models import Attendance, AttendanceStatus, Meeting
from crm.reports.network import invited_between
from crm.security import Role

WINDOW = timedelta(days=365)

STEPS = {"invited": _l("Inviteret"), "portal": _l("Har en portalbruger"),
         "came": _l("Kom til et møde de seneste 12 måneder"), "pays": _l("Betaler bidrag"),
         "group": _l("Er med i en arbejdsgruppe")}


def _conditions(now):
    """{step: SELECT of the company ids that meet the step's own condition}."""
    since, today = now - WINDOW, now.astimezone(LOCAL).date()
    return {
        "invited": invited_between(since, now),
        "portal": select(User.company_id).where(User.role == Role.COMPANY, User.active,
                                                User.password_hash.is_not(None), User.created_at <= now),
        "came": select(Attendance.company_id).join(Meeting, Meeting.id == Attendance.meeting_id).where(
            Attendance.status == AttendanceStatus.PRESENT, Meeting.starts_at >= since, Meeting.starts_at <= now),
        "pays": select(Contribution.company_id).where(
            Contribution.invoice_date >= since.astimezone(LOCAL).date(), Contribution.invoice_date <= today,
            Contribution.state.in_((ContributionState.SENT, ContributionState.PARTLY_PAID, ContributionState.PAID))),
        "group": select(GroupMembership.company_id).where(
            GroupMembership.joined_on <= today,
            or_(GroupMembership.left_on.is_(None), GroupMembership.left_on > today)),
    }


def step_companies(step, now):
    """The condition on companies: they have taken the step and every step before it."""
    conditions = _conditions(now)
    keys = list(STEPS)[:list(STEPS).index(step) + 1]
    return and_(*(Company.id.in_(conditions[key]) for key in keys))


@dataclass
class FunnelStep:
    key: str
    label: str
    total: int = 0
    #: {role: count}
    by_role: dict = field(default_factory=dict)


def funnel(now):
    """Every step with its count, owners, tenants and both apart: one query per step."""
    steps = []
    for key, label in STEPS.items():
        rows = db.session.execute(select(Company.role, func.count()).where(step_companies(key, now))
                                  .group_by(Company.role)).all()
        by_role = {str(role): number for role, number in rows}
        steps.append(FunnelStep(key, label, sum(by_role.values()), by_role))
    return steps
