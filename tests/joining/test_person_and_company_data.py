"""A join request follows its company and its person: a merge moves it, an erasure scrubs the person from it, and the
company's data ZIP carries it."""

import io
import json
import zipfile

from sqlalchemy import select

from crm.audit.access_models import AccessEntry, AccessKind
from crm.auth.models import User
from crm.companies.merging import merge_companies
from crm.companies.models import Company
from crm.companies.services import erase_contact
from crm.joining import services
from crm.joining.models import JoinRequest
from tests.conftest import login
from tests.joining.conftest import send_join


def approved(db, staff_user, row):
    services.approve(row, by=staff_user)
    db.session.commit()
    return row


def test_erasing_the_contact_scrubs_the_person_from_every_request_they_sent(db, client, make_user):
    staff = make_user("staff")
    send_join(client, contact_email="lone@nyt-firma.example", contact_name="Lone Lund")
    send_join(client, cvr="29910421", contact_email="lone@nyt-firma.example", contact_name="Lone Lund")
    first, other = db.session.scalars(select(JoinRequest).order_by(JoinRequest.id)).all()
    approved(db, staff, first)
    erase_contact(first.contact, by=staff)
    db.session.commit()
    for row in (first, other):
        db.session.refresh(row)
        assert row.contact_name == "Anonymiseret" and row.contact_phone == "" and row.address == ""
        assert row.contact_email.endswith("@anonymiseret.invalid") and "lone" not in row.contact_email
        assert row.cvr in ("29910421", first.cvr), "the company's part stays"


def test_a_merge_moves_the_request_to_the_surviving_company(db, client, make_user, make_company):
    staff = make_user("staff")
    send_join(client)
    row = approved(db, staff, db.session.scalars(select(JoinRequest)).one())
    survivor = make_company(name="Overlevende ApS")
    merge_companies(survivor, row.company, by=staff)
    db.session.commit()
    db.session.refresh(row)
    assert row.company_id == survivor.id
    assert db.session.scalars(select(Company).where(Company.cvr == row.cvr)).first() is None


def test_the_company_data_zip_carries_its_request_without_the_senders_network_address(db, client, make_user):
    staff = make_user("staff")
    send_join(client, contact_name="Pia Portal")
    row = approved(db, staff, db.session.scalars(select(JoinRequest)).one())
    user = db.session.scalars(select(User).where(User.email == row.contact_email)).one()
    user.active, user.password_hash = True, staff.password_hash  # as if the invitation were used
    db.session.commit()
    portal = client.application.test_client()
    assert login(portal, user.email).status_code == 302
    archive = zipfile.ZipFile(io.BytesIO(portal.get("/portal/company/data.zip").data))
    [part] = json.loads(archive.read("join_requests.json"))
    assert (part["cvr"], part["contact_name"], part["state"]) == (row.cvr, "Pia Portal", "approved")
    assert "address" not in part
    csv = archive.read("join_requests.csv").decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Anmodet;CVR-nummer;Navn") and "Godkendt" in csv and "Lejer" in csv


def test_the_retention_run_deletes_declined_and_unanswered_requests_after_their_period_and_keeps_approved_ones(
        app, db, client, make_user):
    from datetime import UTC, datetime, timedelta

    from crm.audit import retention

    staff = make_user("staff")
    for n in range(4):
        send_join(client, contact_email=f"person{n}@nyt-firma.example")
    pending, declined, kept_approved, recent = db.session.scalars(select(JoinRequest).order_by(JoinRequest.id)).all()
    services.decline(declined, reason="Virksomheden ligger ikke på Avedøre Holme.", by=staff)
    approved(db, staff, kept_approved)
    now = datetime.now(UTC)
    period = timedelta(days=app.config["RETENTION_JOIN_REQUEST_DAYS"])
    for row in (pending, declined, kept_approved):
        row.created_at = now - period - timedelta(days=1)
    recent.created_at = now - period + timedelta(days=1)
    db.session.commit()
    task = next(task for task in retention.tasks() if task.kind == "join_requests")

    assert retention.run_task(task, now, apply=False) == 2
    assert retention.run_task(task, now, apply=True) == 2
    db.session.commit()

    left = db.session.scalars(select(JoinRequest.contact_email).order_by(JoinRequest.id)).all()
    assert left == [kept_approved.contact_email, recent.contact_email]


def test_staff_reading_a_request_leaves_a_row_in_the_access_log(db, client, staff_client, make_user):
    """The requester's name, e-mail and phone are a person's data: the list and the request's page are logged,
    by the page while it is only a request, by the contact person once approved."""
    send_join(client, contact_name="Lise Læser")
    row = db.session.scalars(select(JoinRequest)).one()
    assert staff_client.get("/companies/join-requests").status_code == 200
    assert staff_client.get(f"/companies/join-requests/{row.id}").status_code == 200
    approved(db, make_user("staff"), row)
    assert staff_client.get(f"/companies/join-requests/{row.id}").status_code == 200
    entries = db.session.scalars(select(AccessEntry).order_by(AccessEntry.id)).all()
    assert [(entry.kind, entry.path, entry.contact_id) for entry in entries] == [
        (AccessKind.SEARCH, "/companies/join-requests", None),
        (AccessKind.CONTACT, f"/companies/join-requests/{row.id}", None),
        (AccessKind.CONTACT, f"/companies/join-requests/{row.id}", row.contact_id),
    ]
    assert row.contact_id is not None and entries[-1].company_id == row.company_id
