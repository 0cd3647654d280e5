"""Schemes and the scenario calculator: model a year's contributions on the real register, compare, adopt."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.companies.models import Company
from crm.contributions import calculation, reporting, schemes
from crm.contributions.blueprint import bp
from crm.contributions.forms import (
    ADJUSTMENT_LABELS,
    BASIS_LABELS,
    SPLIT_LABELS,
    UNPAID_LABELS,
    AdjustmentForm,
    ReasonForm,
    SchemeForm,
)
from crm.contributions.models import Contribution, ContributionAdjustment, ContributionScheme
from crm.downloads import XLSX, as_download, table_xlsx
from crm.extensions import db
from crm.forms import errors_text
from crm.http import whole_number
from crm.security import Role, roles_required

#: How many companies the calculator page lists (all of them are in the XLSX export).
LISTED = 50

TIER_PROBLEMS = {
    "gap": lambda band, other: _("Trinnet der begynder ved %(lower)s slutter sig ikke til trinnet før: der er et hul.",
                                 lower=band.lower),
    "overlap": lambda band, other: _("Trinnet der begynder ved %(lower)s overlapper trinnet der begynder ved "
                                     "%(other)s.", lower=band.lower, other=other.lower),
    "empty": lambda band, other: _("Trinnet der begynder ved %(lower)s slutter ikke efter, at det begynder.",
                                   lower=band.lower),
    "negative": lambda band, other: _("Trinnet der begynder ved %(lower)s har et negativt tal.", lower=band.lower),
}


@bp.app_template_global()
def scheme_labels():
    return {"basis": BASIS_LABELS, "split": SPLIT_LABELS, "unpaid": UNPAID_LABELS, "adjustment": ADJUSTMENT_LABELS}


def _scheme(scheme_id):
    return db.get_or_404(ContributionScheme, scheme_id)


def _tier_label(scheme):
    return lambda index: schemes.tier_key(scheme, index)


@bp.get("/schemes")
@roles_required(Role.ADMIN)
def schemes_index():
    all_schemes = db.session.scalars(select(ContributionScheme).order_by(ContributionScheme.year.desc(),
                                                                         ContributionScheme.active.desc(),
                                                                         ContributionScheme.name)).all()
    return render_template("contributions/schemes.html", schemes=all_schemes)


@bp.route("/schemes/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_scheme():
    form = SchemeForm(year=date.today().year + 1)
    return _save(form, ContributionScheme())


@bp.route("/schemes/<int:scheme_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_scheme(scheme_id):
    scheme = _scheme(scheme_id)
    form = SchemeForm()
    if request.method == "GET":
        form.fill_from(scheme)
    return _save(form, scheme)


def _save(form, scheme):
    if form.validate_on_submit() and _may_change_year(form, scheme):
        try:
            schemes.save_scheme(scheme, form.values(), form.tiers.parsed, by=current_user)
        except calculation.TierError as error:
            db.session.rollback()
            form.tiers.errors.append(TIER_PROBLEMS[error.problem](error.band, error.other))
        else:
            db.session.commit()
            flash(_("Scenariet er gemt."), "success")
            return redirect(url_for("contributions.show_scheme", scheme_id=scheme.id))
    return render_template("contributions/scheme_form.html", form=form, scheme=scheme), 200 if not form.errors else 422


def _may_change_year(form, scheme):
    """An adopted or billed scheme stays in its year: its invoices and the year's one adopted scheme rely on it."""
    if scheme.id is None or form.year.data == scheme.year:
        return True
    billed = db.session.scalar(select(Contribution.id).where(Contribution.scheme_id == scheme.id).limit(1))
    if scheme.active or billed:
        form.year.errors.append(_("Et vedtaget eller faktureret scenarie kan ikke flyttes til et andet år. "
                                  "Kopiér det, og ret kopiens år."))
        return False
    return True


@bp.get("/schemes/<int:scheme_id>")
@roles_required(Role.ADMIN)
def show_scheme(scheme_id):
    scheme = db.get_or_404(ContributionScheme, scheme_id, options=[
        selectinload(ContributionScheme.tiers),
        selectinload(ContributionScheme.adjustments).joinedload(ContributionAdjustment.company)])
    amounts = schemes.calculate(scheme)
    summary = calculation.summarise(amounts)
    largest = sorted(amounts, key=lambda amount: (-amount.net_ore, amount.company_id))[:LISTED]
    others = db.session.scalars(select(ContributionScheme).where(ContributionScheme.id != scheme.id)
                                .order_by(ContributionScheme.year.desc(), ContributionScheme.name)).all()
    return render_template("contributions/scheme.html", scheme=scheme, summary=summary, largest=largest,
                           names=schemes.company_names(amount.company_id for amount in largest), others=others,
                           tier_label=_tier_label(scheme), adjustment_form=AdjustmentForm(), confirm=ReasonForm())


