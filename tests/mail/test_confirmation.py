"""Every mailing to many asks first: the first POST shows the count, the names, whom the outbox leaves out and the
mail, and queues nothing; the confirmation queues the mails once, however often it is pressed."""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from crm.companies import services as company_services
from crm.groups import services as group_services
from crm.groups.models import WorkingGroup
from crm.mail.models import MassMailing, OutboundEmail
from crm.meetings import invitations, services
from crm.meetings.models import Invitation, Meeting, MeetingStatus
from tests.confirming import confirmation_form, press
from tests.conftest import post

BAD_NAME = "Sofus Skæv\r\nBcc: x@example.com"


@dataclass
class World:
    alfa: object
    beta: object
    bad: object
    bad_contact: object
    meeting: object = None
    #: What the action under test posts first.
    url: str = ""
    data: dict = field(default_factory=dict)


def build_world(db, make_company, prefix="Bekræft"):
    """Two companies whose people can be mailed (Alfa with an extra contact who gets meeting mail), and one whose
    only contact will have a line break in the name (see spoil). All said yes to the newsletter."""
    alfa = make_company(name=f"{prefix} Alfa ApS")
    company_services.add_contact(alfa, {"name": "Anna Alfa", "email": "anna@alfa.example", "newsletter_consent": True})
    company_services.add_contact(alfa, {"name": "Albert Alfa", "email": "albert@alfa.example",
                                        "receives_meeting_mail": True, "newsletter_consent": True})
    beta = make_company(name=f"{prefix} Beta ApS")
    company_services.add_contact(beta, {"name": "Bent Beta", "email": "bent@beta.example", "newsletter_consent": True})
    bad = make_company(name=f"{prefix} Skæv ApS")
    contact = company_services.add_contact(bad, {"name": "Sofus Skæv", "email": "sofus@skaev.example",
                                                 "newsletter_consent": True})
    db.session.commit()
    return World(alfa, beta, bad, contact)


@pytest.fixture
def world(db, make_company):
    return build_world(db, make_company)


def spoil(db, world):
    """Give the third company's contact a name with a line break, as saved before names had to be one line (after
    the invitations went, so that a cancellation or reminder is meant for them too)."""
    world.bad_contact.name = BAD_NAME
    db.session.commit()


def a_meeting(db, *, held=False):
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=14)
    meeting = services.create_meeting({"title": "Bekræftelsesmøde", "starts_at": starts,
                                       "ends_at": starts + timedelta(hours=2)}, [("Velkomst", "", 10)])
    db.session.commit()
    return meeting


def invited_and_sent(db, world):
    world.meeting = a_meeting(db)
    invitations.invite(world.meeting, [world.alfa, world.beta, world.bad])
    invitations.send_invitations(world.meeting)
    db.session.commit()


def invite(db, world):
    world.meeting = a_meeting(db)
    world.url = f"/meetings/{world.meeting.id}/invite"
    world.data = {"source": "cvrs", "cvrs": f"{world.alfa.cvr} {world.beta.cvr} {world.bad.cvr}"}


def update(db, world):
    invited_and_sent(db, world)
    world.meeting.sequence += 1  # moved: everybody lacks the new version
    db.session.commit()
    world.url = f"/meetings/{world.meeting.id}/send"


def cancel(db, world):
    invited_and_sent(db, world)
    world.url = f"/meetings/{world.meeting.id}/cancel"


def remind(db, world):
    invited_and_sent(db, world)
    world.url = f"/meetings/{world.meeting.id}/remind"


def publish(db, world):
    invited_and_sent(db, world)
    world.meeting.starts_at = datetime.now(UTC) - timedelta(hours=3)  # held
    world.meeting.ends_at = world.meeting.starts_at + timedelta(hours=2)
    db.session.commit()
    world.url, world.data = f"/meetings/{world.meeting.id}/publish", {"audience": "invited"}


def group_mail(db, world):
    water = db.session.scalars(select(WorkingGroup).where(WorkingGroup.slug == "vand")).one()
    group_services.add_members(water, [world.alfa, world.beta, world.bad])
    db.session.commit()
    world.url, world.data = "/groups/vand/mail", {"subject": "Regnvand", "body": "Vi ses torsdag."}


