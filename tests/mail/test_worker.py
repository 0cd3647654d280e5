"""The mail worker against a real SMTP server (aiosmtpd): what recipients receive, what the outbox shows.

The worker commits, so these tests use their own database (not the rolled-back `db` fixture) and empty the
outbox before each test.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from itertools import count
from pathlib import Path

import psutil
import pytest
from flask_migrate import upgrade
from markupsafe import escape
from sqlalchemy import delete, insert, select, update

from crm.auth import services as auth_services
from crm.companies.models import Activity, ActivityKind, Company
from crm.db import utcnow
from crm.extensions import db
from crm.mail.models import EmailStatus, OutboundAttachment, OutboundEmail
from crm.mail.services import queue_email
from crm.mail.worker import MAX_ATTEMPTS, retry_delay, run_worker
from crm.security import Role
from tests.conftest import login, make_app, valid_cvr
from tests.databases import scratch_database
from tests.mail.smtp import SMTPSink

PROJECT = Path(__file__).resolve().parents[2]
_serial = count(7001)


@pytest.fixture(scope="module")
def sink():
    server = SMTPSink().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def database_url():
    with scratch_database("mailworker") as url:
        yield url


def worker_app_for(database_url, sink, **overrides):
    return make_app(database_url, MAIL_SERVER=sink.host, MAIL_PORT=sink.port, MAIL_SUPPRESS_SEND=False,
                    MAIL_TIMEOUT=5, **overrides)


@pytest.fixture(scope="module")
def worker_app(database_url, sink):
    app = worker_app_for(database_url, sink)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def outbox(worker_app, sink):
    """An app context on the worker's database with an empty outbox and a running, empty SMTP server."""
    sink.reset()
    sink.start()
    with worker_app.app_context():
        for model in (Activity, OutboundAttachment, OutboundEmail):
            db.session.execute(delete(model))
        db.session.commit()
        yield worker_app
        db.session.rollback()


def make_company(name=None):
    serial = next(_serial)
    company = Company(cvr=valid_cvr(serial * 17), name=name or f"Holmefirma {serial} ApS")
    db.session.add(company)
    db.session.flush()
    return company


def queue(to_address, subject="Invitation til netværksmøde", **fields):
    fields.setdefault("body_text", f"Hej\n\nDu er inviteret.\n\n{subject}\n")
    return queue_email(to_address=to_address, subject=subject, **fields)


def rows():
    db.session.expire_all()
    return db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id)).all()


def make_due_now():
    db.session.execute(update(OutboundEmail).values(next_attempt_at=utcnow()))
    db.session.commit()


def header_section(received):
    return received.data.split(b"\r\n\r\n", 1)[0]


