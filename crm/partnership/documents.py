"""The agreement as a PDF (WeasyPrint, from the same sanitised HTML the pages show), with what was signed."""

from flask import current_app, render_template
from weasyprint import HTML

from crm.extensions import db
from crm.mail.attachments import attachment_generator
from crm.partnership.models import Signature


def agreement_pdf(agreement, signature=None):
    """The agreement's version as a PDF; with a signature, who signed what for which company, when."""
    html = render_template("partnership/agreement_pdf.html", agreement=agreement, signature=signature)
    return HTML(string=html, base_url=current_app.root_path).write_pdf()


@attachment_generator("partnership_signature_pdf")
def _signature_attachment(signature_id):
    signature = db.session.get(Signature, signature_id)
    return agreement_pdf(signature.agreement, signature) if signature else None
