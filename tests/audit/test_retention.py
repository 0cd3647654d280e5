"""`flask retention run [--dry-run]`: each kind is picked once past its period and not a day before; a dry run
changes nothing; a real run anonymises through the erasure and deletes; a second run finds nothing."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm.audit import retention
from crm.audit.models import AuditEntry, ErasureRequest, RetentionRun
from crm.audit.services import record
from crm.auth.models import LoginAddress, LoginFailure, PasswordResetRequest, PasswordResetToken, User
from crm.companies.models import Activity, ActivityKind, CompanyStatus, Contact
from crm.companies.services import log_activity
from crm.db import utcnow
from crm.extensions import db as _db
from crm.groups.models import GroupMembership, WorkingGroup
from crm.mail.models import EmailStatus, OutboundAttachment, OutboundEmail
from crm.mail.services import queue_email, retry_email
from crm.meetings.models import Attendance, Meeting
from crm.merging import ANONYMISED_NAME

NOW = datetime.now(UTC).replace(microsecond=0)
MINUTE, DAY = timedelta(minutes=1), timedelta(days=1)
KINDS = ("left_company_contacts", "inactive_contacts", "outbox_bodies", "login_failures", "password_reset_requests",
         "login_addresses", "spent_links", "access_log", "join_requests")


def task(kind):
    return next(found for found in retention.tasks() if found.kind == kind)


def due(kind, now=NOW):
    """How many rows of the kind a run at `now` would take (changing nothing)."""
    return retention.run_task(task(kind), now, apply=False)


def table_counts():
    return {table.name: _db.session.scalar(select(func.count()).select_from(table))
            for table in _db.metadata.sorted_tables}


def person(company, name, email, **values):
    contact = Contact(company=company, name=name, email=email, **values)
    _db.session.add(contact)
    _db.session.flush()
    return contact


def test_every_kind_is_registered_in_order(app, db):
    assert [found.kind for found in retention.tasks()] == list(KINDS)


@pytest.mark.parametrize(("kind", "model", "column", "setting"), [
    ("login_failures", LoginFailure, "at", "RETENTION_THROTTLE_DAYS"),
    ("password_reset_requests", PasswordResetRequest, "at", "RETENTION_THROTTLE_DAYS"),
])
def test_throttle_rows_go_after_their_days_and_not_a_day_before(app, db, kind, model, column, setting):
    days = timedelta(days=app.config[setting])
    for age in (days + MINUTE, days, days - DAY):
        db.session.add(model(email="ole@firma.example", address="192.0.2.7", **{column: NOW - age}))
    db.session.flush()
    assert due(kind) == 1, "exactly at its period a row stays"
    assert due(kind, NOW + MINUTE) == 2
    assert due(kind, NOW + DAY) == 2, "the one a day short goes a day later, not before"
    assert due(kind, NOW + DAY + MINUTE) == 3


def test_login_addresses_go_when_they_no_longer_count_as_known(app, db, make_user):
    user = make_user()
    days = timedelta(days=app.config["LOGIN_KNOWN_ADDRESS_DAYS"])
    db.session.add_all([LoginAddress(user_id=user.id, address="192.0.2.1", last_login_at=NOW - days - MINUTE),
                        LoginAddress(user_id=user.id, address="192.0.2.2", last_login_at=NOW - days + DAY)])
    db.session.flush()
    assert due("login_addresses") == 1


def test_links_go_once_expired_or_used_and_an_open_one_stays(app, db, make_user):
    user = make_user()
    db.session.add_all([
        PasswordResetToken(user=user, token_hash="a" * 64, expires_at=NOW - MINUTE),
        PasswordResetToken(user=user, token_hash="b" * 64, expires_at=NOW + DAY, used_at=NOW - MINUTE),
        PasswordResetToken(user=user, token_hash="c" * 64, expires_at=NOW + DAY),
    ])
    db.session.flush()
    assert due("spent_links") == 2
    assert due("spent_links", NOW + 2 * DAY) == 3


def old_mail(company, age, status=EmailStatus.SENT, **fields):
    mail = queue_email(to_address="karen@firma.example", to_name="Karen Kontakt", subject="Referat fra mødet",
                       body_text="Kære Karen, her er referatet.", body_html="<p>Kære Karen</p>", company=company,
                       attachments=[("referat.pdf", "application/pdf", b"%PDF-1.4 referat")], **fields)
    mail.status, mail.created_at = status, NOW - age
    db_flush()
    return mail


def db_flush():
    _db.session.flush()


def test_outbox_mails_lose_text_and_files_after_their_days_and_keep_the_rest(app, db, make_company):
    company = make_company()
    days = timedelta(days=app.config["RETENTION_OUTBOX_DAYS"])
    sent = old_mail(company, days + MINUTE)
    failed = old_mail(company, days + MINUTE, EmailStatus.FAILED)
    young = old_mail(company, days - DAY)
    waiting = old_mail(company, days + MINUTE, EmailStatus.QUEUED)
    assert due("outbox_bodies") == 2
    assert retention.run_task(task("outbox_bodies"), NOW, apply=True) == 2
    db.session.expire_all()
    assert (sent.body_text, sent.body_html, sent.headers, sent.attachments) == ("", None, None, [])
    assert (sent.to_address, sent.subject, sent.status, sent.sent_at) == (
        "karen@firma.example", "Referat fra mødet", EmailStatus.SENT, None)
    assert sent.trimmed_at is not None
    assert failed.status == EmailStatus.CANCELLED and not retry_email(failed), "a mail without its text never goes"
    for kept in (young, waiting):
        assert kept.body_text.startswith("Kære Karen") and len(kept.attachments) == 1
    assert due("outbox_bodies") == 0


def test_persons_of_a_company_that_left_go_after_the_years_and_not_a_day_before(app, db, make_company):
    cutoff = retention.years_before(NOW, app.config["RETENTION_LEFT_COMPANY_YEARS"]).date()
    gone = make_company(status=CompanyStatus.LEFT, left_on=cutoff - timedelta(days=1))
    recent = make_company(status=CompanyStatus.LEFT, left_on=cutoff)
    member = make_company(status=CompanyStatus.MEMBER)
    person(gone, "Ole Olsen", "ole@gone.example")
    person(gone, "Kim Kristensen", "kim@gone.example", newsletter_consent=True, consent_at=NOW)
    person(recent, "Eva Ebbesen", "eva@recent.example")
    person(member, "Mads Madsen", "mads@member.example")
    assert due("left_company_contacts") == 2, "consent or not: the company is gone"
    assert due("left_company_contacts", NOW + DAY) == 3


def test_inactive_persons_go_after_the_years_unless_a_sign_of_life_keeps_them(app, db, make_company, make_user):
    years = app.config["RETENTION_INACTIVE_PERSON_YEARS"]
    cutoff = retention.years_before(NOW, years)
    company = make_company(status=CompanyStatus.MEMBER)
    old, young = cutoff - DAY, cutoff + DAY
    person(company, "Primær Person", "primary@firma.example", is_primary=True, created_at=old)
    silent = person(company, "Stille Person", "silent@firma.example", created_at=old)
    person(company, "Ny Person", "new@firma.example", created_at=young)
    person(company, "Samtykke Person", "consent@firma.example", created_at=old, newsletter_consent=True,
           consent_at=old)
    came = person(company, "Mødt Person", "came@firma.example", created_at=old)
    grouped = person(company, "Gruppe Person", "group@firma.example", created_at=old)
    logged_in = person(company, "Login Person", "login@firma.example", created_at=old)
    meeting = Meeting(title="Netværksmøde", starts_at=young, ends_at=young + timedelta(hours=2))
    db.session.add(meeting)
    db.session.flush()
    db.session.add(Attendance(meeting_id=meeting.id, company_id=company.id, contact_id=came.id))
    group = db.session.scalars(select(WorkingGroup)).first()
    db.session.add(GroupMembership(group_id=group.id, company_id=company.id, contact_id=grouped.id,
                                   joined_on=date(2015, 1, 1)))
    user = make_user("company", company=company)
    user.contact_id, user.created_at, user.last_login_at = logged_in.id, old, young
    db.session.flush()
    found = set(db.session.scalars(task_ids("inactive_contacts", NOW)))
    assert found == {silent.id}, "the primary contact (the company's invitations), consent and signs of life keep"
    record("contact.update", object_type="contacts", object_id=silent.id, changes={"phone": ["", "12345678"]})
    db.session.flush()
    assert due("inactive_contacts") == 0, "a change to the person is a sign of life"


def task_ids(kind, now):
    from crm.companies import retention as register

    rule = {"inactive_contacts": register.inactive_contacts,
            "left_company_contacts": register.contacts_of_companies_that_left}[kind]
    return rule(retention.cutoff(task(kind), now))


@pytest.fixture
def past_everything(app, db, make_company, make_user):
    """One row of every kind past its period, and the person of a company that left years ago, known everywhere."""
    company = make_company(status=CompanyStatus.LEFT, left_on=date(2015, 6, 1), name="Bøgholm Transport ApS")
    birthe = person(company, "Birthe Bøgholm", "birthe@boegholm.example", is_primary=True, phone="+45 11 22 33 44")
    user = make_user("company", company=company, email="birthe@boegholm.example")
    user.contact_id = birthe.id
    log_activity(company.id, ActivityKind.CALL, "Ringede til Birthe Bøgholm om udmeldelsen.")
    record("contact.update", object_type="contacts", object_id=birthe.id,
           changes={"name": ["Birthe Hansen", "Birthe Bøgholm"]})
    old_mail(company, timedelta(days=400))
    db.session.add(ErasureRequest(contact_id=birthe.id, company_id=company.id))
    db.session.add_all([LoginFailure(email="x@y.example", address="192.0.2.9", at=NOW - timedelta(days=400)),
                        PasswordResetRequest(email="x@y.example", address="192.0.2.9", at=NOW - timedelta(days=400)),
                        LoginAddress(user_id=user.id, address="192.0.2.9", last_login_at=NOW - timedelta(days=400)),
                        PasswordResetToken(user=user, token_hash="d" * 64, expires_at=NOW - DAY)])
    db.session.commit()
    return company, birthe, user


def test_a_dry_run_names_every_kind_and_changes_nothing(app, db, past_everything):
    before = table_counts()
    result = app.test_cli_runner().invoke(args=["retention", "run", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Prøvekørsel: intet ændres" in result.output
    for kind in KINDS:
        assert f"  {kind}: " in result.output
    assert "left_company_contacts: 1 " in result.output and "outbox_bodies: 1 " in result.output
    after = table_counts()
    assert after.pop("retention_runs") == before.pop("retention_runs") + 1
    assert after == before
    _company, birthe, _user = past_everything
    db.session.expire_all()
    assert birthe.name == "Birthe Bøgholm"
    run = db.session.scalars(select(RetentionRun)).one()
    assert run.dry_run and run.finished_at and run.counts["left_company_contacts"] == 1
    assert set(run.counts) == set(KINDS)


def test_a_real_run_anonymises_through_the_erasure_deletes_and_a_second_run_finds_nothing(app, db, past_everything):
    company, birthe, user = past_everything
    dry = app.test_cli_runner().invoke(args=["retention", "run", "--dry-run"]).output
    result = app.test_cli_runner().invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    counts_line = [line for line in result.output.splitlines() if line.startswith("  ")]
    assert counts_line == [line for line in dry.splitlines() if line.startswith("  ")], "the same counts as the dry run"
    db.session.expire_all()
    assert (birthe.name, birthe.phone) == (ANONYMISED_NAME, "")
    assert birthe.email.endswith("@anonymiseret.invalid")
    texts = " ".join(db.session.scalars(select(Activity.text).where(Activity.company_id == company.id)))
    assert "Birthe" not in texts and "flere år" in texts, "the timeline loses her and says why"
    logged = " ".join(str(changes) for changes in db.session.scalars(select(AuditEntry.changes)))
    assert "Bøgholm" not in logged and "Birthe" not in logged
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "contact.anonymised", AuditEntry.object_id == birthe.id)) == 1
    assert (user.active, user.name) == (False, ANONYMISED_NAME) and "boegholm" not in user.email
    assert db.session.scalars(select(ErasureRequest.done_at)).one() is not None, "her open request is done"
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.company_id == company.id)).one()
    assert "boegholm" not in mail.to_address and mail.body_text in ("", "(anonymiseret)")
    assert db.session.scalar(select(func.count()).select_from(OutboundAttachment)) == 0
    for model in (LoginFailure, PasswordResetRequest, LoginAddress, PasswordResetToken):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0, model
    assert db.session.scalar(select(func.count()).select_from(User).where(User.id == user.id)) == 1
    again = app.test_cli_runner().invoke(args=["retention", "run"])
    assert all(line.split(": ")[1].startswith("0 ") for line in again.output.splitlines() if line.startswith("  "))
    runs = db.session.scalars(select(RetentionRun).order_by(RetentionRun.id)).all()
    assert [run.dry_run for run in runs] == [True, False, False]
    assert runs[1].counts["left_company_contacts"] == 1 and sum(runs[2].counts.values()) == 0
    assert all(run.finished_at >= run.started_at for run in runs) and runs[1].started_by


def test_a_birthday_on_29_february_counts_back_to_28_february(app):
    assert retention.years_before(datetime(2028, 2, 29, 3, tzinfo=UTC), 3) == datetime(2025, 2, 28, 3, tzinfo=UTC)


def test_the_run_is_recorded_as_it_goes(app, db):
    run = retention.start_run(dry_run=False, started_by="holme", scheduled=True)
    retention.note_count(run, task("login_failures"), 3)
    assert run.counts == {"login_failures": 3} and run.finished_at is None
    retention.finish_run(run)
    assert run.finished_at <= utcnow()