@bp.get("/schemes/<int:scheme_id>/compare")
@roles_required(Role.ADMIN)
def compare_schemes(scheme_id):
    scheme = _scheme(scheme_id)
    other = db.get_or_404(ContributionScheme, request.args.get("with", type=whole_number) or 0)
    companies = schemes.payers(scheme.year)
    before = schemes.calculate(scheme, companies)
    after = schemes.calculate(other, companies if other.year == scheme.year else None)
    moved = calculation.changes(before, after, limit=LISTED)
    return render_template("contributions/compare.html", scheme=scheme, other=other,
                           summaries=(calculation.summarise(before), calculation.summarise(after)), moved=moved,
                           names=schemes.company_names(row[0] for row in moved))


@bp.get("/schemes/<int:scheme_id>/export.xlsx")
@roles_required(Role.ADMIN)
def export_scheme(scheme_id):
    scheme = _scheme(scheme_id)
    amounts = schemes.calculate(scheme)
    rows = reporting.calculation_rows(amounts, schemes.company_names(a.company_id for a in amounts),
                                      _tier_label(scheme))
    data = table_xlsx(reporting.CALCULATION_COLUMNS, rows, f"{scheme.year} {scheme.name}", reporting.NUMBER_COLUMNS)
    return as_download(data, XLSX, f"bidrag-{scheme.year}-scenarie-{scheme.id}.xlsx")


@bp.post("/schemes/<int:scheme_id>/copy")
@roles_required(Role.ADMIN)
def copy_scheme(scheme_id):
    copy = schemes.copy_scheme(_scheme(scheme_id), by=current_user)
    db.session.commit()
    flash(_("Scenariet er kopieret. Ret det, og sammenlign de to."), "success")
    return redirect(url_for("contributions.edit_scheme", scheme_id=copy.id))


@bp.post("/schemes/<int:scheme_id>/adopt")
@roles_required(Role.ADMIN)
def adopt_scheme(scheme_id):
    scheme = _scheme(scheme_id)
    if scheme.active:
        flash(_("Scenariet er allerede årets ordning."), "info")
    else:
        schemes.adopt(scheme, by=current_user)
        db.session.commit()
        flash(_("«%(name)s» er nu ordningen for %(year)s.", name=scheme.name, year=scheme.year), "success")
    return redirect(url_for("contributions.show_scheme", scheme_id=scheme.id))


@bp.post("/schemes/<int:scheme_id>/adjustments")
@roles_required(Role.ADMIN)
def add_adjustment(scheme_id):
    scheme = _scheme(scheme_id)
    form = AdjustmentForm()
    if not form.validate_on_submit():
        flash(errors_text(form), "error")
        return redirect(url_for("contributions.show_scheme", scheme_id=scheme.id))
    company = db.session.scalar(select(Company).where(Company.cvr == form.cvr.data))
    if company is None:
        flash(_("Ingen virksomhed har CVR-nummer %(cvr)s.", cvr=form.cvr.data), "error")
    else:
        schemes.set_adjustment(scheme, company, form.kind.data, form.percent.data or 100, form.reason.data.strip(),
                               by=current_user)
        db.session.commit()
        flash(_("%(name)s er registreret.", name=company.name), "success")
    return redirect(url_for("contributions.show_scheme", scheme_id=scheme.id))


@bp.post("/schemes/<int:scheme_id>/adjustments/<int:adjustment_id>/delete")
@roles_required(Role.ADMIN)
def remove_adjustment(scheme_id, adjustment_id):
    adjustment = db.get_or_404(ContributionAdjustment, adjustment_id)
    if adjustment.scheme_id != scheme_id:
        abort(404)
    schemes.remove_adjustment(adjustment, by=current_user)
    db.session.commit()
    flash(_("Rabatten eller fritagelsen er fjernet."), "success")
    return redirect(url_for("contributions.show_scheme", scheme_id=scheme_id))
