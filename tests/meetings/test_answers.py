"""Who answered: the invitation list's summary, its filter by answer, its export and the reminder from there."""

import io
import re
from datetime import UTC, datetime, timedelta
from html import unescape

from openpyxl import load_workbook
from sqlalchemy import select

from crm.companies import services as company_services
from crm.mail.models import OutboundEmail
from crm.meetings import invitations, services
from crm.meetings.models import Invitation
from tests.confirming import confirm, post_confirmed
from tests.conftest import post

#: Company -> its answer and its contacts (name, e-mail, also gets the meeting's mails).
NETWORK = {
    "Avedøre Stål ApS": ("yes", [("Åse Ærø", "aase@staal.example", False), ("Bo Bæk", "bo@staal.example", True)]),
    "Brøndby Byg A/S": ("no", [("Carl Krogh", "carl@byg.example", False)]),
    "Carlsen Catering ApS": ("maybe", [("Dorte Dahl", "dorte@catering.example", False)]),
    "Damgaard Data ApS": (None, [("Erik Friis", "erik@data.example", False),
                                 ("Finn Lager", "finn@data.example", False)]),  # Finn gets no meeting mail
    "Ølstykke Emballage I/S": (None, []),
}


def answered_network(db, make_company):
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=14)
    meeting = services.create_meeting({"title": "Netværksmøde om vand", "starts_at": starts,
                                       "ends_at": starts + timedelta(hours=2)})
    companies = {}
    for name, (_answer, people) in NETWORK.items():
        company = companies[name] = make_company(name=name)
        for person, email, also in people:
            company_services.add_contact(company, {"name": person, "email": email, "receives_meeting_mail": also})
    invitations.invite(meeting, list(companies.values()))
    invitations.send_invitations(meeting)
    for name, (answer, _people) in NETWORK.items():
        if answer:
            invitation = db.session.scalars(select(Invitation).where(
                Invitation.company_id == companies[name].id)).one()
            invitations.answer(invitation, answer)
    db.session.commit()
    return meeting, companies


