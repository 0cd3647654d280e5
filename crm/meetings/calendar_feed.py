"""Personal calendar feeds: a secret address per user that calendar programs subscribe to."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from crm import ics
from crm.audit.services import record
from crm.extensions import db
from crm.meetings.invitations import calendar_event
from crm.meetings.models import CalendarFeed, Invitation, Meeting


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_feed(user):
    """A new feed address for the user (any earlier one stops working); the token is shown once."""
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    token = secrets.token_urlsafe(32)
    db.session.add(CalendarFeed(user_id=user.id, token_hash=_hash(token)))
    record("calendar.feed_created", actor=user, obj=user)
    db.session.flush()
    return token


def revoke_feed(user):
    """Stop the user's feed address."""
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    record("calendar.feed_revoked", actor=user, obj=user)
    db.session.flush()


def has_feed(user):
    return db.session.scalar(select(CalendarFeed.id).where(CalendarFeed.user_id == user.id)) is not None


def feed_for_token(token):
    """The calendar file for a feed token, or None when the token is unknown, revoked or its user inactive."""
    feed = db.session.scalars(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token))).first()
    if feed is None or not feed.user.active:
        return None
    since = datetime.now(UTC) - timedelta(days=365)
    statement = select(Meeting).where(Meeting.starts_at >= since).order_by(Meeting.starts_at)
    if not feed.user.is_staff:  # a company user sees the meetings the company is invited to
        statement = statement.where(Meeting.id.in_(
            select(Invitation.meeting_id).where(Invitation.company_id == feed.user.company_id, Invitation.mailed)))
    meetings = db.session.scalars(statement).all()
    return ics.feed([calendar_event(meeting) for meeting in meetings], "Avedøre Holme Erhvervsnetværk")