def test_recipient_gets_text_html_attachments_and_meeting_with_danish_characters(outbox, sink):
    firm = make_company("Ørsted Ærø & Åkande ApS")
    pdf = bytes(range(256)) + "Referat æøå ÆØÅ".encode()
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
           "SUMMARY:Netværksmøde om fælles affaldsordning\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()
    subject = "Referat: Affaldsgruppens møde på Avedøre Holme – æøå ÆØÅ"
    body_text = "Kære Søren\n\nHer er referatet fra mødet om fælles affaldsordning og byttecentralen.\n"
    body_html = "<p>Kære Søren</p><p>Grønne tage på Åmarken og 15 ha vild natur.</p>"
    unsubscribe = "<https://avedoreholme.example/afmeld/" + "k" * 90 + ">"
    row = queue("soren@example.dk", subject, to_name="Søren Ærø-Østergård", body_text=body_text,
                body_html=body_html, company=firm, reply_to="Sekretariatet <sekretariat@avedoreholme.example>",
                headers={"List-Unsubscribe": unsubscribe},
                attachments=[("Referat æøå.pdf", "application/pdf", pdf),
                             ("Netværksmøde.ics", "text/calendar; method=REQUEST; charset=utf-8", ics)])
    db.session.commit()

    totals = run_worker(once=True)

    assert (totals.sent, totals.failed, totals.retried) == (1, 0, 0)
    [received] = sink.messages
    assert received.rcpt_tos == ("soren@example.dk",)
    assert received.data.isascii(), "travels as 7-bit, so any mail server relays it unchanged"
    message = received.parsed()
    assert message["Subject"] == subject
    assert message["To"].addresses[0].display_name == "Søren Ærø-Østergård"
    assert message["To"].addresses[0].addr_spec == "soren@example.dk"
    assert message["From"].addresses[0].display_name == "Avedøre Holme Erhvervsnetværk"
    assert message["Reply-To"].addresses[0].addr_spec == "sekretariat@avedoreholme.example"
    assert message["Message-ID"] == row.message_id
    assert message["Date"].datetime is not None
    assert message["List-Unsubscribe"] == unsubscribe, "the unsubscribe link reaches mail programs as given"
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == body_text
    assert message.get_body(("html",)).get_content().strip() == body_html
    [alternative] = [part for part in message.walk() if part.get_content_type() == "multipart/alternative"]
    parts = list(alternative.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html", "text/calendar"]
    assert parts[2].get_param("method") == "REQUEST"
    assert "Netværksmøde om fælles affaldsordning" in parts[2].get_content()
    attachments = {part.get_filename(): part.get_payload(decode=True) for part in message.iter_attachments()}
    assert attachments == {"Referat æøå.pdf": pdf, "Netværksmøde.ics": ics}
    [row] = rows()
    assert row.status == EmailStatus.SENT and row.sent_at is not None and row.attempts == 1


def test_each_message_names_only_its_own_recipient(outbox, sink):
    addresses = [f"kontakt{n}@firma{n}.example" for n in range(5)]
    for n, address in enumerate(addresses):
        queue(address, f"Invitation til netværksmøde, firma {n}", to_name=f"Kontakt {n}",
              company=make_company())
    db.session.commit()

    run_worker(once=True)

    received = sink.messages
    assert sorted(message.rcpt_tos[0] for message in received) == sorted(addresses)
    for message in received:
        [own] = message.rcpt_tos
        parsed = message.parsed()
        decoded_headers = "\n".join(f"{name}: {value}" for name, value in parsed.items()).lower()
        raw_headers = header_section(message).decode().lower()
        for other in set(addresses) - {own}:
            assert other not in raw_headers and other not in decoded_headers
        assert parsed["To"].addresses[0].addr_spec == own


def test_mail_waits_while_the_server_is_down_and_is_delivered_once_when_it_returns(outbox, sink):
    sink.stop()
    for n in range(3):
        queue(f"modtager{n}@example.dk")
    db.session.commit()
    before = utcnow()
    cli = outbox.test_cli_runner()

    result = cli.invoke(args=["mail", "worker", "--once"])

    assert result.exit_code == 0, result.output
    assert "prøves igen senere: 3" in result.output
    for row in rows():
        assert row.status == EmailStatus.QUEUED and row.attempts == 1
        assert row.next_attempt_at >= before + timedelta(seconds=30)
        assert "Kunne ikke forbinde til mailserveren" in row.last_error

    sink.start()
    assert cli.invoke(args=["mail", "worker", "--once"]).exit_code == 0
    assert sink.messages == [], "not retried before its time"

    make_due_now()
    assert cli.invoke(args=["mail", "worker", "--once"]).exit_code == 0

    assert sorted(sink.message_ids()) == sorted(row.message_id for row in rows())
    assert all(row.status == EmailStatus.SENT and row.attempts == 2 for row in rows())


def start_worker_process(database_url, sink, tmp_path, *args):
    env = {**os.environ, "DATABASE_URL": database_url, "MAIL_SERVER": sink.host, "MAIL_PORT": str(sink.port),
           "SECRET_KEY": "worker-test-secret", "HOLME_ENV": "development", "INSTANCE_PATH": str(tmp_path)}
    env.pop("MAIL_SUPPRESS_SEND", None)
    log = open(tmp_path / "worker.log", "wb")  # closed by finish()
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "mail", "worker", *args],
                               cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)
    process.log_file = log
    return process


