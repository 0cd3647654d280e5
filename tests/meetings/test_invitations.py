"""Invitations with calendar parts, changes, cancellations, answers and reminders."""

import email
import re
from datetime import UTC, datetime, timedelta
from email import policy

from icalendar import Calendar
from sqlalchemy import func, select

from crm.companies import services as company_services
from crm.mail.models import OutboundEmail
from crm.mail.worker import build_message
from crm.meetings import invitations, services
from crm.meetings.models import Invitation, Meeting, MeetingStatus
from tests.confirming import post_confirmed
from tests.conftest import post


def a_meeting(db, days=14, **values):
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    meeting = services.create_meeting({"title": "Netværksmøde om affald", "starts_at": starts,
                                       "ends_at": starts + timedelta(hours=2), "place": "Stamholmen 5", **values},
                                      [("Velkomst", "Formanden", 10)])
    db.session.commit()
    return meeting


def companies_with_contacts(db, make_company, n=3):
    companies = []
    for i in range(n):
        company = make_company(name=f"Inviteret {i} ApS", status="member")
        company_services.add_contact(company, {"name": f"Kontakt Ø{i}", "email": f"k{i}@inviteret{i}.example"})
        companies.append(company)
    db.session.commit()
    return companies


def mails(db, meeting=None):
    statement = select(OutboundEmail).order_by(OutboundEmail.id)
    if meeting is not None:
        statement = statement.where(OutboundEmail.object_type == "meetings", OutboundEmail.object_id == meeting.id)
    return db.session.scalars(statement).all()


def calendar_of(row):
    message = email.message_from_bytes(build_message(row).as_bytes(), policy=policy.default)
    parts = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 2, "the calendar goes in the alternative part and as an attached .ics"
    inline = next(part for part in parts if part.get_content_disposition() is None)
    assert inline.get_param("method") in ("REQUEST", "CANCEL")
    return Calendar.from_ical(inline.get_content()), inline.get_param("method")


def test_invite_everybody_sends_one_request_each_even_after_a_double_click(staff_client, db, make_company):
    meeting = a_meeting(db)
    companies_with_contacts(db, make_company)
    first = post_confirmed(staff_client, f"/meetings/{meeting.id}/invite", {"source": "all"})
    second = post_confirmed(staff_client, f"/meetings/{meeting.id}/invite", {"source": "all"})
    assert first.status_code == second.status_code == 302
    rows = mails(db, meeting)
    assert len(rows) == 3 and len({row.to_address for row in rows}) == 3
    calendar, method = calendar_of(rows[0])
    event = calendar.walk("VEVENT")[0]
    assert method == "REQUEST" and calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == meeting.uid and int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == meeting.starts_at
    attendee = event["ATTENDEE"]
    assert str(attendee).lower() == f"mailto:{rows[0].to_address}" and attendee.params["RSVP"] == "TRUE"
    assert "/rsvp/" in rows[0].body_text and "Velkomst" in rows[0].body_text
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 3


def test_moving_the_meeting_sends_sequence_one_with_the_same_uid_once(staff_client, db, make_company):
    meeting = a_meeting(db)
    companies = companies_with_contacts(db, make_company, 2)
    invitations.invite(meeting, companies)
    invitations.send_invitations(meeting)
    db.session.commit()
    services.update_meeting(meeting, {"place": "Hammerholmen 1"})
    db.session.commit()
    post_confirmed(staff_client, f"/meetings/{meeting.id}/send")
    post_confirmed(staff_client, f"/meetings/{meeting.id}/send")  # nobody gets the same version twice
    rows = mails(db, meeting)
    assert len(rows) == 4
    calendar, _method = calendar_of(rows[-1])
    event = calendar.walk("VEVENT")[0]
    assert str(event["UID"]) == meeting.uid and int(event["SEQUENCE"]) == 1
    assert str(event["LOCATION"]) == "Hammerholmen 1"


def test_adding_invitees_later_mails_only_the_new_ones(staff_client, db, make_company):
    meeting = a_meeting(db)
    first, second = companies_with_contacts(db, make_company, 2)
    post_confirmed(staff_client, f"/meetings/{meeting.id}/invite", {"source": "cvrs", "cvrs": first.cvr})
    post_confirmed(staff_client, f"/meetings/{meeting.id}/invite",
                   {"source": "cvrs", "cvrs": f"{first.cvr} {second.cvr}"})
    assert [row.company_id for row in mails(db, meeting)] == [first.id, second.id]


