"""Check-in on the day: one tap per person, walk-ins, corrections, counts, export, the company's history."""

import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from crm.audit.models import AuditEntry
from crm.companies import services as company_services
from crm.companies.models import Company
from crm.meetings import invitations, services
from crm.meetings.models import Attendance
from tests.conftest import post, valid_cvr


def meeting_with_invitees(db, make_company, n=2):
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    meeting = services.create_meeting({"title": "Netværksmøde i dag", "starts_at": starts,
                                       "ends_at": starts + timedelta(hours=2)})
    companies, contacts = [], []
    for i in range(n):
        company = make_company(name=f"Fremmødt {i} ApS")
        contacts.append(company_services.add_contact(company, {"name": f"Person {i}", "email": f"p{i}@f{i}.example"}))
        companies.append(company)
    invitations.invite(meeting, companies)
    db.session.commit()
    return meeting, companies, contacts


def attendance_count(db):
    return db.session.scalar(select(func.count()).select_from(Attendance))


def test_one_tap_marks_present_and_a_double_tap_keeps_one_row(staff_client, db, make_company):
    meeting, companies, contacts = meeting_with_invitees(db, make_company)
    page = staff_client.get(f"/meetings/{meeting.id}/checkin").get_data(as_text=True)
    assert "Fremmødt 0 ApS" in page and "Person 1" in page and 'hx-post=' in page
    for _ in range(2):
        response = post(staff_client, f"/meetings/{meeting.id}/attendance",
                        {"contact_id": contacts[0].id, "status": "present"}, headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert f'id="kontakt-{contacts[0].id}"' in response.get_data(as_text=True)
        assert "Til stede" in response.get_data(as_text=True)
        assert 'id="checkin-counts" hx-swap-oob="true"' in response.get_data(as_text=True)
        assert "virksomheder til stede: 1" in response.get_data(as_text=True)
    assert attendance_count(db) == 1
    plain = post(staff_client, f"/meetings/{meeting.id}/attendance", {"contact_id": contacts[1].id,
                                                                       "status": "present"})
    assert plain.status_code == 302 and plain.headers["Location"].endswith(f"#kontakt-{contacts[1].id}")
    page = staff_client.get(f"/meetings/{meeting.id}/checkin").get_data(as_text=True)
    assert "virksomheder til stede: 2" in page and "personer til stede: 2" in page


def test_correction_afterwards_is_audited(staff_client, db, make_company):
    meeting, _companies, contacts = meeting_with_invitees(db, make_company, 1)
    post(staff_client, f"/meetings/{meeting.id}/attendance", {"contact_id": contacts[0].id, "status": "present"})
    post(staff_client, f"/meetings/{meeting.id}/attendance", {"contact_id": contacts[0].id, "status": "no_show"})
    row = db.session.scalars(select(Attendance)).one()
    assert row.status == "no_show"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "attendance.correct")).one()
    assert entry.changes["status"] == ["present", "no_show"]


def test_walk_in_of_a_company_not_yet_in_the_register(staff_client, db, make_company):
    meeting, _companies, _contacts = meeting_with_invitees(db, make_company, 1)
    cvr = valid_cvr(8181)
    refused = post(staff_client, f"/meetings/{meeting.id}/walk-in", {"person_name": "Ny Person", "cvr": cvr},
                   follow_redirects=True)
    assert "findes ikke i registret" in refused.get_data(as_text=True)
    post(staff_client, f"/meetings/{meeting.id}/walk-in", {"person_name": "Ny Person", "cvr": cvr,
                                                            "company_name": "Nybygger ApS", "email": "ny@nyb.example"})
    company = db.session.scalars(select(Company).where(Company.cvr == cvr)).one()
    row = db.session.scalars(select(Attendance).where(Attendance.company_id == company.id)).one()
    assert row.walk_in and row.status == "present" and company.contacts[0].email == "ny@nyb.example"
    bad = post(staff_client, f"/meetings/{meeting.id}/walk-in", {"person_name": "X", "cvr": "12345678"},
               follow_redirects=True)
    assert "kontrolcifferet" in bad.get_data(as_text=True)


def test_export_in_danish_and_company_history(staff_client, db, make_company):
    meeting, companies, contacts = meeting_with_invitees(db, make_company, 3)
    for contact, status in zip(contacts, ("present", "excused", "no_show"), strict=True):
        post(staff_client, f"/meetings/{meeting.id}/attendance", {"contact_id": contact.id, "status": status})
    walk_in = post(staff_client, f"/meetings/{meeting.id}/walk-in", {"person_name": "Åse Ærø", "cvr": valid_cvr(9191),
                                                                      "company_name": "Øresunds Plast ApS"})
    assert walk_in.status_code == 302
    rows = {row.contact_id: row for row in db.session.scalars(select(Attendance))}
    # Stored in UTC; one in summer time (UTC+2), one in winter time (UTC+1).
    rows[contacts[0].id].checked_in_at = datetime(2026, 6, 1, 12, 5, tzinfo=UTC)
    rows[contacts[1].id].checked_in_at = datetime(2026, 1, 15, 12, 5, tzinfo=UTC)
    db.session.commit()
    data = staff_client.get(f"/meetings/{meeting.id}/attendance.csv").data
    assert data.startswith(b"\xef\xbb\xbf"), "a BOM, so Danish Excel reads UTF-8"
    lines = data.decode("utf-8-sig").strip().splitlines()
    assert lines[0] == "Virksomhed;CVR-nr.;Person;E-mail;Fremmøde;Uanmeldt;Registreret"
    assert len(lines) == 5 and lines[1:3] == [
        f"Fremmødt 0 ApS;{companies[0].cvr};Person 0;p0@f0.example;Til stede;Nej;01.06.2026 14:05",
        f"Fremmødt 1 ApS;{companies[1].cvr};Person 1;p1@f1.example;Afbud;Nej;15.01.2026 13:05",
    ]
    assert lines[3].startswith(f"Fremmødt 2 ApS;{companies[2].cvr};Person 2;p2@f2.example;Udeblevet;Nej;")
    assert lines[4].startswith(f"Øresunds Plast ApS;{valid_cvr(9191)};Åse Ærø;;Til stede;Ja;")
    sheet = load_workbook(io.BytesIO(staff_client.get(f"/meetings/{meeting.id}/attendance.xlsx").data)).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0] == ("Virksomhed", "CVR-nr.", "Person", "E-mail", "Fremmøde", "Uanmeldt", "Registreret")
    assert table[1][4:] == ("Til stede", "Nej", "01.06.2026 14:05") and table[3][4] == "Udeblevet"
    contacts[1].name = "=HYPERLINK(\"http://evil.example\")"
    db.session.commit()
    sheet = load_workbook(io.BytesIO(staff_client.get(f"/meetings/{meeting.id}/attendance.xlsx").data)).active
    people = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert f"'{contacts[1].name}" in people, "a name is never run as a formula"
    history = staff_client.get(f"/companies/{companies[0].id}").get_data(as_text=True)
    assert "Netværksmøde i dag" in history and "Deltog i Netværksmøde i dag" in history


def test_company_user_cannot_check_in(company_client, db, make_company):
    meeting, _companies, contacts = meeting_with_invitees(db, make_company, 1)
    assert company_client.get(f"/meetings/{meeting.id}/checkin").status_code == 403
    assert post(company_client, f"/meetings/{meeting.id}/attendance",
                {"contact_id": contacts[0].id, "status": "present"}).status_code == 403
    assert attendance_count(db) == 0
