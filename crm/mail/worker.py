"""Delivering the outbox over SMTP: claim due mail, send it, record what happened.

The worker is a process loop, like a view it commits; the helpers that only build or classify stay pure.
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
"""

import logging
import re
import smtplib
import threading
from dataclasses import dataclass, fields
from datetime import timedelta
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from flask import current_app
from flask_mail import Connection
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from crm.companies.models import Activity, ActivityKind
from crm.db import utcnow
from crm.extensions import db
from crm.mail.models import EmailStatus, OutboundEmail
from crm.mail.services import BadHeader, formatted_recipient

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 50
DEFAULT_POLL_SECONDS = 5.0
#: Seconds after which a row still "sending" is taken to belong to a dead worker (MAIL_CLAIM_TIMEOUT).
DEFAULT_CLAIM_TIMEOUT = 600
#: Seconds to wait for the SMTP server on connect and on each command (MAIL_TIMEOUT).
DEFAULT_SMTP_TIMEOUT = 30
MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=2)

#: Headers the worker writes itself; extra headers on a row may not replace or add to them.
RESERVED_HEADERS = frozenset({
    "from", "sender", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version",
    "content-type", "content-transfer-encoding", "content-disposition", "return-path", "received",
})
HEADER_NAME = re.compile(r"[!-9;-~]+")  # printable ASCII without the colon

#: Headers are encoded as RFC 2047 words and bodies as quoted-printable or base64, so no server needs
#: 8BITMIME; extra ASCII headers (List-Unsubscribe URLs) go out as given instead of being re-encoded.
SMTP_POLICY = email_policy.SMTP.clone(cte_type="7bit", refold_source="none")


class MailNotConfigured(RuntimeError):
    """The worker cannot deliver: no SMTP server, or Flask-Mail is told to suppress sending."""


class Undeliverable(ValueError):
    """A row that can never be sent as it stands: header injection, a malformed address or header."""


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


# Building the message (pure).

def _one_line(value, what):
    if value is not None and ("\r" in value or "\n" in value):
        raise BadHeader(
            f"Afvist: {what} indeholder et linjeskift (CR/LF), som kunne indsætte ekstra headere "
            "eller modtagere. Mailen er ikke sendt."
        )
    return value


def _single_address(value, what):
    header = SMTP_POLICY.header_factory(what, value)
    addresses = getattr(header, "addresses", ())
    if len(addresses) != 1 or header.defects or not addresses[0].username or not addresses[0].domain:
        raise Undeliverable(f"Afvist: {what} skal være præcis én gyldig adresse, ikke {value!r}.")
    return addresses[0]


def recipient_address(email):
    """The one address a row is sent to, checked; Undeliverable if it is malformed."""
    _one_line(email.to_address, "modtageradressen")
    try:
        address = Address(addr_spec=email.to_address.strip())
    except (ValueError, IndexError) as error:
        raise Undeliverable(f"Afvist: modtageradressen {email.to_address!r} er ugyldig ({error}).") from None
    if not address.domain:
        raise Undeliverable(f"Afvist: modtageradressen {email.to_address!r} mangler et domæne.")
    return address.addr_spec


def _content_type(value):
    header = email_policy.default.header_factory("content-type", value)
    if header.defects:
        raise Undeliverable(f"Afvist: vedhæftningens indholdstype {value!r} er ugyldig.")
    return header


def build_message(email):
    """The MIME message of one outbox row, to its one recipient; BadHeader or Undeliverable if it cannot go."""
    for what, value in (("afsenderen", email.sender), ("svaradressen", email.reply_to),
                        ("modtagernavnet", email.to_name), ("emnet", email.subject),
                        ("Message-ID", email.message_id)):
        _one_line(value, what)
    recipient_address(email)
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = _single_address(email.sender, "From")
    message["To"] = _single_address(formatted_recipient(email), "To")
    message["Subject"] = email.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = email.message_id
    if email.reply_to:
        message["Reply-To"] = _single_address(email.reply_to, "Reply-To")
    for name, value in (email.headers or {}).items():
        value = _one_line(str(value), f"headeren {name}")
        if not HEADER_NAME.fullmatch(_one_line(name, "et headernavn")) or name.lower() in RESERVED_HEADERS:
            raise Undeliverable(f"Afvist: headeren {name!r} må ikke sættes som ekstra header.")
        if value.isascii():
            message.set_raw(name, value)
        else:
            message[name] = value

    message.set_content(email.body_text)
    if email.body_html:
        message.add_alternative(email.body_html, subtype="html")
    attachments = []
    for attachment in email.attachments:
        _one_line(attachment.filename, "et vedhæftet filnavn")
        attachments.append((attachment, _content_type(attachment.content_type)))
    for attachment, content_type in attachments:
        if content_type.content_type == "text/calendar":
            # Mail programs show a meeting with accept/decline buttons only when it is part of the message.
            params = dict(content_type.params)
            text = attachment.data.decode(params.get("charset") or "utf-8")
            message.add_alternative(text, subtype="calendar", params={"method": params.get("method") or "REQUEST"})
    for attachment, content_type in attachments:
        params = {key: value for key, value in content_type.params.items() if key != "name"}
        message.add_attachment(attachment.data, maintype=content_type.maintype, subtype=content_type.subtype,
                               filename=attachment.filename, params=params)
    return message


