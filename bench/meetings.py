"""Meetings in the benchmark: the datasets' meetings (bulk-inserted), and the timing of inviting 394 companies.

Issue "Meetings at scale": at scale 100 (39,400 companies, 3,000 meetings, 300,000 invitations) the meeting page
with 394 invitations and its attendance at p95 under 50 ms; the meeting list and the check-in page within 2x their
floors; SQL statements per request the same at scale 1 and 100. Sending invitations to 394 companies: queued in
under 0.5 s.

At scale s the dataset has 3s series of 10 meetings each (30s meetings), spread over the last three years and the
next months: past meetings held, future ones planned (a few cancelled). Each meeting has 2-5 agenda items and
invites 100 companies drawn at random (about 300,000 invitations at scale 100), 60 % of which answered; held
meetings have attendances and action items. The measured meeting, "the benchmark meeting", is the next meeting of
the network series ("Netværksmøde"), 45 days after the build: 394 companies with contacts invited, about 60 %
answered, 22 companies present with 1-2 persons each, and open action items from the series' earlier meetings.
"""

import statistics
import sys
from datetime import UTC, datetime, time, timedelta
from random import Random
from time import perf_counter
from types import SimpleNamespace

from sqlalchemy import func, insert, select

MEETINGS_PER_SERIES = 10
#: Series per scale: 3 series of 10 meetings = 30 meetings at scale 1, 3,000 at scale 100.
SERIES_PER_SCALE = 3
INVITATIONS_PER_MEETING = 100
#: Days between two meetings of a series (about quarterly); ten meetings span three years and four months.
SERIES_DAYS = 125
HISTORY_DAYS = 3 * 365
ANSWERED = 0.6
RSVP_WEIGHTS = (55, 30, 15)  # yes, no, maybe
#: The measured meeting: unique title, in the network series, this many days after the build.
BENCH_MEETING_TITLE = "Netværksmøde: energi, affald og vild natur på Holmen"
BENCH_SERIES = "Netværksmøde"
BENCH_DAYS_AHEAD = 45
BENCH_INVITED = 394
BENCH_PRESENT_COMPANIES = 22
#: Rows per executemany.
CHUNK = 10_000

#: The invitation timing: companies, rounds (each on a fresh database; the median counts), target.
INVITE_COMPANIES = 394
INVITE_ROUNDS = 3
INVITE_TARGET_S = 0.5

THEMES = ("Temamøde om energi", "Affaldsnetværket", "Vand og klimatilpasning", "Morgenmøde for direktører",
          "Virksomhedsbesøg", "Sikkerhed og tryghed på Holmen", "Grøn transport", "Byttecentralen",
          "Natur på Holmen", "Nye virksomheder på Holmen")
PLACES = ("Stamholmen 5, mødelokale 1", "Hammerholmen 18", "Avedøre Holme Erhvervscenter", "Jernholmen 42, kantinen",
          "Kystholmen 7", "Hvidovre Rådhus, lokale 2")
AGENDA_TITLES = ("Velkomst og nyt fra netværket", "Status på den fælles affaldsordning", "Fælles solceller på tagene",
                 "Regnvand til vask af lastbiler", "Oplæg: overskudsvarme mellem naboer", "Vild natur på grundene",
                 "Trafik og parkering på Holmen", "Nye medlemmer præsenterer sig", "Byttecentralens første år",
                 "Rundvisning i produktionen", "Fælles indkøb af grøn strøm", "Eventuelt")
PRESENTERS = ("Formanden", "Erhvervsteamet", "Hvidovre Kommune", "Affaldsgruppen", "Energigruppen", "")
ACTION_TITLES = ("Indhente tilbud på fælles affaldsafhentning", "Sende oversigt over tagflader til energigruppen",
                 "Undersøge tilskud til regnvandsopsamling", "Invitere kommunen til næste møde",
                 "Lave liste over overskudsmaterialer", "Tale med grundejerforeningen om skiltning",
                 "Finde tre virksomheder til pilotprojektet", "Skrive artikel til nyhedsbrevet")


# The datasets' meetings -----------------------------------------------------------------------------------------

