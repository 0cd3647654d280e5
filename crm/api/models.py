"""Personal API tokens: who may read the API (and write a timeline entry), until when, and how often."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import UTCDateTime, enum_type, utcnow
from crm.extensions import db


class TokenScope(enum.StrEnum):
    READ = "read"
    READ_WRITE = "read-write"


class ApiToken(db.Model):
    """A user's personal token for the API: it reaches what its owner reaches (a company user: only the own
    company), read only or read and write."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: What the owner calls it, e.g. "ESDH-integration".
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[TokenScope] = mapped_column(enum_type(TokenScope, "api_token_scope"), default=TokenScope.READ)
    #: The token's first characters ("hcrm_" and 6 more), shown in lists so the owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    #: SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The rate limit's current window: when it began and how many requests came in it (crm.api.tokens.count_use).
    window_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_count: Mapped[int] = mapped_column(default=0)

    user = relationship("User")

    @property
    def can_write(self):
        return self.scope == TokenScope.READ_WRITE

    def usable(self, now):
        return self.revoked_at is None and self.expires_at > now

    def __repr__(self):
        return f"<ApiToken {self.prefix} {self.scope}>"
