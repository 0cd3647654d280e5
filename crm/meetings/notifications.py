"""The mails of the meeting cycle."""

from types import SimpleNamespace

from flask import current_app
from flask_babel import lazy_gettext as _l

from crm import ics
from crm.companies.models import ActivityKind
from crm.companies.services import log_activity
from crm.i18n import localtime
from crm.mail.services import merge_field, render_mail_merge

SUBJECTS = {
    "invite": _l("Invitation"),
    "update": _l("Ændret tid eller sted"),
    "cancel": _l("Aflyst"),
    "reminder": _l("Påmindelse"),
}


def meeting_time(meeting):
    """The meeting's time as the mails show it."""
    return f"{localtime(meeting.starts_at)}–{localtime(meeting.ends_at, 'HH:mm')}"


def rsvp_links(token):
    """The RSVP page of an invitation and its one-click answer links."""
    page = f"{current_app.config['BASE_URL']}/rsvp/{token}"
    return page, {answer: f"{page}?svar={answer}" for answer in ("yes", "no", "maybe")}


class InvitationMails:
    """One kind of mail (invitation, update, cancellation or reminder) about a meeting, to many contacts.

    The text, the HTML and the calendar are built once; each contact gets their own name, answer links and
    ATTENDEE line filled in.
    """

    def __init__(self, meeting, event, purpose):
        self.meeting, self.purpose = meeting, purpose
        self.method = "CANCEL" if purpose == "cancel" else "REQUEST"
        self.calendar = ics.per_attendee(event, self.method)
        page, links = rsvp_links(merge_field("token"))
        self.fill = render_mail_merge("meeting_invitation", meeting=meeting,
                                      contact=SimpleNamespace(name=merge_field("name")), links=links,
                                      rsvp_page=page, purpose=purpose, when=meeting_time(meeting))
        #: One line, whatever the stored title holds (a line break in old data would be a header of its own).
        self.subject = f"{SUBJECTS[purpose]}: {ics.one_line(meeting.title)}"

    def queue(self, batch, invitation, contact, token):
        """Add the mail to one contact of an invited company to the batch (the caller writes it); False when the
        batch refused it (see OutboxBatch.refused)."""
        text, html = self.fill(name=contact.name, token=token)
        calendar = self.calendar(contact.name, contact.email)
        return batch.add(
            to_address=contact.email, to_name=contact.name, subject=self.subject, body_text=text, body_html=html,
            company=invitation.company, concerns=self.meeting,
            attachments=[("invitation.ics", f"text/calendar; method={self.method}; charset=utf-8", calendar)],
        )


def note_refused(refused, subject, obj, by):
    """A line on each company's timeline naming the contact a mail could not go to, and why."""
    for mail in refused:
        if mail.company is not None:
            log_activity(mail.company.id, ActivityKind.EMAIL,
                         _l("Ikke sendt: %(subject)s, til %(recipient)s, fordi %(reason)s. Ret kontaktpersonen.",
                           subject=subject, recipient=mail.recipient, reason=mail.reason), author=by, obj=obj)
