"""The partnership agreement's versions and the signatures given under them: sign-ups, acceptances of a new
version, and notices to leave."""

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import UTCDateTime, enum_type, utcnow
from crm.extensions import db


class AgreementVersion(db.Model):
    """One version of the partnership agreement, as admin wrote it (Markdown, shown sanitised as minutes are)."""

    __tablename__ = "agreement_versions"
    __table_args__ = (CheckConstraint("notice_months BETWEEN 0 AND 24", name="notice_months_in_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    #: The day the version applies from; the version in force is the latest that has taken effect.
    takes_effect_on: Mapped[date] = mapped_column(index=True)
    #: Notice to leave is given at least this many months before the end of a calendar year, and takes effect then.
    notice_months: Mapped[int] = mapped_column(default=3)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self):
        return f"<AgreementVersion {self.id} {self.takes_effect_on}>"


class SignatureKind(enum.StrEnum):
    #: The company joins: accepts the agreement and the year's contribution, member from `starts_on`.
    SIGN_UP = "sign_up"
    #: A member accepts a new version of the agreement.
    ACCEPTANCE = "acceptance"
    #: A member gives notice; the membership ends on `ends_on`.
    NOTICE = "notice"


class Signature(db.Model):
    """What a person with the right to sign did for the company in the portal, and what it was shown."""

    __tablename__ = "partnership_signatures"
    __table_args__ = (
        CheckConstraint("kind != 'sign_up' OR (starts_on IS NOT NULL AND net_ore IS NOT NULL)",
                        name="sign_up_has_start_and_amount"),
        CheckConstraint("kind != 'notice' OR ends_on IS NOT NULL", name="notice_has_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SignatureKind] = mapped_column(enum_type(SignatureKind, "signature_kind"))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement_versions.id", ondelete="RESTRICT"), index=True)
    #: Who signed: the contact person (None once removed from the register) and the login used.
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The signer's name as it was when signing (anonymised if the person is erased).
    signer_name: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: Sign-up: the first day of the month chosen, the membership's start.
    starts_on: Mapped[date | None]
    #: Notice: the last day of membership.
    ends_on: Mapped[date | None]
    #: Sign-up: the scheme and the year's amount the company was shown (øre), as billing will compute it.
    scheme_id: Mapped[int | None] = mapped_column(ForeignKey("contribution_schemes.id", ondelete="SET NULL"))
    year: Mapped[int | None]
    net_ore: Mapped[int | None] = mapped_column(BigInteger)
    vat_ore: Mapped[int | None] = mapped_column(BigInteger)

    company = relationship("Company")
    agreement = relationship(AgreementVersion)
    contact = relationship("Contact")

    @property
    def total_ore(self):
        return (self.net_ore or 0) + (self.vat_ore or 0)

    def __repr__(self):
        return f"<Signature {self.kind} company={self.company_id}>"
