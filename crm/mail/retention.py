"""The outbox's part of the retention run: after RETENTION_OUTBOX_DAYS a mail keeps only its metadata (recipient,
subject, state, times); its text, headers and files go. A mail that failed is cancelled then: it never goes."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, func, select, update

from crm.db import utcnow
from crm.extensions import db
from crm.mail.models import EmailStatus, OutboundAttachment, OutboundEmail
from crm.signals import RetentionTask

#: Mails still on their way (queued, being sent) keep everything whatever their age.
DONE = (EmailStatus.SENT.value, EmailStatus.FAILED.value, EmailStatus.CANCELLED.value)


def trim_old_mails(cutoff, *, apply):
    """Mails made before the cutoff and done with: how many; with apply, they lose their text and files."""
    old = (OutboundEmail.created_at < cutoff, OutboundEmail.trimmed_at.is_(None), OutboundEmail.status.in_(DONE))
    if not apply:
        return db.session.scalar(select(func.count()).select_from(OutboundEmail).where(*old))
    ids = select(OutboundEmail.id).where(*old)
    db.session.execute(delete(OutboundAttachment).where(OutboundAttachment.email_id.in_(ids))
                       .execution_options(synchronize_session=False))
    return db.session.execute(
        update(OutboundEmail).where(*old)
        .values(body_text="", body_html=None, headers=None, trimmed_at=utcnow(),
                status=case((OutboundEmail.status == EmailStatus.FAILED.value, EmailStatus.CANCELLED.value),
                            else_=OutboundEmail.status))
        .execution_options(synchronize_session=False)).rowcount


TASKS = (
    RetentionTask("outbox_bodies", _l("Mails i udbakken"), trim_old_mails, setting="RETENTION_OUTBOX_DAYS",
                  action=_l("tekst og filer slettes; modtager, emne og status gemmes"), order=40),
)
