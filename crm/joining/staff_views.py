"""Staff's side of joining: the requests waiting, and approving or declining one."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm.audit.access import record_access
from crm.audit.access_models import AccessKind
from crm.companies.forms import ROLE_LABELS, STATUS_LABELS
from crm.companies.services import find_by_cvr
from crm.extensions import db
from crm.joining import services
from crm.joining.blueprint import bp
from crm.joining.forms import ApproveForm, DeclineForm
from crm.joining.models import JoinRequest
from crm.security import STAFF_ROLES, roles_required

#: Why an approved request's invitation did not go out, as staff read it.
INVITATION_REFUSALS = {
    "taken": _l("E-mailen bruges allerede af et andet login, så der er ikke sendt en invitation til portalen."),
    "disabled": _l("Kontaktpersonens login er lukket, så der er ikke sendt en invitation til portalen."),
    "no_email": _l("Kontaktpersonen har ingen e-mail, så der er ikke sendt en invitation til portalen."),
}


@bp.get("/companies/join-requests")
@roles_required(*STAFF_ROLES)
def requests():
    pending = services.pending_requests()
    if pending:  # the waiting requesters' names: not yet contact persons, so the page's own row (its path) tells
        record_access(AccessKind.SEARCH)
    return render_template("joining/requests.html", pending=pending, decided=services.decided_requests())


def _show(row, decline_form=None, status=200):
    # The requester's name, e-mail and phone: the contact person the request became once approved, else the page
    # alone (its path names the request).
    record_access(AccessKind.CONTACT, contacts=[row.contact])
    return render_template("joining/show.html", row=row, known=find_by_cvr(row.cvr), role_labels=ROLE_LABELS,
                           status_labels=STATUS_LABELS,
                           others=services.others_with_cvr(row), approve_form=ApproveForm(),
                           decline_form=decline_form or DeclineForm()), status


@bp.get("/companies/join-requests/<int:request_id>")
@roles_required(*STAFF_ROLES)
def show(request_id):
    return _show(db.get_or_404(JoinRequest, request_id))


def _already_decided(row):
    flash(_("Anmodningen er allerede afgjort."), "error")
    return redirect(url_for(".show", request_id=row.id))


@bp.post("/companies/join-requests/<int:request_id>/approve")
@roles_required(*STAFF_ROLES)
def approve(request_id):
    row = db.get_or_404(JoinRequest, request_id)  # CSRFProtect has checked the form's token
    try:
        approval = services.approve(row, by=current_user)
    except services.AlreadyDecided:
        db.session.rollback()
        return _already_decided(row)
    db.session.commit()
    if approval.new_company:
        flash(_("%(name)s er oprettet som inviteret virksomhed.", name=approval.company.name), "success")
    else:
        flash(_("Anmodningen er knyttet til %(name)s, som allerede var i registret.", name=approval.company.name),
              "success")
    if approval.invitation_refused:
        flash(str(INVITATION_REFUSALS.get(approval.invitation_refused, INVITATION_REFUSALS["taken"])), "warning")
    else:
        flash(_("Invitationen til portalen er sendt til %(email)s.", email=approval.contact.email), "success")
    return redirect(url_for("companies.show", company_id=approval.company.id))


@bp.post("/companies/join-requests/<int:request_id>/decline")
@roles_required(*STAFF_ROLES)
def decline(request_id):
    row = db.get_or_404(JoinRequest, request_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _show(row, form, 422)
    try:
        services.decline(row, form.reason.data.strip(), by=current_user)
    except services.AlreadyDecided:
        db.session.rollback()
        return _already_decided(row)
    db.session.commit()
    flash(_("Anmodningen fra %(name)s er afvist, og kontaktpersonen får en mail med begrundelsen.", name=row.name),
          "success")
    return redirect(url_for(".requests"))
