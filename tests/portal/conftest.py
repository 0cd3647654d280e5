"""Two companies, ours (a logged-in portal user) and another, with meetings, invitations and attachments."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm.audit.models import AuditEntry
from crm.companies.models import Contact
from crm.meetings.models import Invitation, Meeting, MeetingAttachment, MeetingKind

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    client: object
    user: object
    ours: object
    other: object
    contact: object
    other_contact: object
    upcoming: object
    invitation: object
    other_invitation: object
    group_meeting: object
    group_attachment: object
    network_meeting: object
    network_attachment: object


def meeting(db, title, *, days, kind=MeetingKind.NETWORK, published=False):
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    row = Meeting(title=title, kind=kind, starts_at=starts, ends_at=starts + timedelta(hours=2), place="Stamholmen")
    if published:
        row.minutes_published_at = starts + timedelta(hours=3)
    db.session.add(row)
    db.session.flush()
    return row


def attach(db, meeting_row, name):
    row = MeetingAttachment(meeting_id=meeting_row.id, filename=name, content_type="application/pdf", data=PDF,
                            size=len(PDF))
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def world(db, company_client, make_company):
    ours = company_client.user.company
    other = make_company(name="Naboens Stål A/S")
    contact = Contact(company=ours, name="Karen Kontakt", email="karen@vores.example", is_primary=True)
    other_contact = Contact(company=other, name="Ole Anden", email="ole@naboen.example", is_primary=True)
    db.session.add_all([contact, other_contact])
    upcoming = meeting(db, "Netværksmøde december", days=10)
    group_meeting = meeting(db, "Energigruppens møde", days=-20, kind=MeetingKind.GROUP, published=True)
    network_meeting = meeting(db, "Netværksmøde oktober", days=-40, published=True)
    invitation = Invitation(meeting_id=upcoming.id, company_id=ours.id, sent_sequence=0)  # sent: the portal shows it
    other_invitation = Invitation(meeting_id=upcoming.id, company_id=other.id, sent_sequence=0)
    db.session.add_all([invitation, other_invitation,
                        Invitation(meeting_id=group_meeting.id, company_id=other.id, sent_sequence=0)])
    group_attachment = attach(db, group_meeting, "energi.pdf")
    network_attachment = attach(db, network_meeting, "netvaerk.pdf")
    db.session.commit()
    return World(company_client, company_client.user, ours, other, contact, other_contact, upcoming, invitation,
                 other_invitation, group_meeting, group_attachment, network_meeting, network_attachment)


def refusals(db):
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "portal.refused"))
