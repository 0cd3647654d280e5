"""After a confirmed mailing, its page shows the delivery from the outbox and keeps it up to date: checked against
a real `mail worker --once` run delivering to an SMTP server (aiosmtpd) that refuses one recipient."""

import re
import threading
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from sqlalchemy import delete, select

from crm.auth import services as auth_services
from crm.companies import services as company_services
from crm.extensions import db
from crm.groups import services as group_services
from crm.groups.models import GroupMembership, WorkingGroup
from crm.mail.models import MassMailing, OutboundEmail
from crm.mail.worker import run_worker
from crm.meetings import services
from crm.security import Role
from tests.confirming import confirmation_form, post_confirmed, press
from tests.conftest import PASSWORD, login, post
from tests.mail.test_confirmation import ACTIONS, build_world, spoil
from tests.mail.test_worker import database_url, make_company, outbox, sink, worker_app  # noqa: F401
from tests.meetings.test_invitation_delivery import invitation_rows

_serial = count(1)


def state_text(client, mass):
    """The delivery partial as htmx fetches it: its text, and whether it asks to be fetched again."""
    partial = client.get(f"/outbox/mailings/{mass.id}/state")
    assert partial.status_code == 200
    html = partial.get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()), 'hx-trigger="every 2s"' in html


def staff_client(app):
    staff = auth_services.create_user(f"staff-udsendelse-{next(_serial)}-{datetime.now(UTC).timestamp()}"
                                      "@holme.example", PASSWORD, Role.STAFF)
    db.session.commit()
    client = app.test_client()
    assert login(client, staff.email).status_code == 302
    return client


def three_companies(server, tag):
    """Two companies whose mail arrives and one whose address the server refuses for good."""
    companies = []
    for name, local in (("Modtager", "mads"), ("Læser", "lis"), ("Afvist", "ukendt")):
        company = make_company(f"{name} {tag} ApS")
        company_services.add_contact(company, {"name": f"{name} Person", "email": f"{local}@{tag}.example"})
        companies.append(company)
    server.refuse(f"ukendt@{tag}.example", f"550 5.1.1 <ukendt@{tag}.example>: User unknown")
    db.session.commit()
    return companies


def test_an_invitation_mailing_shows_queued_then_sent_and_failed_after_the_worker(outbox, sink):  # noqa: F811
    companies = three_companies(sink, "inviter")
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    meeting = services.create_meeting({"title": "Netværksmøde med levering", "starts_at": starts,
                                       "ends_at": starts + timedelta(hours=2)})
    db.session.commit()
    client = staff_client(outbox)
    done = post_confirmed(client, f"/meetings/{meeting.id}/invite",
                          {"source": "cvrs", "cvrs": " ".join(company.cvr for company in companies)})
    assert done.status_code == 302
    mass = db.session.scalars(select(MassMailing).where(MassMailing.object_id == meeting.id)).one()
    assert state_text(client, mass) == ("3 i kø, 0 sendt, 0 fejlet Opdateres af sig selv, mens mails venter i "
                                        "udbakken.", True)
    assert all(row.startswith("I udbakken") for row in invitation_rows(
        client.get(f"/meetings/{meeting.id}/invitations")).values()), "never sent while queued"

    totals = run_worker(once=True)

    assert (totals.sent, totals.failed) == (2, 1)
    assert len(sink.messages) == 2
    text, polls = state_text(client, mass)
    assert text.startswith("0 i kø, 2 sendt, 1 fejlet") and not polls, "nothing waits: the polling stops"
    page = client.get(f"/outbox/mailings/{mass.id}").get_data(as_text=True)
    assert "0 i kø, 2 sendt, 1 fejlet" in page and "Netværksmøde med levering" in page
    listing = client.get(f"/meetings/{meeting.id}/invitations")
    rows = invitation_rows(listing)
    assert rows["Modtager inviter ApS"].startswith("Sendt") and rows["Afvist inviter ApS"].startswith("Fejlet")
    shown = " ".join(re.sub(r"<[^>]+>", " ", listing.get_data(as_text=True)).split())
    assert "Seneste udsendelse: Invitation: Netværksmøde med levering" in shown
    assert "0 i kø, 2 sendt, 1 fejlet" in shown


