"""The outbox's part of what happens to a company or a person elsewhere: a merge, an erasure, the data ZIP."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, select, update

from crm.extensions import db
from crm.mail import retention
from crm.mail.delivery import DELIVERY_LABELS
from crm.mail.models import EmailKind, EmailStatus, OutboundAttachment, OutboundEmail
from crm.merging import repoint
from crm.signals import ExportPart, company_export_parts, company_merged, contact_erased, handles, retention_tasks

#: Mail not yet gone: an erased person's mail of these states is cancelled, never sent.
UNSENT = (EmailStatus.QUEUED.value, EmailStatus.FAILED.value)


@handles(company_merged, "outbound_emails.company_id")
def _move_mails(survivor, duplicate):
    """The mails to the duplicate's people are the survivor's history."""
    return {"outbound_emails": repoint(OutboundEmail.company_id, duplicate.id, survivor.id)}


@handles(contact_erased, "outbound_emails.company_id")
def _forget_mails_to_the_person(contact, old_email, **_kwargs):
    """Mails to the person keep their subject and state but lose the person: address, name, text and files.
    Mail not yet sent to them never goes."""
    if not old_email:
        return
    mine = select(OutboundEmail.id).where(OutboundEmail.company_id == contact.company_id,
                                          OutboundEmail.to_address == old_email)
    db.session.execute(delete(OutboundAttachment).where(OutboundAttachment.email_id.in_(mine))
                       .execution_options(synchronize_session=False))
    db.session.execute(
        update(OutboundEmail).where(OutboundEmail.company_id == contact.company_id,
                                    OutboundEmail.to_address == old_email)
        .values(to_address=contact.email, to_name=contact.name, body_text=_("(anonymiseret)"), body_html=None,
                status=case((OutboundEmail.status.in_(UNSENT), EmailStatus.CANCELLED.value),
                            else_=OutboundEmail.status))
        .execution_options(synchronize_session=False))


@retention_tasks.connect
def _trim_old_mails(_app):
    return list(retention.TASKS)


KIND_WORDS = {EmailKind.SERVICE: _l("Servicemail"), EmailKind.NEWSLETTER: _l("Nyhedsbrev")}
MAIL_COLUMNS = {"created_at": _l("Oprettet"), "to_name": _l("Modtager"), "to_address": _l("E-mail"),
                "subject": _l("Emne"), "kind": _l("Art"), "status": _l("Status"), "sent_at": _l("Sendt")}


@handles(company_export_parts, "outbound_emails.company_id")
def _mail_part(company):
    """The mails to the company's people, without their text."""
    rows = db.session.execute(
        select(*(getattr(OutboundEmail, key) for key in MAIL_COLUMNS))
        .where(OutboundEmail.company_id == company.id).order_by(OutboundEmail.created_at, OutboundEmail.id)).all()
    return ExportPart("mails", MAIL_COLUMNS, [dict(zip(MAIL_COLUMNS, row, strict=True)) for row in rows], order=20,
                      values={"status": DELIVERY_LABELS, "kind": KIND_WORDS})
