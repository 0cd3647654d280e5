"""Companies of the network, their contacts, plots and tenancies, tags and timeline."""

import enum
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, Numeric, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import UTCDateTime, enum_type, utcnow
from crm.extensions import db


class CompanyRole(enum.StrEnum):
    OWNER = "owner"
    TENANT = "tenant"
    BOTH = "both"


class CompanyStatus(enum.StrEnum):
    INVITED = "invited"
    MEMBER = "member"
    LEFT = "left"


class LawfulBasis(enum.StrEnum):
    """GDPR article 6 basis for keeping a contact person."""

    LEGITIMATE_INTEREST = "legitimate_interest"
    CONSENT = "consent"
    CONTRACT = "contract"
    PUBLIC_TASK = "public_task"


class ActivityKind(enum.StrEnum):
    NOTE = "note"
    CALL = "call"
    VISIT = "visit"
    EMAIL = "email"
    MEETING = "meeting"
    CHANGE = "change"


class Company(db.Model):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: CVR number, 8 digits with a valid modulus-11 check, no spaces or "DK".
    cvr: Mapped[str] = mapped_column(String(8), unique=True)
    #: Production unit number (P-nummer), 10 digits.
    p_number: Mapped[str | None] = mapped_column(String(10))
    #: EAN/GLN number for electronic invoices, 13 digits.
    ean: Mapped[str | None] = mapped_column(String(13))
    name: Mapped[str] = mapped_column(String(200), index=True)
    street: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[CompanyRole] = mapped_column(enum_type(CompanyRole, "company_role"), default=CompanyRole.TENANT)
    employees: Mapped[int | None]
    #: Land area in m², up to two decimals.
    area_m2: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    industry: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[CompanyStatus] = mapped_column(
        enum_type(CompanyStatus, "company_status"), default=CompanyStatus.INVITED, index=True
    )
    joined_on: Mapped[date | None]
    left_on: Mapped[date | None]
    website: Mapped[str] = mapped_column(String(300), default="")
    #: Reklamebeskyttet in the CVR register: no unsolicited marketing.
    advertising_protected: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    #: The company chose to be shown in the portal's directory of the network (name, industry, description).
    directory_listed: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    #: Lower-cased name, CVR, address and contacts' names and e-mails; what the search looks in.
    #: Kept in step by the services; the database indexes it (FTS5 trigram / pg_trgm).
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    contacts = relationship(
        "Contact", back_populates="company", cascade="all, delete-orphan",
        order_by="(Contact.is_primary.desc(), Contact.name)",
    )
    tags = relationship("CompanyTag", cascade="all, delete-orphan", order_by="CompanyTag.tag")
    activities = relationship("Activity", back_populates="company", cascade="all, delete-orphan",
                              order_by="Activity.occurred_at.desc()", lazy="dynamic")

    @property
    def primary_contact(self):
        return next((contact for contact in self.contacts if contact.is_primary), None)

    @property
    def tag_names(self):
        return [tag.tag for tag in self.tags]

    def __repr__(self):
        return f"<Company {self.cvr} {self.name}>"


class CompanyTag(db.Model):
    __tablename__ = "company_tags"

    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(50), primary_key=True, index=True)


class Contact(db.Model):
    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("company_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    #: Lower-cased; unique within the company.
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str] = mapped_column(String(50), default="")
    is_primary: Mapped[bool] = mapped_column(default=False)
    #: Also gets invitations and minutes (the primary contact always does).
    receives_meeting_mail: Mapped[bool] = mapped_column(default=False)
    #: May sign for the company (the partnership agreement, notice); staff set it. The primary contact always may.
    may_sign: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    lawful_basis: Mapped[LawfulBasis] = mapped_column(
        enum_type(LawfulBasis, "lawful_basis"), default=LawfulBasis.LEGITIMATE_INTEREST
    )
    #: Where the contact came from: "import", "manual", "portal", "meeting".
    source: Mapped[str] = mapped_column(String(50), default="manual")
    newsletter_consent: Mapped[bool] = mapped_column(default=False)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The version of the consent text the person agreed to.
    consent_text_version: Mapped[str | None] = mapped_column(String(20))
    #: How consent was given: "portal", "paper", "meeting", "email".
    consent_channel: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    company = relationship(Company, back_populates="contacts")

    def __repr__(self):
        return f"<Contact {self.name} {self.email}>"


class Plot(db.Model):
    """A property (matrikel) on the area: its owner company and its tenants over time."""

    __tablename__ = "plots"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Matrikelnummer with ejerlav, e.g. "12ab Avedøre By, Avedøre".
    cadastral_number: Mapped[str] = mapped_column(String(100), unique=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    area_m2: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"), index=True)

    owner = relationship(Company, foreign_keys=[owner_id])
    tenancies = relationship("Tenancy", back_populates="plot", cascade="all, delete-orphan",
                             order_by="Tenancy.from_date")


class Tenancy(db.Model):
    __tablename__ = "tenancies"

    id: Mapped[int] = mapped_column(primary_key=True)
    plot_id: Mapped[int] = mapped_column(ForeignKey("plots.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    from_date: Mapped[date | None]
    to_date: Mapped[date | None]

    plot = relationship(Plot, back_populates="tenancies")
    company = relationship(Company)

    @property
    def current(self):
        today = date.today()
        return (self.from_date is None or self.from_date <= today) and (self.to_date is None or self.to_date >= today)


class Activity(db.Model):
    """One entry on a company's timeline."""

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_company_id_occurred_at", "company_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    kind: Mapped[ActivityKind] = mapped_column(enum_type(ActivityKind, "activity_kind"))
    text: Mapped[str] = mapped_column(Text)
    #: A text the system wrote is also kept as its message (the Danish source text, crm/translations) and values,
    #: so each reader sees it in their own language; `text` holds it in Danish (search, erasure, old entries).
    message: Mapped[str | None] = mapped_column(Text)
    message_values: Mapped[dict | None] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The object the entry is about, e.g. ("outbound_emails", 17) or ("meetings", 3).
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[int | None]
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    company = relationship(Company, back_populates="activities")
    author = relationship("User")

    @property
    def shown_text(self):
        """The text in the reader's language: a system text translated, a person's note as written."""
        if self.message:
            try:
                return gettext(self.message, **(self.message_values or {}))
            except (KeyError, ValueError, TypeError):  # a message whose values changed since: the stored text
                return self.text
        return self.text


class ImportStatus(enum.StrEnum):
    PREVIEW = "preview"
    DONE = "done"
    DISCARDED = "discarded"


class CompanyImport(db.Model):
    """An uploaded company file between its preview and its confirmation, and the result afterwards."""

    __tablename__ = "company_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[ImportStatus] = mapped_column(enum_type(ImportStatus, "import_status"),
                                                 default=ImportStatus.PREVIEW)
    #: Counts and rejected rows once imported.
    result: Mapped[dict | None] = mapped_column(JSON)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    uploaded_by = relationship("User")
