"""OutboundEmail: the outbox, one row per recipient."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import UTCDateTime, enum_type, utcnow
from crm.extensions import db


class EmailStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class EmailKind(enum.StrEnum):
    #: Mail to the people an action concerns: invitations, minutes, password resets.
    SERVICE = "service"
    #: Only to contacts with newsletter consent; carries List-Unsubscribe.
    NEWSLETTER = "newsletter"


class OutboundEmail(db.Model):
    __tablename__ = "outbound_emails"
    __table_args__ = (Index("ix_outbound_emails_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[EmailKind] = mapped_column(enum_type(EmailKind, "email_kind"), default=EmailKind.SERVICE)
    sender: Mapped[str] = mapped_column(String(320))
    reply_to: Mapped[str | None] = mapped_column(String(320))
    to_name: Mapped[str] = mapped_column(String(200), default="")
    to_address: Mapped[str] = mapped_column(String(320), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    #: Extra headers, e.g. {"List-Unsubscribe": "<https://...>"}.
    headers: Mapped[dict | None] = mapped_column(JSON)
    #: The object the mail concerns, e.g. ("meetings", 12).
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[int | None]
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"), index=True)
    #: The confirmed mass mailing that queued it, if any (see crm.mail.confirmation).
    mass_mailing_id: Mapped[int | None] = mapped_column(ForeignKey("mass_mailings.id", ondelete="SET NULL"),
                                                        index=True)
    status: Mapped[EmailStatus] = mapped_column(enum_type(EmailStatus, "email_status"), default=EmailStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When a worker claimed the row; a row left in "sending" long after this is taken back.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the retention run removed the text, headers and files (RETENTION_OUTBOX_DAYS); recipient, subject, state
    #: and times stay. Such a mail is never sent again.
    trimmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    company = relationship("Company")
    mass_mailing = relationship("MassMailing")
    attachments = relationship(
        "OutboundAttachment", cascade="all, delete-orphan", order_by="OutboundAttachment.id",
        back_populates="email",
    )


class OutboundAttachment(db.Model):
    __tablename__ = "outbound_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_id: Mapped[int] = mapped_column(ForeignKey("outbound_emails.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255))
    #: The file itself, or None for a file made when the mail is sent (see crm.mail.attachments).
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    generator: Mapped[str | None] = mapped_column(String(50))
    generator_id: Mapped[int | None]

    email = relationship(OutboundEmail, back_populates="attachments")


class Newsletter(db.Model):
    """A newsletter as written and sent to the contacts who consented."""

    __tablename__ = "newsletters"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: The company-list filters that chose the recipients, e.g. {"tag": "energi"}.
    filters: Mapped[dict | None] = mapped_column(JSON)
    recipients: Mapped[int] = mapped_column(default=0)
    #: Random key of the form that sent it: a double click finds it and sends nothing more.
    form_key: Mapped[str] = mapped_column(String(64), unique=True)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MassMailing(db.Model):
    """A mailing to many, confirmed by staff: what it was, who started it, and the mails it queued."""

    __tablename__ = "mass_mailings"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The one-time key of the confirmation form: a second click on the same confirmation finds this row.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    #: What kind of mailing: "invite", "update", "cancel", "reminder", "minutes", "group", "newsletter", "invoice"
    #: or "invoice_reminder" (the minutes' delivery is read from those of purpose "minutes").
    purpose: Mapped[str] = mapped_column(String(32))
    #: The object it concerns, e.g. ("meetings", 12), like OutboundEmail's.
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[int | None]
    #: What staff read about it, e.g. "Invitation: Netværksmøde i marts".
    title: Mapped[str] = mapped_column(String(300))
    #: The page the mailing was started from (a path on this site).
    back_path: Mapped[str] = mapped_column(String(500), default="/")
    queued: Mapped[int] = mapped_column(default=0)
    #: Recipients left out because their name or address cannot stand in a mail (named when it ran).
    refused: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by = relationship("User")
