"""Demo meetings for `flask demo load`: three years of network and group meetings before today and this year so far,
with invitations sent, answers, who came, published minutes and action items, and the next two network meetings.

The state is what the app leaves after sending (an invitation's `sent_sequence` is the meeting's sequence, so it
counts as mailed) but no mail is queued: 394 invitations to forty meetings would flood the outbox with mails that
were never meant to go. Meetings and agendas go through the ORM (a few hundred rows); invitations, attendance and
action items are bulk inserts. Deterministic: the same seed, day and network give the same meetings.
"""

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from random import Random

from sqlalchemy import func, insert, select

from crm.companies.models import Company, Contact
from crm.extensions import db
from crm.groups.models import GroupMembership, WorkingGroup
from crm.i18n import LOCAL
from crm.meetings.demo_texts import ACTIONS, GROUP_TOPICS, NETWORK_TOPICS, PLACES
from crm.meetings.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Rsvp,
)
from crm.meetings.services import local_to_utc

#: Ten network meetings a year (none in July and December) and a meeting per group each quarter.
NETWORK_MONTHS = (1, 2, 3, 4, 5, 6, 8, 9, 10, 11)
GROUP_MONTHS = (2, 5, 9, 11)
YEARS_BACK = 3
#: Companies present at the network meetings of a year, shuffled: 22.5 on average (the municipality's 20-25) and
#: 18 to 27 at one meeting, whatever the day the demo is loaded on.
PRESENT = (18, 19, 20, 21, 22, 23, 24, 25, 26, 27)
REGULARS = 70
REGULAR_SHARE = 0.75
NETWORK_SERIES = "Netværksmøde"
WRITER = "Søren Sekretariat"


class _Network:
    """What the demo meetings are drawn from, read in four queries."""

    def __init__(self, rng):
        self.companies = db.session.execute(select(Company.id, Company.left_on).order_by(Company.id)).all()
        self.contacts = defaultdict(list)
        for company_id, contact_id in db.session.execute(
                select(Contact.company_id, Contact.id).order_by(Contact.company_id, Contact.is_primary.desc(),
                                                               Contact.id)):
            self.contacts[company_id].append(contact_id)
        with_contacts = [company_id for company_id, _ in self.companies if self.contacts[company_id]]
        self.regulars = set(rng.sample(with_contacts, min(REGULARS, len(with_contacts))))
        self.groups = db.session.execute(select(WorkingGroup.id, WorkingGroup.name).where(WorkingGroup.active)
                                         .order_by(WorkingGroup.id)).all()
        self.memberships = defaultdict(list)
        for row in db.session.execute(select(GroupMembership.group_id, GroupMembership.company_id,
                                             GroupMembership.contact_id, GroupMembership.joined_on,
                                             GroupMembership.left_on).order_by(GroupMembership.id)):
            self.memberships[row.group_id].append(row)

    def invitees(self, day):
        """The network on a day: every company that had not left by then."""
        return [company_id for company_id, left_on in self.companies if left_on is None or left_on > day]

    def members(self, group_id, day):
        """[(company id, contact id)] of the group's members on a day."""
        return [(row.company_id, row.contact_id) for row in self.memberships[group_id]
                if row.joined_on <= day and (row.left_on is None or row.left_on > day)]


class _Rows:
    """The bulk rows of the demo meetings, inserted at the end."""

    def __init__(self):
        self.invitations, self.attendances, self.actions = [], [], []

    def invite(self, meeting, company_ids, invited_at, answers):
        """Invitations marked sent as send_invitations() leaves them; answers {company id: (rsvp, at)}."""
        for company_id in company_ids:
            rsvp, at = answers.get(company_id, (None, None))
            self.invitations.append({"meeting_id": meeting.id, "company_id": company_id, "rsvp": rsvp, "rsvp_at": at,
                                     "rsvp_by": "link" if rsvp else "", "sent_sequence": meeting.sequence,
                                     "invited_at": invited_at, "reminded_at": None})

    def attend(self, meeting, company_id, contact_ids, status, walk_in=False):
        for contact_id in contact_ids or [None]:
            at = meeting.starts_at + timedelta(minutes=len(self.attendances) % 20)
            self.attendances.append({"meeting_id": meeting.id, "company_id": company_id, "contact_id": contact_id,
                                     "status": status, "walk_in": walk_in, "checked_in_at": at})

    def insert(self):
        for model, rows in ((Invitation, self.invitations), (Attendance, self.attendances),
                            (ActionItem, self.actions)):
            for start in range(0, len(rows), 5000):
                db.session.execute(insert(model), rows[start:start + 5000])
        return len(self.invitations)


