"""The meeting forms refuse what they cannot store, in Danish, and keep what was typed."""

from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from crm.meetings import services
from crm.meetings.models import ActionItem, AgendaItem, Meeting
from tests.confirming import post_confirmed
from tests.conftest import post
from tests.meetings.test_meetings import plan
from tests.meetings.test_minutes import held_meeting


def page_text(response):
    return unescape(response.get_data(as_text=True))


def meetings(db):
    return db.session.scalar(select(func.count()).select_from(Meeting))


def a_planned_meeting(db):
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=20)
    meeting = services.create_meeting({"title": "Netværksmøde om vand", "starts_at": starts,
                                       "ends_at": starts + timedelta(hours=2)}, [("Velkomst", "", 10)])
    db.session.commit()
    return meeting


@pytest.mark.parametrize(("agenda", "problem"), [
    ("Velkomst; Formanden; 10\nP1; x; ²", "Linje 2: minutter skal være et helt tal fra 1 til 600, ikke «²»"),
    ("P1; x; 0", "Linje 1: minutter skal være et helt tal fra 1 til 600"),
    ("P1; x; 601", "Linje 1: minutter skal være et helt tal fra 1 til 600"),
    ("P1; x; 99999999999999999999999", "Linje 1: minutter skal være et helt tal fra 1 til 600"),
    ("Velkomst\n\n; Formanden; 10", "Linje 3: skriv punktets titel først."),
    ("T" * 201 + "; x; 10", "Linje 1: titlen må højst have 200 tegn; den har 201."),
    ("P1; " + "x" * 201, "Linje 1: oplægsholderen må højst have 200 tegn; der er 201."),
    ("P1; x; 10; ekstra", "Linje 1: højst tre dele adskilt af semikolon"),
    ("P1\x01; x; 10", "Linje 1: fjern det usynlige kontroltegn."),
])
def test_a_bad_agenda_line_is_refused_with_its_line_number_and_the_text_kept(staff_client, db, agenda, problem):
    response = plan(staff_client, agenda=agenda)
    assert response.status_code == 422
    text = page_text(response)
    assert problem in text
    assert agenda.split("\n")[0].replace("\x01", "")[:30] in text.replace("\x01", "")
    assert meetings(db) == 0


def test_a_good_agenda_keeps_every_part_and_blank_lines_and_a_trailing_semicolon_are_fine(staff_client, db):
    response = plan(staff_client, agenda="Velkomst; Formanden; 10\n\nAffald; Affaldsgruppen; 600;\nEventuelt")
    assert response.status_code == 302
    items = db.session.scalars(select(AgendaItem).order_by(AgendaItem.position)).all()
    assert [(i.title, i.presenter, i.minutes_allotted) for i in items] == [
        ("Velkomst", "Formanden", 10), ("Affald", "Affaldsgruppen", 600), ("Eventuelt", "", None)]


def test_a_title_over_the_limit_is_an_error_naming_the_limit_not_a_cut(staff_client, db):
    title = "Netværksmøde " + "ø" * 190
    response = plan(staff_client, title=title)
    assert response.status_code == 422
    text = page_text(response)
    assert "Højst 200 tegn; der er 203." in text and title in text
    assert meetings(db) == 0


@pytest.mark.parametrize(("field", "value"), [
    ("title", "Netværksmøde\r\nBcc: x@example.com"), ("title", "Netværksmøde\nom affald"),
    ("title", "Møde\x01"), ("place", "Stamholmen 5\r\nHvidovre"), ("series", "Netværk\rmøder"),
    ("online_url", "https://moede.example/rum\n"),
])
def test_one_line_values_with_a_line_break_are_refused(staff_client, db, field, value):
    response = plan(staff_client, **{field: value})
    assert response.status_code == 422
    assert "Skriv det på én linje, uden linjeskift eller kontroltegn." in page_text(response)
    assert meetings(db) == 0


def test_a_nul_in_the_description_is_refused(staff_client, db):
    response = plan(staff_client, description="Om affald\x01")
    assert response.status_code == 422 and "usynligt kontroltegn" in page_text(response)


@pytest.mark.parametrize(("day", "start", "end"), [
    ("0001-01-01", "00:30", "01:00"), ("9999-12-31", "23:30", "23:45"), ("1999-12-31", "15:00", "17:00"),
    ("2101-01-01", "15:00", "17:00"),
])
def test_dates_outside_the_sane_years_are_refused_when_planning(staff_client, db, day, start, end):
    response = plan(staff_client, day=day, start=start, end=end)
    assert response.status_code == 422
    assert "Vælg en dato mellem år 2000 og 2100." in page_text(response)
    assert meetings(db) == 0


