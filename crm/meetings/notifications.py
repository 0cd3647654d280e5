"""The mails of the meeting cycle."""

from flask import current_app
from flask_babel import lazy_gettext as _l

from crm import ics
from crm.i18n import localtime
from crm.mail.services import queue_email, render_mail

SUBJECTS = {
    "invite": _l("Invitation"),
    "update": _l("Ændret tid eller sted"),
    "cancel": _l("Aflyst"),
    "reminder": _l("Påmindelse"),
}


def meeting_time(meeting):
    """The meeting's time as the mails show it, formatted once for a whole batch."""
    return f"{localtime(meeting.starts_at)}–{localtime(meeting.ends_at, 'HH:mm')}"


def notify_invitation(meeting, invitation, contact, event, token, purpose, *, when=None):
    """Mail one contact the invitation (or its update, cancellation or reminder) with the calendar part."""
    base = current_app.config["BASE_URL"]
    links = {answer: f"{base}/rsvp/{token}?svar={answer}" for answer in ("yes", "no", "maybe")}
    text, html = render_mail("meeting_invitation", meeting=meeting, contact=contact, links=links,
                             rsvp_page=f"{base}/rsvp/{token}", purpose=purpose, when=when or meeting_time(meeting))
    if purpose == "cancel":
        calendar, method = ics.cancellation(event, contact.name, contact.email), "CANCEL"
    else:
        calendar, method = ics.invitation(event, contact.name, contact.email), "REQUEST"
    queue_email(
        to_address=contact.email, to_name=contact.name, subject=f"{SUBJECTS[purpose]}: {meeting.title}",
        body_text=text, body_html=html, company=invitation.company, concerns=meeting,
        attachments=[("invitation.ics", f"text/calendar; method={method}; charset=utf-8", calendar)], flush=False,
    )
