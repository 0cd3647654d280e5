"""Meeting figures of a year.

A meeting counts as held when it started during the year, has started by now and was not cancelled (staff do not
always mark a meeting held). Presence is the attendance rows marked present: companies (distinct) and persons.
The average and the spread (fewest, most) are over the network meetings, as the municipality reports them.
The answer rate is the share of invitations to held meetings that were answered (yes, no or maybe).
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select

from crm.extensions import db
from crm.meetings.models import Attendance, AttendanceStatus, Invitation, Meeting, MeetingKind, MeetingStatus
from crm.reports.periods import year_bounds


def held(year, now=None):
    """SELECT of the ids of the meetings held in the year."""
    start, end = year_bounds(year)
    return select(Meeting.id).where(Meeting.starts_at >= start, Meeting.starts_at < min(end, now or datetime.now(UTC)),
                                    Meeting.status != MeetingStatus.CANCELLED)


@dataclass
class MeetingRow:
    id: int
    title: str
    kind: str
    starts_at: datetime
    companies: int
    persons: int
    invited: int
    answered: int
    minutes_published_at: datetime | None

    @property
    def days_to_minutes(self):
        if self.minutes_published_at is None:
            return None
        return (self.minutes_published_at - self.starts_at).total_seconds() / 86400


@dataclass
class MeetingFigures:
    rows: list = field(default_factory=list)
    #: Companies present at least once (any kind of meeting).
    came_once: int = 0

    def of_kind(self, kind):
        return [row for row in self.rows if row.kind == kind]

    @property
    def network(self):
        return len(self.of_kind(MeetingKind.NETWORK))

    @property
    def group(self):
        return len(self.of_kind(MeetingKind.GROUP))

    @property
    def other(self):
        return len(self.rows) - self.network - self.group

    @property
    def average_companies(self):
        network = [row.companies for row in self.of_kind(MeetingKind.NETWORK)]
        return sum(network) / len(network) if network else None

    @property
    def fewest_companies(self):
        return min((row.companies for row in self.of_kind(MeetingKind.NETWORK)), default=None)

    @property
    def most_companies(self):
        return max((row.companies for row in self.of_kind(MeetingKind.NETWORK)), default=None)

    @property
    def answer_rate(self):
        """Answered invitations in per cent of all invitations to the held meetings; None without invitations."""
        invited = sum(row.invited for row in self.rows)
        return 100 * sum(row.answered for row in self.rows) / invited if invited else None

    @property
    def minutes_published(self):
        return sum(1 for row in self.rows if row.minutes_published_at is not None)

    @property
    def average_days_to_minutes(self):
        days = [row.days_to_minutes for row in self.rows if row.minutes_published_at is not None]
        return sum(days) / len(days) if days else None


def came_once(year, now=None):
    """SELECT of the ids of the companies present at least once at a meeting held in the year."""
    return select(Attendance.company_id).where(Attendance.meeting_id.in_(held(year, now)),
                                               Attendance.status == AttendanceStatus.PRESENT)


def meeting_figures(year, now=None):
    """Every held meeting of the year with its presence and answers, in three queries."""
    ids = held(year, now)
    present = {meeting_id: (companies, persons) for meeting_id, companies, persons in db.session.execute(
        select(Attendance.meeting_id, func.count(func.distinct(Attendance.company_id)), func.count())
        .where(Attendance.meeting_id.in_(ids), Attendance.status == AttendanceStatus.PRESENT)
        .group_by(Attendance.meeting_id))}
    answers = {meeting_id: (invited, answered) for meeting_id, invited, answered in db.session.execute(
        select(Invitation.meeting_id, func.count(), func.count(Invitation.rsvp))
        .where(Invitation.meeting_id.in_(ids)).group_by(Invitation.meeting_id))}
    meetings = db.session.execute(
        select(Meeting.id, Meeting.title, Meeting.kind, Meeting.starts_at, Meeting.minutes_published_at)
        .where(Meeting.id.in_(ids)).order_by(Meeting.starts_at)).all()
    figures = MeetingFigures(came_once=db.session.scalar(
        select(func.count(func.distinct(Attendance.company_id))).where(Attendance.meeting_id.in_(ids),
                                                                      Attendance.status == AttendanceStatus.PRESENT)))
    for meeting_id, title, kind, starts_at, published in meetings:
        companies, persons = present.get(meeting_id, (0, 0))
        invited, answered = answers.get(meeting_id, (0, 0))
        figures.rows.append(MeetingRow(meeting_id, title, str(kind), starts_at, companies, persons, invited, answered,
                                       published))
    return figures
