"""The FI payment line (+71): the payment id's check digit worked out by hand, reading an id back, and the line on
the invoice PDF, the mail, the staff page and the portal.

Check digits by hand (weights 2, 1, 2, ... from the right; a two-digit product counts as its digit sum):
- 2031-7  -> 2031 0000000007: 7×2=14 -> 5, 1×2=2, 3×1=3, 2×1=2: 12, check 8 -> 203100000000078
- 2026-7  -> 2026 0000000007: 7×2=14 -> 5, 6×2=12 -> 3, 2×1=2, 2×1=2: 12, check 8 -> 202600000000078
- 2031-123 -> 2031 0000000123: 3×2=6, 2×1=2, 1×2=2, 1×2=2, 3×1=3, 2×1=2: 17, check 3 -> 203100000001233
- 2030-5  -> 2030 0000000005: 5×2=10 -> 1, 3×1=3, 2×1=2: 6, check 4 -> 203000000000054
- the published example (Business::DK::FI): 1 -> 000000000000018, and 026840149965328 is valid.
"""

from datetime import date

import pytest
from sqlalchemy import select

from crm.companies import services as company_services
from crm.contributions import billing, fi, invoices
from crm.contributions.models import Contribution
from crm.mail.models import OutboundEmail
from tests.contributions.helpers import YEAR, a_scheme, members
from tests.contributions.test_invoices import pdf_text


@pytest.mark.parametrize(("year", "number", "expected"), [
    (2031, 7, "203100000000078"), (2026, 7, "202600000000078"), (2031, 123, "203100000001233"),
    (2030, 5, "203000000000054"),
])
def test_payment_id_has_the_hand_computed_check_digit(year, number, expected):
    assert fi.payment_id(year, number) == expected
    assert fi.invoice_of(expected) == (year, number)


def test_the_published_example_agrees():
    assert fi.check_digit("00000000000001") == "8"
    assert fi.check_digit("02684014996532") == "8"


@pytest.mark.parametrize("wrong", ["203100000000079", "203100000000087", "20310000000007", "2031000000000780",
                                   "20310000000007x", "", None, "203000000000000"])
def test_a_mistyped_or_malformed_payment_id_names_no_invoice(wrong):
    assert fi.invoice_of(wrong) is None


def test_a_payment_id_is_found_in_a_bank_text_and_a_neighbouring_number_is_not_taken():
    assert fi.find_invoice("FI 71 203100000001233 Brøndby Emballage") == (2031, 123)
    assert fi.find_invoice("konto 1203100000001233 ") is None
    assert fi.find_invoice("faktura 2031-123") is None


def test_the_payment_line_has_type_71_the_id_and_the_creditor_number():
    assert fi.payment_line(2031, 7, "81234567") == "+71<203100000000078+81234567<"
    with pytest.raises(ValueError):
        fi.payment_id(2031, 0)


def test_invoice_pdf_mail_and_pages_carry_the_line_period_and_vat(app, db, make_company, monkeypatch, staff_client):
    monkeypatch.setitem(app.config, "FI_CREDITOR_NUMBER", "87654321")
    members(db, make_company, n=1)
    late = make_company(name="Sen Start ApS", status="member", employees=5, joined_on=date(YEAR, 10, 15))
    company_services.add_contact(late, {"name": "Ole", "email": "ole@senstart.example", "is_primary": True})
    db.session.commit()
    a_scheme(db)
    billing.bill(YEAR, today=date(YEAR, 11, 1))
    db.session.commit()
    contribution = db.session.scalar(select(Contribution).where(Contribution.company_id == late.id))
    assert contribution.invoice_number == 2 and contribution.months == 3
    line = f"+71<{fi.payment_id(YEAR, 2)}+87654321<"

    text = pdf_text(invoices.invoice_pdf(contribution))
    assert line in text
    assert f"Periode 01.10.{YEAR} – 31.12.{YEAR}" in text and "3 af 12 måneder" in text
    # 3 of 12 months of 2,000 + 1,000 kr. = 750 kr. net, 25 % VAT 187.50 kr.
    assert "Beløb uden moms 750,00 kr. Moms 25 % 187,50 kr. I alt 937,50 kr." in text
    assert f"Momsnr. DK{app.config['INVOICE_ISSUER_CVR']}" in text
    assert f"Angiv fakturanummer {YEAR}-2 ved betaling" in text

    mail = db.session.scalar(select(OutboundEmail).where(OutboundEmail.to_address == "ole@senstart.example"))
    assert line in mail.body_text and f"fakturanummer {YEAR}-2 som reference" in mail.body_text

    page = staff_client.get(f"/contributions/invoices/{contribution.id}").get_data(as_text=True)
    assert line.replace("<", "&lt;") in page and f"01.10.{YEAR} – 31.12.{YEAR}" in page
