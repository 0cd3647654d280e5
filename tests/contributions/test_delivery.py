"""An invoice says where its mail stands, as the outbox and the mail worker left it: in the outbox, sent, failed.

The worker commits, so these tests use their own database (not the rolled-back `db` fixture) and a real SMTP
server (aiosmtpd, tests/mail/smtp.py), as the mail worker's own tests do.
"""

from datetime import date
from itertools import count

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, select

from crm.auth import services as auth_services
from crm.companies import services as company_services
from crm.companies.models import Company
from crm.contributions import billing
from crm.contributions.models import Contribution
from crm.db import SQLITE_BEGIN
from crm.extensions import db
from crm.mail.worker import run_worker
from crm.security import Role
from tests.conftest import PASSWORD, login, make_app, valid_cvr
from tests.contributions.helpers import a_scheme
from tests.databases import scratch_database
from tests.mail.smtp import SMTPSink

_serial = count(9101)


@pytest.fixture(scope="module")
def sink():
    server = SMTPSink().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mail_app(sink):
    with scratch_database("delivery") as url:
        app = make_app(url, MAIL_SERVER=sink.host, MAIL_PORT=sink.port, MAIL_SUPPRESS_SEND=False, MAIL_TIMEOUT=5)
        with app.app_context():
            upgrade()
            yield app
            db.session.rollback()
            db.engine.dispose()


def member(name, email, year):
    serial = next(_serial)
    company = Company(cvr=valid_cvr(serial * 17), name=name, status="member", employees=5, street="Stamholmen 1",
                      postal_code="2650", city="Hvidovre", joined_on=date(year, 1, 1))
    db.session.add(company)
    db.session.flush()
    company_services.add_contact(company, {"name": "Bogholder", "email": email, "is_primary": True})
    return company


def text_of(response):
    assert response.status_code == 200
    return " ".join(response.get_data(as_text=True).split())


def row_of(page, label):
    """The table row of the invoice with this number."""
    start = page.index(f">{label}</a>")
    return page[page.rindex("<tr>", 0, start):page.index("</tr>", start)]


def test_an_invoice_shows_its_mail_in_the_outbox_then_sent_or_failed(mail_app, sink):
    year = 2051
    good = member("Leveret ApS", "bogholder@leveret.example", year)
    bad = member("Afvist ApS", "ukendt@afvist.example", year)
    sink.refuse("ukendt@afvist.example", "550 5.1.1 <ukendt@afvist.example>: Recipient address rejected")
    a_scheme(db, year=year)
    billing.bill(year, today=date(year, 2, 1))
    staff = auth_services.create_user(f"staff{next(_serial)}@holme.example", PASSWORD, Role.STAFF)
    db.session.commit()
    invoices = {c.company_id: c for c in db.session.scalars(select(Contribution).where(Contribution.year == year))}
    client = mail_app.test_client()
    assert login(client, staff.email).status_code == 302

    for company in (good, bad):
        contribution = invoices[company.id]
        page = text_of(client.get(f"/contributions/invoices/{contribution.id}"))
        assert "<dt>Status</dt><dd>Faktureret" in page and "<dt>E-mail</dt><dd>I udbakken</dd>" in page
        assert "Sendt" not in page
        listed = row_of(text_of(client.get(f"/contributions/?year={year}")), contribution.invoice_label)
        assert "<td>Faktureret</td><td>I udbakken</td>" in listed
        panel = row_of(text_of(client.get(f"/companies/{company.id}")), contribution.invoice_label)
        assert "<td>Faktureret</td><td>I udbakken</td>" in panel

    totals = run_worker(once=True)
    assert (totals.sent, totals.failed) == (1, 1)
    (received,) = sink.messages
    assert received.rcpt_tos == ("bogholder@leveret.example",)

    delivered = invoices[good.id]
    page = text_of(client.get(f"/contributions/invoices/{delivered.id}"))
    assert "<dt>E-mail</dt><dd>Sendt " in page and "I udbakken" not in page
    assert "<td>Faktureret</td><td>Sendt " in row_of(text_of(client.get(f"/contributions/?year={year}")),
                                                    delivered.invoice_label)
    assert "<td>Faktureret</td><td>Sendt " in row_of(text_of(client.get(f"/companies/{good.id}")),
                                                    delivered.invoice_label)

    failed = invoices[bad.id]
    assert "<dt>E-mail</dt><dd>Fejlet</dd>" in text_of(client.get(f"/contributions/invoices/{failed.id}"))
    assert "<td>Faktureret</td><td>Fejlet</td>" in row_of(text_of(client.get(f"/contributions/?year={year}")),
                                                          failed.invoice_label)
    assert "<td>Faktureret</td><td>Fejlet</td>" in row_of(text_of(client.get(f"/companies/{bad.id}")),
                                                          failed.invoice_label)


def statements(client, url):
    """How many SQL statements the page runs."""
    counted = []

    def count_statement(conn, cursor, statement, parameters, context, executemany):
        if statement != SQLITE_BEGIN:
            counted.append(statement)

    db.session.expire_all()  # each page loads what it shows, as a request of its own does
    event.listen(db.engine, "before_cursor_execute", count_statement)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count_statement)
    assert any("outbound_emails" in statement for statement in counted), "the page asks the outbox"
    return len(counted)


def test_the_invoice_list_and_company_page_ask_the_outbox_once_however_many_invoices(mail_app):
    small_year, large_year = 2061, 2062
    member("Lille År ApS", "a@lille.example", small_year)
    owner = member("Mange År ApS", "b@mange.example", small_year)
    for n in range(5):
        member(f"Stort År {n} ApS", f"c{n}@stort.example", large_year)
    a_scheme(db, year=small_year)
    billing.bill(small_year, today=date(small_year, 2, 1))
    a_scheme(db, year=large_year)
    billing.bill(large_year, today=date(large_year, 2, 1))
    lonely = member("Én Faktura ApS", "d@en.example", large_year + 1)
    a_scheme(db, year=large_year + 1)
    billing.bill(large_year + 1, today=date(large_year + 1, 2, 1))
    staff = auth_services.create_user(f"staff{next(_serial)}@holme.example", PASSWORD, Role.STAFF)
    db.session.commit()
    client = mail_app.test_client()
    assert login(client, staff.email).status_code == 302

    # 2 invoices in the small year; 7 in the large one (those who joined the year before are billed again)
    assert statements(client, f"/contributions/?year={small_year}") == \
        statements(client, f"/contributions/?year={large_year}")
    # the company page: one invoice, or three (one a year)
    assert statements(client, f"/companies/{lonely.id}") == \
        statements(client, f"/companies/{owner.id}")
