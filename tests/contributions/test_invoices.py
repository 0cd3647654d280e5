"""Invoices after billing: the PDF and what it must carry, the mail that attaches it when sent, payments, credit
notes, waivers, reminders, the year's overview and finance export, and who may see all of it.

Amounts are worked out by hand: 2,000 kr. base + the employee tier (1,000 kr. under 10, 3,000 kr. from 10 to 50),
net rounded once to whole kroner, 25 % VAT on top.
"""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from crm.audit.models import AuditEntry
from crm.companies import services as company_services
from crm.companies.models import Activity
from crm.contributions import billing, invoices, payments, reminders
from crm.contributions.models import Contribution, ContributionState, InvoiceSequence, Payment
from crm.mail.messages import Undeliverable, build_message
from crm.mail.models import OutboundEmail
from tests.confirming import post_confirmed
from tests.conftest import post
from tests.contributions.helpers import YEAR, a_scheme, members

ISSUER = {"INVOICE_ISSUER_NAME": "Holme Netværket", "INVOICE_ISSUER_CVR": "29188548",
          "INVOICE_ISSUER_ADDRESS": "Kirkebjerg Allé 12, 2605 Brøndby",
          "INVOICE_PAYMENT_DETAILS": "Reg.nr. 9876 kontonr. 0004433221"}


def pdf_text(data):
    """The text of a PDF, whitespace collapsed to single spaces (lines break where the layout puts them)."""
    assert data.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def rows(db):
    return db.session.scalars(select(Contribution).order_by(Contribution.invoice_number)).all()


def billed(db, make_company, n=2, today=date(YEAR, 2, 1)):
    """n members billed (5, 15, 25 ... employees): invoice 1 is 3,000 + 750 VAT = 3,750 kr., the next 6,250 kr."""
    companies = members(db, make_company, n=n)
    a_scheme(db)
    billing.bill(YEAR, today=today)
    db.session.commit()
    return companies, rows(db)


def mails(db, prefix=""):
    return [mail for mail in db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id))
            if mail.subject.startswith(prefix)]


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(response.get_data(as_text=True).split())


def pay(client, contribution, amount, paid_on="2031-02-10", reference=""):
    """Register a payment through the invoice page; the page shown after it, whitespace collapsed."""
    response = post(client, f"/contributions/invoices/{contribution.id}/payments",
                    {"amount": amount, "paid_on": paid_on, "reference": reference}, follow_redirects=True)
    assert response.status_code == 200
    return " ".join(response.get_data(as_text=True).split())


def payment_audits(db, contribution):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == "contributions.payment",
                                                       AuditEntry.object_id == contribution.id)
                              .order_by(AuditEntry.id)).all()


# The PDF ---------------------------------------------------------------------------------------------------------

@pytest.fixture
def issuer(app, monkeypatch):
    for key, value in ISSUER.items():
        monkeypatch.setitem(app.config, key, value)
    return ISSUER


def test_the_invoice_pdf_carries_what_a_danish_invoice_must(app, db, make_company, issuer):
    members(db, make_company, n=1)  # "Bidragyder 0 A/S" sorts first: invoice 1
    buyer = make_company(name="Brøndby Emballage ApS", status="member", employees=5, street="Industrivej 7",
                         postal_code="2605", city="Brøndby")
    company_services.add_contact(buyer, {"name": "Karen", "email": "karen@emballage.example", "is_primary": True})
    db.session.commit()
    a_scheme(db)
    billing.bill(YEAR, today=date(YEAR, 2, 1))
    db.session.commit()
    contribution = db.session.scalar(select(Contribution).where(Contribution.company_id == buyer.id))
    assert contribution.invoice_number == 2

    text = pdf_text(invoices.invoice_pdf(contribution))
    assert text.startswith("Faktura ")
    assert "Fakturanummer 2031-2" in text and "2031-1" not in text
    assert "Dato 01.02.2031" in text and "Forfaldsdato 03.03.2031" in text
    assert "Holme Netværket" in text and "Kirkebjerg Allé 12, 2605 Brøndby" in text
    assert "CVR-nr. 29188548" in text
    assert "Brøndby Emballage ApS Industrivej 7 2605 Brøndby" in text
    assert f"CVR-nr. {buyer.cvr}" in text
    # what is billed and how it came about
    assert "Bidrag til erhvervsnetværket på Avedøre Holme 2031" in text
    assert "Grundbidrag 2.000,00 kr." in text and "1.000,00 kr." in text
    # 2,000 + 1,000 kr. = 3,000 kr. net, 750 kr. VAT, 3,750 kr. in all
    assert "3.000,00 kr. Moms 25 % 750,00 kr. I alt 3.750,00 kr." in text
    assert "Reg.nr. 9876 kontonr. 0004433221" in text and "Angiv fakturanummer 2031-2 ved betaling" in text
    assert "Kreditnota" not in text


