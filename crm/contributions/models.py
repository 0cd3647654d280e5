"""A year's contribution scheme (and its scenarios), the contributions billed from it, payments and reminders.

Money is integer øre. A scheme is a scenario until it is adopted; one scheme per year is active (a partial unique
index), and billing uses it.
"""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import UTCDateTime, enum_type, utcnow
from crm.extensions import db


class TierBasis(enum.StrEnum):
    NONE = "none"
    EMPLOYEES = "employees"
    AREA = "area"


class TenantSplit(enum.StrEnum):
    AREA = "area"
    EQUAL = "equal"


class UnpaidShare(enum.StrEnum):
    """Where the share of a plot's tenant that is not a paying member goes."""

    #: To the plot's paying tenants (and to the owner when none of them pays)
    REDISTRIBUTE = "redistribute"
    OWNER = "owner"
    #: Nobody pays it
    NONE = "none"


class AdjustmentKind(enum.StrEnum):
    WAIVER = "waiver"
    DISCOUNT = "discount"


class ContributionState(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    CREDITED = "credited"
    WAIVED = "waived"
    #: Never stored: a sent or partly paid invoice past its due date shows as overdue (see Contribution.shown_state).
    OVERDUE = "overdue"


class ContributionScheme(db.Model):
    __tablename__ = "contribution_schemes"
    __table_args__ = (
        Index("uq_contribution_schemes_one_active_per_year", "year", unique=True,
              sqlite_where=text("active"), postgresql_where=text("active")),
        CheckConstraint("owner_share_pct BETWEEN 0 AND 100", name="owner_share_is_a_percentage"),
        CheckConstraint("base_ore >= 0", name="base_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=False)
    #: Published to the companies in the portal as the proposed scheme for its year, until one is adopted.
    proposed: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    base_ore: Mapped[int] = mapped_column(BigInteger, default=0)
    tier_basis: Mapped[TierBasis] = mapped_column(enum_type(TierBasis, "tier_basis"), default=TierBasis.NONE)
    #: With tiers by area: each plot's tier amount is split between its owner and its current tenants.
    split_plots: Mapped[bool] = mapped_column(default=False)
    owner_share_pct: Mapped[int] = mapped_column(default=100)
    tenant_split: Mapped[TenantSplit] = mapped_column(enum_type(TenantSplit, "tenant_split"),
                                                      default=TenantSplit.AREA)
    #: With split plots: who pays the share of a tenant that is not a paying member.
    unpaid_share: Mapped[UnpaidShare] = mapped_column(enum_type(UnpaidShare, "unpaid_share"),
                                                      default=UnpaidShare.REDISTRIBUTE,
                                                      server_default=UnpaidShare.REDISTRIBUTE.value)
    minimum_ore: Mapped[int | None] = mapped_column(BigInteger)
    maximum_ore: Mapped[int | None] = mapped_column(BigInteger)
    vat: Mapped[bool] = mapped_column(default=True)
    prorate: Mapped[bool] = mapped_column(default=True)
    due_days: Mapped[int] = mapped_column(default=30)
    reminder_1_days: Mapped[int] = mapped_column(default=14)
    reminder_2_days: Mapped[int] = mapped_column(default=28)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tiers = relationship("ContributionTier", cascade="all, delete-orphan", order_by="ContributionTier.lower",
                         back_populates="scheme")
    adjustments = relationship("ContributionAdjustment", cascade="all, delete-orphan", back_populates="scheme")

    def __repr__(self):
        return f"<ContributionScheme {self.year} {self.name!r}{' active' if self.active else ''}>"


class ContributionTier(db.Model):
    """A band of employees or m²: from `lower` (inclusive) to `upper` (exclusive; None for no upper end)."""

    __tablename__ = "contribution_tiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("contribution_schemes.id", ondelete="CASCADE"), index=True)
    lower: Mapped[int]
    upper: Mapped[int | None]
    amount_ore: Mapped[int] = mapped_column(BigInteger)

    scheme = relationship(ContributionScheme, back_populates="tiers")


class ContributionAdjustment(db.Model):
    """A waiver (nothing to pay) or a discount in per cent for one company under one scheme, with its reason."""

    __tablename__ = "contribution_adjustments"
    __table_args__ = (
        UniqueConstraint("scheme_id", "company_id"),
        CheckConstraint("percent BETWEEN 1 AND 100", name="percent_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("contribution_schemes.id", ondelete="CASCADE"))
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AdjustmentKind] = mapped_column(enum_type(AdjustmentKind, "adjustment_kind"))
    percent: Mapped[int] = mapped_column(default=100)
    reason: Mapped[str] = mapped_column(String(300))

    scheme = relationship(ContributionScheme, back_populates="adjustments")
    company = relationship("Company")


class Contribution(db.Model):
    """A company's contribution for a year: its invoice, and what has been paid of it."""

    __tablename__ = "contributions"
    __table_args__ = (
        UniqueConstraint("company_id", "year"),
        UniqueConstraint("year", "invoice_number"),
        CheckConstraint("net_ore >= 0 AND vat_ore >= 0", name="amounts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"))
    year: Mapped[int] = mapped_column(index=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("contribution_schemes.id", ondelete="RESTRICT"), index=True)
    invoice_number: Mapped[int]
    invoice_date: Mapped[date]
    due_date: Mapped[date]
    net_ore: Mapped[int] = mapped_column(BigInteger)
    vat_ore: Mapped[int] = mapped_column(BigInteger)
    paid_ore: Mapped[int] = mapped_column(BigInteger, default=0)
    #: 12, or fewer for a company that joined during the year
    months: Mapped[int] = mapped_column(default=12)
    tier: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(20), default="")
    #: What is billed, as the invoice lists it: [{"text": ..., "amount_ore": ...}]
    lines: Mapped[list] = mapped_column(JSON, default=list)
    state: Mapped[ContributionState] = mapped_column(enum_type(ContributionState, "contribution_state"),
                                                     default=ContributionState.DRAFT, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_1_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_2_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The credit note that cancels the invoice, numbered from the same sequence
    credit_number: Mapped[int | None]
    credited_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    company = relationship("Company")
    scheme = relationship(ContributionScheme)
    payments = relationship("Payment", back_populates="contribution", order_by="Payment.paid_on",
                            cascade="all, delete-orphan")

    @property
    def invoice_label(self):
        """The invoice number as every page, PDF, mail, timeline and export writes it: "2031-7"."""
        return f"{self.year}-{self.invoice_number}"

    @property
    def credit_label(self):
        """The credit note's number written the same way ("2031-12"); None before the invoice is credited."""
        return f"{self.year}-{self.credit_number}" if self.credit_number else None

    @property
    def period_start(self):
        """The first day billed: 1 January, or the first of the month a company joined during the year."""
        return date(self.year, 12 - self.months + 1, 1)

    @property
    def period_end(self):
        return date(self.year, 12, 31)

    @property
    def total_ore(self):
        return self.net_ore + self.vat_ore

    @property
    def outstanding_ore(self):
        """What is left to pay; negative when more was paid than billed."""
        if self.state in (ContributionState.CREDITED, ContributionState.WAIVED):
            return 0
        return self.total_ore - self.paid_ore

    def shown_state(self, today=None):
        """The state as staff and the company see it: sent and partly paid invoices past due are overdue."""
        open_states = (ContributionState.SENT, ContributionState.PARTLY_PAID)
        if self.state in open_states and self.due_date < (today or date.today()):
            return ContributionState.OVERDUE
        return self.state

    def __repr__(self):
        return f"<Contribution {self.invoice_label} company={self.company_id} {self.state}>"


class Payment(db.Model):
    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount_ore > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    paid_on: Mapped[date]
    amount_ore: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(200), default="")
    #: The bank statement's transaction it was registered from (None: typed in by staff)
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("bank_transactions.id", ondelete="RESTRICT"),
                                                       index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contribution = relationship(Contribution, back_populates="payments")
    transaction = relationship("BankTransaction", back_populates="payments")


class InvoiceSequence(db.Model):
    """The last invoice (or credit note) number used in a year. Taking numbers updates this row, whose lock is
    held until the transaction ends: a rolled-back run gives its numbers back, so there are no gaps.
    """

    __tablename__ = "invoice_sequences"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class ReminderHold(db.Model):
    """Staff hold the reminders to a company (e.g. a payment plan is agreed); invoices still go out."""

    __tablename__ = "reminder_holds"

    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
