"""The load test's database: made for one run (a PostgreSQL database or a SQLite file), dropped after it.

It holds the demo network (`flask demo load`: 394 companies, working groups, contribution schemes), the
benchmark's meetings at scale 1 (bench/meetings.py, with the next network meeting: 394 invited, 22 checked in),
the load test's own people (staff and company users with a known password) and two planned meetings to which
all 394 companies are invited and the invitations sent: their outbox is what the mail workers drain, and the
RSVP links in those mails are what the burst answers.
"""

import re
import secrets
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bench.datasets import DATA, bench_app, migrate
from bench.meetings import BENCH_MEETING_TITLE, load_meetings

SEED = 2024
PASSWORD = "belastning-paa-holmen-2026"  # noqa: S105  (throwaway users in a throwaway database)
SEARCHES = ("hammerholmen", "sø", "aps", "stamholmen", "energi", "holmen a/s", "jern")
BURST_MEETINGS = ("Belastningstest: morgenmøde om affald", "Belastningstest: energidag på Holmen")
RSVP_LINK = re.compile(r"/rsvp/([A-Za-z0-9_.\-]+)")


@dataclass
class Plan:
    """What the simulated people need to know: their logins and the ids and links they use."""

    staff: list
    companies: list
    company_ids: list
    meeting_id: int
    group_slugs: list
    searches: list
    #: [path, answer, invitation id] of the public RSVP links the burst answers, each invitation once.
    burst: list = field(default_factory=list)
    outbox: int = 0
    password: str = PASSWORD

    def write(self, path):
        import json

        Path(path).write_text(json.dumps(asdict(self), ensure_ascii=False))
        return path