def test_staff_download_the_same_invoice_pdf_as_an_attachment(staff_client, db, make_company, issuer):
    _, (first, second) = billed(db, make_company, n=2)
    response = staff_client.get(f"/contributions/invoices/{second.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "faktura-2031-2.pdf" in disposition
    text = pdf_text(response.data)
    # 15 employees: 2,000 + 3,000 kr. = 5,000 kr. net, 1,250 kr. VAT
    assert "Fakturanummer 2031-2" in text and "Bidragyder 1 A/S" in text and "Bidragyder 0" not in text
    assert "5.000,00 kr. Moms 25 % 1.250,00 kr. I alt 6.250,00 kr." in text
    assert "CVR-nr. 29188548" in text and "Reg.nr. 9876 kontonr. 0004433221" in text
    assert "Fakturanummer 2031-1" in pdf_text(staff_client.get(f"/contributions/invoices/{first.id}.pdf").data)


def test_a_credit_note_pdf_has_its_own_number_and_names_the_invoice_it_credits(staff_client, db, make_company,
                                                                                issuer):
    _, (first, _second) = billed(db, make_company, n=2)
    assert staff_client.get(f"/contributions/invoices/{first.id}/credit-note.pdf").status_code == 302, \
        "no credit note before the invoice is credited"
    payments.credit(first, "Forkert antal ansatte", today=date(YEAR, 3, 10))
    db.session.commit()
    assert first.credit_number == 3

    text = pdf_text(invoices.invoice_pdf(first, credit_note=True))
    assert text.startswith("Kreditnota ")
    assert "Kreditnotanummer 2031-3" in text and "Dato 10.03.2031" in text
    assert "Krediterer faktura 2031-1 af 01.02.2031" in text
    assert "-3.000,00 kr. Moms 25 % -750,00 kr. I alt -3.750,00 kr." in text
    assert "CVR-nr. 29188548" in text and "Bidragyder 0 A/S" in text

    response = staff_client.get(f"/contributions/invoices/{first.id}/credit-note.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "kreditnota-2031-3.pdf" in response.headers["Content-Disposition"]
    assert "Kreditnotanummer 2031-3" in pdf_text(response.data)


# The mail ---------------------------------------------------------------------------------------------------------

def test_the_invoice_mail_gets_its_pdf_when_the_worker_builds_it(app, db, make_company):
    _, (contribution,) = billed(db, make_company, n=1)
    (mail,) = mails(db, "Faktura")
    assert mail.subject == "Faktura 2031-1: bidrag til netværket 2031"
    assert mail.to_address == "bogholder0@bidrag0.example"
    (attachment,) = mail.attachments
    assert attachment.data is None and attachment.generator == "invoice_pdf"
    assert attachment.generator_id == contribution.id

    message = build_message(mail)
    (part,) = list(message.iter_attachments())
    assert part.get_content_type() == "application/pdf" and part.get_filename() == "faktura-2031-1.pdf"
    data = part.get_content()
    assert data.startswith(b"%PDF")
    assert "Fakturanummer 2031-1" in pdf_text(data) and "I alt 3.750,00 kr." in pdf_text(data)


def test_a_mail_whose_invoice_is_gone_is_undeliverable_not_sent_with_an_empty_file(app, db, make_company):
    _, (contribution,) = billed(db, make_company, n=1)
    (mail,) = mails(db, "Faktura")
    db.session.delete(contribution)
    db.session.commit()
    with pytest.raises(Undeliverable, match="faktura-2031-1.pdf"):
        build_message(mail)


def test_the_credit_note_mail_attaches_the_credit_note(app, db, make_company):
    _, (contribution,) = billed(db, make_company, n=1)
    payments.credit(contribution, "Fejl", today=date(YEAR, 3, 10))
    db.session.commit()
    (mail,) = mails(db, "Kreditnota")
    assert mail.subject == "Kreditnota 2031-2 for faktura 2031-1"
    assert mail.attachments[0].data is None and mail.attachments[0].generator == "credit_note_pdf"
    (part,) = list(build_message(mail).iter_attachments())
    assert part.get_filename() == "kreditnota-2031-2.pdf"
    assert "Kreditnotanummer 2031-2" in pdf_text(part.get_content())


# One invoice number, written one way ------------------------------------------------------------------------------

def test_the_invoice_and_credit_note_numbers_read_the_same_everywhere(admin_client, company_client, db, issuer):
    company = company_client.user.company
    company.name, company.status, company.employees = "Portalfirma ApS", "member", 5
    company_services.add_contact(company, {"name": "Bogholder", "email": "bog@portal.example", "is_primary": True})
    db.session.commit()
    a_scheme(db)
    billing.bill(YEAR, today=date.today())
    db.session.commit()
    (contribution,) = rows(db)
    assert contribution.invoice_label == "2031-1"

    (mail,) = mails(db, "Faktura")
    assert mail.subject == "Faktura 2031-1: bidrag til netværket 2031"
    assert "faktura 2031-1" in mail.body_text and "faktura 2031-1" in mail.body_html
    assert mail.attachments[0].filename == "faktura-2031-1.pdf"
    pdf = pdf_text(admin_client.get(f"/contributions/invoices/{contribution.id}.pdf").data)
    assert "Fakturanummer 2031-1" in pdf and "Angiv fakturanummer 2031-1 ved betaling" in pdf
    assert pdf_text(company_client.get(f"/portal/invoices/{contribution.id}.pdf").data) == pdf
    timeline = db.session.scalars(select(Activity.text).where(Activity.company_id == company.id,
                                                              Activity.object_type == "contributions")).all()
    assert timeline == ["Faktura 2031-1: bidrag til netværket 2031"]
    assert "Faktura 2031-1: bidrag til netværket 2031" in page(admin_client, f"/companies/{company.id}")
    assert ">2031-1</a>" in page(admin_client, f"/companies/{company.id}")  # the contributions panel
    assert "<h1>Faktura 2031-1</h1>" in page(admin_client, f"/contributions/invoices/{contribution.id}")
    assert ">2031-1</a>" in page(admin_client, f"/contributions/?year={YEAR}")
    assert "<td>2031-1</td>" in page(company_client, "/portal/invoices")
    assert "<td>2031-1</td>" in page(company_client, "/portal/")
    finance = admin_client.get(f"/contributions/export?year={YEAR}&format=csv").data.decode("utf-8-sig")
    assert finance.splitlines()[1].startswith("invoice;2031;2031-1;")

    response = post(admin_client, f"/contributions/invoices/{contribution.id}/credit", {"reason": "Fejl"},
                    follow_redirects=True)
    assert "Fakturaen er krediteret med kreditnota 2031-2." in response.get_data(as_text=True)
    (credit_mail,) = mails(db, "Kreditnota")
    assert credit_mail.subject == "Kreditnota 2031-2 for faktura 2031-1"
    assert "Faktura 2031-1 er annulleret" in credit_mail.body_text
    assert credit_mail.attachments[0].filename == "kreditnota-2031-2.pdf"
    credit_pdf = pdf_text(admin_client.get(f"/contributions/invoices/{contribution.id}/credit-note.pdf").data)
    assert "Kreditnotanummer 2031-2" in credit_pdf and "Krediterer faktura 2031-1" in credit_pdf
    assert "Kreditnota 2031-2 for faktura 2031-1" in page(admin_client, f"/companies/{company.id}")
    assert "2031-2 · " in page(admin_client, f"/contributions/invoices/{contribution.id}")
    assert "Kreditnota<span class=\"sr-only\"> 2031-2</span>" in page(company_client, "/portal/invoices")
    finance = admin_client.get(f"/contributions/export?year={YEAR}&format=csv").data.decode("utf-8-sig")
    assert "credit_note;2031;2031-2;" in finance and ";2031-1;" in finance.splitlines()[-1]


# Payments ---------------------------------------------------------------------------------------------------------

def test_a_partial_payment_then_the_rest_makes_the_invoice_paid(staff_client, db, make_company):
    _, (contribution,) = billed(db, make_company, n=1, today=date.today())  # due in 30 days: not overdue
    shown = pay(staff_client, contribution, "1.000", reference="Bank 1")
    db.session.refresh(contribution)
    assert (contribution.state, contribution.paid_ore) == (ContributionState.PARTLY_PAID, 100_000)
    assert "Betalingen er registreret." in shown and "Delvist betalt" in shown
    assert "mangler 2.750,00 kr." in shown

    shown = pay(staff_client, contribution, "2.750,00", paid_on="2031-02-20", reference="Bank 2")
    db.session.refresh(contribution)
    assert (contribution.state, contribution.paid_ore, contribution.outstanding_ore) == (ContributionState.PAID,
                                                                                           375_000, 0)
    assert "Betalt" in shown and "Delvist betalt" not in shown and "mangler" not in shown
    assert [(p.amount_ore, p.paid_on, p.reference) for p in contribution.payments] == [
        (100_000, date(2031, 2, 10), "Bank 1"), (275_000, date(2031, 2, 20), "Bank 2")]

    entries = payment_audits(db, contribution)
    assert [entry.changes["amount_ore"] for entry in entries] == [100_000, 275_000]
    assert all(entry.actor_id == staff_client.user.id for entry in entries)
    assert entries[-1].changes["state"] == ["partly_paid", "paid"]


def test_an_over_payment_is_recorded_and_shown(staff_client, db, make_company):
    _, (contribution,) = billed(db, make_company, n=1, today=date.today())
    shown = pay(staff_client, contribution, "4.000")
    db.session.refresh(contribution)
    assert (contribution.state, contribution.paid_ore) == (ContributionState.PAID, 400_000)
    assert contribution.paid_ore > contribution.total_ore == 375_000
    assert "Der er betalt 250,00 kr. for meget" in shown and "Overbetalt med 250,00 kr." in shown
    assert len(payment_audits(db, contribution)) == 1


@pytest.mark.parametrize(("amount", "message"), [
    ("-5", "Beløbet kan ikke være negativt."),
    ("abc", "«abc» er ikke et tal"),
    ("1,234", "Højst to decimaler"),  # 1,234 kr. is not a whole number of øre
    ("0", "Beløbet skal være større end 0."),
    ("", "Skriv et beløb."),
])
def test_a_bad_amount_is_refused_in_danish_and_nothing_is_recorded(staff_client, db, make_company, amount, message):
    _, (contribution,) = billed(db, make_company, n=1, today=date.today())
    shown = pay(staff_client, contribution, amount)
    assert message in shown and "Betalingen er registreret." not in shown
    db.session.refresh(contribution)
    assert (contribution.state, contribution.paid_ore) == (ContributionState.SENT, 0)
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 0
    assert payment_audits(db, contribution) == []


def test_an_amount_beyond_what_the_database_holds_is_refused_not_a_server_error(staff_client, db, make_company):
    _, (contribution,) = billed(db, make_company, n=1, today=date.today())
    response = post(staff_client, f"/contributions/invoices/{contribution.id}/payments",
                    {"amount": "30.000.000", "paid_on": "2031-02-10"})  # 30,000 kr. typed with three zeros too many
    assert response.status_code == 302  # back to the invoice, with the refusal flashed
    shown = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Beløbet er for stort (højst 10.000.000 kr.)." in shown
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 0


@pytest.mark.parametrize(("fields", "message"), [
    ({"amount": "9223372036854775808"}, "Beløbet er for stort"),
    ({"amount": "1²"}, "«1²» er ikke et tal"),
    ({"amount": "100\x01"}, "usynligt styretegn"),
    ({"paid_on": "²"}, "Skriv datoen som åååå-mm-dd"),
    ({"paid_on": "99999-01-01"}, "Skriv datoen som åååå-mm-dd"),
    ({"paid_on": "2031-02-10\x01"}, "Skriv datoen som åååå-mm-dd"),
    ({"reference": "Bank\x01"}, "usynligt styretegn"),
    ({"reference": "Bank\r\nX-Header: 1"}, "usynligt styretegn"),
])
def test_odd_payment_input_is_refused_in_danish_and_nothing_is_recorded(staff_client, db, make_company, fields,
                                                                       message):
    _, (contribution,) = billed(db, make_company, n=1, today=date.today())
    data = {"amount": "100", "paid_on": "2031-02-10", "reference": "", **fields}
    response = post(staff_client, f"/contributions/invoices/{contribution.id}/payments", data,
                    follow_redirects=True)
    assert response.status_code == 200
    shown = " ".join(response.get_data(as_text=True).split())
    assert message in shown and "Betalingen er registreret." not in shown
    assert "\x01" not in shown
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 0


@pytest.mark.parametrize("action", ["credit", "waive"])
@pytest.mark.parametrize("reason", ["Flyttet\x01", "Flyttet\r\nfra området"])
def test_a_reason_with_control_characters_is_refused_and_the_invoice_stays(admin_client, db, make_company, action,
                                                                          reason):
    _, (contribution,) = billed(db, make_company, n=1, today=date.today())
    response = post(admin_client, f"/contributions/invoices/{contribution.id}/{action}", {"reason": reason},
                    follow_redirects=True)
    assert response.status_code == 200
    assert "usynligt styretegn" in response.get_data(as_text=True)
    db.session.refresh(contribution)
    assert contribution.state == ContributionState.SENT


@pytest.mark.parametrize("year", ["²", "9223372036854775808", "2031\x01"])
def test_an_odd_billing_year_is_a_danish_error(admin_client, db, make_company, year):
    members(db, make_company, n=1)
    a_scheme(db)
    response = post(admin_client, "/contributions/billing", {"year": year})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Skriv året som et helt tal mellem 2000 og 2100." in page and "Der er ingen vedtaget ordning" not in page
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == 0


# Credit notes and waivers -----------------------------------------------------------------------------------------

def test_an_admin_credits_an_invoice_with_the_next_number_and_it_takes_no_more_payments(admin_client, db,
                                                                                         make_company):
    _, (first, _second) = billed(db, make_company, n=2, today=date.today())
    response = post(admin_client, f"/contributions/invoices/{first.id}/credit",
                    {"reason": "Virksomheden er flyttet"}, follow_redirects=True)
    assert "Fakturaen er krediteret med kreditnota 2031-3." in response.get_data(as_text=True)
    db.session.refresh(first)
    assert (first.state, first.credit_number, first.note) == (ContributionState.CREDITED, 3,
                                                              "Virksomheden er flyttet")
    assert first.credited_on == date.today() and first.outstanding_ore == 0
    assert db.session.get(InvoiceSequence, YEAR).last_number == 3
    (mail,) = mails(db, "Kreditnota")
    assert mail.subject == "Kreditnota 2031-3 for faktura 2031-1"
    assert mail.to_address == "bogholder0@bidrag0.example"
    credited = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "contributions.credited"))
    assert credited.object_id == first.id and credited.changes["credit_number"] == 3

    shown = pay(admin_client, first, "3.750")
    assert "Fakturaen er krediteret eller fritaget" in shown
    db.session.refresh(first)
    assert first.paid_ore == 0 and first.payments == []

    again = post(admin_client, f"/contributions/invoices/{first.id}/credit", {"reason": "To gange"},
                 follow_redirects=True)
    assert "Fakturaen er krediteret eller fritaget" in again.get_data(as_text=True)
    assert db.session.get(InvoiceSequence, YEAR).last_number == 3, "a refused credit takes no number"

    late = make_company(name="Nytilflytter ApS", status="member", employees=2)
    billing.bill(YEAR, today=date.today())
    db.session.commit()
    assert db.session.scalar(select(Contribution.invoice_number).where(Contribution.company_id == late.id)) == 4


