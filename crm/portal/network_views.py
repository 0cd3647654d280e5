"""The network as a company sees it: working groups with their results and requests, and the directory."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.companies.models import Company, CompanyStatus
from crm.extensions import db
from crm.groups.models import Initiative, WorkingGroup
from crm.portal import group_requests, services
from crm.portal.blueprint import bp
from crm.portal.forms import MembershipRequestForm
from crm.security import Role, roles_required


@bp.get("/groups")
@roles_required(Role.COMPANY)
def groups():
    all_groups = db.session.scalars(
        select(WorkingGroup).where(WorkingGroup.active).order_by(WorkingGroup.name)
        .options(selectinload(WorkingGroup.initiatives).selectinload(Initiative.figures))).all()
    member_of = {membership.group_id for membership in services.current_groups(current_user.company_id)}
    return render_template("portal/groups.html", groups=all_groups, member_of=member_of,
                           waiting=group_requests.open_requests_of_company(current_user.company_id))


@bp.post("/groups/<slug>/request")
@roles_required(Role.COMPANY)
def group_request(slug):
    group = db.session.scalars(select(WorkingGroup).where(WorkingGroup.slug == slug)).first() or abort(404)
    form = MembershipRequestForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        group_requests.ask(group, current_user.company, form.kind.data, by=current_user)
    except group_requests.RequestRefused as refused:
        db.session.rollback()
        flash({"open": _("I har allerede en anmodning, der venter på svar."),
               "member": _("I er allerede med i gruppen."),
               "not_member": _("I er ikke med i gruppen."),
               "archived": _("Gruppen er arkiveret.")}[str(refused)], "error")
    else:
        db.session.commit()
        flash(_("Anmodningen er sendt. Netværkets sekretariat svarer snarest."), "success")
    return redirect(url_for(".groups", _anchor=f"gruppe-{group.slug}"))


@bp.get("/directory")
@roles_required(Role.COMPANY)
def directory():
    companies = db.session.execute(
        select(Company.name, Company.industry, Company.description, Company.website)
        .where(Company.directory_listed, Company.status != CompanyStatus.LEFT).order_by(Company.name)).all()
    listed = current_user.company.directory_listed
    return render_template("portal/directory.html", companies=companies, listed=listed)
