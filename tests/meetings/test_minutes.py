"""Minutes, action items carried forward, attachments checked by content, publishing once."""

import io
from datetime import UTC, datetime, timedelta

from pypdf import PdfReader
from sqlalchemy import select

from crm.companies import services as company_services
from crm.mail.models import OutboundEmail
from crm.meetings import attendance, invitations, services
from crm.meetings.models import ActionItem, Meeting, MeetingAttachment
from tests.confirming import post_confirmed
from tests.conftest import post


def held_meeting(db, make_company, n=2):
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    meeting = services.create_meeting({"title": "Netværksmøde november", "series": "Netværksmøde",
                                       "starts_at": starts, "ends_at": starts + timedelta(hours=2),
                                       "place": "Stamholmen 5"}, [("Affald", "Affaldsgruppen", 20)])
    companies, contacts = [], []
    for i in range(n):
        company = make_company(name=f"Referatfirma {i} ApS")
        contacts.append(company_services.add_contact(company, {"name": f"Læser {i}", "email": f"l{i}@r{i}.example"}))
        companies.append(company)
    invitations.invite(meeting, companies)
    db.session.commit()
    meeting.starts_at = datetime.now(UTC) - timedelta(hours=3)  # the meeting has been held
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    db.session.commit()
    return meeting, companies, contacts


def test_minutes_are_saved_and_script_is_stripped(staff_client, db, make_company):
    meeting, _companies, _contacts = held_meeting(db, make_company)
    item = meeting.agenda[0]
    post(staff_client, f"/meetings/{meeting.id}/minutes", {
        f"minutes-{item.id}": "**Fælles ordning** aftalt <script>alert('x')</script>",
        f"decisions-{item.id}": "Vi går videre med ordningen"})
    db.session.refresh(item)
    assert "Fælles ordning" in item.minutes
    page = staff_client.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert "<strong>Fælles ordning</strong>" in page and "alert('x')</script>" not in page.split("<textarea")[0]
    assert "<script>alert" not in page.replace("&lt;script&gt;", "")
    assert db.session.get(Meeting, meeting.id).status == "held"


def test_action_item_stays_open_on_the_next_meeting_until_done(staff_client, db, make_company):
    meeting, companies, _contacts = held_meeting(db, make_company)
    post(staff_client, f"/meetings/{meeting.id}/actions", {"title": "Indhent tilbud på containere",
                                                            "owner": companies[0].name, "due_on": "2030-01-31"})
    item = db.session.scalars(select(ActionItem)).one()
    assert item.owner_company_id == companies[0].id
    following = services.plan_next(meeting, "Næste netværksmøde", datetime.now(UTC) + timedelta(days=30))
    db.session.commit()
    assert "Indhent tilbud på containere" in staff_client.get(f"/meetings/{following.id}").get_data(as_text=True)
    post(staff_client, f"/meetings/{meeting.id}/actions/{item.id}/status", {"done": "1"})
    assert "Indhent tilbud" not in staff_client.get(f"/meetings/{following.id}").get_data(as_text=True)


def test_attachments_are_checked_by_content_and_downloaded_as_attachments(staff_client, db, make_company):
    meeting, _companies, _contacts = held_meeting(db, make_company)
    fake = post(staff_client, f"/meetings/{meeting.id}/attachments",
                {"file": (io.BytesIO(b"<html><script>alert(1)</script></html>"), "referat.pdf")},
                content_type="multipart/form-data", follow_redirects=True)
    assert "kan ikke vedhæftes" in fake.get_data(as_text=True)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    post(staff_client, f"/meetings/{meeting.id}/attachments", {"file": (io.BytesIO(pdf), "Bilag æøå.pdf")},
         content_type="multipart/form-data")
    stored = db.session.scalars(select(MeetingAttachment)).one()
    assert stored.content_type == "application/pdf" and stored.filename == "Bilag æøå.pdf"
    download = staff_client.get(f"/meetings/{meeting.id}/attachments/{stored.id}")
    assert download.data == pdf and download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_publish_once_to_those_present_with_a_pdf(staff_client, db, make_company):
    meeting, _companies, contacts = held_meeting(db, make_company, 2)
    attendance.mark(meeting, contacts[0], "present")
    db.session.commit()
    first = post_confirmed(staff_client, f"/meetings/{meeting.id}/publish", {"audience": "present"})
    second = post(staff_client, f"/meetings/{meeting.id}/publish", {"audience": "invited"}, follow_redirects=True)
    assert first.status_code == 302 and "allerede sendt" in second.get_data(as_text=True)
    mails = db.session.scalars(select(OutboundEmail).where(OutboundEmail.subject.startswith("Referat"))).all()
    assert [mail.to_address for mail in mails] == [contacts[0].email]
    (attachment,) = mails[0].attachments
    assert attachment.content_type == "application/pdf" and attachment.data.startswith(b"%PDF")
    assert "Affald" in mails[0].body_text
    year = meeting.starts_at.year
    assert "Netværksmøde november" in staff_client.get(f"/meetings/archive?year={year}").get_data(as_text=True)


def test_minutes_pdf_downloads_with_the_text_as_written(staff_client, db, make_company):
    meeting, _companies, _contacts = held_meeting(db, make_company, 1)
    item = meeting.agenda[0]
    post(staff_client, f"/meetings/{meeting.id}/minutes", {
        f"minutes-{item.id}": "Pris 1.250 € – **Ærø-ordningen** <script>alert('x')</script>",
        f"decisions-{item.id}": "Ja – fortsæt"})
    response = staff_client.get(f"/meetings/{meeting.id}/minutes.pdf")
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).split())
    assert "Referat: Netværksmøde november" in text and "1. Affald" in text
    assert "Pris 1.250 € – Ærø-ordningen" in text, "any Unicode text, not only Latin-1"
    assert "Beslutning: Ja – fortsæt" in text and "alert" not in text


def test_follow_up_can_be_closed_from_the_next_meeting(staff_client, db, make_company):
    meeting, _companies, _contacts = held_meeting(db, make_company, 1)
    post(staff_client, f"/meetings/{meeting.id}/actions", {"title": "Ring til vognmanden"})
    item = db.session.scalars(select(ActionItem)).one()
    following = services.plan_next(meeting, "Næste netværksmøde", datetime.now(UTC) + timedelta(days=30))
    db.session.commit()
    response = post(staff_client, f"/meetings/{meeting.id}/actions/{item.id}/status",
                    {"done": "1", "back": f"/meetings/{following.id}"})
    assert response.headers["Location"] == f"/meetings/{following.id}"
    assert "Ring til vognmanden" not in staff_client.get(f"/meetings/{following.id}").get_data(as_text=True)
    evil = post(staff_client, f"/meetings/{meeting.id}/actions/{item.id}/status", {"done": "0",
                                                                                    "back": "https://evil.example/"})
    assert evil.headers["Location"].startswith(f"/meetings/{meeting.id}/minutes")
