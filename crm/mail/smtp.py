"""Talking SMTP for the worker: one connection per batch, with a timeout, and what a failure means.

Nothing here touches the database; the worker records the outcomes.
"""

import smtplib

from flask import current_app
from flask_mail import Connection

from crm.mail.messages import SMTP_POLICY

#: Seconds to wait for the SMTP server on connect and on each command (MAIL_TIMEOUT).
DEFAULT_SMTP_TIMEOUT = 30


def _decode(reply):
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def error_text(error):
    """The server's answer in an SMTP error ("550 text"), else the error itself, as text."""
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
        return 500 <= error.smtp_code < 600, error_text(error)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return False, f"Mailserveren afbrød forbindelsen: {error_text(error)}"
    if isinstance(error, TimeoutError):
        return False, "Mailserveren svarede ikke i tide."
    return False, f"Fejl under afsendelse: {error_text(error)}"


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


class SMTPSession:
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
