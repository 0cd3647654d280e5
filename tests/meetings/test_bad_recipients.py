"""One contact whose name or address cannot stand in a mail (old data: a line break in the name, an address that
is not one) never stops a mailing: the others get it, and staff are told who was left out, in the flash message
and on the company's timeline."""

from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from crm.companies import services as company_services
from crm.companies.models import Activity
from crm.mail.models import OutboundEmail
from crm.meetings import invitations, services
from crm.meetings.models import Invitation
from tests.confirming import post_confirmed

BAD_NAME = "Bo Brudt\r\nBcc: x@example.com"


@pytest.fixture
def two_companies(db, make_company):
    """A good company and one whose contact's name holds a line break."""
    good = make_company(name="Godt Firma ApS", status="member")
    company_services.add_contact(good, {"name": "Gitte God", "email": "gitte@godt.example"})
    bad = make_company(name="Brudt Firma ApS", status="member")
    contact = company_services.add_contact(bad, {"name": "Bo Brudt", "email": "bo@brudt.example"})
    db.session.commit()
    contact.name = BAD_NAME  # saved before names had to be one line
    db.session.commit()
    return good, bad


def a_meeting(db, days=14):
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    meeting = services.create_meeting({"title": "Netværksmøde om energi", "starts_at": starts,
                                       "ends_at": starts + timedelta(hours=2)}, [("Velkomst", "", 10)])
    db.session.commit()
    return meeting


def outbox(db, subject_start=""):
    return db.session.scalars(select(OutboundEmail).where(OutboundEmail.subject.startswith(subject_start))
                              .order_by(OutboundEmail.id)).all()


def timeline(db, company):
    return [activity.text for activity in db.session.scalars(
        select(Activity).where(Activity.company_id == company.id).order_by(Activity.id))]


def assert_named(page, company_name="Brudt Firma ApS", recipient="Bo Brudt Bcc: x@example.com <bo@brudt.example>",
                 reason="navnet har et linjeskift"):
    text = unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    assert f"Ikke sendt til {company_name}: {recipient} ({reason})." in text


def test_invite_all_and_send_skips_the_bad_contact_and_names_it(staff_client, db, two_companies):
    good, bad = two_companies
    meeting = a_meeting(db)
    page = post_confirmed(staff_client, f"/meetings/{meeting.id}/invite", {"source": "all"}, follow_redirects=True)
    assert_named(page)
    assert "2 virksomheder inviteret; 1 mails lagt i udbakken." in unescape(page.get_data(as_text=True))
    assert [(row.to_address, row.company_id) for row in outbox(db)] == [("gitte@godt.example", good.id)]
    assert ("Ikke sendt: Invitation: Netværksmøde om energi, til Bo Brudt Bcc: x@example.com <bo@brudt.example>, "
            "fordi navnet har et linjeskift. Ret kontaktpersonen.") in timeline(db, bad)
    # The company counts as not sent: once the name is corrected it goes out from the invitation list.
    bad_invitation = db.session.scalars(select(Invitation).where(Invitation.company_id == bad.id)).one()
    assert bad_invitation.sent_sequence is None
    bad.contacts[0].name = "Bo Brudt"
    db.session.commit()
    post_confirmed(staff_client, f"/meetings/{meeting.id}/send")
    assert [row.to_address for row in outbox(db)] == ["gitte@godt.example", "bo@brudt.example"]


def test_an_address_that_is_not_one_is_skipped_and_named(staff_client, db, two_companies):
    good, bad = two_companies
    bad.contacts[0].name, bad.contacts[0].email = "Bo Brudt", "ikke en adresse"
    db.session.commit()
    meeting = a_meeting(db)
    page = post_confirmed(staff_client, f"/meetings/{meeting.id}/invite", {"source": "all"}, follow_redirects=True)
    assert_named(page, recipient="Bo Brudt <ikke en adresse>", reason="e-mailadressen er ikke én gyldig adresse")
    assert [row.to_address for row in outbox(db)] == ["gitte@godt.example"]


