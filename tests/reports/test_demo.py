"""The demo's portal use: about 78 portal-active companies last year, the same on every load, loaded once."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from crm.auth.models import PortalLogin
from crm.companies.demo_data import load_network
from crm.companies.models import Company
from crm.reports import network
from crm.reports.demo import load_demo_portal_use

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def test_the_demo_portal_use_tells_the_municipalitys_story(db):
    load_network(394)
    added = load_demo_portal_use(now=NOW)
    assert added == db.session.scalar(select(func.count()).select_from(PortalLogin)) > 0
    active_last_year = network.count(network.portal_active(2025))
    assert 70 <= active_last_year <= 86, active_last_year
    assert network.count(network.with_portal_user(2025)) >= active_last_year
    assert network.portal_logins(2025) > active_last_year
    assert load_demo_portal_use(now=NOW) == 0, "loaded once"


def test_the_same_seed_gives_the_same_logins(db):
    load_network(394)
    load_demo_portal_use(now=NOW)
    logins = select(Company.cvr, PortalLogin.at).join(Company, Company.id == PortalLogin.company_id).order_by(
        PortalLogin.at, Company.cvr)
    first = db.session.execute(logins).all()
    db.session.rollback()
    load_network(394)
    load_demo_portal_use(now=NOW)
    assert db.session.execute(logins).all() == first
