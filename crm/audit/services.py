"""Recording audit entries."""

from sqlalchemy import select

from crm.actor import current_actor
from crm.audit.models import AuditEntry
from crm.extensions import db


def record(action, *, actor=None, actor_email=None, obj=None, object_type=None, object_id=None,
           changes=None, address=None):
    """Add an audit entry to the current transaction. The actor and the address default to the request's or the
    command's (crm.actor); give `actor_email` alone for an attempt by someone not logged in."""
    acting = current_actor()
    if actor is None and actor_email is None:
        actor = acting.user
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id or obj.id
    entry = AuditEntry(
        action=action,
        actor_id=getattr(actor, "id", None),
        actor_email=actor_email or getattr(actor, "email", None),
        object_type=object_type,
        object_id=object_id,
        changes=changes,
        address=address or acting.address,
    )
    db.session.add(entry)
    return entry


def diff(obj, new_values):
    """The {field: [old, new]} of the values that differ from the object's current ones."""
    changes = {}
    for field, new in new_values.items():
        old = getattr(obj, field)
        if old != new:
            changes[field] = [_plain(old), _plain(new)]
    return changes


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def former_values(object_type, object_id, fields):
    """Every value the log recorded for these fields of one object (old and new), e.g. a person's former names."""
    values = set()
    for changes in db.session.scalars(select(AuditEntry.changes).where(AuditEntry.object_type == object_type,
                                                                       AuditEntry.object_id == object_id)):
        for field in fields:
            change = (changes or {}).get(field) if isinstance(changes, dict) else None
            if isinstance(change, list):
                values.update(value for value in change if isinstance(value, str) and value)
    return values