def test_an_update_and_the_cancellation_skip_the_bad_contact(staff_client, db, two_companies):
    good, bad = two_companies
    meeting = a_meeting(db)
    bad.contacts[0].name = "Bo Brudt"
    db.session.commit()
    invitations.invite(meeting, [good, bad])
    invitations.send_invitations(meeting)
    db.session.commit()
    bad.contacts[0].name = BAD_NAME
    services.update_meeting(meeting, {"place": "Hammerholmen 1"})
    db.session.commit()
    page = post_confirmed(staff_client, f"/meetings/{meeting.id}/send", follow_redirects=True)
    assert_named(page)
    assert [row.to_address for row in outbox(db, "Ændret")] == ["gitte@godt.example"]
    page = post_confirmed(staff_client, f"/meetings/{meeting.id}/cancel", follow_redirects=True)
    assert_named(page)
    assert [row.to_address for row in outbox(db, "Aflyst")] == ["gitte@godt.example"]


def test_reminders_skip_the_bad_contact_and_name_it(staff_client, db, two_companies):
    good, bad = two_companies
    meeting = a_meeting(db)
    bad.contacts[0].name = "Bo Brudt"
    db.session.commit()
    invitations.invite(meeting, [good, bad])
    invitations.send_invitations(meeting)
    bad.contacts[0].name = BAD_NAME
    db.session.commit()
    page = post_confirmed(staff_client, f"/meetings/{meeting.id}/remind", follow_redirects=True)
    assert_named(page)
    assert "Påmindelser i udbakken til dem, der ikke har svaret: 1." in unescape(page.get_data(as_text=True))
    assert [row.to_address for row in outbox(db, "Påmindelse")] == ["gitte@godt.example"]
    assert any(text.startswith("Ikke sendt: Påmindelse: Netværksmøde om energi") for text in timeline(db, bad))
    bad_invitation = db.session.scalars(select(Invitation).where(Invitation.company_id == bad.id)).one()
    assert bad_invitation.reminded_at is None, "still to be reminded once the name is corrected"


def test_publishing_the_minutes_skips_the_bad_contact_and_names_it(staff_client, db, two_companies):
    good, bad = two_companies
    meeting = a_meeting(db, days=1)
    invitations.invite(meeting, [good, bad])
    db.session.commit()
    meeting.starts_at = datetime.now(UTC) - timedelta(hours=3)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    db.session.commit()
    page = post_confirmed(staff_client, f"/meetings/{meeting.id}/publish", {"audience": "invited"},
                          follow_redirects=True)
    assert_named(page)
    text = unescape(page.get_data(as_text=True))
    assert "Referatet er offentliggjort og lagt i udbakken til 1 modtagere." in text
    assert [row.to_address for row in outbox(db, "Referat")] == ["gitte@godt.example"]
    assert any(text.startswith("Ikke sendt: Referat: Netværksmøde om energi") for text in timeline(db, bad))
    assert not any(text.startswith("Referat sendt") for text in timeline(db, bad))


def test_many_skipped_contacts_are_named_up_to_ten_and_counted(staff_client, db, make_company):
    meeting = a_meeting(db)
    for number in range(12):
        company = make_company(name=f"Brudt {number:02d} ApS", status="member")
        contact = company_services.add_contact(company, {"name": "Navn", "email": f"n{number}@brudt.example"})
        db.session.flush()
        contact.name = f"Navn\n{number}"
    db.session.commit()
    page = post_confirmed(staff_client, f"/meetings/{meeting.id}/invite", {"source": "all"}, follow_redirects=True)
    text = unescape(page.get_data(as_text=True))
    message = text[text.index("Ikke sendt til"):text.index("Ret kontaktpersonen på virksomhedens side.")]
    assert message.count("ApS") == 10 and message.strip().endswith("og 2 flere.")
    assert outbox(db) == []


def test_other_callers_of_the_batch_still_get_the_refusal_unless_they_ask_to_skip(db):
    from crm.mail.services import BadHeader, OutboxBatch

    mail = {"to_address": "bo@brudt.example", "to_name": BAD_NAME, "subject": "Faktura", "body_text": "Hej"}
    with pytest.raises(BadHeader):
        OutboxBatch().add(**mail)
    batch = OutboxBatch(skip_refused=True)
    assert batch.add(**mail) is False
    assert batch.add(**{**mail, "to_name": "Bo Brudt"}) is True
    assert [(refused.recipient, str(refused.reason)) for refused in batch.refused] == [
        ("Bo Brudt Bcc: x@example.com <bo@brudt.example>", "navnet har et linjeskift")]
    assert len(batch.write()) == 1
