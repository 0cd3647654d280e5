"""Group requests decided by staff, "download our data", removal requests carried out by anonymising."""

import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from crm.audit.models import AuditEntry, ErasureRequest
from crm.auth.models import User
from crm.companies.models import Activity, Contact
from crm.companies.services import log_activity
from crm.groups.models import GroupMembership, MembershipRequest, WorkingGroup
from crm.mail.models import OutboundEmail
from crm.mail.services import queue_email
from crm.meetings.attendance import counts
from crm.meetings.models import Attendance
from crm.portal import data_export
from crm.signals import ExportPart, company_export_parts
from tests.conftest import post


def _group(db, slug="vand"):
    return db.session.scalars(select(WorkingGroup).where(WorkingGroup.slug == slug)).one()


def _membership(db, group, company):
    return db.session.scalars(select(GroupMembership).where(
        GroupMembership.group_id == group.id, GroupMembership.company_id == company.id,
        GroupMembership.left_on.is_(None))).first()


def test_join_request_approved_by_staff_makes_a_membership(world, staff_client, db):
    group = _group(db)
    assert post(world.client, "/portal/groups/vand/request", {"kind": "join"}).status_code == 302
    again = post(world.client, "/portal/groups/vand/request", {"kind": "join"}, follow_redirects=True)
    assert "venter på svar" in again.get_data(as_text=True)
    row = db.session.scalars(select(MembershipRequest)).one()
    assert world.ours.name in staff_client.get("/groups/vand").get_data(as_text=True)
    assert post(staff_client, f"/portal/group-requests/{row.id}", {"decision": "approve"}).status_code == 302
    assert _membership(db, group, world.ours) is not None
    db.session.refresh(row)
    assert row.outcome == "approved" and row.decided_by_id == staff_client.user.id
    assert "I er med i gruppen." in world.client.get("/portal/groups").get_data(as_text=True)


def test_leave_request_rejected_keeps_the_membership_and_approved_ends_it(world, staff_client, db):
    group = _group(db)
    db.session.add(GroupMembership(group_id=group.id, company_id=world.ours.id))
    db.session.commit()
    assert post(world.client, "/portal/groups/vand/request", {"kind": "join"}, follow_redirects=True).status_code \
        == 200
    assert db.session.scalar(select(func.count()).select_from(MembershipRequest)) == 0  # already a member
    post(world.client, "/portal/groups/vand/request", {"kind": "leave"})
    row = db.session.scalars(select(MembershipRequest)).one()
    post(staff_client, f"/portal/group-requests/{row.id}", {"decision": "reject"})
    assert _membership(db, group, world.ours) is not None
    post(world.client, "/portal/groups/vand/request", {"kind": "leave"})
    second = db.session.scalars(select(MembershipRequest).where(MembershipRequest.decided_at.is_(None))).one()
    post(staff_client, f"/portal/group-requests/{second.id}", {"decision": "approve"})
    assert _membership(db, group, world.ours) is None


def test_bad_request_kind_or_decision_is_refused(world, staff_client, db):
    assert post(world.client, "/portal/groups/vand/request", {"kind": "chair"}).status_code == 400
    assert post(world.client, "/portal/groups/findes-ikke/request", {"kind": "join"}).status_code == 404
    post(world.client, "/portal/groups/vand/request", {"kind": "join"})
    row = db.session.scalars(select(MembershipRequest)).one()
    assert post(staff_client, f"/portal/group-requests/{row.id}", {"decision": "maybe"}).status_code == 400
    assert db.session.get(MembershipRequest, row.id).decided_at is None


