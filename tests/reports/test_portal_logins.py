"""Every login to the portal is kept (crm.auth PortalLogin), so the report can count portal-active companies; the
rows move with a merged company and leave with the company's data."""

from sqlalchemy import select

from crm.auth.models import PortalLogin
from crm.companies.merging import merge_companies
from crm.security import Role
from crm.signals import collect, company_export_parts
from tests.conftest import login


def logins_of(db, company_id):
    return db.session.scalars(select(PortalLogin).where(PortalLogin.company_id == company_id)).all()


def test_each_portal_login_is_recorded_and_staff_logins_are_not(app, db, make_user):
    user = make_user(Role.COMPANY)
    staff = make_user(Role.STAFF)
    for _ in range(2):
        assert login(app.test_client(), user.email).status_code == 302
    assert login(app.test_client(), staff.email).status_code == 302
    rows = logins_of(db, user.company_id)
    assert [row.user_id for row in rows] == [user.id, user.id]
    assert db.session.scalar(select(PortalLogin).where(PortalLogin.user_id == staff.id)) is None


def test_a_failed_login_is_not_a_portal_login(app, db, make_user):
    user = make_user(Role.COMPANY)
    assert login(app.test_client(), user.email, password="forkert-forkert-forkert").status_code == 200
    assert logins_of(db, user.company_id) == []


def test_logins_move_with_a_merged_company_and_are_in_its_data(app, db, make_user, make_company):
    survivor = make_company()
    user = make_user(Role.COMPANY)
    login(app.test_client(), user.email)
    duplicate = user.company
    parts = {part.name: part for part in collect(company_export_parts, duplicate)}
    assert [row["email"] for row in parts["portal_logins"].rows] == [user.email]
    merge_companies(survivor, duplicate)
    db.session.commit()
    assert len(logins_of(db, survivor.id)) == 1
