"""A bank statement of 5,000 transactions matched against a billed year (issue "Payments from the bank").

Target: preview (read the camt.053 file and match every transaction) under 5 s; the confirmation (transactions
saved, payments registered and audited) is timed beside it. Runs on the billing benchmark's database, after its
394 invoices are billed.
"""

from time import perf_counter
from xml.sax.saxutils import escape

TRANSACTIONS = 5_000
TARGET_S = 5.0

HEAD = ('<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
        "<BkToCstmrStmt><Stmt><Id>B</Id><Acct><Id><IBAN>DK5012340012345678</IBAN></Id></Acct>")


def _entry(number, amount_ore, payer, text, reference=""):
    creditor = f"<Strd><CdtrRefInf><Ref>{reference}</Ref></CdtrRefInf></Strd>" if reference else ""
    return (f'<Ntry><Amt Ccy="DKK">{amount_ore // 100}.{amount_ore % 100:02d}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
            f"<BookgDt><Dt>2031-03-01</Dt></BookgDt><AcctSvcrRef>B{number}</AcctSvcrRef><NtryDtls><TxDtls>"
            f"<RltdPties><Dbtr><Nm>{escape(payer)}</Nm></Dbtr></RltdPties><RmtInf><Ustrd>{escape(text)}</Ustrd>"
            f"{creditor}</RmtInf>"
            "</TxDtls></NtryDtls></Ntry>")


def statement(invoices):
    """A camt.053 file: a quarter of the lines by FI id, a quarter by invoice number, a quarter by payer name and
    amount, a quarter unknown."""
    from crm.contributions import fi

    entries = []
    for number in range(TRANSACTIONS):
        invoice = invoices[number % len(invoices)]
        kind = number % 4
        if kind == 0:
            entries.append(_entry(number, invoice.total_ore, "", "FI", fi.payment_id(invoice.year,
                                                                                  invoice.invoice_number)))
        elif kind == 1:
            entries.append(_entry(number, 10_000, "", f"Faktura {invoice.invoice_label}"))
        elif kind == 2:
            entries.append(_entry(number, invoice.total_ore, invoice.company.name, "Kontingent"))
        else:
            entries.append(_entry(number, 12_345 + number, f"Ukendt {number}", "Overførsel"))
    return (HEAD + "".join(entries) + "</Stmt></BkToCstmrStmt></Document>").encode()


def time_statement():
    """(seconds to upload and preview, seconds to confirm, the preview's counts) in the current app context."""
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    from crm.contributions import statements
    from crm.contributions.models import Contribution
    from crm.extensions import db

    invoices = db.session.scalars(select(Contribution).options(joinedload(Contribution.company))
                                  .order_by(Contribution.id)).all()
    data = statement(invoices)
    started = perf_counter()
    uploaded = statements.upload(data, "bench.xml")
    _outcomes, counts = statements.preview(uploaded)
    preview_s = perf_counter() - started
    started = perf_counter()
    statements.confirm(uploaded)
    db.session.commit()
    confirm_s = perf_counter() - started
    return preview_s, confirm_s, {key: value["count"] for key, value in counts.items()}
