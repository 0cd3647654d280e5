"""Working-group figures of a year: members at the start and the end, chairs, meetings, initiatives.

A company is a member of a group on a day when a membership had begun by that day and had not ended by it
(left_on is the first day without it). The start of the year is 31 December the year before. Chairs are counted at
the end of the year. Initiatives' figures (hectares, species, companies taking part) are the groups' own numbers,
shown as they stand.
"""

from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.groups.models import GroupMembership, Initiative, MemberRole, WorkingGroup
from crm.meetings.models import Meeting, MeetingKind
from crm.reports.meeting_figures import held
from crm.reports.periods import last_day


def member_on(day):
    """The condition on memberships: current at the end of `day`."""
    return and_(GroupMembership.joined_on <= day,
                or_(GroupMembership.left_on.is_(None), GroupMembership.left_on > day))


def members_at_start(year):
    """SELECT of the ids of the companies in at least one group at the start of the year."""
    return select(GroupMembership.company_id).where(member_on(last_day(year - 1)))


def members_at_end(year):
    return select(GroupMembership.company_id).where(member_on(last_day(year)))


@dataclass
class GroupRow:
    group: WorkingGroup
    at_start: int = 0
    at_end: int = 0
    chairs: int = 0
    meetings: int = 0
    initiatives: list = field(default_factory=list)


def _counts(condition, *extra):
    return dict(db.session.execute(
        select(GroupMembership.group_id, func.count(func.distinct(GroupMembership.company_id)))
        .where(condition, *extra).group_by(GroupMembership.group_id)).all())


def group_rows(year, now=None):
    """One row per group that was active or had members in the year, in a constant number of queries."""
    at_start = _counts(member_on(last_day(year - 1)))
    at_end = _counts(member_on(last_day(year)))
    chairs = _counts(member_on(last_day(year)), GroupMembership.role == MemberRole.CHAIR)
    meetings = dict(db.session.execute(
        select(Meeting.group_id, func.count()).where(Meeting.id.in_(held(year, now)), Meeting.kind == MeetingKind.GROUP,
                                                     Meeting.group_id.is_not(None))
        .group_by(Meeting.group_id)).all())
    groups = db.session.scalars(select(WorkingGroup).order_by(WorkingGroup.name).options(
        selectinload(WorkingGroup.initiatives).selectinload(Initiative.figures))).all()
    return [GroupRow(group, at_start.get(group.id, 0), at_end.get(group.id, 0), chairs.get(group.id, 0),
                     meetings.get(group.id, 0), list(group.initiatives))
            for group in groups if group.active or group.id in at_start or group.id in at_end]
