"""Invitations to the portal: the mail, the one-time link, choosing a password, resending, disabling."""

import re
from datetime import timedelta

from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.auth.models import PasswordResetToken, Role, User
from crm.companies.models import Activity, Contact
from crm.db import utcnow
from crm.mail.models import OutboundEmail
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

    token = services.request_password_reset(staff_client.user.email, "127.0.0.1")
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