def finish(process, timeout=15):
    try:
        process.wait(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.log_file.close()
    return Path(process.log_file.name).read_text()


def test_worker_killed_mid_batch_loses_nothing_and_repeats_at_most_the_mail_in_flight(
        outbox, sink, database_url, tmp_path):
    for n in range(12):
        queue(f"deltager{n}@example.dk", f"Invitation {n}")
    db.session.commit()
    sink.delay = 0.15
    process = start_worker_process(database_url, sink, tmp_path, "--poll-seconds", "0.2")
    try:
        sink.wait_for(3)
    finally:
        process.send_signal(signal.SIGKILL)
        finish(process)
    time.sleep(sink.delay * 2)  # let the server finish taking in the message it was reading
    before_restart = Counter(sink.message_ids())
    snapshot = rows()
    sent = {row.message_id for row in snapshot if row.status == EmailStatus.SENT}
    sending = [row for row in snapshot if row.status == EmailStatus.SENDING]
    in_flight = sending[0].message_id if sending else None
    assert len(before_restart) >= 3 and len(sent) >= 2
    assert set(before_restart) <= sent | {in_flight}, "only the mail in flight can be received yet unrecorded"

    sink.delay = 0.0
    run_worker(once=True)
    assert Counter(sink.message_ids()) == before_restart, "a fresh claim is not taken from a worker that may be alive"

    # Ten minutes (MAIL_CLAIM_TIMEOUT) later the claims of the dead worker are taken back.
    db.session.execute(update(OutboundEmail).where(OutboundEmail.status == EmailStatus.SENDING)
                       .values(claimed_at=utcnow() - timedelta(minutes=11)))
    db.session.commit()
    run_worker(once=True)

    received = Counter(sink.message_ids())
    assert set(received) == {row.message_id for row in rows()}, "every mail delivered"
    duplicates = {message_id for message_id, times in received.items() if times > 1}
    assert len(duplicates) <= 1 and duplicates <= {in_flight}
    assert all(times <= 2 for times in received.values())
    assert all(row.status == EmailStatus.SENT for row in rows())


@pytest.mark.parametrize(("option", "lowered_by"), [((), 10), (("--nice", "3"), 3), (("--nice", "0"), 0)])
def test_the_worker_gives_the_app_servers_the_cpu_first(outbox, sink, database_url, tmp_path, option, lowered_by):
    """Mail is background work: on a machine it shares with the app servers, the worker runs at a lower CPU
    priority (MAIL_WORKER_NICE, 10, or --nice), so a send to the whole network does not hold up the pages."""
    queue("deltager@example.dk", "Invitation")
    db.session.commit()
    process = start_worker_process(database_url, sink, tmp_path, "--poll-seconds", "0.2", *option)
    try:
        sink.wait_for(1)  # started, configured and delivering
        niceness = psutil.Process(process.pid).nice()
    finally:
        process.send_signal(signal.SIGTERM)
        finish(process)
    assert niceness == min(os.nice(0) + lowered_by, 19)


def test_sigterm_stops_after_the_current_mail_and_gives_the_rest_back(outbox, sink, database_url, tmp_path):
    for n in range(10):
        queue(f"medlem{n}@example.dk", f"Referat {n}")
    db.session.commit()
    sink.delay = 0.2
    process = start_worker_process(database_url, sink, tmp_path)
    try:
        sink.wait_for(2)
    finally:
        process.send_signal(signal.SIGTERM)
        output = finish(process)

    assert process.returncode == 0, output
    assert "Mail-workeren stoppede" in output
    received = sink.message_ids()
    states = Counter(row.status for row in rows())
    assert states[EmailStatus.SENDING] == 0, "nothing left claimed"
    assert states[EmailStatus.SENT] == len(received) and states[EmailStatus.QUEUED] == 10 - len(received)
    assert all(row.attempts == 0 for row in rows() if row.status == EmailStatus.QUEUED)

    sink.delay = 0.0
    run_worker(once=True)
    assert sorted(sink.message_ids()) == sorted(row.message_id for row in rows())


def test_worker_refuses_to_start_without_a_mail_server(outbox, database_url):
    queue("ingen@example.dk")
    db.session.commit()
    app = make_app(database_url)  # TestingConfig: MAIL_SERVER is empty

    with app.app_context():
        result = app.test_cli_runner().invoke(args=["mail", "worker", "--once"])
        db.engine.dispose()

    assert result.exit_code == 1
    assert "Der er ikke sat en mailserver op (MAIL_SERVER)" in result.output
    assert [row.status for row in rows()] == [EmailStatus.QUEUED]


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL: SKIP LOCKED")
def test_two_workers_deliver_a_thousand_mails_each_exactly_once(outbox, sink, database_url):
    now = utcnow()
    db.session.execute(insert(OutboundEmail), [
        {"message_id": f"<last-{n}@avedoreholme.example>", "sender": "netvaerk@avedoreholme.example",
         "to_address": f"medlem{n}@example.dk", "subject": f"Nyhedsbrev {n}", "body_text": "Nyt fra Holmen",
         "next_attempt_at": now, "created_at": now}
        for n in range(1000)
    ])
    db.session.commit()
    apps = [worker_app_for(database_url, sink) for _ in range(2)]
    start = threading.Barrier(2)
    totals = [None, None]

    def work(index):
        with apps[index].app_context():
            try:
                start.wait()
                totals[index] = run_worker(once=True, batch_size=50)
            finally:
                db.session.remove()
                db.engine.dispose()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    received = Counter(sink.message_ids())
    assert len(received) == 1000 and set(received.values()) == {1}
    assert all(total.sent > 0 for total in totals), "both workers took part"
    assert sum(total.sent for total in totals) == 1000
    assert db.session.scalar(select(db.func.count()).where(OutboundEmail.status != EmailStatus.SENT)) == 0


def test_permanent_refusal_fails_the_mail_and_shows_the_answer_on_the_outbox_page(outbox, sink):
    answer = "550 5.1.1 <ukendt@example.dk>: Recipient address rejected: User unknown"
    sink.refuse("ukendt@example.dk", answer)
    row = queue("ukendt@example.dk", "Invitation til energigruppen")
    db.session.commit()

    totals = run_worker(once=True)

    assert (totals.failed, totals.sent, totals.retried) == (1, 0, 0)
    [row] = rows()
    assert row.status == EmailStatus.FAILED and row.attempts == 1
    assert row.last_error == answer
    assert sink.messages == []
    staff = auth_services.create_user(f"staff{next(_serial)}@holme.example", "korrekt-hest-batteri-hæfteklamme",
                                      Role.STAFF)
    db.session.commit()
    client = outbox.test_client()
    assert login(client, staff.email).status_code == 302
    page = client.get(f"/outbox/{row.id}")
    assert page.status_code == 200
    assert str(escape(answer)) in page.get_data(as_text=True)


def test_temporary_refusal_is_retried_and_delivered_once(outbox, sink):
    answer = "451 4.7.1 Greylisted, please try again later"
    sink.refuse("graa@example.dk", answer, times=1)
    queue("graa@example.dk", "Referat fra vandgruppen")
    db.session.commit()
    before = utcnow()

    assert run_worker(once=True).retried == 1

    [row] = rows()
    assert row.status == EmailStatus.QUEUED and row.attempts == 1 and row.last_error == answer
    assert before + timedelta(seconds=30) <= row.next_attempt_at <= utcnow() + timedelta(seconds=30)
    assert sink.messages == []
    make_due_now()
    assert run_worker(once=True).sent == 1
    [row] = rows()
    assert row.status == EmailStatus.SENT and row.attempts == 2
    assert sink.message_ids() == [row.message_id]


def test_retries_back_off_and_give_up_after_ten_attempts(outbox, sink):
    assert [retry_delay(n) for n in (1, 2, 3, 8, 9, 10)] == [
        timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=64),
        timedelta(hours=2), timedelta(hours=2)]
    sink.refuse("fuld@example.dk", "452 4.2.2 Mailbox full")
    queue("fuld@example.dk")
    db.session.commit()
    db.session.execute(update(OutboundEmail).values(attempts=MAX_ATTEMPTS - 1))
    db.session.commit()

    assert run_worker(once=True).failed == 1

    [row] = rows()
    assert row.status == EmailStatus.FAILED and row.attempts == MAX_ATTEMPTS
    assert row.last_error == "452 4.2.2 Mailbox full"


