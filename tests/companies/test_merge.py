"""Merging two companies moves everything that points at the duplicate, joins a person found on both, and is
refused before anything changes where two rows cannot both survive."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm.audit.models import AuditEntry, ErasureRequest
from crm.auth.models import User
from crm.companies import merging, services
from crm.companies.models import Activity, Company, Contact, Plot, Tenancy
from crm.contributions import billing, payments
from crm.contributions.models import Contribution, Payment, ReminderHold
from crm.groups.models import GroupMembership, MemberRole, MembershipRequest, RequestKind, WorkingGroup
from crm.mail.models import OutboundEmail
from crm.mail.services import queue_email
from crm.meetings.models import ActionItem, Attendance, AttendanceStatus, Invitation, Meeting, Rsvp
from tests.conftest import post
from tests.contributions.helpers import YEAR, a_scheme


def _meeting(db, title, days):
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    meeting = Meeting(title=title, starts_at=starts, ends_at=starts + timedelta(hours=2))
    db.session.add(meeting)
    db.session.flush()
    return meeting


def _group(db, slug):
    return db.session.scalars(select(WorkingGroup).where(WorkingGroup.slug == slug)).one()


def _count(db, model, *conditions):
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


@pytest.fixture
def pair(db, make_company, make_user):
    """A survivor and a duplicate of the same firm, each with history in every area."""
    survivor = make_company(name="Holmens Stål A/S", status="member", employees=4)
    duplicate = make_company(name="Holmens Staal A/S", street="Jernholmen 3", status="member", employees=4)
    anne = services.add_contact(survivor, {"name": "Anne Andersen", "email": "anne@stal.example", "is_primary": True})
    anne_again = services.add_contact(duplicate, {"name": "Anne A.", "email": "anne@stal.example", "is_primary": True,
                                                  "phone": "12345678", "newsletter_consent": True,
                                                  "consent_channel": "portal"})
    jens = services.add_contact(duplicate, {"name": "Jens Jensen", "email": "jens@stal.example"})
    services.add_activity(duplicate, "note", "Vigtig note om affald")
    plot = Plot(cadastral_number="7b Avedøre By", owner_id=duplicate.id)
    db.session.add(plot)
    db.session.flush()
    db.session.add(Tenancy(plot_id=plot.id, company_id=duplicate.id))

    both_invited, only_duplicate, only_survivor = (_meeting(db, "Møde A", -30), _meeting(db, "Møde B", -20),
                                                   _meeting(db, "Møde C", 10))
    answered = datetime.now(UTC) - timedelta(days=35)
    db.session.add_all([
        Invitation(meeting_id=both_invited.id, company_id=survivor.id, sent_sequence=0),
        Invitation(meeting_id=both_invited.id, company_id=duplicate.id, rsvp=Rsvp.YES, rsvp_at=answered,
                   rsvp_by="link", sent_sequence=1),
        Invitation(meeting_id=only_duplicate.id, company_id=duplicate.id, rsvp=Rsvp.NO, rsvp_at=answered),
        Invitation(meeting_id=only_survivor.id, company_id=survivor.id),
        # Anne came to meeting A, checked in under both companies; Jens came too.
        Attendance(meeting_id=both_invited.id, company_id=survivor.id, contact_id=anne.id,
                   status=AttendanceStatus.NO_SHOW),
        Attendance(meeting_id=both_invited.id, company_id=duplicate.id, contact_id=anne_again.id),
        Attendance(meeting_id=both_invited.id, company_id=duplicate.id, contact_id=jens.id),
        Attendance(meeting_id=only_duplicate.id, company_id=duplicate.id, contact_id=anne_again.id,
                   status=AttendanceStatus.EXCUSED),
        ActionItem(meeting_id=both_invited.id, title="Send tilbud på affaldsordning", owner_company_id=duplicate.id,
                   owner_name="Jens Jensen"),
    ])
    water, energy, nature = _group(db, "vand"), _group(db, "energi"), _group(db, "natur")
    db.session.add_all([
        GroupMembership(group_id=water.id, company_id=survivor.id, contact_id=anne.id, joined_on=date(2024, 5, 1)),
        GroupMembership(group_id=water.id, company_id=duplicate.id, contact_id=anne_again.id,
                        role=MemberRole.CHAIR, joined_on=date(2023, 2, 1)),
        GroupMembership(group_id=energy.id, company_id=duplicate.id, joined_on=date(2022, 1, 1),
                        left_on=date(2023, 1, 1)),
        MembershipRequest(group_id=nature.id, company_id=duplicate.id, kind=RequestKind.JOIN),
    ])
    login = make_user("company", company=duplicate)
    login.contact_id = anne_again.id
    queue_email(to_address="jens@stal.example", subject="Referat", body_text="Hej Jens", company=duplicate)
    db.session.add(ErasureRequest(contact_id=jens.id, company_id=duplicate.id))
    db.session.commit()
    return {"survivor": survivor, "duplicate": duplicate, "anne": anne, "anne_again": anne_again, "jens": jens,
            "plot": plot, "login": login, "meetings": (both_invited, only_duplicate, only_survivor),
            "groups": (water, energy, nature)}


def _merge(client, survivor, duplicate):
    confirm = post(client, f"/companies/{survivor.id}/merge", {"other_cvr": duplicate.cvr})
    assert "kan ikke fortrydes" in confirm.get_data(as_text=True)
    return post(client, f"/companies/{survivor.id}/merge", {"other_cvr": duplicate.cvr, "confirm": str(duplicate.id)})


def test_merge_moves_every_row_of_every_area_and_joins_the_person_on_both(staff_client, db, pair):
    survivor, duplicate = pair["survivor"], pair["duplicate"]
    both_invited, only_duplicate, only_survivor = pair["meetings"]
    water, energy, nature = pair["groups"]
    a_scheme(db, year=YEAR)
    billing.bill(YEAR, today=date(YEAR, 2, 1))
    invoice = db.session.scalars(select(Contribution).where(Contribution.company_id == duplicate.id)).one()
    db.session.delete(db.session.scalars(select(Contribution).where(Contribution.company_id == survivor.id)).one())
    payments.register_payment(invoice, 100_000, date(YEAR, 2, 20), "bank")
    db.session.add(ReminderHold(company_id=duplicate.id, reason="Betalingsaftale"))
    db.session.commit()
    attendance_before = _count(db, Attendance, Attendance.status == AttendanceStatus.PRESENT)

    response = _merge(staff_client, survivor, duplicate)

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Company, duplicate.id) is None
    survivor = db.session.get(Company, survivor.id)
    # Contacts: Jens moves; Anne is one person, who keeps her consent and phone from the duplicate's row.
    assert sorted(c.email for c in survivor.contacts) == ["anne@stal.example", "jens@stal.example"]
    anne = db.session.get(Contact, pair["anne"].id)
    assert anne.newsletter_consent and anne.consent_channel == "portal" and anne.phone == "12345678"
    assert db.session.get(Contact, pair["anne_again"].id) is None
    # The register: timeline, plots, tenancies, fields the survivor lacked.
    assert survivor.street == "Jernholmen 3"
    assert db.session.get(Plot, pair["plot"].id).owner_id == survivor.id
    assert db.session.scalars(select(Tenancy.company_id)).all() == [survivor.id]
    assert _count(db, Activity, Activity.text == "Vigtig note om affald", Activity.company_id == survivor.id) == 1
    # Invitations: one per meeting, the answered one kept, none lost.
    invitations = {row.meeting_id: row for row in db.session.scalars(select(Invitation))}
    assert set(invitations) == {both_invited.id, only_duplicate.id, only_survivor.id}
    assert all(row.company_id == survivor.id for row in invitations.values())
    assert invitations[both_invited.id].rsvp == Rsvp.YES and invitations[both_invited.id].sent_sequence == 1
    assert invitations[only_duplicate.id].rsvp == Rsvp.NO
    # Attendance: Anne once at meeting A (present beats no-show), Jens too; the count of present persons stays.
    rows = db.session.scalars(select(Attendance).order_by(Attendance.meeting_id, Attendance.contact_id)).all()
    assert [(row.meeting_id, row.contact_id, row.status) for row in rows] == sorted([
        (both_invited.id, anne.id, AttendanceStatus.PRESENT), (both_invited.id, pair["jens"].id,
                                                               AttendanceStatus.PRESENT),
        (only_duplicate.id, anne.id, AttendanceStatus.EXCUSED)])
    assert all(row.company_id == survivor.id for row in rows)
    assert _count(db, Attendance, Attendance.status == AttendanceStatus.PRESENT) == attendance_before
    assert db.session.scalars(select(ActionItem.owner_company_id)).all() == [survivor.id]
    # Groups: one current water membership from the earlier date, chair; the energy history kept; the request.
    memberships = db.session.scalars(select(GroupMembership).where(GroupMembership.company_id == survivor.id)
                                     .order_by(GroupMembership.group_id)).all()
    current_water = [m for m in memberships if m.group_id == water.id and m.left_on is None]
    assert len(current_water) == 1 and current_water[0].joined_on == date(2023, 2, 1)
    assert current_water[0].role == MemberRole.CHAIR and current_water[0].contact_id == anne.id
    assert [m.left_on for m in memberships if m.group_id == energy.id] == [date(2023, 1, 1)]
    assert db.session.scalars(select(MembershipRequest.company_id)).all() == [survivor.id]
    # The portal login, now of the surviving person; the mails, the removal request.
    login = db.session.get(User, pair["login"].id)
    assert (login.company_id, login.contact_id) == (survivor.id, anne.id)
    assert set(db.session.scalars(select(OutboundEmail.company_id))) == {survivor.id}
    assert db.session.scalars(select(ErasureRequest.company_id)).all() == [survivor.id]
    # Contributions: the invoice with its payment, and the reminder hold.
    invoice = db.session.get(Contribution, invoice.id)
    assert invoice.company_id == survivor.id and invoice.paid_ore == 100_000
    assert db.session.scalars(select(Payment.contribution_id)).all() == [invoice.id]
    assert db.session.get(ReminderHold, survivor.id).reason == "Betalingsaftale"
    page = staff_client.get(f"/companies/{survivor.id}").get_data(as_text=True)
    assert "Vigtig note om affald" in page and f"{YEAR}-{invoice.invoice_number}" in page and "Møde B" in page
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "company.merge")).one()
    assert entry.changes["merged"][1] == duplicate.cvr and entry.changes["invitations"] == 2
    assert "jens@stal.example" in survivor.search_text


def test_two_invoices_for_one_year_refuse_the_merge_before_anything_changes(staff_client, db, pair):
    survivor, duplicate = pair["survivor"], pair["duplicate"]
    a_scheme(db, year=YEAR)
    billing.bill(YEAR, today=date(YEAR, 2, 1))
    db.session.commit()
    numbers = sorted(f"{YEAR}-{row.invoice_number}" for row in db.session.scalars(select(Contribution)))
    before = {model.__tablename__: _count(db, model) for model in (Contact, Invitation, Attendance, GroupMembership,
                                                                    Activity, Contribution, OutboundEmail)}

    preview = post(staff_client, f"/companies/{survivor.id}/merge", {"other_cvr": duplicate.cvr})
    text = preview.get_data(as_text=True)
    assert f"Begge virksomheder har en faktura for {YEAR}" in text and all(number in text for number in numbers)
    assert "Læg sammen</button>" not in text
    refused = post(staff_client, f"/companies/{survivor.id}/merge", {"other_cvr": duplicate.cvr,
                                                                      "confirm": str(duplicate.id)})

    assert refused.status_code == 409 and "Intet er ændret." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Company, duplicate.id) is not None
    assert {model.__tablename__: _count(db, model) for model in (Contact, Invitation, Attendance, GroupMembership,
                                                                  Activity, Contribution, OutboundEmail)} == before
    assert _count(db, AuditEntry, AuditEntry.action == "company.merge") == 0


def test_a_merge_that_would_leave_a_row_behind_is_stopped_before_the_cascade(db, pair, monkeypatch):
    """A table an area forgot would be deleted by ON DELETE CASCADE: the merge stops instead."""
    from crm.signals import company_merged

    every_area_moves_its_rows = merging.collect

    def then_a_row_no_area_moved(signal, sender, **kwargs):
        results = every_area_moves_its_rows(signal, sender, **kwargs)
        if signal is company_merged:  # after every receiver, whatever order blinker calls them in
            db.session.add(Invitation(meeting_id=pair["meetings"][2].id, company_id=kwargs["duplicate"].id))
            db.session.flush()
        return results

    monkeypatch.setattr(merging, "collect", then_a_row_no_area_moved)
    try:
        with pytest.raises(RuntimeError, match="invitations.company_id"):
            merging.merge_companies(pair["survivor"], pair["duplicate"])
    finally:
        db.session.rollback()
    assert db.session.get(Company, pair["duplicate"].id) is not None
