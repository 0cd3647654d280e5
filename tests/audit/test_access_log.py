"""Every read of a person's data leaves a row in the access log: who, when, from where, what (ids), which page."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import select

from crm.audit.access import record_access
from crm.audit.access_models import AccessEntry, AccessKind
from crm.companies.models import Contact
from crm.extensions import db as db_
from crm.mail.services import queue_email
from crm.meetings.models import Attendance, AttendanceStatus, Invitation, Meeting
from crm.security import Role, roles_required
from tests.conftest import login, make_app

ADDRESS = {"REMOTE_ADDR": "192.0.2.44"}
#: Persons in one large export: 10 columns a row make more values than SQLite takes in one statement (32,766).
MANY = 4_000


def _rows(db, **where):
    statement = select(AccessEntry).order_by(AccessEntry.id)
    for column, value in where.items():
        statement = statement.where(getattr(AccessEntry, column) == value)
    return db.session.scalars(statement).all()


def _people(db, company, *names):
    contacts = [Contact(company=company, name=name, email=f"{name.split()[0].lower()}@firma{company.id}.example",
                        is_primary=index == 0) for index, name in enumerate(names)]
    db.session.add_all(contacts)
    db.session.commit()
    return contacts


def test_the_staff_company_page_logs_each_person_shown(staff_client, db, make_company):
    company = make_company(name="Hammerholmen Stål A/S")
    karen, ole = _people(db, company, "Karen Holm", "Ole Lund")
    before = datetime.now(UTC)
    assert staff_client.get(f"/companies/{company.id}", environ_base=ADDRESS).status_code == 200
    rows = _rows(db, kind=AccessKind.COMPANY_CONTACTS)
    assert {(row.contact_id, row.company_id) for row in rows} == {(karen.id, company.id), (ole.id, company.id)}
    row = rows[0]
    assert (row.user_id, row.user_email, row.user_role) == (staff_client.user.id, staff_client.user.email, "staff")
    assert (row.address, row.endpoint, row.path) == ("192.0.2.44", "companies.show", f"/companies/{company.id}")
    assert before <= row.at <= datetime.now(UTC)
    assert len({row.at for row in rows}) == 1, "one request, one moment"


def test_a_company_page_without_persons_logs_the_company(staff_client, db, make_company):
    company = make_company()
    staff_client.get(f"/companies/{company.id}")
    assert [(row.contact_id, row.company_id) for row in _rows(db)] == [(None, company.id)]


def test_opening_a_contact_logs_that_person(staff_client, db, make_company):
    company = make_company()
    karen, _ole = _people(db, company, "Karen Holm", "Ole Lund")
    assert staff_client.get(f"/companies/{company.id}/contacts/{karen.id}/edit").status_code == 200
    assert [(row.kind, row.contact_id) for row in _rows(db)] == [(AccessKind.CONTACT, karen.id)]


def test_the_company_search_logs_the_persons_it_shows(staff_client, db, make_company):
    shown, other = make_company(name="Søholm Logistik"), make_company(name="Brøndby Rør")
    karen, ole = _people(db, shown, "Karen Holm", "Ole Lund")
    _people(db, other, "Bent Berg")
    page = staff_client.get("/companies/?q=søholm").get_data(as_text=True)
    assert "Karen Holm" in page
    assert [(row.kind, row.contact_id, row.company_id) for row in _rows(db)] == [
        (AccessKind.SEARCH, karen.id, shown.id)], "the list shows the primary contact only"


def test_a_search_that_shows_no_person_logs_nothing(staff_client, db, make_company):
    make_company(name="Tom Grund ApS")
    staff_client.get("/companies/?q=tom+grund")
    assert _rows(db) == []


def test_the_company_export_logs_every_exported_person(staff_client, db, make_company):
    first, second = make_company(name="Alfa Maskiner"), make_company(name="Beta Maskiner")
    (alfa,), (beta,) = _people(db, first, "Anne Alfa"), _people(db, second, "Bo Beta")
    response = staff_client.get("/companies/export?format=csv&q=maskiner")
    assert "Anne Alfa" in response.get_data(as_text=True)
    assert {(row.kind, row.contact_id) for row in _rows(db)} == {(AccessKind.EXPORT, alfa.id),
                                                                  (AccessKind.EXPORT, beta.id)}


def _meeting(db, company, contact):
    start = datetime.now(UTC) - timedelta(days=3)
    meeting = Meeting(title="Netværksmøde", starts_at=start, ends_at=start + timedelta(hours=2))
    db.session.add(meeting)
    db.session.flush()
    db.session.add_all([Invitation(meeting_id=meeting.id, company_id=company.id),
                        Attendance(meeting_id=meeting.id, company_id=company.id, contact_id=contact.id,
                                   status=AttendanceStatus.PRESENT)])
    db.session.commit()
    return meeting


def test_attendance_and_answers_exports_log_the_persons_in_them(staff_client, db, make_company):
    company = make_company()
    karen, ole = _people(db, company, "Karen Holm", "Ole Lund")
    meeting = _meeting(db, company, ole)
    assert "Ole Lund" in staff_client.get(f"/meetings/{meeting.id}/attendance.csv").get_data(as_text=True)
    assert [(row.kind, row.contact_id, row.endpoint) for row in _rows(db)] == [
        (AccessKind.EXPORT, ole.id, "meetings.export_attendance")]
    assert "Karen Holm" in staff_client.get(f"/meetings/{meeting.id}/invitations.csv").get_data(as_text=True)
    assert [(row.contact_id, row.company_id) for row in _rows(db, endpoint="meetings.export_invitations")] == [
        (karen.id, company.id)]


def test_the_check_in_list_logs_the_persons_it_shows(staff_client, db, make_company):
    company = make_company()
    karen, ole = _people(db, company, "Karen Holm", "Ole Lund")
    meeting = _meeting(db, company, ole)
    assert staff_client.get(f"/meetings/{meeting.id}/checkin").status_code == 200
    assert {row.contact_id for row in _rows(db, kind=AccessKind.SEARCH)} == {karen.id, ole.id}


def test_reading_a_mail_in_the_outbox_logs_its_recipient(staff_client, db, make_company):
    company = make_company()
    karen, _ole = _people(db, company, "Karen Holm", "Ole Lund")
    email = queue_email(to_address=karen.email, subject="Referat", body_text="Hej Karen", body_html="<p>Hej</p>",
                        company=company)
    db.session.commit()
    assert staff_client.get(f"/outbox/{email.id}").status_code == 200
    assert staff_client.get(f"/outbox/{email.id}/html").status_code == 200
    rows = _rows(db, kind=AccessKind.OUTBOX_BODY)
    assert [(row.contact_id, row.company_id, row.path) for row in rows] == [
        (karen.id, company.id, f"/outbox/{email.id}"), (karen.id, company.id, f"/outbox/{email.id}/html")]


def test_a_portal_user_reading_its_own_company_is_logged_the_same_way(app, db, make_company, make_user):
    company = make_company()
    karen, ole = _people(db, company, "Karen Holm", "Ole Lund")
    user = make_user(Role.COMPANY, company=company)
    client = app.test_client()
    login(client, user.email)
    assert client.get("/portal/company", environ_base=ADDRESS).status_code == 200
    rows = _rows(db, kind=AccessKind.COMPANY_CONTACTS)
    assert {row.contact_id for row in rows} == {karen.id, ole.id}
    assert {(row.user_email, row.user_role, row.address) for row in rows} == {(user.email, "company", "192.0.2.44")}
    assert client.get(f"/portal/company/contacts/{ole.id}").status_code == 200
    assert [row.contact_id for row in _rows(db, kind=AccessKind.CONTACT)] == [ole.id]
    assert client.get("/portal/company/data.zip").status_code == 200
    assert {row.contact_id for row in _rows(db, kind=AccessKind.DATA_ZIP)} == {karen.id, ole.id}


def test_the_address_is_the_one_the_proxy_forwarded(database_url, db, make_company, make_user):
    """Behind the reverse proxy (PROXY_FIX_X_FOR=1) the row holds the client's address, not the proxy's."""
    company = make_company()
    user = make_user(Role.STAFF)
    proxied = make_app(database_url, PROXY_FIX_X_FOR=1)
    with proxied.app_context():
        client = proxied.test_client()
        login(client, user.email)
        client.get(f"/companies/{company.id}", headers={"X-Forwarded-For": "198.51.100.7"},
                   environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert [row.address for row in _rows(db)] == ["198.51.100.7"]


def _app_with_pages(database_url, make_company):
    """An app with two pages of its own: one reads a person and changes the company without committing (as a
    refused form may leave it), one reads a person and then fails."""
    app = make_app(database_url, PROPAGATE_EXCEPTIONS=False)

    @roles_required(Role.STAFF)
    def uncommitted(contact_id):
        contact = db_.session.get(Contact, contact_id)
        contact.company.name = "Ændret uden commit"
        db_.session.flush()
        record_access(AccessKind.CONTACT, contacts=[contact])
        return "shown"

    @roles_required(Role.STAFF)
    def failing(contact_id):
        record_access(AccessKind.CONTACT, contacts=[db_.session.get(Contact, contact_id)])
        raise RuntimeError("the page broke after reading")

    @roles_required(Role.STAFF)
    def many(company_id):  # a large export: more values than SQLite takes in one statement
        record_access(AccessKind.EXPORT, contacts=[SimpleNamespace(id=number, company_id=company_id)
                                                   for number in range(1, MANY + 1)])
        return "exported"

    app.add_url_rule("/test/uncommitted/<int:contact_id>", view_func=uncommitted)
    app.add_url_rule("/test/many/<int:company_id>", view_func=many)
    app.add_url_rule("/test/failing/<int:contact_id>", view_func=failing)
    return app


def _staff_reads(database_url, make_company, user, *paths):
    """(status, text) of each path, asked by the user logged in on the app with the test pages."""
    app = _app_with_pages(database_url, make_company)
    with app.app_context():
        client = app.test_client()
        login(client, user.email)
        return [(answer.status_code, answer.get_data(as_text=True)) for answer in map(client.get, paths)]


def test_the_log_commits_its_rows_alone_and_a_failed_page_still_logs(database_url, db, make_company, make_user):
    """What a view changed without committing is rolled back, never carried by the log's commit; a page that
    failed after reading still leaves its row."""
    company = make_company(name="Før Ændring ApS")
    (karen,) = _people(db, company, "Karen Holm")
    shown, failed = _staff_reads(database_url, make_company, make_user(Role.STAFF),
                                 f"/test/uncommitted/{karen.id}", f"/test/failing/{karen.id}")
    assert shown[1] == "shown"
    assert failed[0] == 500
    db.session.expire_all()
    assert db.session.get(Contact, karen.id).company.name == "Før Ændring ApS"
    assert [(row.contact_id, row.path) for row in _rows(db)] == [
        (karen.id, f"/test/uncommitted/{karen.id}"), (karen.id, f"/test/failing/{karen.id}")]


def test_a_large_export_logs_every_person_in_it(database_url, db, make_company, make_user):
    company = make_company(name="Stor Eksport A/S")
    user = make_user(Role.STAFF)
    [(_status, text)] = _staff_reads(database_url, make_company, user, f"/test/many/{company.id}")
    assert text == "exported"
    rows = _rows(db, kind=AccessKind.EXPORT)
    assert sorted(row.contact_id for row in rows) == list(range(1, MANY + 1))
    assert {(row.company_id, row.user_id, row.path) for row in rows} == {
        (company.id, user.id, f"/test/many/{company.id}")}
