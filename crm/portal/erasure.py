"""A contact's request to be removed, and carrying it out by anonymising the person (counts stay true)."""

import re

from flask_babel import gettext as _
from sqlalchemy import case, or_, select, update
from sqlalchemy.orm import joinedload

from crm.audit.models import ErasureRequest
from crm.audit.services import record
from crm.auth.models import User
from crm.auth.services import end_sessions, spend_links
from crm.companies.models import Activity, ActivityKind, Contact
from crm.companies.services import log_activity, refresh_search_text
from crm.db import utcnow
from crm.extensions import db
from crm.mail.models import EmailStatus, OutboundEmail
from crm.portal.access import ANONYMISED_DOMAIN

ANONYMISED_NAME = "Anonymiseret"
UNSENT = (EmailStatus.QUEUED.value, EmailStatus.FAILED.value)


def request_erasure(contact, *, by):
    """Note that the person asks to be removed; staff carry it out. A second request adds nothing."""
    existing = db.session.scalars(select(ErasureRequest).where(
        ErasureRequest.contact_id == contact.id, ErasureRequest.done_at.is_(None))).first()
    if existing is not None:
        return existing
    request_row = ErasureRequest(contact_id=contact.id, company_id=contact.company_id, requested_by_id=by.id)
    db.session.add(request_row)
    db.session.flush()
    log_activity(contact.company_id, ActivityKind.CHANGE, _("Anmodning om sletning af en kontaktperson."),
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


def _scrub_timeline(company_id, words):
    """Replace the person's name and e-mail in the company's timeline texts, as whole words only: removing "Ole"
    must not turn "Olesen Transport" into something else."""
    patterns = [re.compile(rf"(?<!\w){re.escape(word)}(?!\w)") for word in words if word]
    if not patterns:
        return
    candidates = db.session.scalars(select(Activity).where(
        Activity.company_id == company_id, or_(*(Activity.text.contains(word, autoescape=True) for word in words
                                                 if word))))
    for activity in candidates:
        text = activity.text
        for pattern in patterns:
            text = pattern.sub(ANONYMISED_NAME, text)
        activity.text = text


def all_open_requests():
    """Every open removal request with its company, oldest first."""
    return db.session.scalars(select(ErasureRequest).where(ErasureRequest.done_at.is_(None))
                              .options(joinedload(ErasureRequest.company)).order_by(ErasureRequest.created_at)).all()


def placeholder_email(contact):
    """A non-deliverable address, unique per contact, that keeps (company, e-mail) unique."""
    return f"kontakt-{contact.id}@{ANONYMISED_DOMAIN}"


def anonymise(request_row, *, by):
    """Carry out a removal request: the person becomes "Anonymiseret", without e-mail, phone or consent, and is
    no longer mailed; attendance and invitations stay, so counts stay true. Mails sent to them lose the person."""
    contact = db.session.get(Contact, request_row.contact_id)
    old_name, old_email = contact.name, contact.email
    contact.name, contact.title, contact.phone = ANONYMISED_NAME, "", ""
    contact.email = placeholder_email(contact)
    contact.newsletter_consent, contact.consent_at = False, None
    contact.consent_text_version, contact.consent_channel = None, None
    contact.receives_meeting_mail = False
    if contact.is_primary:
        contact.is_primary = False
        others = [other for other in contact.company.contacts if other is not contact]
        if others:
            others[0].is_primary = True
    for user in db.session.scalars(select(User).where(User.contact_id == contact.id)):
        user.active, user.name = False, ANONYMISED_NAME
        user.email = f"bruger-{user.id}@{ANONYMISED_DOMAIN}"
        end_sessions(user)
        spend_links(user)
    if old_email:
        db.session.execute(
            update(OutboundEmail).where(OutboundEmail.company_id == contact.company_id,
                                        OutboundEmail.to_address == old_email)
            .values(to_address=contact.email, to_name=ANONYMISED_NAME, body_text=_("(anonymiseret)"), body_html=None,
                    status=case((OutboundEmail.status.in_(UNSENT), EmailStatus.CANCELLED.value),
                                else_=OutboundEmail.status))  # mail not yet sent to them never goes
            .execution_options(synchronize_session=False))
    _scrub_timeline(contact.company_id, [old_name, old_email])
    refresh_search_text(contact.company)
    request_row.done_at, request_row.done_by_id = utcnow(), by.id
    log_activity(contact.company_id, ActivityKind.CHANGE, _("En kontaktperson er anonymiseret efter anmodning."),
                 author=by)
    record("contact.anonymised", actor=by, obj=contact, changes={"request_id": request_row.id})
    db.session.flush()
    return contact