def test_waiving_is_refused_once_something_is_paid(admin_client, db, make_company):
    _, (paid_some, unpaid) = billed(db, make_company, n=2, today=date.today())
    pay(admin_client, paid_some, "500")
    response = post(admin_client, f"/contributions/invoices/{paid_some.id}/waive", {"reason": "Konkurs"},
                    follow_redirects=True)
    assert "Lav en kreditnota i stedet for at fritage" in response.get_data(as_text=True)
    db.session.refresh(paid_some)
    assert (paid_some.state, paid_some.paid_ore) == (ContributionState.PARTLY_PAID, 50_000)

    response = post(admin_client, f"/contributions/invoices/{unpaid.id}/waive", {"reason": "Konkurs"},
                    follow_redirects=True)
    assert "Virksomheden er fritaget for fakturaen." in response.get_data(as_text=True)
    db.session.refresh(unpaid)
    assert (unpaid.state, unpaid.note, unpaid.credit_number) == (ContributionState.WAIVED, "Konkurs", None)
    assert db.session.get(InvoiceSequence, YEAR).last_number == 2, "a waiver takes no number"


def test_staff_may_not_credit_or_waive(staff_client, db, make_company):
    _, (contribution,) = billed(db, make_company, n=1)
    for action in ("credit", "waive"):
        response = post(staff_client, f"/contributions/invoices/{contribution.id}/{action}", {"reason": "Nej"})
        assert response.status_code == 403
    db.session.refresh(contribution)
    assert (contribution.state, contribution.credit_number) == (ContributionState.SENT, None)
    assert db.session.get(InvoiceSequence, YEAR).last_number == 1 and mails(db, "Kreditnota") == []


