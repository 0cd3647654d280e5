"""Delivering the outbox over SMTP: claim due mail, send it, record what happened.

The worker is a process loop, like a view it commits; building the message (crm.mail.messages) and talking
SMTP (crm.mail.smtp) touch no database.
Each mail passes through three short transactions:

1. claim, with its batch: queued -> sending, claimed_at = now; commit (``FOR UPDATE SKIP LOCKED`` on
   PostgreSQL, so several workers never take the same row);
2. the SMTP conversation, with no database transaction open;
3. the outcome: sent (plus the company's timeline entry), queued again later, or failed; commit at once.

The one window in which a recipient can get a mail twice: the SMTP server has accepted the message (answered
250 to DATA) and the worker dies, or loses the database, before step 3 commits. The row then stays in
"sending" until its claim is older than MAIL_CLAIM_TIMEOUT and is sent again. (SMTP has the same window inside
the protocol: a connection lost after the server took the message but before its answer arrived looks like a
temporary failure.) The window is one mail wide: each mail is marked sent and committed straight after the
server's 250, before the next one is sent.

What that promises when things fail (tests/faults/ shows each):

- A worker killed at any moment (SIGKILL, a crash, the machine going down): nothing is lost. The rest of its batch
  stays claimed until the claim is older than MAIL_CLAIM_TIMEOUT (10 minutes), then any worker sends it; at most
  one mail per killed worker (the one in flight) can reach its recipient twice. SIGTERM or SIGINT instead: the
  worker finishes the mail in flight and gives the rest back at once, so nothing waits and nothing repeats.
- The database away: the worker logs the error and tries again every poll; what it had claimed is treated as
  above (the same window of one mail).
- The SMTP server down or refusing for a while (4xx): each mail is tried again after MAIL_RETRY_SECONDS (30 s),
  doubling up to 2 hours, ten attempts in all (about 4 hours 8 minutes from the first); then it fails and the
  outbox page shows it, where staff can send it again. A 5xx answer fails the mail at once.
"""

import logging
import smtplib
import threading
from dataclasses import dataclass, fields
from datetime import timedelta
from email.message import EmailMessage
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from crm.companies.models import Activity, ActivityKind
from crm.db import utcnow
from crm.extensions import db
from crm.mail.messages import build_message
from crm.mail.models import EmailStatus, OutboundEmail
from crm.mail.smtp import SMTPSession, classify_failure, error_text

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 50
DEFAULT_POLL_SECONDS = 5.0
#: Seconds after which a row still "sending" is taken to belong to a dead worker (MAIL_CLAIM_TIMEOUT).
DEFAULT_CLAIM_TIMEOUT = 600
MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=2)


class MailNotConfigured(RuntimeError):
    """The worker cannot deliver: no SMTP server, or Flask-Mail is told to suppress sending."""