def _answered_at(rng, invited_at, starts_at):
    return invited_at + (starts_at - invited_at) * rng.uniform(0.05, 0.9)


def _meeting(rng, title, kind, starts_at, now, *, group_id=None, series="", topics=()):
    """A meeting with its agenda; held and with published minutes when it lies before `now`."""
    held = starts_at < now
    published = starts_at + timedelta(days=rng.randint(2, 12), hours=rng.randint(1, 6))
    meeting = Meeting(title=title, kind=kind, group_id=group_id, series=series, starts_at=starts_at,
                      ends_at=starts_at + timedelta(hours=2), place=rng.choice(PLACES), sequence=0,
                      status=MeetingStatus.HELD if held else MeetingStatus.PLANNED,
                      minutes_published_at=published if held and published < now else None,
                      minutes_writer=WRITER if held else "", created_at=starts_at - timedelta(days=40))
    for position, (item_title, minutes, decisions) in enumerate(topics):
        meeting.agenda.append(AgendaItem(position=position, title=item_title, minutes_allotted=20,
                                         minutes=minutes if held else "", decisions=decisions if held else ""))
    db.session.add(meeting)
    return meeting


def _actions(rng, rows, meeting, owners, count, today):
    """Action items of a held meeting: done when due long ago, about half done when due lately, open when due
    ahead (so the staff's open items are the recent meetings')."""
    for title in rng.sample(ACTIONS, count):
        due_on = meeting.starts_at.astimezone(LOCAL).date() + timedelta(days=rng.randint(21, 70))
        done = due_on < today - timedelta(days=120) or (due_on < today and rng.random() < 0.5)
        rows.actions.append({"meeting_id": meeting.id, "title": title, "owner_name": "",
                             "owner_company_id": rng.choice(owners) if owners else None, "due_on": due_on,
                             "status": ActionStatus.DONE if done else ActionStatus.OPEN,
                             "done_at": datetime.combine(due_on - timedelta(days=rng.randint(0, 14)), time(12),
                                                         tzinfo=UTC) if done else None})


def _network_meeting(rng, network, rows, starts_at, now, wanted):
    """A held network meeting: the network invited three weeks before, `wanted` companies present, mostly
    regulars."""
    day = starts_at.astimezone(LOCAL).date()
    meeting = _meeting(rng, f"{NETWORK_SERIES} {day.strftime('%d.%m.%Y')}", MeetingKind.NETWORK, starts_at, now,
                       series=NETWORK_SERIES, topics=rng.sample(NETWORK_TOPICS, 3))
    db.session.flush()
    invitees = network.invitees(day)
    regulars = [company_id for company_id in invitees if company_id in network.regulars]
    others = [company_id for company_id in invitees if company_id not in network.regulars]
    present = rng.sample(regulars, min(len(regulars), round(wanted * REGULAR_SHARE)))
    present += rng.sample(others, min(len(others), wanted - len(present)))
    invited_at = starts_at - timedelta(days=21)
    answers = {}
    for company_id in present:
        rsvp = rng.choices((Rsvp.YES, Rsvp.MAYBE, None), weights=(80, 8, 12))[0]
        if rsvp:
            answers[company_id] = (rsvp, _answered_at(rng, invited_at, starts_at))
        contacts = network.contacts[company_id]
        rows.attend(meeting, company_id, contacts[:2] if rng.random() < 0.3 else contacts[:1],
                    AttendanceStatus.PRESENT, walk_in=rsvp is None)
    chosen = set(present)
    for company_id in invitees:
        if company_id in chosen:
            continue
        rsvp = rng.choices((Rsvp.YES, Rsvp.NO, Rsvp.MAYBE, None), weights=(1, 6, 1, 92))[0]
        if rsvp:
            answers[company_id] = (rsvp, _answered_at(rng, invited_at, starts_at))
        if rsvp == Rsvp.YES:  # said yes and did not come
            rows.attend(meeting, company_id, network.contacts[company_id][:1], AttendanceStatus.NO_SHOW)
    rows.invite(meeting, invitees, invited_at, answers)
    if meeting.minutes_published_at:
        _actions(rng, rows, meeting, present, rng.randint(2, 3), now.astimezone(LOCAL).date())
    return meeting