def test_header_injection_fails_the_row_and_sends_nothing(outbox, sink):
    injected = OutboundEmail(message_id="<injektion@avedoreholme.example>", sender="netvaerk@avedoreholme.example",
                             to_address="offer@example.dk", subject="Invitation\r\nBcc: x@y.example",
                             body_text="Hej")
    db.session.add(injected)
    good = queue("ok@example.dk", "Invitation til naturgruppen")
    db.session.commit()

    totals = run_worker(once=True)

    assert (totals.failed, totals.sent) == (1, 1)
    injected, good = rows()
    assert injected.status == EmailStatus.FAILED and "linjeskift" in injected.last_error
    assert [message.rcpt_tos for message in sink.messages] == [("ok@example.dk",)]
    assert b"x@y.example" not in sink.messages[0].data


def test_sent_mail_appears_on_the_company_timeline(outbox, sink):
    firm = make_company("Holme Genbrug A/S")
    row = queue("indkoeb@holmegenbrug.example", "Invitation til byttecentralen", company=firm)
    sink.refuse("afvist@holmegenbrug.example", "550 5.1.1 User unknown")
    queue("afvist@holmegenbrug.example", "Afvist invitation", company=firm)
    db.session.commit()

    run_worker(once=True)

    activities = db.session.scalars(select(Activity).where(Activity.company_id == firm.id)).all()
    assert [(a.kind, a.text, a.object_type, a.object_id) for a in activities] == [
        (ActivityKind.EMAIL, "Mail sendt til indkoeb@holmegenbrug.example: Invitation til byttecentralen",
         "outbound_emails", row.id)
    ], "only the mail that was sent is on the timeline"
