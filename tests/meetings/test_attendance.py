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


def test_export_and_company_history(staff_client, db, make_company):
    meeting, companies, contacts = meeting_with_invitees(db, make_company, 2)
    post(staff_client, f"/meetings/{meeting.id}/attendance", {"contact_id": contacts[0].id, "status": "present"})
    csv_text = staff_client.get(f"/meetings/{meeting.id}/attendance.csv").data.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("company;cvr;person") and len(lines) == 2 and "Person 0" in lines[1]
    assert staff_client.get(f"/meetings/{meeting.id}/attendance.xlsx").data[:2] == b"PK"
    contacts[1].name = "=HYPERLINK(\"http://evil.example\")"
    db.session.commit()
    post(staff_client, f"/meetings/{meeting.id}/attendance", {"contact_id": contacts[1].id, "status": "present"})
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
