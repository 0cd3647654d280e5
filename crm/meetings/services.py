"""Use cases of the meeting cycle. Services flush, never commit."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import extract, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from crm.audit.services import diff, record
from crm.extensions import db
from crm.i18n import LOCAL
from crm.meetings.models import ActionItem, ActionStatus, AgendaItem, Invitation, Meeting, MeetingStatus

MEETING_FIELDS = ("title", "kind", "group_id", "series", "starts_at", "ends_at", "place", "online_url",
                  "description")


class MeetingRefused(ValueError):
    """The change cannot be made to this meeting (cancelled, in the past, ends before it starts)."""


def local_to_utc(day, clock):
    """A date and a wall-clock time in Copenhagen as an aware UTC datetime."""
    return datetime.combine(day, clock, tzinfo=LOCAL).astimezone(UTC)


def _check_times(values):
    if values["ends_at"] <= values["starts_at"]:
        raise MeetingRefused("ends before it starts")


def create_meeting(values, agenda=(), *, by=None):
    """Plan a meeting with its agenda [(title, presenter, minutes)]."""
    _check_times(values)
    meeting = Meeting(**{key: values[key] for key in MEETING_FIELDS if key in values})
    for position, (title, presenter, minutes) in enumerate(agenda):
        meeting.agenda.append(AgendaItem(position=position, title=title, presenter=presenter,
                                         minutes_allotted=minutes))
    db.session.add(meeting)
    db.session.flush()
    record("meeting.create", actor=by, obj=meeting, changes={"title": meeting.title})
    return meeting


def update_meeting(meeting, values, *, by=None):
    """Change a meeting; the answer says whether invitees should hear of it (time or place moved)."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingRefused("cancelled")
    values = {key: values[key] for key in MEETING_FIELDS if key in values}
    _check_times({**{"starts_at": meeting.starts_at, "ends_at": meeting.ends_at}, **values})
    changes = diff(meeting, values)
    for key, value in values.items():
        setattr(meeting, key, value)
    moved = bool({"starts_at", "ends_at", "place", "online_url"} & set(changes))
    if moved:
        meeting.sequence += 1
    if changes:
        record("meeting.update", actor=by, obj=meeting, changes=changes)
    db.session.flush()
    return moved


def cancel_meeting(meeting, *, by=None):
    """Cancel a planned meeting; invitees are told by the caller (METHOD:CANCEL)."""
    if meeting.status != MeetingStatus.PLANNED:
        raise MeetingRefused("not planned")
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    record("meeting.cancel", actor=by, obj=meeting)
    db.session.flush()


def plan_next(meeting, title, starts_at, *, by=None):
    """The next meeting of the series with its own title and time: agenda, place and invitees copied; its
    invitations wait to be sent."""
    length = meeting.ends_at - meeting.starts_at
    values = {key: getattr(meeting, key) for key in MEETING_FIELDS}
    values.update(title=title, starts_at=starts_at, ends_at=starts_at + length, series=meeting.series or meeting.title)
    if not meeting.series:
        meeting.series = values["series"]
    agenda = [(item.title, item.presenter, item.minutes_allotted) for item in meeting.agenda]
    following = create_meeting(values, agenda, by=by)
    for company_id in db.session.scalars(select(Invitation.company_id).where(Invitation.meeting_id == meeting.id)):
        db.session.add(Invitation(meeting_id=following.id, company_id=company_id))
    db.session.flush()
    return following


def meeting_list(*, upcoming, year=None, kind=None, group_id=None):
    """Upcoming (soonest first) or past (latest first) meetings with the filters, and their invitation counts."""
    now = datetime.now(UTC)
    statement = select(Meeting).options(selectinload(Meeting.group))
    statement = statement.where(Meeting.starts_at >= now) if upcoming else statement.where(Meeting.starts_at < now)
    if year:
        statement = statement.where(extract("year", Meeting.starts_at) == year)
    if kind:
        statement = statement.where(Meeting.kind == kind)
    if group_id:
        statement = statement.where(Meeting.group_id == group_id)
    statement = statement.order_by(Meeting.starts_at.asc() if upcoming else Meeting.starts_at.desc())
    meetings = db.session.scalars(statement.limit(200)).all()
    counts = dict(db.session.execute(
        select(Invitation.meeting_id, func.count()).where(Invitation.meeting_id.in_([m.id for m in meetings]))
        .group_by(Invitation.meeting_id)
    ).all()) if meetings else {}
    return meetings, counts


def open_action_items(meeting):
    """Open action items of earlier meetings of the same series or group: the follow-up section."""
    if not meeting.series and not meeting.group_id:
        return []
    same = Meeting.series == meeting.series if meeting.series else Meeting.group_id == meeting.group_id
    return db.session.scalars(
        select(ActionItem).join(Meeting)
        .options(joinedload(ActionItem.owner_company), contains_eager(ActionItem.meeting))
        .where(same, Meeting.starts_at < meeting.starts_at, ActionItem.status == ActionStatus.OPEN)
        .order_by(ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id)
    ).all()


def add_agenda_item(meeting, title, presenter="", minutes=None, text=""):
    """Append an item to the agenda."""
    position = max((item.position for item in meeting.agenda), default=-1) + 1
    item = AgendaItem(meeting_id=meeting.id, position=position, title=title, presenter=presenter,
                      minutes_allotted=minutes, text=text)
    meeting.agenda.append(item)
    db.session.flush()
    return item



def group_meetings(group, *, past_limit=10):
    """A group's upcoming meetings, its latest past ones and the open action items of its meetings."""
    now = datetime.now(UTC)
    meetings = db.session.scalars(  # one query: the last two years and everything planned
        select(Meeting).where(Meeting.group_id == group.id, Meeting.starts_at >= now - timedelta(days=730))
        .order_by(Meeting.starts_at)
    ).all()
    upcoming = [meeting for meeting in meetings if meeting.starts_at >= now]
    past = [meeting for meeting in reversed(meetings) if meeting.starts_at < now][:past_limit]
    open_items = db.session.scalars(
        select(ActionItem).join(Meeting).where(Meeting.group_id == group.id, ActionItem.status == ActionStatus.OPEN)
        .options(joinedload(ActionItem.owner_company)).order_by(ActionItem.due_on.is_(None), ActionItem.due_on)
    ).all()
    return upcoming, past, open_items