def test_cancelling_sends_method_cancel_to_those_invited(staff_client, db, make_company):
    meeting = a_meeting(db)
    companies = companies_with_contacts(db, make_company, 2)
    invitations.invite(meeting, companies)
    invitations.send_invitations(meeting)
    db.session.commit()
    post_confirmed(staff_client, f"/meetings/{meeting.id}/cancel")
    db.session.refresh(meeting)
    assert meeting.status == MeetingStatus.CANCELLED
    cancels = mails(db, meeting)[2:]
    assert len(cancels) == 2
    calendar, method = calendar_of(cancels[0])
    assert method == "CANCEL" and calendar["METHOD"] == "CANCEL"
    event = calendar.walk("VEVENT")[0]
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1
    refused = post(staff_client, f"/meetings/{meeting.id}/invite", {"source": "all"})
    assert refused.status_code == 422 and "aflyst" in refused.get_data(as_text=True)


def test_zero_recipients_and_past_meetings_are_refused(staff_client, db, make_company):
    meeting = a_meeting(db)
    nobody = post(staff_client, f"/meetings/{meeting.id}/invite", {"source": "filter", "q": "ingen-sådan"})
    assert nobody.status_code == 422 and "Ingen virksomheder" in nobody.get_data(as_text=True)
    past = Meeting(title="Fortid", starts_at=datetime.now(UTC) - timedelta(days=2),
                   ends_at=datetime.now(UTC) - timedelta(days=2, hours=-1))
    db.session.add(past)
    db.session.commit()
    companies_with_contacts(db, make_company, 1)
    answer = post(staff_client, f"/meetings/{past.id}/invite", {"source": "all"})
    assert answer.status_code == 422 and mails(db, past) == []


def rsvp_path(row):
    return re.search(r"(/rsvp/[^?\s]+)\?svar=yes", row.body_text).group(1)


def test_rsvp_get_changes_nothing_post_records_and_can_change(app, db, make_company, staff_client):
    meeting = a_meeting(db)
    (company,) = companies_with_contacts(db, make_company, 1)
    invitations.invite(meeting, [company])
    invitations.send_invitations(meeting)
    db.session.commit()
    path = rsvp_path(mails(db, meeting)[0])
    contact = app.test_client()
    page = contact.get(path + "?svar=yes")
    assert page.status_code == 200 and "Netværksmøde om affald" in page.get_data(as_text=True)
    invitation = db.session.scalars(select(Invitation)).one()
    assert invitation.rsvp is None
    assert post(contact, path, {"rsvp": "yes"}).status_code == 200
    db.session.refresh(invitation)
    assert invitation.rsvp == "yes" and invitation.rsvp_at is not None
    post(contact, path, {"rsvp": "yes"})  # repeating is harmless
    post(contact, path, {"rsvp": "no"})
    db.session.refresh(invitation)
    assert invitation.rsvp == "no"


def test_rsvp_with_a_forged_token_or_after_the_start_is_refused(app, db, make_company):
    assert app.test_client().get("/rsvp/forfalsket").status_code == 404
    meeting = a_meeting(db)
    (company,) = companies_with_contacts(db, make_company, 1)
    invitations.invite(meeting, [company])
    invitations.send_invitations(meeting)
    db.session.commit()
    path = rsvp_path(mails(db, meeting)[0])
    meeting.starts_at = datetime.now(UTC) - timedelta(minutes=5)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    db.session.commit()
    late = post(app.test_client(), path, {"rsvp": "yes"})
    assert late.status_code == 410 and "kan ikke længere" in late.get_data(as_text=True)
    assert db.session.scalars(select(Invitation)).one().rsvp is None


def test_staff_note_a_phone_answer_and_remind_only_once(staff_client, db, make_company):
    meeting = a_meeting(db)
    companies = companies_with_contacts(db, make_company, 3)
    invitations.invite(meeting, companies)
    invitations.send_invitations(meeting)
    db.session.commit()
    first = db.session.scalars(select(Invitation).where(Invitation.company_id == companies[0].id)).one()
    post(staff_client, f"/meetings/{meeting.id}/invitations/{first.id}/rsvp", {"rsvp": "maybe"})
    db.session.refresh(first)
    assert first.rsvp == "maybe" and first.rsvp_by == staff_client.user.email
    post_confirmed(staff_client, f"/meetings/{meeting.id}/remind")
    post_confirmed(staff_client, f"/meetings/{meeting.id}/remind")
    reminders = [row for row in mails(db, meeting) if row.subject.startswith("Påmindelse")]
    assert sorted(row.company_id for row in reminders) == sorted(c.id for c in companies[1:])