def test_published_minutes_show_their_own_delivery_not_the_invitations(outbox, sink):  # noqa: F811
    companies = three_companies(sink, "referat")
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    meeting = services.create_meeting({"title": "Referatmøde", "starts_at": starts,
                                       "ends_at": starts + timedelta(hours=2)}, [("Velkomst", "", 10)])
    db.session.commit()
    client = staff_client(outbox)
    post_confirmed(client, f"/meetings/{meeting.id}/invite",
                   {"source": "cvrs", "cvrs": " ".join(company.cvr for company in companies[:2])})
    run_worker(once=True)  # the invitations went
    meeting.starts_at = datetime.now(UTC) - timedelta(hours=3)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    db.session.commit()

    post_confirmed(client, f"/meetings/{meeting.id}/publish", {"audience": "invited"})
    minutes_page = " ".join(client.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True).split())
    assert "Mails: I udbakken." in minutes_page, "the minutes are not 'sent' while their mails wait"
    mass = db.session.scalars(select(MassMailing).where(MassMailing.purpose == "minutes")).one()
    assert state_text(client, mass)[0].startswith("2 i kø, 0 sendt, 0 fejlet")

    run_worker(once=True)

    assert state_text(client, mass)[0].startswith("0 i kø, 2 sendt, 0 fejlet")
    minutes_page = " ".join(client.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True).split())
    assert "Mails: Sendt." in minutes_page and "0 i kø, 2 sendt, 0 fejlet" in minutes_page
    invitations_page = " ".join(client.get(f"/meetings/{meeting.id}/invitations").get_data(as_text=True).split())
    assert "Invitation: Referatmøde" in invitations_page and "Referat: Referatmøde" not in invitations_page


def test_two_clicks_at_once_on_the_same_confirmation_queue_the_mails_once(outbox, sink):  # noqa: F811
    companies = three_companies(sink, "samtidig")
    water = db.session.scalars(select(WorkingGroup).where(WorkingGroup.slug == "vand")).one()
    group_services.add_members(water, companies)
    db.session.commit()
    client = staff_client(outbox)
    form = confirmation_form(post(client, "/groups/vand/mail", {"subject": "Samtidig", "body": "To klik."}))
    other = outbox.test_client()  # the same browser session, a second connection
    other.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    db.session.remove()  # this thread's transaction would hold SQLite's write lock while the two clicks wait
    barrier, answers = threading.Barrier(2), []

    def click(browser):
        with outbox.app_context():
            barrier.wait()
            answers.append(press(browser, form).status_code)
            db.session.remove()

    threads = [threading.Thread(target=click, args=(browser,)) for browser in (client, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [302, 302]
    db.session.rollback()  # read what the two requests committed
    mailings = db.session.scalars(select(MassMailing).where(MassMailing.title.contains("Samtidig"))).all()
    assert len(mailings) == 1
    mails = db.session.scalars(select(OutboundEmail.to_address).where(OutboundEmail.subject == "Samtidig")).all()
    assert sorted(mails) == ["lis@samtidig.example", "mads@samtidig.example", "ukendt@samtidig.example"]


@pytest.mark.parametrize("action", ACTIONS)
def test_every_mass_action_shows_the_outbox_after_a_worker_run(outbox, sink, action):  # noqa: F811
    water = db.session.scalars(select(WorkingGroup).where(WorkingGroup.slug == "vand")).one()
    db.session.execute(delete(GroupMembership).where(GroupMembership.group_id == water.id))
    world = build_world(db, make_company, prefix=f"Levering{next(_serial)}")
    setup, people, _preview = ACTIONS[action]
    setup(db, world)
    run_worker(once=True)  # what the set-up sent (the first invitations) goes first
    sink.reset()
    spoil(db, world)
    sink.refuse("bent@beta.example", "550 5.1.1 <bent@beta.example>: User unknown")
    client = staff_client(outbox)
    confirmed = press(client, confirmation_form(post(client, world.url, world.data)))
    mass = db.session.get(MassMailing, int(confirmed.headers["Location"].rsplit("/", 1)[1]))
    assert state_text(client, mass)[0].startswith(f"{len(people)} i kø, 0 sendt, 0 fejlet")

    totals = run_worker(once=True)

    arrived = [address for message in sink.messages for address in message.rcpt_tos]
    assert "bent@beta.example" not in arrived and len(arrived) == len(people) - 1
    assert totals.failed == 1
    text, polls = state_text(client, mass)
    assert text.startswith(f"0 i kø, {len(people) - 1} sendt, 1 fejlet") and not polls
