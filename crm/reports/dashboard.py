"""What needs doing today, for the staff home page: the next meetings and who has not answered, open action items,
overdue invoices, quiet companies, and the year so far against its goals.

Quiet: a company still in the network (not left) with no meeting attended, no portal login and no timeline entry
within the last QUIET_AFTER_DAYS days (a setting, a year by default).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import case, func, nulls_last, select
from sqlalchemy.orm import selectinload

from crm.auth.models import PortalLogin
from crm.companies.models import Activity, Company, CompanyStatus
from crm.contributions.models import Contribution, ContributionState
from crm.extensions import db
from crm.i18n import LOCAL
from crm.meetings.models import (
    ActionItem,
    ActionStatus,
    Attendance,
    AttendanceStatus,
    Invitation,
    Meeting,
    MeetingStatus,
    Rsvp,
)
from crm.reports import goals
from crm.reports.figures import year_report

#: How many of the companies that have not answered a meeting are named on the home page.
UNANSWERED_NAMED = 8


@dataclass
class MeetingAnswers:
    meeting: Meeting
    invited: int = 0
    yes: int = 0
    no: int = 0
    maybe: int = 0
    #: Names of companies that have not answered, at most UNANSWERED_NAMED.
    not_answered: list = field(default_factory=list)

    @property
    def unanswered(self):
        return self.invited - self.yes - self.no - self.maybe


def next_meetings(now, limit=3):
    """The next meetings not cancelled, with their answers and the companies that have not answered."""
    meetings = db.session.scalars(select(Meeting).where(Meeting.starts_at >= now,
                                                        Meeting.status != MeetingStatus.CANCELLED)
                                  .order_by(Meeting.starts_at).limit(limit)).all()
    answers = {meeting.id: MeetingAnswers(meeting) for meeting in meetings}
    rows = db.session.execute(
        select(Invitation.meeting_id, func.count(), *(func.count(case((Invitation.rsvp == answer, 1)))
                                                      for answer in (Rsvp.YES, Rsvp.NO, Rsvp.MAYBE)))
        .where(Invitation.meeting_id.in_(answers)).group_by(Invitation.meeting_id))
    for meeting_id, invited, yes, no, maybe in rows:
        answer = answers[meeting_id]
        answer.invited, answer.yes, answer.no, answer.maybe = invited, yes, no, maybe
    ranked = (select(Invitation.meeting_id, Company.name,
                     func.row_number().over(partition_by=Invitation.meeting_id, order_by=Company.name).label("rank"))
              .join(Company, Company.id == Invitation.company_id)
              .where(Invitation.meeting_id.in_(answers), Invitation.rsvp.is_(None)).subquery())
    for meeting_id, name in db.session.execute(select(ranked.c.meeting_id, ranked.c.name)
                                               .where(ranked.c.rank <= UNANSWERED_NAMED)
                                               .order_by(ranked.c.meeting_id, ranked.c.rank)):
        answers[meeting_id].not_answered.append(name)
    return list(answers.values())


def open_action_items(limit=10):
    """Open action items, the earliest due first (those without a date last)."""
    return db.session.scalars(select(ActionItem).where(ActionItem.status == ActionStatus.OPEN)
                              .order_by(nulls_last(ActionItem.due_on.asc()), ActionItem.id)
                              .options(selectinload(ActionItem.meeting), selectinload(ActionItem.owner_company))
                              .limit(limit)).all()


def overdue_invoices(today):
    """(how many, outstanding øre, the earliest year among them or None) of the sent or partly paid invoices past
    their due date."""
    count, total, paid, year = db.session.execute(
        select(func.count(), func.coalesce(func.sum(Contribution.net_ore + Contribution.vat_ore), 0),
               func.coalesce(func.sum(Contribution.paid_ore), 0), func.min(Contribution.year))
        .where(Contribution.state.in_((ContributionState.SENT, ContributionState.PARTLY_PAID)),
               Contribution.due_date < today)).one()
    return count, total - paid, year


def quiet_companies(now, days):
    """SELECT of the ids of the quiet companies (see the module's docstring)."""
    since = now - timedelta(days=days)
    came = select(Attendance.company_id).join(Meeting, Meeting.id == Attendance.meeting_id).where(
        Attendance.status == AttendanceStatus.PRESENT, Meeting.starts_at >= since, Meeting.starts_at <= now)
    logged_in = select(PortalLogin.company_id).where(PortalLogin.at >= since, PortalLogin.at <= now)
    noted = select(Activity.company_id).where(Activity.occurred_at >= since, Activity.occurred_at <= now)
    return select(Company.id).where(Company.status != CompanyStatus.LEFT, Company.id.not_in(came),
                                    Company.id.not_in(logged_in), Company.id.not_in(noted))


#: The figures the home page shows for the year so far when no goal names them.
KEY_FIGURES = ("portal_active", "network_meetings", "average_companies", "came_once", "members_end")


@dataclass
class YearSoFar:
    year: int
    values: dict
    measured: list


def year_so_far(year, now):
    """The year's figures until now and its goals measured against them."""
    values = year_report(year, now).values
    return YearSoFar(year, values, [goals.measure(goal, values) for goal in goals.year_goals(year)])


def today_in(now):
    """The Danish calendar day of a UTC time."""
    return now.astimezone(LOCAL).date()