def test_a_date_that_is_no_date_is_refused_in_danish(staff_client, db):
    response = plan(staff_client, day="10000-01-01")
    assert response.status_code == 422 and "Vælg en dato." in page_text(response)


def test_dates_outside_the_sane_years_are_refused_when_editing(staff_client, db):
    meeting = a_planned_meeting(db)
    data = {"title": meeting.title, "kind": "network", "group_id": "", "day": "0001-01-01", "start": "00:30",
            "end": "01:00"}
    response = post(staff_client, f"/meetings/{meeting.id}/edit", data)
    assert response.status_code == 422 and "Vælg en dato mellem år 2000 og 2100." in page_text(response)
    db.session.refresh(meeting)
    assert meeting.starts_at.year == (datetime.now(UTC) + timedelta(days=20)).year


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_next_meeting_on_an_absurd_date_is_refused_on_the_meeting_page(staff_client, db, day):
    meeting = a_planned_meeting(db)
    response = post(staff_client, f"/meetings/{meeting.id}/next", {"next_title": "Næste", "day": day})
    assert response.status_code == 422
    text = page_text(response)
    assert "Vælg en dato mellem år 2000 og 2100." in text and meeting.title in text
    assert meetings(db) == 1


def test_the_next_meeting_in_the_past_is_refused_with_the_date_kept(staff_client, db):
    meeting = a_planned_meeting(db)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    response = post(staff_client, f"/meetings/{meeting.id}/next", {"next_title": "Næste", "day": yesterday})
    assert response.status_code == 422
    text = page_text(response)
    assert "Mødet ligger i fortiden." in text and f'value="{yesterday}"' in text


@pytest.mark.parametrize(("data", "problem"), [
    ({"title": "Økonomi", "minutes_allotted": "²"}, "Skriv et helt tal, fx 15."),
    ({"title": "Økonomi", "minutes_allotted": "601"}, "Skriv et antal minutter fra 1 til 600."),
    ({"title": "Økonomi", "minutes_allotted": str(2**63)}, "Skriv et helt tal, fx 15."),
    ({"title": "Økonomi\r\nmere", "minutes_allotted": "10"}, "Skriv det på én linje"),
    ({"title": "Ø" * 201}, "Højst 200 tegn; der er 201."),
    ({"title": ""}, "Skriv punktets titel."),
])
def test_an_agenda_item_added_on_the_meeting_page_is_refused_with_what_was_typed(staff_client, db, data, problem):
    meeting = a_planned_meeting(db)
    response = post(staff_client, f"/meetings/{meeting.id}/agenda", data)
    assert response.status_code == 422
    text = page_text(response)
    assert problem in text
    if data["title"] and "\r" not in data["title"]:
        assert f'value="{data["title"]}"' in text
    assert [item.title for item in db.session.get(Meeting, meeting.id).agenda] == ["Velkomst"]


def test_an_agenda_item_is_added(staff_client, db):
    meeting = a_planned_meeting(db)
    response = post(staff_client, f"/meetings/{meeting.id}/agenda", {"title": "Økonomi", "presenter": "Kasserer",
                                                                     "minutes_allotted": "15"})
    assert response.status_code == 302
    item = db.session.get(Meeting, meeting.id).agenda[-1]
    assert (item.title, item.presenter, item.minutes_allotted) == ("Økonomi", "Kasserer", 15)


