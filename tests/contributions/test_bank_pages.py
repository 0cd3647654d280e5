"""The bank statement pages as staff use them: upload, preview, confirm, choose a CSV layout's columns, confirm a
suggestion, undo a wrong match; the overview's paid figure follows; company users never reach them."""

import io

import pytest
from sqlalchemy import func, select

from crm.contributions.models import Payment
from crm.contributions.statement_models import BankStatement, BankTransaction, TransactionState
from tests.conftest import post
from tests.contributions.test_bank_statements import CAMT, CSV_OTHER
from tests.contributions.test_invoices import billed, page


def upload(client, data, filename):
    return post(client, "/contributions/bank/", {"file": (io.BytesIO(data), filename)},
                content_type="multipart/form-data")


def overview_paid(client):
    text = page(client, "/contributions/?year=2031")
    return text.split("Forfaldent</th></tr></thead> <tbody><tr>")[1].split("</tr>")[0]


def test_staff_load_a_statement_confirm_a_suggestion_and_undo_a_match(staff_client, db, make_company):
    _, invoices = billed(db, make_company, n=5)
    before = overview_paid(staff_client)
    assert "0,00 kr." in before

    response = upload(staff_client, CAMT, "camt053.xml")
    assert response.status_code == 302
    preview = page(staff_client, response.headers["Location"])
    assert ('Registreres som betaling</th><td class="app-number"><strong>3</strong></td>'
            '<td class="app-number">18.250,00 kr.</td>') in preview
    assert 'Uden match</th><td class="app-number"><strong>1</strong></td><td class="app-number">123,45 kr.' in preview
    assert "2031-3 (Bidragyder 2 A/S) 6.250,00 kr." in preview
    assert db.session.scalar(select(func.count(Payment.id))) == 0
    statement = db.session.scalar(select(BankStatement))
    response = post(staff_client, f"/contributions/bank/statements/{statement.id}/confirm", follow_redirects=True)
    assert "3 betalinger registreret" in response.get_data(as_text=True)
    # paid: 3,750 + 2,000 + 12,500 kr.
    assert "18.250,00 kr." in overview_paid(staff_client)
    invoice_page = page(staff_client, f"/contributions/invoices/{invoices[1].id}")
    assert "Bank 21.02.2031: B1 Holding · " in invoice_page and "fra kontoudskriften camt053.xml" in invoice_page

    # a layout never seen: the columns are chosen, then a suggestion by amount and name is confirmed
    response = upload(staff_client, CSV_OTHER, "bank2.csv")
    assert "/columns" in response.headers["Location"]
    mapping_page = page(staff_client, response.headers["Location"])
    assert "Valør" in mapping_page and "Besked" in mapping_page
    response = post(staff_client, response.headers["Location"], {"date": "0", "text": "1", "amount": "2",
                                                                   "payer": "3", "reference": ""})
    assert response.status_code == 302
    preview = page(staff_client, response.headers["Location"])
    assert "2031-5 (Bidragyder 4 A/S)?" in preview
    statement = db.session.scalars(select(BankStatement).order_by(BankStatement.id.desc())).first()
    post(staff_client, f"/contributions/bank/statements/{statement.id}/confirm")
    listing = page(staff_client, "/contributions/bank/")
    assert "Forslag: faktura 2031-5, Bidragyder 4 A/S" in listing
    suggestion = db.session.scalar(select(BankTransaction).where(BankTransaction.state == TransactionState.SUGGESTED))
    response = post(staff_client, f"/contributions/bank/transactions/{suggestion.id}/assign", {"invoice": "2031-5"},
                    follow_redirects=True)
    assert "Betalingen er registreret på faktura 2031-5" in response.get_data(as_text=True)
    assert "24.500,00 kr." in overview_paid(staff_client)

    response = post(staff_client, f"/contributions/bank/transactions/{suggestion.id}/undo", follow_redirects=True)
    assert "posteringen står igen blandt dem uden match" in response.get_data(as_text=True)
    assert "18.250,00 kr." in overview_paid(staff_client)
    db.session.expire_all()
    assert invoices[4].paid_ore == 0


def test_a_hostile_or_wrong_file_is_refused_with_a_danish_message(staff_client, db):
    response = upload(staff_client, b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "x.xml")
    assert response.status_code == 422 and "DOCTYPE" in response.get_data(as_text=True)
    response = upload(staff_client, b"%PDF-1.4 not a statement", "x.pdf")
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(BankStatement.id))) == 0


def test_an_unknown_invoice_number_is_refused(staff_client, db, make_company):
    billed(db, make_company, n=1)
    post(staff_client, f"/contributions/bank/statements/{_loaded(staff_client, db)}/confirm")
    unknown = db.session.scalar(select(BankTransaction).where(BankTransaction.state == TransactionState.UNMATCHED))
    response = post(staff_client, f"/contributions/bank/transactions/{unknown.id}/assign", {"invoice": "2031-99"},
                    follow_redirects=True)
    assert "Der er ingen faktura med nummeret 2031-99" in response.get_data(as_text=True)
    assert unknown.state == TransactionState.UNMATCHED


def _loaded(client, db):
    upload(client, CAMT, "camt.xml")
    return db.session.scalar(select(BankStatement.id))


@pytest.mark.parametrize("url", ["/contributions/bank/", "/contributions/bank/statements/1"])
def test_company_users_never_reach_the_bank_pages(company_client, url):
    assert company_client.get(url).status_code in (403, 404)
