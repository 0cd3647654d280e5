"""Writing mail to the outbox. Nothing here talks SMTP: the worker delivers after the commit."""

from contextlib import contextmanager
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import make_msgid, parseaddr
from functools import lru_cache
from typing import NamedTuple

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy import insert, select

from crm.companies.models import Contact
from crm.db import utcnow
from crm.extensions import db
from crm.mail.attachments import Generated
from crm.mail.models import EmailKind, EmailStatus, OutboundAttachment, OutboundEmail


class BadHeader(ValueError):
    """A header value that would let text become another header (CR or LF inside)."""

    def __init__(self, message, what=None):
        super().__init__(message)
        #: The value refused: "subject", "recipient name", "recipient address", "header name" or "header value".
        self.what = what


def _single_line(value, what):
    if value and ("\r" in value or "\n" in value):
        raise BadHeader(f"{what} must be one line", what)
    return value


#: Why a mail was left out of a batch, as staff read it.
REFUSAL_REASONS = {
    "recipient name": _l("navnet har et linjeskift"),
    "recipient address": _l("e-mailadressen er ikke én gyldig adresse"),
    "subject": _l("emnet har et linjeskift"),
    "header name": _l("en header har et linjeskift"),
    "header value": _l("en header har et linjeskift"),
}


@dataclass(frozen=True)
class RefusedMail:
    """A mail an OutboxBatch(skip_refused=True) left out: one of its values could have become another header."""

    to_name: str
    to_address: str
    #: The company the mail was for, or None.
    company: object
    #: Which value was refused (see BadHeader.what).
    what: str

    @property
    def reason(self):
        return REFUSAL_REASONS.get(self.what, REFUSAL_REASONS["recipient address"])

    @property
    def recipient(self):
        """The person as one line of text: the name and address as stored, line breaks shown as spaces."""
        name, address = " ".join(str(self.to_name or "").split()), " ".join(str(self.to_address or "").split())
        return f"{name} <{address}>" if name else f"<{address}>"

    def __str__(self):
        company = getattr(self.company, "name", None)
        return f"{company}: {self.recipient} ({self.reason})" if company else f"{self.recipient} ({self.reason})"


class Mailing(NamedTuple):
    """What a mailing to many put in the outbox: the number of mails queued and those left out (RefusedMail)."""

    queued: int
    refused: list


def refused_summary(refused, limit=10):
    """The recipients left out of a mailing as one Danish sentence for a flash message (the first `limit`)."""
    names = "; ".join(str(mail) for mail in refused[:limit])
    if len(refused) > limit:
        names += " " + _("og %(n)d flere", n=len(refused) - limit)
    return _("Ikke sendt til %(names)s. Ret kontaktpersonen på virksomhedens side.", names=names)


def render_mail(template, **context):
    """Render the paired templates mail/<template>.txt and .html with the network's signature."""
    text = render_template(f"mail/{template}.txt", **context)
    html = render_template(f"mail/{template}.html", **context)
    return text, html


def merge_field(name):
    """A placeholder for one recipient's value in a mail rendered once for a batch (see render_mail_merge)."""
    return f"\x1f{name}\x1f"


def render_mail_merge(template, **context):
    """Render a mail once for many recipients: the context holds merge_field() placeholders, and the returned
    function fills in one recipient's values, escaped in the HTML part, and gives (text, html).
    """
    text, html = render_mail(template, **context)

    def fill(**values):
        recipient_text, recipient_html = text, html
        for name, value in values.items():
            value = value.replace("\x1f", "")
            recipient_text = recipient_text.replace(merge_field(name), value)
            recipient_html = recipient_html.replace(merge_field(name), str(escape(value)))
        return recipient_text, recipient_html

    return fill


def queue_email(*, attachments=(), flush=True, **fields):
    """Add one mail to the outbox in the caller's transaction; it is sent only if that commits.

    Fields: to_address, subject, body_text, and optionally body_html, to_name, company, concerns (the object the
    mail is about), kind, headers, sender, reply_to. Attachments are (filename, content type, bytes or Generated).
    To queue many mails at once, use an OutboxBatch.
    """
    email = OutboundEmail(**_email_values(**fields))
    email.attachments = [OutboundAttachment(**values) for values in _attachment_values(attachments)]
    db.session.add(email)
    if flush:
        db.session.flush()
    return email


class OutboxBatch:
    """Many mails queued with two INSERT statements (the mails, then their attachments) when write() is called,
    in the caller's transaction: hundreds of invitations without the cost of an ORM object each.

    With skip_refused, a mass mailing never fails as a whole because of one recipient: a mail whose values could
    smuggle in a header (a contact's name with a line break, an address that is not one) is left out and noted
    in `refused`, and the rest go.
    """

    def __init__(self, *, skip_refused=False):
        self.emails, self.attachments = [], []
        self.skip_refused = skip_refused
        #: The mails left out by add() (with skip_refused): a RefusedMail each, in the order added.
        self.refused = []

    def add(self, *, attachments=(), **fields):
        """Check and keep one mail, with the same fields as queue_email; True when it is kept. A mail that could
        smuggle in a header raises BadHeader, or with skip_refused is left out, noted in `refused`, and gives
        False."""
        try:
            values = _email_values(**fields)
        except BadHeader as error:
            if not self.skip_refused:
                raise
            self.refused.append(RefusedMail(fields.get("to_name") or "", fields.get("to_address") or "",
                                            fields.get("company"), error.what or "recipient address"))
            return False
        self.emails.append(values)
        self.attachments.append(_attachment_values(attachments))
        return True

    def write(self):
        """Insert what was added; the new mails' ids, in the order added."""
        if not self.emails:
            return []
        ids = db.session.scalars(insert(OutboundEmail).returning(OutboundEmail.id, sort_by_parameter_order=True),
                                 self.emails).all()
        rows = [{**values, "email_id": email_id} for email_id, attachments in zip(ids, self.attachments, strict=True)
                for values in attachments]
        if rows:
            db.session.execute(insert(OutboundAttachment), rows)
        self.emails, self.attachments = [], []
        return ids


