"""AuditEntry: one recorded action; ErasureRequest: a person's wish to be removed; RetentionRun: one run of the
retention command."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import UTCDateTime, utcnow
from crm.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: The actor's e-mail (or the e-mail tried at a failed login), kept if the user is deleted.
    actor_email: Mapped[str | None] = mapped_column(String(254))
    #: Dotted verb such as "auth.login" or "company.update".
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[int | None]
    #: {"field": [old, new]} for changes, or any details of the action.
    changes: Mapped[dict | None] = mapped_column(JSON)
    address: Mapped[str | None] = mapped_column(String(64))

    actor = relationship("User")


class ErasureRequest(db.Model):
    """A contact person's wish to be removed, made in the portal; staff carry it out by anonymising the person."""

    __tablename__ = "erasure_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    contact = relationship("Contact")
    company = relationship("Company")


class RetentionRun(db.Model):
    """One run of `flask retention run`: when, whether it changed anything, and what it found by kind."""

    __tablename__ = "retention_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: None while the run goes on, or when it stopped midway (then counts show the kinds done so far).
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: --dry-run: it only counted, nothing was changed.
    dry_run: Mapped[bool] = mapped_column(default=False)
    #: {"kind": number of rows or persons} of each kind done, e.g. {"login_failures": 12}.
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Who started it: the operating-system user at the command line.
    started_by: Mapped[str] = mapped_column(String(200), default="")
    #: Started without a terminal, by cron or a systemd timer.
    scheduled: Mapped[bool] = mapped_column(default=False)