def load_meetings(scale, seed):
    """Meetings, agendas, invitations, attendances and action items for a dataset of `scale`, unless it has
    meetings; flush, never commit. Returns the rows added per table ({} when there were meetings already)."""
    from crm.companies.models import Company, Contact
    from crm.extensions import db
    from crm.groups.models import WorkingGroup
    from crm.meetings.models import Meeting

    if db.session.scalar(select(func.count()).select_from(Meeting)):
        return {}
    company_ids = db.session.scalars(select(Company.id).order_by(Company.id)).all()
    contacts = {}
    for company_id, contact_id in db.session.execute(
            select(Contact.company_id, Contact.id).order_by(Contact.company_id, Contact.is_primary.desc(),
                                                            Contact.id)):
        contacts.setdefault(company_id, []).append(contact_id)
    groups = db.session.execute(select(WorkingGroup.id, WorkingGroup.name).order_by(WorkingGroup.id)).all()
    now = datetime.now(UTC).replace(microsecond=0)
    plans = _meeting_plans(scale, seed, now, groups)
    table = Meeting.__table__
    meeting_ids = db.session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), [row for row, _ in plans]
    ).scalars().all()
    writer = _ChunkedWriter(db.session)
    for (row, series_index), meeting_id in zip(plans, meeting_ids, strict=True):
        _meeting_children(Random(f"{seed}:meeting:{meeting_id}"), meeting_id, row, series_index, now,
                          company_ids, contacts, writer)
    writer.flush()
    db.session.flush()
    return {"meetings": len(meeting_ids), **writer.counts}


def _meeting_plans(scale, seed, now, groups):
    """[(meeting row, series index)], series by series; series 0 is the network series with the benchmark
    meeting last, series 1 a working group's meetings (so both lists show a group at every scale)."""
    from crm.meetings.models import MeetingKind, MeetingStatus
    from crm.meetings.services import local_to_utc

    plans = []
    for series_index in range(SERIES_PER_SCALE * scale):
        rng = Random(f"{seed}:series:{series_index}")
        group_id = None
        if series_index == 0:
            kind, series = MeetingKind.NETWORK, BENCH_SERIES
            # The benchmark meeting BENCH_DAYS_AHEAD from now, the nine before it one series step apart.
            days = [BENCH_DAYS_AHEAD - SERIES_DAYS * (MEETINGS_PER_SERIES - 1 - n) for n in
                    range(MEETINGS_PER_SERIES)]
        else:
            if series_index == 1 and groups:
                kind = MeetingKind.GROUP
            else:
                kind = rng.choices(tuple(MeetingKind), weights=(35, 30, 20, 15))[0]
            if kind == MeetingKind.GROUP and groups:
                group_id, group_name = rng.choice(groups)
                series = f"{group_name}, mødeserie {series_index}"
            else:
                kind = MeetingKind.EVENT if kind == MeetingKind.GROUP else kind
                series = f"{rng.choice(THEMES)}, mødeserie {series_index}"
            first = -HISTORY_DAYS + rng.uniform(0, SERIES_DAYS)
            days = [first + SERIES_DAYS * n + rng.uniform(-10, 10) for n in range(MEETINGS_PER_SERIES)]
        for n, day_offset in enumerate(days):
            day = (now + timedelta(days=day_offset)).date()
            starts_at = local_to_utc(day, time(rng.choice((8, 14, 15, 16)), rng.choice((0, 0, 30))))
            benchmark = series_index == 0 and n == MEETINGS_PER_SERIES - 1
            if starts_at < now:
                status = MeetingStatus.HELD
            else:
                status = MeetingStatus.CANCELLED if rng.random() < 0.08 and not benchmark else MeetingStatus.PLANNED
            created_at = min(starts_at - timedelta(days=rng.randint(30, 75)), now - timedelta(days=1))
            plans.append(({
                "title": BENCH_MEETING_TITLE if benchmark else series,
                "kind": kind, "group_id": group_id, "series": series, "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=rng.choice((1, 2, 2, 3))), "place": rng.choice(PLACES),
                "online_url": "", "description": f"{series}: møde nr. {n + 1} i rækken." if rng.random() < 0.7 else "",
                "status": status, "sequence": 0, "minutes_published_at": None, "created_at": created_at,
                "updated_at": created_at,
            }, series_index))
    return plans


