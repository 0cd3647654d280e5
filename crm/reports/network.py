"""Network and portal figures: which companies each figure counts, as SELECTs of company ids.

Definitions (the issue's words, made exact):
- invited: received at least one invitation or minutes in the year: invited to a meeting during the year, or
  invited to or present at a meeting whose minutes were published during the year;
- member on a day: a company with status member or left that had joined by that day (a member without a join date
  counts from always) and had not left by it (a left company without a leaving date is not counted);
- members at the start of the year: members on 31 December the year before; at the end: on 31 December;
- new members: joined during the year; left: a leaving date in the year, whether the company left the area
  (status left) or left the partnership by notice (a member until then, invited again after);
- a company that left the partnership by notice is invited again and keeps the days it joined and left;
- portal-active: at least one login to the portal (crm.auth PortalLogin) in the year;
- with a portal user: a company user created by the year's end who chose a password and is still active or
  logged in since the year began.
"""

from datetime import date

from sqlalchemy import and_, case, func, or_, select, union

from crm.auth.models import PortalLogin, User
from crm.companies.models import Company, CompanyStatus
from crm.extensions import db
from crm.meetings.models import Attendance, AttendanceStatus, Invitation, Meeting
from crm.reports.periods import last_day, year_bounds
from crm.security import Role


def count(company_ids):
    """How many distinct companies a SELECT of company ids holds."""
    ids = company_ids.subquery()
    return db.session.scalar(select(func.count(func.distinct(next(iter(ids.c))))))


def by_role(company_ids):
    """{role: count} of the companies a SELECT of ids holds (owner, tenant, both)."""
    rows = db.session.execute(select(Company.role, func.count()).where(Company.id.in_(company_ids))
                              .group_by(Company.role))
    return {str(role): number for role, number in rows}


def invited(year):
    return invited_between(*year_bounds(year))


def invited_between(start, end):
    """Companies that received an invitation or minutes from `start` to `end` (see the module's docstring)."""
    published = select(Meeting.id).where(Meeting.minutes_published_at >= start, Meeting.minutes_published_at < end)
    return union(
        select(Invitation.company_id).where(Invitation.invited_at >= start, Invitation.invited_at < end),
        select(Invitation.company_id).where(Invitation.meeting_id.in_(published)),
        select(Attendance.company_id).where(Attendance.meeting_id.in_(published),
                                            Attendance.status == AttendanceStatus.PRESENT),
    )


def ever_member():
    """The condition on companies: member now or before (left the area, or left the partnership by notice and
    invited again, keeping the days it joined and left)."""
    return or_(Company.status.in_((CompanyStatus.MEMBER, CompanyStatus.LEFT)),
               and_(Company.status == CompanyStatus.INVITED, Company.joined_on.is_not(None),
                    Company.left_on.is_not(None)))


def member_on(day):
    """The condition on companies: a member at the end of `day`."""
    member = Company.status == CompanyStatus.MEMBER
    return and_(ever_member(),
                or_(and_(Company.joined_on.is_(None), member), Company.joined_on <= day),
                or_(and_(Company.left_on.is_(None), member), Company.left_on > day))


def members_at_start(year):
    return select(Company.id).where(member_on(last_day(year - 1)))


def members_at_end(year):
    return select(Company.id).where(member_on(last_day(year)))


def _joined_in(year):
    return and_(ever_member(), Company.joined_on.between(date(year, 1, 1), last_day(year)))


def _left_in(year):
    """Left the area, or the partnership (a notice ending in the year; a member under notice counts in the year
    its membership ends)."""
    return and_(ever_member(), Company.left_on.between(date(year, 1, 1), last_day(year)))


def new_members(year):
    return select(Company.id).where(_joined_in(year))


def left(year):
    return select(Company.id).where(_left_in(year))


def member_counts(year):
    """(members at the start, members at the end, new members, left) of the year, in one pass over the companies."""
    conditions = (member_on(last_day(year - 1)), member_on(last_day(year)), _joined_in(year), _left_in(year))
    return tuple(db.session.execute(select(*(func.count(case((condition, 1))) for condition in conditions))).one())


def portal_active(year):
    start, end = year_bounds(year)
    return select(PortalLogin.company_id).where(PortalLogin.at >= start, PortalLogin.at < end)


def portal_logins(year):
    """How many logins to the portal the year saw."""
    start, end = year_bounds(year)
    return db.session.scalar(select(func.count()).select_from(PortalLogin)
                             .where(PortalLogin.at >= start, PortalLogin.at < end))


def with_portal_user(year):
    start, end = year_bounds(year)
    return select(User.company_id).where(
        User.role == Role.COMPANY, User.company_id.is_not(None), User.password_hash.is_not(None),
        User.created_at < end, or_(User.active, User.last_login_at >= start))
