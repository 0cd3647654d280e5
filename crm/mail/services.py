"""Writing mail to the outbox. Nothing here talks SMTP: the worker delivers after the commit."""

from email.headerregistry import Address
from email.utils import make_msgid, parseaddr

from flask import current_app, render_template
from markupsafe import escape

from crm.db import utcnow
from crm.extensions import db
from crm.mail.attachments import Generated
from crm.mail.models import EmailKind, EmailStatus, OutboundAttachment, OutboundEmail


class BadHeader(ValueError):
    """A header value that would let text become another header (CR or LF inside)."""


def _single_line(value, what):
    if value and ("\r" in value or "\n" in value):
        raise BadHeader(f"{what} must be one line")
    return value


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


def queue_email(*, to_address, subject, body_text, body_html=None, to_name="", company=None,
                concerns=None, kind=EmailKind.SERVICE, attachments=(), headers=None, sender=None,
                reply_to=None, flush=True):
    """Add one mail to the outbox in the caller's transaction; it is sent only if that commits.

    Callers queueing many mails at once pass flush=False and flush once: the rows then go in as one batch.
    """
    _single_line(subject, "subject")
    _single_line(to_name, "recipient name")
    _single_line(to_address, "recipient address")
    for name, value in (headers or {}).items():
        _single_line(name, "header name")
        _single_line(value, "header value")
    name, address = parseaddr(to_address)
    if "@" not in address or address != to_address.strip():
        raise BadHeader("recipient must be one plain address")
    sender = sender or current_app.config["MAIL_DEFAULT_SENDER"]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "holme-crm.local"
    email = OutboundEmail(
        message_id=make_msgid(domain=domain),
        kind=kind,
        sender=sender,
        reply_to=reply_to or current_app.config.get("MAIL_REPLY_TO"),
        to_name=to_name,
        to_address=address,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        headers=headers or None,
        object_type=concerns.__tablename__ if concerns is not None else None,
        object_id=concerns.id if concerns is not None else None,
        company_id=company.id if company is not None else None,
    )
    for filename, content_type, data in attachments:
        if isinstance(data, Generated):
            attachment = OutboundAttachment(filename=filename, content_type=content_type, generator=data.name,
                                            generator_id=data.object_id)
        else:
            attachment = OutboundAttachment(filename=filename, content_type=content_type, data=data)
        email.attachments.append(attachment)
    db.session.add(email)
    if flush:
        db.session.flush()
    return email


def formatted_recipient(email):
    """The To: header of a mail, with the name encoded safely."""
    return str(Address(display_name=email.to_name or "", addr_spec=email.to_address))


def retry_email(email):
    """Queue a failed or cancelled mail again, now; False when it is in another state."""
    if email.status not in (EmailStatus.FAILED, EmailStatus.CANCELLED):
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