def retry_delay(attempts):
    """How long to wait after the given number of failed attempts: 30 s doubling, at most 2 hours."""
    return min(FIRST_RETRY * 2 ** (max(attempts, 1) - 1), LONGEST_RETRY)


def _decode(reply):
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _answer(error):
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_decode(error.smtp_error)}"
    return str(error) or type(error).__name__


def classify_failure(error):
    """(permanent, text) for an SMTP or network error: 5xx answers are permanent, the rest temporary."""
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        code, reply = next(iter(error.recipients.values()))
        return 500 <= code < 600, f"{code} {_decode(reply)}"
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return True, f"Mailserveren understøtter ikke adressen (SMTPUTF8): {error}"
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600, _answer(error)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return False, f"Mailserveren afbrød forbindelsen: {_answer(error)}"
    if isinstance(error, TimeoutError):
        return False, "Mailserveren svarede ikke i tide."
    return False, f"Fejl under afsendelse: {_answer(error)}"


# Talking SMTP.

class SMTPConnection(Connection):
    """Flask-Mail's connection (server, port, TLS, login from MAIL_*) with a timeout, so a silent server
    cannot hang the worker."""

    def __init__(self, state, timeout):
        super().__init__(state)
        self.timeout = timeout

    def configure_host(self):
        smtp_class = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp_class(self.mail.server, self.mail.port, timeout=self.timeout)
        try:
            if self.mail.use_tls:
                host.starttls()
            if self.mail.username and self.mail.password:
                host.login(self.mail.username, self.mail.password)
        except BaseException:
            host.close()
            raise
        return host


class _Session:
    """One SMTP connection for a batch: opened for the first mail, opened again for the mail after an error."""

    def __init__(self):
        state = current_app.extensions["mail"]
        self.connection = SMTPConnection(state, current_app.config.get("MAIL_TIMEOUT", DEFAULT_SMTP_TIMEOUT))
        self.max_emails = state.max_emails
        self.sent = 0

    def open(self):
        if self.connection.host is None:
            self.connection.host = self.connection.configure_host()
            self.sent = 0

    def send(self, sender, recipient, message):
        smtputf8 = not (sender + recipient).isascii()
        data = message.as_bytes(policy=SMTP_POLICY.clone(utf8=True) if smtputf8 else SMTP_POLICY)
        self.connection.host.sendmail(sender, [recipient], data, mail_options=["SMTPUTF8"] if smtputf8 else [])
        self.sent += 1
        if self.max_emails and self.sent >= self.max_emails:
            self.close()

    def close(self):
        host, self.connection.host = self.connection.host, None
        if host is None:
            return
        try:
            host.quit()
        except (smtplib.SMTPException, OSError):
            host.close()


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
        values["next_attempt_at"] = utcnow() + retry_delay(attempts)
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
    smtp = _Session()
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
            job = _job(email)
            attempts = job.attempts
            if job.error is not None:
                _mark_failed(email_id, attempts, True, job.error)
                counts.failed += 1
                pending.pop(0)
                continue

            if unreachable is None:
                try:
                    smtp.open()
                except (smtplib.SMTPException, OSError) as error:
                    unreachable = (
                        f"Kunne ikke forbinde til mailserveren {current_app.config['MAIL_SERVER']}:"
                        f"{current_app.config.get('MAIL_PORT')}: {_answer(error)}"
                    )
            if unreachable is not None:
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