def test_download_our_data_has_every_part_as_json_and_csv_and_only_our_company(world, db):
    queue_email(to_address="karen@vores.example", subject="Invitation", body_text="Hej", company=world.ours)
    queue_email(to_address="ole@naboen.example", subject="Naboens mail", body_text="Hej", company=world.other)
    db.session.commit()
    response = world.client.get("/portal/company/data.zip")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    expected = {"company", "contacts", "consents", "plots", "timeline", "mails", "invitations", "attendance",
                "action_items", "groups", "group_requests", "invoices", "payments", "adjustments", "reminder_hold",
                "logins", "portal_logins", "removal_requests", "advice_cases", "exchange_listings",
                "exchange_messages", "exchange_mail_choices", "partnership", "join_requests"}
    assert {part.name for part in data_export.parts(world.ours)} == expected
    for part in expected:
        assert {f"{part}.json", f"{part}.csv"} <= names
    contacts = json.loads(archive.read("contacts.json"))
    assert [c["email"] for c in contacts] == ["karen@vores.example"]
    assert json.loads(archive.read("company.json"))[0]["cvr"] == world.ours.cvr
    assert [m["subject"] for m in json.loads(archive.read("mails.json"))] == ["Invitation"]
    assert len(json.loads(archive.read("invitations.json"))) == 1
    assert [u["email"] for u in json.loads(archive.read("logins.json"))] == [world.user.email]
    assert "password_hash" not in archive.read("logins.json").decode()
    assert [row["email"] for row in json.loads(archive.read("portal_logins.json"))] == [world.user.email]
    contacts_csv = archive.read("contacts.csv").decode("utf-8-sig").splitlines()
    assert contacts_csv[0].startswith("Id;Navn;Titel;E-mail") and "karen@vores.example" in contacts_csv[1]
    assert b"ole@naboen.example" not in b"".join(archive.read(name) for name in names)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "portal.data_export")).one()
    assert (entry.actor_id, entry.object_id) == (world.user.id, world.ours.id)


def test_another_area_adds_a_part_by_connecting_a_receiver(world, db):
    def listings(company):
        return ExportPart("listings", {"material": "Materiale", "cvr": "CVR-nummer"},
                          [{"material": "=Paller", "cvr": company.cvr}])

    company_export_parts.connect(listings)
    try:
        archive = zipfile.ZipFile(io.BytesIO(world.client.get("/portal/company/data.zip").data))
        assert json.loads(archive.read("listings.json")) == [{"material": "=Paller", "cvr": world.ours.cvr}]
        assert archive.read("listings.csv").decode("utf-8-sig").splitlines() == [
            "Materiale;CVR-nummer", f"'=Paller;{world.ours.cvr}"]  # never a formula in the spreadsheet
    finally:
        company_export_parts.disconnect(listings)

    def invoices_again(company):
        return ExportPart("invoices", {}, [])

    company_export_parts.connect(invoices_again)
    try:
        with pytest.raises(ValueError):
            data_export.parts(world.ours)  # one part per name
    finally:
        company_export_parts.disconnect(invoices_again)


def test_removal_request_carried_out_anonymises_and_keeps_counts(world, staff_client, db):
    contact = world.contact
    contact.newsletter_consent, contact.phone = True, "12345678"
    log_activity(world.ours.id, "note", "Ringede til Karen Kontakt om affald")
    db.session.add(Attendance(meeting_id=world.network_meeting.id, company_id=world.ours.id, contact_id=contact.id))
    queue_email(to_address="karen@vores.example", to_name="Karen Kontakt", subject="Referat", body_text="Hej Karen",
                company=world.ours)
    db.session.commit()
    before = counts(world.network_meeting)
    assert post(world.client, f"/portal/company/contacts/{contact.id}/erasure").status_code == 302
    post(world.client, f"/portal/company/contacts/{contact.id}/erasure")
    row = db.session.scalars(select(ErasureRequest)).one()
    assert "Karen Kontakt" in staff_client.get(f"/companies/{world.ours.id}").get_data(as_text=True)
    assert post(staff_client, f"/portal/erasure/{row.id}").status_code == 302
    db.session.expire_all()
    contact = db.session.get(Contact, contact.id)
    assert contact.name == "Anonymiseret" and contact.phone == "" and not contact.newsletter_consent
    assert contact.email == f"kontakt-{contact.id}@anonymiseret.invalid" and contact.consent_at is None
    assert counts(world.network_meeting) == before
    mail = db.session.scalars(select(OutboundEmail)).one()
    assert mail.to_address == contact.email and "Karen" not in mail.body_text + mail.to_name
    assert db.session.get(ErasureRequest, row.id).done_by_id == staff_client.user.id
    timeline = " ".join(db.session.scalars(select(Activity.text).where(Activity.company_id == world.ours.id)))
    assert "Anonymiseret" in timeline and "Karen" not in timeline
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "contact.anonymised")).one()
    assert "Karen" not in json.dumps(entry.changes)


def test_anonymising_closes_the_persons_portal_login(world, staff_client, db):
    world.user.contact_id = world.contact.id
    db.session.commit()
    post(world.client, f"/portal/company/contacts/{world.contact.id}/erasure")
    post(staff_client, f"/portal/erasure/{db.session.scalars(select(ErasureRequest.id)).one()}")
    user = db.session.get(User, world.user.id)
    assert not user.active and user.email.endswith("@anonymiseret.invalid")
    assert world.client.get("/portal/").headers["Location"].startswith("/login")


