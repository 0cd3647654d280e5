"""The database goes away during requests and comes back: requests in the outage answer 503 with the Danish error
page (and /healthz 503), nothing half-written stays, and afterwards everything works again in the same app process.

A forwarder between the app and PostgreSQL (tests/faults/forwarder.py) is cut and restored; the shared server is
never restarted.
"""

import itertools
import os
import threading
from collections import Counter

import pytest
from sqlalchemy import delete, select
from sqlalchemy.engine import make_url

from crm.companies.models import Activity
from crm.contributions.models import Contribution
from crm.extensions import db
from crm.mail.models import EmailStatus, OutboundEmail
from crm.mail.services import queue_email
from crm.security import Role
from tests.confirming import confirmation_form, press
from tests.conftest import make_app
from tests.contributions.helpers import a_scheme, members
from tests.faults.conftest import (
    ON_POSTGRESQL,
    at_statement,
    count,
    logged_in,
    new_company,
    snapshot,
    through,
    wait_until,
    worker_running,
)
from tests.faults.forwarder import Forwarder
from tests.mail.smtp import SMTPSink

pytestmark = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="a database that goes away over the network is PostgreSQL's fault (TEST_DATABASE_URL); "
                              "SQLite is a file inside the app's own process")

BILLING_YEAR = 2032


@pytest.fixture(scope="module")
def forwarder():
    server = make_url(os.environ.get("TEST_DATABASE_URL", "postgresql://127.0.0.1:5432/"))
    forwarder = Forwarder(server.host or "127.0.0.1", server.port or 5432).start()
    yield forwarder
    forwarder.stop()


@pytest.fixture(scope="module")
def outage_app(fault_database_url, forwarder):
    """The app, connected to its database through the forwarder."""
    app = make_app(through(fault_database_url, forwarder))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def connected(forwarder):
    """Every test starts and ends with the database reachable."""
    if not forwarder.running:
        forwarder.restore()
    yield forwarder
    if not forwarder.running:
        forwarder.restore()


def assert_unavailable_page(response):
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert '<html lang="da">' in page
    assert "Holme CRM er midlertidigt utilgængelig" in page and "Vent et øjeblik, og prøv igen" in page
    assert "Traceback" not in page and "psycopg" not in page and "OperationalError" not in page
    assert response.headers["Retry-After"] == "30"


def test_pages_answer_503_in_danish_while_the_database_is_away_and_work_again_without_a_restart(
        outage_app, connected):
    staff = logged_in(outage_app, Role.STAFF, "udfald-staff@holme.example")
    anonymous = outage_app.test_client()
    with outage_app.app_context():
        company_id = new_company(name="Udfaldet ApS").id
    note = {"kind": "note", "text": "Ringede om affaldsordningen", "csrf_token": staff.csrf}
    assert staff.get("/companies/").status_code == 200

    connected.cut()
    health = anonymous.get("/healthz")
    assert health.status_code == 503 and health.get_json()["status"] == "error"
    page = staff.get("/companies/")
    assert_unavailable_page(page)
    assert page.headers["Cache-Control"] == "no-store", "a logged-in user's answer is still kept from caches"
    assert "Cache-Control" not in anonymous.get("/healthz").headers
    assert_unavailable_page(staff.get(f"/companies/{company_id}"))
    assert_unavailable_page(staff.post(f"/companies/{company_id}/activities", data=note))
    connected.restore()

    assert anonymous.get("/healthz").status_code == 200
    page = staff.get("/companies/")
    assert page.status_code == 200 and "Udfaldet ApS" in page.get_data(as_text=True), "still logged in"
    assert count(outage_app, Activity, Activity.text == note["text"]) == 0, "the note sent in the outage is not kept"
    assert staff.post(f"/companies/{company_id}/activities", data=note).status_code == 302
    assert count(outage_app, Activity, Activity.text == note["text"]) == 1


def test_a_restart_between_two_requests_costs_no_request(outage_app, connected):
    staff = logged_in(outage_app, Role.STAFF, "genstart-staff@holme.example")
    assert staff.get("/meetings/").status_code == 200
    accepted = connected.accepted

    connected.cut()  # every pooled connection dies while nobody uses it
    connected.restore()

    assert staff.get("/meetings/").status_code == 200, "the dead pooled connection is noticed before it is used"
    assert connected.accepted > accepted, "a fresh connection was made"


