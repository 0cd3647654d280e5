"""Working groups, who takes part (with history), and what the groups do."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, LargeBinary, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import UTCDateTime, enum_type, utcnow
from crm.extensions import db


class MemberRole(enum.StrEnum):
    CHAIR = "chair"
    MEMBER = "member"


class InitiativeStatus(enum.StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    DONE = "done"


class WorkingGroup(db.Model):
    __tablename__ = "working_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: Short name for URLs, e.g. "natur".
    slug: Mapped[str] = mapped_column(String(50), unique=True)
    purpose: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships = relationship("GroupMembership", back_populates="group", order_by="GroupMembership.joined_on")
    initiatives = relationship("Initiative", back_populates="group", cascade="all, delete-orphan",
                               order_by="Initiative.id")


class GroupMembership(db.Model):
    """A company (and the contact who takes part) in a group from one date to another; history is kept."""

    __tablename__ = "group_memberships"
    __table_args__ = (
        # One current membership per company and group; ended ones stay as history.
        Index("uq_group_memberships_current", "group_id", "company_id", unique=True,
              sqlite_where=text("left_on IS NULL"), postgresql_where=text("left_on IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    role: Mapped[MemberRole] = mapped_column(enum_type(MemberRole, "member_role"), default=MemberRole.MEMBER)
    joined_on: Mapped[date] = mapped_column(default=date.today)
    left_on: Mapped[date | None]

    group = relationship(WorkingGroup, back_populates="memberships")
    company = relationship("Company")
    contact = relationship("Contact")

    @property
    def current(self):
        return self.left_on is None


class Initiative(db.Model):
    """Something a group does: a waste scheme, a swap centre, 15 ha of wild nature."""

    __tablename__ = "initiatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[InitiativeStatus] = mapped_column(enum_type(InitiativeStatus, "initiative_status"),
                                                     default=InitiativeStatus.RUNNING)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group = relationship(WorkingGroup, back_populates="initiatives")
    figures = relationship("InitiativeFigure", cascade="all, delete-orphan", order_by="InitiativeFigure.id")


class InitiativeFigure(db.Model):
    """A result in numbers: 15 ha set aside, 105 species counted, 19 companies taking part."""

    __tablename__ = "initiative_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    unit: Mapped[str] = mapped_column(String(30), default="")


class GroupDocument(db.Model):
    """A file the group keeps: a plan, a map, a report (type checked by content)."""

    __tablename__ = "group_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RequestKind(enum.StrEnum):
    JOIN = "join"
    LEAVE = "leave"


class RequestOutcome(enum.StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class MembershipRequest(db.Model):
    """A company's wish, made in the portal, to join or leave a group; staff approve or reject it."""

    __tablename__ = "membership_requests"
    __table_args__ = (
        # One open request per company and group.
        Index("uq_membership_requests_open", "group_id", "company_id", unique=True,
              sqlite_where=text("decided_at IS NULL"), postgresql_where=text("decided_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    kind: Mapped[RequestKind] = mapped_column(enum_type(RequestKind, "membership_request_kind"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[RequestOutcome | None] = mapped_column(enum_type(RequestOutcome, "membership_request_outcome"))

    group = relationship(WorkingGroup)
    company = relationship("Company")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
