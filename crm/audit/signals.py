"""The audit trail's part of what happens to a company or a person elsewhere: removal requests follow a merge, and
an erased person's name and e-mail leave the old and new values of the log (the entries and counts stay).

The access log (crm.audit.access_models) holds ids only: a merge points the duplicate's rows at the survivor, so
"who has seen this person" stays complete; an erasure keeps the rows (an id is all they hold of the person, and
who read the person's data before the erasure is what the data protection officer may still be asked), and takes
the person's e-mail out of the rows where they were the reader (a portal user)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from crm.audit.access_models import AccessEntry
from crm.audit.models import AuditEntry, ErasureRequest
from crm.audit.retention import purge
from crm.db import utcnow
from crm.extensions import db
from crm.merging import ANONYMISED_NAME, repoint, scrub_words, text_contains_any
from crm.signals import (
    ExportPart,
    RetentionTask,
    company_export_parts,
    company_merged,
    contact_erased,
    contacts_active_since,
    contacts_merged,
    declare,
    handles,
    retention_tasks,
)


@handles(company_merged, "erasure_requests.company_id")
def _move_requests(survivor, duplicate):
    """Removal requests stay with the company the person now belongs to."""
    return {"erasure_requests": repoint(ErasureRequest.company_id, duplicate.id, survivor.id)}


@handles(contacts_merged, "erasure_requests.contact_id")
def _move_requests_of_joined_contact(survivor, duplicate):
    repoint(ErasureRequest.contact_id, duplicate.id, survivor.id)


declare(contact_erased, "erasure_requests.company_id", "the request is the record that the person was erased")


@handles(company_merged, "access_log.company_id")
def _move_reads_of_company(survivor, duplicate):
    repoint(AccessEntry.company_id, duplicate.id, survivor.id)


@handles(contacts_merged, "access_log.contact_id")
def _move_reads_of_joined_contact(survivor, duplicate):
    repoint(AccessEntry.contact_id, duplicate.id, survivor.id)


declare(contact_erased, "access_log.contact_id", "kept: the row holds the id alone, and who read the person stays "
        "answerable (the reader's e-mail is scrubbed by crm.audit.signals._scrub_the_readers)")
declare(contact_erased, "access_log.company_id", "kept: the company's id, no personal data")
declare(company_merged, "access_log.contact_id", "contacts keep their ids when their company merges; a person on "
        "both is joined by contacts_merged")
declare(contacts_merged, "access_log.company_id", "the survivor's company is moved by company_merged")
for _column in ("access_log.contact_id", "access_log.company_id"):
    declare(company_export_parts, _column, "not in the data ZIP: who read the company's data is the network's log, "
            "answered by an admin on request (/audit/access)")


@contact_erased.connect
def _scrub_the_readers(contact, old_email, **_kwargs):
    """The erased person's own reads (as a portal user) keep their rows, without the person's e-mail."""
    if old_email:
        db.session.execute(update(AccessEntry).where(AccessEntry.user_email == old_email)
                           .values(user_email=ANONYMISED_NAME).execution_options(synchronize_session=False))
@handles(contact_erased, "erasure_requests.contact_id")
def _close_open_requests(contact, **_kwargs):
    """The request is the record that the person was erased: once they are (also by the retention run), it is done."""
    db.session.execute(update(ErasureRequest).where(ErasureRequest.contact_id == contact.id,
                                                    ErasureRequest.done_at.is_(None)).values(done_at=utcnow())
                       .execution_options(synchronize_session=False))


def _scrubbed(value, words):
    """The JSON value with each word replaced wherever it stands in a text (whole words only)."""
    if isinstance(value, str):
        return scrub_words(value, words, ANONYMISED_NAME)
    if isinstance(value, list):
        return [_scrubbed(item, words) for item in value]
    if isinstance(value, dict):
        return {key: _scrubbed(item, words) for key, item in value.items()}
    return value


@contact_erased.connect
def _scrub_the_log(contact, old_email, words, **_kwargs):
    """Entries keep their action, time and object, so counts stay; their values lose the person."""
    condition = text_contains_any(AuditEntry.changes, words)
    if old_email:
        condition = or_(condition, AuditEntry.actor_email == old_email)
    for entry in db.session.scalars(select(AuditEntry).where(condition)):
        if entry.changes is not None:
            entry.changes = _scrubbed(entry.changes, words)
        if old_email and entry.actor_email == old_email:
            entry.actor_email = ANONYMISED_NAME


@contacts_active_since.connect
def _contacts_changed_since(since):
    """A person whose record was added or changed (by staff or in the portal) is in use."""
    return select(AuditEntry.object_id).where(AuditEntry.object_type == "contacts", AuditEntry.at >= since)


REQUEST_COLUMNS = {"contact_id": _l("Kontaktperson (id)"), "created_at": _l("Anmodet"), "done_at": _l("Udført")}


@handles(company_export_parts, "erasure_requests.company_id", "erasure_requests.contact_id")
def _request_part(company):
    """The company's requests to remove a person."""
    rows = db.session.scalars(select(ErasureRequest).where(ErasureRequest.company_id == company.id)
                              .order_by(ErasureRequest.created_at))
    return ExportPart("removal_requests", REQUEST_COLUMNS,
                      [{key: getattr(row, key) for key in REQUEST_COLUMNS} for row in rows], order=70)


def delete_old_access_log(cutoff, *, apply):
    """The access log's rows are kept RETENTION_ACCESS_LOG_DAYS, then deleted by the retention run."""
    return purge(AccessEntry, AccessEntry.at < cutoff, apply=apply)


@retention_tasks.connect
def _old_access_log(_app):
    return RetentionTask("access_log", _l("Adgangslog over persondata"), delete_old_access_log,
                         setting="RETENTION_ACCESS_LOG_DAYS", action=_l("slettes"), order=60)