@pytest.mark.parametrize(("data", "problem"), [
    ({"title": "Ring til vognmanden", "due_on": "0001-01-01"}, "Vælg en dato mellem år 2000 og 2100."),
    ({"title": "Ring til vognmanden", "due_on": "9999-12-31"}, "Vælg en dato mellem år 2000 og 2100."),
    ({"title": "Ring til vognmanden", "due_on": "31-12-2030"}, "Skriv datoen som åååå-mm-dd"),
    ({"title": "R" * 501}, "Højst 500 tegn; der er 501."),
    ({"title": "Ring\r\ntil vognmanden"}, "Skriv det på én linje"),
    ({"title": ""}, "Skriv hvad opgaven går ud på."),
    ({"title": "Ring til vognmanden", "owner": "²²²²²²²²"}, "Ingen virksomhed hedder «²²²²²²²²»"),
    ({"title": "Ring til vognmanden", "owner": "10150817"}, "Der er ingen virksomhed med CVR-nummer 10150817."),
    ({"title": "Ring til vognmanden", "owner": "Ukendt Vognmand ApS (CVR 10150817)"},
     "Der er ingen virksomhed med CVR-nummer 10150817."),
    ({"title": "Ring til vognmanden", "owner_name": "N" * 201}, "Højst 200 tegn; der er 201."),
])
def test_an_action_item_is_refused_on_the_minutes_page_with_what_was_typed(staff_client, db, make_company, data,
                                                                            problem):
    meeting, _companies, _contacts = held_meeting(db, make_company, 1)
    response = post(staff_client, f"/meetings/{meeting.id}/actions", data)
    assert response.status_code == 422
    text = page_text(response)
    assert problem in text
    if len(data["title"]) < 100 and "\r" not in data["title"]:
        assert f'value="{data["title"]}"' in text
    if "owner" in data:
        assert f'value="{data["owner"]}"' in text
    assert db.session.scalars(select(ActionItem)).first() is None


def test_the_minutes_page_keeps_what_was_typed_when_a_text_is_too_long(staff_client, db, make_company):
    meeting, _companies, _contacts = held_meeting(db, make_company, 1)
    item = meeting.agenda[0]
    long_minutes = "Æ" * 50_001
    response = post(staff_client, f"/meetings/{meeting.id}/minutes", {
        f"minutes-{item.id}": long_minutes, f"decisions-{item.id}": "Vi går videre"})
    assert response.status_code == 422
    text = page_text(response)
    assert "Højst 50000 tegn; der er 50001." in text
    assert long_minutes in text and "Vi går videre" in text
    db.session.refresh(item)
    assert item.minutes == "" and item.decisions == ""
    too_long_decisions = post(staff_client, f"/meetings/{meeting.id}/minutes", {
        f"minutes-{item.id}": "Kort", f"decisions-{item.id}": "D" * 10_001})
    assert too_long_decisions.status_code == 422 and "Højst 10000 tegn" in page_text(too_long_decisions)
    saved = post(staff_client, f"/meetings/{meeting.id}/minutes", {
        f"minutes-{item.id}": "Æ" * 50_000, f"decisions-{item.id}": "Vi går videre"})
    assert saved.status_code == 302
    db.session.refresh(item)
    assert len(item.minutes) == 50_000 and item.decisions == "Vi går videre"


# -- walk-in, invitations, reminders --------------------------------------------------------------------------------


@pytest.mark.parametrize(("email", "problem"), [
    ("not an email", "Skriv en gyldig e-mail, fx navn@firma.dk."),
    ("ny@nybygger", "Skriv en gyldig e-mail, fx navn@firma.dk."),
    ("ny@nyb.example\r\nBcc: x@example.com", "Skriv en gyldig e-mail, fx navn@firma.dk."),
    ("e" * 250 + "@nyb.example", "Højst 254 tegn; der er 262."),
])
def test_a_walk_in_with_an_e_mail_that_is_no_e_mail_is_refused_with_what_was_typed(staff_client, db, make_company,
                                                                                   email, problem):
    from crm.companies.models import Contact
    from tests.meetings.test_attendance import meeting_with_invitees

    meeting, companies, _contacts = meeting_with_invitees(db, make_company, 1)
    response = post(staff_client, f"/meetings/{meeting.id}/walk-in", {
        "person_name": "Nina Nybegynder", "cvr": companies[0].cvr, "email": email})
    assert response.status_code == 422
    text = page_text(response)
    assert problem in text and 'value="Nina Nybegynder"' in text
    assert db.session.scalars(select(Contact).where(Contact.name == "Nina Nybegynder")).first() is None


@pytest.mark.parametrize(("data", "problem"), [
    ({"person_name": "", "cvr": "CVR"}, "Skriv personens navn."),
    ({"person_name": "Nina\r\nNybegynder", "cvr": "CVR"}, "Skriv det på én linje"),
    ({"person_name": "Nina", "cvr": "²²²²²²²²"}, "CVR-nummeret «²²²²²²²²» skal være 8 cifre"),
    ({"person_name": "Nina", "cvr": "1" * 100_000}, "Højst 20 tegn; der er 100000."),
    ({"person_name": "N" * 201, "cvr": "CVR"}, "Højst 200 tegn; der er 201."),
])
def test_a_walk_in_is_refused_in_danish_on_the_check_in_page(staff_client, db, make_company, data, problem):
    from tests.meetings.test_attendance import meeting_with_invitees

    meeting, companies, _contacts = meeting_with_invitees(db, make_company, 1)
    data = {key: value.replace("CVR", companies[0].cvr) for key, value in data.items()}
    response = post(staff_client, f"/meetings/{meeting.id}/walk-in", data)
    assert response.status_code == 422
    text = page_text(response)
    assert problem in text and "Fremmødt 0 ApS" in text
    if len(data["cvr"]) > 20:
        assert "skal være 8 cifre" not in text, "a value over the limit is not checked further"


