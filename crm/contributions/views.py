"""The contributions overview, the billing run, reminders and the finance export."""

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.companies.models import Company
from crm.contributions import billing, reminders, reporting, schemes
from crm.contributions.blueprint import bp
from crm.contributions.forms import STATE_LABELS, BillingForm, ReasonForm
from crm.contributions.models import ContributionState
from crm.contributions.notifications import recipient
from crm.downloads import CSV, XLSX, as_download, table_csv, table_xlsx
from crm.extensions import db
from crm.forms import errors_text
from crm.http import whole_number
from crm.i18n import kroner
from crm.mail import confirmation
from crm.mail.confirmation import Audience
from crm.mail.services import queued_for, render_mail
from crm.security import STAFF_ROLES, Role, roles_required


@bp.app_template_global()
def contribution_state_label(state):
    return str(STATE_LABELS[ContributionState(state)])


def _year():
    return request.args.get("year", type=whole_number) or date.today().year


@bp.get("/")
@roles_required(*STAFF_ROLES)
def index():
    year = _year()
    state = request.args.get("state") or None
    if state not in (None, *ContributionState):
        state = None
    page = max(1, request.args.get("page", 1, type=whole_number))
    invoices = reporting.invoices(year, state, page)
    return render_template("contributions/index.html", year=year, state=state, invoices=invoices,
                           deliveries=reporting.deliveries(invoices.items),
                           overview=reporting.overview(year), years=sorted({*reporting.years(), year}, reverse=True),
                           scheme=schemes.active_scheme(year), states=list(ContributionState),
                           is_admin=current_user.role == Role.ADMIN)


@bp.get("/export")
@roles_required(*STAFF_ROLES)
def export():
    year = _year()
    rows = reporting.finance_rows(year)
    if request.args.get("format") == "xlsx":
        data = table_xlsx(reporting.FINANCE_COLUMNS, rows, f"Bidrag {year}", reporting.NUMBER_COLUMNS)
        return as_download(data, XLSX, f"bidrag-{year}.xlsx")
    return as_download(table_csv(reporting.FINANCE_COLUMNS, rows, reporting.NUMBER_COLUMNS), CSV,
                       f"bidrag-{year}.csv")