def summary_of(page):
    """{answer name: (companies, persons)} from the summary table."""
    table = page[page.index('class="app-answer-summary"'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<th scope="row">(.*?)</th>\s*<td class="app-number">(\d+)</td><td class="app-number">(\d+)',
                      table)
    return {re.sub(r"<[^>]+>", "", name): (int(companies), int(persons)) for name, companies, persons in rows}


def listed(page):
    """The company names in the invitation list."""
    table = page[page.index('id="invitationer"'):]
    return re.findall(r'<td><a href="/companies/\d+">([^<]+)</a></td>', unescape(table))


def test_the_list_opens_with_the_summary_and_filters_by_answer(staff_client, db, make_company):
    meeting, _companies = answered_network(db, make_company)
    page = staff_client.get(f"/meetings/{meeting.id}/invitations").get_data(as_text=True)
    assert summary_of(page) == {"Ja": (1, 2), "Måske": (1, 1), "Nej": (1, 1), "Ikke svaret": (2, 1),
                                "I alt": (5, 5)}
    assert page.index("app-answer-summary") < page.index('id="invitationer"'), "the summary comes first"
    assert sorted(listed(page)) == sorted(NETWORK)
    not_answered = staff_client.get(f"/meetings/{meeting.id}/invitations?svar=none").get_data(as_text=True)
    assert listed(not_answered) == ["Damgaard Data ApS", "Ølstykke Emballage I/S"]
    assert summary_of(not_answered)["I alt"] == (5, 5), "the summary counts everybody whatever is shown"
    assert '<span aria-current="true" class="app-current">Ikke svaret</span>' in not_answered
    assert listed(staff_client.get(f"/meetings/{meeting.id}/invitations?svar=yes").get_data(as_text=True)) == [
        "Avedøre Stål ApS"]
    for odd in ("ja", "", "None", "x" * 500):
        assert sorted(listed(staff_client.get(f"/meetings/{meeting.id}/invitations",
                                              query_string={"svar": odd}).get_data(as_text=True))) == sorted(NETWORK)


def test_the_export_has_danish_columns_and_values_and_follows_the_filter(staff_client, db, make_company):
    meeting, companies = answered_network(db, make_company)
    invitation = db.session.scalars(select(Invitation).where(
        Invitation.company_id == companies["Avedøre Stål ApS"].id)).one()
    invitation.rsvp_at = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)  # winter time: 09:30 in Copenhagen
    db.session.commit()
    response = staff_client.get(f"/meetings/{meeting.id}/invitations.csv")
    assert response.data.startswith(b"\xef\xbb\xbf") and "attachment" in response.headers["Content-Disposition"]
    lines = response.data.decode("utf-8-sig").strip().splitlines()
    assert lines[0] == "Virksomhed;CVR-nr.;Svar;Svaret;Svaret af;Modtagere;E-mails;Påmindet;Mails"
    rows = {line.split(";")[0]: line.split(";") for line in lines[1:]}
    assert rows["Avedøre Stål ApS"][2:] == ["Ja", "02.03.2026 09:30", "Svarlink", "Åse Ærø, Bo Bæk",
                                           "aase@staal.example, bo@staal.example", "", "I udbakken"]
    assert [rows[name][2] for name in NETWORK] == ["Ja", "Nej", "Måske", "Ikke svaret", "Ikke svaret"]
    assert rows["Damgaard Data ApS"][5:7] == ["Erik Friis", "erik@data.example"]
    assert rows["Ølstykke Emballage I/S"][5:] == ["", "", "", "Ikke sendt"]
    filtered = staff_client.get(f"/meetings/{meeting.id}/invitations.xlsx?svar=none")
    assert "inviterede-" in filtered.headers["Content-Disposition"]
    sheet = list(load_workbook(io.BytesIO(filtered.data)).active.iter_rows(values_only=True))
    assert sheet[0][:3] == ("Virksomhed", "CVR-nr.", "Svar")
    assert [row[0] for row in sheet[1:]] == ["Damgaard Data ApS", "Ølstykke Emballage I/S"]
    page = staff_client.get(f"/meetings/{meeting.id}/invitations?svar=none").get_data(as_text=True)
    assert f"/meetings/{meeting.id}/invitations.csv?svar=none" in page


def test_remind_those_who_have_not_answered_from_the_list(staff_client, db, make_company):
    meeting, companies = answered_network(db, make_company)
    page = staff_client.get(f"/meetings/{meeting.id}/invitations").get_data(as_text=True)
    # Damgaard has a contact to mail; Ølstykke has nobody, so no invitation went and no reminder can.
    assert "Send påmindelse til dem, der ikke har svaret (1 virksomhed)" in page
    asked = post(staff_client, f"/meetings/{meeting.id}/remind")
    assert "erik@data.example" in unescape(asked.get_data(as_text=True)) and not db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.subject.startswith("Påmindelse"))).all(), "asked first, nothing sent"
    sent = confirm(staff_client, asked, follow_redirects=True).get_data(as_text=True)
    assert "Påmindelser i udbakken til dem, der ikke har svaret: 1." in unescape(sent)
    reminders = db.session.scalars(select(OutboundEmail).where(OutboundEmail.subject.startswith("Påmindelse"))).all()
    assert [(row.company_id, row.to_address) for row in reminders] == [
        (companies["Damgaard Data ApS"].id, "erik@data.example")]
    done = staff_client.get(f"/meetings/{meeting.id}/invitations").get_data(as_text=True)
    assert "Send påmindelse til dem, der ikke har svaret" not in done, "nobody left to remind"
    row = done[done.index("Damgaard Data ApS"):]
    row = row[:row.index("</tr>")]
    assert "I udbakken" in row and "påmindet" in row and "Sendt" not in row, "never 'sent' while queued"
    nobody = done[done.index("Ølstykke Emballage I/S"):]
    assert "påmindet" not in nobody[:nobody.index("</tr>")], "a company without contacts was reminded of nothing"
    post_confirmed(staff_client, f"/meetings/{meeting.id}/remind")
    assert len(db.session.scalars(select(OutboundEmail).where(
        OutboundEmail.subject.startswith("Påmindelse"))).all()) == 1