@dataclass
class DeliveryCounts:
    """What a batch or a run did with the mail it claimed."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    #: Claimed but handed back untouched (stopping, or the claim getting old).
    released: int = 0

    def __iadd__(self, other):
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))
        return self


def retry_delay(attempts, first=FIRST_RETRY):
    """How long to wait after the given number of failed attempts: `first` (MAIL_RETRY_SECONDS, 30 s) doubling,
    at most 2 hours."""
    return min(first * 2 ** (max(attempts, 1) - 1), LONGEST_RETRY)


def check_configured():
    """Raise MailNotConfigured (with a Danish message for the operator) unless SMTP delivery is set up."""
    if not current_app.config.get("MAIL_SERVER"):
        raise MailNotConfigured(
            "Der er ikke sat en mailserver op (MAIL_SERVER). Mails bliver liggende i udbakken, "
            "hvor de kan læses; sæt MAIL_SERVER (og evt. MAIL_PORT, MAIL_USERNAME, MAIL_PASSWORD) og start igen."
        )
    if current_app.extensions["mail"].suppress:
        raise MailNotConfigured(
            "Afsendelse er slået fra (MAIL_SUPPRESS_SEND eller TESTING). Mails bliver liggende i udbakken."
        )


# The claim and the outcomes (these commit).

def release_stale_claims(now):
    """Queue again the rows a dead worker left in "sending" longer than MAIL_CLAIM_TIMEOUT; how many."""
    # Such a mail may have reached its recipient already (the window in the module docstring). Taking it back
    # counts as an attempt, so a mail that kills the worker every time ends as failed instead of looping.
    timeout = timedelta(seconds=current_app.config.get("MAIL_CLAIM_TIMEOUT", DEFAULT_CLAIM_TIMEOUT))
    stale = (OutboundEmail.status == EmailStatus.SENDING) & (OutboundEmail.claimed_at < now - timeout)
    note = "Afsendelsen blev afbrudt, fordi mail-workeren stoppede; mailen kan være modtaget én gang i forvejen."
    given_up = db.session.execute(
        update(OutboundEmail).where(stale, OutboundEmail.attempts + 1 >= MAX_ATTEMPTS)
        .values(status=EmailStatus.FAILED, attempts=OutboundEmail.attempts + 1, claimed_at=None, last_error=note),
        execution_options={"synchronize_session": False},
    ).rowcount
    queued = db.session.execute(
        update(OutboundEmail).where(stale)
        .values(status=EmailStatus.QUEUED, attempts=OutboundEmail.attempts + 1, claimed_at=None,
                next_attempt_at=now, last_error=note),
        execution_options={"synchronize_session": False},
    ).rowcount
    if given_up or queued:
        log.warning("Tog %d hængende mails tilbage i køen, %d opgivet", queued, given_up)
    return given_up + queued


def claim_batch(batch_size=DEFAULT_BATCH_SIZE):
    """Take back stale claims, then claim up to batch_size due mails for this worker and commit; their ids."""
    now = utcnow()
    release_stale_claims(now)
    # One UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING id: on PostgreSQL rows another
    # worker holds are skipped; on SQLite (no row locks, one worker) the statement takes the write lock first.
    due = (
        select(OutboundEmail.id)
        .where(OutboundEmail.status == EmailStatus.QUEUED, OutboundEmail.next_attempt_at <= now)
        .order_by(OutboundEmail.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    ids = db.session.scalars(
        update(OutboundEmail)
        .where(OutboundEmail.id.in_(due.scalar_subquery()), OutboundEmail.status == EmailStatus.QUEUED)
        .values(status=EmailStatus.SENDING, claimed_at=now)
        .returning(OutboundEmail.id),
        execution_options={"synchronize_session": False},
    ).all()
    db.session.commit()
    return sorted(ids)


def _still_ours(email_id):
    return (OutboundEmail.id == email_id) & (OutboundEmail.status == EmailStatus.SENDING)


_emails = OutboundEmail.__table__
_activities = Activity.__table__
#: Core statements, compiled once: marking a mail sent is the worker's only per-mail database work.
MARK_SENT = (
    update(_emails).where(_emails.c.id == bindparam("email_id"))
    .values(status=EmailStatus.SENT, sent_at=bindparam("now"), attempts=bindparam("attempts"), claimed_at=None,
            last_error=None)
)
ADD_TIMELINE_ENTRY = insert(_activities).values(
    company_id=bindparam("company_id"), kind=ActivityKind.EMAIL, text=bindparam("text"),
    object_type=OutboundEmail.__tablename__, object_id=bindparam("email_id"), occurred_at=bindparam("now"),
    created_at=bindparam("now"),
)


def _mark_sent(job):
    # The write comes first, so on SQLite the transaction holds the write lock before it reads anything.
    connection = db.session.connection()
    now = utcnow()
    connection.execute(MARK_SENT, {"email_id": job.email_id, "now": now, "attempts": job.attempts + 1})
    if job.company_id is not None:
        connection.execute(ADD_TIMELINE_ENTRY, {
            "company_id": job.company_id, "email_id": job.email_id, "now": now,
            "text": f"Mail sendt til {job.to_address}: {job.subject}",
        })
    db.session.commit()
    log.info("Sendt: mail %d til %s", job.email_id, job.to_address)


@dataclass
class _Job:
    """What sending one claimed mail needs, so no transaction is open while sending."""

    email_id: int
    attempts: int
    company_id: int | None
    to_address: str
    subject: str
    message: EmailMessage | None = None
    sender: str = ""
    recipient: str = ""
    error: str | None = None


def _prepare(ids):
    """Read the batch's rows with their attachments in two queries, detached from the session."""
    rows = db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.id.in_(ids)).options(selectinload(OutboundEmail.attachments))
    ).all()
    for email in rows:
        db.session.expunge(email)  # with its attachments: the rows keep what was loaded, nothing is read again
    db.session.rollback()  # end the read: no transaction stays open while we talk to the SMTP server
    return {email.id: email for email in rows}


def _job(email):
    """What sending one mail needs; the message is built just before it is sent, one at a time."""
    job = _Job(email.id, email.attempts, email.company_id, email.to_address, email.subject)
    try:
        job.message = build_message(email)  # checks sender and recipient; the envelope uses them as they are
        job.sender, job.recipient = parseaddr(email.sender)[1], email.to_address.strip()
    except ValueError as error:  # BadHeader, Undeliverable, a header the email package refuses
        job.error = str(error)
    return job


