"""The company's invoices in the portal: its own contributions with state and PDF, never another company's."""

import io
import json
import zipfile
from datetime import date, timedelta

from pypdf import PdfReader
from sqlalchemy import select

from crm.contributions import billing, payments
from crm.contributions.models import Contribution
from tests.contributions.helpers import YEAR, a_scheme
from tests.portal.conftest import refusals


def bill_both(db, world):
    """Our company and the other one billed (3,000 kr. + VAT each: 2,000 base + 1,000 for under 10 employees)."""
    for company in (world.ours, world.other):
        company.status, company.employees = "member", 4
    a_scheme(db)
    billing.bill(YEAR, today=date.today() - timedelta(days=10))
    db.session.commit()
    rows = db.session.scalars(select(Contribution).order_by(Contribution.invoice_number)).all()
    return {row.company_id: row for row in rows}


def test_the_portal_lists_our_invoices_with_state_and_pdf(world, db):
    invoices = bill_both(db, world)
    ours, other = invoices[world.ours.id], invoices[world.other.id]
    payments.register_payment(ours, 100_000, date.today(), "bank")
    db.session.commit()
    page = world.client.get("/portal/invoices").get_data(as_text=True)
    assert f"{YEAR}-{ours.invoice_number}" in page and "3.750,00 kr." in page and "Delvist betalt" in page
    assert f"{YEAR}-{other.invoice_number}<" not in page and "Naboens Stål" not in page
    home = world.client.get("/portal/").get_data(as_text=True)
    assert f"{YEAR}-{ours.invoice_number}" in home, "an invoice to pay is on the home page"

    response = world.client.get(f"/portal/invoices/{ours.id}.pdf")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment;")
    text = " ".join(PdfReader(io.BytesIO(response.data)).pages[0].extract_text().split())
    assert world.ours.name in text and f"{YEAR}-{ours.invoice_number}" in text


def test_another_companys_invoice_is_refused_and_audited(world, db):
    other = bill_both(db, world)[world.other.id]
    before = refusals(db)
    for url in (f"/portal/invoices/{other.id}.pdf", f"/portal/invoices/{other.id}/credit-note.pdf"):
        response = world.client.get(url)
        assert response.status_code == 404 and not response.data.startswith(b"%PDF")
    assert refusals(db) == before + 2
    assert world.client.get("/portal/invoices/999999.pdf").status_code == 404
    assert refusals(db) == before + 2, "an id that does not exist is a plain 404"


def test_a_credit_note_is_ours_to_download_and_a_missing_one_is_404(world, db):
    ours = bill_both(db, world)[world.ours.id]
    assert world.client.get(f"/portal/invoices/{ours.id}/credit-note.pdf").status_code == 404
    payments.credit(ours, "Fejl i antal ansatte")
    db.session.commit()
    response = world.client.get(f"/portal/invoices/{ours.id}/credit-note.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert "Krediteret" in world.client.get("/portal/invoices").get_data(as_text=True)


def test_our_data_has_our_invoices_and_payments_only(world, db):
    ours = bill_both(db, world)[world.ours.id]
    payments.register_payment(ours, 50_000, date.today(), "MobilePay 42")
    db.session.commit()
    archive = zipfile.ZipFile(io.BytesIO(world.client.get("/portal/company/data.zip").data))
    invoices = json.loads(archive.read("invoices.json"))
    assert [(row["invoice"], row["net_ore"], row["paid_ore"]) for row in invoices] == [
        (f"{ours.year}-{ours.invoice_number}", 300_000, 50_000)]
    assert [row["reference"] for row in json.loads(archive.read("payments.json"))] == ["MobilePay 42"]
    assert "invoices.csv" in archive.namelist()