#: Where the session keeps the mass mailing that mails queued now belong to (see queued_for).
MASS_MAILING_KEY = "mass_mailing_id"


@contextmanager
def queued_for(mass_mailing):
    """Every mail queued in this session inside the block belongs to the mass mailing (a MassMailing)."""
    db.session.info[MASS_MAILING_KEY] = mass_mailing.id
    try:
        yield mass_mailing
    finally:
        db.session.info.pop(MASS_MAILING_KEY, None)


def _check_recipient(to_name, to_address):
    """The plain address of a recipient; BadHeader when the name or address could not stand in a mail."""
    _single_line(to_name, "recipient name")
    _single_line(to_address, "recipient address")
    name, address = parseaddr(to_address)
    if "@" not in address or address != to_address.strip():
        raise BadHeader("recipient must be one plain address", "recipient address")
    return address


def recipient_refusal(to_name, to_address):
    """Why the outbox would leave this recipient out (a RefusedMail reason), or None when it takes them."""
    try:
        _check_recipient(to_name or "", to_address or "")
    except BadHeader as error:
        return REFUSAL_REASONS.get(error.what, REFUSAL_REASONS["recipient address"])
    return None


def _email_values(*, to_address, subject, body_text, body_html=None, to_name="", company=None, concerns=None,
                  kind=EmailKind.SERVICE, headers=None, sender=None, reply_to=None):
    """The outbox row of one mail, refused (BadHeader) when a value could smuggle in another header."""
    _single_line(subject, "subject")
    address = _check_recipient(to_name, to_address)
    for name, value in (headers or {}).items():
        _single_line(name, "header name")
        _single_line(value, "header value")
    sender = sender or current_app.config["MAIL_DEFAULT_SENDER"]
    now = utcnow()
    return {
        "message_id": make_msgid(domain=_domain_of(sender)), "kind": kind, "sender": sender,
        "reply_to": reply_to or current_app.config.get("MAIL_REPLY_TO"), "to_name": to_name,
        "to_address": address, "subject": subject, "body_text": body_text, "body_html": body_html,
        "headers": headers or None,
        "object_type": concerns.__tablename__ if concerns is not None else None,
        "object_id": concerns.id if concerns is not None else None,
        "company_id": company.id if company is not None else None,
        "mass_mailing_id": db.session.info.get(MASS_MAILING_KEY),
        "status": EmailStatus.QUEUED, "attempts": 0, "next_attempt_at": now, "created_at": now,
    }


@lru_cache(maxsize=32)
def _domain_of(sender):
    """The sender's domain, for Message-IDs (read once per sender, not once per mail)."""
    return parseaddr(sender)[1].rpartition("@")[2] or "holme-crm.local"


def _attachment_values(attachments):
    values = []
    for filename, content_type, data in attachments:
        if isinstance(data, Generated):
            values.append({"filename": filename, "content_type": content_type, "data": None,
                           "generator": data.name, "generator_id": data.object_id})
        else:
            values.append({"filename": filename, "content_type": content_type, "data": data, "generator": None,
                           "generator_id": None})
    return values


def recipient_contacts(emails):
    """(id, company_id) of the contact persons the mails were addressed to: by address, within the mail's company
    where it names one (an address may belong to a person of several companies)."""
    addresses = {email.to_address.lower() for email in emails if email.to_address}
    if not addresses:
        return []
    companies = {email.to_address.lower(): email.company_id for email in emails if email.to_address}
    return [row for row in db.session.execute(select(Contact.id, Contact.company_id, Contact.email)
                                              .where(Contact.email.in_(addresses)))
            if companies.get(row.email) in (None, row.company_id)]


def formatted_recipient(email):
    """The To: header of a mail, with the name encoded safely."""
    return str(Address(display_name=email.to_name or "", addr_spec=email.to_address))


def retry_email(email):
    """Queue a failed or cancelled mail again, now; False when it is in another state or its text is gone."""
    if email.status not in (EmailStatus.FAILED, EmailStatus.CANCELLED) or email.trimmed_at is not None:
        return False
    email.status = EmailStatus.QUEUED
    email.next_attempt_at = utcnow()
    email.attempts = 0
    return True


def cancel_email(email):
    """Stop a mail that has not been sent; False when it is sending or sent."""
    if email.status not in (EmailStatus.QUEUED, EmailStatus.FAILED):
        return False
    email.status = EmailStatus.CANCELLED
    return True