class _ChunkedWriter:
    """Rows per table, inserted with Core executemany CHUNK rows at a time."""

    def __init__(self, session):
        from crm.meetings.models import ActionItem, AgendaItem, Attendance, Invitation

        self.session = session
        self.tables = {"agenda_items": AgendaItem.__table__, "invitations": Invitation.__table__,
                       "attendances": Attendance.__table__, "action_items": ActionItem.__table__}
        self.rows = {name: [] for name in self.tables}
        self.counts = dict.fromkeys(self.tables, 0)

    def add(self, name, row):
        rows = self.rows[name]
        rows.append(row)
        if len(rows) >= CHUNK:
            self._write(name)

    def _write(self, name):
        if self.rows[name]:
            self.session.execute(insert(self.tables[name]), self.rows[name])
            self.counts[name] += len(self.rows[name])
            self.rows[name] = []

    def flush(self):
        for name in self.tables:
            self._write(name)


def _meeting_children(rng, meeting_id, meeting, series_index, now, company_ids, contacts, writer):
    from crm.meetings.models import ActionStatus, AttendanceStatus, MeetingStatus, Rsvp

    starts_at, held = meeting["starts_at"], meeting["status"] == MeetingStatus.HELD
    benchmark = meeting["title"] == BENCH_MEETING_TITLE
    for position, title in enumerate(rng.sample(AGENDA_TITLES, rng.randint(2, 5))):
        writer.add("agenda_items", {"meeting_id": meeting_id, "position": position, "title": title,
                                    "presenter": rng.choice(PRESENTERS), "minutes_allotted": rng.choice((10, 15, 20,
                                                                                                        30, 45)),
                                    "text": "", "minutes": "", "decisions": ""})
    if benchmark:
        with_contacts = [company_id for company_id in company_ids if contacts.get(company_id)]
        if len(with_contacts) < BENCH_INVITED:
            raise RuntimeError(f"only {len(with_contacts)} companies have contacts; the benchmark meeting invites "
                               f"{BENCH_INVITED}")
        invited = sorted(rng.sample(with_contacts, BENCH_INVITED))
    else:
        invited = sorted(rng.sample(company_ids, min(INVITATIONS_PER_MEETING, len(company_ids))))
    invited_at = min(starts_at - timedelta(days=30), now - timedelta(days=14))
    answered_until = min(starts_at, now)
    yes = []
    for company_id in invited:
        rsvp = rsvp_at = None
        if rng.random() < ANSWERED:
            rsvp = rng.choices((Rsvp.YES, Rsvp.NO, Rsvp.MAYBE), weights=RSVP_WEIGHTS)[0]
            rsvp_at = invited_at + (answered_until - invited_at) * rng.random()
            if rsvp == Rsvp.YES:
                yes.append(company_id)
        writer.add("invitations", {"meeting_id": meeting_id, "company_id": company_id, "rsvp": rsvp,
                                   "rsvp_at": rsvp_at, "rsvp_by": "link" if rsvp else "", "sent_sequence": 0,
                                   "invited_at": invited_at, "reminded_at": None})
    present = []
    if benchmark:  # the check-in page as on the day: 22 companies in, with one or two persons each
        present = rng.sample(yes, min(BENCH_PRESENT_COMPANIES, len(yes)))
        excused = []
    elif held:
        present = [company_id for company_id in yes if rng.random() < 0.8]
        came = set(present)
        excused = [company_id for company_id in yes if company_id not in came]
    else:
        excused = []
    for company_id in present:
        for contact_id in contacts.get(company_id, [])[:rng.choice((1, 1, 2))]:
            writer.add("attendances", _attendance(meeting_id, company_id, contact_id, AttendanceStatus.PRESENT,
                                                  starts_at + timedelta(minutes=rng.randint(-15, 20))))
    for company_id in excused:
        for contact_id in contacts.get(company_id, [])[:1]:
            writer.add("attendances", _attendance(meeting_id, company_id, contact_id, AttendanceStatus.EXCUSED,
                                                  starts_at - timedelta(hours=rng.randint(2, 48))))
    if held:
        # Open items follow the series to its next meeting; the network series always has some to follow up.
        owners = present or invited
        share_open = 0.5 if series_index == 0 else 0.25
        for n in range(rng.randint(1, 3)):
            due_on = (starts_at + timedelta(days=rng.randint(30, 90))).date()
            is_open = rng.random() < share_open or (series_index == 0 and n == 0)
            writer.add("action_items", {
                "meeting_id": meeting_id, "title": rng.choice(ACTION_TITLES),
                "owner_company_id": rng.choice(owners) if owners and rng.random() < 0.8 else None,
                "owner_name": "", "due_on": due_on if rng.random() < 0.8 else None,
                "status": ActionStatus.OPEN if is_open else ActionStatus.DONE,
                "done_at": None if is_open else min(now, starts_at + timedelta(days=rng.randint(7, 60))),
            })


