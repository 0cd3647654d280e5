"""Writing minutes, action items, attachments, publishing, the archive."""

from datetime import UTC, datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.auth.models import STAFF_ROLES
from crm.companies.services import find_by_cvr
from crm.cvr import InvalidNumber, normalise_cvr
from crm.downloads import as_download
from crm.extensions import db
from crm.http import whole_number
from crm.meetings import minutes
from crm.meetings.blueprint import bp
from crm.meetings.documents import minutes_text, render_minutes
from crm.meetings.models import ActionItem, Meeting, MeetingAttachment
from crm.security import roles_required
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
    if request.method == "POST":
        texts = {item.id: (request.form.get(f"minutes-{item.id}", "")[:50_000],
                           request.form.get(f"decisions-{item.id}", "")[:10_000]) for item in meeting.agenda}
        minutes.save_minutes(meeting, texts, by=current_user)
        db.session.commit()
        flash(_("Referatet er gemt."), "success")
        return redirect(url_for(".edit_minutes", meeting_id=meeting.id))
    return render_template("meetings/minutes.html", meeting=meeting, items=minutes.action_items(meeting),
                           attachments=minutes.attachments_of(meeting))


@bp.post("/<int:meeting_id>/actions")
@roles_required(*STAFF_ROLES)
def add_action(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    title = request.form.get("title", "").strip()[:500]
    owner, owner_name = None, request.form.get("owner_name", "").strip()[:200]
    due = request.form.get("due_on", "")
    if not title:
        flash(_("Skriv hvad opgaven går ud på."), "error")
        return redirect(url_for(".edit_minutes", meeting_id=meeting.id, _anchor="opgaver"))
    if request.form.get("owner_cvr", "").strip():
        try:
            owner = find_by_cvr(normalise_cvr(request.form["owner_cvr"]))
        except InvalidNumber as error:
            flash(str(error), "error")
            return redirect(url_for(".edit_minutes", meeting_id=meeting.id, _anchor="opgaver"))
        if owner is None:
            flash(_("Der er ingen virksomhed med det CVR-nummer."), "error")
            return redirect(url_for(".edit_minutes", meeting_id=meeting.id, _anchor="opgaver"))
    try:
        due_on = datetime.strptime(due, "%Y-%m-%d").date() if due else None
    except ValueError:
        flash(_("Vælg en dato."), "error")
        return redirect(url_for(".edit_minutes", meeting_id=meeting.id, _anchor="opgaver"))
    minutes.add_action_item(meeting, title, owner_company=owner, owner_name=owner_name, due_on=due_on,
                            by=current_user)
    db.session.commit()
    flash(_("Opgaven er tilføjet."), "success")
    return redirect(url_for(".edit_minutes", meeting_id=meeting.id, _anchor="opgaver"))


@bp.post("/<int:meeting_id>/actions/<int:item_id>/status")
@roles_required(*STAFF_ROLES)
def action_status(meeting_id, item_id):
    item = db.session.scalars(select(ActionItem).where(ActionItem.id == item_id,
                                                       ActionItem.meeting_id == meeting_id)).first() or abort(404)
    minutes.set_action_done(item, request.form.get("done") == "1", by=current_user)
    db.session.commit()
    return redirect(request.form.get("back") if request.form.get("back", "").startswith("/meetings/")
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
    audience = "present" if request.form.get("audience") == "present" else "invited"
    try:
        sent = minutes.publish(meeting, audience, by=current_user)
    except minutes.AlreadyPublished:
        db.session.rollback()
        flash(_("Referatet er allerede sendt; det sendes ikke igen."), "info")
        return redirect(url_for(".edit_minutes", meeting_id=meeting_id))
    db.session.commit()
    flash(_("Referatet er offentliggjort og lagt i udbakken til %(n)d modtagere.", n=sent), "success")
    return redirect(url_for(".edit_minutes", meeting_id=meeting_id))


@bp.get("/archive")
@roles_required(*STAFF_ROLES)
def minutes_archive():
    year = request.args.get("year", type=whole_number) or datetime.now(UTC).year
    return render_template("meetings/archive.html", year=year, meetings=minutes.archive(year))
