"""The audit log as staff read it: Danish names, formatted old -> new values, names instead of ids, no JSON."""

from datetime import UTC, datetime, timedelta

from crm.audit.services import record
from crm.meetings import services as meeting_services


def test_the_log_reads_as_danish_sentences_not_json(admin_client, db, make_company):
    company = make_company(name="Søholm Stål ApS")
    record("company.update", obj=company, changes={"name": ["Søholm Staal ApS", "Søholm Stål ApS"],
                                                   "joined_on": [None, "2024-03-01"], "employees": [1250, 1300]})
    record("contributions.payment", object_type="contributions", object_id=999_999,
           changes={"amount_ore": 125_000, "paid_on": "2031-02-01", "reference": "Bank"})
    record("group.role", object_type="working_groups", object_id=None,
           changes={"company_id": company.id, "role": ["member", "chair"]})
    record("contact.update", changes={"newsletter_consent": [True, False]})
    record("contributions.scheme_adopted", changes={"year": 2026})
    db.session.commit()
    page = admin_client.get("/audit/").get_data(as_text=True)
    for text in ("Virksomhed ændret", "Virksomhed: Søholm Stål ApS", "Navn:</span> Søholm Staal ApS → Søholm Stål ApS",
                 "Medlem siden:</span> – → 01.03.2024", "Ansatte:</span> 1.250 → 1.300",
                 "Betaling registreret", "Beløb:</span> 1.250,00 kr.", "Betalt den:</span> 01.02.2031",
                 "Rolle i arbejdsgruppe ændret", "Virksomhed:</span> Søholm Stål ApS", "Rolle:</span> Medlem → Formand",
                 "Nyhedsbrev:</span> Ja → Nej", "Bidrag: #999999", "År:</span> 2026"):
        assert text in page, text
    log = page.split("<tbody>")[1].split("</tbody>")[0]
    for raw in ("\\u00f8", "company_id", "amount_ore", "{&#34;", '{"', "[&#34;"):
        assert raw not in log, raw
    assert '<option value="company.update">Virksomhed ændret</option>' in page


def test_the_time_stays_on_one_line(admin_client, db):
    record("auth.logout")
    db.session.commit()
    page = admin_client.get("/audit/").get_data(as_text=True)
    now = datetime.now(UTC)
    assert '<td class="app-nowrap">' in page and f".{now.year} " in page


def test_an_unknown_action_and_field_are_shown_plainly(admin_client, db):
    record("future.thing", changes={"some_field": "værdi"})
    db.session.commit()
    page = admin_client.get("/audit/").get_data(as_text=True)
    assert "future.thing" in page and "some field:</span> værdi" in page


def test_agenda_items_and_meetings_are_named(admin_client, db):
    starts = datetime.now(UTC)
    values = {"title": "Netværksmøde maj", "starts_at": starts, "ends_at": starts + timedelta(hours=1)}
    meeting = meeting_services.create_meeting(values, [("Solceller på tagene", "", 20)])
    record("meeting.minutes", obj=meeting, changes={"agenda_items": [meeting.agenda[0].id]})
    db.session.commit()
    page = admin_client.get("/audit/?action=meeting.minutes").get_data(as_text=True)
    assert "Møde: Netværksmøde maj" in page and "Dagsordenspunkter:</span> Solceller på tagene" in page


def test_staff_read_the_log_and_find_it_in_the_menu(staff_client, db, make_company):
    company = make_company(name="Holmens Maskiner ApS")
    record("company.update", obj=company, changes={"employees": [10, 12]})
    db.session.commit()
    home = staff_client.get("/").get_data(as_text=True)
    assert 'href="/audit/"' in home, "the log is in the staff's menu"
    page = staff_client.get("/audit/").get_data(as_text=True)
    assert "Virksomhed: Holmens Maskiner ApS" in page and "Ansatte:</span> 10 → 12" in page