def test_the_meeting_calendar_file(staff_client, db):
    meeting = a_meeting(db)
    response = staff_client.get(f"/meetings/{meeting.id}.ics")
    assert response.mimetype == "text/calendar"
    event = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert str(event["UID"]) == meeting.uid and str(event["SUMMARY"]) == meeting.title


def test_company_user_cannot_reach_invitations(company_client, db):
    meeting = a_meeting(db)
    assert company_client.get(f"/meetings/{meeting.id}/invitations").status_code == 403
    assert post(company_client, f"/meetings/{meeting.id}/remind").status_code == 403


def test_chosen_extra_contacts_get_the_invitation_too(staff_client, db, make_company):
    meeting = a_meeting(db)
    company = make_company(name="To Modtagere ApS")
    company_services.add_contact(company, {"name": "Primær", "email": "primaer@to.example"})
    company_services.add_contact(company, {"name": "Også", "email": "ogsaa@to.example", "receives_meeting_mail": True})
    company_services.add_contact(company, {"name": "Ikke", "email": "ikke@to.example"})
    db.session.commit()
    post_confirmed(staff_client, f"/meetings/{meeting.id}/invite", {"source": "cvrs", "cvrs": company.cvr})
    assert sorted(row.to_address for row in mails(db, meeting)) == ["ogsaa@to.example", "primaer@to.example"]


def test_remind_a_chosen_few(staff_client, db, make_company):
    meeting = a_meeting(db)
    companies = companies_with_contacts(db, make_company, 3)
    invitations.invite(meeting, companies)
    invitations.send_invitations(meeting)
    db.session.commit()
    chosen = db.session.scalars(select(Invitation).where(Invitation.company_id == companies[1].id)).one()
    post_confirmed(staff_client, f"/meetings/{meeting.id}/remind", {"invitation": str(chosen.id)})
    reminders = [row for row in mails(db, meeting) if row.subject.startswith("Påmindelse")]
    assert [row.company_id for row in reminders] == [companies[1].id]


def test_invite_companies_filtered_like_the_company_list(staff_client, db, make_company):
    meeting = a_meeting(db)
    owner = make_company(name="Filter Ejer A/S", role="owner", status="member")
    company_services.add_contact(owner, {"name": "Ejer", "email": "ejer@filter.example"})
    tenant = make_company(name="Filter Lejer ApS", role="tenant", status="member")
    company_services.add_contact(tenant, {"name": "Lejer", "email": "lejer@filter.example"})
    db.session.commit()
    assert "Ejer eller lejer" in staff_client.get(f"/meetings/{meeting.id}/invite").get_data(as_text=True)
    post_confirmed(staff_client, f"/meetings/{meeting.id}/invite", {"source": "filter", "q": "filter", "role": "owner"})
    assert [row.company_id for row in mails(db, meeting)] == [owner.id]


def test_each_mail_of_a_batch_has_its_own_name_and_links_escaped(staff_client, db, make_company):
    meeting = a_meeting(db)
    plain, tricky = companies_with_contacts(db, make_company, n=2)
    tricky.contacts[0].name = 'Bo <b>"Fed"</b> & Co'
    db.session.commit()
    post_confirmed(staff_client, f"/meetings/{meeting.id}/invite", {"source": "all"})
    rows = {row.to_address: row for row in mails(db, meeting)}
    plain_mail, tricky_mail = rows[plain.contacts[0].email], rows[tricky.contacts[0].email]
    assert "Hej Kontakt Ø0" in plain_mail.body_text and 'Hej Bo <b>"Fed"</b> & Co' in tricky_mail.body_text
    assert "Bo &lt;b&gt;&#34;Fed&#34;&lt;/b&gt; &amp; Co" in tricky_mail.body_html
    assert "<b>" not in tricky_mail.body_html
    links = [set(re.findall(r"/rsvp/([\w.-]+)", row.body_html)) for row in (plain_mail, tricky_mail)]
    assert all(len(found) == 1 for found in links) and links[0] != links[1], "one personal token per company"
    assert "\x1f" not in plain_mail.body_text + plain_mail.body_html