def newsletter(db, world):
    world.url = "/outbox/newsletter"
    world.data = {"subject": "Nyt fra Holmen", "body": "Solen skinner.", "action": "send",
                  "q": world.alfa.name.split()[0],
                  "form_key": f"nyhedsbrev-{world.alfa.cvr}"}


MEETING_PEOPLE = ["Bekræft Alfa ApS: Albert Alfa <albert@alfa.example>",
                  "Bekræft Alfa ApS: Anna Alfa <anna@alfa.example>",
                  "Bekræft Beta ApS: Bent Beta <bent@beta.example>"]
#: (the set-up, the persons it mails, the text the confirm page's mail preview shows)
ACTIONS = {
    "invite": (invite, MEETING_PEOPLE, "Bekræftelsesmøde"),
    "update": (update, MEETING_PEOPLE, "Bekræftelsesmøde"),
    "cancel": (cancel, MEETING_PEOPLE, "Bekræftelsesmøde"),
    "remind": (remind, MEETING_PEOPLE, "Bekræftelsesmøde"),
    "publish": (publish, MEETING_PEOPLE, "Velkomst"),
    "group": (group_mail, ["Bekræft Alfa ApS: Anna Alfa <anna@alfa.example>",
                           "Bekræft Beta ApS: Bent Beta <bent@beta.example>"], "Vi ses torsdag."),
    "newsletter": (newsletter, MEETING_PEOPLE, "Solen skinner."),
}


def text_of(response):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def outbox_count(db):
    return db.session.scalar(select(func.count()).select_from(OutboundEmail))


def recipients_named(response):
    """The names listed on a confirm page (first list, and the whole list when there is one)."""
    html = unescape(response.get_data(as_text=True))
    listed = re.search(r'<ul class="app-recipients">(.*?)</ul>', html, re.S).group(1)
    return sorted(re.findall(r"<li>(.*?)</li>", listed))


@pytest.mark.parametrize("action", ACTIONS)
def test_the_first_step_queues_nothing_and_shows_counts_names_and_the_mail(staff_client, db, world, action):
    setup, people, in_preview = ACTIONS[action]
    setup(db, world)
    spoil(db, world)
    before = outbox_count(db)
    page = post(staff_client, world.url, world.data)
    assert page.status_code == 200
    shown = text_of(page)
    companies = len({person.split(":")[0] for person in people})
    assert f"Mailen går til {len(people)} personer i {companies} virksomheder." in shown
    assert "Intet er sendt endnu." in shown
    assert recipients_named(page) == sorted(people)
    assert "1 modtager springes over" in shown
    assert "Bekræft Skæv ApS: Sofus Skæv Bcc: x@example.com <sofus@skaev.example> (navnet har et linjeskift)" in shown
    assert in_preview in shown.split("Sådan ser mailen ud", 1)[1]
    assert outbox_count(db) == before, "the first step queues nothing"
    assert db.session.scalar(select(func.count()).select_from(MassMailing)) == 0
    if world.meeting is not None:
        db.session.refresh(world.meeting)
        assert world.meeting.status == MeetingStatus.PLANNED and world.meeting.minutes_published_at is None
        if action == "invite":
            assert db.session.scalars(select(Invitation).where(Invitation.meeting_id == world.meeting.id)).all() == []


@pytest.mark.parametrize("action", ACTIONS)
def test_confirming_queues_each_mail_once_even_when_pressed_twice(staff_client, db, world, action):
    setup, people, _preview = ACTIONS[action]
    setup(db, world)
    spoil(db, world)
    before = outbox_count(db)
    form = confirmation_form(post(staff_client, world.url, world.data))
    first = press(staff_client, form)
    assert first.status_code == 302
    mass = db.session.scalars(select(MassMailing)).one()
    assert first.headers["Location"].endswith(f"/outbox/mailings/{mass.id}")
    mails = db.session.scalars(select(OutboundEmail).where(OutboundEmail.mass_mailing_id == mass.id)).all()
    expected = sorted(re.search(r"<(.*)>", person).group(1) for person in people)
    assert sorted(mail.to_address for mail in mails) == expected
    assert outbox_count(db) == before + len(expected), "every new mail belongs to the mailing"
    assert (mass.queued, mass.refused) == (len(expected), 1)

    again = press(staff_client, form, follow_redirects=True)
    assert again.status_code == 200
    assert "Udsendelsen er allerede bekræftet; den er ikke sendt igen." in text_of(again)
    assert outbox_count(db) == before + len(expected), "a second click queues nothing"
    assert db.session.scalar(select(func.count()).select_from(MassMailing)) == 1


