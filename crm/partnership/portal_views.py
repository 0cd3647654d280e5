"""The portal's membership page: what the company would pay (line by line, as on the invoice), its figures,
the agreement, signing up, accepting a new version and giving notice."""

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm.companies.services import update_company
from crm.downloads import as_download
from crm.extensions import db
from crm.partnership import documents, network, services
from crm.partnership.blueprint import portal_bp as bp
from crm.partnership.forms import AcceptForm, FiguresForm, NoticeForm, SignUpForm
from crm.security import Role, roles_required

REFUSED = {
    "may_not_sign": _l("Kun en person, der må skrive under for virksomheden, kan gøre det. Netværkets sekretariat "
                       "kan give retten."),
    "no_agreement": _l("Der er ingen partnerskabsaftale at skrive under på endnu."),
    "no_scheme": _l("Bidraget for året er ikke fastlagt endnu."),
    "already_member": _l("Virksomheden er allerede medlem."),
    "not_member": _l("Virksomheden er ikke medlem."),
    "notice_given": _l("Virksomheden har allerede meldt sig ud."),
    "bad_month": _l("Vælg en af de viste måneder."),
}


def _start_chosen(months):
    """The month the offer is computed from: ?starts_on=YYYY-MM-01 when it is one of those offered, else the
    default (services.default_start)."""
    try:
        chosen = date.fromisoformat(request.values.get("starts_on", ""))
    except ValueError:
        chosen = None
    return chosen if chosen in months else services.default_start(months)


def _page(*, figures=None, sign_up=None, accept=None, notice=None, status=200):
    company = current_user.company
    months = services.start_months()
    starts_on = _start_chosen(months)
    agreement = services.current_agreement()
    member = services.is_member(company)
    if member:  # what it pays as the member it is
        starts_on = company.joined_on or date(services.today().year, 1, 1)
        year = max(starts_on.year, services.today().year)
    else:
        year = starts_on.year
    offers = [services.offer(company, year, starts_on), services.offer(company, year + 1, starts_on)]
    sign_up = sign_up or SignUpForm(months, data={"starts_on": starts_on.isoformat()})
    return render_template(
        "partnership/portal.html", company=company, agreement=agreement, member=member, starts_on=starts_on,
        offers=offers, may_sign=services.may_sign(current_user), accepted=services.accepted_version(company),
        figures=figures or FiguresForm(obj=company), sign_up=sign_up, accept=accept or AcceptForm(),
        notice=notice or NoticeForm(), notice_end=services.notice_end(agreement, services.today()) if agreement
        else None, network=network.network_facts(services.today().year - 1), signatures=services.signatures(company),
    ), status


@bp.get("/")
@roles_required(Role.COMPANY)
def index():
    return _page()


@bp.post("/figures")
@roles_required(Role.COMPANY)
def figures():
    form = FiguresForm()
    if not form.validate_on_submit():
        return _page(figures=form, status=422)
    update_company(current_user.company, {"employees": form.employees.data, "area_m2": form.area_m2.data},
                   by=current_user)
    db.session.commit()
    flash(_("Tallene er rettet, og beløbet er regnet igen. Netværkets sekretariat kan se ændringen."), "success")
    return redirect(url_for(".index", starts_on=request.form.get("starts_on"), _anchor="beloeb"))


def _signed(action, form, success):
    if not form.validate_on_submit():
        return None
    try:
        action()
    except services.SigningRefused as refused:
        db.session.rollback()
        flash(str(REFUSED[str(refused)]), "error")
        return redirect(url_for(".index"))
    db.session.commit()
    flash(success, "success")
    return redirect(url_for(".index"))


@bp.post("/sign")
@roles_required(Role.COMPANY)
def sign():
    """Every signature goes here, its kind in the form: a sign-up, a new version accepted, or a notice."""
    company, agreement, email = current_user.company, services.current_agreement(), current_user.email
    kind = request.form.get("kind", "")
    if kind == "sign_up":
        form = SignUpForm(services.start_months())
        done = _signed(lambda: services.sign_up(company, current_user, agreement, form.start), form,
                       _("Velkommen i partnerskabet. En bekræftelse med aftalen er sendt til %(email)s.", email=email))
        return done or _page(sign_up=form, status=422)
    if kind == "acceptance":
        form = AcceptForm()
        done = _signed(lambda: services.accept_version(company, current_user, agreement), form,
                       _("Aftalen er accepteret. En bekræftelse er sendt til %(email)s.", email=email))
        return done or _page(accept=form, status=422)
    form = NoticeForm()
    done = _signed(lambda: services.give_notice(company, current_user, agreement), form,
                   _("Udmeldelsen er modtaget. En bekræftelse er sendt til %(email)s.", email=email))
    return done or _page(notice=form, status=422)


@bp.get("/agreement.pdf")
@roles_required(Role.COMPANY)
def agreement_pdf():
    agreement = services.current_agreement()
    if agreement is None:
        return redirect(url_for(".index"))
    return as_download(documents.agreement_pdf(agreement), "application/pdf", "partnerskabsaftale.pdf")