def test_a_billing_run_cut_off_midway_leaves_nothing_and_succeeds_when_sent_again(
        outage_app, connected, fault_database_url):
    admin = logged_in(outage_app, Role.ADMIN, "udfald-admin@holme.example")
    with outage_app.app_context():
        payers = members(db, new_company, n=12)
        a_scheme(db, year=BILLING_YEAR)
    before = snapshot(fault_database_url)

    billing = confirmation_form(admin.post("/contributions/billing",
                                           data={"year": BILLING_YEAR, "csrf_token": admin.csrf}))
    try:
        with at_statement(outage_app, "INSERT INTO outbound_emails", lambda _: connected.cut()) as written:
            response = press(admin, billing)
    finally:
        connected.restore()

    assert_unavailable_page(response)
    assert "INSERT INTO contributions" in written, "the invoices were written in the transaction when it was cut"
    assert snapshot(fault_database_url) == before, "nothing of the cut-off run is in the database"

    assert press(admin, billing).status_code == 302, "the cut-off run spent not even its confirmation"
    with outage_app.app_context():
        numbers = db.session.scalars(select(Contribution.invoice_number)
                                     .where(Contribution.year == BILLING_YEAR).order_by(Contribution.invoice_number))
        assert list(numbers) == list(range(1, len(payers) + 1)), "numbered from 1 without a gap"
    assert count(outage_app, OutboundEmail, OutboundEmail.object_type == "contributions") == len(payers)


def test_under_load_an_outage_gives_503_and_never_500_and_every_page_comes_back(outage_app, connected):
    clients = [logged_in(outage_app, Role.STAFF, f"last{n}@holme.example") for n in range(4)]
    paths = ("/companies/", "/meetings/", "/groups/", "/", "/healthz")
    phase = ["before"]
    answers = [[] for _ in clients]  # (phase when sent, phase when answered, status) per client
    problems = []
    stop = threading.Event()

    def browse(index):
        try:
            for path in itertools.cycle(paths):
                if stop.is_set():
                    return
                sent_in = phase[0]
                status = clients[index].get(path).status_code
                answers[index].append((sent_in, phase[0], status))
        except Exception as error:  # reported by the test
            problems.append(error)
            raise

    def seen(wanted_phase, status=None, at_least=5):
        return all(sum(1 for sent_in, _, got in answer if sent_in == wanted_phase and status in (None, got))
                   >= at_least for answer in answers) or bool(problems)

    threads = [threading.Thread(target=browse, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: seen("before"), what="pages before the outage")
        phase[0] = "during"
        connected.cut()
        wait_until(lambda: seen("during", 503, at_least=3), what="503 answers in the outage")
        connected.restore()
        phase[0] = "after"
        wait_until(lambda: seen("after"), what="pages after the outage")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)

    assert not problems
    every = [triple for answer in answers for triple in answer]
    assert {status for sent_in, answered_in, status in every if answered_in == "before"} == {200}
    assert {status for _, _, status in every} == {200, 503}, "no 500, no other failure, in or around the outage"
    assert {status for sent_in, _, status in every if sent_in == "after"} == {200}, "all pages are back"


@pytest.fixture
def sink():
    server = SMTPSink().start()
    yield server
    server.stop()


def test_the_mail_worker_rides_out_the_outage_and_loses_no_mail(fault_database_url, connected, sink, caplog):
    app = make_app(through(fault_database_url, connected), MAIL_SERVER=sink.host, MAIL_PORT=sink.port,
                   MAIL_SUPPRESS_SEND=False, MAIL_TIMEOUT=5, MAIL_CLAIM_TIMEOUT=2)
    with app.app_context():
        db.session.execute(delete(OutboundEmail).where(OutboundEmail.status != EmailStatus.SENT))
        queued = [queue_email(to_address=f"modtager{n}@example.dk", subject=f"Referat {n}", body_text="Referatet")
                  for n in range(60)]
        db.session.commit()
        message_ids = {email.message_id for email in queued}
    sink.delay = 0.01
    try:
        with worker_running(app):
            sink.wait_for(15)
            connected.cut()
            wait_until(lambda: "Databasefejl i mail-workeren" in caplog.text, what="the worker meeting the outage")
            connected.restore()
            sink.delay = 0.0
            wait_until(lambda: message_ids <= set(sink.message_ids()), timeout=30, what="every mail delivered")
            wait_until(lambda: count(app, OutboundEmail, OutboundEmail.id.in_([e.id for e in queued]),
                                     OutboundEmail.status == EmailStatus.SENT) == len(queued),
                       interval=0.05, what="every mail marked sent")
    finally:
        with app.app_context():
            db.engine.dispose()

    received = Counter(message_id for message_id in sink.message_ids() if message_id in message_ids)
    assert set(received) == message_ids, "none lost"
    assert sum(1 for times in received.values() if times > 1) <= 1 and set(received.values()) <= {1, 2}, \
        "at most the mail in flight when the database went away is repeated"
