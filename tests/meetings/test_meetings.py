"""Planning meetings: lists, the meeting page, agenda, the next meeting in the series."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from crm.meetings import services
from crm.meetings.models import ActionItem, Invitation, Meeting
from tests.conftest import post

NEXT_MONTH = date.today() + timedelta(days=30)


def plan(staff_client, **overrides):
    data = {"title": "Netværksmøde december", "kind": "network", "group_id": "", "series": "Netværksmøde",
            "day": NEXT_MONTH.isoformat(), "start": "15:00", "end": "17:00", "place": "Stamholmen 5, Hvidovre",
            "agenda": "Velkomst; Formanden; 10\nAffald på Holmen; Affaldsgruppen; 30"}
    data.update(overrides)
    return post(staff_client, "/meetings/new", data)


def test_plan_a_meeting_in_copenhagen_time_stored_utc(staff_client, db):
    response = plan(staff_client)
    assert response.status_code == 302
    meeting = db.session.scalars(select(Meeting)).one()
    local = meeting.starts_at.astimezone(services.LOCAL)
    assert (local.hour, local.minute) == (15, 0) and meeting.starts_at.tzinfo is not None
    assert meeting.starts_at.utcoffset() == timedelta(0)
    assert [item.title for item in meeting.agenda] == ["Velkomst", "Affald på Holmen"]
    page = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Affald på Holmen" in page and "15:00" in page
    listing = staff_client.get("/meetings/").get_data(as_text=True)
    assert "Netværksmøde december" in listing.split("Afholdte møder")[0]


def test_end_before_start_and_past_dates_are_refused(staff_client, db):
    assert plan(staff_client, start="17:00", end="15:00").status_code == 422
    past = plan(staff_client, day=(date.today() - timedelta(days=3)).isoformat())
    assert past.status_code == 422 and "fortiden" in past.get_data(as_text=True)
    assert db.session.scalars(select(Meeting)).first() is None


def test_archived_group_cannot_hold_a_meeting(staff_client, db):
    from crm.groups.models import WorkingGroup

    energy = db.session.scalars(select(WorkingGroup).where(WorkingGroup.slug == "energi")).one()
    energy.active = False
    db.session.commit()
    response = plan(staff_client, kind="group", group_id=str(energy.id))
    assert response.status_code == 422
    assert db.session.scalars(select(Meeting)).first() is None


def test_moving_the_time_raises_the_sequence(staff_client, db):
    plan(staff_client)
    meeting = db.session.scalars(select(Meeting)).one()
    data = {"title": meeting.title, "kind": "network", "group_id": "", "series": "Netværksmøde",
            "day": NEXT_MONTH.isoformat(), "start": "16:00", "end": "18:00", "place": "Stamholmen 5, Hvidovre"}
    response = post(staff_client, f"/meetings/{meeting.id}/edit", data, follow_redirects=True)
    assert "Send en opdatering" in response.get_data(as_text=True)
    db.session.refresh(meeting)
    assert meeting.sequence == 1


def test_plan_the_next_one_copies_agenda_place_invitees_and_shows_open_action_items(staff_client, db, make_company):
    plan(staff_client)
    first = db.session.scalars(select(Meeting)).one()
    company = make_company()
    db.session.add(Invitation(meeting_id=first.id, company_id=company.id))
    db.session.add(ActionItem(meeting_id=first.id, title="Undersøg fælles solceller", owner_name="Energigruppen"))
    db.session.add(ActionItem(meeting_id=first.id, title="Allerede klaret", status="done"))
    db.session.commit()
    response = post(staff_client, f"/meetings/{first.id}/next", {"next_title": "Netværksmøde om solceller",
                                                                 "day": (NEXT_MONTH + timedelta(days=35)).isoformat()})
    assert response.status_code == 302
    following = db.session.scalars(select(Meeting).where(Meeting.id != first.id)).one()
    assert following.title == "Netværksmøde om solceller" and first.title != following.title
    assert [i.title for i in following.agenda] == [i.title for i in first.agenda]
    assert following.place == first.place and following.series == "Netværksmøde"
    assert following.starts_at.astimezone(services.LOCAL).hour == 15
    assert db.session.scalars(select(Invitation.company_id).where(Invitation.meeting_id == following.id)).all() == [
        company.id]
    page = staff_client.get(f"/meetings/{following.id}").get_data(as_text=True)
    assert "Undersøg fælles solceller" in page and "Allerede klaret" not in page


def test_the_next_meeting_asks_for_its_title_and_may_start_at_another_time(staff_client, db):
    plan(staff_client)
    first = db.session.scalars(select(Meeting)).one()
    day = (NEXT_MONTH + timedelta(days=35)).isoformat()
    response = post(staff_client, f"/meetings/{first.id}/next", {"next_title": "", "day": day})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Skriv titlen på det næste møde." in page and f'value="{day}"' in page
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 1
    post(staff_client, f"/meetings/{first.id}/next", {"next_title": "Morgenmøde", "day": day, "start": "08:30"})
    following = db.session.scalars(select(Meeting).where(Meeting.id != first.id)).one()
    local = following.starts_at.astimezone(services.LOCAL)
    assert (following.title, local.date().isoformat(), local.hour, local.minute) == ("Morgenmøde", day, 8, 30)
    assert following.ends_at - following.starts_at == first.ends_at - first.starts_at


def test_meeting_lists_filter_by_year_and_kind(staff_client, db):
    now = datetime.now(UTC)
    db.session.add_all([
        Meeting(title="Gammelt møde", starts_at=now - timedelta(days=400), ends_at=now - timedelta(days=400, hours=-2)),
        Meeting(title="Besøg hos smeden", kind="site_visit", starts_at=now + timedelta(days=5),
                ends_at=now + timedelta(days=5, hours=1)),
    ])
    db.session.commit()
    page = staff_client.get("/meetings/?kind=site_visit").get_data(as_text=True)
    assert "Besøg hos smeden" in page and "Gammelt møde" not in page
    last_year = (now - timedelta(days=400)).astimezone(services.LOCAL).year
    page = staff_client.get(f"/meetings/?year={last_year}").get_data(as_text=True)
    assert "Gammelt møde" in page and "Besøg hos smeden" not in page


def test_company_users_do_not_reach_meeting_pages(company_client, db):
    assert company_client.get("/meetings/").status_code == 403
