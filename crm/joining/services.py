"""Use cases of joining: a company asks at /join, staff approve (company, contact, portal invitation) or decline.
Services flush, never commit."""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from crm.actor import current_actor
from crm.audit.services import record
from crm.companies.models import ActivityKind, CompanyStatus, LawfulBasis
from crm.companies.services import add_contact, create_company, find_by_cvr, log_activity, update_company
from crm.db import utcnow
from crm.extensions import db
from crm.joining import notifications
from crm.joining.models import JoinRequest, JoinState
from crm.portal.access import PortalInvitationRefused, invite_contact

#: The version of the consent text on the form ("you may contact me about the network"); kept with each request
#: and with the contact person it becomes.
CONSENT_TEXT_VERSION = "join-2024-1"
#: How the contact person's consent was given: on the public join form.
CONSENT_CHANNEL = "join"
#: The fields of a request as the form gives them.
REQUEST_FIELDS = ("cvr", "name", "street", "postal_code", "city", "role", "contact_name", "contact_email",
                  "contact_phone")


class AlreadyDecided(ValueError):
    """The request was approved or declined before (by another member of staff, or in another tab)."""


def too_many_from(address):
    """True when the address sent JOIN_REQUESTS_PER_ADDRESS requests within JOIN_THROTTLE_WINDOW: the form is
    refused until they age out. Counted in the database, so every app process sees the same count."""
    config = current_app.config
    since = utcnow() - timedelta(seconds=config["JOIN_THROTTLE_WINDOW"])
    sent = db.session.scalar(select(func.count()).select_from(JoinRequest).where(
        JoinRequest.address == address, JoinRequest.created_at >= since))
    return sent >= config["JOIN_REQUESTS_PER_ADDRESS"]


def submit_request(values):
    """Store what a company wrote at /join, with the contact's consent and the sender's address. The CVR is not
    looked up: whether the company is known is for staff to see, never for the sender."""
    row = JoinRequest(**{key: values[key] for key in REQUEST_FIELDS},
                      consent_text_version=CONSENT_TEXT_VERSION, address=current_actor().address)
    row.contact_email = row.contact_email.strip().lower()
    db.session.add(row)
    db.session.flush()
    record("join.requested", obj=row, changes={"cvr": row.cvr, "name": row.name})
    return row


def pending_requests():
    """The requests waiting for staff, oldest first."""
    return db.session.scalars(select(JoinRequest).where(JoinRequest.state == JoinState.PENDING)
                              .order_by(JoinRequest.created_at, JoinRequest.id)).all()


def pending_count():
    return db.session.scalar(select(func.count()).select_from(JoinRequest)
                             .where(JoinRequest.state == JoinState.PENDING))


def decided_requests(limit=50):
    """The latest approved and declined requests, newest decision first."""
    return db.session.scalars(select(JoinRequest).where(JoinRequest.state != JoinState.PENDING)
                              .order_by(JoinRequest.decided_at.desc(), JoinRequest.id.desc()).limit(limit)).all()


def others_with_cvr(row):
    """Other requests with the same CVR number (one company asking twice, or two people from it)."""
    return db.session.scalars(select(JoinRequest).where(JoinRequest.cvr == row.cvr, JoinRequest.id != row.id)
                              .order_by(JoinRequest.created_at)).all()


@dataclass
class Approval:
    """What approving a request did."""

    company: object
    contact: object
    new_company: bool
    new_contact: bool
    #: Why no invitation went out ("taken": another login has the e-mail), or None when it did.
    invitation_refused: str | None = None


def _check_pending(row):
    if row.state != JoinState.PENDING:
        raise AlreadyDecided(row.state)


def _company_for(row, by):
    """The company with the request's CVR, as the register has it, or a new one made from the request. A company
    that had left the area is back as invited; a member stays a member."""
    company = find_by_cvr(row.cvr)
    if company is None:
        values = {key: getattr(row, key) for key in ("cvr", "name", "street", "postal_code", "city", "role")}
        return create_company({**values, "status": CompanyStatus.INVITED}, by=by), True
    if company.status == CompanyStatus.LEFT:
        update_company(company, {"status": CompanyStatus.INVITED}, by=by)
    return company, False


def _contact_for(row, company, by):
    """The company's contact with the request's e-mail, or a new one kept on the person's consent."""
    contact = next((contact for contact in company.contacts if contact.email == row.contact_email), None)
    if contact is not None:
        return contact, False
    contact = add_contact(company, {
        "name": row.contact_name, "email": row.contact_email, "phone": row.contact_phone,
        "lawful_basis": LawfulBasis.CONSENT, "source": CONSENT_CHANNEL,
        "consent_text_version": row.consent_text_version, "consent_channel": CONSENT_CHANNEL,
    }, by=by)
    contact.consent_at = row.consent_at
    return contact, True


def approve(row, *, by):
    """Approve a request: the company (matched by CVR, never a second one) and the contact person (matched by
    e-mail), status invited, and a portal invitation to the contact; audited and on the company's timeline."""
    _check_pending(row)
    company, new_company = _company_for(row, by)
    contact, new_contact = _contact_for(row, company, by)
    row.state, row.decided_at, row.decided_by_id = JoinState.APPROVED, utcnow(), by.id
    row.company_id, row.contact_id = company.id, contact.id
    log_activity(company.id, ActivityKind.CHANGE,
                 _l("Anmodningen om at blive en del af netværket (fra %(name)s via hjemmesiden) er godkendt.",
                    name=row.contact_name), author=by, obj=row)
    approval = Approval(company, contact, new_company, new_contact)
    try:
        invite_contact(contact, by=by)
    except PortalInvitationRefused as refused:
        approval.invitation_refused = str(refused)
    record("join.approved", actor=by, obj=row, changes={
        "company_id": company.id, "contact_id": contact.id, "new_company": new_company,
        "new_contact": new_contact, "invitation_refused": approval.invitation_refused})
    db.session.flush()
    return approval


def decline(row, reason, *, by):
    """Decline a request with a reason, which is mailed to the contact person; no company is made."""
    _check_pending(row)
    row.state, row.decided_at, row.decided_by_id, row.reason = JoinState.DECLINED, utcnow(), by.id, reason
    notifications.notify_join_declined(row)
    record("join.declined", actor=by, obj=row, changes={"cvr": row.cvr, "reason": reason})
    db.session.flush()