# Reminders --------------------------------------------------------------------------------------------------------

def reminder_mails(db):
    return len(mails(db, "Påmindelse")), len(mails(db, "Anden påmindelse"))


def test_reminders_come_after_the_schemes_days_each_once(app, db, make_company):
    # billed 1 January: due 31 January; first reminder after 14 more days, second after 28
    _, (open_one, partly, paid, held) = billed(db, make_company, n=4, today=date(YEAR, 1, 1))
    assert open_one.due_date == date(YEAR, 1, 31)
    payments.register_payment(partly, 100_000, date(YEAR, 2, 1))
    payments.register_payment(paid, paid.total_ore, date(YEAR, 2, 1))
    reminders.hold_reminders(held.company, "Betalingsaftale")
    db.session.commit()

    assert reminders.send_reminders(today=date(YEAR, 2, 14)) == {"reminder_1": 0, "reminder_2": 0}
    assert reminder_mails(db) == (0, 0)
    assert reminders.send_reminders(today=date(YEAR, 2, 15)) == {"reminder_1": 2, "reminder_2": 0}
    db.session.commit()
    first = mails(db, "Påmindelse")
    assert {mail.subject for mail in first} == {"Påmindelse: faktura 2031-1 er forfalden",
                                                "Påmindelse: faktura 2031-2 er forfalden"}
    assert all(mail.attachments[0].generator == "invoice_pdf" for mail in first)
    assert reminders.send_reminders(today=date(YEAR, 2, 15)) == {"reminder_1": 0, "reminder_2": 0}
    assert reminders.send_reminders(today=date(YEAR, 2, 28)) == {"reminder_1": 0, "reminder_2": 0}
    assert reminder_mails(db) == (2, 0)

    assert reminders.send_reminders(today=date(YEAR, 3, 1)) == {"reminder_1": 0, "reminder_2": 2}
    db.session.commit()
    assert {mail.subject for mail in mails(db, "Anden påmindelse")} == {
        "Anden påmindelse: faktura 2031-1 er forfalden", "Anden påmindelse: faktura 2031-2 er forfalden"}
    assert reminders.send_reminders(today=date(YEAR, 6, 1)) == {"reminder_1": 0, "reminder_2": 0}
    assert reminder_mails(db) == (2, 2)
    for contribution in (paid, held):
        db.session.refresh(contribution)
        assert contribution.reminder_1_at is None and contribution.reminder_2_at is None


