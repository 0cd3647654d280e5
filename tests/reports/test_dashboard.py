"""The staff home page's day: next meetings and who has not answered, open action items, overdue invoices, quiet
companies, on the hand-built network of tests/reports/conftest.py (its "now" is 1 December 2024, noon)."""

from datetime import UTC, date, datetime, timedelta

from crm.companies.models import Activity, ActivityKind
from crm.meetings.models import ActionItem, ActionStatus, Invitation, Meeting, Rsvp
from crm.reports import dashboard
from tests.reports.conftest import NOW, utc
from tests.reports.test_figures import firms, names


def test_the_next_meetings_with_their_answers_and_who_has_not_answered(built, db):
    c = {key: company.id for key, company in built.companies.items()}
    later = Meeting(title="Julemøde", starts_at=utc(2024, 12, 20, 15), ends_at=utc(2024, 12, 20, 17))
    db.session.add(later)
    db.session.flush()
    answers = {"A": Rsvp.YES, "B": Rsvp.NO, "C": Rsvp.MAYBE, "D": None, "E": None, "G": None}
    db.session.add_all([Invitation(meeting_id=later.id, company_id=c[key], rsvp=answer)
                        for key, answer in answers.items()])
    db.session.commit()
    december, christmas = dashboard.next_meetings(NOW)  # the cancelled January meeting and the past ones are not
    assert december.meeting.title == "Netværksmøde december"
    assert (december.invited, december.unanswered, december.not_answered) == (1, 1, ["Firma A"])
    assert (christmas.invited, christmas.yes, christmas.no, christmas.maybe, christmas.unanswered) == (6, 1, 1, 1, 3)
    assert christmas.not_answered == firms("D", "E", "G")
    assert len(dashboard.next_meetings(NOW, limit=1)) == 1


def test_the_companies_named_as_not_answered_are_limited(built, db, make_company):
    later = Meeting(title="Stormøde", starts_at=utc(2024, 12, 22, 15), ends_at=utc(2024, 12, 22, 17))
    db.session.add(later)
    db.session.flush()
    many = [make_company(name=f"Stille {number:02d}") for number in range(dashboard.UNANSWERED_NAMED + 3)]
    db.session.add_all([Invitation(meeting_id=later.id, company_id=company.id) for company in many])
    db.session.commit()
    storm = next(answer for answer in dashboard.next_meetings(NOW) if answer.meeting.title == "Stormøde")
    assert storm.unanswered == dashboard.UNANSWERED_NAMED + 3
    assert storm.not_answered == [f"Stille {number:02d}" for number in range(dashboard.UNANSWERED_NAMED)]


def test_open_action_items_earliest_due_first_and_undated_last(built, db):
    march = built.meetings["M1"].id
    db.session.add_all([
        ActionItem(meeting_id=march, title="Send tilbud", due_on=date(2024, 12, 5)),
        ActionItem(meeting_id=march, title="Book lokale", due_on=date(2024, 11, 1)),
        ActionItem(meeting_id=march, title="Når tiden passer"),
        ActionItem(meeting_id=march, title="Allerede gjort", due_on=date(2024, 1, 1), status=ActionStatus.DONE),
    ])
    db.session.commit()
    assert [item.title for item in dashboard.open_action_items()] == ["Book lokale", "Send tilbud",
                                                                       "Når tiden passer"]


def test_overdue_invoices_count_what_is_left_to_pay(built):
    # A's invoice of 1.250 kr. is partly paid (500 kr.) and past due; B's is paid; C's is credited.
    assert dashboard.overdue_invoices(date(2024, 12, 1)) == (1, 75_000, 2024)
    assert dashboard.overdue_invoices(date(2024, 3, 1)) == (0, 0, None)  # due that very day


def test_quiet_companies_have_no_meeting_no_login_and_no_timeline_entry(built, db):
    # Within a year of 1 December 2024: A, B and G came in March, E in November; D was only excused and its login
    # is on New Year's Eve, after "now". C, F and H have left.
    assert names(dashboard.quiet_companies(NOW, 365)) == firms("D")
    # Within 30 days only E came.
    assert names(dashboard.quiet_companies(NOW, 30)) == firms("A", "B", "D", "G")
    db.session.add(Activity(company_id=built.companies["D"].id, kind=ActivityKind.CALL, text="Ringede om mødet",
                            occurred_at=NOW - timedelta(days=2)))
    db.session.commit()
    assert names(dashboard.quiet_companies(NOW, 365)) == []


def test_staff_see_the_day_on_the_home_page(staff_client, db, make_company):
    company = make_company(name="Holme Smed ApS")
    starts = datetime.now(UTC) + timedelta(days=5)
    meeting = Meeting(title="Netværksmøde om energi", starts_at=starts, ends_at=starts + timedelta(hours=2))
    db.session.add(meeting)
    db.session.flush()
    db.session.add_all([Invitation(meeting_id=meeting.id, company_id=company.id),
                        ActionItem(meeting_id=meeting.id, title="Indhent tilbud på solceller",
                                   due_on=date.today() - timedelta(days=3))])
    db.session.commit()
    page = staff_client.get("/").get_data(as_text=True)
    assert "Det skal gøres i dag" in page
    assert "Netværksmøde om energi" in page and "Har ikke svaret: Holme Smed ApS" in page
    assert "0 ja, 0 nej, 0 måske, 1 har ikke svaret (af 1 inviterede)." in page
    assert "Indhent tilbud på solceller" in page and "forfalden" in page
    assert 'href="/reports/quiet"' in page
    quiet = staff_client.get("/reports/quiet").get_data(as_text=True)
    assert "Holme Smed ApS" in quiet


def test_company_users_get_no_day(company_client):
    assert company_client.get("/reports/quiet").status_code == 403
    page = company_client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Det skal gøres i dag" not in page


def test_the_overdue_invoices_link_to_the_earliest_year_with_one(staff_client, built):
    page = staff_client.get("/").get_data(as_text=True)
    assert 'href="/contributions/?year=2024&amp;state=overdue"' in page
    assert "forfaldne fakturaer (750,00 kr.)" in page
