"""Recording audit entries."""

from crm.actor import current_actor
from crm.audit.models import AuditEntry
from crm.extensions import db


def record(action, *, actor=None, actor_email=None, obj=None, object_type=None, object_id=None,
           changes=None):
    """Add an audit entry to the current transaction; the network address is the current actor's."""
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
        address=current_actor().address,
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
