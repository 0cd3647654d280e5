"""Green-transition cases: the advice and screenings a company gets through the network, with whom, and whether
the company went on with a new solution. Staff's record; the yearly report counts the companies from it."""

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import UTCDateTime, enum_type, utcnow
from crm.extensions import db


class CaseKind(enum.StrEnum):
    #: Advice on the green transition (the report's "companies advised").
    ADVICE = "advice"
    #: A review of waste and resources to find industrial symbioses (the report's "companies screened").
    SCREENING = "screening"
    ENERGY = "energy"
    OTHER = "other"


class CaseOutcome(enum.StrEnum):
    OPEN = "open"
    #: The company went on with a new solution (the report's "companies gone on").
    WENT_ON = "went_on"
    NOT_ON = "not_on"


class CasePartner(db.Model):
    """Who gives the advice with the network: Erhvervshus Hovedstaden, Gate 21, a consultant. A list staff keep;
    a partner is retired, never deleted, so old cases keep their partner."""

    __tablename__ = "case_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: Offered for new cases; a retired partner stays on its old cases.
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GreenCase(db.Model):
    """A case of advice or screening on one company, from its start to its outcome."""

    __tablename__ = "green_cases"
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ends_after_start"),
        # The year an outcome counts in is the year the case ended (see crm.exchange.case_services).
        CheckConstraint("outcome = 'open' OR ended_on IS NOT NULL", name="outcome_has_end"),
        Index("ix_green_cases_kind_started_on", "kind", "started_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    #: The person at the company the case is with, if one is named.
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    kind: Mapped[CaseKind] = mapped_column(enum_type(CaseKind, "case_kind"))
    #: None: the network's own staff, no partner.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("case_partners.id", ondelete="RESTRICT"), index=True)
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    outcome: Mapped[CaseOutcome] = mapped_column(enum_type(CaseOutcome, "case_outcome"), default=CaseOutcome.OPEN)
    #: Staff's note; it goes with the company's data download (see crm.exchange.case_signals).
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    company = relationship("Company")
    contact = relationship("Contact")
    partner = relationship(CasePartner)
    created_by = relationship("User")
