"""Users, failed logins, one-time links (password reset, portal invitation) and two-factor recovery codes."""

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import UTCDateTime, enum_type, utcnow
from crm.extensions import db
from crm.security import STAFF_ROLES, Role


def new_session_token():
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role != 'company' OR company_id IS NOT NULL", name="company_user_has_company"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Always stored lower-cased, so uniqueness is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, "user_role"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    #: The contact person a company user was invited as (portal logins only).
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    #: Part of the login cookie; replacing it ends every session of the user.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    locale: Mapped[str | None] = mapped_column(String(5))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The TOTP secret (base32) of two-factor login, in force while two_factor_enabled_at is set; never shown after
    #: its enrolment (see crm.auth.two_factor).
    two_factor_secret: Mapped[str | None] = mapped_column(String(64))
    #: A secret being enrolled (first time, or a new phone), shown until a code of it is confirmed.
    two_factor_new_secret: Mapped[str | None] = mapped_column(String(64))
    two_factor_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The TOTP time step (30 s) of the last code accepted; a code of that step or an earlier one is refused, so a
    #: code seen over a shoulder cannot be used again.
    two_factor_last_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    company = relationship("Company")
    contact = relationship("Contact")

    def get_id(self):
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self):
        return self.active

    @property
    def two_factor_on(self):
        return self.two_factor_enabled_at is not None

    @property
    def is_staff(self):
        return self.role in STAFF_ROLES

    def __repr__(self):
        return f"<User {self.email} {self.role}>"


class LoginFailure(db.Model):
    """One failed login; recent rows throttle further attempts per account and per address."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_email_at", "email", "at"),
        Index("ix_login_failures_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PasswordResetRequest(db.Model):
    """One request for a reset link ("forgot password"); recent rows throttle the mails per account and address."""

    __tablename__ = "password_reset_requests"
    __table_args__ = (
        Index("ix_password_reset_requests_email_at", "email", "at"),
        Index("ix_password_reset_requests_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The e-mail asked for, lower-cased, whether or not a user has it.
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginAddress(db.Model):
    """A network address the user has logged in from: while the account is under guessing from many addresses,
    these may still try (see crm.auth.throttle.throttle_reason)."""

    __tablename__ = "login_addresses"
    __table_args__ = (UniqueConstraint("user_id", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(64))
    last_login_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PortalLogin(db.Model):
    """One login by a company's user (the portal): the yearly report counts portal-active companies and logins
    from these rows; User.last_login_at keeps only the latest."""

    __tablename__ = "portal_logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The login; kept as a count when the user is deleted.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The company the user belonged to at the time.
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class LinkPurpose(enum.StrEnum):
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a purpose, not a password)
    PORTAL_INVITATION = "portal_invitation"


class PasswordResetToken(db.Model):
    """A one-time link that lets its holder choose the user's password: a reset, or a portal invitation."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[LinkPurpose] = mapped_column(enum_type(LinkPurpose, "link_purpose"),
                                                 default=LinkPurpose.PASSWORD_RESET,
                                                 server_default=LinkPurpose.PASSWORD_RESET.value)
    #: SHA-256 of the token in the link; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship(User)


class RecoveryCode(db.Model):
    """One single-use recovery code of a user's two-factor login, for when the phone is lost."""

    __tablename__ = "two_factor_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the code (80 random bits); the code itself is shown once and never stored.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
