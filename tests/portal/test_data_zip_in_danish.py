"""The data ZIP's CSVs as Danish Excel opens them: `;` and a BOM, Danish column names, Danish words for the stored
values (Ejer, Lejer, Ja, Nej, Til stede), days as 02.12.2026 and times in Danish time; the JSON keeps what is stored."""

import csv
import io
import json
import zipfile
from datetime import UTC, date, datetime

from sqlalchemy import select

from crm.companies.models import CompanyRole
from crm.groups.models import GroupMembership, MemberRole, WorkingGroup
from crm.meetings.models import Attendance, AttendanceStatus, Rsvp


def csv_rows(archive, name):
    data = archive.read(f"{name}.csv")
    assert data.startswith(b"\xef\xbb\xbf"), "a BOM, so Excel reads UTF-8"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_the_csvs_use_danish_words_days_and_times(world, db):
    world.ours.role, world.ours.joined_on = CompanyRole.TENANT, date(2024, 3, 1)
    world.contact.newsletter_consent = False
    world.invitation.rsvp, world.invitation.rsvp_at = Rsvp.YES, datetime(2026, 7, 1, 10, 5, tzinfo=UTC)
    db.session.add(Attendance(meeting_id=world.upcoming.id, company_id=world.ours.id, contact_id=world.contact.id,
                              status=AttendanceStatus.PRESENT))
    water = db.session.scalars(select(WorkingGroup).where(WorkingGroup.slug == "vand")).one()
    db.session.add(GroupMembership(group_id=water.id, company_id=world.ours.id, role=MemberRole.CHAIR,
                                   joined_on=date(2025, 1, 2)))
    db.session.commit()
    archive = zipfile.ZipFile(io.BytesIO(world.client.get("/portal/company/data.zip").data))

    company = csv_rows(archive, "company")[0]
    assert (company["Rolle"], company["Medlem siden"], company["Vist i kataloget"]) == ("Lejer", "01.03.2024", "Nej")
    assert csv_rows(archive, "contacts")[0]["Primær kontakt"] == "Ja"
    assert csv_rows(archive, "consents")[0]["Samtykke til nyhedsbrev"] == "Nej"
    invitation = csv_rows(archive, "invitations")[0]
    assert invitation["Svar"] == "Ja" and invitation["Svaret"] == "01.07.2026 12:05", "summer time in Copenhagen"
    assert csv_rows(archive, "attendance")[0]["Fremmøde"] == "Til stede"
    membership = csv_rows(archive, "groups")[0]
    assert (membership["Rolle"], membership["Med fra"]) == ("Formand", "02.01.2025")

    stored = json.loads(archive.read("company.json"))[0]
    assert (stored["role"], stored["joined_on"]) == ("tenant", "2024-03-01"), "JSON keeps the stored values"
    assert json.loads(archive.read("invitations.json"))[0]["rsvp"] == "yes"
