"""Portal home, meetings with RSVP, minutes and their attachments."""

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.contributions import reporting
from crm.downloads import as_download
from crm.extensions import db
from crm.meetings import invitations, minutes
from crm.meetings.forms import RSVP_LABELS
from crm.meetings.models import Invitation, Meeting, MeetingAttachment, MeetingStatus, Rsvp
from crm.portal import services
from crm.portal.blueprint import bp
from crm.security import Role, get_for_company_or_404, not_found_for_company, roles_required


def _meeting_or_404(meeting_id):
    meeting = db.session.scalars(select(Meeting).where(
        Meeting.id == meeting_id, services.visible_meetings(current_user.company_id))).first()
    return meeting or not_found_for_company(Meeting, meeting_id)


@bp.app_template_global()
def rsvp_closed(meeting):
    """True when the meeting no longer takes answers (as invitations.answer decides)."""
    return meeting.status != MeetingStatus.PLANNED or meeting.starts_at <= datetime.now(UTC)


@bp.get("/")
@roles_required(Role.COMPANY)
def index():
    company_id = current_user.company_id
    return render_template(
        "portal/index.html", company=current_user.company, upcoming=services.upcoming_invitations(company_id),
        minutes=services.published_minutes(company_id, limit=5), tasks=services.open_action_items(company_id),
        memberships=services.current_groups(company_id), news=services.latest_news(company_id), labels=RSVP_LABELS,
        invoices=reporting.company_invoices(company_id, only_open=True),
    )


@bp.post("/invitations/<int:invitation_id>/rsvp")
@roles_required(Role.COMPANY)
def rsvp(invitation_id):
    invitation = get_for_company_or_404(Invitation, invitation_id, Invitation.company_id)
    if not invitation.mailed:  # not sent yet: the company does not know of the meeting
        abort(404)
    answer = request.form.get("rsvp", "")
    if answer not in set(Rsvp):
        abort(400)
    saved = False
    try:
        invitations.answer(invitation, answer, by_whom=current_user.email)
    except invitations.InvitationRefused:
        db.session.rollback()
    else:
        db.session.commit()
        saved = True
    if request.headers.get("HX-Request"):
        return render_template("portal/_rsvp.html", invitation=invitation, labels=RSVP_LABELS, saved=saved,
                               back=request.form.get("back", ""))  # htmx swaps 2xx answers only
    if saved:
        flash(_("Jeres svar er gemt: %(answer)s.", answer=RSVP_LABELS[invitation.rsvp]), "success")
    else:
        flash(_("Mødet er begyndt eller aflyst, så svaret kan ikke længere ændres."), "error")
    target = "portal.meetings" if request.form.get("back") == "meetings" else "portal.index"
    return redirect(url_for(target, _anchor=f"invitation-{invitation.id}"))


@bp.get("/meetings")
@roles_required(Role.COMPANY)
def meetings():
    company_id = current_user.company_id
    return render_template(
        "portal/meetings.html", upcoming=services.upcoming_invitations(company_id),
        past=services.past_invitations(company_id), minutes=services.published_minutes(company_id),
        labels=RSVP_LABELS,
    )


@bp.get("/meetings/<int:meeting_id>")
@roles_required(Role.COMPANY)
def meeting(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    published = meeting.minutes_published_at is not None
    return render_template(
        "portal/meeting.html", meeting=meeting, labels=RSVP_LABELS, published=published,
        invitation=services.invitation_of(current_user.company_id, meeting.id),
        items=minutes.action_items(meeting) if published else [],
        attachments=minutes.attachments_of(meeting) if published else [],
    )


@bp.get("/meetings/<int:meeting_id>/attachments/<int:attachment_id>")
@roles_required(Role.COMPANY)
def attachment(meeting_id, attachment_id):
    meeting = _meeting_or_404(meeting_id)
    found = db.session.scalars(select(MeetingAttachment).where(
        MeetingAttachment.id == attachment_id, MeetingAttachment.meeting_id == meeting.id)).first()
    if found is None or meeting.minutes_published_at is None:
        not_found_for_company(MeetingAttachment, attachment_id)
    return as_download(found.data, found.content_type, found.filename)


@bp.get("/meetings/<int:meeting_id>/minutes.pdf")
@roles_required(Role.COMPANY)
def minutes_pdf(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    if meeting.minutes_published_at is None:
        abort(404)
    return as_download(minutes.minutes_pdf(meeting), "application/pdf", f"referat-{meeting.id}.pdf")
