"""Billing and invoice reminders ask first: who gets an invoice or a reminder, and the mail; then they run once."""

from datetime import date, timedelta

from sqlalchemy import func, select

from crm.contributions import billing
from crm.contributions.models import Contribution
from crm.mail.models import MassMailing, OutboundEmail
from tests.confirming import confirmation_form, press
from tests.conftest import post
from tests.contributions.helpers import YEAR, a_scheme, members
from tests.mail.test_confirmation import recipients_named, text_of


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_billing_asks_with_the_companies_and_the_invoice_mail_then_bills_once(admin_client, db, make_company):
    good, bad = members(db, make_company, n=2)
    bad.contacts[0].name = "Karen\r\nBcc: alle@example.com"
    db.session.commit()
    a_scheme(db)
    page = post(admin_client, "/contributions/billing", {"year": YEAR})
    shown = text_of(page)
    assert "Mailen går til 1 person i 1 virksomhed." in shown
    assert recipients_named(page) == ["Bidragyder 0 A/S: Bogholder 0 <bogholder0@bidrag0.example>"]
    assert "Bidragyder 1 A/S: Karen Bcc: alle@example.com <bogholder1@bidrag1.example> (navnet har et linjeskift)" \
        in shown
    assert "2 fakturaer, i alt" in shown
    assert "bidrag til erhvervsnetværket på Avedøre Holme for 2031" in shown.split("Sådan ser mailen ud", 1)[1]
    assert count(db, Contribution) == 0 and count(db, OutboundEmail) == 0, "asking bills nobody"

    form = confirmation_form(page)
    first = press(admin_client, form)
    mass = db.session.scalars(select(MassMailing)).one()
    assert first.headers["Location"].endswith(f"/outbox/mailings/{mass.id}")
    assert count(db, Contribution) == 2
    mails = db.session.scalars(select(OutboundEmail)).all()
    assert [(mail.to_address, mail.mass_mailing_id) for mail in mails] == [("bogholder0@bidrag0.example", mass.id)]
    assert (mass.queued, mass.refused) == (1, 1)

    again = press(admin_client, form, follow_redirects=True)
    assert "Udsendelsen er allerede bekræftet" in text_of(again)
    assert count(db, Contribution) == 2 and count(db, OutboundEmail) == 1


def test_invoice_reminders_ask_with_the_due_invoices_then_remind_once(staff_client, db, make_company):
    good, bad, held = members(db, make_company, n=3)
    a_scheme(db)
    billing.bill(YEAR, today=date.today() - timedelta(days=50))  # due 20 days ago: the first reminder is due
    bad.contacts[0].name = "Karen\nBcc: alle@example.com"
    db.session.commit()
    post(staff_client, f"/contributions/holds/{held.id}", {"reason": "Aftalt afdrag"})
    invoices = count(db, OutboundEmail)

    page = post(staff_client, f"/contributions/reminders?year={YEAR}")
    shown = text_of(page)
    assert "Mailen går til 1 person i 1 virksomhed." in shown
    assert recipients_named(page) == ["Bidragyder 0 A/S: Bogholder 0 <bogholder0@bidrag0.example>"]
    assert "Bidragyder 1 A/S: Karen Bcc: alle@example.com" in shown and "Bidragyder 2 A/S" not in shown
    assert "2 første og 0 anden påmindelse." in shown
    assert "Vi har endnu ikke modtaget betaling for faktura" in shown.split("Sådan ser mailen ud", 1)[1]
    assert count(db, OutboundEmail) == invoices, "asking reminds nobody"

    form = confirmation_form(page)
    assert form.action == f"/contributions/reminders?year={YEAR}"
    press(staff_client, form)
    press(staff_client, form)
    reminders = db.session.scalars(select(OutboundEmail).where(OutboundEmail.subject.startswith("Påmindelse"))).all()
    assert [mail.to_address for mail in reminders] == ["bogholder0@bidrag0.example"]
    assert reminders[0].mass_mailing_id == db.session.scalars(select(MassMailing.id)).one()
