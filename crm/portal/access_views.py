"""Getting in (accepting a portal invitation) and the staff's hand on portal access: disabling a login,
anonymising a contact on request, deciding group requests."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import select

from crm.audit.models import ErasureRequest
from crm.auth.models import User
from crm.auth.services import PasswordRefused
from crm.auth.views import start_second_step
from crm.extensions import db
from crm.groups.models import MembershipRequest
from crm.groups.services import GroupArchived
from crm.portal import access, erasure, group_requests
from crm.portal.blueprint import bp
from crm.portal.forms import ChoosePasswordForm
from crm.security import STAFF_ROLES, Role, fresh_session, public, roles_required


@bp.app_template_global()
def portal_active_count():
    return access.portal_active_count()


@bp.app_template_global()
def waiting_portal_requests():
    """Every request from the portal that waits for staff: removals by company, group requests by group."""
    return {"erasure": erasure.all_open_requests(), "groups": group_requests.all_open_requests()}


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token):
    row = access.invitation_for_token(token)
    if row is None:
        return render_template("portal/invitation_invalid.html"), 404
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            user = access.accept_invitation(token, form.password.data)
        except PasswordRefused as refused:
            db.session.rollback()
            form.password.errors.append(str(refused))
        else:
            db.session.commit()
            if user.two_factor_on:  # the link proves the mailbox, not the phone: the code is still asked
                return start_second_step(user, False, url_for(".index"))
            fresh_session()
            login_user(user)
            flash(_("Velkommen til portalen. Din adgangskode er gemt."), "success")
            return redirect(url_for(".index"))
    return render_template("portal/invitation.html", form=form, user=row.user), 422 if form.is_submitted() else 200


@bp.post("/users/<int:user_id>/disable")
@roles_required(*STAFF_ROLES)
def disable_login(user_id):
    user = db.session.scalars(select(User).where(User.id == user_id, User.role == Role.COMPANY)).first() or abort(404)
    access.disable_login(user, by=current_user)
    db.session.commit()
    flash(_("Adgangen for %(email)s er lukket, og alle sessioner er afsluttet.", email=user.email), "success")
    return redirect(url_for("companies.show", company_id=user.company_id, _anchor="portal"))


@bp.post("/erasure/<int:request_id>")
@roles_required(*STAFF_ROLES)
def carry_out_erasure(request_id):
    row = db.get_or_404(ErasureRequest, request_id)
    if row.done_at is None:
        erasure.anonymise(row, by=current_user)
        db.session.commit()
        flash(_("Personen er anonymiseret."), "success")
    return redirect(url_for("companies.show", company_id=row.company_id, _anchor="portal"))


@bp.post("/group-requests/<int:request_id>")
@roles_required(*STAFF_ROLES)
def decide_group_request(request_id):
    row = db.get_or_404(MembershipRequest, request_id)
    decision = request.form.get("decision")
    if decision not in ("approve", "reject"):
        abort(400)
    if row.decided_at is None:
        try:
            group_requests.decide(row, decision == "approve", by=current_user)
        except GroupArchived:
            db.session.rollback()
            flash(_("Gruppen er arkiveret; der kan ikke komme nye medlemmer."), "error")
            return redirect(url_for("groups.show", slug=row.group.slug))
        db.session.commit()
        flash(_("Anmodningen fra %(name)s er godkendt.", name=row.company.name) if decision == "approve"
              else _("Anmodningen fra %(name)s er afvist.", name=row.company.name), "success")
    return redirect(url_for("groups.show", slug=row.group.slug))
