"""Another company's ids in the URL or in form fields: nothing is shown or changed, and the refusal is audited."""

import pytest
from sqlalchemy import func, select

from crm.audit.models import ErasureRequest
from crm.companies.models import Company, CompanyStatus, Contact
from crm.mail.models import OutboundEmail
from tests.conftest import post
from tests.portal.conftest import refusals


def _outbox(db):
    return db.session.scalar(select(func.count()).select_from(OutboundEmail))


@pytest.mark.parametrize("method, url", [
    ("GET", "/portal/company/contacts/{other_contact}"),
    ("POST", "/portal/company/contacts/{other_contact}"),
    ("POST", "/portal/company/contacts/{other_contact}/delete"),
    ("POST", "/portal/company/contacts/{other_contact}/erasure"),
    ("POST", "/portal/contacts/{other_contact}/invite"),
    ("POST", "/portal/invitations/{other_invitation}/rsvp"),
    ("GET", "/portal/meetings/{group_meeting}"),
    ("GET", "/portal/meetings/{group_meeting}/minutes.pdf"),
    ("GET", "/portal/meetings/{group_meeting}/attachments/{group_attachment}"),
    ("GET", "/portal/meetings/{network_meeting}/attachments/{group_attachment}"),
])
def test_other_companys_ids_are_refused_audited_and_change_nothing(world, db, method, url):
    ids = {"other_contact": world.other_contact.id, "other_invitation": world.other_invitation.id,
           "group_meeting": world.group_meeting.id, "group_attachment": world.group_attachment.id,
           "network_meeting": world.network_meeting.id}
    before = refusals(db), _outbox(db)
    data = {"name": "Overtaget", "email": "hacker@vores.example", "rsvp": "yes"}
    url = url.format(**ids)
    response = post(world.client, url, data) if method == "POST" else world.client.get(url)
    assert response.status_code == 404
    assert b"%PDF" not in response.data and b"Ole Anden" not in response.data
    assert refusals(db) == before[0] + 1
    assert _outbox(db) == before[1]
    db.session.expire_all()
    other_contact = db.session.get(Contact, world.other_contact.id)
    assert other_contact is not None and other_contact.name == "Ole Anden"
    assert db.session.get(type(world.other_invitation), world.other_invitation.id).rsvp is None
    assert db.session.scalar(select(func.count()).select_from(ErasureRequest)) == 0


def test_unknown_ids_are_404_without_a_refusal(world, db):
    assert world.client.get("/portal/company/contacts/999999").status_code == 404
    assert world.client.get("/portal/meetings/999999").status_code == 404
    assert refusals(db) == 0


def test_staff_only_fields_in_the_company_form_are_ignored(world, db):
    cvr, name = world.ours.cvr, world.ours.name
    response = post(world.client, "/portal/company", {
        "street": "Stamholmen 1", "cvr": world.other.cvr, "name": "Nyt navn", "status": "left", "id": world.other.id})
    assert response.status_code == 302
    db.session.expire_all()
    ours = db.session.get(Company, world.ours.id)
    assert (ours.street, ours.cvr, ours.name, ours.status) == ("Stamholmen 1", cvr, name, CompanyStatus.INVITED)
    assert db.session.get(Company, world.other.id).street == ""


def test_a_company_id_in_the_contact_form_does_not_move_the_contact(world, db):
    response = post(world.client, f"/portal/company/contacts/{world.contact.id}",
                    {"name": "Karen K.", "email": "karen@vores.example", "company_id": world.other.id})
    assert response.status_code == 302
    db.session.expire_all()
    contact = db.session.get(Contact, world.contact.id)
    assert (contact.company_id, contact.name) == (world.ours.id, "Karen K.")


def test_added_contact_goes_to_our_company_whatever_the_form_says(world, db):
    post(world.client, "/portal/company/contacts/new",
         {"name": "Ny Kollega", "email": "ny@vores.example", "company_id": world.other.id})
    contact = db.session.scalars(select(Contact).where(Contact.email == "ny@vores.example")).one()
    assert contact.company_id == world.ours.id and contact.source == "portal"


@pytest.mark.parametrize("url", ["/companies/", "/meetings/", "/groups/", "/outbox/", "/audit/"])
def test_company_users_reach_no_staff_page(world, url):
    assert world.client.get(url).status_code == 403


def test_a_group_request_is_always_for_our_own_company(world, db):
    from crm.groups.models import MembershipRequest

    post(world.client, "/portal/groups/vand/request", {"kind": "join", "company_id": world.other.id})
    assert db.session.scalars(select(MembershipRequest.company_id)).all() == [world.ours.id]


def test_staff_cannot_disable_a_staff_login_through_the_portal_route(staff_client, admin_client, db):
    from crm.auth.models import User

    assert post(staff_client, f"/portal/users/{admin_client.user.id}/disable").status_code == 404
    assert db.session.get(User, admin_client.user.id).active
