"""The MIME message of one outbox row, built and checked before the worker sends it. Pure: no database, no SMTP.

A row that would let text become another header, or that holds a malformed address or header, raises BadHeader
or Undeliverable: it can never be sent as it stands.
"""

import re
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from crm.db import utcnow
from crm.mail.attachments import MissingAttachment, attachment_data
from crm.mail.services import BadHeader, formatted_recipient

#: Headers the worker writes itself; extra headers on a row may not replace or add to them.
RESERVED_HEADERS = frozenset({
    "from", "sender", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version",
    "content-type", "content-transfer-encoding", "content-disposition", "return-path", "received",
})
HEADER_NAME = re.compile(r"[!-9;-~]+")  # printable ASCII without the colon

#: Headers are encoded as RFC 2047 words and bodies as quoted-printable or base64, so no server needs
#: 8BITMIME; extra ASCII headers (List-Unsubscribe URLs) go out as given instead of being re-encoded.
SMTP_POLICY = email_policy.SMTP.clone(cte_type="7bit", refold_source="none")


class Undeliverable(ValueError):
    """A row that can never be sent as it stands: header injection, a malformed address or header."""


def _one_line(value, what):
    if value is not None and ("\r" in value or "\n" in value):
        raise BadHeader(
            f"Afvist: {what} indeholder et linjeskift (CR/LF), som kunne indsætte ekstra headere "
            "eller modtagere. Mailen er ikke sendt."
        )
    return value


def _single_address(value, what):
    header = SMTP_POLICY.header_factory(what, value)
    addresses = getattr(header, "addresses", ())
    if len(addresses) != 1 or header.defects or not addresses[0].username or not addresses[0].domain:
        raise Undeliverable(f"Afvist: {what} skal være præcis én gyldig adresse, ikke {value!r}.")
    return addresses[0]


def recipient_address(email):
    """The one address a row is sent to, checked; Undeliverable if it is malformed."""
    _one_line(email.to_address, "modtageradressen")
    try:
        address = Address(addr_spec=email.to_address.strip())
    except (ValueError, IndexError) as error:
        raise Undeliverable(f"Afvist: modtageradressen {email.to_address!r} er ugyldig ({error}).") from None
    if not address.domain:
        raise Undeliverable(f"Afvist: modtageradressen {email.to_address!r} mangler et domæne.")
    return address.addr_spec


def _content_type(value):
    header = email_policy.default.header_factory("content-type", value)
    if header.defects:
        raise Undeliverable(f"Afvist: vedhæftningens indholdstype {value!r} er ugyldig.")
    return header


def build_message(email):
    """The MIME message of one outbox row, to its one recipient; BadHeader or Undeliverable if it cannot go."""
    for what, value in (("afsenderen", email.sender), ("svaradressen", email.reply_to),
                        ("modtagernavnet", email.to_name), ("emnet", email.subject),
                        ("Message-ID", email.message_id)):
        _one_line(value, what)
    recipient_address(email)
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = _single_address(email.sender, "From")
    message["To"] = _single_address(formatted_recipient(email), "To")
    message["Subject"] = email.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = email.message_id
    if email.reply_to:
        message["Reply-To"] = _single_address(email.reply_to, "Reply-To")
    for name, value in (email.headers or {}).items():
        value = _one_line(str(value), f"headeren {name}")
        if not HEADER_NAME.fullmatch(_one_line(name, "et headernavn")) or name.lower() in RESERVED_HEADERS:
            raise Undeliverable(f"Afvist: headeren {name!r} må ikke sættes som ekstra header.")
        if value.isascii():
            message.set_raw(name, value)
        else:
            message[name] = value

    message.set_content(email.body_text)
    if email.body_html:
        message.add_alternative(email.body_html, subtype="html")
    attachments = []
    for attachment in email.attachments:
        _one_line(attachment.filename, "et vedhæftet filnavn")
        try:
            data = attachment_data(attachment)
        except MissingAttachment as missing:
            reason = f"Afvist: den vedhæftede fil {attachment.filename} kan ikke laves ({missing})."
            raise Undeliverable(reason) from None
        attachments.append((attachment.filename, _content_type(attachment.content_type), data))
    for _filename, content_type, data in attachments:
        if content_type.content_type == "text/calendar":
            # Mail programs show a meeting with accept/decline buttons only when it is part of the message.
            params = dict(content_type.params)
            text = data.decode(params.get("charset") or "utf-8")
            message.add_alternative(text, subtype="calendar", params={"method": params.get("method") or "REQUEST"})
    for filename, content_type, data in attachments:
        params = {key: value for key, value in content_type.params.items() if key != "name"}
        message.add_attachment(data, maintype=content_type.maintype, subtype=content_type.subtype,
                               filename=filename, params=params)
    return message
