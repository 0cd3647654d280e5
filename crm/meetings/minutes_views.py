"""Writing minutes, action items, attachments, publishing, the archive."""

from datetime import UTC, datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from crm.companies.lookup import FIRST_LIST, suggestions
from crm.downloads import as_download
from crm.extensions import db
from crm.forms import errors_text
from crm.http import whole_number
from crm.mail import confirmation
from crm.mail.confirmation import Audience
from crm.mail.delivery import NOTHING, delivery_states, latest_mailing
from crm.mail.services import queued_for, refused_summary, render_mail
from crm.meetings import minutes
from crm.meetings.blueprint import bp
from crm.meetings.documents import minutes_text, render_minutes
from crm.meetings.forms import ActionItemForm, ActionStatusForm, MinutesPreviewForm, PublishForm, minutes_form
from crm.meetings.models import ActionItem, Meeting, MeetingAttachment
from crm.security import STAFF_ROLES, roles_required
from crm.uploads import MAX_ATTACHMENT_BYTES, AttachmentRefused, uploaded_file


@bp.app_template_filter("minutes_html")
def minutes_html_filter(text):
    return render_minutes(text or "")


@bp.app_template_filter("minutes_text")
def minutes_text_filter(text):
    return minutes_text(text or "")



@bp.route("/<int:meeting_id>/minutes", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def edit_minutes(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = minutes_form(meeting, current_user.name)
    if form.validate_on_submit():
        texts = {item.id: (form[f"minutes-{item.id}"].data or "", form[f"decisions-{item.id}"].data or "")
                 for item in meeting.agenda}
        minutes.save_minutes(meeting, texts, writer=(form.writer.data or "").strip(), by=current_user)
        db.session.commit()
        flash(_("Referatet er gemt."), "success")
        return redirect(url_for(".edit_minutes", meeting_id=meeting.id))
    return _minutes_page(meeting, form=form, refused=form.is_submitted())


@bp.post("/<int:meeting_id>/minutes/preview")
@roles_required(*STAFF_ROLES)
def preview_minutes(meeting_id):
    """The minutes as typed, rendered as they will be shown and sent; nothing is stored. As you type (htmx), the
    preview of the agenda item whose field sent it; from the preview button, the page with every item previewed."""
    meeting = db.get_or_404(Meeting, meeting_id)
    if not request.headers.get("HX-Request"):
        form = minutes_form(meeting, current_user.name)
        form.validate_on_submit()
        return _minutes_page(meeting, form=form, refused=bool(form.errors))
    trigger = request.headers.get("HX-Trigger-Name", "")  # the name of the field that sent it: minutes-<item id>
    item = next((item for item in meeting.agenda if f"minutes-{item.id}" == trigger), None) or abort(404)
    typed = MultiDict({"text": request.form.get(f"minutes-{item.id}", "")})
    form = MinutesPreviewForm(formdata=typed, meta={"csrf": False})
    if not form.validate():  # the request's CSRF token was checked by CSRFProtect before the view
        return render_template("meetings/_minutes_preview_refused.html", errors=form.text.errors)
    return render_template("meetings/_minutes_preview.html", preview_text=form.text.data or "")


def _minutes_page(meeting, *, form=None, action_form=None, refused=False):
    """The minutes page; a refused form is shown again as typed, with 422 (the minutes are long texts)."""
    return render_template("meetings/minutes.html", meeting=meeting, items=minutes.action_items(meeting),
                           attachments=minutes.attachments_of(meeting),
                           form=form or minutes_form(meeting, current_user.name, formdata=None),
                           action_form=action_form or ActionItemForm(formdata=None),
                           publish_form=PublishForm(formdata=None), companies=suggestions("", FIRST_LIST),
                           delivery=delivery_states(Meeting.__tablename__, [meeting.id], purposes=("minutes",))
                           .get(meeting.id, NOTHING),
                           latest=latest_mailing(meeting, purposes=("minutes",))), 422 if refused else 200


@bp.post("/<int:meeting_id>/actions")
@roles_required(*STAFF_ROLES)
def add_action(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = ActionItemForm()
    if not form.validate_on_submit():
        return _minutes_page(meeting, action_form=form, refused=True)
    minutes.add_action_item(meeting, form.title.data.strip(), owner_company=form.owner.company,
                            owner_name=(form.owner_name.data or "").strip(), due_on=form.due_on.data,
                            by=current_user)
    db.session.commit()
    flash(_("Opgaven er tilføjet."), "success")
    return redirect(url_for(".edit_minutes", meeting_id=meeting.id, _anchor="opgaver"))


@bp.post("/<int:meeting_id>/actions/<int:item_id>/status")
@roles_required(*STAFF_ROLES)
def action_status(meeting_id, item_id):
    item = db.session.scalars(select(ActionItem).where(ActionItem.id == item_id,
                                                       ActionItem.meeting_id == meeting_id)).first() or abort(404)
    form = ActionStatusForm()
    if not form.validate_on_submit():
        abort(400)
    minutes.set_action_done(item, form.done.data == "1", by=current_user)
    db.session.commit()
    back = form.back.data or ""
    return redirect(back if back.startswith("/meetings/")
                    else url_for(".edit_minutes", meeting_id=meeting_id, _anchor="opgaver"))


@bp.post("/<int:meeting_id>/attachments")
@roles_required(*STAFF_ROLES)
def upload_attachment(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    upload = uploaded_file(MAX_ATTACHMENT_BYTES)
    if upload is None:
        flash(_("Vælg en fil."), "error")
    else:
        try:
            minutes.attach(meeting, *upload, by=current_user)
        except AttachmentRefused as refused:
            flash(str(refused), "error")
        else:
            db.session.commit()
            flash(_("Bilaget er gemt."), "success")
    return redirect(url_for(".edit_minutes", meeting_id=meeting.id, _anchor="bilag"))


@bp.get("/<int:meeting_id>/attachments/<int:attachment_id>")
@roles_required(*STAFF_ROLES)
def download_attachment(meeting_id, attachment_id):
    attachment = db.session.scalars(select(MeetingAttachment).where(
        MeetingAttachment.id == attachment_id, MeetingAttachment.meeting_id == meeting_id)).first() or abort(404)
    return as_download(attachment.data, attachment.content_type, attachment.filename)


@bp.get("/<int:meeting_id>/minutes.pdf")
@roles_required(*STAFF_ROLES)
def minutes_pdf(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    return Response(minutes.minutes_pdf(meeting), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="referat-{meeting.id}.pdf"'})


@bp.post("/<int:meeting_id>/publish")
@roles_required(*STAFF_ROLES)
def publish(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = PublishForm()
    back = url_for(".edit_minutes", meeting_id=meeting_id)
    if not form.validate_on_submit():
        flash(errors_text(form), "error")
        return redirect(back)
    audience = form.audience.data
    title = _("Referat: %(title)s", title=meeting.title)
    if not confirmation.confirming():
        if meeting.minutes_published_at is not None:
            flash(_("Referatet er allerede sendt; det sendes ikke igen."), "info")
            return redirect(back)
        preview = render_mail("minutes", meeting=meeting, contact=confirmation.example_contact(),
                              items=minutes.action_items(meeting))[0]
        return confirmation.ask(title=title, audience=Audience.of(minutes.recipients(meeting, audience)),
                                preview=preview, subject=title, button=_("Offentliggør og send"), back=back)
    mass, first_click = confirmation.start("minutes", meeting, title, back=back, by=current_user)
    if not first_click:
        return confirmation.already_started(mass)
    try:
        with queued_for(mass):
            mailing = minutes.publish(meeting, audience, by=current_user)
    except minutes.AlreadyPublished:
        db.session.rollback()
        flash(_("Referatet er allerede sendt; det sendes ikke igen."), "info")
        return redirect(back)
    confirmation.finish(mass, mailing.queued, mailing.refused)
    db.session.commit()
    flash(_("Referatet er offentliggjort og lagt i udbakken til %(n)d modtagere.", n=mailing.queued), "success")
    if mailing.refused:
        flash(refused_summary(mailing.refused), "warning")
    return confirmation.delivery_page(mass)


@bp.get("/archive")
@roles_required(*STAFF_ROLES)
def minutes_archive():
    year = request.args.get("year", type=whole_number) or datetime.now(UTC).year
    return render_template("meetings/archive.html", year=year, meetings=minutes.archive(year))
