"""A membership under notice: it ends by itself when its last day has passed (no cron job), staff see until when
and what comes after, and editing the company in the meantime does not cancel the notice."""

import re
from datetime import date, timedelta

from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.companies.models import CompanyStatus
from crm.partnership import services
from tests.conftest import post


def text_of(response):
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def forget_the_day(app):
    """As on the first request of a new day in the app process."""
    app.extensions.get("partnership", {}).pop("memberships_ended_on", None)


def test_a_membership_whose_notice_ran_out_ends_with_the_days_first_request_without_a_command(
        app, db, make_company, staff_client):
    yesterday, today = services.today() - timedelta(days=1), services.today()
    ended = make_company(name="Forbi ApS", status="member", joined_on=date(2020, 1, 1), left_on=yesterday)
    last_day = make_company(name="Sidste Dag ApS", status="member", joined_on=date(2020, 1, 1), left_on=today)
    db.session.commit()
    forget_the_day(app)

    staff_client.get("/")
    db.session.refresh(ended), db.session.refresh(last_day)
    assert (ended.status, ended.joined_on, ended.left_on) == (CompanyStatus.INVITED, date(2020, 1, 1), yesterday)
    assert last_day.status == CompanyStatus.MEMBER, "a member to the end of its last day"
    assert "Inviteret" in staff_client.get(f"/companies/{ended.id}").get_data(as_text=True)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.object_id == ended.id,
                                                        AuditEntry.action == "company.update")).one()
    assert entry.changes["status"] == ["member", "invited"]

    # Once a day: the next requests read nothing more, and a company ended later waits for the next day.
    late = make_company(name="Senere ApS", status="member", joined_on=date(2020, 1, 1), left_on=yesterday)
    db.session.commit()
    staff_client.get("/")
    db.session.refresh(late)
    assert late.status == CompanyStatus.MEMBER
    forget_the_day(app)
    staff_client.get("/")
    db.session.refresh(late)
    assert late.status == CompanyStatus.INVITED


def test_staff_see_until_when_a_company_is_a_member_and_that_it_is_invited_after(db, make_company, staff_client):
    ends_on = date(services.today().year + 1, 12, 31)
    make_company(name="Opsagt ApS", status="member", joined_on=date(2020, 1, 1), left_on=ends_on)
    db.session.commit()
    expected = f"Opsagt ApS · medlem til {ends_on:%d.%m.%Y}, derefter inviteret igen"
    assert expected in text_of(staff_client.get("/partnership/"))
    assert expected in text_of(staff_client.get("/"))


def test_editing_a_company_under_notice_keeps_its_notice(db, make_company, staff_client):
    ends_on = date(services.today().year + 1, 12, 31)
    company = make_company(name="Opsagt ApS", status="member", role="tenant", employees=4,
                           joined_on=date(2020, 1, 1), left_on=ends_on)
    db.session.commit()
    response = post(staff_client, f"/companies/{company.id}/edit", {
        "cvr": company.cvr, "name": company.name, "role": "tenant", "status": "member", "employees": "6",
        "joined_on": "2020-01-01"})
    assert response.status_code == 302
    db.session.refresh(company)
    assert (company.employees, company.status, company.left_on) == (6, CompanyStatus.MEMBER, ends_on)
    assert company in services.pending_notices()

    # Made a member again after the membership ended: a new membership, no longer under notice.
    company.status, company.left_on = CompanyStatus.INVITED, date(2021, 12, 31)
    db.session.commit()
    post(staff_client, f"/companies/{company.id}/edit", {
        "cvr": company.cvr, "name": company.name, "role": "tenant", "status": "member", "employees": "6",
        "joined_on": services.today().isoformat()})
    db.session.refresh(company)
    assert (company.status, company.left_on) == (CompanyStatus.MEMBER, None)
