"""Pages of the working groups."""

from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from crm.audit.access import record_access
from crm.audit.access_models import AccessKind
from crm.companies.lookup import FIRST_LIST, suggestions
from crm.companies.models import Company
from crm.downloads import as_download
from crm.extensions import db
from crm.groups import services
from crm.groups.blueprint import bp
from crm.groups.forms import (
    CO_CHAIR,
    INITIATIVE_LABELS,
    ROLE_LABELS,
    AddMembersForm,
    GroupForm,
    GroupMailForm,
    InitiativeForm,
    MemberRoleForm,
    RemoveMemberForm,
)
from crm.groups.models import GroupDocument, GroupMembership, Initiative, InitiativeStatus, MemberRole, WorkingGroup
from crm.mail import confirmation
from crm.mail.confirmation import Audience
from crm.mail.services import queued_for, refused_summary, render_mail
from crm.security import STAFF_ROLES, Role, roles_required
from crm.signals import collect, group_page_panels
from crm.uploads import MAX_ATTACHMENT_BYTES, AttachmentRefused, uploaded_file


@bp.app_template_global()
def member_role_label(role):
    return ROLE_LABELS.get(role, role)


@bp.app_template_global()
def initiative_status_label(status):
    return INITIATIVE_LABELS.get(status, status)


def _group_or_404(slug, *options):
    group = db.session.scalars(select(WorkingGroup).where(WorkingGroup.slug == slug).options(*options)).unique().first()
    if group is None:
        abort(404)
    return group


def _membership_of(group, membership_id):
    membership = db.session.scalars(select(GroupMembership).where(
        GroupMembership.id == membership_id, GroupMembership.group_id == group.id,
        GroupMembership.left_on.is_(None))).first()
    if membership is None:
        abort(404)
    return membership


@bp.get("/")
@roles_required(*STAFF_ROLES)
def index():
    groups = db.session.scalars(select(WorkingGroup).order_by(WorkingGroup.active.desc(), WorkingGroup.name)).all()
    year_start = date(date.today().year, 1, 1)
    return render_template("groups/index.html", groups=groups, now=services.member_counts(),
                           before=services.member_counts(year_start), year_start=year_start)


def _with_initiatives():
    return joinedload(WorkingGroup.initiatives).joinedload(Initiative.figures)  # the group and its results: one query


@bp.get("/<slug>")
@roles_required(*STAFF_ROLES)
def show(slug):
    return _group_page(_group_or_404(slug, _with_initiatives()))


def _group_page(group, *, add_form=None, initiative_form=None):
    """The group's page, with the parts other areas add (its meetings); a refused form is shown again as typed,
    with 422."""
    panels = sorted(collect(group_page_panels, group), key=lambda panel: panel.order)
    refused = add_form is not None or initiative_form is not None
    members = services.current_members(group)
    if contacts := [member.contact for member in members if member.contact is not None]:
        record_access(AccessKind.SEARCH, contacts=contacts)
    return render_template(
        "groups/show.html", group=group, members=members,
        add_form=add_form or AddMembersForm(formdata=None), initiative_form=initiative_form or InitiativeForm(
            formdata=None), is_admin=current_user.role == Role.ADMIN, documents=services.documents_of(group),
        panels=panels, companies=suggestions("", FIRST_LIST) if group.active else [],
    ), 422 if refused else 200


@bp.post("/<slug>/members")
@roles_required(*STAFF_ROLES)
def add_members(slug):
    group = _group_or_404(slug, _with_initiatives())
    form = AddMembersForm()
    if not form.validate_on_submit():
        return _group_page(group, add_form=form)
    numbers = form.cvr_numbers()
    companies = db.session.scalars(select(Company).where(Company.cvr.in_(numbers))).all()
    unknown = sorted(set(numbers) - {company.cvr for company in companies})
    picked = form.company.company
    if picked is not None and picked not in companies:
        companies.insert(0, picked)
    role, replace_chair = _chosen_role(form.role.data)
    try:
        added, skipped = services.add_members(group, companies, role=role, replace_chair=replace_chair,
                                              by=current_user)
    except services.GroupArchived:
        flash(_("Gruppen er arkiveret; der kan ikke komme nye medlemmer."), "error")
        return redirect(url_for(".show", slug=group.slug))
    db.session.commit()
    if added:
        flash(_("Tilføjet: %(names)s.", names=", ".join(c.name for c in added)), "success")
    if skipped:
        flash(_("Allerede med: %(names)s.", names=", ".join(c.name for c in skipped)), "warning")
    if unknown:
        flash(_("Ingen virksomhed med CVR-nummer %(cvrs)s.", cvrs=", ".join(unknown)), "error")
    return redirect(url_for(".show", slug=group.slug))


def _chosen_role(choice):
    """The stored role of a choice, and whether a new chair takes over from the current one (not as co-chair)."""
    if choice == CO_CHAIR:
        return MemberRole.CHAIR, False
    return MemberRole(choice), choice == MemberRole.CHAIR


@bp.post("/<slug>/members/<int:membership_id>/remove")
@roles_required(*STAFF_ROLES)
def remove_member(slug, membership_id):
    group = _group_or_404(slug)
    membership = _membership_of(group, membership_id)
    form = RemoveMemberForm()
    if not form.validate_on_submit():
        abort(400)
    if services.only_chair(membership) and not form.confirm.data:
        return render_template("groups/confirm_remove.html", group=group, membership=membership)
    services.remove_member(membership, by=current_user)
    db.session.commit()
    flash(_("%(name)s er ikke længere med i gruppen.", name=membership.company.name), "success")
    return redirect(url_for(".show", slug=group.slug))


