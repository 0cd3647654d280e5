"""Invoice and credit-note PDFs, made with WeasyPrint from an HTML template.

What a Danish invoice must carry (momsbekendtgørelsen § 58): the date, a sequential number, the issuer's CVR and
address, the buyer's name and address (and CVR), what is billed, the amount, VAT where it applies, and how to pay.
"""

from flask import current_app, render_template
from weasyprint import HTML

from crm.contributions import fi
from crm.contributions.calculation import VAT_PERCENT
from crm.contributions.models import Contribution
from crm.extensions import db
from crm.mail.attachments import attachment_generator


def invoice_pdf(contribution, credit_note=False):
    html = render_template("contributions/invoice_pdf.html", contribution=contribution, credit_note=credit_note,
                           issuer=_issuer())
    return HTML(string=html, base_url=current_app.root_path).write_pdf()


def _issuer():
    config = current_app.config
    return {"name": config["INVOICE_ISSUER_NAME"], "cvr": config["INVOICE_ISSUER_CVR"],
            "address": config["INVOICE_ISSUER_ADDRESS"], "email": config["INVOICE_ISSUER_EMAIL"],
            "payment": config["INVOICE_PAYMENT_DETAILS"], "vat_percent": VAT_PERCENT}


def fi_line(contribution):
    """The invoice's FI payment line (+71<payment id+creditor number<)."""
    return fi.payment_line(contribution.year, contribution.invoice_number, current_app.config["FI_CREDITOR_NUMBER"])


@attachment_generator("invoice_pdf")
def _invoice_attachment(contribution_id):
    contribution = db.session.get(Contribution, contribution_id)
    return invoice_pdf(contribution) if contribution else None


@attachment_generator("credit_note_pdf")
def _credit_note_attachment(contribution_id):
    contribution = db.session.get(Contribution, contribution_id)
    return invoice_pdf(contribution, credit_note=True) if contribution and contribution.credit_number else None
