"""The check-in page at the door: search as you type, yes first, one collapsed row per company, a light page."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import insert, select, update

from crm.companies import services as company_services
from crm.companies.models import Company, Contact
from crm.companies.services import search_text_for
from crm.meetings import invitations, services
from crm.meetings.models import Invitation, Rsvp
from tests.conftest import post, valid_cvr

PLACES = ("Skandinavisk", "Vestegnens", "Sjællands", "Øresunds", "Hammerholm", "Kalvebod", "Søholm")
TRADES = ("Stålkonstruktion", "Vognmandsforretning", "Erhvervsrengøring", "Kaffebrænderi", "Betonelementer",
          "Miljøservice", "Grossistforretning")
FIRST = ("Mette", "Søren", "Åse", "Bjørn", "Kirsten", "Øjvind", "Pernille", "Frederik")
LAST = ("Søndergaard", "Kjærgaard", "Østergaard", "Frederiksen", "Christensen", "Damgaard")
TITLES = ("Administrerende direktør", "Miljøkoordinator", "Økonomiansvarlig")
#: Every fourth company answered yes, maybe, nothing, no (in that turn, by serial).
ANSWERS = (Rsvp.YES, Rsvp.MAYBE, None, Rsvp.NO)
#: The one person whose name no one else has.
UNIQUE_PERSON = "Ærenlund Blæsbjerg-Østergaard"


def a_meeting(db):
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    meeting = services.create_meeting({"title": "Netværksmøde på Holmen", "starts_at": starts,
                                       "ends_at": starts + timedelta(hours=2)})
    db.session.commit()
    return meeting


def company_name(serial):
    return f"{PLACES[serial % len(PLACES)]} {TRADES[serial // len(PLACES) % len(TRADES)]} {serial:03d} ApS"


def the_network_invited(db, count=394):
    """A meeting with `count` invited companies of three contacts each, as the demo network is, answered in turn
    yes / maybe / not / no. Returns the meeting and {serial: company id}."""
    meeting = a_meeting(db)
    companies = []
    for serial in range(count):
        company = Company(cvr=valid_cvr(700_000 + serial * 17), name=company_name(serial),
                          street=f"Stamholmen {serial % 120 + 1}", postal_code="2650", city="Hvidovre")
        people = [Contact(name=UNIQUE_PERSON if (serial, n) == (333, 2) else
                          f"{FIRST[(serial + n) % len(FIRST)]} {LAST[(serial * 3 + n) % len(LAST)]}",
                          title=TITLES[n], email=f"person{n}@firma{serial}.example", is_primary=n == 0)
                  for n in range(3)]
        companies.append({"cvr": company.cvr, "name": company.name, "street": company.street,
                          "postal_code": "2650", "city": "Hvidovre",
                          "search_text": search_text_for(company, people), "_people": people})
    db.session.execute(insert(Company), [{k: v for k, v in row.items() if k != "_people"} for row in companies])
    ids = dict(db.session.execute(select(Company.cvr, Company.id)).all())
    db.session.execute(insert(Contact), [
        {"company_id": ids[row["cvr"]], "name": person.name, "title": person.title, "email": person.email,
         "is_primary": person.is_primary} for row in companies for person in row["_people"]])
    invited = db.session.scalars(select(Company).where(Company.id.in_(ids.values()))).all()
    invitations.invite(meeting, invited)
    by_serial = {serial: ids[row["cvr"]] for serial, row in enumerate(companies)}
    for answer in ANSWERS:
        chosen = [company_id for serial, company_id in by_serial.items() if ANSWERS[serial % 4] == answer]
        db.session.execute(update(Invitation).where(Invitation.meeting_id == meeting.id,
                                                    Invitation.company_id.in_(chosen)).values(rsvp=answer))
    db.session.commit()
    return meeting, by_serial


def company_ids_shown(page):
    return [int(found) for found in re.findall(r'<li class="app-checkin-company" id="firma-(\d+)"', page)]


def more_link(page):
    """(plain href, htmx hx-get) of the "Vis flere" link, or None."""
    found = re.search(r'<li class="app-checkin-more">\s*<a [^>]*href="([^"]+)" hx-get="([^"]+)"', page)
    return (found.group(1).replace("&amp;", "&"), found.group(2).replace("&amp;", "&")) if found else None


def test_at_394_companies_the_page_stays_light_and_a_search_finds_any_company(staff_client, db):
    meeting, by_serial = the_network_invited(db)
    response = staff_client.get(f"/meetings/{meeting.id}/checkin")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(response.data) < 200_000, f"the check-in page is {len(response.data):,} bytes"
    shown = company_ids_shown(page)
    assert len(shown) == 50 and "394 virksomheder" in page and "Vis flere" in page
    # The company sorted last (it declined, and its name is late in the alphabet) is not among the first 50 ...
    last = by_serial[391]  # "Søholm Grossistforretning 391 ApS", answered no
    assert last not in shown and company_name(391) not in page
    # ... and typing part of its name finds it, as htmx asks while typing and as the plain form does.
    for headers in ({"HX-Request": "true"}, {}):
        found = staff_client.get(f"/meetings/{meeting.id}/checkin", query_string={"q": "SØHOLM GROSSIST 391"},
                                 headers=headers).get_data(as_text=True)
        assert company_ids_shown(found) == [last]
        assert ("<html" in found) is not bool(headers), "htmx gets the list alone, a plain request the page"
        assert "1 virksomhed matcher «SØHOLM GROSSIST 391»" in found
        assert f'id="firma-{last}">\n<details open>' in found, "a search with few answers opens them"
    # A person's name finds their company, in any case and with æøå.
    person = staff_client.get(f"/meetings/{meeting.id}/checkin", query_string={"q": "blæsbjerg-øSTERGAARD"},
                              headers={"HX-Request": "true"}).get_data(as_text=True)
    assert company_ids_shown(person) == [by_serial[333]] and UNIQUE_PERSON in person


def test_show_more_goes_on_where_the_list_ended_with_htmx_and_without(staff_client, db):
    meeting, _by_serial = the_network_invited(db)
    url = f"/meetings/{meeting.id}/checkin"
    first = staff_client.get(url).get_data(as_text=True)
    plain, htmx = more_link(first)
    assert parse_qs(urlsplit(plain).query) == {"limit": ["100"]}
    assert parse_qs(urlsplit(htmx).query) == {"offset": ["50"]}
    longer = company_ids_shown(staff_client.get(plain).get_data(as_text=True))
    assert len(longer) == 100 and longer[:50] == company_ids_shown(first)
    assert "autofocus" not in first + staff_client.get(f"{url}?offset=50").get_data(as_text=True)
    seen = company_ids_shown(first)
    while (link := more_link(first)) is not None:
        first = staff_client.get(link[1], headers={"HX-Request": "true"}).get_data(as_text=True)
        assert "<html" not in first and 'id="checkin-list"' not in first, "only the next companies"
        assert first.count("autofocus") == 1 and "<summary autofocus>" in first, "the keyboard goes on there"
        seen += company_ids_shown(first)
    assert len(seen) == len(set(seen)) == 394, "every company once, none twice"
    assert seen[:100] == longer


def test_yes_first_then_maybe_then_no_answer_and_declined_last(staff_client, db, make_company):
    meeting = a_meeting(db)
    answers = {"Aalborg Stål ApS": Rsvp.NO, "Brøndby Byg ApS": None, "Carlsen Catering ApS": Rsvp.MAYBE,
               "Dahl Data ApS": Rsvp.YES, "Ærø Emballage ApS": Rsvp.YES}
    companies = {name: make_company(name=name) for name in answers}
    invitations.invite(meeting, list(companies.values()))
    for name, answer in answers.items():
        db.session.execute(update(Invitation).where(Invitation.company_id == companies[name].id)
                           .values(rsvp=answer))
    db.session.commit()
    page = staff_client.get(f"/meetings/{meeting.id}/checkin").get_data(as_text=True)
    order = [companies[name].id for name in ("Dahl Data ApS", "Ærø Emballage ApS", "Carlsen Catering ApS",
                                             "Brøndby Byg ApS", "Aalborg Stål ApS")]
    assert company_ids_shown(page) == order
    assert "Vis flere" not in page
    row = page[page.index(f'id="firma-{companies["Brøndby Byg ApS"].id}"'):]
    assert "Ikke svaret" in row[:row.index("</summary>")]


def test_a_tap_shows_the_state_and_updates_the_company_row_and_the_counts(staff_client, db, make_company):
    meeting = a_meeting(db)
    company = make_company(name="Hvidovre Kaffebrænderi A/S")
    people = [company_services.add_contact(company, {"name": name, "email": f"{n}@kaffe.example"})
              for n, name in enumerate(("Åse Møller", "Bjørn Holm"))]
    invitations.invite(meeting, [company])
    db.session.commit()
    page = staff_client.get(f"/meetings/{meeting.id}/checkin").get_data(as_text=True)
    assert f'id="firma-{company.id}-til-stede" class="app-checkin-present"></span>' in page
    answer = post(staff_client, f"/meetings/{meeting.id}/attendance", {"contact_id": people[0].id,
                                                                       "status": "present"},
                  headers={"HX-Request": "true"}).get_data(as_text=True)
    person = answer[:answer.index("</li>")]
    assert 'class="app-checkin-person app-present"' in person and 'aria-pressed="true"' in person
    assert re.search(r"Til stede \d\d:\d\d", person), "the state says present, and since when"
    assert (f'id="firma-{company.id}-til-stede" class="app-checkin-present" hx-swap-oob="true">1 til stede'
            in answer)
    assert "personer til stede: 1" in answer
    post(staff_client, f"/meetings/{meeting.id}/attendance", {"contact_id": people[1].id, "status": "excused"})
    page = staff_client.get(f"/meetings/{meeting.id}/checkin").get_data(as_text=True)
    assert "1 til stede" in page and 'class="app-checkin-person app-excused"' in page


def test_without_javascript_a_tap_returns_to_the_search_with_the_company_open(staff_client, db, make_company):
    meeting = a_meeting(db)
    companies = [make_company(name=f"Stenholm Smedie {n} ApS") for n in range(8)]
    contact = company_services.add_contact(companies[5], {"name": "Kirsten Krogh", "email": "kk@smedie.example"})
    invitations.invite(meeting, companies)
    db.session.commit()
    page = staff_client.get(f"/meetings/{meeting.id}/checkin?q=smedie").get_data(as_text=True)
    assert "<details open>" not in page, "eight answers stay collapsed"
    action = re.search(rf'<form method="post" action="([^"]+)"[^>]*aria-labelledby="navn-{contact.id}"',
                       page).group(1).replace("&amp;", "&")
    answer = post(staff_client, action, {"contact_id": contact.id, "status": "present"})
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert parse_qs(location.query) == {"q": ["smedie"], "open": [str(companies[5].id)]}
    assert location.fragment == f"kontakt-{contact.id}"
    back = staff_client.get(f"{location.path}?{location.query}").get_data(as_text=True)
    assert f'id="firma-{companies[5].id}">\n<details open>' in back
    assert back.count("<details open>") == 1


@pytest.mark.parametrize("query", ["limit=-5", "limit=abc", "limit=99999999999999999999999", "offset=-1",
                                   "offset=9223372036854775807", "q=%0a%09%7f", "open=x", "q=" + "ø" * 500])
def test_odd_query_strings_answer_a_page(staff_client, db, make_company, query):
    meeting = a_meeting(db)
    invitations.invite(meeting, [make_company(name="Kystholm Plast ApS")])
    db.session.commit()
    for headers in ({}, {"HX-Request": "true"}):
        assert staff_client.get(f"/meetings/{meeting.id}/checkin?{query}", headers=headers).status_code == 200


def test_a_walk_in_company_says_so_on_its_row(staff_client, db, make_company):
    meeting = a_meeting(db)
    invitations.invite(meeting, [make_company(name="Kystholm Plast ApS")])
    db.session.commit()
    answer = post(staff_client, f"/meetings/{meeting.id}/walk-in", {"person_name": "Åse Ærø", "cvr": valid_cvr(4242),
                                                                     "company_name": "Uventet Besøg ApS"})
    assert answer.status_code == 302
    walked_in = db.session.scalars(select(Company).where(Company.name == "Uventet Besøg ApS")).one()
    page = staff_client.get(f"/meetings/{meeting.id}/checkin").get_data(as_text=True)
    row = page[page.index(f'id="firma-{walked_in.id}"'):]
    summary = row[:row.index("</summary>")]
    assert '<span class="app-tag app-answer-walk_in">Uanmeldt</span>' in summary and "1 til stede" in summary
    assert "Åse Ærø" in row[:row.index("</details>")] and "(uanmeldt)" in row[:row.index("</details>")]
