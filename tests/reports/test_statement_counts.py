"""The report page, the staff home page and the PDF run as many SQL statements on a bigger network as on a small
one: no query per company, meeting, group or goal."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import event, select

from crm.exchange.models import ExchangeCategory, Listing, ListingKind, ListingState, Unit
from crm.extensions import db as _db
from crm.groups.models import GroupMembership, Initiative, InitiativeFigure, MemberRole, WorkingGroup
from crm.meetings.models import ActionItem, Attendance, Invitation, Meeting, MeetingKind, Rsvp
from crm.reports.models import ReportGoal
from tests.reports.conftest import YEAR, utc

PAGES = (f"/reports/{YEAR}", "/", f"/reports/{YEAR}/meetings", f"/reports/{YEAR}/companies/invited",
         "/reports/quiet", "/reports/funnel", "/reports/funnel/group", f"/reports/{YEAR}/goals",
         f"/reports/{YEAR}.pdf", f"/reports/{YEAR}/figures.xlsx")


def statements(client, url):
    counted = []

    def count(*_args):
        counted.append(1)

    event.listen(_db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        event.remove(_db.engine, "before_cursor_execute", count)
    return len(counted)


def grow(db, make_company, size, batch):
    """More of everything the pages list: companies, meetings with answers and attendance, groups with members and
    initiatives, action items, goals, listings exchanged in every category."""
    categories = _db.session.scalars(select(ExchangeCategory).order_by(ExchangeCategory.id)).all()
    companies = [make_company(name=f"Vækst {batch}-{n}", joined_on=date(2023, 1, 1)) for n in range(size)]
    soon = datetime.now(UTC) + timedelta(days=3)
    for n in range(size):
        starts = utc(YEAR, 1 + n % 12, 10, 10) if n % 2 else soon + timedelta(days=n)
        meeting = Meeting(title=f"Møde {n}", kind=MeetingKind.NETWORK if n % 3 else MeetingKind.GROUP,
                          starts_at=starts, ends_at=starts + timedelta(hours=2),
                          minutes_published_at=starts + timedelta(days=4) if n % 2 else None)
        db.session.add(meeting)
        db.session.flush()
        for m, company in enumerate(companies):
            db.session.add(Invitation(meeting_id=meeting.id, company_id=company.id, invited_at=starts - timedelta(20),
                                      rsvp=Rsvp.YES if m % 2 else None))
            if m % 3 == 0:
                db.session.add(Attendance(meeting_id=meeting.id, company_id=company.id))
        db.session.add(Listing(company_id=companies[n].id, kind=ListingKind.OFFER,
                               category_id=categories[n % len(categories)].id, title=f"Overskud {n}",
                               quantity=Decimal(10), unit=Unit.KG, state=ListingState.CLOSED,
                               published_at=utc(YEAR, 1 + n % 12, 1, 9), exchanged_with_id=companies[0].id,
                               exchanged_quantity=Decimal(10), exchanged_on=date(YEAR, 1 + n % 12, 15),
                               saved_tonnes=Decimal("0.01")))
        db.session.add(ActionItem(meeting_id=meeting.id, title=f"Opgave {n}", owner_company_id=companies[n].id,
                                  due_on=date.today() + timedelta(days=n - 2)))
        group = WorkingGroup(name=f"Vækstgruppe {batch}-{n}", slug=f"vaekst-{batch}-{n}")
        db.session.add(group)
        db.session.flush()
        initiative = Initiative(group_id=group.id, title=f"Initiativ {n}")
        db.session.add(initiative)
        db.session.flush()
        db.session.add_all([InitiativeFigure(initiative_id=initiative.id, label="arter", value=Decimal(n), unit=""),
                            GroupMembership(group_id=group.id, company_id=companies[n].id, role=MemberRole.CHAIR,
                                            joined_on=date(2023, 1, 1)),
                            ReportGoal(year=YEAR, text=f"Mål {n}", figure="invited", target=Decimal(n)),
                            ReportGoal(year=date.today().year, text=f"Mål i år {n}", figure="came_once",
                                       target=Decimal(n))])
    db.session.commit()


def test_pages_run_as_many_statements_on_a_bigger_network(staff_client, built, db, make_company):
    grow(db, make_company, 2, 1)
    small = {url: statements(staff_client, url) for url in PAGES}
    grow(db, make_company, 12, 2)
    big = {url: statements(staff_client, url) for url in PAGES}
    assert min(small.values()) >= 1 and small[f"/reports/{YEAR}"] > 50  # the counting sees the queries
    assert big == small
