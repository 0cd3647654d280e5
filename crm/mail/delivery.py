"""Where the mails about an object stand: waiting in the outbox, sent, or failed, as the worker left them.

A page that says an invoice or an invitation was "sent" asks here, so it never says so while the mail only waits.
"""

import enum
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, true

from crm.extensions import db
from crm.mail.models import EmailStatus, MassMailing, OutboundEmail


class Delivery(enum.StrEnum):
    #: Nothing was ever queued.
    NONE = "none"
    #: Waiting in the outbox, or being sent right now.
    QUEUED = "queued"
    SENT = "sent"
    #: At least one mail failed for good (the outbox shows why and can retry it).
    FAILED = "failed"
    #: Every mail was cancelled before it went.
    CANCELLED = "cancelled"


DELIVERY_LABELS = {
    Delivery.NONE: _l("Ikke sendt"),
    Delivery.QUEUED: _l("I udbakken"),
    Delivery.SENT: _l("Sendt"),
    Delivery.FAILED: _l("Fejlet"),
    Delivery.CANCELLED: _l("Annulleret"),
}


@dataclass(frozen=True)
class DeliveryState:
    state: Delivery
    #: When the last of the mails went, for a sent state.
    sent_at: datetime | None = None

    @property
    def label(self):
        return DELIVERY_LABELS[self.state]


NOTHING = DeliveryState(Delivery.NONE)


@dataclass(frozen=True)
class OutboxCounts:
    """How many of some mails wait (queued or being sent), went, failed for good, or were cancelled."""

    queued: int = 0
    sent: int = 0
    failed: int = 0
    cancelled: int = 0

    @classmethod
    def of(cls, counts):
        """From {EmailStatus: count}."""
        return cls(queued=counts.get(EmailStatus.QUEUED, 0) + counts.get(EmailStatus.SENDING, 0),
                   sent=counts.get(EmailStatus.SENT, 0), failed=counts.get(EmailStatus.FAILED, 0),
                   cancelled=counts.get(EmailStatus.CANCELLED, 0))

    @property
    def state(self):
        """One state for them all: a failure shows first, then anything still waiting; never sent while one waits."""
        if self.failed:
            return Delivery.FAILED
        if self.queued:
            return Delivery.QUEUED
        if self.sent:
            return Delivery.SENT
        if self.cancelled:
            return Delivery.CANCELLED
        return Delivery.NONE


def _summary(counts, sent_at):
    """One state for several mails (one per contact), with when the last went if they all did."""
    state = OutboxCounts.of(counts).state
    return DeliveryState(state, sent_at if state == Delivery.SENT else None)


def mass_mailing_counts(mass_mailing_ids):
    """{mass mailing id: OutboxCounts} of the mails each queued, as the outbox holds them now (one query)."""
    ids = list(mass_mailing_ids)
    gathered = {mailing_id: {} for mailing_id in ids}
    if ids:
        for mailing_id, status, count in db.session.execute(
                select(OutboundEmail.mass_mailing_id, OutboundEmail.status, func.count())
                .where(OutboundEmail.mass_mailing_id.in_(ids))
                .group_by(OutboundEmail.mass_mailing_id, OutboundEmail.status)):
            gathered[mailing_id][EmailStatus(status)] = count
    return {mailing_id: OutboxCounts.of(counts) for mailing_id, counts in gathered.items()}


def latest_mailing(concerns, *, purposes=None, excluding=None):
    """(the latest MassMailing about the object, its OutboxCounts), of those purposes or all but those; or None."""
    statement = select(MassMailing).where(MassMailing.object_type == concerns.__tablename__,
                                          MassMailing.object_id == concerns.id)
    if purposes is not None:
        statement = statement.where(MassMailing.purpose.in_(purposes))
    if excluding is not None:
        statement = statement.where(MassMailing.purpose.not_in(excluding))
    mass = db.session.scalars(statement.order_by(MassMailing.created_at.desc(), MassMailing.id.desc())).first()
    return (mass, mass_mailing_counts([mass.id])[mass.id]) if mass is not None else None


def _purpose_filter(purposes, excluding):
    """Mails of mass mailings of these purposes only, or of all but these (mails sent one by one count too)."""
    if purposes is not None:
        return OutboundEmail.mass_mailing_id.in_(select(MassMailing.id).where(MassMailing.purpose.in_(purposes)))
    if excluding is not None:
        return OutboundEmail.mass_mailing_id.is_(None) | OutboundEmail.mass_mailing_id.not_in(
            select(MassMailing.id).where(MassMailing.purpose.in_(excluding)))
    return true()


def delivery_states(object_type, object_ids, *, per_company=False, purposes=None, excluding=None):
    """{object id: DeliveryState} of the mails about these objects (`object_type` is the table name, e.g.
    "contributions"); with per_company, {(object id, company id): DeliveryState}, e.g. one meeting's invitations.
    `purposes` keeps only the mails of mass mailings of those purposes (a meeting's minutes), `excluding` leaves
    theirs out (its invitations). Objects with no mail are left out: look them up with .get(key, NOTHING)."""
    object_ids = list(object_ids)
    if not object_ids:
        return {}
    key_columns = [OutboundEmail.object_id, OutboundEmail.company_id] if per_company else [OutboundEmail.object_id]
    rows = db.session.execute(
        select(*key_columns, OutboundEmail.status, func.count(), func.max(OutboundEmail.sent_at))
        .where(OutboundEmail.object_type == object_type, OutboundEmail.object_id.in_(object_ids),
               _purpose_filter(purposes, excluding))
        .group_by(*key_columns, OutboundEmail.status)
    ).all()
    gathered = {}
    for row in rows:
        key = tuple(row[:2]) if per_company else row[0]
        counts, last = gathered.setdefault(key, ({}, [None]))
        status, count, sent_at = row[-3:]
        counts[EmailStatus(status)] = count
        if sent_at is not None and (last[0] is None or sent_at > last[0]):
            last[0] = sent_at
    return {key: _summary(counts, last[0]) for key, (counts, last) in gathered.items()}
