"""The contributions' part of what happens to a company elsewhere: the company page's panel, a merge (refused
where two invoices of one year would meet), an erasure and the data ZIP."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.contributions import reminders, reporting
from crm.contributions.forms import ADJUSTMENT_LABELS, STATE_LABELS
from crm.contributions.models import Contribution, ContributionAdjustment, ContributionScheme, Payment, ReminderHold
from crm.extensions import db
from crm.merging import repoint
from crm.signals import (
    ExportPart,
    Panel,
    company_export_parts,
    company_merge_conflicts,
    company_merged,
    company_page_panels,
    contact_erased,
    declare,
    handles,
)


@company_page_panels.connect
def _company_panel(company):
    """The company's invoices with where their mails stand, and its reminder hold, on the staff company page."""
    invoices = reporting.company_invoices(company.id)
    return Panel("contributions/_company_panel.html",
                 {"invoices": invoices, "deliveries": reporting.deliveries(invoices),
                  "hold": reminders.reminder_hold(company.id)},
                 order=50)


@company_merge_conflicts.connect
def _two_invoices_or_adjustments(survivor, duplicate):
    """One invoice per company and year, one waiver or discount per company and scheme: two cannot be merged."""
    problems = []
    invoices = db.session.scalars(select(Contribution).where(
        Contribution.company_id.in_((survivor.id, duplicate.id))).order_by(Contribution.year)).all()
    years = {}
    for invoice in invoices:
        years.setdefault(invoice.year, []).append(invoice)
    for year, both in years.items():
        if len(both) > 1:
            problems.append(_("Begge virksomheder har en faktura for %(year)s (%(numbers)s). Kreditér den ene, "
                              "eller læg dem ikke sammen.", year=year,
                              numbers=", ".join(row.invoice_label for row in both)))
    adjusted = db.session.execute(
        select(ContributionScheme.year, ContributionScheme.name, ContributionAdjustment.company_id)
        .join(ContributionScheme).where(ContributionAdjustment.company_id.in_((survivor.id, duplicate.id)))).all()
    schemes = {}
    for year, name, company_id in adjusted:
        schemes.setdefault((year, name), set()).add(company_id)
    for (year, name), companies in sorted(schemes.items()):
        if len(companies) > 1:
            problems.append(_("Begge virksomheder har en rabat eller fritagelse i «%(name)s» (%(year)s). Fjern den "
                              "ene først.", name=name, year=year))
    return problems


@handles(company_merged, "contributions.company_id", "contribution_adjustments.company_id",
         "reminder_holds.company_id")
def _move_contributions(survivor, duplicate):
    """Invoices (with their payments) and adjustments move; a reminder hold of either company holds the survivor."""
    theirs = db.session.get(ReminderHold, duplicate.id)
    if theirs is not None:
        ours = db.session.get(ReminderHold, survivor.id)
        if ours is None:
            db.session.add(ReminderHold(company_id=survivor.id, reason=theirs.reason, created_at=theirs.created_at))
        elif theirs.reason not in ours.reason:
            ours.reason = f"{ours.reason}; {theirs.reason}"[:300]
        db.session.delete(theirs)
        db.session.flush()
    return {"contributions": repoint(Contribution.company_id, duplicate.id, survivor.id),
            "contribution_adjustments": repoint(ContributionAdjustment.company_id, duplicate.id, survivor.id)}


for _column in ("contributions.company_id", "contribution_adjustments.company_id", "reminder_holds.company_id"):
    declare(contact_erased, _column, "invoices, adjustments and holds concern the company, never a person")

INVOICE_COLUMNS = {"invoice": _l("Faktura"), "invoice_date": _l("Fakturadato"), "due_date": _l("Forfald"),
                   "net_ore": _l("Netto (øre)"), "vat_ore": _l("Moms (øre)"), "paid_ore": _l("Betalt (øre)"),
                   "months": _l("Måneder"), "tier": _l("Trin"), "state": _l("Status"), "sent_at": _l("Sendt"),
                   "reminder_1_at": _l("Første påmindelse"), "reminder_2_at": _l("Anden påmindelse"),
                   "credit_number": _l("Kreditnota"), "credited_on": _l("Krediteret")}
PAYMENT_COLUMNS = {"invoice": _l("Faktura"), "paid_on": _l("Betalt den"), "amount_ore": _l("Beløb (øre)"),
                   "reference": _l("Reference"), "created_at": _l("Registreret")}
ADJUSTMENT_COLUMNS = {"year": _l("År"), "scheme": _l("Ordning"), "kind": _l("Art"), "percent": _l("Procent"),
                      "reason": _l("Begrundelse")}
HOLD_COLUMNS = {"reason": _l("Begrundelse"), "created_at": _l("Sat i bero")}


@handles(company_export_parts, "contributions.company_id", "contribution_adjustments.company_id",
         "reminder_holds.company_id")
def _contribution_parts(company):
    """The company's invoices with amounts in øre, its payments, waivers or discounts, and a reminder hold."""
    invoices = db.session.scalars(select(Contribution).where(Contribution.company_id == company.id)
                                  .order_by(Contribution.year, Contribution.invoice_number)).all()
    payments = db.session.scalars(select(Payment).join(Contribution).where(Contribution.company_id == company.id)
                                  .order_by(Payment.paid_on, Payment.id)).all()
    adjustments = db.session.execute(
        select(ContributionScheme.year, ContributionScheme.name, ContributionAdjustment.kind,
               ContributionAdjustment.percent, ContributionAdjustment.reason).join(ContributionScheme)
        .where(ContributionAdjustment.company_id == company.id).order_by(ContributionScheme.year)).all()
    hold = db.session.get(ReminderHold, company.id)
    return [
        ExportPart("invoices", INVOICE_COLUMNS, [
            {"invoice": row.invoice_label, **{key: getattr(row, key) for key in INVOICE_COLUMNS if key != "invoice"}}
            for row in invoices], order=50, values={"state": STATE_LABELS}),
        ExportPart("payments", PAYMENT_COLUMNS, [
            {"invoice": row.contribution.invoice_label,
             **{key: getattr(row, key) for key in PAYMENT_COLUMNS if key != "invoice"}} for row in payments], order=51),
        ExportPart("adjustments", ADJUSTMENT_COLUMNS,
                   [dict(zip(ADJUSTMENT_COLUMNS, row, strict=True)) for row in adjustments], order=52,
                   values={"kind": ADJUSTMENT_LABELS}),
        ExportPart("reminder_hold", HOLD_COLUMNS,
                   [{"reason": hold.reason, "created_at": hold.created_at}] if hold else [], order=53),
    ]
