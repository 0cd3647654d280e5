"""Where the mails about an object stand: waiting in the outbox, sent, or failed, as the worker left them.

A page that says an invoice or an invitation was "sent" asks here, so it never says so while the mail only waits.
"""

import enum
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from crm.extensions import db
from crm.mail.models import EmailStatus, OutboundEmail


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


def _summary(counts, sent_at):
    """One state for several mails (one per contact): a failure shows first, then anything still waiting."""
    if counts.get(EmailStatus.FAILED):
        return DeliveryState(Delivery.FAILED)
    if counts.get(EmailStatus.QUEUED) or counts.get(EmailStatus.SENDING):
        return DeliveryState(Delivery.QUEUED)
    if counts.get(EmailStatus.SENT):
        return DeliveryState(Delivery.SENT, sent_at)
    if counts.get(EmailStatus.CANCELLED):
        return DeliveryState(Delivery.CANCELLED)
    return NOTHING


def delivery_states(object_type, object_ids, *, per_company=False):
    """{object id: DeliveryState} of the mails about these objects (`object_type` is the table name, e.g.
    "contributions"); with per_company, {(object id, company id): DeliveryState}, e.g. one meeting's invitations.
    Objects with no mail are left out: look them up with .get(key, NOTHING)."""
    object_ids = list(object_ids)
    if not object_ids:
        return {}
    key_columns = [OutboundEmail.object_id, OutboundEmail.company_id] if per_company else [OutboundEmail.object_id]
    rows = db.session.execute(
        select(*key_columns, OutboundEmail.status, func.count(), func.max(OutboundEmail.sent_at))
        .where(OutboundEmail.object_type == object_type, OutboundEmail.object_id.in_(object_ids))
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
