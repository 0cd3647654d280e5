"""Who must use two-factor login (admins always, staff by setting, company users never), and an admin's reset."""

import time

import pyotp
import pytest
from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.auth.models import RecoveryCode, User
from crm.mail.models import OutboundEmail
from crm.security import Role
from tests.auth.test_two_factor import enrol_through_pages
from tests.conftest import enrol_two_factor, login, post

ENROL_FIRST = "Du skal slå tofaktor-login til"


def test_an_admin_without_two_factor_reaches_nothing_but_enrolment(client, make_user, db):
    admin = make_user(Role.ADMIN, enrolled=False)
    assert login(client, admin.email).status_code == 302
    for path in ("/", "/companies/", "/audit/", "/contributions/schemes", "/account/password"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer.location == "/account/two-factor", path
    assert post(client, "/language", {"lang": "en", "next": "/"}).status_code == 302  # still allowed
    page = client.get("/account/two-factor", follow_redirects=True).get_data(as_text=True)
    assert "påkrævet for din rolle" in page or "required for your role" in page
    enrol_through_pages(client)
    assert client.get("/audit/").status_code == 200


def test_an_admin_turning_it_off_is_sent_back_to_enrolment(client, make_user, db):
    admin = make_user(Role.ADMIN)
    secret = db.session.get(User, admin.id).two_factor_secret
    login(client, admin.email)
    post(client, "/account/two-factor/disable", {"off-code": pyotp.TOTP(secret).at(time.time() + 30)})
    assert not db.session.get(User, admin.id).two_factor_on
    assert client.get("/companies/").location == "/account/two-factor"


@pytest.mark.parametrize("setting, forced", [("optional", False), ("required", True)])
def test_staff_must_enrol_only_when_the_setting_says_so(app, client, make_user, db, monkeypatch, setting, forced):
    monkeypatch.setitem(app.config, "TWO_FACTOR_STAFF", setting)
    staff = make_user(Role.STAFF)
    login(client, staff.email)
    answer = client.get("/companies/")
    assert (answer.status_code == 302 and answer.location == "/account/two-factor") is forced
    assert (answer.status_code == 200) is not forced


def test_a_company_user_is_never_forced_but_may_choose_it(app, company_client, db, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_STAFF", "required")
    assert company_client.get("/portal/").status_code == 200
    page = company_client.get("/account/two-factor").get_data(as_text=True)
    assert "Kom i gang med tofaktor-login" in page and "påkrævet" not in page
    enrol_through_pages(company_client)
    assert db.session.get(User, company_client.user.id).two_factor_on
    assert company_client.get("/portal/").status_code == 200


def test_an_unknown_setting_stops_the_app_at_start():
    from tests.conftest import make_app

    with pytest.raises(RuntimeError, match="TWO_FACTOR_STAFF"):
        make_app("sqlite://", TWO_FACTOR_STAFF="requried")


def test_an_admin_resets_another_users_two_factor_audited_and_mailed(app, admin_client, make_user, db):
    staff = make_user(Role.STAFF, name="Søren")
    enrol_two_factor(staff)
    db.session.commit()
    staff_session = app.test_client()
    login(staff_session, staff.email)
    listing = admin_client.get("/account/two-factor/users").get_data(as_text=True)
    assert staff.email in listing and "Nulstil tofaktor" in listing

    answer = post(admin_client, f"/users/{staff.id}/two-factor/reset", follow_redirects=True)
    assert "er nulstillet" in answer.get_data(as_text=True)
    staff = db.session.get(User, staff.id)
    assert not staff.two_factor_on and staff.two_factor_secret is None
    assert not db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == staff.id)).all()
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.two_factor_reset")).one()
    assert entry.actor_id == admin_client.user.id and entry.object_id == staff.id
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == staff.email)).one()
    assert "nulstillet" in mail.subject and "/account/two-factor" in mail.body_text
    assert staff_session.get("/").status_code == 302  # logged out everywhere
    # The password alone logs in again (staff may choose), with no code asked.
    fresh = app.test_client()
    assert login(fresh, staff.email, second_step=False).location == "/"


def test_only_admins_reset_and_not_their_own(staff_client, admin_client, make_user, db):
    other = make_user(Role.STAFF)
    enrol_two_factor(other)
    db.session.commit()
    assert post(staff_client, f"/users/{other.id}/two-factor/reset").status_code == 403
    assert staff_client.get("/account/two-factor/users").status_code == 403
    assert db.session.get(User, other.id).two_factor_on
    own = post(admin_client, f"/users/{admin_client.user.id}/two-factor/reset", follow_redirects=True)
    assert "med en kode" in own.get_data(as_text=True)
    assert db.session.get(User, admin_client.user.id).two_factor_on


def test_a_portal_invitation_link_does_not_skip_the_code(app, client, make_user, db):
    from crm.auth import services
    from crm.auth.models import LinkPurpose
    from crm.companies.models import Contact

    user = make_user(Role.COMPANY)
    contact = Contact(company_id=user.company_id, name="Pia Portal", email=user.email)
    db.session.add(contact)
    db.session.flush()
    user.contact_id = contact.id
    secret = enrol_two_factor(user)
    user.active = False  # a login closed earlier, invited again
    token = services.issue_link(user, LinkPurpose.PORTAL_INVITATION, 24)
    db.session.commit()
    answer = post(client, f"/portal/invitation/{token}", {"password": "en ny lang sætning om holmen",
                                                          "confirm": "en ny lang sætning om holmen"})
    assert answer.status_code == 302 and answer.location == "/login/two-factor"
    assert client.get("/portal/").status_code == 302  # the mailbox alone logs nobody in
    assert post(client, "/login/two-factor", {"code": pyotp.TOTP(secret).now()}).location == "/portal/"
    assert client.get("/portal/").status_code == 200