def test_no_second_reminder_without_the_first(app, db, make_company):
    companies, (contribution,) = billed(db, make_company, n=1, today=date(YEAR, 1, 1))
    for contact in companies[0].contacts:  # the invoice went out; now nobody can receive a reminder
        db.session.delete(contact)
    db.session.commit()
    assert reminders.send_reminders(today=date(YEAR, 3, 15)) == {"reminder_1": 0, "reminder_2": 0}
    db.session.commit()
    db.session.refresh(contribution)
    assert contribution.reminder_1_at is None and contribution.reminder_2_at is None, "the first stays due"
    assert reminder_mails(db) == (0, 0)


def test_the_first_run_past_both_limits_sends_only_the_first_reminder(app, db, make_company):
    billed(db, make_company, n=1, today=date(YEAR, 1, 1))
    assert reminders.send_reminders(today=date(YEAR, 3, 15)) == {"reminder_1": 1, "reminder_2": 0}


def test_staff_send_the_due_reminders_from_the_overview(staff_client, db, make_company):
    # billed 50 days ago: due 20 days ago, past the first reminder (14 days), not yet the second (28)
    _, (contribution,) = billed(db, make_company, n=1, today=date.today() - timedelta(days=50))
    response = post_confirmed(staff_client, f"/contributions/reminders?year={YEAR}", follow_redirects=True)
    assert "Påmindelser lagt i udbakken: 1 første, 0 anden." in response.get_data(as_text=True)
    response = post_confirmed(staff_client, f"/contributions/reminders?year={YEAR}", follow_redirects=True)
    assert "Påmindelser lagt i udbakken: 0 første, 0 anden." in response.get_data(as_text=True)
    assert reminder_mails(db) == (1, 0)
    db.session.refresh(contribution)
    assert contribution.reminder_1_at is not None and contribution.reminder_2_at is None
    assert "Forfalden" in page(staff_client, f"/contributions/invoices/{contribution.id}")


