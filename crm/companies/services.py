"""Use cases of the company register. Services flush, never commit."""

from crm.companies.models import Activity, ActivityKind
from crm.db import utcnow
from crm.extensions import db


def search_text_for(company, contacts=()):
    """What the search looks in: name, CVR, address and the contacts' names and e-mails, lower-cased."""
    parts = [company.name, company.cvr, company.street, company.postal_code, company.city]
    for contact in contacts:
        parts.extend((contact.name, contact.email or ""))
    return " ".join(part for part in parts if part).lower()


def refresh_search_text(company):
    """Bring the company's search text in step with its details and contacts."""
    company.search_text = search_text_for(company, company.contacts)


def log_activity(company_id, kind, text, *, author=None, obj=None, occurred_at=None):
    """Add an entry to a company's timeline (notes, calls, visits, mails sent, meetings attended)."""
    activity = Activity(
        company_id=company_id,
        kind=ActivityKind(kind),
        text=text,
        author_id=getattr(author, "id", None),
        object_type=obj.__tablename__ if obj is not None else None,
        object_id=obj.id if obj is not None else None,
        occurred_at=occurred_at or utcnow(),
    )
    db.session.add(activity)
    return activity
