"""What the system writes on a company's timeline is kept in Danish and shown in each reader's language; a person's
own note is shown as written."""

from sqlalchemy import select

from crm.companies import services
from crm.companies.models import Activity
from crm.groups import services as group_services
from crm.groups.models import WorkingGroup
from tests.conftest import csrf_token


def in_english(client):
    client.post("/language", data={"csrf_token": csrf_token(client), "lang": "en"})


def test_a_system_text_is_shown_in_the_readers_language_and_kept_in_danish(staff_client, db, make_company):
    company = make_company(name="Sprogfirma ApS")
    in_english(staff_client)
    with staff_client.application.test_request_context(headers={"Accept-Language": "en"}):
        services.add_contact(company, {"name": "Åse Ærø", "email": "aase@sprog.example"})
        water = db.session.scalars(select(WorkingGroup).where(WorkingGroup.slug == "vand")).one()
        group_services.add_members(water, [company])
        services.add_activity(company, "note", "Ringede om affald", by=None)
    db.session.commit()
    stored = {activity.message: activity.text for activity in db.session.scalars(
        select(Activity).where(Activity.company_id == company.id))}
    assert stored["Kontaktperson tilføjet: %(name)s"] == "Kontaktperson tilføjet: Åse Ærø", "kept in Danish"
    assert stored[None] == "Ringede om affald"

    english = staff_client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "Contact person added: Åse Ærø" in english and "Joined the working group Vand." in english
    assert "Kontaktperson tilføjet" not in english and "Ringede om affald" in english
    staff_client.post("/language", data={"csrf_token": csrf_token(staff_client), "lang": "da"})
    danish = staff_client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "Kontaktperson tilføjet: Åse Ærø" in danish and "Med i arbejdsgruppen Vand." in danish


def test_an_erased_person_leaves_the_kept_values_too(staff_client, db, make_company):
    company = make_company(name="Glemmefirma ApS")
    contact = services.add_contact(company, {"name": "Bodil Glemsom", "email": "bodil@glem.example"})
    db.session.commit()
    services.erase_contact(contact)
    db.session.commit()
    activity = db.session.scalars(select(Activity).where(Activity.company_id == company.id,
                                                         Activity.message.is_not(None))).first()
    assert "Bodil" not in activity.text and "Bodil" not in str(activity.message_values)
    in_english(staff_client)
    assert "Bodil" not in staff_client.get(f"/companies/{company.id}").get_data(as_text=True)
