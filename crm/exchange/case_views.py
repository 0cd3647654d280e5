"""Staff pages of the green-transition cases (/exchange/cases/): the list, a case's form, the partners.

Company users never see the cases in the portal: they are staff's record of the advice the network gives and of
whether it led anywhere, written for the municipality's report, not a service the company uses or keeps itself.
The company still sees them in its data download (crm.exchange.case_signals), so nothing is kept from it.
"""

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from crm.companies.models import Company, Contact
from crm.exchange import case_services as services
from crm.exchange.blueprint import bp
from crm.exchange.case_forms import KIND_LABELS, OUTCOME_LABELS, CaseForm, PartnerForm
from crm.exchange.case_models import CaseKind, CaseOutcome, CasePartner, GreenCase
from crm.extensions import db
from crm.forms import FIRST_YEAR, LAST_YEAR
from crm.http import whole_number
from crm.security import STAFF_ROLES, roles_required


@bp.app_template_global()
def case_kind_label(kind):
    return KIND_LABELS.get(kind, kind)


@bp.app_template_global()
def case_outcome_label(outcome):
    return OUTCOME_LABELS.get(outcome, outcome)


def _years():
    """The years the list can be filtered on: from the first case's to next year, newest first."""
    first = db.session.scalar(select(func.min(GreenCase.started_on)))
    return range(date.today().year + 1, min(first.year if first else date.today().year, date.today().year) - 1, -1)


@bp.get("/cases/")
@roles_required(*STAFF_ROLES)
def cases():
    """Every case, filtered by the year it ran in, its kind, partner and outcome."""
    year = request.args.get("year", type=whole_number)
    year = year if year is not None and FIRST_YEAR <= year <= LAST_YEAR else None
    kind = request.args.get("kind") if request.args.get("kind") in set(CaseKind) else None
    outcome = request.args.get("outcome") if request.args.get("outcome") in set(CaseOutcome) else None
    partner_id = request.args.get("partner", type=whole_number)
    found = services.find_cases(year=year, kind=kind, partner_id=partner_id, outcome=outcome)
    return render_template("exchange/cases/index.html", cases=found, year=year, kind=kind, outcome=outcome,
                           partner_id=partner_id, years=_years(), partners=services.partners(),
                           kinds=KIND_LABELS, outcomes=OUTCOME_LABELS)


def _case_form(form, company, case=None):
    form.partner_choices(services.partners(active_only=False), keep=case.partner_id if case else None)
    form.contact_choices(db.session.scalars(select(Contact).where(Contact.company_id == company.id)
                                            .order_by(Contact.name)).all())
    return form


def _render_case(form, company, case=None):
    return render_template("exchange/cases/form.html", form=form, company=company, case=case), \
        422 if form.is_submitted() else 200


@bp.route("/cases/companies/<int:company_id>/new", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def new_case(company_id):
    company = db.get_or_404(Company, company_id)
    form = _case_form(CaseForm(), company)
    if form.validate_on_submit():
        services.save_case(company, form.case_values(), by=current_user)
        db.session.commit()
        flash(_("Sagen er gemt og står på virksomhedens tidslinje."), "success")
        return redirect(url_for("companies.show", company_id=company.id, _anchor="raadgivning"))
    return _render_case(form, company)


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def edit_case(case_id):
    case = db.get_or_404(GreenCase, case_id)
    company = case.company
    form = _case_form(CaseForm(obj=case), company, case)
    if form.validate_on_submit():
        services.save_case(company, form.case_values(), case, by=current_user)
        db.session.commit()
        flash(_("Sagen er gemt."), "success")
        return redirect(url_for("companies.show", company_id=company.id, _anchor="raadgivning"))
    return _render_case(form, company, case)


@bp.get("/cases/partners")
@roles_required(*STAFF_ROLES)
def case_partners(form=None):
    """The partners staff choose from, with a form to add one."""
    return render_template("exchange/cases/partners.html", partners=services.partners(),
                           form=form or PartnerForm(formdata=None)), 422 if form else 200


@bp.post("/cases/partners")
@roles_required(*STAFF_ROLES)
def add_case_partner():
    form = PartnerForm()
    if not form.validate_on_submit():
        return case_partners(form)
    try:
        services.save_partner(form.name.data.strip(), by=current_user)
    except services.PartnerNameTaken:
        form.name.errors.append(_("Der er allerede en partner med det navn."))
        return case_partners(form)
    db.session.commit()
    flash(_("Partneren er tilføjet."), "success")
    return redirect(url_for(".case_partners"))


@bp.route("/cases/partners/<int:partner_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def edit_case_partner(partner_id):
    """Rename a partner, retire it (it stays on its old cases) or take it in again."""
    partner = db.get_or_404(CasePartner, partner_id)
    form = PartnerForm(obj=partner)
    if form.validate_on_submit():
        try:
            services.save_partner(form.name.data.strip(), form.active.data, partner, by=current_user)
        except services.PartnerNameTaken:
            form.name.errors.append(_("Der er allerede en partner med det navn."))
        else:
            db.session.commit()
            flash(_("Partneren er gemt."), "success")
            return redirect(url_for(".case_partners"))
    return render_template("exchange/cases/partner_form.html", form=form, partner=partner), \
        422 if form.is_submitted() else 200

