"""The company's invoices in the portal: its contributions with state and PDF, and nobody else's."""

from flask import abort, render_template
from flask_login import current_user

from crm.contributions import invoices, reporting
from crm.contributions.models import Contribution
from crm.downloads import as_download
from crm.portal.blueprint import bp
from crm.security import Role, get_for_company_or_404, roles_required


@bp.get("/invoices")
@roles_required(Role.COMPANY)
def invoices_index():
    return render_template("portal/invoices.html", invoices=reporting.company_invoices(current_user.company_id))


@bp.get("/invoices/<int:contribution_id>.pdf")
@roles_required(Role.COMPANY)
def invoice_pdf(contribution_id):
    contribution = get_for_company_or_404(Contribution, contribution_id, Contribution.company_id)
    return as_download(invoices.invoice_pdf(contribution), "application/pdf",
                       f"faktura-{contribution.invoice_label}.pdf")


@bp.get("/invoices/<int:contribution_id>/credit-note.pdf")
@roles_required(Role.COMPANY)
def credit_note_pdf(contribution_id):
    contribution = get_for_company_or_404(Contribution, contribution_id, Contribution.company_id)
    if not contribution.credit_number:
        abort(404)
    return as_download(invoices.invoice_pdf(contribution, credit_note=True), "application/pdf",
                       f"kreditnota-{contribution.credit_label}.pdf")
