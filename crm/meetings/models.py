"""Meetings, their agenda, invitations and answers, who came, minutes, action items and attachments."""

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import UTCDateTime, enum_type, utcnow
from crm.extensions import db


class MeetingKind(enum.StrEnum):
    NETWORK = "network"
    GROUP = "group"
    SITE_VISIT = "site_visit"
    EVENT = "event"


class MeetingStatus(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class Rsvp(enum.StrEnum):
    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    EXCUSED = "excused"
    NO_SHOW = "no_show"


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"


class Meeting(db.Model):
    __tablename__ = "meetings"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[MeetingKind] = mapped_column(enum_type(MeetingKind, "meeting_kind"), default=MeetingKind.NETWORK)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("working_groups.id", ondelete="SET NULL"), index=True)
    #: Meetings of one series (e.g. "netværksmøde") carry open action items from one to the next.
    series: Mapped[str] = mapped_column(String(100), default="", index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[MeetingStatus] = mapped_column(enum_type(MeetingStatus, "meeting_status"),
                                                  default=MeetingStatus.PLANNED, index=True)
    #: iCalendar SEQUENCE of the latest version sent to invitees; +1 when time or place changes.
    sequence: Mapped[int] = mapped_column(default=0)
    minutes_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Who wrote the minutes (the referent), as written on the minutes page; shown in the minutes and the PDF.
    minutes_writer: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    group = relationship("WorkingGroup")
    agenda = relationship("AgendaItem", back_populates="meeting", cascade="all, delete-orphan",
                          order_by="AgendaItem.position")
    invitations = relationship("Invitation", back_populates="meeting", cascade="all, delete-orphan",
                               lazy="dynamic")

    @property
    def uid(self):
        return f"meeting-{self.id}@holme-crm"


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    presenter: Mapped[str] = mapped_column(String(200), default="")
    minutes_allotted: Mapped[int | None]
    text: Mapped[str] = mapped_column(Text, default="")
    #: The minutes of this item, Markdown (rendered and sanitised when shown).
    minutes: Mapped[str] = mapped_column(Text, default="")
    decisions: Mapped[str] = mapped_column(Text, default="")

    meeting = relationship(Meeting, back_populates="agenda")


class Invitation(db.Model):
    """One company invited to one meeting, and its answer."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("meeting_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    rsvp: Mapped[Rsvp | None] = mapped_column(enum_type(Rsvp, "rsvp"))
    rsvp_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Who answered: "link", or the staff member who noted an answer given by phone.
    rsvp_by: Mapped[str] = mapped_column(String(200), default="")
    #: The SEQUENCE last mailed to this company; nobody gets the same version twice.
    sent_sequence: Mapped[int | None]
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting = relationship(Meeting, back_populates="invitations")
    company = relationship("Company")

    @hybrid_property
    def mailed(self):
        """The invitation was sent (put in the outbox) at least once; until then the company does not see the
        meeting in the portal or its calendar."""
        return self.sent_sequence is not None

    @mailed.inplace.expression
    @classmethod
    def _mailed_expression(cls):
        return cls.sent_sequence.is_not(None)


class Attendance(db.Model):
    """A person at a meeting: present, excused or did not come."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("meeting_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    status: Mapped[AttendanceStatus] = mapped_column(enum_type(AttendanceStatus, "attendance_status"),
                                                     default=AttendanceStatus.PRESENT)
    walk_in: Mapped[bool] = mapped_column(default=False)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    company = relationship("Company")
    contact = relationship("Contact")


class ActionItem(db.Model):
    """A decision or task from a meeting; open ones follow the series or group to its next meeting."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    owner_company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))
    owner_name: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date | None]
    status: Mapped[ActionStatus] = mapped_column(enum_type(ActionStatus, "action_status"),
                                                 default=ActionStatus.OPEN, index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting = relationship(Meeting)
    owner_company = relationship("Company")


class MeetingAttachment(db.Model):
    __tablename__ = "meeting_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    #: Detected from the content, never taken from the upload.
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarFeed(db.Model):
    """A user's personal calendar subscription; the token in its address is stored hashed and can be revoked."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    #: SHA-256 of the token in the feed address.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")
