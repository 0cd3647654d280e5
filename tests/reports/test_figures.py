"""Each figure of the year on the hand-built network of tests/reports/conftest.py, against counts made by hand."""

import pytest

from crm.extensions import db
from crm.reports import group_figures, network
from crm.reports.figures import year_report
from crm.reports.meeting_figures import came_once, meeting_figures
from tests.reports.conftest import NOW, YEAR


def names(company_ids):
    from crm.companies.models import Company
    return sorted(db.session.scalars(db.select(Company.name).where(Company.id.in_(company_ids))))


def firms(*keys):
    return [f"Firma {key}" for key in keys]


def test_invited_counts_invitations_of_the_year_and_minutes_published_in_it(built):
    # A, B, D invited in February; E in October; F at 00:30 on 1 January (Danish time); C through the minutes of
    # December's meeting published in January; G came as a walk-in to March's meeting, whose minutes went out.
    assert names(network.invited(YEAR)) == firms("A", "B", "C", "D", "E", "F", "G")
    # 2023: C invited in November, H to June's meeting; F's invitation is 2024 in Denmark.
    assert names(network.invited(YEAR - 1)) == firms("C", "H")


def test_invited_split_by_role(built):
    assert network.by_role(network.invited(YEAR)) == {"owner": 2, "tenant": 4, "both": 1}


def test_members_at_the_start_and_end_new_and_left(built):
    assert names(network.members_at_start(YEAR)) == firms("A", "C", "E")
    assert names(network.members_at_end(YEAR)) == firms("A", "B", "E")
    assert names(network.new_members(YEAR)) == firms("B")
    assert names(network.left(YEAR)) == firms("C")
    assert names(network.left(YEAR - 1)) == firms("H")


def test_portal_active_logins_and_companies_with_a_portal_user(built):
    # D's login at 23:00 Danish time on New Year's Eve counts; B's at 23:59 in 2023 and E's at 00:30 in 2025 do not.
    assert names(network.portal_active(YEAR)) == firms("A", "D")
    assert network.portal_logins(YEAR) == 3
    # G never chose a password, F's login came in 2025, C's was closed before the year and unused in it.
    assert names(network.with_portal_user(YEAR)) == firms("A", "B", "D", "E")


def test_meetings_held_presence_answers_and_minutes(built):
    figures = meeting_figures(YEAR, NOW)
    assert [row.title for row in figures.rows] == ["Netværksmøde marts", "Vandgruppen", "Netværksmøde november"]
    assert (figures.network, figures.group, figures.other) == (2, 1, 0)
    march = figures.rows[0]
    assert (march.companies, march.persons, march.invited, march.answered) == (3, 4, 3, 2)
    assert (figures.average_companies, figures.fewest_companies, figures.most_companies) == (2.0, 1, 3)
    assert figures.came_once == 4
    assert names(came_once(YEAR, NOW)) == firms("A", "B", "E", "G")
    assert figures.answer_rate == pytest.approx(75.0)
    assert figures.minutes_published == 2
    assert figures.average_days_to_minutes == pytest.approx(4.0)


def test_a_meeting_is_held_once_its_time_has_come(built):
    from datetime import UTC, datetime
    later = meeting_figures(YEAR, datetime(2024, 12, 20, tzinfo=UTC))
    assert later.network == 3  # December's meeting has now been held; its one invitation has no answer
    assert later.answer_rate == pytest.approx(60.0)


def test_working_groups_at_the_start_and_end_with_chairs_and_meetings(built):
    assert names(group_figures.members_at_start(YEAR)) == firms("A", "C")
    assert names(group_figures.members_at_end(YEAR)) == firms("A", "B", "D")
    rows = {row.group.slug: row for row in group_figures.group_rows(YEAR, NOW)}
    water, nature = rows["proeve-vand"], rows["proeve-natur"]
    assert (water.at_start, water.at_end, water.chairs, water.meetings) == (2, 2, 1, 1)
    assert (nature.at_start, nature.at_end, nature.chairs, nature.meetings) == (1, 1, 1, 0)


def test_the_year_report_gathers_every_figure(built):
    values = year_report(YEAR, NOW).values
    assert values == {
        "invited": 7, "invited_owners": 2, "invited_tenants": 4, "invited_both": 1,
        "members_start": 3, "members_end": 3, "new_members": 1, "left": 1,
        "new_owners": 0, "new_tenants": 1, "new_both": 0,  # B joined as a tenant; C left as one
        "left_owners": 0, "left_tenants": 1, "left_both": 0,
        "portal_active": 2, "portal_logins": 3, "portal_users": 4,
        "network_meetings": 2, "group_meetings": 1, "other_meetings": 0,
        "average_companies": 2.0, "fewest_companies": 1, "most_companies": 3, "came_once": 4,
        "answer_rate": pytest.approx(75.0), "minutes_published": 2, "days_to_minutes": pytest.approx(4.0),
        "group_members_start": 2, "group_members_end": 3, "chairs": 2,
        "exchange_listings": 0, "exchanges": 0, "exchange_tonnes": 0.0, "exchange_co2e_tonnes": 0.0,
        "exchange_companies": 0,
        # A: 1.250 kr. billed, 500 paid; B: 1.000 billed and paid; C's credited invoice counts for nothing
        "billed": 225_000, "paid": 150_000, "outstanding": 75_000,
        # No advice cases in the hand-built network (tests/exchange/test_cases_figures.py counts them)
        "advised": 0, "screened": 0, "gone_on": 0,
    }


def test_an_empty_year_has_zeros_and_no_averages(db):
    values = year_report(2001).values
    assert values["invited"] == 0 and values["network_meetings"] == 0
    assert values["average_companies"] is None and values["answer_rate"] is None
    assert values["days_to_minutes"] is None