@contextmanager
def run_database(kind, server_url):
    """A new, empty database for one run; its URL. PostgreSQL: a database on the server of `server_url`, dropped
    afterwards (with the connections still open to it). SQLite: a file under bench/results/data/."""
    name = f"holme_load_{secrets.token_hex(3)}"
    if kind == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        path = DATA / f"{name}.sqlite3"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    admin = create_engine(make_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def build(url, *, staff, company_users, burst, base_url):
    """Migrate and fill the database at `url`; the Plan of the run."""
    from crm.auth.services import create_user
    from crm.companies.demo_data import load_network
    from crm.companies.models import Company
    from crm.contributions.demo import load_demo_schemes
    from crm.demo import DEMO_COMPANIES, load_demo_logins
    from crm.extensions import db
    from crm.groups.demo import load_demo_groups
    from crm.groups.models import WorkingGroup
    from crm.meetings.models import Meeting
    from crm.security import Role

    app = bench_app(url)
    app.config["BASE_URL"] = base_url
    migrate(app)
    with app.app_context():
        load_network(DEMO_COMPANIES, SEED, activities_per_company=2)
        load_demo_groups(SEED)
        load_demo_schemes()
        load_demo_logins()
        db.session.commit()
        load_meetings(1, SEED)
        db.session.commit()
        staff_logins = [create_user(f"medarbejder{n:02d}@belastning.example", PASSWORD, Role.STAFF).email
                        for n in range(1, staff + 1)]
        companies = db.session.scalars(select(Company).order_by(Company.id)).all()
        portal_companies = companies[1:company_users + 1]  # the first has the demo login
        company_logins = [create_user(f"firma{n:02d}@belastning.example", PASSWORD, Role.COMPANY,
                                      company=company).email
                          for n, company in enumerate(portal_companies, start=1)]
        db.session.commit()
        plan = Plan(
            staff=staff_logins, companies=company_logins, company_ids=[company.id for company in companies],
            meeting_id=db.session.scalar(select(func.min(Meeting.id)).where(Meeting.title == BENCH_MEETING_TITLE)),
            group_slugs=db.session.scalars(select(WorkingGroup.slug).order_by(WorkingGroup.slug)).all(),
            searches=list(SEARCHES),
        )
        plan.burst, plan.outbox = _send_burst_invitations(companies, {c.id for c in portal_companies}, burst)
    _close(app)
    return plan


def _send_burst_invitations(companies, left_out, wanted):
    """Plan the burst's meetings, invite every company and queue the invitations (as staff would); the RSVP links
    of `wanted` invitations of companies not in `left_out` (the portal users answer their own), from the mails,
    and the number of mails queued."""
    from crm.extensions import db
    from crm.mail.models import OutboundEmail
    from crm.meetings import invitations, services

    day = (datetime.now(UTC) + timedelta(days=20)).date()
    queued = 0
    for offset, title in enumerate(BURST_MEETINGS):
        starts_at = services.local_to_utc(day + timedelta(days=7 * offset), time(9))
        meeting = services.create_meeting(
            {"title": title, "series": "Belastningstest", "starts_at": starts_at,
             "ends_at": starts_at + timedelta(hours=2), "place": "Stamholmen 5", "description": "Morgenmad og nyt."},
            [("Velkomst", "Formanden", 10), ("Nyt fra netværket", "Erhvervsteamet", 30)])
        db.session.flush()
        invitations.invite(meeting, companies)
        queued += invitations.send_invitations(meeting).queued
    db.session.commit()
    tokens = {}
    for body in db.session.scalars(select(OutboundEmail.body_text).order_by(OutboundEmail.id)):
        for token in RSVP_LINK.findall(body):
            tokens.setdefault(token, None)
    links = []
    for token in tokens:
        invitation = invitations.invitation_for_token(token)
        if invitation is None or invitation.company_id in left_out or invitation.rsvp is not None \
                or invitation.meeting.title not in BURST_MEETINGS:
            continue
        links.append([f"/rsvp/{token}", ("yes", "no", "maybe")[len(links) % 3], invitation.id])
        if len(links) == wanted:
            break
    db.session.rollback()
    if len(links) < wanted:
        raise RuntimeError(f"only {len(links)} RSVP links in the outbox, {wanted} wanted")
    return links, queued


def _close(app):
    from crm.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def count_answers(url, plan, since):
    """How the burst's answers were stored: per invitation of the burst, its answer now and the number of
    "meeting.rsvp" audit entries made for it since `since`."""
    from crm.audit.models import AuditEntry
    from crm.extensions import db
    from crm.meetings.models import Invitation

    app = bench_app(url)
    ids = [invitation_id for _path, _answer, invitation_id in plan.burst]
    with app.app_context():
        answers = dict(db.session.execute(select(Invitation.id, Invitation.rsvp).where(Invitation.id.in_(ids))).all())
        entries = dict(db.session.execute(
            select(AuditEntry.object_id, func.count()).where(
                AuditEntry.action == "meeting.rsvp", AuditEntry.object_type == "invitations",
                AuditEntry.object_id.in_(ids), AuditEntry.at >= since)
            .group_by(AuditEntry.object_id)).all())
    _close(app)
    expected = {invitation_id: answer for _path, answer, invitation_id in plan.burst}
    return {
        "sent": len(ids),
        "stored_as_sent": sum(1 for i, answer in expected.items() if str(answers.get(i) or "") == answer),
        "audited_once": sum(1 for i in ids if entries.get(i) == 1),
        "audited_twice_or_more": sum(1 for i in ids if entries.get(i, 0) > 1),
        "missing": sum(1 for i in ids if i not in entries),
    }


def outbox_state(url):
    """The outbox by status, and the Message-IDs of the mails marked sent (plain SQL: polled every second)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            by_status = dict(connection.execute(
                text("SELECT status, count(*) FROM outbound_emails GROUP BY status")).all())
            sent_ids = connection.scalars(
                text("SELECT message_id FROM outbound_emails WHERE status = 'sent'")).all()
    finally:
        engine.dispose()
    return by_status, sent_ids