# Overview and export ----------------------------------------------------------------------------------------------

@pytest.fixture
def a_year(app, db, make_company):
    """Invoice 1 (3,750 kr.) paid in full, invoice 2 (6,250 kr.) paid 1,000 kr., invoice 3 (6,250 kr.) credited
    with credit note 4."""
    companies, (first, second, third) = billed(db, make_company, n=3)
    payments.register_payment(first, 375_000, date(YEAR, 2, 20), "Bank 1")
    payments.register_payment(second, 100_000, date(YEAR, 2, 25), "Bank 2")
    payments.credit(third, "Fejl", today=date(YEAR, 3, 1))
    db.session.commit()
    return companies


def test_the_overview_shows_billed_paid_and_outstanding(staff_client, db, a_year):
    shown = page(staff_client, f"/contributions/?year={YEAR}")
    # credited invoice 3 counts in none of the sums: 3,750 + 6,250 billed, 3,750 + 1,000 paid, 5,250 outstanding
    overview = re.search(r"<tbody><tr><td>(\d+)</td>(.*?)</tr></tbody>", shown)
    cells = re.findall(r'<td class="app-number">([^<]*)</td>', overview.group(2))
    assert overview.group(1) == "2"
    assert cells[:3] == ["10.000,00 kr.", "4.750,00 kr.", "5.250,00 kr."]
    assert "<td>Betalt</td>" in shown and "<td>Krediteret</td>" in shown