def _attendance(meeting_id, company_id, contact_id, status, checked_in_at):
    return {"meeting_id": meeting_id, "company_id": company_id, "contact_id": contact_id, "status": status,
            "walk_in": False, "checked_in_at": checked_in_at}


# Sending invitations to 394 companies ---------------------------------------------------------------------------

def _time_invite(database):
    """On a fresh database with 394 companies and a planned meeting: (invite s, send s, commit s, mails queued)."""
    from crm.companies.demo_data import load_network
    from crm.companies.models import Company
    from crm.extensions import db
    from crm.mail.models import OutboundEmail
    from crm.mail.services import render_mail
    from crm.meetings import invitations, services

    with database.scratch("invite") as app, app.app_context():
        load_network(INVITE_COMPANIES)
        day = (datetime.now(UTC) + timedelta(days=30)).date()
        starts_at = services.local_to_utc(day, time(15))
        meeting = services.create_meeting(
            {"title": "Netværksmøde på Avedøre Holme", "series": BENCH_SERIES, "starts_at": starts_at,
             "ends_at": starts_at + timedelta(hours=2), "place": PLACES[0],
             "description": "Fælles energi, affald og vild natur på Holmen."},
            [(title, presenter, 20) for title, presenter in zip(AGENDA_TITLES[:4], PRESENTERS, strict=False)])
        db.session.commit()
        # A worker that has served the invite page has the mail templates compiled (its preview renders them).
        example = SimpleNamespace(name="Modtagerens navn", email="modtager@firma.example")
        render_mail("meeting_invitation", meeting=meeting, contact=example,
                    links=dict.fromkeys(("yes", "no", "maybe"), "#"), rsvp_page="#", purpose="invite")
        # As the invite view has them: the chosen companies loaded, the meeting as committed.
        companies = db.session.scalars(select(Company).order_by(Company.id)).all()
        started = perf_counter()
        new = invitations.invite(meeting, companies)
        invited = perf_counter()
        sent = invitations.send_invitations(meeting).queued
        queued = perf_counter()
        db.session.commit()
        committed = perf_counter()
        mails = db.session.scalar(select(func.count()).select_from(OutboundEmail))
    if len(new) != INVITE_COMPANIES or sent != mails:
        raise RuntimeError(f"invited {len(new)} companies, sent {sent}, outbox has {mails}")
    return {"invite_s": invited - started, "send_s": queued - invited, "commit_s": committed - queued,
            "total_s": committed - started, "mails": sent}


def time_invitations(databases):
    """Invite 394 companies and queue their invitations, INVITE_ROUNDS times per database; the medians."""
    results = []
    for database in databases:
        print(f"  {database.kind}: inviting {INVITE_COMPANIES} companies and queueing their invitations",
              file=sys.stderr)
        rounds = [_time_invite(database) for _ in range(INVITE_ROUNDS)]
        median = {key: statistics.median(r[key] for r in rounds) for key in ("invite_s", "send_s", "commit_s",
                                                                              "total_s")}
        mails = min(r["mails"] for r in rounds)
        misses = []
        if median["total_s"] >= INVITE_TARGET_S:
            misses.append(f"{median['total_s']:.2f}s")
        if mails < INVITE_COMPANIES:  # every company's primary contact, and any contact chosen to get them too
            misses.append(f"only {mails} mails")
        results.append({"database": database.kind, "companies": INVITE_COMPANIES, "rounds": len(rounds),
                        "all_total_s": [round(r["total_s"], 3) for r in rounds], **median, "mails": mails,
                        "target": f"<{INVITE_TARGET_S:g}s", "misses": misses})
    return results