@bp.route("/billing", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def billing_run():
    form = BillingForm(year=_year())
    if request.method == "POST" and form.validate_on_submit():
        back = url_for("contributions.billing_run", year=form.year.data)
        try:
            if not confirmation.confirming():
                return _confirm_billing(billing.bill(form.year.data, dry_run=True), back)
            mass, first_click = confirmation.start("invoice", None, _("Fakturaer for %(year)s", year=form.year.data),
                                                   back=back, by=current_user)
            if not first_click:
                return confirmation.already_started(mass)
            with queued_for(mass):
                result = billing.bill(form.year.data, by=current_user)
        except billing.BillingRefused as refused:
            db.session.rollback()
            flash(_refusal(refused), "error")
            return redirect(back)
        confirmation.finish(mass, len(result.billed) - result.not_mailed - result.waived, result.skipped)
        db.session.commit()
        flash(_("%(count)s fakturaer er lavet for %(year)s; %(mailed)s er lagt i udbakken.",
                count=len(result.billed), year=result.year,
                mailed=len(result.billed) - result.not_mailed - result.waived), "success")
        if result.not_mailed - len(result.skipped):
            flash(_("%(count)s virksomheder har ingen kontaktperson med e-mail; deres fakturaer er kladder.",
                    count=result.not_mailed - len(result.skipped)), "warning")
        _flash_skipped(result.skipped)
        return confirmation.delivery_page(mass)
    preview, refusal = None, None
    if form.year.data and not form.errors:  # a refused year is not previewed either
        try:
            preview = billing.bill(form.year.data, dry_run=True)
        except billing.BillingRefused as refused:
            refusal = _refusal(refused)
    return render_template("contributions/billing.html", form=form, preview=preview, refusal=refusal), (
        422 if form.errors else 200)


def _confirm_billing(preview, back):
    """Who gets an invoice now and how its mail reads, before anything is billed."""
    sample = billing.sample_invoice(preview)
    text = render_mail("contribution", contribution=sample, contact=confirmation.example_contact(),
                       kind="invoice")[0] if sample else ""
    notes = [_("%(count)s fakturaer, i alt %(total)s med moms. Fakturaer på 0 kr. sendes ikke.",
               count=len(preview.billed), total=kroner(preview.total_ore))]
    return confirmation.ask(title=_("Fakturaer for %(year)s", year=preview.year),
                            audience=Audience.of(billing.recipients(preview)), preview=text, notes=notes,
                            button=_("Fakturér %(count)s virksomheder", count=len(preview.billed)), back=back)


def _flash_skipped(skipped):
    """Name the recipients the outbox refused, so staff can correct them (their timelines say so too)."""
    if skipped:
        flash(_("Ikke sendt, fordi kontaktpersonens navn eller e-mailadresse ikke kan stå i en e-mail (fx et "
                "linjeskift). Ret kontaktpersonen, og send fra fakturasiden: %(names)s",
                names="; ".join(str(name) for name in skipped)), "warning")


def _refusal(refused):
    if refused.reason == "no_scheme":
        return _("Der er ingen vedtaget ordning for %(year)s. Vedtag et scenarie først.", year=refused.year)
    return _("En anden faktureringskørsel for %(year)s er i gang. Vent lidt, og se så oversigten: ingen "
             "faktureres to gange.", year=refused.year)


@bp.post("/reminders")
@roles_required(*STAFF_ROLES)
def send_reminders():
    back = url_for("contributions.index", year=_year())
    if not confirmation.confirming():
        due = reminders.due_reminders()
        preview = render_mail("contribution", contribution=due[0][1], contact=confirmation.example_contact(),
                              kind=due[0][0])[0] if due else ""
        notes = [_("%(first)s første og %(second)s anden påmindelse.",
                   first=sum(step == "reminder_1" for step, _c in due),
                   second=sum(step == "reminder_2" for step, _c in due))]
        return confirmation.ask(
            title=_("Påmindelser om forfaldne fakturaer"), preview=preview, notes=notes, back=back,
            audience=Audience.of((c.company, [recipient(c.company)]) for _step, c in due),
            button=_("Send påmindelserne"))
    mass, first_click = confirmation.start("invoice_reminder", None, _("Påmindelser om forfaldne fakturaer"),
                                           back=back, by=current_user)
    if not first_click:
        return confirmation.already_started(mass)
    with queued_for(mass):
        sent = reminders.send_reminders(by=current_user)
    confirmation.finish(mass, sum(sent.values()), sent.skipped)
    db.session.commit()
    flash(_("Påmindelser lagt i udbakken: %(first)s første, %(second)s anden.", first=sent["reminder_1"],
            second=sent["reminder_2"]), "success")
    _flash_skipped(sent.skipped)
    return confirmation.delivery_page(mass)


@bp.post("/holds/<int:company_id>")
@roles_required(*STAFF_ROLES)
def hold_reminders(company_id):
    company = db.get_or_404(Company, company_id)
    form = ReasonForm()
    if form.validate_on_submit():
        reminders.hold_reminders(company, form.reason.data.strip(), by=current_user)
        db.session.commit()
        flash(_("Påmindelser til %(name)s er sat i bero.", name=company.name), "success")
    else:
        flash(errors_text(form), "error")
    return redirect(url_for("companies.show", company_id=company.id, _anchor="bidrag"))


@bp.post("/holds/<int:company_id>/delete")
@roles_required(*STAFF_ROLES)
def release_reminders(company_id):
    company = db.get_or_404(Company, company_id)
    reminders.release_reminders(company, by=current_user)
    db.session.commit()
    flash(_("Påmindelser til %(name)s sendes igen.", name=company.name), "success")
    return redirect(url_for("companies.show", company_id=company.id, _anchor="bidrag"))
