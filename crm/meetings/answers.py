"""Who answered: the invitation list's summary per answer, its filter, and the list as a table for people."""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm.companies.services import meeting_mail_contacts
from crm.i18n import localtime
from crm.mail.delivery import NOTHING
from crm.meetings.models import Rsvp

#: The answers the list is filtered by, as the query string names them; "none" is "not answered".
ANSWER_FILTERS = {"yes": Rsvp.YES, "maybe": Rsvp.MAYBE, "no": Rsvp.NO, "none": None}
#: An answer as the summary, the list's filter and the export name it.
ANSWER_NAMES = {Rsvp.YES: _l("Ja"), Rsvp.MAYBE: _l("Måske"), Rsvp.NO: _l("Nej"), None: _l("Ikke svaret")}


@dataclass
class AnswerCount:
    """Invited companies with one answer, and the persons of theirs who get the meeting's mails."""

    answer: str
    companies: int = 0
    persons: int = 0


def answer_filter(value):
    """The filter a query string asks for ("yes", "maybe", "no", "none"), or "" for all of them."""
    return value if isinstance(value, str) and value in ANSWER_FILTERS else ""


def summary(invitations):
    """[AnswerCount] for yes, maybe, no and not answered, then the total, from the loaded invitations (with their
    companies and contacts): persons are those who get the meeting's mails."""
    counts = {key: AnswerCount(key) for key in ANSWER_FILTERS}
    total = AnswerCount("")
    by_answer = {answer: key for key, answer in ANSWER_FILTERS.items()}
    for invitation in invitations:
        persons = len(meeting_mail_contacts(invitation.company))
        for count in (counts[by_answer[invitation.rsvp]], total):
            count.companies += 1
            count.persons += persons
    return [*counts.values(), total]


def chosen(invitations, answer):
    """The invitations with the answer the filter names (all for "")."""
    if not answer:
        return list(invitations)
    wanted = ANSWER_FILTERS[answer]
    return [invitation for invitation in invitations if invitation.rsvp == wanted]


def to_remind(invitations):
    """The invitations a reminder would go to now: sent, not answered, not reminded yet (as invitations.remind),
    and with someone to mail."""
    return [invitation for invitation in invitations if invitation.rsvp is None and invitation.reminded_at is None
            and invitation.sent_sequence is not None and meeting_mail_contacts(invitation.company)]


def export_table(invitations, delivery):
    """The invitation list as a table for people: Danish columns and values, times in Danish time; `delivery` is
    {company id: DeliveryState} of the meeting's mails. (columns, rows)."""
    columns = [_("Virksomhed"), _("CVR-nr."), _("Svar"), _("Svaret"), _("Svaret af"), _("Modtagere"),
               _("E-mails"), _("Påmindet"), _("Mails")]
    by_link = _("Svarlink")
    rows = []
    for invitation in invitations:
        recipients = meeting_mail_contacts(invitation.company)
        rows.append([
            invitation.company.name, invitation.company.cvr, str(ANSWER_NAMES[invitation.rsvp]),
            localtime(invitation.rsvp_at), by_link if invitation.rsvp_by == "link" else invitation.rsvp_by,
            ", ".join(contact.name for contact in recipients), ", ".join(contact.email for contact in recipients),
            localtime(invitation.reminded_at), str(delivery.get(invitation.company_id, NOTHING).label),
        ])
    return columns, rows
