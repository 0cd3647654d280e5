"""Invitations to the portal: the mail, the one-time link, choosing a password, resending, disabling."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.auth.models import PasswordResetToken, User
from crm.companies.models import Activity, Contact
from crm.db import utcnow
from crm.mail.models import OutboundEmail
from crm.security import Role
from tests.conftest import PASSWORD, login, post
from tests.portal.conftest import refusals

NEW = "en lang og god sætning om holmen"


def _link(db, email):
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == email)
                              .order_by(OutboundEmail.id.desc())).first()
    return re.search(r"(/portal/invitation/[\w-]+)", mail.body_text).group(1)


def test_staff_invite_mails_a_danish_link_and_the_password_page_logs_the_person_in(staff_client, world, client, db):
    response = post(staff_client, f"/portal/contacts/{world.contact.id}/invite")
    assert response.status_code == 302 and response.headers["Location"] == f"/companies/{world.ours.id}"
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == "karen@vores.example")).one()
    assert mail.subject == "Invitation til netværkets portal" and "7 dage" in mail.body_text
    path = _link(db, "karen@vores.example")
    assert path in mail.body_html and mail.company_id == world.ours.id
    token = path.rsplit("/", 1)[1]
    assert token not in db.session.scalars(select(PasswordResetToken.token_hash)).all()
    user = db.session.scalars(select(User).where(User.email == "karen@vores.example")).one()
    assert (user.active, user.role, user.company_id, user.contact_id) == (False, Role.COMPANY, world.ours.id,
                                                                            world.contact.id)
    assert client.get(path).status_code == 200
    response = post(client, path, {"password": NEW, "confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"] == "/portal/"
    assert "Karen Kontakt" in client.get("/portal/company").get_data(as_text=True)
    db.session.refresh(user)
    assert user.active and user.last_login_at is not None
    again = client.get(path)
    assert again.status_code == 404 and "Linket virker ikke længere" in again.get_data(as_text=True)
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "portal.invitation_accepted")).one()
    assert db.session.scalars(select(Activity).where(Activity.company_id == world.ours.id,
                                                     Activity.text.contains("portalen"))).first()


def test_resending_stops_the_old_link(staff_client, world, client, db):
    post(staff_client, f"/portal/contacts/{world.contact.id}/invite")
    first = _link(db, "karen@vores.example")
    post(staff_client, f"/portal/contacts/{world.contact.id}/invite")
    second = _link(db, "karen@vores.example")
    assert first != second
    assert client.get(first).status_code == 404
    assert post(client, first, {"password": NEW, "confirm": NEW}).status_code == 404
    assert client.get(second).status_code == 200


def test_expired_and_forged_links_change_nothing(staff_client, world, client, db):
    post(staff_client, f"/portal/contacts/{world.contact.id}/invite")
    path = _link(db, "karen@vores.example")
    row = db.session.scalars(select(PasswordResetToken)).one()
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    for url in (path, "/portal/invitation/forfalsket-token"):
        response = post(client, url, {"password": NEW, "confirm": NEW})
        assert response.status_code == 404 and "Linket virker ikke længere" in response.get_data(as_text=True)
    user = db.session.scalars(select(User).where(User.email == "karen@vores.example")).one()
    assert not user.active and user.password_hash is None


def test_a_weak_or_mismatched_password_is_refused_and_the_link_still_works(staff_client, world, client, db):
    post(staff_client, f"/portal/contacts/{world.contact.id}/invite")
    path = _link(db, "karen@vores.example")
    short = post(client, path, {"password": "kort", "confirm": "kort"})
    assert short.status_code == 422 and "mindst 12 tegn" in short.get_data(as_text=True)
    assert post(client, path, {"password": NEW, "confirm": NEW + "x"}).status_code == 422
    user = db.session.scalars(select(User).where(User.email == "karen@vores.example")).one()
    assert not user.active
    assert client.get(path).status_code == 200


def test_a_password_reset_token_is_no_invitation(staff_client, world, client, db):
    from crm.auth import services

    token = services.request_password_reset(staff_client.user.email).token
    db.session.commit()
    assert client.get(f"/portal/invitation/{token}").status_code == 404


def test_company_user_invites_a_colleague_but_not_another_companys_contact(world, db):
    colleague = Contact(company=world.ours, name="Kollega", email="kollega@vores.example")
    db.session.add(colleague)
    db.session.commit()
    assert post(world.client, f"/portal/contacts/{colleague.id}/invite").status_code == 302
    assert db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == "kollega@vores.example")).one()
    assert post(world.client, f"/portal/contacts/{world.other_contact.id}/invite").status_code == 404
    assert not db.session.scalars(select(User).where(User.email == "ole@naboen.example")).first()
    assert refusals(db) == 1


def test_an_email_of_a_staff_login_or_without_email_cannot_be_invited(staff_client, world, db):
    world.contact.email = staff_client.user.email
    nameless = Contact(company=world.ours, name="Uden Mail")
    db.session.add(nameless)
    db.session.commit()
    for contact, refusal in ((world.contact, "E-mailen bruges allerede af en anden bruger."),
                             (nameless, "Kontaktpersonen har ingen e-mail.")):
        response = post(staff_client, f"/portal/contacts/{contact.id}/invite", follow_redirects=True)
        assert refusal in response.get_data(as_text=True)
    assert db.session.scalars(select(OutboundEmail)).all() == []
    assert db.session.get(User, staff_client.user.id).role == Role.STAFF


def test_staff_disable_a_login_and_its_sessions_end_at_once(staff_client, world, db):
    assert world.client.get("/portal/").status_code == 200
    response = post(staff_client, f"/portal/users/{world.user.id}/disable")
    assert response.status_code == 302
    assert world.client.get("/portal/").headers["Location"].startswith("/login")
    assert login(world.client, world.user.email, PASSWORD).status_code == 200  # refused: stays on the form
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "portal.login_disabled")).one()


def test_a_colleague_cannot_bring_back_a_login_staff_disabled(staff_client, make_user, app, world, db):
    colleague_contact = Contact(company=world.ours, name="Lukket", email="lukket@vores.example")
    db.session.add(colleague_contact)
    db.session.commit()
    colleague = make_user("company", email="lukket@vores.example", company=world.ours)
    colleague.contact_id = colleague_contact.id
    db.session.commit()
    post(staff_client, f"/portal/users/{colleague.id}/disable")
    post(world.client, f"/portal/contacts/{colleague_contact.id}/invite")
    assert db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == "lukket@vores.example")).all() \
        == []
    post(staff_client, f"/portal/contacts/{colleague_contact.id}/invite")
    assert db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == "lukket@vores.example")).one()


def test_company_users_land_on_the_portal_and_their_login_time_is_kept(app, make_user, db):
    user = make_user("company")
    client = app.test_client()
    assert login(client, user.email).headers["Location"] == "/portal/"
    assert client.get("/").headers["Location"] == "/portal/"
    db.session.refresh(user)
    assert user.last_login_at is not None and utcnow() - user.last_login_at < timedelta(minutes=1)


def test_portal_activity_counts_logins_of_the_last_12_months(staff_client, make_user, db):
    recent, old = make_user("company"), make_user("company")
    recent.last_login_at = utcnow() - timedelta(days=60)
    old.last_login_at = utcnow() - timedelta(days=400)
    db.session.commit()
    listing = staff_client.get("/").get_data(as_text=True)
    assert "Virksomheder aktive i portalen (login inden for 12 måneder): 1<" in listing
    assert "login inden for 12 måneder): ja" in staff_client.get(f"/companies/{recent.company_id}").get_data(
        as_text=True)
    assert "login inden for 12 måneder): nej" in staff_client.get(f"/companies/{old.company_id}").get_data(
        as_text=True)


def test_staff_company_page_shows_logins_last_login_and_a_button_per_contact(staff_client, world, db):
    world.user.last_login_at = utcnow() - timedelta(days=3)
    db.session.commit()
    page = staff_client.get(f"/companies/{world.ours.id}").get_data(as_text=True)
    portal = page.split('id="portal"')[1].split('id="grupper"')[0]
    assert world.user.email in portal and "Luk adgangen" in portal and "aktiv" in portal
    assert f'action="/portal/contacts/{world.contact.id}/invite"' in portal
    assert "login inden for 12 måneder): ja" in portal


def test_staff_removing_a_contact_closes_that_persons_portal_login_at_once(staff_client, world, db):
    world.user.contact_id = world.contact.id
    db.session.commit()
    assert world.client.get("/portal/").status_code == 200
    response = post(staff_client, f"/companies/{world.ours.id}/contacts/{world.contact.id}/delete")
    assert response.status_code == 302
    assert world.client.get("/portal/").headers["Location"].startswith("/login"), "the open session ends"
    assert login(world.client, world.user.email, PASSWORD).status_code == 200  # refused: stays on the form
    assert not db.session.get(User, world.user.id).active
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.login_closed")).one()
    assert (entry.object_id, entry.changes["email"]) == (world.user.id, world.user.email)


def _cannot_get_in_with(client, db, path, email):
    """The link page says the link is not valid, no password can be chosen, and the data ZIP stays shut."""
    page = client.get(path)
    assert page.status_code == 404 and "Linket virker ikke længere" in page.get_data(as_text=True)
    chosen = post(client, path, {"password": NEW, "confirm": NEW})
    assert chosen.status_code == 404 and "Linket virker ikke længere" in chosen.get_data(as_text=True)
    assert client.get("/portal/company/data.zip").headers["Location"].startswith("/login")
    assert login(client, email, NEW).status_code == 200  # no password was set: refused, stays on the form
    assert client.get("/portal/company/data.zip").headers["Location"].startswith("/login")
    assert db.session.scalars(select(User).where(User.email == email, User.active)).first() is None


def _staff_removes(world, staff_client):
    return post(staff_client, f"/companies/{world.ours.id}/contacts/{world.contact.id}/delete")


def _colleague_removes(world, staff_client):
    return post(world.client, f"/portal/company/contacts/{world.contact.id}/delete")


def _staff_readdresses(world, staff_client):
    return post(staff_client, f"/companies/{world.ours.id}/contacts/{world.contact.id}/edit",
                {"name": "Karen Kontakt", "email": "karen.ny@vores.example", "lawful_basis": "legitimate_interest",
                 "is_primary": "y"})


def _colleague_readdresses(world, staff_client):
    return post(world.client, f"/portal/company/contacts/{world.contact.id}",
                {"name": "Karen Kontakt", "email": "karen.ny@vores.example", "is_primary": "y"})


@pytest.mark.parametrize("change", [_staff_removes, _colleague_removes, _staff_readdresses, _colleague_readdresses])
def test_removing_or_readdressing_a_contact_ends_the_open_invitation(change, staff_client, world, client, db):
    post(staff_client, f"/portal/contacts/{world.contact.id}/invite")
    path = _link(db, "karen@vores.example")
    assert client.get(path).status_code == 200
    assert change(world, staff_client).status_code == 302
    _cannot_get_in_with(client, db, path, "karen@vores.example")
    # The invitation that was never used is withdrawn: no login of the old address is left to show as invited.
    assert db.session.scalars(select(User).where(User.email == "karen@vores.example")).first() is None
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.invitation_withdrawn")).one()
    assert entry.changes["email"] == "karen@vores.example"


def test_after_an_email_change_a_new_invitation_goes_to_the_new_address_and_works(staff_client, world, client, db):
    post(staff_client, f"/portal/contacts/{world.contact.id}/invite")
    old_path = _link(db, "karen@vores.example")
    _staff_readdresses(world, staff_client)
    post(staff_client, f"/portal/contacts/{world.contact.id}/invite")
    path = _link(db, "karen.ny@vores.example")
    assert client.get(old_path).status_code == 404
    assert post(client, path, {"password": NEW, "confirm": NEW}).headers["Location"] == "/portal/"
    user = db.session.scalars(select(User).where(User.contact_id == world.contact.id)).one()
    assert (user.email, user.active) == ("karen.ny@vores.example", True)


def test_a_reset_link_of_a_removed_contacts_login_stops_working(staff_client, world, client, db):
    from crm.auth import services

    world.user.contact_id = world.contact.id
    db.session.commit()
    token = services.request_password_reset(world.user.email).token
    db.session.commit()
    _staff_removes(world, staff_client)
    response = post(client, f"/password/reset/{token}", {"password": NEW, "confirm": NEW})
    assert response.status_code == 404 and "Linket virker ikke længere" in response.get_data(as_text=True)
    assert db.session.scalars(select(PasswordResetToken).where(PasswordResetToken.used_at.is_(None))).all() == []


def test_an_active_login_keeps_its_own_email_when_the_contacts_email_changes(staff_client, world, db):
    from crm.auth import services

    world.user.contact_id = world.contact.id
    world.contact.email = world.user.email
    db.session.commit()
    token = services.request_password_reset(world.user.email).token
    db.session.commit()
    _staff_readdresses(world, staff_client)
    assert world.client.get("/portal/").status_code == 200, "the person's session goes on"
    user = db.session.get(User, world.user.id)
    assert user.active and user.email == world.user.email and user.contact_id == world.contact.id
    assert post(staff_client.application.test_client(), f"/password/reset/{token}",
                {"password": NEW, "confirm": NEW}).status_code == 404, "the open link is spent"


def test_an_invitation_whose_contact_is_gone_or_readdressed_behind_the_services_back_is_refused(
        staff_client, world, client, db):
    post(staff_client, f"/portal/contacts/{world.contact.id}/invite")
    path = _link(db, "karen@vores.example")
    world.contact.email = "karen.ny@vores.example"  # straight in the database: no signal is sent
    db.session.commit()
    _cannot_get_in_with(client, db, path, "karen@vores.example")
    world.contact.email = "karen@vores.example"
    db.session.commit()
    assert client.get(path).status_code == 200
    db.session.delete(world.contact)
    db.session.commit()
    _cannot_get_in_with(client, db, path, "karen@vores.example")


def test_the_address_an_invitation_was_accepted_from_counts_as_known_under_spread_guessing(
        staff_client, world, app, db, monkeypatch):
    post(staff_client, f"/portal/contacts/{world.contact.id}/invite")
    path = _link(db, "karen@vores.example")
    karen = app.test_client()
    karen.environ_base["REMOTE_ADDR"] = "10.3.0.1"
    assert post(karen, path, {"password": NEW, "confirm": NEW}).status_code == 302
    monkeypatch.setitem(app.config, "LOGIN_THROTTLE_PER_ACCOUNT", 3)
    for n in range(3):
        guesser = app.test_client()
        guesser.environ_base["REMOTE_ADDR"] = f"10.4.0.{n}"
        assert login(guesser, "karen@vores.example", "forkert-kode-igen").status_code == 200
    assert login(guesser, "karen@vores.example", NEW).status_code == 429
    post(karen, "/logout")
    assert login(karen, "karen@vores.example", NEW).status_code == 302