def test_a_walk_in_with_an_e_mail_is_written_in(staff_client, db, make_company):
    from tests.meetings.test_attendance import meeting_with_invitees

    meeting, companies, _contacts = meeting_with_invitees(db, make_company, 1)
    response = post(staff_client, f"/meetings/{meeting.id}/walk-in", {
        "person_name": "Nina Nybegynder", "cvr": f"DK {companies[0].cvr}", "email": "Nina@Fremmoedt.example"})
    assert response.status_code == 302
    db.session.refresh(companies[0])
    assert "nina@fremmoedt.example" in [contact.email for contact in companies[0].contacts]


def test_remind_with_an_invitation_that_is_no_number_reminds_nobody(staff_client, db, make_company):
    from crm.mail.models import OutboundEmail
    from crm.meetings import invitations
    from tests.meetings.test_invitations import companies_with_contacts

    meeting = a_planned_meeting(db)
    invitations.invite(meeting, companies_with_contacts(db, make_company, 2))
    invitations.send_invitations(meeting)
    db.session.commit()
    for value in ("²", str(2**63), "1; DROP"):
        response = post(staff_client, f"/meetings/{meeting.id}/remind", {"invitation": value},
                        follow_redirects=True)
        assert response.status_code == 200
        assert "findes ikke. Genindlæs siden og prøv igen." in page_text(response)
    reminders = db.session.scalars(select(OutboundEmail).where(OutboundEmail.subject.startswith("Påmindelse"))).all()
    assert reminders == [], "a bad choice reminds nobody, not everybody"


def test_invite_by_search_ignores_the_working_group_chosen_above(staff_client, db, make_company):
    from crm.companies import services as company_services
    from crm.groups.models import WorkingGroup
    from crm.mail.models import OutboundEmail

    meeting = a_planned_meeting(db)
    company = make_company(name="Søgefirma ApS", status="member")
    company_services.add_contact(company, {"name": "Søren Søg", "email": "soeren@soeg.example"})
    db.session.commit()
    water = db.session.scalars(select(WorkingGroup).where(WorkingGroup.slug == "vand")).one()
    # The browser sends the group select too, whichever source is chosen.
    response = post_confirmed(staff_client, f"/meetings/{meeting.id}/invite", {
        "source": "filter", "q": "Søgefirma", "group": str(water.id), "role": "", "status": "", "tag": ""})
    assert response.status_code == 302
    assert db.session.scalars(select(OutboundEmail.to_address)).all() == ["soeren@soeg.example"]


@pytest.mark.parametrize(("data", "problem"), [
    ({"source": "cvrs", "cvrs": "10150817 12345678"}, "CVR-nummeret «12345678» findes ikke"),
    ({"source": "cvrs", "cvrs": "²²²²²²²²"}, "CVR-nummeret «²²²²²²²²» skal være 8 cifre"),
    ({"source": "cvrs", "cvrs": " "}, "Skriv mindst ét CVR-nummer."),
    ({"source": "nogen"}, "Vælg hvem der skal inviteres."),
    ({}, "Vælg hvem der skal inviteres."),
    ({"source": "group", "group": "²"}, "Vælg en arbejdsgruppe."),
    ({"source": "filter", "q": "x" * 201}, "Højst 200 tegn; der er 201."),
    ({"source": "filter", "q": "affald\x01"}, "Skriv det på én linje"),
])
def test_the_invite_form_is_refused_in_danish_with_what_was_typed(staff_client, db, data, problem):
    meeting = a_planned_meeting(db)
    response = post(staff_client, f"/meetings/{meeting.id}/invite", data)
    assert response.status_code == 422
    text = page_text(response)
    assert problem in text
    if data.get("cvrs", "").strip():
        assert f">\n{data['cvrs']}</textarea>" in text
    if data.get("source") in ("cvrs", "filter", "group"):
        assert f'value="{data["source"]}" checked' in text
