"""An invitation as the recipient's mail server receives it: MIME structure and the calendar part."""

import re
from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from sqlalchemy import event

from crm.auth import services as auth_services
from crm.companies import services as company_services
from crm.extensions import db
from crm.mail.worker import run_worker
from crm.meetings import invitations, services
from crm.security import Role
from tests.conftest import PASSWORD, login
from tests.mail.test_worker import database_url, make_company, outbox, sink, worker_app  # noqa: F401


def test_received_invitation_has_alternative_calendar_part_and_attached_ics(outbox, sink):  # noqa: F811
    company = make_company("Mødefirma Ærø ApS")
    company_services.add_contact(company, {"name": "Søren Ørsted", "email": "soren@moedefirma.example"})
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    meeting = services.create_meeting({"title": "Netværksmøde på Kystholmen", "starts_at": starts,
                                       "ends_at": starts + timedelta(hours=2), "place": "Kystholmen 1"})
    invitations.invite(meeting, [company])
    invitations.send_invitations(meeting)
    db.session.commit()

    run_worker(once=True)

    (received,) = sink.messages
    message = received.parsed()
    assert message.get_content_type() == "multipart/mixed"
    alternative = next(part for part in message.iter_parts() if part.get_content_type() == "multipart/alternative")
    assert [part.get_content_type() for part in alternative.iter_parts()] == [
        "text/plain", "text/html", "text/calendar"]
    calendar_part = list(alternative.iter_parts())[2]
    assert calendar_part.get_param("method") == "REQUEST"
    attached = [part for part in message.iter_attachments() if part.get_filename() == "invitation.ics"]
    assert len(attached) == 1
    calendar = Calendar.from_ical(calendar_part.get_content())
    event = calendar.walk("VEVENT")[0]
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["SUMMARY"]) == "Netværksmøde på Kystholmen"
    assert str(event["ATTENDEE"]).lower() == "mailto:soren@moedefirma.example"
    assert event["ATTENDEE"].params["CN"] == "Søren Ørsted"
    assert "Søren Ørsted" in str(message["To"]) and "soren@moedefirma.example" in str(message["To"])


def test_a_title_saved_with_a_line_break_reaches_only_the_invitee_with_a_one_line_subject(outbox, sink):  # noqa: F811
    company = make_company("Linjeskift ApS")
    company_services.add_contact(company, {"name": "Lise Linje", "email": "lise@linjeskift.example"})
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    meeting = services.create_meeting({"title": "Netværksmøde\r\nBcc: x@example.com", "starts_at": starts,
                                       "ends_at": starts + timedelta(hours=2)})
    invitations.invite(meeting, [company])
    invitations.send_invitations(meeting)
    db.session.commit()

    totals = run_worker(once=True)

    assert (totals.sent, totals.failed) == (1, 0)
    (received,) = sink.messages
    assert received.rcpt_tos == ("lise@linjeskift.example",)
    message = received.parsed()
    assert message["Subject"] == "Invitation: Netværksmøde Bcc: x@example.com"
    assert message["Bcc"] is None
    assert b"\r\nBcc:" not in received.data.split(b"\r\n\r\n", 1)[0]


def invitation_rows(page):
    """{company name: the text of its row} from the invitation list."""
    text = page.get_data(as_text=True)
    table = text[text.index('id="invitationer"'):]
    body = table[table.index("<tbody>"):table.index("</tbody>")]
    rows = {}
    for row in body.split("<tr>")[1:]:
        cells = [re.sub(r"<[^>]+>", " ", cell) for cell in row.split("<td>")[1:]]
        name = " ".join(cells[0].split())
        rows[name] = " ".join(cells[3].split())
    return rows


def test_the_invitation_list_says_queued_sent_or_failed_from_the_outbox(outbox, sink):  # noqa: F811
    waiting, delivered, bounced = (make_company(name) for name in ("Venter ApS", "Modtaget ApS", "Afvist ApS"))
    for company, address in ((waiting, "vera@venter.example"), (delivered, "mads@modtaget.example"),
                             (bounced, "ukendt@afvist.example")):
        company_services.add_contact(company, {"name": "Kontakt", "email": address})
    sink.refuse("ukendt@afvist.example", "550 5.1.1 <ukendt@afvist.example>: User unknown")
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    meeting = services.create_meeting({"title": "Netværksmøde om levering", "starts_at": starts,
                                       "ends_at": starts + timedelta(hours=2)})
    invitations.invite(meeting, [delivered, bounced])
    invitations.send_invitations(meeting)
    db.session.commit()
    run_worker(once=True)
    invitations.invite(meeting, [waiting])  # queued after the worker's round: still in the outbox
    invitations.send_invitations(meeting)
    db.session.commit()

    staff = auth_services.create_user(f"staff-levering-{meeting.id}@holme.example", PASSWORD, Role.STAFF)
    db.session.commit()
    client = outbox.test_client()
    assert login(client, staff.email).status_code == 302
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        page = client.get(f"/meetings/{meeting.id}/invitations")
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert page.status_code == 200
    rows = invitation_rows(page)
    assert rows["Venter ApS"].startswith("I udbakken")
    assert rows["Modtaget ApS"].startswith("Sendt ")
    assert rows["Afvist ApS"].startswith("Fejlet")
    assert not any(text.startswith("ja") for text in rows.values()), "never 'sent: yes' while the mail waits"
    assert sum("outbound_emails" in statement for statement in statements) == 1, "one query for the whole list"
