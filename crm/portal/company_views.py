"""Our company: details, contacts, portal invitations for colleagues, removal requests, our data."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.audit.access import record_access
from crm.audit.access_models import AccessKind
from crm.audit.services import record
from crm.companies.models import Contact
from crm.companies.services import DuplicateContact, remove_contact
from crm.downloads import as_download
from crm.extensions import db
from crm.portal import access, data_export, erasure, services
from crm.portal.blueprint import bp
from crm.portal.forms import OurCompanyForm, OurContactForm
from crm.security import STAFF_ROLES, Role, get_for_company_or_404, roles_required

DUPLICATE_EMAIL = "Virksomheden har allerede en kontaktperson med denne e-mail."


def _our_contact(contact_id):
    return get_for_company_or_404(Contact, contact_id, Contact.company_id)


@bp.route("/company", methods=["GET", "POST"])
@roles_required(Role.COMPANY)
def company():
    company = current_user.company
    record_access(AccessKind.COMPANY_CONTACTS, contacts=company.contacts, company_ids=[company.id])
    form = OurCompanyForm(obj=company)
    if form.validate_on_submit():
        services.update_our_company(company, form.company_values(), by=current_user)
        db.session.commit()
        flash(_("Virksomhedens oplysninger er gemt."), "success")
        return redirect(url_for(".company"))
    return render_template(
        "portal/company.html", company=company, form=form, logins={u.contact_id: u for u in access.logins_of(company)},
        requested=erasure.requested_contact_ids(company),
    ), 422 if form.is_submitted() else 200


@bp.route("/company/contacts/new", methods=["GET", "POST"])
@roles_required(Role.COMPANY)
def add_contact():
    form = OurContactForm()
    if form.validate_on_submit():
        try:
            services.add_our_contact(current_user.company, form.contact_values(), by=current_user)
        except DuplicateContact:
            db.session.rollback()
            form.email.errors.append(_(DUPLICATE_EMAIL))
        else:
            db.session.commit()
            flash(_("Kontaktpersonen er tilføjet."), "success")
            return redirect(url_for(".company", _anchor="kontaktpersoner"))
    return render_template("portal/contact_form.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/company/contacts/<int:contact_id>", methods=["GET", "POST"])
@roles_required(Role.COMPANY)
def edit_contact(contact_id):
    contact = _our_contact(contact_id)
    record_access(AccessKind.CONTACT, contacts=[contact])
    form = OurContactForm(obj=contact)
    if form.validate_on_submit():
        try:
            services.update_our_contact(contact, form.contact_values(), by=current_user)
        except DuplicateContact:
            db.session.rollback()
            form.email.errors.append(_(DUPLICATE_EMAIL))
        else:
            db.session.commit()
            flash(_("Kontaktpersonen er gemt."), "success")
            return redirect(url_for(".company", _anchor="kontaktpersoner"))
    return render_template("portal/contact_form.html", form=form, contact=contact), (
        422 if form.is_submitted() else 200)


@bp.post("/company/contacts/<int:contact_id>/delete")
@roles_required(Role.COMPANY)
def remove_our_contact(contact_id):
    contact = _our_contact(contact_id)
    if current_user.contact_id == contact.id:
        flash(_("Du kan ikke fjerne dig selv. Bed en kollega eller netværkets sekretariat om det."), "error")
        return redirect(url_for(".company", _anchor="kontaktpersoner"))
    remove_contact(contact, by=current_user)
    db.session.commit()
    flash(_("Kontaktpersonen er fjernet."), "success")
    return redirect(url_for(".company", _anchor="kontaktpersoner"))


@bp.post("/contacts/<int:contact_id>/invite")
@roles_required(Role.COMPANY, *STAFF_ROLES)
def invite_contact(contact_id):
    contact = _our_contact(contact_id)
    target = (url_for("companies.show", company_id=contact.company_id) if current_user.is_staff
              else url_for(".company", _anchor="kontaktpersoner"))
    try:
        access.invite_contact(contact, by=current_user)
    except access.PortalInvitationRefused as refused:
        db.session.rollback()
        flash({"no_email": _("Kontaktpersonen har ingen e-mail."),
               "taken": _("E-mailen bruges allerede af en anden bruger."),
               "disabled": _("Adgangen er lukket af netværkets sekretariat; kontakt dem for at åbne den igen.")}[
            str(refused)], "error")
        return redirect(target)
    db.session.commit()
    flash(_("Invitationen til portalen er sendt til %(email)s. Linket virker i 7 dage.", email=contact.email),
          "success")
    return redirect(target)


@bp.post("/company/contacts/<int:contact_id>/erasure")
@roles_required(Role.COMPANY)
def request_erasure(contact_id):
    contact = _our_contact(contact_id)
    erasure.request_erasure(contact, by=current_user)
    db.session.commit()
    flash(_("Anmodningen om at slette %(name)s er sendt til netværkets sekretariat.", name=contact.name), "success")
    return redirect(url_for(".company", _anchor="kontaktpersoner"))


@bp.get("/company/data.zip")
@roles_required(Role.COMPANY)
def download_data():
    company = current_user.company
    data = data_export.company_archive(company)
    record_access(AccessKind.DATA_ZIP, contacts=company.contacts, company_ids=[company.id])
    # Who took a copy of the company's personal data is kept, as the refusals are (the audit log, not the data).
    record("portal.data_export", actor=current_user, obj=company)
    db.session.commit()
    return as_download(data, "application/zip", f"holme-data-{company.cvr}.zip")
