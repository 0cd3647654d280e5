"""Staff decide: approving makes (or finds) the company and contact and invites the contact to the portal;
declining mails the reason. Only staff reach these pages."""

import re

from sqlalchemy import func, select

from crm.auth.models import LinkPurpose, PasswordResetToken, User
from crm.companies.models import Activity, Company, CompanyStatus, Contact, LawfulBasis
from crm.joining.models import JoinRequest, JoinState
from crm.mail.models import OutboundEmail
from tests.conftest import post
from tests.joining.conftest import send_join


def mails_to(db, address):
    return db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == address)).all()


def test_staff_see_the_request_on_the_home_page_and_in_the_list(db, staff_client, join_request):
    home = staff_client.get("/").get_data(as_text=True)
    assert "anmodninger om optagelse venter på svar" in home
    assert re.search(r"<strong>1</strong> anmodninger om optagelse", home)
    listing = staff_client.get("/companies/join-requests").get_data(as_text=True)
    assert join_request.name in listing and join_request.contact_name in listing
    page = staff_client.get(f"/companies/join-requests/{join_request.id}").get_data(as_text=True)
    assert "Godkend og inviter" in page and "Afvis og send mail" in page


def test_approving_makes_an_invited_company_a_contact_on_consent_and_a_portal_invitation(db, staff_client,
                                                                                          join_request):
    response = post(staff_client, f"/companies/join-requests/{join_request.id}/approve")
    company = db.session.scalars(select(Company).where(Company.cvr == join_request.cvr)).one()
    assert response.status_code == 302 and response.headers["Location"] == f"/companies/{company.id}"
    assert (company.name, company.street, company.postal_code, company.role, company.status) == (
        join_request.name, "Stamholmen 173", "2650", "tenant", CompanyStatus.INVITED)
    [contact] = company.contacts
    assert (contact.name, contact.email, contact.phone) == ("Åse Ny-Østergaard", join_request.contact_email,
                                                            "+45 20 30 40 50")
    assert contact.is_primary and contact.lawful_basis == LawfulBasis.CONSENT
    assert contact.consent_at == join_request.consent_at and contact.consent_channel == "join"
    assert (join_request.state, join_request.company_id, join_request.contact_id) == (
        JoinState.APPROVED, company.id, contact.id)
    assert join_request.decided_by_id == staff_client.user.id and join_request.decided_at is not None
    [mail] = mails_to(db, contact.email)
    assert mail.subject == "Invitation til netværkets portal" and "/portal/invitation/" in mail.body_text
    user = db.session.scalars(select(User).where(User.email == contact.email)).one()
    assert user.company_id == company.id and not user.active
    assert db.session.scalar(select(func.count()).select_from(PasswordResetToken).where(
        PasswordResetToken.user_id == user.id, PasswordResetToken.purpose == LinkPurpose.PORTAL_INVITATION)) == 1
    timeline = " | ".join(a.text for a in db.session.scalars(select(Activity).where(Activity.company_id == company.id)))
    assert "Anmodningen om at blive en del af netværket" in timeline and "Invitation til portalen sendt" in timeline
    page = staff_client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "Invitationen til portalen er sendt til" in page


