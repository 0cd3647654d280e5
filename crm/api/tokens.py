"""Use cases of the personal API tokens: create (shown once), revoke, find the token of a request, count its use
against the rate limit."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from math import ceil

from flask import current_app
from sqlalchemy import case, select, update
from sqlalchemy.orm import joinedload

from crm.api.models import ApiToken, TokenScope
from crm.audit.services import record
from crm.db import utcnow
from crm.extensions import db

#: Every token starts so, which tells a secret scanner (and a person) what it is.
TOKEN_MARK = "hcrm_"  # noqa: S105 (a visible mark, not a secret)
#: How many characters of the token are kept visible (the mark and 6 more).
PREFIX_LENGTH = len(TOKEN_MARK) + 6
DEFAULT_DAYS = 90
MAX_DAYS = 365
#: The rate limit's window, in seconds; the number of requests per window is API_RATE_LIMIT (config).
RATE_WINDOW_SECONDS = 60


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user, name, scope=TokenScope.READ, days=DEFAULT_DAYS, *, by=None):
    """A new token for the user: (the ApiToken, the token itself, to be shown once and never again)."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be 1 to {MAX_DAYS}")
    secret = TOKEN_MARK + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(user_id=user.id, name=name.strip(), scope=TokenScope(scope), prefix=secret[:PREFIX_LENGTH],
                     token_hash=hash_token(secret), created_at=now, expires_at=now + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    record("api.token_created", actor=by, obj=token,
           changes={"user": user.email, "name": token.name, "scope": str(token.scope), "days": days})
    return token, secret


def revoke_token(token, *, by=None):
    """Revoke the token at once; False when it was revoked already."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    record("api.token_revoked", actor=by, obj=token, changes={"user": token.user.email, "name": token.name})
    db.session.flush()
    return True


def tokens_of(user):
    """The user's tokens, newest first."""
    return db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                              .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()


def all_tokens():
    """Every user's tokens (for admins), newest first."""
    return db.session.scalars(select(ApiToken).options(joinedload(ApiToken.user))
                              .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()


def token_for(secret, now=None):
    """The usable token (not revoked, not expired, its owner active) the secret belongs to, or None."""
    if not isinstance(secret, str) or not secret.startswith(TOKEN_MARK) or len(secret) > 200:
        return None
    token = db.session.scalars(select(ApiToken).options(joinedload(ApiToken.user))
                               .where(ApiToken.token_hash == hash_token(secret))).first()
    if token is None or not token.usable(now or utcnow()) or not token.user.active:
        return None
    return token


@dataclass(frozen=True)
class Use:
    allowed: bool
    #: Seconds until the window ends and requests are allowed again (when refused).
    retry_after: int = 0


def count_use(token, now=None):
    """Count one request of the token in its rate-limit window and note its last use.

    One UPDATE does it, so processes sharing the database count together: the row lock (PostgreSQL) or the write
    lock (SQLite) makes concurrent requests take turns. A fixed window: the count starts over a window's length
    after the window's first request."""
    now = now or utcnow()
    in_window = ApiToken.window_started_at > now - timedelta(seconds=RATE_WINDOW_SECONDS)
    started, count = db.session.execute(
        update(ApiToken).where(ApiToken.id == token.id)
        .values(window_count=case((in_window, ApiToken.window_count + 1), else_=1),
                window_started_at=case((in_window, ApiToken.window_started_at), else_=now),
                last_used_at=now)
        .returning(ApiToken.window_started_at, ApiToken.window_count)
        .execution_options(synchronize_session=False)
    ).one()
    if count <= current_app.config["API_RATE_LIMIT"]:
        return Use(True)
    return Use(False, max(1, ceil((started + timedelta(seconds=RATE_WINDOW_SECONDS) - now).total_seconds())))

