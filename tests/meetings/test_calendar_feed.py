"""Personal calendar feeds: secret, per user, scoped to the company's invitations, revocable."""

import re
from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from sqlalchemy import select

from crm.meetings import services
from crm.meetings.models import CalendarFeed, Invitation
from tests.conftest import post


def feed_address(client):
    page = post(client, "/meetings/calendar", {"action": "create"}).get_data(as_text=True)
    return re.search(r"<code>https?://[^/]+(/calendar/[^<]+\.ics)</code>", page).group(1)


def test_company_users_feed_lists_only_their_invitations_and_can_be_revoked(company_client, app, db, make_company):
    starts = datetime.now(UTC) + timedelta(days=10)
    mine = services.create_meeting({"title": "Vores møde", "starts_at": starts, "ends_at": starts + timedelta(hours=1)})
    other = services.create_meeting({"title": "Andres møde", "starts_at": starts,
                                     "ends_at": starts + timedelta(hours=1)})
    unsent = services.create_meeting({"title": "Planlagt, ikke sendt", "starts_at": starts,
                                      "ends_at": starts + timedelta(hours=1)})
    db.session.add(Invitation(meeting_id=mine.id, company_id=company_client.user.company_id, sent_sequence=0))
    db.session.add(Invitation(meeting_id=unsent.id, company_id=company_client.user.company_id))
    db.session.add(Invitation(meeting_id=other.id, company_id=make_company().id, sent_sequence=0))
    db.session.commit()
    path = feed_address(company_client)
    stored = db.session.scalars(select(CalendarFeed.token_hash)).one()
    assert path.split("/")[-1].removesuffix(".ics") not in stored  # only a hash is kept
    response = app.test_client().get(path)
    titles = [str(e["SUMMARY"]) for e in Calendar.from_ical(response.data).walk("VEVENT")]
    assert titles == ["Vores møde"], "not another company's meeting, nor one whose invitation is not sent yet"
    post(company_client, "/meetings/calendar", {"action": "revoke"})
    assert app.test_client().get(path).status_code == 404


def test_a_new_address_stops_the_old_one(staff_client, app, db):
    first = feed_address(staff_client)
    second = feed_address(staff_client)
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200
    assert app.test_client().get("/calendar/gaettet.ics").status_code == 404
