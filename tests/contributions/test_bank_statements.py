"""Bank statements: camt.053 and two CSV layouts with a payment by FI id, a partial payment, an over-payment, one
with only the invoice number in the text, one for two invoices at once, an unknown payer and a suggestion by
amount and name; loading again adds nothing; undoing a wrong match; hostile XML refused.

Invoices (tests.contributions.test_invoices.billed, 5 members): 2031-1 is 3,750 kr., 2031-2 to 2031-5 6,250 kr.
"""

import codecs
from datetime import date

import pytest
from sqlalchemy import func, select

from crm.audit.models import AuditEntry
from crm.contributions import fi, statement_files, statements
from crm.contributions.models import ContributionState, Payment
from crm.contributions.statement_models import BankTransaction, TransactionState
from tests.contributions.statement_samples import camt, camt_entry
from tests.contributions.test_invoices import billed

CAMT = camt(
    camt_entry("R1", "3750.00", "2031-02-20", payer="Bidragyder 0 A/S", creditor_ref=fi.payment_id(2031, 1)),
    camt_entry("R2", "2000.00", "2031-02-21", payer="B1 Holding", text="Faktura 2031-2 rate 1"),
    camt_entry("R3", "12500.00", "2031-02-22", payer="Bidragyder 2 og 3", text="Fakt. 2031-3 og 2031-4"),
    camt_entry("R4", "123.45", "2031-02-23", payer="Ukendt Firma ApS", text="Gave"),
    camt_entry("R5", "99.00", "2031-02-23", payer="Banken", text="Gebyr", debit=True),
)
# A bank's CSV export in Windows-1252 whose header names its columns
CSV_NAMED = "Dato;Tekst;Beløb;Saldo\r\n24-02-2031;Betaling 2031-2 rest;5.000,00;10.000,00\r\n".encode("cp1252")
# Another bank's layout with headers no alias knows: the columns are chosen once
CSV_OTHER = ("Valør;Besked;Kr.;Fra\n"
             "25.02.2031;Kontingent;6.250,00;Bidragyder 4 A/S\n").encode()
OTHER_MAPPING = {"date": 0, "text": 1, "amount": 2, "payer": 3}


def load(data, filename="kontoudskrift", mapping=None):
    statement = statements.upload(data, filename, mapping=mapping)
    return statements.confirm(statement)


def paid(contributions):
    return [(c.paid_ore, str(c.state)) for c in contributions]


def test_a_camt053_statement_registers_the_right_payments_and_loading_it_again_adds_nothing(db, make_company):
    _, invoices = billed(db, make_company, n=5)
    statement = statements.upload(CAMT, "camt.xml")
    _outcomes, preview = statements.preview(statement)
    assert preview["matched"] == {"count": 3, "ore": 375_000 + 200_000 + 1_250_000}
    assert preview["unmatched"] == {"count": 1, "ore": 12_345}
    assert preview["ignored"] == {"count": 1, "ore": -9_900}
    assert db.session.scalar(select(func.count(Payment.id))) == 0, "the preview saves nothing"

    statements.confirm(statement)
    db.session.commit()
    assert paid(invoices) == [(375_000, "paid"), (200_000, "partly_paid"), (625_000, "paid"), (625_000, "paid"),
                              (0, "sent")]
    fi_payment = invoices[0].payments[0]
    assert fi_payment.transaction.identity == "camt:DK5012340012345678:R1:1"
    assert fi_payment.transaction.reason == "FI-betalings-id"
    unknown = db.session.scalar(select(BankTransaction).where(BankTransaction.payer == "Ukendt Firma ApS"))
    assert unknown.state == TransactionState.UNMATCHED and "ingen åben faktura" in unknown.reason

    assert load(CAMT)["known"]["count"] == 5
    db.session.commit()
    assert db.session.scalar(select(func.count(Payment.id))) == 4
    assert paid(invoices)[1] == (200_000, "partly_paid")


