"""Who a token reaches: every API view declares it (the route-by-role test reads `allowed_roles`).

A token acts as its owner: staff and admin tokens read everything the API offers; a company user's token reads
only its own company's rows (the queries are scoped with crm.security.company_scoped, another company's id
answers 404) and never the staff-only resources (contacts, the timeline), which answer 403.
"""

from functools import wraps
from types import SimpleNamespace

from flask import g
from flask_babel import gettext as _
from flask_login import current_user

from crm.api.errors import refuse
from crm.audit.access import record_access
from crm.companies.models import Contact

#: The value of `allowed_roles` on an API view: reached with a bearer token, never with a session.
TOKEN = "token"  # noqa: S105 (a kind of access, not a secret)


def token_required(*, staff=False, write=False):
    """The view needs a token (checked before the request, crm.api.blueprint); `staff`: a staff or admin user's
    token; `write`: a read-write token."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = g.get("api_token")
            if token is None:
                refuse(401, _("Giv et API-token i headeren Authorization: Bearer <token>."))
            if staff and not current_user.is_staff:
                refuse(403, _("Kun tokens for erhvervsteamets og sekretariatets brugere når dette."))
            if write and not token.can_write:
                refuse(403, _("Tokenet må kun læse. Opret et token med adgangen læse og skrive."))
            return view(*args, **kwargs)

        wrapped.allowed_roles = TOKEN
        return wrapped

    return decorator


def own_company_id():
    """The company a company user's token is limited to; None for staff (everything)."""
    return None if current_user.is_staff else current_user.company_id


def log_persons_read(rows):
    """Note in the access log of personal data that this answer shows these persons: Contact rows, or rows that
    point at one (attendance, group memberships: `contact_id`, `company_id`). Returns the rows."""
    persons = [row if isinstance(row, Contact) else SimpleNamespace(id=row.contact_id, company_id=row.company_id)
               for row in rows if isinstance(row, Contact) or row.contact_id is not None]
    if persons:
        record_access("api", contacts=persons)
    return rows
