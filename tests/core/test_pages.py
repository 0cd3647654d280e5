import logging

from sqlalchemy import select

from crm.mail.models import EmailStatus, OutboundEmail
from crm.mail.services import queue_email
from tests.conftest import make_app, post


def test_health_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_health_is_503_when_the_database_is_gone(caplog):
    app = make_app("sqlite:////nonexistent-folder/holme/none.sqlite3")
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"
    assert "Traceback" not in response.get_data(as_text=True)
    assert any("database does not answer" in record.getMessage() for record in caplog.records)


def test_unknown_page_is_a_danish_404(client):
    response = client.get("/findes/ikke")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "Siden findes ikke" in text and 'class="header"' in text


def test_a_crash_shows_a_danish_page_and_nothing_inside(caplog):
    app = make_app("sqlite://")

    @app.get("/crash")
    def crash():
        raise RuntimeError("secret internal detail")

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/crash")
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Der skete en fejl" in text
    assert "secret internal detail" not in text and "Traceback" not in text
    assert any("secret internal detail" in str(record.exc_info) for record in caplog.records if record.exc_info)


def test_accessibility_statement_redirect(client, app):
    response = client.get("/was")
    assert response.status_code == 302
    assert response.headers["Location"] == app.config["ACCESSIBILITY_STATEMENT_URL"]
    assert "/was" in client.get("/login").get_data(as_text=True)


def test_navigation_shows_what_each_role_may_use(admin_client, staff_client, company_client):
    admin = admin_client.get("/").get_data(as_text=True)
    staff = staff_client.get("/").get_data(as_text=True)
    company = company_client.get("/").get_data(as_text=True)
    assert 'href="/audit/"' in admin and 'href="/outbox/"' in admin
    assert 'href="/audit/"' in staff and 'href="/outbox/"' in staff
    assert 'href="/audit/"' not in company and 'href="/outbox/"' not in company


def test_audit_page_filters(admin_client, db, make_user):
    make_user("staff", email="filter.mig@holme.example")
    page = admin_client.get("/audit/?action=user.create").get_data(as_text=True)
    assert "filter.mig@holme.example" in page
    assert "auth.login" not in page.split("<tbody>")[1]
    page = admin_client.get("/audit/?action=auth.login").get_data(as_text=True)
    assert "filter.mig@holme.example" not in page.split("<tbody>")[1]


def test_outbox_shows_a_mail_as_the_recipient_sees_it(staff_client, db):
    email = queue_email(to_address="anna@firma.example", to_name="Anna Ærø", subject="Mødeindkaldelse",
                        body_text="Hej Anna", body_html="<p>Hej <b>Anna</b></p><script>alert(1)</script>")
    db.session.commit()
    listing = staff_client.get("/outbox/?status=queued").get_data(as_text=True)
    assert "Mødeindkaldelse" in listing and "Anna Ærø" in listing
    page = staff_client.get(f"/outbox/{email.id}").get_data(as_text=True)
    assert "Hej Anna" in page and "sandbox" in page
    html = staff_client.get(f"/outbox/{email.id}/html")
    assert "sandbox" in html.headers["Content-Security-Policy"]
    assert "script-src" not in html.headers["Content-Security-Policy"]  # default-src 'none' blocks scripts


def test_outbox_cancel_and_retry(staff_client, db):
    email = queue_email(to_address="bo@firma.example", subject="Referat", body_text="Tekst")
    db.session.commit()
    post(staff_client, f"/outbox/{email.id}/cancel")
    assert db.session.get(OutboundEmail, email.id).status == EmailStatus.CANCELLED
    post(staff_client, f"/outbox/{email.id}/cancel")  # twice is harmless
    post(staff_client, f"/outbox/{email.id}/retry")
    assert db.session.get(OutboundEmail, email.id).status == EmailStatus.QUEUED


def test_home_counts_the_outbox(staff_client, db):
    for n in range(3):
        queue_email(to_address=f"x{n}@firma.example", subject="Hej", body_text="Hej")
    db.session.commit()
    queued = db.session.scalar(select(OutboundEmail).limit(1))
    assert queued is not None
    assert "<strong>3</strong> i kø" in staff_client.get("/").get_data(as_text=True)


def test_sql_statement_count_header_only_when_asked(database_url):
    from flask_migrate import upgrade

    counting = make_app(database_url, SQL_COUNT_HEADER=True)
    with counting.app_context():
        upgrade()
    response = counting.test_client().get("/healthz")
    assert int(response.headers["X-SQL-Statements"]) >= 1  # SELECT 1 (and SQLite's explicit BEGIN)
    assert "X-SQL-Statements" not in make_app(database_url).test_client().get("/healthz").headers