def test_a_join_request_to_a_group_archived_since_is_not_approved(world, staff_client, db):
    post(world.client, "/portal/groups/vand/request", {"kind": "join"})
    group = _group(db)
    group.active = False
    db.session.commit()
    row = db.session.scalars(select(MembershipRequest)).one()
    response = post(staff_client, f"/portal/group-requests/{row.id}", {"decision": "approve"}, follow_redirects=True)
    assert "arkiveret" in response.get_data(as_text=True)
    assert _membership(db, group, world.ours) is None and db.session.get(MembershipRequest, row.id).decided_at is None


def test_staff_home_lists_the_waiting_requests(world, staff_client, db):
    post(world.client, "/portal/groups/vand/request", {"kind": "join"})
    post(world.client, f"/portal/company/contacts/{world.contact.id}/erasure")
    home = staff_client.get("/").get_data(as_text=True)
    assert f"Sletning af en kontaktperson hos {world.ours.name}" in home
    assert f"{world.ours.name} vil gerne være med i Vand" in home
    assert f'href="/companies/{world.ours.id}#portal"' in home and 'href="/groups/vand#anmodninger"' in home


def test_anonymising_scrubs_whole_names_only_and_cancels_mail_not_yet_sent(world, staff_client, db):
    ole = Contact(company=world.ours, name="Ole", email="ole@vores.example")
    db.session.add(ole)
    db.session.flush()
    log_activity(world.ours.id, "note", "Ole ringede om Olesen Transports paller (ole@vores.example)")
    queue_email(to_address="ole@vores.example", to_name="Ole", subject="Invitation", body_text="Hej Ole",
                company=world.ours)
    db.session.commit()
    post(world.client, f"/portal/company/contacts/{ole.id}/erasure")
    post(staff_client, f"/portal/erasure/{db.session.scalars(select(ErasureRequest.id)).one()}")
    db.session.expire_all()
    notes = db.session.scalars(select(Activity.text).where(Activity.company_id == world.ours.id,
                                                           Activity.kind == "note")).all()
    assert notes == ["Anonymiseret ringede om Olesen Transports paller (Anonymiseret)"]
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.subject == "Invitation")).one()
    assert mail.status == "cancelled" and mail.to_address.endswith("@anonymiseret.invalid")


def test_anonymising_scrubs_the_audit_log_answers_and_tasks_but_keeps_the_entries(world, staff_client, db):
    """The log's old and new values lose the person's name and e-mail; the entries and their counts stay."""
    from crm.meetings.models import ActionItem

    karen = world.contact
    post(staff_client, f"/companies/{world.ours.id}/contacts/{karen.id}/edit",
         {"name": "Karen Sørensen", "email": "karen.s@vores.example", "title": "Miljøchef", "lawful_basis":
          "legitimate_interest", "source": "manual"})
    db.session.expire_all()
    assert db.session.get(Contact, karen.id).name == "Karen Sørensen"
    world.invitation.rsvp_by = "karen.s@vores.example"
    db.session.add(ActionItem(meeting_id=world.network_meeting.id, title="Tilbud", owner_company_id=world.ours.id,
                              owner_name="Karen Sørensen"))
    db.session.commit()
    entries_before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    update_entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "contact.update")).one()
    assert "Karen Sørensen" in json.dumps(update_entry.changes, ensure_ascii=False)

    post(world.client, f"/portal/company/contacts/{karen.id}/erasure")
    post(staff_client, f"/portal/erasure/{db.session.scalars(select(ErasureRequest.id)).one()}")

    db.session.expire_all()
    log = json.dumps([entry.changes for entry in db.session.scalars(select(AuditEntry))], ensure_ascii=False)
    assert "Karen Sørensen" not in log and "karen.s@vores.example" not in log
    assert "Karen Kontakt" not in log and "karen@vores.example" not in log, "the names she had before go too"
    assert db.session.get(AuditEntry, update_entry.id).changes["name"][1] == "Anonymiseret"
    # Two entries more: the request and its execution; none removed.
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == entries_before + 2
    assert db.session.get(type(world.invitation), world.invitation.id).rsvp_by == "Anonymiseret"
    assert db.session.scalars(select(ActionItem.owner_name)).all() == ["Anonymiseret"]