@pytest.mark.parametrize("action", ACTIONS)
def test_after_confirming_the_page_names_the_skipped_and_shows_the_outbox_counts(staff_client, db, world, action):
    setup, people, _preview = ACTIONS[action]
    setup(db, world)
    spoil(db, world)
    form = confirmation_form(post(staff_client, world.url, world.data))
    page = press(staff_client, form, follow_redirects=True)
    shown = text_of(page)
    assert "Bekræft Skæv ApS" in shown and "sofus@skaev.example" in shown
    assert f"{len(people)} i kø, 0 sendt, 0 fejlet" in shown
    assert 'hx-trigger="every 2s"' in page.get_data(as_text=True), "it updates itself while mails wait"


def test_the_confirm_page_lists_ten_names_and_the_rest_on_request(staff_client, db, make_company):
    companies = []
    for i in range(12):
        company = make_company(name=f"Mange {i:02d} ApS", status="member")
        company_services.add_contact(company, {"name": f"Person {i:02d}", "email": f"p{i}@mange.example"})
        companies.append(company)
    water = db.session.scalars(select(WorkingGroup).where(WorkingGroup.slug == "vand")).one()
    group_services.add_members(water, companies)
    db.session.commit()
    page = post(staff_client, "/groups/vand/mail", {"subject": "Hej", "body": "Tekst"})
    html = unescape(page.get_data(as_text=True))
    first, everybody = re.findall(r'<ul class="app-recipients">(.*?)</ul>', html, re.S)
    assert len(re.findall("<li>", first)) == 10 and len(re.findall("<li>", everybody)) == 12
    assert "Vis alle 12 modtagere" in text_of(page) and "<details" in html
    assert "Mange 11 ApS: Person 11 <p11@mange.example>" in everybody


def test_a_company_user_cannot_see_a_mailing(company_client, staff_client, db, world):
    group_mail(db, world)
    form = confirmation_form(post(staff_client, world.url, world.data))
    press(staff_client, form)
    mass = db.session.scalars(select(MassMailing)).one()
    assert company_client.get(f"/outbox/mailings/{mass.id}").status_code == 403
    assert company_client.get(f"/outbox/mailings/{mass.id}/state").status_code == 403


def test_a_refused_cancellation_asks_nothing(staff_client, db, world):
    cancel(db, world)
    world.meeting.status = MeetingStatus.HELD
    db.session.commit()
    page = post(staff_client, world.url, follow_redirects=True)
    assert "Kun planlagte møder kan aflyses." in text_of(page)
    assert db.session.get(Meeting, world.meeting.id).status == MeetingStatus.HELD


def test_the_outbox_names_the_latest_mailings_and_shows_the_mails_of_one(staff_client, db, world):
    group_mail(db, world)
    press(staff_client, confirmation_form(post(staff_client, world.url, world.data)))
    newsletter(db, world)
    press(staff_client, confirmation_form(post(staff_client, world.url, world.data)))
    group, letter = db.session.scalars(select(MassMailing).order_by(MassMailing.id)).all()
    outbox = text_of(staff_client.get("/outbox/"))
    assert "Seneste udsendelser" in outbox
    assert "Mail til Vand: Regnvand" in outbox and "Nyhedsbrev: Nyt fra Holmen" in outbox
    assert outbox.count("i kø, 0 sendt, 0 fejlet") == 2
    only_group = unescape(staff_client.get(f"/outbox/?mailing={group.id}").get_data(as_text=True))
    assert "Kun mails fra udsendelsen" in only_group
    assert only_group.count("@alfa.example") + only_group.count("@beta.example") == 2
    assert "Regnvand" in only_group and "Nyt fra Holmen" not in only_group
    assert staff_client.get(f"/outbox/?mailing={2**70}").status_code == 200
