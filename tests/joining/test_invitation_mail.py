"""From /join to the portal: staff approve, the mail worker delivers the invitation to a real SMTP server
(aiosmtpd), and its link opens the page where the new user chooses a password. Declining delivers the reason.

The worker commits, so these tests use their own database (not the rolled-back `db` fixture)."""

import re
from itertools import count

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from crm.auth import services as auth_services
from crm.extensions import db
from crm.joining.models import JoinRequest
from crm.mail.worker import run_worker
from crm.security import Role
from tests.conftest import PASSWORD, csrf_token, login
from tests.databases import scratch_database
from tests.joining.conftest import join_data
from tests.mail.smtp import SMTPSink
from tests.mail.test_worker import worker_app_for

_serial = count(1)


@pytest.fixture(scope="module")
def sink():
    server = SMTPSink().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mail_app(sink):
    with scratch_database("joinmail") as url:
        app = worker_app_for(url, sink, BASE_URL="http://holme.test")
        with app.app_context():
            upgrade()
            yield app
            db.session.rollback()
            db.engine.dispose()


def asked(app, **overrides):
    """A visitor sends /join; the request's id."""
    visitor = app.test_client()
    data = join_data(**overrides)
    assert visitor.post("/join", data={"csrf_token": csrf_token(visitor), **data}).status_code == 302
    return db.session.scalars(select(JoinRequest).order_by(JoinRequest.id.desc())).first().id


def staff_client(app):
    email = f"sekretariat{next(_serial)}@holme.example"
    auth_services.create_user(email, PASSWORD, Role.STAFF, name="Søren Sekretariat")
    db.session.commit()
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def received_by(sink, address):
    return [message.parsed() for message in sink.messages if address in message.rcpt_tos]


def test_the_invitation_mail_arrives_and_its_link_opens_the_set_password_page(mail_app, sink):
    request_id = asked(mail_app, contact_email="ny.bruger@holme-nyt.example", contact_name="Nina Ny")
    staff = staff_client(mail_app)
    response = staff.post(f"/companies/join-requests/{request_id}/approve", data={"csrf_token": csrf_token(staff)})
    assert response.status_code == 302

    assert run_worker(once=True).sent >= 1
    [message] = received_by(sink, "ny.bruger@holme-nyt.example")
    assert message["Subject"] == "Invitation til netværkets portal"
    text = message.get_body(("plain",)).get_content()
    assert "Hej Nina Ny" in text and "Søren Sekretariat har inviteret dig" in text
    link = re.search(r"http://holme\.test(/portal/invitation/[\w-]+)", text).group(1)

    page = mail_app.test_client().get(link)
    assert page.status_code == 200
    assert "Vælg en adgangskode til ny.bruger@holme-nyt.example" in page.get_data(as_text=True)


def test_the_decline_mail_arrives_with_the_reason(mail_app, sink):
    request_id = asked(mail_app, contact_email="afvist@udenfor.example", postal_code="2650")
    staff = staff_client(mail_app)
    reason = "Virksomheden ligger på Kettegård Allé, uden for Avedøre Holme."
    staff.post(f"/companies/join-requests/{request_id}/decline",
               data={"csrf_token": csrf_token(staff), "reason": reason})
    run_worker(once=True)
    [message] = received_by(sink, "afvist@udenfor.example")
    assert message["Subject"] == "Din anmodning om at blive en del af Avedøre Holme Erhvervsnetværk"
    assert reason in message.get_body(("plain",)).get_content()
