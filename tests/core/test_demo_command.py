"""`flask demo load`: what `make run` loads on an empty database."""

from sqlalchemy import func, select

from crm.auth.models import User
from crm.companies.models import Company
from crm.contributions.models import ContributionScheme
from crm.groups.models import GroupMembership
from tests.conftest import login


def test_demo_load_gives_a_network_and_working_logins_and_is_idempotent(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "394 nye virksomheder" in first.output and "staff@holme.example" in first.output
    assert "HOLMEDEMOADMINTOFAKTORKUNTILDEMO" in first.output and "demo code" in first.output
    assert db.session.scalar(select(func.count()).select_from(Company)) == 394
    assert db.session.scalar(select(func.count()).select_from(GroupMembership)) > 50
    company_user = db.session.scalars(select(User).where(User.email == "firma@holme.example")).one()
    assert company_user.company_id is not None
    assert login(app.test_client(), "staff@holme.example", "holme-demo-staff").status_code == 302
    admin = app.test_client()
    assert login(admin, "admin@holme.example", "holme-demo-admin").status_code == 302
    adopted = db.session.scalars(select(ContributionScheme).where(ContributionScheme.active)).one()
    page = admin.get(f"/contributions/billing?year={adopted.year}").get_data(as_text=True)
    assert "Model efter antal ansatte" in page and "Fakturér" in page, "the demo year is ready to bill"
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "springes over" in again.output
    assert db.session.scalar(select(func.count()).select_from(Company)) == 394


def test_links_in_mails_follow_the_port_of_make_run_unless_base_url_is_set(monkeypatch):
    import config

    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "8123")
    assert config._development_base_url() == "http://127.0.0.1:8123"
    monkeypatch.setenv("BASE_URL", "https://crm.hvidovre.example/")
    assert config._development_base_url() == "https://crm.hvidovre.example"