@bp.post("/<slug>/members/<int:membership_id>/role")
@roles_required(*STAFF_ROLES)
def set_role(slug, membership_id):
    group = _group_or_404(slug)
    membership = _membership_of(group, membership_id)
    form = MemberRoleForm()
    if not form.validate_on_submit():
        abort(400)
    role, replace_chair = _chosen_role(form.role.data)
    if role == MemberRole.MEMBER and services.only_chair(membership) and not form.confirm.data:
        flash(_("%(name)s er gruppens eneste formand. Vælg en ny formand først, eller bekræft.",
                name=membership.company.name), "warning")
        return redirect(url_for(".show", slug=group.slug))
    services.set_role(membership, role, replace_chair=replace_chair, by=current_user)
    db.session.commit()
    flash(_("Rollen er gemt."), "success")
    return redirect(url_for(".show", slug=group.slug))


@bp.route("/<slug>/mail", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def mail(slug):
    group = _group_or_404(slug)
    form = GroupMailForm()
    if form.validate_on_submit():
        title = _("Mail til %(group)s: %(subject)s", group=group.name, subject=form.subject.data)
        back = url_for(".show", slug=group.slug)
        if not confirmation.confirming():
            preview = render_mail("group_message", group=group, contact=confirmation.example_contact(),
                                  body=form.body.data)[0]
            return confirmation.ask(title=title, audience=Audience.of(services.mail_recipients(group)),
                                    preview=preview, subject=form.subject.data, button=_("Send"), back=back)
        mass, first_click = confirmation.start("group", group, title, back=back, by=current_user)
        if not first_click:
            return confirmation.already_started(mass)
        with queued_for(mass):
            mailing = services.mail_group(group, form.subject.data, form.body.data, by=current_user)
        confirmation.finish(mass, mailing.queued, mailing.refused)
        db.session.commit()
        flash(_("Mailen er lagt i udbakken til %(n)d medlemmer.", n=mailing.queued), "success")
        if mailing.refused:
            flash(refused_summary(mailing.refused), "warning")
        return confirmation.delivery_page(mass)
    return render_template("groups/mail.html", group=group, form=form,
                           members=services.current_members(group)), 422 if form.is_submitted() else 200


@bp.post("/<slug>/initiatives")
@roles_required(*STAFF_ROLES)
def add_initiative(slug):
    group = _group_or_404(slug, _with_initiatives())
    form = InitiativeForm()
    if not form.validate_on_submit():
        return _group_page(group, initiative_form=form)
    services.add_initiative(group, form.title.data.strip(), (form.description.data or "").strip(),
                            InitiativeStatus(form.status.data), form.figure_rows(), by=current_user)
    db.session.commit()
    flash(_("Initiativet er gemt."), "success")
    return redirect(url_for(".show", slug=group.slug, _anchor="initiativer"))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create():
    form = GroupForm()
    if form.validate_on_submit():
        if _taken(form):
            return render_template("groups/form.html", form=form), 422
        group = services.save_group(_values(form), by=current_user)
        db.session.commit()
        flash(_("Gruppen er oprettet."), "success")
        return redirect(url_for(".show", slug=group.slug))
    return render_template("groups/form.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(slug):
    group = _group_or_404(slug)
    form = GroupForm(obj=group)
    if form.validate_on_submit():
        if _taken(form, group):
            return render_template("groups/form.html", form=form, group=group), 422
        services.save_group(_values(form), group, by=current_user)
        db.session.commit()
        flash(_("Gruppen er gemt."), "success")
        return redirect(url_for(".show", slug=group.slug))
    return render_template("groups/form.html", form=form, group=group), 422 if form.is_submitted() else 200


def _values(form):
    return {"name": form.name.data.strip(), "slug": form.slug.data, "purpose": (form.purpose.data or "").strip(),
            "active": form.active.data}


def _taken(form, group=None):
    """Add an error when another group has the name or the short name."""
    for field, column in ((form.name, WorkingGroup.name), (form.slug, WorkingGroup.slug)):
        other = db.session.scalars(select(WorkingGroup).where(column == field.data.strip())).first()
        if other is not None and other is not group:
            field.errors.append(_("En anden gruppe hedder allerede sådan."))
    return bool(form.name.errors or form.slug.errors)


@bp.post("/<slug>/documents")
@roles_required(*STAFF_ROLES)
def upload_document(slug):
    group = _group_or_404(slug)
    upload = uploaded_file(MAX_ATTACHMENT_BYTES)
    if upload is None:
        flash(_("Vælg en fil."), "error")
    else:
        try:
            services.add_document(group, *upload, by=current_user)
        except AttachmentRefused as refused:
            flash(str(refused), "error")
        else:
            db.session.commit()
            flash(_("Dokumentet er gemt."), "success")
    return redirect(url_for(".show", slug=group.slug, _anchor="dokumenter"))


@bp.get("/<slug>/documents/<int:document_id>")
@roles_required(*STAFF_ROLES)
def download_document(slug, document_id):
    group = _group_or_404(slug)
    document = db.session.scalars(select(GroupDocument).where(
        GroupDocument.id == document_id, GroupDocument.group_id == group.id)).first() or abort(404)
    return as_download(document.data, document.content_type, document.filename)
