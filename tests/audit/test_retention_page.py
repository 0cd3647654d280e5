"""The admins' page of the retention rules: settings, a preview that changes nothing, and the last runs."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from crm.audit.models import RetentionRun
from crm.auth.models import LoginFailure
from crm.extensions import db as _db
from crm.mail.models import EmailStatus
from crm.mail.services import queue_email
from tests.conftest import post


def table_counts():
    return {table.name: _db.session.scalar(select(func.count()).select_from(table))
            for table in _db.metadata.sorted_tables}


def test_admins_see_the_settings_what_a_run_would_do_and_the_last_runs(app, db, admin_client):
    old = datetime.now(UTC) - timedelta(days=31)
    db.session.add_all([LoginFailure(email="x@y.example", address="192.0.2.1", at=old) for _ in range(3)])
    db.session.add(RetentionRun(dry_run=False, counts={"login_failures": 7, "spent_links": 0}, started_by="holme",
                                scheduled=True, finished_at=datetime.now(UTC)))
    db.session.add(RetentionRun(dry_run=True, counts={"login_failures": 0}, started_by="ole", scheduled=False))
    db.session.commit()
    before = table_counts()
    page = admin_client.get("/audit/retention").get_data(as_text=True)
    assert table_counts() == before, "looking at the page changes nothing"
    assert "RETENTION_LEFT_COMPANY_YEARS" in page and "3 år" in page and "180 dage" in page
    assert "Mislykkede login" in page and '<td class="app-number">3</td>' in page, "the preview counts the old rows"
    assert "holme (planlagt)" in page and "Mislykkede login: 7" in page and "ny adgangskode og" not in page.split(
        "Seneste kørsler")[-1], "a run names the kinds it did something to"
    assert "ole (i terminal)" in page and "Ikke færdig" in page and "Intet var ældre end sin periode" in page
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 3
    assert 'href="/audit/retention"' in admin_client.get("/audit/").get_data(as_text=True)


def test_the_page_is_for_admins_only(staff_client, company_client):
    assert staff_client.get("/audit/retention").status_code == 403
    assert company_client.get("/audit/retention").status_code == 403
    assert 'href="/audit/retention"' not in staff_client.get("/audit/").get_data(as_text=True)


def test_english_names_the_rules_in_english(admin_client):
    page = admin_client.get("/audit/retention", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Retention and deletion" in page and "Failed logins" in page


def test_a_trimmed_mail_shows_why_its_text_is_gone_and_cannot_be_sent_again(app, db, staff_client):
    mail = queue_email(to_address="karen@firma.example", subject="Referat", body_text="Kære Karen")
    mail.status, mail.created_at = EmailStatus.FAILED, datetime.now(UTC) - timedelta(days=400)
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["retention", "run"]).exit_code == 0
    page = staff_client.get(f"/outbox/{mail.id}").get_data(as_text=True)
    assert "Teksten og de vedhæftede filer blev slettet" in page and "Kære Karen" not in page
    assert "Send igen" not in page and "karen@firma.example" in page
    post(staff_client, f"/outbox/{mail.id}/retry")
    db.session.expire_all()
    assert mail.status == EmailStatus.CANCELLED
