"""The mail of a 394-company invitation send against a mail server that is down, and a mail worker that is killed.

A real SMTP server (aiosmtpd) and, for the kill, real `flask --app wsgi mail worker` processes; the worker's
retries and claims as they are, with a short MAIL_RETRY_SECONDS and MAIL_CLAIM_TIMEOUT so the test takes seconds.
"""

import signal
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from crm.companies.models import Activity, Company, Contact
from crm.extensions import db
from crm.mail.models import EmailStatus, OutboundAttachment, OutboundEmail
from crm.meetings import invitations, services
from tests.conftest import make_app, valid_cvr
from tests.faults.conftest import wait_until, worker_running
from tests.mail.smtp import SMTPSink
from tests.mail.test_worker import finish, start_worker_process

NETWORK = 394  # the companies that get the invitations (the municipality's 2023 report)


@pytest.fixture(scope="module")
def sink():
    server = SMTPSink()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mail_app(fault_database_url, sink):
    """The app as the mail worker runs it: a real SMTP server, the first retry after half a second."""
    app = make_app(fault_database_url, MAIL_SERVER=sink.host, MAIL_PORT=sink.port, MAIL_SUPPRESS_SEND=False,
                   MAIL_TIMEOUT=5, MAIL_RETRY_SECONDS=0.5)
    with app.app_context():
        db.session.add_all(
            Company(cvr=valid_cvr(200_000 + 2 * n), name=f"Holmevirksomhed {n} ApS", status="member",
                    contacts=[Contact(name=f"Kontakt {n}", email=f"kontakt{n}@holme{n}.example", is_primary=True)])
            for n in range(NETWORK))
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def outbox(mail_app, sink):
    """An app context with an empty outbox and an SMTP server that is down and has received nothing."""
    sink.stop()
    sink.reset()
    with mail_app.app_context():
        for model in (Activity, OutboundAttachment, OutboundEmail):
            db.session.execute(delete(model))
        db.session.commit()
        yield mail_app
        db.session.rollback()


def send_invitations_to_the_network(title, companies=NETWORK):
    """A meeting in ten days, every company (or the first `companies`) invited and the invitation sent: a mail to
    each in the outbox."""
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    meeting = services.create_meeting({"title": title, "starts_at": starts, "ends_at": starts + timedelta(hours=2),
                                       "place": "Stamholmen 165"})
    invitations.invite(meeting, invitations.network_companies()[:companies])
    mailing = invitations.send_invitations(meeting)
    db.session.commit()
    assert mailing.queued == companies
    return {row.message_id: row.to_address for row in outbox_rows()}


def outbox_rows():
    """The outbox as the worker left it, read in a transaction of its own, which ends before the worker writes again
    (on SQLite a transaction holds the database for as long as it is open)."""
    db.session.rollback()
    rows = db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id)).all()
    db.session.expunge_all()  # the rows keep what was read
    db.session.rollback()
    return rows


def counted(*conditions):
    db.session.rollback()
    try:
        return db.session.scalar(select(func.count()).select_from(OutboundEmail).where(*conditions))
    finally:
        db.session.rollback()  # not holding the database while the worker writes


def test_smtp_down_for_the_whole_send_then_every_mail_is_delivered_once_after_it_returns(outbox, sink):
    sent_to = send_invitations_to_the_network("Netværksmøde om fælles energi")
    with worker_running(outbox):
        wait_until(lambda: counted(OutboundEmail.attempts == 0) == 0, timeout=30,
                   what="every mail tried against the server that is down", interval=0.05)
        rows = outbox_rows()
        assert {row.status for row in rows} <= {EmailStatus.QUEUED, EmailStatus.SENDING}, "none given up"
        assert all("Kunne ikke forbinde til mailserveren" in row.last_error for row in rows)

        sink.start()
        sink.wait_for(NETWORK, timeout=30)
        wait_until(lambda: counted(OutboundEmail.status == EmailStatus.SENT) == NETWORK, timeout=30,
                   what="every mail marked sent", interval=0.05)

    received = Counter(sink.message_ids())
    assert set(received) == set(sent_to) and set(received.values()) == {1}, "each mail arrived exactly once"
    assert sorted(rcpt for message in sink.messages for rcpt in message.rcpt_tos) == sorted(sent_to.values())
    assert all(row.attempts >= 2 and row.last_error is None for row in outbox_rows())


def test_a_worker_killed_mid_batch_and_started_again_loses_none_and_repeats_at_most_the_mail_in_flight(
        outbox, sink, fault_database_url, tmp_path, monkeypatch):
    sent_to = send_invitations_to_the_network("Netværksmøde om vandgenbrug", companies=120)
    sink.start()
    monkeypatch.setenv("MAIL_CLAIM_TIMEOUT", "2")  # a dead worker's claims are taken back after 2 s, not 10 min
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    first = start_worker_process(fault_database_url, sink, tmp_path / "first", "--poll-seconds", "0.1")
    try:
        sink.wait_for(60, timeout=30)  # into the second batch of 50
        # The server now keeps the next message at once but is slow to say so: the worker waits for its 250.
        sink.keeps_before_answering, sink.delay = True, 0.5
        wait_until(lambda: sink.busy, what="a message in flight")
    finally:
        first.send_signal(signal.SIGKILL)
        finish(first)

    at_kill = outbox_rows()
    sent = {row.message_id for row in at_kill if row.status == EmailStatus.SENT}
    claimed = {row.message_id for row in at_kill if row.status == EmailStatus.SENDING}
    received_at_kill = Counter(sink.message_ids())
    in_flight = set(received_at_kill) - sent
    assert len(claimed) > 1, "killed inside a batch: the rest of it is still claimed by the dead worker"
    assert set(received_at_kill.values()) == {1}
    assert len(in_flight) == 1 and in_flight <= claimed, "the mail in flight reached its recipient, unrecorded"

    sink.delay = 0.0
    second = start_worker_process(fault_database_url, sink, tmp_path / "second", "--poll-seconds", "0.1")
    try:
        wait_until(lambda: counted(OutboundEmail.status == EmailStatus.SENT) == len(sent_to), timeout=60,
                   what="every mail sent by the restarted worker", interval=0.05)
    finally:
        second.send_signal(signal.SIGTERM)
        log = finish(second)

    assert "hængende mails tilbage i køen" in log, "the restarted worker took back the dead worker's claims"
    received = Counter(sink.message_ids())
    assert set(received) == set(sent_to), "none lost"
    twice = {message_id for message_id, times in received.items() if times > 1}
    assert twice == in_flight and received[next(iter(in_flight))] == 2, \
        "none twice beyond the documented window: only the mail in flight at the kill"
    assert {row.status for row in outbox_rows()} == {EmailStatus.SENT}
