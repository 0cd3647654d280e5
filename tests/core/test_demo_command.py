"""`flask demo load`: what `make run` loads on an empty database, and the story it tells in the year report.

The demo is loaded once for the module, by the command itself, on a fresh database of its own (it commits)."""

from datetime import UTC, date, datetime

import pyotp
import pytest
from markupsafe import escape
from sqlalchemy import delete, func, select

from crm.auth.models import User
from crm.companies.models import Company, CompanyStatus
from crm.contributions import reporting
from crm.contributions.models import Contribution, ContributionScheme, ContributionState
from crm.demo import DEMO_ADMIN_TWO_FACTOR_SECRET
from crm.extensions import db as _db
from crm.groups.models import GroupMembership
from crm.mail.models import OutboundEmail
from crm.meetings.demo import load_demo_meetings
from crm.meetings.models import ActionItem, ActionStatus, Attendance, Invitation, Meeting, MeetingKind
from crm.reports import dashboard, goals, group_figures, meeting_figures, network
from crm.reports.demo import DEMO_GOALS
from crm.reports.figures import year_report
from crm.reports.periods import current_year
from tests.conftest import login, make_app, post
from tests.databases import scratch_database

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
DEMO_TABLES = (Company, GroupMembership, Meeting, Invitation, Attendance, ActionItem, Contribution, OutboundEmail,
               User)


@pytest.fixture(scope="module")
def demo_app():
    """An app on a fresh database with the demo loaded by `flask demo load --if-empty`, and the command's output."""
    from flask_migrate import upgrade

    with scratch_database("demo") as url:
        app = make_app(url)
        with app.app_context():
            upgrade()
            first = app.test_cli_runner().invoke(args=["demo", "load", "--if-empty"])
            _db.session.remove()
            yield app, first
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture
def db(demo_app):
    app, _output = demo_app
    with app.app_context():
        yield _db
        _db.session.rollback()


def counts():
    return {model.__name__: _db.session.scalar(select(func.count()).select_from(model)) for model in DEMO_TABLES}


def test_demo_load_gives_a_network_and_working_logins_and_is_idempotent(demo_app, db):
    app, first = demo_app
    assert first.exit_code == 0, first.output
    assert "394 nye virksomheder" in first.output and "staff@holme.example" in first.output
    assert "HOLMEDEMOADMINTOFAKTORKUNTILDEMO" in first.output and "demo code" in first.output
    assert db.session.scalar(select(func.count()).select_from(Company)) == 394
    assert db.session.scalar(select(func.count()).select_from(GroupMembership)) > 50
    company_user = db.session.scalars(select(User).where(User.email == "firma@holme.example")).one()
    assert company_user.company_id is not None
    assert login(app.test_client(), "staff@holme.example", "holme-demo-staff").status_code == 302
    admin = app.test_client()
    asked = login(admin, "admin@holme.example", "holme-demo-admin", second_step=False)
    assert asked.location.endswith("/login/two-factor"), "the demo admin logs in with two-factor"
    code = pyotp.TOTP(DEMO_ADMIN_TWO_FACTOR_SECRET).now()  # the key the command printed, in an app
    assert post(admin, "/login/two-factor", {"code": code}).status_code == 302
    adopted = db.session.scalars(select(ContributionScheme).where(ContributionScheme.active,
                                                          ContributionScheme.year == date.today().year)).one()
    assert "Model efter antal ansatte" in admin.get("/contributions/schemes").get_data(as_text=True)
    page = admin.get(f"/contributions/?year={adopted.year}").get_data(as_text=True)
    listed = reporting.invoices(adopted.year).items[0]
    assert listed.invoice_label in page and str(escape(listed.company.name)) in page, "the demo year is billed"
    signer = app.test_client()  # an invited company's contact who may sign shows signing up in the portal
    assert login(signer, "inviteret@holme.example", "holme-demo-inviteret").status_code == 302
    page = signer.get("/portal/membership/").get_data(as_text=True)
    assert "Hvad I ville betale" in page and "Meld virksomheden ind" in page and "Grundbidrag" in page
    before = counts()
    again = app.test_cli_runner().invoke(args=["demo", "load", "--if-empty"])
    assert "springes over" in again.output
    db.session.rollback()
    assert counts() == before, "loading again adds nothing"


