"""Staff pages of the company register."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from crm.audit.access import record_access
from crm.audit.access_models import AccessKind
from crm.companies import exporting, lookup, merging, search, services
from crm.companies.blueprint import bp
from crm.companies.forms import (
    ACTIVITY_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    ActivityForm,
    CompanyForm,
    ContactForm,
    LeftForm,
    MergeForm,
    PlotForm,
    TenancyForm,
)
from crm.companies.models import Company, Contact, Plot
from crm.extensions import db
from crm.forms import errors_text
from crm.http import whole_number
from crm.security import STAFF_ROLES, roles_required
from crm.signals import collect, company_page_panels


@bp.app_template_global()
def company_role_label(role):
    return ROLE_LABELS.get(role, role) if role else ""


@bp.app_template_global()
def company_status_label(status):
    return STATUS_LABELS.get(status, status)


bp.add_app_template_global(lookup.company_label, "company_label")


@bp.app_template_global()
def activity_label(kind):
    return ACTIVITY_LABELS.get(kind, kind)


def _company_or_404(company_id):
    return db.get_or_404(Company, company_id)


@bp.get("/")
@roles_required(*STAFF_ROLES)
def index():
    filters = search.CompanyFilters.from_args(request.args)
    page = search.company_page(filters, request.args.get("page", 1, type=whole_number))
    if shown := [company.primary_contact for company in page.items if company.primary_contact]:
        record_access(AccessKind.SEARCH, contacts=shown)
    return render_template(
        "companies/index.html", page=page, filters=filters, tags=search.all_tags(), groups=search.all_groups(),
        roles=ROLE_LABELS, statuses=STATUS_LABELS,
    )


@bp.get("/lookup")
@roles_required(*STAFF_ROLES)
def lookup_names():
    """Suggestions for a company picker as one types (htmx fills the picker's <datalist> with them); the text is
    read from the argument the picker names in `field` (the input's own name), else from `q`."""
    typed = request.args.get(request.args.get("field") or "q", "")
    return render_template("companies/_lookup_options.html", companies=lookup.suggestions(typed))


@bp.get("/export")
@roles_required(*STAFF_ROLES)
def export():
    filters = search.CompanyFilters.from_args(request.args)
    statement = search.company_statement(filters)
    record_access(AccessKind.EXPORT, contacts=exporting.exported_contacts(statement))
    rows = exporting.export_rows(statement)
    if request.args.get("format") == "xlsx":
        data = exporting.write_xlsx(rows)
        mimetype, extension = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    else:
        data = exporting.write_csv(rows)
        mimetype, extension = "text/csv; charset=utf-8", "csv"
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="virksomheder.{extension}"'})


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def create():
    form = CompanyForm()
    contact_form = ContactForm(prefix="contact", meta={"csrf": False})
    if form.validate_on_submit():
        # The contact is checked before its e-mail is looked up: the lookups must only see valid text.
        if contact_form.name.data and not contact_form.validate(extra_validators=None):
            return render_template("companies/form.html", form=form, contact_form=contact_form), 422
        existing = services.find_by_cvr(form.cvr.data)
        if existing is not None:
            form.cvr.errors.append(_("CVR-nummeret findes allerede i registret."))
            return render_template("companies/form.html", form=form, contact_form=contact_form,
                                   existing=existing), 422
        similar = services.similar_companies(form.name.data)
        email = contact_form.email.data if contact_form.name.data else None
        shared = services.companies_with_contact_email(email)
        if (similar or shared) and not request.form.get("confirm_duplicates"):
            return render_template("companies/form.html", form=form, contact_form=contact_form,
                                   similar=similar, shared=shared), 200
        company = services.create_company(form.company_values(), by=current_user, tags=form.tags.data)
        if contact_form.name.data:
            services.add_contact(company, {**contact_form.contact_values(), "is_primary": True}, by=current_user)
        db.session.commit()
        flash(_("Virksomheden er oprettet."), "success")
        return redirect(url_for(".show", company_id=company.id))
    return render_template("companies/form.html", form=form, contact_form=contact_form), (
        422 if form.is_submitted() else 200)


@bp.get("/<int:company_id>")
@roles_required(*STAFF_ROLES)
def show(company_id):
    company = db.session.scalars(  # contacts and tags are few: one query with the company
        select(Company).where(Company.id == company_id)
        .options(joinedload(Company.contacts), joinedload(Company.tags))
    ).unique().first() or abort(404)
    owned, rented = services.plots_of(company)
    activities = company.activities.limit(100).all()
    panels = sorted(collect(company_page_panels, company), key=lambda panel: panel.order)
    record_access(AccessKind.COMPANY_CONTACTS, contacts=company.contacts, company_ids=[company.id])
    return render_template(
        "companies/show.html", company=company, owned=owned, rented=rented, activities=activities, panels=panels,
        activity_form=ActivityForm(), left_form=LeftForm(), plot_form=PlotForm(), tenancy_form=TenancyForm(),
    )


@bp.route("/<int:company_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def edit(company_id):
    company = _company_or_404(company_id)
    form = CompanyForm(obj=company)
    if form.validate_on_submit():
        try:
            services.update_company(company, form.company_values(), by=current_user, tags=form.tags.data)
        except services.DuplicateCompany as duplicate:
            db.session.rollback()
            form.cvr.errors.append(_("CVR-nummeret findes allerede i registret."))
            return render_template("companies/form.html", form=form, company=company,
                                   existing=duplicate.existing), 422
        db.session.commit()
        flash(_("Ændringerne er gemt."), "success")
        return redirect(url_for(".show", company_id=company.id))
    return render_template("companies/form.html", form=form, company=company), (
        422 if form.is_submitted() else 200)


@bp.post("/<int:company_id>/left")
@roles_required(*STAFF_ROLES)
def mark_left(company_id):
    company = _company_or_404(company_id)
    form = LeftForm()
    if form.validate_on_submit():
        services.mark_left(company, form.left_on.data, by=current_user)
        db.session.commit()
        flash(_("Virksomheden er markeret som fraflyttet. Historikken er bevaret."), "success")
    else:
        flash(errors_text(form) or _("Vælg datoen for fraflytningen."), "error")
    return redirect(url_for(".show", company_id=company.id))


@bp.post("/<int:company_id>/activities")
@roles_required(*STAFF_ROLES)
def add_activity(company_id):
    company = _company_or_404(company_id)
    form = ActivityForm()
    if form.validate_on_submit():
        services.add_activity(company, form.kind.data, form.text.data, by=current_user)
        db.session.commit()
        flash(_("Noten er gemt på tidslinjen."), "success")
    else:
        flash(_("Skriv noget i noten."), "error")
    return redirect(url_for(".show", company_id=company.id, _anchor="tidslinje"))


def _contact_of(company, contact_id):
    contact = db.session.scalars(
        select(Contact).where(Contact.id == contact_id, Contact.company_id == company.id)
    ).first()
    if contact is None:
        abort(404)
    return contact


@bp.route("/<int:company_id>/contacts/new", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def add_contact(company_id):
    company = _company_or_404(company_id)
    form = ContactForm()
    if form.validate_on_submit():
        shared = services.companies_with_contact_email(form.email.data, exclude_id=company.id)
        if shared and not request.form.get("confirm_duplicates"):
            return render_template("companies/contact_form.html", form=form, company=company, shared=shared)
        try:
            services.add_contact(company, form.contact_values(), by=current_user)
        except services.DuplicateContact:
            db.session.rollback()
            form.email.errors.append(_("Virksomheden har allerede en kontaktperson med denne e-mail."))
        else:
            db.session.commit()
            flash(_("Kontaktpersonen er tilføjet."), "success")
            return redirect(url_for(".show", company_id=company.id))
    return render_template("companies/contact_form.html", form=form, company=company), (
        422 if form.is_submitted() else 200)


@bp.route("/<int:company_id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def edit_contact(company_id, contact_id):
    company = _company_or_404(company_id)
    contact = _contact_of(company, contact_id)
    record_access(AccessKind.CONTACT, contacts=[contact])
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        try:
            services.update_contact(contact, form.contact_values(), by=current_user)
        except services.DuplicateContact:
            db.session.rollback()
            form.email.errors.append(_("Virksomheden har allerede en kontaktperson med denne e-mail."))
        else:
            db.session.commit()
            flash(_("Kontaktpersonen er gemt."), "success")
            return redirect(url_for(".show", company_id=company.id))
    return render_template("companies/contact_form.html", form=form, company=company, contact=contact), (
        422 if form.is_submitted() else 200)


@bp.post("/<int:company_id>/contacts/<int:contact_id>/delete")
@roles_required(*STAFF_ROLES)
def remove_contact(company_id, contact_id):
    company = _company_or_404(company_id)
    contact = _contact_of(company, contact_id)
    services.remove_contact(contact, by=current_user)
    db.session.commit()
    flash(_("Kontaktpersonen er fjernet."), "success")
    return redirect(url_for(".show", company_id=company.id))


@bp.route("/<int:company_id>/merge", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def merge(company_id):
    company = _company_or_404(company_id)
    form = MergeForm()
    if form.validate_on_submit():
        other = services.find_by_cvr(form.other_cvr.data)
        if other is None:
            form.other_cvr.errors.append(_("Der er ingen virksomhed med det CVR-nummer."))
        elif other.id == company.id:
            form.other_cvr.errors.append(_("En virksomhed kan ikke lægges sammen med sig selv."))
        elif form.confirm.data == str(other.id):
            try:
                moved = merging.merge_companies(company, other, by=current_user)
            except merging.MergeRefused as refused:
                db.session.rollback()
                return render_template("companies/merge.html", company=company, form=form, other=other,
                                       problems=refused.problems), 409
            db.session.commit()
            flash(_("Virksomhederne er lagt sammen: %(contacts)d kontaktpersoner og %(activities)d "
                    "noter er flyttet.", contacts=moved["contacts"] + moved["joined_contacts"],
                    activities=moved["activities"]), "success")
            return redirect(url_for(".show", company_id=company.id))
        else:
            form.confirm.data = str(other.id)
            return render_template("companies/merge.html", company=company, form=form, other=other,
                                   problems=merging.merge_conflicts(company, other))
    return render_template("companies/merge.html", company=company, form=form, other=None), (
        422 if form.is_submitted() else 200)


@bp.post("/<int:company_id>/plots")
@roles_required(*STAFF_ROLES)
def add_plot(company_id):
    company = _company_or_404(company_id)
    form = PlotForm()
    if form.validate_on_submit():
        taken = db.session.scalars(select(Plot).where(Plot.cadastral_number == form.cadastral_number.data.strip()))
        if taken.first() is not None:
            flash(_("Matriklen er allerede registreret."), "error")
        else:
            services.add_plot(company, {"cadastral_number": form.cadastral_number.data.strip(),
                                        "address": (form.address.data or "").strip(), "area_m2": form.area_m2.data},
                              by=current_user)
            db.session.commit()
            flash(_("Grunden er tilføjet."), "success")
    else:
        flash(errors_text(form), "error")
    return redirect(url_for(".show", company_id=company.id, _anchor="grunde"))


@bp.post("/<int:company_id>/plots/<int:plot_id>/tenants")
@roles_required(*STAFF_ROLES)
def add_tenant(company_id, plot_id):
    company = _company_or_404(company_id)
    plot = db.session.scalars(select(Plot).where(Plot.id == plot_id, Plot.owner_id == company.id)).first()
    if plot is None:
        abort(404)
    form = TenancyForm()
    if form.validate_on_submit():
        tenant = services.find_by_cvr(form.tenant_cvr.data)
        if tenant is None:
            flash(_("Der er ingen virksomhed med det CVR-nummer. Opret lejeren først."), "error")
        elif form.to_date.data and form.from_date.data and form.to_date.data < form.from_date.data:
            flash(_("Slutdatoen ligger før startdatoen."), "error")
        else:
            services.add_tenancy(plot, tenant, form.from_date.data, form.to_date.data, by=current_user)
            db.session.commit()
            flash(_("Lejeren er tilføjet."), "success")
    else:
        flash(errors_text(form), "error")
    return redirect(url_for(".show", company_id=company.id, _anchor="grunde"))