def _mark_failed(email_id, attempts, permanent, error):
    attempts += 1
    values = {"attempts": attempts, "claimed_at": None, "last_error": error}
    if permanent or attempts >= MAX_ATTEMPTS:
        values["status"] = EmailStatus.FAILED
        log.warning("Fejlet: mail %d efter %d forsøg: %s", email_id, attempts, error)
    else:
        values["status"] = EmailStatus.QUEUED
        first = timedelta(seconds=current_app.config.get("MAIL_RETRY_SECONDS", FIRST_RETRY.total_seconds()))
        values["next_attempt_at"] = utcnow() + retry_delay(attempts, first)
        log.info("Prøves igen: mail %d (forsøg %d): %s", email_id, attempts, error)
    db.session.execute(update(OutboundEmail).where(_still_ours(email_id)).values(**values),
                       execution_options={"synchronize_session": False})
    db.session.commit()
    return values["status"]


def _release(email_ids):
    if email_ids:
        db.session.execute(
            update(OutboundEmail).where(OutboundEmail.id.in_(email_ids), OutboundEmail.status == EmailStatus.SENDING)
            .values(status=EmailStatus.QUEUED, claimed_at=None),
            execution_options={"synchronize_session": False},
        )
        db.session.commit()


def deliver_batch(batch_size=DEFAULT_BATCH_SIZE, *, stop=None):
    """Claim one batch of due mail and send it over one SMTP connection, committing each outcome; the counts."""
    counts = DeliveryCounts()
    ids = claim_batch(batch_size)
    counts.claimed = len(ids)
    if not ids:
        return counts
    # Never send a row whose claim another worker could already be taking back.
    claim_timeout = current_app.config.get("MAIL_CLAIM_TIMEOUT", DEFAULT_CLAIM_TIMEOUT)
    deadline = utcnow() + timedelta(seconds=claim_timeout / 2)
    rows = _prepare(ids)
    smtp = SMTPSession()
    unreachable = None  # the error of a failed connect: the rest of the batch is not tried against it
    pending = list(ids)
    try:
        while pending:
            if stop is not None and stop.is_set():
                break
            if len(pending) < len(ids) and utcnow() > deadline:  # at least one per batch: always progress
                break
            email_id = pending[0]
            email = rows.get(email_id)
            if email is None:  # erased while claimed
                pending.pop(0)
                continue
            if unreachable is not None:  # the server is down for this batch: retry later, build no message for it
                _mark_failed(email_id, email.attempts, False, unreachable)
                counts.retried += 1
                pending.pop(0)
                continue
            job = _job(email)
            attempts = job.attempts
            if job.error is not None:
                _mark_failed(email_id, attempts, True, job.error)
                counts.failed += 1
                pending.pop(0)
                continue

            try:
                smtp.open()  # once per batch, and again after an error
            except (smtplib.SMTPException, OSError) as error:
                unreachable = (
                    f"Kunne ikke forbinde til mailserveren {current_app.config['MAIL_SERVER']}:"
                    f"{current_app.config.get('MAIL_PORT')}: {error_text(error)}"
                )
                _mark_failed(email_id, attempts, False, unreachable)
                counts.retried += 1
                pending.pop(0)
                continue
            try:
                smtp.send(job.sender, job.recipient, job.message)
            except (smtplib.SMTPException, OSError) as error:
                smtp.close()  # reconnect for the next mail
                permanent, text = classify_failure(error)
                status = _mark_failed(email_id, attempts, permanent, text)
                if status == EmailStatus.FAILED:
                    counts.failed += 1
                else:
                    counts.retried += 1
                pending.pop(0)
                continue
            # The server has the mail: from here until the commit in _mark_sent is the duplicate window.
            pending.pop(0)
            _mark_sent(job)
            counts.sent += 1
    finally:
        smtp.close()
        if pending:
            try:
                db.session.rollback()
                _release(pending)
                counts.released += len(pending)
            except SQLAlchemyError:
                log.exception("Kunne ikke give %d mails tilbage til køen; de tages tilbage efter MAIL_CLAIM_TIMEOUT",
                              len(pending))
    return counts


def run_worker(*, once=False, batch_size=DEFAULT_BATCH_SIZE, poll_seconds=DEFAULT_POLL_SECONDS, stop=None):
    """Deliver the outbox batch by batch until stop is set (or, with once, until nothing is due); the totals."""
    check_configured()
    stop = stop if stop is not None else threading.Event()
    totals = DeliveryCounts()
    while not stop.is_set():
        try:
            counts = deliver_batch(batch_size, stop=stop)
        except SQLAlchemyError:
            if once:
                raise
            log.exception("Databasefejl i mail-workeren; prøver igen om %s sekunder", poll_seconds)
            db.session.rollback()
            stop.wait(poll_seconds)
            continue
        totals += counts
        if counts.claimed == 0:
            if once:
                break
            stop.wait(poll_seconds)
    return totals