def test_three_years_of_network_meetings_with_20_to_25_companies_on_average(db):
    this_year = current_year()
    for year in range(this_year - 3, this_year):
        figures = meeting_figures.meeting_figures(year)
        assert 8 <= figures.network <= 12, (year, figures.network)
        assert 20 <= figures.average_companies <= 25, (year, figures.average_companies)
        assert figures.group >= 8, "the working groups meet too"
        assert figures.minutes_published == len(figures.rows), "every held meeting of a past year has its minutes"
        assert 0 < figures.answer_rate < 50


def test_last_year_reads_like_the_municipalitys_report(db):
    last_year = current_year() - 1
    assert network.count(network.invited(last_year)) >= 0.9 * 394, "nearly the whole network is invited"
    assert 70 <= network.count(network.portal_active(last_year)) <= 86
    at_start, at_end, new, left = network.member_counts(last_year)
    assert new > 0 and left > 0 and at_end == at_start + new - left
    nature = next(row for row in group_figures.group_rows(last_year) if row.group.slug == "natur")
    assert nature.at_end == 19 and nature.meetings >= 3
    figures = {figure.label: figure.value for initiative in nature.initiatives for figure in initiative.figures}
    assert (figures["Vild natur"], figures["Arter talt på 100 m²"], figures["Arter på græsplænen ved siden af"]) \
        == (15, 105, 2)
    former = db.session.scalar(select(func.count()).select_from(GroupMembership)
                               .where(GroupMembership.left_on.is_not(None)))
    assert former >= 5, "groups have members who left over the years"


def test_the_same_seed_and_day_give_the_same_meetings(db):
    def meetings_now():
        db.session.execute(delete(Meeting))  # the database removes their invitations, attendance and action items
        db.session.expunge_all()
        load_demo_meetings(now=NOW)
        return db.session.execute(
            select(Meeting.title, Meeting.starts_at, Meeting.minutes_published_at, Company.cvr, Invitation.rsvp)
            .join(Invitation, Invitation.meeting_id == Meeting.id).join(Company, Company.id == Invitation.company_id)
            .where(Invitation.rsvp.is_not(None)).order_by(Meeting.starts_at, Company.cvr)).all()

    first = meetings_now()
    assert len(first) > 500
    assert meetings_now() == first


def test_action_items_are_mostly_done_and_some_are_open(db):
    done, still_open = (db.session.scalar(select(func.count()).select_from(ActionItem)
                                          .where(ActionItem.status == status))
                        for status in (ActionStatus.DONE, ActionStatus.OPEN))
    assert done > still_open > 0


def test_the_current_year_is_billed_with_real_numbers_and_mostly_paid_and_no_mail_waits(db):
    year = date.today().year
    overview = reporting.overview(year)
    assert overview.invoices > 250
    assert 0.8 <= overview.paid_ore / overview.billed_ore < 1, "mostly paid, some outstanding"
    numbers = sorted(db.session.scalars(select(Contribution.invoice_number).where(Contribution.year == year)))
    assert numbers == list(range(1, len(numbers) + 1)), "numbered from the year's sequence without gaps"
    paid = db.session.scalar(select(func.count()).select_from(Contribution)
                             .where(Contribution.year == year, Contribution.state == ContributionState.PAID))
    assert paid > overview.invoices * 0.8
    assert db.session.scalar(select(func.count()).select_from(OutboundEmail)) == 0, "the outbox is not flooded"
    last_year = reporting.overview(year - 1)
    assert last_year.invoices > 250 and last_year.paid_ore / last_year.billed_ore > 0.9, "last year is nearly all paid"


