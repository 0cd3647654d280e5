"""The audit log says who acted and from where, without the views passing addresses to the services."""

from sqlalchemy import select

from crm.audit.models import AuditEntry
from tests.conftest import post


def test_a_change_in_a_request_is_logged_with_the_user_and_the_client_address(staff_client, db, make_company):
    company = make_company(name="Adresse Test ApS")
    post(staff_client, f"/companies/{company.id}/activities", {"kind": "note", "text": "Ringede"},
         environ_base={"REMOTE_ADDR": "10.20.30.40"})
    post(staff_client, f"/companies/{company.id}/left", {"left_on": "2026-01-31"},
         environ_base={"REMOTE_ADDR": "10.20.30.40"})
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "company.update")).one()
    assert (entry.actor_id, entry.actor_email, entry.address) == (
        staff_client.user.id, staff_client.user.email, "10.20.30.40")


def test_a_command_is_logged_as_the_command_line(app, db):
    result = app.test_cli_runner().invoke(args=["users", "create-admin", "drift@hvidovre.example",
                                                "--password-stdin"], input="korrekt-hest-batteri-hæfteklamme\n")
    assert result.exit_code == 0, result.output
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.create")).one()
    assert (entry.actor_id, entry.address) == (None, "cli")


def test_retrying_and_cancelling_a_mail_is_logged_with_who_did_it(staff_client, db):
    from crm.mail.services import queue_email

    mail = queue_email(to_address="modtager@firma.example", subject="Referat", body_text="Hej")
    db.session.commit()
    post(staff_client, f"/outbox/{mail.id}/cancel")
    post(staff_client, f"/outbox/{mail.id}/retry")
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.in_(("mail.cancel", "mail.retry")))
                                 .order_by(AuditEntry.id)).all()
    assert [(entry.action, entry.actor_id, entry.object_id) for entry in entries] == [
        ("mail.cancel", staff_client.user.id, mail.id), ("mail.retry", staff_client.user.id, mail.id)]
