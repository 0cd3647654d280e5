"""The joining area's part of what happens to a company or a person elsewhere, and its panel on the staff home
page."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from crm.audit.retention import purge
from crm.companies.forms import ROLE_LABELS
from crm.extensions import db
from crm.joining import services
from crm.joining.models import JoinRequest, JoinState
from crm.merging import ANONYMISED_DOMAIN, ANONYMISED_NAME, repoint, scrub_words
from crm.signals import (
    ExportPart,
    Panel,
    RetentionTask,
    company_export_parts,
    company_merged,
    contact_erased,
    contacts_merged,
    declare,
    handles,
    retention_tasks,
    staff_home_panels,
)


@handles(company_merged, "join_requests.company_id")
def _move_requests(survivor, duplicate):
    """The duplicate's join request is the survivor's history now."""
    return {"join_requests": repoint(JoinRequest.company_id, duplicate.id, survivor.id)}


@handles(contacts_merged, "join_requests.contact_id")
def _move_requests_of_joined_contact(survivor, duplicate):
    repoint(JoinRequest.contact_id, duplicate.id, survivor.id)


declare(contact_erased, "join_requests.company_id", "the erasure scrubs the person from the requests "
                                                    "(_scrub_requests); the company stays")


@handles(contact_erased, "join_requests.contact_id")
def _scrub_requests(contact, old_email=None, words=(), **_kwargs):
    """The person's name, e-mail, phone and network address leave every request they sent (the one that became
    this contact, and any other with their e-mail); the company's part and the decision stay."""
    condition = JoinRequest.contact_id == contact.id
    if old_email:
        condition = or_(condition, JoinRequest.contact_email == old_email)
    for row in db.session.scalars(select(JoinRequest).where(condition)):
        row.contact_name, row.contact_phone, row.address = ANONYMISED_NAME, "", ""
        row.contact_email = f"anmodning-{row.id}@{ANONYMISED_DOMAIN}"
        row.reason = scrub_words(row.reason, words)


REQUEST_COLUMNS = {
    "created_at": _l("Anmodet"), "cvr": _l("CVR-nummer"), "name": _l("Navn"), "street": _l("Adresse"),
    "postal_code": _l("Postnummer"), "city": _l("By"), "role": _l("Rolle"), "contact_name": _l("Kontaktperson"),
    "contact_email": _l("E-mail"), "contact_phone": _l("Telefon"), "consent_at": _l("Samtykke givet"),
    "consent_text_version": _l("Samtykketekstens version"), "state": _l("Status"), "decided_at": _l("Afgjort"),
}
STATE_LABELS = {JoinState.PENDING: _l("Venter"), JoinState.APPROVED: _l("Godkendt"),
                JoinState.DECLINED: _l("Afvist")}


@handles(company_export_parts, "join_requests.company_id", "join_requests.contact_id")
def _request_part(company):
    """The company's request to join the network, as it was sent (the sender's network address stays out)."""
    rows = db.session.scalars(select(JoinRequest).where(JoinRequest.company_id == company.id)
                              .order_by(JoinRequest.created_at))
    return ExportPart("join_requests", REQUEST_COLUMNS,
                      [{key: getattr(row, key) for key in REQUEST_COLUMNS} for row in rows], order=75,
                      values={"role": ROLE_LABELS, "state": STATE_LABELS})


@staff_home_panels.connect
def _waiting_requests(user):
    """How many companies wait for an answer to their request to join, when any do."""
    count = services.pending_count()
    return Panel("joining/_home_panel.html", {"count": count}, order=15) if count else None


def delete_unanswered_and_declined_requests(cutoff, *, apply):
    """A request that was declined, or never answered, holds a stranger's name and e-mail and nothing the network
    needs: it goes after RETENTION_JOIN_REQUEST_DAYS. An approved one stays with its company (its history)."""
    return purge(JoinRequest, JoinRequest.state != JoinState.APPROVED, JoinRequest.created_at < cutoff, apply=apply)


@retention_tasks.connect
def _old_join_requests(_app):
    return RetentionTask("join_requests", _l("Afviste og ubesvarede anmodninger om at blive en del af netværket"),
                         delete_unanswered_and_declined_requests, setting="RETENTION_JOIN_REQUEST_DAYS",
                         action=_l("slettes"), order=70)