def test_the_next_network_meetings_are_planned_and_the_first_is_being_answered(db):
    ahead = [answers for answers in dashboard.next_meetings(datetime.now(UTC))
             if answers.meeting.kind == MeetingKind.NETWORK]
    assert len(ahead) == 2
    first, second = ahead
    in_network = db.session.scalar(select(func.count()).select_from(Company)
                                   .where(Company.status != CompanyStatus.LEFT))
    assert first.invited == in_network, "the whole network is invited"
    assert 0 < first.yes + first.no + first.maybe < first.invited
    mailed = db.session.scalar(select(func.count()).select_from(Invitation)
                               .where(Invitation.meeting_id == first.meeting.id, Invitation.mailed))
    assert mailed == first.invited, "the invitations count as sent"
    assert second.invited == 0


def test_links_in_mails_follow_the_port_of_make_run_unless_base_url_is_set(monkeypatch):
    import config

    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "8123")
    assert config._development_base_url() == "http://127.0.0.1:8123"
    monkeypatch.setenv("BASE_URL", "https://crm.hvidovre.example/")
    assert config._development_base_url() == "https://crm.hvidovre.example"


def test_last_years_report_measures_the_strategys_goals_on_the_demos_data(db):
    year = current_year() - 1
    report = year_report(year)
    measured = {m.goal.text: m for m in (goals.measure(goal, report.values) for goal in goals.year_goals(year))}
    assert len(measured) == len(DEMO_GOALS)
    meetings = measured["10 netværksmøder om året"]
    assert meetings.result_text == str(report.values["network_meetings"])
    assert meetings.narrative.startswith(f"Der er holdt {report.values['network_meetings']} netværksmøder")
    portal = measured["Netværkets portal bruges af mindst 75 virksomheder"]
    assert portal.reached == (report.values["portal_active"] >= 75) and portal.verdict
    nature = measured["Vild natur: flere arter end på græsplænen"]
    assert (nature.result_text, nature.reached) == ("105", True)
    assert "Målet om 10 er dermed overgået." in nature.verdict
    advised = measured["Mindst 10 virksomheder rådgives om grøn omstilling"]
    assert (advised.result_text, advised.verdict) == ("18", "Målet om 10 er dermed overgået.")
    screened = measured["Virksomheders affaldsprodukter gennemgås for industrielle symbioser"]
    assert screened.narrative.startswith("7 virksomheder har fået deres affaldsprodukter gennemgået")
    assert "2 er gået videre med nye løsninger" in screened.narrative
    assert goals.year_goals(current_year()), "this year's goals are set too"


def test_a_first_retention_run_on_the_demo_takes_the_long_gone_and_the_silent_and_keeps_the_network(demo_app, db):
    from crm.audit.retention import cutoff, tasks
    from crm.companies.models import Contact
    from crm.companies.retention import contacts_of_companies_that_left, inactive_contacts

    app, _output = demo_app
    result = app.test_cli_runner().invoke(args=["retention", "run", "--dry-run"])
    assert result.exit_code == 0 and "Prøvekørsel" in result.output
    now = datetime.now(UTC)
    rules = {task.kind: cutoff(task, now) for task in tasks()}
    left = db.session.scalars(contacts_of_companies_that_left(rules["left_company_contacts"])).all()
    silent = db.session.scalars(inactive_contacts(rules["inactive_contacts"])).all()
    everyone = db.session.scalar(select(func.count()).select_from(Contact))
    assert 0 < len(left) < 40 and 0 < len(silent) <= everyone // 8, "a first run shows the rules, it wipes nothing"
    assert f"left_company_contacts: {len(left)} " in result.output
    chosen = db.session.scalars(select(Contact).where(Contact.id.in_(left + silent))).all()
    assert not [contact for contact in chosen if contact.is_primary and contact.company.status == CompanyStatus.MEMBER]
    logins = db.session.scalars(select(User.contact_id).where(User.contact_id.is_not(None))).all()
    assert not set(logins) & set(silent), "persons with a demo login are active"