def _group_meeting(rng, network, rows, group, starts_at, now):
    """A held group meeting: the members on the day invited two weeks before, most of them present."""
    group_id, name = group
    day = starts_at.astimezone(LOCAL).date()
    members = network.members(group_id, day)
    if not members:
        return None
    meeting = _meeting(rng, f"{name}: gruppemøde", MeetingKind.GROUP, starts_at, now, group_id=group_id,
                       topics=rng.sample(GROUP_TOPICS, 2))
    db.session.flush()
    invited_at = starts_at - timedelta(days=14)
    answers = {}
    for company_id, contact_id in members:
        came = rng.random() < 0.65
        rsvp = rng.choices((Rsvp.YES, None), weights=(85, 15))[0] if came else rng.choice((Rsvp.NO, None))
        if rsvp:
            answers[company_id] = (rsvp, _answered_at(rng, invited_at, starts_at))
        if came:
            contact_ids = [contact_id] if contact_id else network.contacts[company_id][:1]
            rows.attend(meeting, company_id, contact_ids, AttendanceStatus.PRESENT)
    rows.invite(meeting, [company_id for company_id, _ in members], invited_at, answers)
    if meeting.minutes_published_at:
        owners = [company_id for company_id, _ in members]
        _actions(rng, rows, meeting, owners, 1, now.astimezone(LOCAL).date())
    return meeting


def _upcoming(rng, network, rows, now):
    """The next two network meetings: the first invited a week ago with some answers in, the second only planned."""
    today = now.astimezone(LOCAL).date()
    first = local_to_utc(today + timedelta(days=16), time(8, 30))
    second = local_to_utc(today + timedelta(days=51), time(8, 30))
    meetings = []
    for starts_at in (first, second):
        day = starts_at.astimezone(LOCAL).date()
        meetings.append(_meeting(rng, f"{NETWORK_SERIES} {day.strftime('%d.%m.%Y')}", MeetingKind.NETWORK, starts_at,
                                 now, series=NETWORK_SERIES, topics=rng.sample(NETWORK_TOPICS, 3)))
    db.session.flush()
    invited_at = now - timedelta(days=7)
    answers = {}
    for company_id in network.invitees(today):
        rsvp = rng.choices((Rsvp.YES, Rsvp.NO, Rsvp.MAYBE, None), weights=(5, 3, 1, 91))[0]
        if rsvp:
            answers[company_id] = (rsvp, _answered_at(rng, invited_at, now))
    rows.invite(meetings[0], network.invitees(today), invited_at, answers)
    return meetings


def load_demo_meetings(seed=2024, now=None):
    """Network and group meetings of the three years before this one and this year so far, and the next two;
    nothing when meetings exist. The number of meetings made."""
    if db.session.scalar(select(func.count()).select_from(Meeting)):
        return 0
    rng, now = Random(seed), now or datetime.now(UTC)
    network, rows, made = _Network(rng), _Rows(), 0
    this_year = now.astimezone(LOCAL).year
    for year in range(this_year - YEARS_BACK, this_year + 1):
        present = list(PRESENT)
        rng.shuffle(present)
        for month, wanted in zip(NETWORK_MONTHS, present, strict=True):
            starts_at = local_to_utc(date(year, month, rng.randint(8, 24)), time(8, 30))
            if starts_at < now - timedelta(days=2):
                made += bool(_network_meeting(rng, network, rows, starts_at, now, wanted))
        for month in GROUP_MONTHS:
            for group in network.groups:
                starts_at = local_to_utc(date(year, month, rng.randint(3, 27)), time(rng.choice((9, 13, 15))))
                if starts_at < now - timedelta(days=2):
                    made += bool(_group_meeting(rng, network, rows, group, starts_at, now))
    made += len(_upcoming(rng, network, rows, now))
    rows.insert()
    db.session.flush()
    return made