def finance_expected(companies):
    cvr = [company.cvr for company in companies]
    name = [company.name for company in companies]
    return [
        ["type", "year", "number", "date", "due_date", "cvr", "company", "net_kr", "vat_kr", "total_kr",
         "reference", "state"],
        ["invoice", 2031, "2031-1", "2031-02-01", "2031-03-03", cvr[0], name[0], 3000, 750, 3750, "", "paid"],
        ["payment", 2031, "2031-1", "2031-02-20", "", cvr[0], name[0], "", "", 3750, "Bank 1", ""],
        ["invoice", 2031, "2031-2", "2031-02-01", "2031-03-03", cvr[1], name[1], 5000, 1250, 6250, "", "partly_paid"],
        ["payment", 2031, "2031-2", "2031-02-25", "", cvr[1], name[1], "", "", 1000, "Bank 2", ""],
        ["invoice", 2031, "2031-3", "2031-02-01", "2031-03-03", cvr[2], name[2], 5000, 1250, 6250, "", "credited"],
        ["credit_note", 2031, "2031-4", "2031-03-01", "", cvr[2], name[2], -5000, -1250, -6250, "2031-3", ""],
    ]


def test_the_finance_csv_has_a_line_per_invoice_credit_note_and_payment(staff_client, db, a_year):
    response = staff_client.get(f"/contributions/export?year={YEAR}&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    as_text = [[f"{value}.00" if isinstance(value, int) and index >= 7 else str(value)
                for index, value in enumerate(row)] for row in finance_expected(a_year)]
    assert lines == as_text
    assert lines[1][7:10] == ["3000.00", "750.00", "3750.00"]


