"""A company new to the area asking to join the network (the public form at /join), and staff's answer."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.companies.models import CompanyRole
from crm.db import UTCDateTime, enum_type, utcnow
from crm.extensions import db


class JoinState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class JoinRequest(db.Model):
    """What a company wrote at /join, as it wrote it; once approved, the company and contact it became."""

    __tablename__ = "join_requests"
    __table_args__ = (Index("ix_join_requests_address_created_at", "address", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The 8 digits, checked (modulus 11) but not looked up: the answer never tells whether the CVR is known.
    cvr: Mapped[str] = mapped_column(String(8), index=True)
    name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(100))
    role: Mapped[CompanyRole] = mapped_column(enum_type(CompanyRole, "company_role"))
    contact_name: Mapped[str] = mapped_column(String(200))
    #: Lower-cased.
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str] = mapped_column(String(50), default="")
    #: When the person ticked "you may contact me" (required to send the form), and the text's version.
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    consent_text_version: Mapped[str] = mapped_column(String(20))
    #: The network address the form came from: the rate limit counts requests per address.
    address: Mapped[str] = mapped_column(String(64))
    state: Mapped[JoinState] = mapped_column(enum_type(JoinState, "join_state"), default=JoinState.PENDING,
                                             index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Why staff declined; mailed to the contact person.
    reason: Mapped[str] = mapped_column(Text, default="")
    #: The company the request became or was matched to by its CVR (set when approved).
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"), index=True)
    #: The contact person the request became or was matched to by e-mail (set when approved).
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    company = relationship("Company")
    contact = relationship("Contact")
    decided_by = relationship("User")

    def __repr__(self):
        return f"<JoinRequest {self.cvr} {self.state}>"
