"""A meeting saved before titles had to be one line ("Netværksmøde\\r\\nBcc: ..."): its calendar file, its
invitations, updates, cancellation, reminders and minutes still go out, each subject on one line, no header added."""

import email
from datetime import UTC, datetime, timedelta
from email import policy

from icalendar import Calendar
from sqlalchemy import select

from crm.mail.models import OutboundEmail
from crm.mail.worker import build_message
from crm.meetings import services
from crm.meetings.models import Invitation
from tests.confirming import post_confirmed
from tests.conftest import post
from tests.meetings.test_invitations import companies_with_contacts

BROKEN = "Netværksmøde\r\nBcc: x@example.com"
ONE_LINE = "Netværksmøde Bcc: x@example.com"


def a_meeting_with_a_broken_title(db, days=14):
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    meeting = services.create_meeting({"title": BROKEN, "place": "Stamholmen 5\nHvidovre", "starts_at": starts,
                                       "ends_at": starts + timedelta(hours=2)}, [("Velkomst\r\nBcc: y", "", 10)])
    db.session.commit()
    return meeting


def meeting_mails(db, meeting, subject_start=""):
    return db.session.scalars(select(OutboundEmail).where(
        OutboundEmail.object_type == "meetings", OutboundEmail.object_id == meeting.id,
        OutboundEmail.subject.startswith(subject_start)).order_by(OutboundEmail.id)).all()


def sent_message(row):
    """The message as the worker would send it, parsed back as the recipient's mail program reads it."""
    return email.message_from_bytes(build_message(row).as_bytes(), policy=policy.default)


def assert_one_clean_mail(row, subject):
    assert row.subject == subject
    message = sent_message(row)
    assert message["Subject"] == subject
    assert message["Bcc"] is None and message["Cc"] is None
    headers = build_message(row).as_bytes().split(b"\r\n\r\n", 1)[0]
    assert b"\r\nBcc:" not in headers
    assert [address.addr_spec for address in message["To"].addresses] == [row.to_address]


def test_the_calendar_file_of_a_meeting_with_a_line_break_in_its_title(staff_client, db):
    meeting = a_meeting_with_a_broken_title(db)
    response = staff_client.get(f"/meetings/{meeting.id}.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    assert calendar["X-WR-CALNAME"] == ONE_LINE
    event = calendar.walk("VEVENT")[0]
    assert event["SUMMARY"] == ONE_LINE and event["LOCATION"] == "Stamholmen 5 Hvidovre"


def test_the_personal_calendar_feed_with_such_a_meeting(staff_client, app, db):
    meeting = a_meeting_with_a_broken_title(db)
    page = post(staff_client, "/meetings/calendar", {"action": "create"}).get_data(as_text=True)
    path = "/calendar/" + page.split("/calendar/", 1)[1].split(".ics", 1)[0] + ".ics"
    response = app.test_client().get(path)
    assert response.status_code == 200
    summaries = [str(event["SUMMARY"]) for event in Calendar.from_ical(response.data).walk("VEVENT")]
    assert ONE_LINE in summaries and meeting.uid in response.get_data(as_text=True)


def test_invitations_updates_reminders_and_the_cancellation_go_out_on_one_line(staff_client, db, make_company):
    meeting = a_meeting_with_a_broken_title(db)
    companies = companies_with_contacts(db, make_company, 2)

    invited = post_confirmed(staff_client, f"/meetings/{meeting.id}/invite", {"source": "all"})
    assert invited.status_code == 302
    rows = meeting_mails(db, meeting)
    assert len(rows) == 2
    for row in rows:
        assert_one_clean_mail(row, f"Invitation: {ONE_LINE}")
        calendar = [part for part in sent_message(row).walk() if part.get_content_type() == "text/calendar"][0]
        assert Calendar.from_ical(calendar.get_content()).walk("VEVENT")[0]["SUMMARY"] == ONE_LINE
        assert "Netværksmøde" in row.body_text and "Velkomst" in row.body_text

    reminded = post_confirmed(staff_client, f"/meetings/{meeting.id}/remind")
    assert reminded.status_code == 302
    for row in meeting_mails(db, meeting, "Påmindelse"):
        assert_one_clean_mail(row, f"Påmindelse: {ONE_LINE}")
    assert len(meeting_mails(db, meeting, "Påmindelse")) == 2

    services.update_meeting(meeting, {"place": "Hammerholmen 1"})
    db.session.commit()
    updated = post_confirmed(staff_client, f"/meetings/{meeting.id}/send")
    assert updated.status_code == 302
    updates = meeting_mails(db, meeting, "Ændret")
    assert len(updates) == 2
    for row in updates:
        assert_one_clean_mail(row, f"Ændret tid eller sted: {ONE_LINE}")

    cancelled = post_confirmed(staff_client, f"/meetings/{meeting.id}/cancel")
    assert cancelled.status_code == 302
    cancels = meeting_mails(db, meeting, "Aflyst")
    assert len(cancels) == 2
    for row in cancels:
        assert_one_clean_mail(row, f"Aflyst: {ONE_LINE}")
    assert {row.company_id for row in cancels} == {company.id for company in companies}
    assert db.session.scalars(select(Invitation.sent_sequence)).all() == [2, 2]

    for path in (f"/meetings/{meeting.id}", f"/meetings/{meeting.id}/invitations", "/meetings/"):
        assert staff_client.get(path).status_code == 200


def test_the_minutes_of_such_a_meeting_are_published_on_one_line(staff_client, db, make_company):
    meeting = a_meeting_with_a_broken_title(db, days=1)
    companies = companies_with_contacts(db, make_company, 2)
    post_confirmed(staff_client, f"/meetings/{meeting.id}/invite", {"source": "all"})
    meeting.starts_at = datetime.now(UTC) - timedelta(hours=3)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    db.session.commit()
    response = post_confirmed(staff_client, f"/meetings/{meeting.id}/publish", {"audience": "invited"})
    assert response.status_code == 302
    minutes = meeting_mails(db, meeting, "Referat")
    assert sorted(row.company_id for row in minutes) == sorted(company.id for company in companies)
    for row in minutes:
        assert_one_clean_mail(row, f"Referat: {ONE_LINE}")
    assert staff_client.get(f"/meetings/{meeting.id}/minutes.pdf").status_code == 200
