"""The portal pages: home with RSVP, meetings and minutes, our company and its contacts, the directory."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.companies.models import Activity, Company, Contact
from crm.mail.models import Newsletter
from crm.meetings import invitations
from crm.meetings.models import ActionItem, Invitation, Rsvp
from tests.conftest import post
from tests.portal.conftest import meeting


def test_home_shows_meetings_minutes_tasks_news_and_the_invoice_spot(world, db):
    db.session.add_all([
        ActionItem(meeting_id=world.network_meeting.id, title="Send affaldstal", owner_company_id=world.ours.id),
        ActionItem(meeting_id=world.network_meeting.id, title="Naboens opgave", owner_company_id=world.other.id),
        Newsletter(subject="Nyt om naturen", body="15 ha vild natur", form_key="n1"),
    ])
    db.session.commit()
    page = world.client.get("/portal/").get_data(as_text=True)
    for text in ("Netværksmøde december", "Netværksmøde oktober", "Send affaldstal", "Nyt om naturen",
                 "Fakturaer", f'id="invitation-{world.invitation.id}"'):
        assert text in page
    assert "Naboens opgave" not in page and "Energigruppens møde" not in page


def test_rsvp_by_htmx_answers_with_the_partial_and_plain_post_redirects(world, db):
    url = f"/portal/invitations/{world.invitation.id}/rsvp"
    response = post(world.client, url, {"rsvp": "yes"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Svar gemt" in response.get_data(as_text=True)
    assert "<html" not in response.get_data(as_text=True)
    db.session.refresh(world.invitation)
    assert world.invitation.rsvp == Rsvp.YES and world.invitation.rsvp_by == world.user.email
    response = post(world.client, url, {"rsvp": "no", "back": "meetings"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/portal/meetings#invitation-")
    db.session.refresh(world.invitation)
    assert world.invitation.rsvp == Rsvp.NO


def test_rsvp_with_a_bad_answer_or_after_the_start_changes_nothing(world, db):
    url = f"/portal/invitations/{world.invitation.id}/rsvp"
    assert post(world.client, url, {"rsvp": "kanske"}).status_code == 400
    world.upcoming.starts_at = datetime.now(UTC) - timedelta(minutes=5)
    db.session.commit()
    response = post(world.client, url, {"rsvp": "yes"}, follow_redirects=True)
    assert "kan ikke længere ændres" in response.get_data(as_text=True)
    db.session.refresh(world.invitation)
    assert world.invitation.rsvp is None


def test_minutes_of_invited_and_network_meetings_with_attachments(world, db):
    page = world.client.get("/portal/meetings").get_data(as_text=True)
    assert "Netværksmøde oktober" in page and "Energigruppens møde" not in page
    meeting = world.client.get(f"/portal/meetings/{world.network_meeting.id}").get_data(as_text=True)
    assert "netvaerk.pdf" in meeting
    download = world.client.get(f"/portal/meetings/{world.network_meeting.id}/attachments/"
                                f"{world.network_attachment.id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert download.headers["Content-Disposition"].startswith("attachment")
    pdf = world.client.get(f"/portal/meetings/{world.network_meeting.id}/minutes.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert world.client.get(f"/portal/meetings/{world.upcoming.id}/minutes.pdf").status_code == 404


def test_an_invited_meeting_shows_no_minutes_before_they_are_published(world, db):
    page = world.client.get(f"/portal/meetings/{world.upcoming.id}").get_data(as_text=True)
    assert "Referatet er ikke offentliggjort endnu." in page


def test_our_company_is_saved_on_the_timeline_and_audited(world, db):
    response = post(world.client, "/portal/company", {
        "street": "Stamholmen 12", "postal_code": "2650", "city": "Hvidovre", "employees": "42",
        "website": "https://vores.example", "description": "Vi genbruger stål.", "directory_listed": "y"})
    assert response.status_code == 302
    company = db.session.get(Company, world.ours.id)
    assert (company.employees, company.directory_listed, company.website) == (42, True, "https://vores.example")
    activity = db.session.scalars(select(Activity).where(Activity.company_id == company.id)).all()
    assert any("employees" in a.text and a.author_id == world.user.id for a in activity)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "company.update")).one()
    assert entry.actor_id == world.user.id and entry.changes["employees"] == [None, 42]


def test_bad_company_details_are_explained_and_nothing_is_saved(world, db):
    response = post(world.client, "/portal/company", {"website": "ikke en adresse", "employees": "-3"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Der er problemer med formularen" in page and "Skriv en hel adresse" in page
    db.session.expire_all()
    assert db.session.get(Company, world.ours.id).website == ""


def test_contact_with_newsletter_consent_keeps_time_text_version_and_channel(world, db):
    response = post(world.client, "/portal/company/contacts/new", {
        "name": "Nina Nyhed", "email": "Nina@Vores.example", "newsletter_consent": "y",
        "receives_meeting_mail": "y"})
    assert response.status_code == 302
    contact = db.session.scalars(select(Contact).where(Contact.email == "nina@vores.example")).one()
    assert contact.newsletter_consent and contact.consent_at is not None
    assert (contact.consent_text_version, contact.consent_channel) == ("2024-1", "portal")
    assert contact.receives_meeting_mail and not contact.is_primary
    post(world.client, f"/portal/company/contacts/{contact.id}", {"name": "Nina Nyhed", "email": "nina@vores.example"})
    db.session.refresh(contact)
    assert not contact.newsletter_consent and contact.consent_at is None
    assert db.session.scalars(select(Activity).where(Activity.text.contains("Kontaktperson ændret i portalen"))).one()


def test_a_duplicate_email_or_missing_name_is_refused(world, db):
    response = post(world.client, "/portal/company/contacts/new", {"name": "Dublet", "email": "karen@vores.example"})
    assert response.status_code == 422 and "allerede en kontaktperson" in response.get_data(as_text=True)
    assert post(world.client, "/portal/company/contacts/new", {"email": "x@vores.example"}).status_code == 422
    assert len(db.session.get(Company, world.ours.id).contacts) == 1


def test_choose_who_receives_meeting_mail_and_remove_a_contact(world, db):
    colleague = Contact(company=world.ours, name="Bo Bruger", email="bo@vores.example")
    db.session.add(colleague)
    db.session.commit()
    post(world.client, f"/portal/company/contacts/{colleague.id}",
         {"name": "Bo Bruger", "email": "bo@vores.example", "is_primary": "y"})
    db.session.expire_all()
    assert db.session.get(Contact, colleague.id).is_primary and not db.session.get(Contact, world.contact.id).is_primary
    assert post(world.client, f"/portal/company/contacts/{world.contact.id}/delete").status_code == 302
    assert db.session.get(Contact, world.contact.id) is None
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "contact.delete")).one()


def test_directory_shows_only_companies_that_chose_it_and_no_contacts(world, db):
    world.other.directory_listed, world.other.industry = True, "Stålgenbrug"
    db.session.commit()
    page = world.client.get("/portal/directory").get_data(as_text=True)
    assert "Naboens Stål A/S" in page and "Stålgenbrug" in page
    assert "ole@naboen.example" not in page and world.ours.name not in page.split("<main")[1]


def test_the_menu_of_a_company_user_is_the_portal_and_marks_the_current_page(world, db):
    page = world.client.get(f"/portal/company/contacts/{world.contact.id}").get_data(as_text=True)
    menu = page.split('aria-label="Hovedmenu"')[1].split("</nav>")[0]
    for label in ("Møder og referater", "Vores virksomhed", "Arbejdsgrupper", "Netværket", "Kalender"):
        assert label in menu
    assert "/companies/" not in menu and "/outbox/" not in menu
    assert menu.count('aria-current="page"') == 1
    assert 'href="/portal/company" aria-current="page"' in menu


def test_removing_a_colleague_closes_their_login_but_nobody_removes_themselves(world, make_user, app, db):
    from crm.auth.models import User
    from tests.conftest import login

    colleague_contact = Contact(company=world.ours, name="Går på pension", email="pension@vores.example")
    db.session.add(colleague_contact)
    db.session.commit()
    colleague = make_user("company", email="pension@vores.example", company=world.ours)
    colleague.contact_id = colleague_contact.id
    world.user.contact_id = world.contact.id
    db.session.commit()
    other_browser = app.test_client()
    login(other_browser, colleague.email)
    assert post(world.client, f"/portal/company/contacts/{colleague_contact.id}/delete").status_code == 302
    assert not db.session.get(User, colleague.id).active
    assert other_browser.get("/portal/").headers["Location"].startswith("/login")
    response = post(world.client, f"/portal/company/contacts/{world.contact.id}/delete", follow_redirects=True)
    assert "Du kan ikke fjerne dig selv" in response.get_data(as_text=True)
    assert db.session.get(Contact, world.contact.id) is not None


def test_a_planned_meeting_shows_in_the_portal_only_once_its_invitations_are_sent(world, db):
    planned = meeting(db, "Netværksmøde marts, planlagt", days=60)
    invitations.invite(planned, [world.ours])
    db.session.commit()
    invitation = db.session.scalars(select(Invitation).where(Invitation.meeting_id == planned.id)).one()
    for path in ("/portal/", "/portal/meetings"):
        assert "Netværksmøde marts, planlagt" not in world.client.get(path).get_data(as_text=True)
    assert world.client.get(f"/portal/meetings/{planned.id}").status_code == 404
    assert post(world.client, f"/portal/invitations/{invitation.id}/rsvp", {"rsvp": "yes"}).status_code == 404
    db.session.refresh(invitation)
    assert invitation.rsvp is None

    invitations.send_invitations(planned)
    db.session.commit()
    for path in ("/portal/", "/portal/meetings", f"/portal/meetings/{planned.id}"):
        assert "Netværksmøde marts, planlagt" in world.client.get(path).get_data(as_text=True)
    assert post(world.client, f"/portal/invitations/{invitation.id}/rsvp", {"rsvp": "yes"}).status_code == 302