def test_two_csv_layouts_an_over_payment_a_suggestion_and_a_remembered_mapping(db, make_company):
    _, invoices = billed(db, make_company, n=5)
    load(CAMT)
    result = load(CSV_NAMED)
    db.session.commit()
    assert result["matched"]["count"] == 1
    assert invoices[1].paid_ore == 700_000 and invoices[1].state == ContributionState.PAID
    assert invoices[1].outstanding_ore == -75_000, "over-paid by 750 kr."

    with pytest.raises(statements.MappingNeeded) as needed:
        statements.upload(CSV_OTHER, "andet.csv")
    assert needed.value.headers == ["Valør", "Besked", "Kr.", "Fra"]
    statements.choose_mapping(needed.value.statement, OTHER_MAPPING)
    result = statements.confirm(needed.value.statement)
    db.session.commit()
    assert result["suggested"] == {"count": 1, "ore": 625_000}
    suggestion = db.session.scalar(select(BankTransaction).where(BankTransaction.state == TransactionState.SUGGESTED))
    assert suggestion.suggested_id == invoices[4].id and suggestion.booked_on == date(2031, 2, 25)
    assert invoices[4].paid_ore == 0, "a suggestion waits for staff"

    statements.assign(suggestion, invoices[4])
    db.session.commit()
    assert paid(invoices[4:]) == [(625_000, "paid")]
    # the layout is remembered: the same header needs no mapping next time, and the same rows add nothing
    again = statements.upload(CSV_OTHER.replace(b"Kontingent;6.250,00", b"Kontingent 2;10,00"), "andet2.csv")
    assert again.mapping == OTHER_MAPPING
    assert load(CSV_OTHER)["known"]["count"] == 1


def test_undoing_a_wrong_match_removes_the_payment_and_puts_the_transaction_back(db, make_company):
    _, invoices = billed(db, make_company, n=5)
    load(CAMT)
    db.session.commit()
    both = db.session.scalar(select(BankTransaction).where(BankTransaction.identity.like("%:R3:%")))
    statements.undo(both)
    db.session.commit()
    assert paid(invoices[2:4]) == [(0, "sent"), (0, "sent")]
    assert both.state == TransactionState.UNMATCHED and not both.payments
    removed = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "contributions.payment_removed"))
    assert sorted(entry.object_id for entry in removed) == [invoices[2].id, invoices[3].id]
    statements.assign(both, invoices[2])
    db.session.commit()
    assert invoices[2].paid_ore == 1_250_000 and invoices[2].outstanding_ore == -625_000


def test_two_equal_rows_in_one_file_are_two_payments_and_count_once_on_reloading(db, make_company):
    _, invoices = billed(db, make_company, n=2)
    twice = "Dato;Tekst;Beløb\n01-03-2031;2031-2;100,00\n01-03-2031;2031-2;100,00\n".encode()
    assert load(twice)["matched"]["count"] == 2
    assert load(twice)["known"]["count"] == 2
    db.session.commit()
    assert invoices[1].paid_ore == 20_000


@pytest.mark.parametrize("hostile", [
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><Document>&b;</Document>',
    b'<?xml version="1.0"?><!DOCTYPE d SYSTEM "file:///etc/passwd"><Document/>',
    codecs.BOM_UTF16_LE + '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY x SYSTEM '
                          '"http://example.invalid/">]><Document>&x;</Document>'.encode("utf-16-le"),
])
def test_xml_with_a_doctype_or_entities_is_refused_before_it_is_parsed(db, hostile):
    with pytest.raises(statement_files.StatementError, match="DOCTYPE"):
        statements.upload(hostile, "ond.xml")


@pytest.mark.parametrize(("data", "message"), [
    (b"<Document><Nothing/></Document>", "camt.053"),
    (b"<Document><Stmt>", "ikke gyldig XML"),
    ("Dato;Tekst;Beløb\n32-13-2031;x;1,00\n".encode(), "Linje 2"),
    ("Dato;Tekst;Beløb\n01-03-2031;x;1,005\n".encode(), "kroner og øre"),
])
def test_an_unreadable_statement_is_refused_with_a_reason(db, data, message):
    with pytest.raises(statement_files.StatementError, match=message):
        statements.upload(data, "fil")