def test_the_finance_xlsx_has_the_same_rows_with_numbers(staff_client, db, a_year):
    response = staff_client.get(f"/contributions/export?year={YEAR}&format=xlsx")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.data)).active
    got = [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]
    assert got == finance_expected(a_year)
    assert isinstance(got[1][9], int | float) and isinstance(got[1][5], str), "amounts as numbers, the CVR as text"


# Who sees what ----------------------------------------------------------------------------------------------------

def test_the_company_page_lists_its_invoice_and_state(staff_client, db, make_company):
    (company, other), (mine, _theirs) = billed(db, make_company, n=2, today=date.today())
    payments.register_payment(mine, 100_000, date.today())
    db.session.commit()
    shown = page(staff_client, f"/companies/{company.id}")
    assert f'/contributions/invoices/{mine.id}">2031-1</a>' in shown
    assert "3.750,00 kr." in shown and "1.000,00 kr." in shown and "Delvist betalt" in shown
    assert "2031-2" not in shown
    assert "2031-2" in page(staff_client, f"/companies/{other.id}")


def test_company_users_reach_no_invoice_not_even_their_own(company_client, db, make_company):
    own = company_client.user.company
    own.status, own.employees = "member", 5
    company_services.add_contact(own, {"name": "Ejer", "email": "ejer@egen.example", "is_primary": True})
    db.session.commit()
    _, contributions = billed(db, make_company, n=1)
    mine = next(c for c in contributions if c.company_id == own.id)
    theirs = next(c for c in contributions if c.company_id != own.id)
    payments.credit(theirs, "Fejl")
    db.session.commit()
    for contribution in (mine, theirs):
        for url in (f"/contributions/invoices/{contribution.id}", f"/contributions/invoices/{contribution.id}.pdf",
                    f"/contributions/invoices/{contribution.id}/credit-note.pdf"):
            assert company_client.get(url).status_code == 403, url
        response = post(company_client, f"/contributions/invoices/{contribution.id}/payments",
                        {"amount": "100", "paid_on": "2031-02-10"})
        assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 0
    assert company_client.get(f"/contributions/export?year={YEAR}&format=csv").status_code == 403
