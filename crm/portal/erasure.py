"""A contact's request to be removed, and carrying it out by anonymising the person (counts stay true)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from crm.audit.models import ErasureRequest
from crm.audit.services import record
from crm.companies.models import ActivityKind, Contact
from crm.companies.services import erase_contact, log_activity
from crm.db import utcnow
from crm.extensions import db


def request_erasure(contact, *, by):
    """Note that the person asks to be removed; staff carry it out. A second request adds nothing."""
    existing = db.session.scalars(select(ErasureRequest).where(
        ErasureRequest.contact_id == contact.id, ErasureRequest.done_at.is_(None))).first()
    if existing is not None:
        return existing
    request_row = ErasureRequest(contact_id=contact.id, company_id=contact.company_id, requested_by_id=by.id)
    db.session.add(request_row)
    db.session.flush()
    log_activity(contact.company_id, ActivityKind.CHANGE, _l("Anmodning om sletning af en kontaktperson."),
                 author=by)
    record("contact.erasure_requested", actor=by, obj=request_row, changes={"contact_id": contact.id})
    return request_row


def requested_contact_ids(company):
    """Ids of the company's contacts with an open removal request."""
    return set(db.session.scalars(select(ErasureRequest.contact_id).where(
        ErasureRequest.company_id == company.id, ErasureRequest.done_at.is_(None))))


def open_requests(company):
    """The company's open removal requests with their contact."""
    return db.session.scalars(select(ErasureRequest).where(
        ErasureRequest.company_id == company.id, ErasureRequest.done_at.is_(None))
        .options(joinedload(ErasureRequest.contact)).order_by(ErasureRequest.created_at)).all()


def all_open_requests():
    """Every open removal request with its company, oldest first."""
    return db.session.scalars(select(ErasureRequest).where(ErasureRequest.done_at.is_(None))
                              .options(joinedload(ErasureRequest.company)).order_by(ErasureRequest.created_at)).all()


def anonymise(request_row, *, by):
    """Carry out a removal request: the person is anonymised in every area (crm.companies.services.erase_contact);
    attendance and invitations stay, so counts stay true."""
    contact = erase_contact(db.session.get(Contact, request_row.contact_id), by=by)
    request_row.done_at, request_row.done_by_id = utcnow(), by.id
    record("contact.anonymised", actor=by, obj=contact, changes={"request_id": request_row.id})
    db.session.flush()
    return contact
