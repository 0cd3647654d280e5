"""A small network of 2024 built by hand, whose figures are counted by hand in the comments and the tests.

Companies (role, membership):
  A owner, member since 2020-03-01          B tenant, member since 2024-05-01 (new)
  C tenant, 2019-01-01 to 2024-06-30 (left) D both, only invited
  E tenant, member, no join date            F owner, left, no leaving date (never counted)
  G tenant, member since 2025-02-01         H owner, 2010-01-01 to 2023-12-31 (left the year before)
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from crm.auth.models import PortalLogin, User
from crm.companies.models import CompanyRole, CompanyStatus, Contact
from crm.contributions.models import Contribution, ContributionScheme, ContributionState
from crm.groups.models import GroupMembership, MemberRole, WorkingGroup
from crm.meetings.models import (
    Attendance,
    AttendanceStatus,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Rsvp,
)
from crm.security import Role

YEAR = 2024
#: "Now" for the meeting figures: a meeting planned after it is not held yet.
NOW = datetime(2024, 12, 1, 12, 0, tzinfo=UTC)


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


@dataclass
class Network:
    companies: dict
    groups: dict
    meetings: dict


@pytest.fixture
def built(db, make_company):
    member, left, invited = CompanyStatus.MEMBER, CompanyStatus.LEFT, CompanyStatus.INVITED
    owner, tenant, both = CompanyRole.OWNER, CompanyRole.TENANT, CompanyRole.BOTH
    specs = {
        "A": (owner, member, date(2020, 3, 1), None), "B": (tenant, member, date(2024, 5, 1), None),
        "C": (tenant, left, date(2019, 1, 1), date(2024, 6, 30)), "D": (both, invited, None, None),
        "E": (tenant, member, None, None), "F": (owner, left, date(2018, 1, 1), None),
        "G": (tenant, member, date(2025, 2, 1), None), "H": (owner, left, date(2010, 1, 1), date(2023, 12, 31)),
    }
    companies = {key: make_company(name=f"Firma {key}", role=role, status=status, joined_on=joined, left_on=gone)
                 for key, (role, status, joined, gone) in specs.items()}
    c = {key: company.id for key, company in companies.items()}
    session = db.session

    water = WorkingGroup(name="Prøvegruppe vand", slug="proeve-vand")
    nature = WorkingGroup(name="Prøvegruppe natur", slug="proeve-natur")
    session.add_all([water, nature])
    session.flush()

    def meeting(title, starts, kind=MeetingKind.NETWORK, status=MeetingStatus.PLANNED, published=None, group=None):
        row = Meeting(title=title, kind=kind, status=status, starts_at=starts, ends_at=starts.replace(hour=15),
                      minutes_published_at=published, group_id=group.id if group else None)
        session.add(row)
        session.flush()
        return row

    meetings = {
        "M0": meeting("Netværksmøde december 2023", utc(2023, 12, 5, 10), published=utc(2024, 1, 8, 9)),
        "M1": meeting("Netværksmøde marts", utc(2024, 3, 10, 10), published=utc(2024, 3, 15, 10)),
        "M2": meeting("Netværksmøde november", utc(2024, 11, 10, 10)),
        "M3": meeting("Aflyst januarmøde", utc(2024, 1, 20, 10), status=MeetingStatus.CANCELLED),
        "M4": meeting("Vandgruppen", utc(2024, 5, 5, 10), kind=MeetingKind.GROUP, published=utc(2024, 5, 8, 10),
                      group=water),
        "M5": meeting("Netværksmøde december", utc(2024, 12, 10, 10)),
        "M6": meeting("Netværksmøde 2023", utc(2023, 6, 10, 10), published=utc(2023, 6, 20, 10)),
    }
    m = {key: row.id for key, row in meetings.items()}
    session.add_all([
        Invitation(meeting_id=m["M0"], company_id=c["C"], invited_at=utc(2023, 11, 20, 9)),
        Invitation(meeting_id=m["M1"], company_id=c["A"], invited_at=utc(2024, 2, 20, 9), rsvp=Rsvp.YES),
        Invitation(meeting_id=m["M1"], company_id=c["B"], invited_at=utc(2024, 2, 20, 9), rsvp=Rsvp.NO),
        Invitation(meeting_id=m["M1"], company_id=c["D"], invited_at=utc(2024, 2, 20, 9)),
        Invitation(meeting_id=m["M2"], company_id=c["E"], invited_at=utc(2024, 10, 1, 9), rsvp=Rsvp.MAYBE),
        # 00:30 on 1 January 2024 in Copenhagen
        Invitation(meeting_id=m["M3"], company_id=c["F"], invited_at=utc(2023, 12, 31, 23, 30)),
        Invitation(meeting_id=m["M5"], company_id=c["A"], invited_at=utc(2024, 11, 20, 9)),
        Invitation(meeting_id=m["M6"], company_id=c["H"], invited_at=utc(2023, 6, 1, 9)),
    ])
    contacts = {}
    for key in ("A1", "A2", "B1", "G1", "E1", "D1", "C1"):
        contacts[key] = Contact(company_id=c[key[0]], name=f"Person {key}", email=f"{key.lower()}@firma.example")
    session.add_all(contacts.values())
    session.flush()

    def present(meeting_key, contact_key, status=AttendanceStatus.PRESENT, walk_in=False):
        return Attendance(meeting_id=m[meeting_key], company_id=c[contact_key[0]], contact_id=contacts[contact_key].id,
                          status=status, walk_in=walk_in)

    session.add_all([
        present("M0", "C1"),
        present("M1", "A1"), present("M1", "A2"), present("M1", "B1"), present("M1", "G1", walk_in=True),
        present("M1", "D1", status=AttendanceStatus.EXCUSED),
        present("M2", "E1"),
        present("M4", "A1"),
    ])

    def user(key, *, created, active=True, password="hash", last_login=None):  # noqa: S107 (a stored hash)
        row = User(email=f"bruger-{key.lower()}@firma.example", role=Role.COMPANY, company_id=c[key],
                   password_hash=password, active=active, created_at=created, last_login_at=last_login)
        session.add(row)
        session.flush()
        return row

    users = {
        "A": user("A", created=utc(2023, 1, 1)), "B": user("B", created=utc(2023, 1, 1)),
        "E": user("E", created=utc(2023, 1, 1)),
        "D": user("D", created=utc(2024, 2, 1), active=False, last_login=utc(2024, 12, 31, 22)),
        "G": user("G", created=utc(2024, 2, 1), password=None),
        "F": user("F", created=utc(2025, 3, 1)),
        "C": user("C", created=utc(2022, 1, 1), active=False, last_login=utc(2023, 5, 1)),
    }
    session.add_all([
        PortalLogin(user_id=users["A"].id, company_id=c["A"], at=utc(2024, 1, 5, 8)),
        PortalLogin(user_id=users["A"].id, company_id=c["A"], at=utc(2024, 6, 1, 8)),
        PortalLogin(user_id=users["B"].id, company_id=c["B"], at=utc(2023, 12, 31, 22, 59)),  # 23:59 in 2023
        PortalLogin(user_id=users["B"].id, company_id=c["B"], at=utc(2025, 1, 1, 8)),
        PortalLogin(user_id=users["E"].id, company_id=c["E"], at=utc(2024, 12, 31, 23, 30)),  # 2025 in Denmark
        PortalLogin(user_id=users["D"].id, company_id=c["D"], at=utc(2024, 12, 31, 22)),  # 23:00 in 2024
    ])

    session.add_all([
        GroupMembership(group_id=water.id, company_id=c["A"], role=MemberRole.CHAIR, joined_on=date(2023, 1, 1)),
        GroupMembership(group_id=water.id, company_id=c["B"], joined_on=date(2024, 5, 1)),
        GroupMembership(group_id=water.id, company_id=c["C"], joined_on=date(2022, 1, 1), left_on=date(2024, 6, 30)),
        GroupMembership(group_id=nature.id, company_id=c["A"], joined_on=date(2020, 1, 1), left_on=date(2024, 1, 1)),
        GroupMembership(group_id=nature.id, company_id=c["E"], joined_on=date(2025, 1, 1)),
        GroupMembership(group_id=nature.id, company_id=c["D"], role=MemberRole.CHAIR, joined_on=date(2024, 12, 31)),
    ])

    scheme = ContributionScheme(year=YEAR, name="Prøvemodel 2024", base_ore=100_000, active=True)
    session.add(scheme)
    session.flush()

    def invoice(key, number, net, vat, paid, state):
        return Contribution(company_id=c[key], year=YEAR, scheme_id=scheme.id, invoice_number=number,
                            invoice_date=date(2024, 2, 1), due_date=date(2024, 3, 1), net_ore=net, vat_ore=vat,
                            paid_ore=paid, state=state, role=str(companies[key].role))

    session.add_all([
        invoice("A", 1, 100_000, 25_000, 50_000, ContributionState.PARTLY_PAID),
        invoice("B", 2, 80_000, 20_000, 100_000, ContributionState.PAID),
        invoice("C", 3, 40_000, 10_000, 0, ContributionState.CREDITED),
    ])
    session.commit()
    return Network(companies, {"water": water, "nature": nature}, meetings)
