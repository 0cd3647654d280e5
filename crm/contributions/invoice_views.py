"""One invoice: its PDF, payments, credit note, waiver and sending a draft."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm.contributions import billing, invoices, payments, reminders, reporting
from crm.contributions.blueprint import bp
from crm.contributions.forms import PaymentForm, ReasonForm
from crm.contributions.models import Contribution
from crm.downloads import as_download
from crm.extensions import db
from crm.forms import errors_text
from crm.i18n import kroner
from crm.security import STAFF_ROLES, Role, roles_required

REFUSALS = {
    "closed": _l("Fakturaen er krediteret eller fritaget; der kan ikke registreres mere på den."),
    "paid": _l("Der er betalt på fakturaen. Lav en kreditnota i stedet for at fritage."),
    "amount": _l("Beløbet skal være større end 0."),
}


@bp.app_context_processor
def _payment_helpers():
    # The PDF, the mails, the staff page and the portal write the FI payment line the same way.
    return {"fi_line": invoices.fi_line}


def _back(contribution):
    return redirect(url_for("contributions.show_invoice", contribution_id=contribution.id))


@bp.get("/invoices/<int:contribution_id>")
@roles_required(*STAFF_ROLES)
def show_invoice(contribution_id):
    contribution = db.get_or_404(Contribution, contribution_id)
    delivery = reporting.deliveries([contribution])[contribution.id]
    return render_template("contributions/invoice.html", contribution=contribution, delivery=delivery,
                           payment_form=PaymentForm(),
                           reason_form=ReasonForm(), is_admin=current_user.role == Role.ADMIN,
                           hold=reminders.reminder_hold(contribution.company_id))


@bp.get("/invoices/<int:contribution_id>.pdf")
@roles_required(*STAFF_ROLES)
def invoice_pdf(contribution_id):
    contribution = db.get_or_404(Contribution, contribution_id)
    return as_download(invoices.invoice_pdf(contribution), "application/pdf",
                       f"faktura-{contribution.invoice_label}.pdf")


@bp.get("/invoices/<int:contribution_id>/credit-note.pdf")
@roles_required(*STAFF_ROLES)
def credit_note_pdf(contribution_id):
    contribution = db.get_or_404(Contribution, contribution_id)
    if not contribution.credit_number:
        return _back(contribution)
    return as_download(invoices.invoice_pdf(contribution, credit_note=True), "application/pdf",
                       f"kreditnota-{contribution.credit_label}.pdf")


@bp.post("/invoices/<int:contribution_id>/payments")
@roles_required(*STAFF_ROLES)
def add_payment(contribution_id):
    contribution = db.get_or_404(Contribution, contribution_id)
    form = PaymentForm()
    if not form.validate_on_submit():
        flash(errors_text(form), "error")
        return _back(contribution)
    try:
        over = payments.register_payment(contribution, form.amount.ore, form.paid_on.data,
                                         (form.reference.data or "").strip(), by=current_user)
    except payments.PaymentRefused as refused:
        db.session.rollback()
        flash(str(REFUSALS[str(refused)]), "error")
        return _back(contribution)
    db.session.commit()
    flash(_("Betalingen er registreret."), "success")
    if over:
        flash(_("Der er betalt %(amount)s for meget. Beløbet står som overbetaling på fakturaen.",
                amount=kroner(over)), "warning")
    return _back(contribution)


@bp.post("/invoices/<int:contribution_id>/credit")
@roles_required(Role.ADMIN)
def credit(contribution_id):
    return _close(contribution_id, payments.credit,
                  lambda number: _("Fakturaen er krediteret med kreditnota %(number)s.", number=number))


@bp.post("/invoices/<int:contribution_id>/waive")
@roles_required(Role.ADMIN)
def waive(contribution_id):
    return _close(contribution_id, payments.waive, lambda number: _("Virksomheden er fritaget for fakturaen."))


def _close(contribution_id, action, message):
    contribution = db.get_or_404(Contribution, contribution_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(errors_text(form), "error")
        return _back(contribution)
    try:
        action(contribution, form.reason.data.strip(), by=current_user)
    except payments.PaymentRefused as refused:
        db.session.rollback()
        flash(str(REFUSALS[str(refused)]), "error")
        return _back(contribution)
    except billing.BillingRefused:
        db.session.rollback()
        flash(_("Nummerserien er optaget af en faktureringskørsel. Prøv igen om lidt."), "error")
        return _back(contribution)
    db.session.commit()
    flash(message(contribution.credit_label), "success")
    return _back(contribution)


@bp.post("/invoices/<int:contribution_id>/send")
@roles_required(*STAFF_ROLES)
def send_invoice(contribution_id):
    contribution = db.get_or_404(Contribution, contribution_id)
    try:
        sent = billing.send_invoice(contribution, by=current_user)
    except billing.RecipientRefused as refused:
        db.session.commit()  # the note on the company's timeline
        flash(_("Fakturaen kan ikke sendes til %(contact)s (%(company)s): navnet eller e-mailadressen kan ikke stå "
                "i en e-mail (fx et linjeskift). Ret kontaktpersonen, og prøv igen.",
                contact=refused.skipped.contact, company=refused.skipped.company), "error")
        return _back(contribution)
    if sent:
        db.session.commit()
        flash(_("Fakturaen er lagt i udbakken."), "success")
    else:
        flash(_("Fakturaen kan ikke sendes: den er ikke en kladde, eller virksomheden har ingen kontaktperson "
                "med e-mail."), "error")
    return _back(contribution)
