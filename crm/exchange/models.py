"""The exchange area's models: the swap centre's listings, pictures, conversations and savings factors (the advice
cases add theirs in their own modules, imported by crm.models)."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import UTCDateTime, enum_type, utcnow
from crm.extensions import db


class ListingKind(enum.StrEnum):
    OFFER = "offer"
    NEED = "need"


class ListingState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    #: Hidden by staff (moderation), with a reason the company sees.
    HIDDEN = "hidden"


class Unit(enum.StrEnum):
    PIECES = "stk"
    KG = "kg"
    TONNES = "t"
    CUBIC_METRES = "m3"
    MWH = "MWh"


#: Tonnes in one unit, for the units that are a mass (the others need a factor to weigh anything).
MASS_UNITS = {Unit.KG: Decimal("0.001"), Unit.TONNES: Decimal("1")}


class ExchangeCategory(db.Model):
    """What a listing is (pallets, metal, surplus heat); the first ones come with the migration, staff add more."""

    __tablename__ = "exchange_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short stable name, e.g. "paller" (the seeded ones are used by the demo and the factors).
    slug: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: A category no longer offered for new listings; its listings keep it.
    active: Mapped[bool] = mapped_column(default=True)


class SavingsFactor(db.Model):
    """How much one unit of a category weighs and how much CO2e its reuse avoids, with the source named."""

    __tablename__ = "exchange_factors"
    __table_args__ = (UniqueConstraint("category_id", "unit"),
                      CheckConstraint("tonnes_per_unit >= 0 AND co2e_kg_per_unit >= 0", name="not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("exchange_categories.id", ondelete="CASCADE"))
    unit: Mapped[Unit] = mapped_column(enum_type(Unit, "exchange_unit"))
    #: Tonnes kept from waste per unit moved (a EUR pallet about 0.025 t; 1 for the unit t).
    tonnes_per_unit: Mapped[Decimal] = mapped_column(Numeric(12, 6))
    #: Kilograms of CO2e avoided per unit moved (a new product not made, or energy not produced).
    co2e_kg_per_unit: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    #: Where the figures come from, named so that a reader of the report can check them.
    source: Mapped[str] = mapped_column(Text)
    #: The figure is an estimate derived from the source, not a value read directly in it.
    estimate: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    category = relationship(ExchangeCategory)


class Listing(db.Model):
    """A company's offer of surplus, or a need, in the swap centre."""

    __tablename__ = "exchange_listings"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("price_ore IS NULL OR price_ore >= 0", name="price_not_negative"),
        CheckConstraint("available_to IS NULL OR available_from IS NULL OR available_to >= available_from",
                        name="period_in_order"),
        Index("ix_exchange_listings_state_published", "state", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ListingKind] = mapped_column(enum_type(ListingKind, "listing_kind"))
    category_id: Mapped[int] = mapped_column(ForeignKey("exchange_categories.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    unit: Mapped[Unit] = mapped_column(enum_type(Unit, "exchange_unit"))
    available_from: Mapped[date | None]
    available_to: Mapped[date | None]
    #: Where the goods are: one of the company's plots; None means the company's own address.
    plot_id: Mapped[int | None] = mapped_column(ForeignKey("plots.id", ondelete="SET NULL"))
    #: The price in øre for the whole quantity; None means free.
    price_ore: Mapped[int | None]
    #: The waste code (EAK/EWC, e.g. "15 01 03", stored as "150103"; a "*" after it marks hazardous waste), for
    #: waste streams when known.
    waste_code: Mapped[str | None] = mapped_column(String(7))
    state: Mapped[ListingState] = mapped_column(enum_type(ListingState, "listing_state"), default=ListingState.DRAFT)
    #: Why staff hid the listing; the company sees it.
    hidden_reason: Mapped[str] = mapped_column(Text, default="")
    #: Lower-cased title, description and waste code: what the search looks in. Kept in step by the services.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the listing was first opened to the network (matches and the digest count from here).
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The exchange, once closed: with whom (None: outside the network), how much moved, when, and what it saved.
    exchanged_with_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"),
                                                          index=True)
    exchanged_quantity: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    exchanged_on: Mapped[date | None]
    #: Tonnes kept from waste, computed when closed (None: the unit weighs nothing known).
    saved_tonnes: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    #: Kilograms of CO2e avoided, computed when closed (None: no factor for the category and unit).
    saved_co2e_kg: Mapped[Decimal | None] = mapped_column(Numeric(14, 1))
    #: The factor's source as it stood when the savings were computed.
    savings_source: Mapped[str] = mapped_column(Text, default="")

    company = relationship("Company", foreign_keys=[company_id])
    exchanged_with = relationship("Company", foreign_keys=[exchanged_with_id])
    category = relationship(ExchangeCategory)
    plot = relationship("Plot")
    pictures = relationship("ListingPicture", back_populates="listing", cascade="all, delete-orphan",
                            order_by="ListingPicture.id")

    @property
    def is_free(self):
        return self.price_ore is None


class ListingPicture(db.Model):
    """A picture of a listing: checked by its content, resized and stripped of metadata before it is stored."""

    __tablename__ = "exchange_pictures"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("exchange_listings.id", ondelete="CASCADE"), index=True)
    #: Always image/jpeg or image/png: the stored picture is re-encoded by the app.
    content_type: Mapped[str] = mapped_column(String(20))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int]
    height: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    listing = relationship(Listing, back_populates="pictures")


class Conversation(db.Model):
    """The talk between a listing's company and one interested company; only the two (and staff) read it."""

    __tablename__ = "exchange_conversations"
    __table_args__ = (UniqueConstraint("listing_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("exchange_listings.id", ondelete="CASCADE"), index=True)
    #: The interested company (the other side is the listing's company).
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    listing = relationship(Listing)
    company = relationship("Company")
    messages = relationship("Message", back_populates="conversation", cascade="all, delete-orphan",
                            order_by="Message.id")

    def company_ids(self):
        return {self.listing.company_id, self.company_id}

    @property
    def is_with_itself(self):
        """Both sides are one company (a merge joined them): the conversation is closed, its messages kept."""
        return self.company_id == self.listing.company_id


class Message(db.Model):
    """One message in a conversation, with its time and author."""

    __tablename__ = "exchange_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("exchange_conversations.id", ondelete="CASCADE"),
                                                 index=True)
    #: The company the author wrote for.
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The author's contact person, so that an erasure finds the message.
    author_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"),
                                                          index=True)
    #: The author's name as shown, kept when the login goes (scrubbed when the person is erased).
    author_name: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: A company reported the message to staff: from then on staff may read its text.
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    conversation = relationship(Conversation, back_populates="messages")
    company = relationship("Company")


class ExchangeMailChoice(db.Model):
    """A contact person's choice of the swap centre's mails: notices of new messages, and the weekly digest."""

    __tablename__ = "exchange_mail_choices"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), unique=True)
    messages: Mapped[bool] = mapped_column(default=False)
    digest: Mapped[bool] = mapped_column(default=False)
    #: The ISO week of the last digest sent ("2026-W49"), so that the weekly run sends one per week at most.
    digest_week: Mapped[str | None] = mapped_column(String(8))

    contact = relationship("Contact")