def test_approving_a_known_cvr_adds_the_contact_to_that_company_and_never_makes_a_second(db, staff_client, client,
                                                                                       make_company):
    known = make_company(cvr="29910413", name="Kendt Lager ApS", status=CompanyStatus.LEFT)
    db.session.add(Contact(company=known, name="Gammel Kontakt", email="gammel@kendt.example", is_primary=True))
    db.session.commit()
    send_join(client, cvr="29910413", name="Kendt Lager (nyt navn) ApS", contact_email="ny@kendt.example")
    send_join(client, cvr="29910413", contact_email="gammel@kendt.example", contact_name="Gammel Kontakt")
    first, second = db.session.scalars(select(JoinRequest).order_by(JoinRequest.id)).all()
    page = staff_client.get(f"/companies/join-requests/{first.id}").get_data(as_text=True)
    assert "CVR-nummeret er allerede i registret" in page and "Kendt Lager ApS" in page
    post(staff_client, f"/companies/join-requests/{first.id}/approve")
    post(staff_client, f"/companies/join-requests/{second.id}/approve")
    assert db.session.scalar(select(func.count()).select_from(Company).where(Company.cvr == "29910413")) == 1
    db.session.refresh(known)
    assert known.name == "Kendt Lager ApS", "the register's own details stay"
    assert known.status == CompanyStatus.INVITED, "a company that had left is back as invited"
    assert sorted(c.email for c in known.contacts) == ["gammel@kendt.example", "ny@kendt.example"]
    assert first.company_id == second.company_id == known.id
    assert len(mails_to(db, "ny@kendt.example")) == 1 and len(mails_to(db, "gammel@kendt.example")) == 1


def test_a_member_stays_a_member_when_its_cvr_asks_again(db, staff_client, client, make_company):
    member = make_company(cvr="29910421", status=CompanyStatus.MEMBER)
    send_join(client, cvr=member.cvr)
    row = db.session.scalars(select(JoinRequest)).one()
    post(staff_client, f"/companies/join-requests/{row.id}/approve")
    db.session.refresh(member)
    assert member.status == CompanyStatus.MEMBER


def test_an_e_mail_that_another_login_has_still_approves_and_staff_are_told(db, staff_client, client, make_user):
    make_user("staff", email="optaget@holme.example")
    send_join(client, contact_email="optaget@holme.example")
    row = db.session.scalars(select(JoinRequest)).one()
    response = post(staff_client, f"/companies/join-requests/{row.id}/approve", follow_redirects=True)
    assert "E-mailen bruges allerede af et andet login" in response.get_data(as_text=True)
    assert row.state == JoinState.APPROVED and mails_to(db, "optaget@holme.example") == []


def test_declining_mails_the_reason_and_makes_no_company(db, staff_client, join_request):
    empty = post(staff_client, f"/companies/join-requests/{join_request.id}/decline", {"reason": ""})
    assert empty.status_code == 422 and "Skriv en begrundelse." in empty.get_data(as_text=True)
    reason = "Adressen ligger i Brøndby, uden for Avedøre Holme."
    response = post(staff_client, f"/companies/join-requests/{join_request.id}/decline", {"reason": reason})
    assert response.status_code == 302
    assert (join_request.state, join_request.reason) == (JoinState.DECLINED, reason)
    [mail] = mails_to(db, join_request.contact_email)
    assert "Din anmodning om at blive en del af Avedøre Holme Erhvervsnetværk" == mail.subject
    assert reason in mail.body_text and "Hej Åse Ny-Østergaard" in mail.body_text
    assert db.session.scalar(select(func.count()).select_from(Company)) == 0
    again = post(staff_client, f"/companies/join-requests/{join_request.id}/approve", follow_redirects=True)
    assert "Anmodningen er allerede afgjort." in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Company)) == 0


def test_company_users_and_visitors_are_kept_out_of_the_staff_pages(db, app, company_client, join_request):
    for path in ("/companies/join-requests", f"/companies/join-requests/{join_request.id}"):
        assert company_client.get(path).status_code == 403
        anonymous = app.test_client().get(path)
        assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login?next=")
    assert post(company_client, f"/companies/join-requests/{join_request.id}/approve").status_code == 403
    visitor = app.test_client()
    assert post(visitor, f"/companies/join-requests/{join_request.id}/approve").status_code == 302
    assert join_request.state == JoinState.PENDING and db.session.scalar(
        select(func.count()).select_from(Company).where(Company.cvr == join_request.cvr)) == 0


def test_admin_may_approve_too(db, admin_client, join_request):
    assert post(admin_client, f"/companies/join-requests/{join_request.id}/approve").status_code == 302
    assert join_request.state == JoinState.APPROVED
