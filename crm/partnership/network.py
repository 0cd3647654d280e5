"""What the network does, for the offer in the portal: its working groups, last year's meetings and its members,
from the groups and the year's figures of the reports."""

from dataclasses import dataclass

from sqlalchemy import func, select

from crm.companies.models import Company, CompanyStatus
from crm.extensions import db
from crm.groups.models import GroupMembership, WorkingGroup
from crm.reports.meeting_figures import meeting_figures


@dataclass
class NetworkFacts:
    year: int
    members: int
    #: [(group name, purpose, companies in it now)]
    groups: list
    network_meetings: int
    average_companies: float | None
    came_once: int


def network_facts(year):
    """The network in figures: members now, the working groups, and the meetings held in `year`."""
    meetings = meeting_figures(year)
    in_group = (select(GroupMembership.group_id, func.count(func.distinct(GroupMembership.company_id)).label("n"))
                .where(GroupMembership.left_on.is_(None)).group_by(GroupMembership.group_id).subquery())
    groups = db.session.execute(
        select(WorkingGroup.name, WorkingGroup.purpose, func.coalesce(in_group.c.n, 0))
        .outerjoin(in_group, in_group.c.group_id == WorkingGroup.id)
        .where(WorkingGroup.active).order_by(WorkingGroup.name)).all()
    members = db.session.scalar(select(func.count()).where(Company.status == CompanyStatus.MEMBER))
    return NetworkFacts(year, members, [tuple(row) for row in groups], meetings.network,
                        meetings.average_companies, meetings.came_once)
