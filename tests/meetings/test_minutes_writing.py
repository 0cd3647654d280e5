"""Writing minutes: lists without a blank line, the preview as typed, an owner picked by name, the PDF's present
companies and persons and who wrote the minutes."""

import io

from pypdf import PdfReader
from sqlalchemy import func, select

from crm.audit.models import AuditEntry
from crm.companies import services as company_services
from crm.meetings import attendance
from crm.meetings.documents import render_minutes
from crm.meetings.models import ActionItem, AttendanceStatus
from tests.conftest import post
from tests.meetings.test_minutes import held_meeting


def typed_in(item):
    """The headers of htmx's request as one types in the item's minutes field."""
    return {"HX-Request": "true", "HX-Trigger-Name": f"minutes-{item.id}"}


def test_a_list_right_after_a_line_of_text_is_a_list():
    html = str(render_minutes("Vi aftalte:\n- fælles container\n- afhentning hver fredag\n\n"
                              "Bagefter:\n1. tilbud\n2. valg"))
    assert "<p>Vi aftalte:</p>\n<ul>\n<li>fælles container</li>\n<li>afhentning hver fredag</li>\n</ul>" in html
    assert "<p>Bagefter:</p>\n<ol>\n<li>tilbud</li>\n<li>valg</li>\n</ol>" in html


def test_code_and_nested_lists_and_minus_numbers_are_left_as_written():
    assert "<li>" not in str(render_minutes("```\nkode\n- ikke et punkt\n```"))
    assert "<li>" not in str(render_minutes("Temperatur:\n-5 grader"))
    nested = str(render_minutes("- a\n    - b\n- c"))
    assert nested.count("<ul>") == 2 and "<p>" not in nested, "a nested list stays one tight list"


def test_the_preview_shows_the_typed_minutes_sanitised_and_stores_nothing(staff_client, db, make_company):
    meeting, _companies, _contacts = held_meeting(db, make_company, 1)
    item = meeting.agenda[0]
    entries = db.session.scalar(select(func.count()).select_from(AuditEntry))
    response = post(staff_client, f"/meetings/{meeting.id}/minutes/preview",
                    {f"minutes-{item.id}": "Status\n- **tilbud** hentet\n<script>alert(1)</script>"},
                    headers=typed_in(item))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<ul>\n<li><strong>tilbud</strong> hentet</li>" in html and "<script" not in html
    db.session.refresh(item)
    assert item.minutes == "" or item.minutes is None
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == entries


def test_the_preview_needs_the_csrf_token_staff_and_an_item_of_the_meeting(staff_client, company_client, db,
                                                                          make_company):
    meeting, _companies, _contacts = held_meeting(db, make_company, 1)
    other, _c, _p = held_meeting(db, make_company, 1)
    item = meeting.agenda[0]
    url = f"/meetings/{meeting.id}/minutes/preview"
    assert staff_client.post(url, data={f"minutes-{item.id}": "x"}, headers=typed_in(item)).status_code == 400
    assert staff_client.get(url).status_code == 405
    assert post(staff_client, f"/meetings/{other.id}/minutes/preview", {}, headers=typed_in(item)).status_code == 404
    assert post(company_client, url, {f"minutes-{item.id}": "x"}, headers=typed_in(item)).status_code in (403, 404)


def test_a_too_long_preview_is_refused_in_danish(staff_client, db, make_company):
    meeting, _companies, _contacts = held_meeting(db, make_company, 1)
    item = meeting.agenda[0]
    response = post(staff_client, f"/meetings/{meeting.id}/minutes/preview", {f"minutes-{item.id}": "Æ" * 50_001},
                    headers=typed_in(item))
    assert "Højst 50000 tegn" in response.get_data(as_text=True).replace(".", "")


def test_the_preview_button_shows_the_typed_text_without_saving(staff_client, db, make_company):
    meeting, _companies, _contacts = held_meeting(db, make_company, 1)
    item = meeting.agenda[0]
    page = staff_client.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert f'formaction="/meetings/{meeting.id}/minutes/preview"' in page, "the button works without scripts"
    response = post(staff_client, f"/meetings/{meeting.id}/minutes/preview", {
        f"minutes-{item.id}": "Punkter\n- første", f"decisions-{item.id}": "", "writer": "Ida"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<p>Punkter</p>\n<ul>\n<li>første</li>" in page and "Punkter\n- første</textarea>" in page
    db.session.refresh(item)
    db.session.refresh(meeting)
    assert not item.minutes and meeting.minutes_writer == ""


def test_an_owner_is_picked_by_name_and_the_lookup_suggests_companies(staff_client, company_client, db,
                                                                       make_company):
    meeting, _companies, _contacts = held_meeting(db, make_company, 1)
    haulier = make_company(name="Hvidovre Vognmandsforretning A/S")
    make_company(name="Holme Vognpark ApS")
    response = staff_client.get("/companies/lookup?field=owner&owner=vognmand")
    assert response.status_code == 200
    options = response.get_data(as_text=True)
    assert f'value="Hvidovre Vognmandsforretning A/S (CVR {haulier.cvr})"' in options and "Vognpark" not in options
    assert company_client.get("/companies/lookup?q=vogn").status_code in (403, 404)
    page = staff_client.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert 'list="owner-options"' in page and "Holme Vognpark ApS (CVR" in page, "the list works without scripts"

    post(staff_client, f"/meetings/{meeting.id}/actions",
         {"title": "Tilbud på kørsel", "owner": f"Hvidovre Vognmandsforretning A/S (CVR {haulier.cvr})"})
    post(staff_client, f"/meetings/{meeting.id}/actions", {"title": "Ring til parken", "owner": "holme vognpark aps"})
    owners = dict(db.session.execute(select(ActionItem.title, ActionItem.owner_company_id)).all())
    assert owners["Tilbud på kørsel"] == haulier.id
    assert owners["Ring til parken"] is not None and owners["Ring til parken"] != haulier.id


def test_a_name_that_is_not_one_company_is_refused_with_the_choices_and_kept(staff_client, db, make_company):
    meeting, _companies, _contacts = held_meeting(db, make_company, 1)
    first, second = make_company(name="Avedøre Service ApS"), make_company(name="Avedøre Service ApS")
    response = post(staff_client, f"/meetings/{meeting.id}/actions", {"title": "Byt paller", "owner": "Avedøre"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Mente du" in page and f"CVR {first.cvr}" in page and f"CVR {second.cvr}" in page
    assert 'value="Avedøre"' in page and 'value="Byt paller"' in page
    response = post(staff_client, f"/meetings/{meeting.id}/actions",
                    {"title": "Byt paller", "owner": "avedøre service aps"})
    assert response.status_code == 422 and "Flere virksomheder hedder" in response.get_data(as_text=True)
    assert db.session.scalars(select(ActionItem)).first() is None


def test_the_pdf_names_those_present_and_who_wrote_the_minutes(staff_client, db, make_company):
    meeting, companies, contacts = held_meeting(db, make_company, 3)
    second = company_services.add_contact(companies[0], {"name": "Bo Ærø", "email": "bo@r0.example"})
    attendance.mark(meeting, contacts[0], AttendanceStatus.PRESENT)
    attendance.mark(meeting, second, AttendanceStatus.PRESENT)
    attendance.mark(meeting, contacts[1], AttendanceStatus.EXCUSED)
    db.session.commit()
    item = meeting.agenda[0]
    post(staff_client, f"/meetings/{meeting.id}/minutes",
         {f"minutes-{item.id}": "Godt møde", f"decisions-{item.id}": "", "writer": "Karin Skriver"})
    db.session.refresh(meeting)
    assert meeting.minutes_writer == "Karin Skriver"
    response = staff_client.get(f"/meetings/{meeting.id}/minutes.pdf")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).split())
    assert "Referent: Karin Skriver" in text
    assert "Til stede" in text and "1 virksomhed, 2 personer" in text
    assert "Referatfirma 0 ApS: Bo Ærø, Læser 0" in text
    assert "Referatfirma 1 ApS" not in text, "excused is not present"
    assert "Referatfirma 2 ApS" not in text


def test_the_writer_is_suggested_as_the_user_and_kept_once_saved(staff_client, db, make_company):
    meeting, _companies, _contacts = held_meeting(db, make_company, 1)
    staff_client.user.name = "Sekretær Sofie"
    db.session.commit()
    page = staff_client.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert 'name="writer" type="text" value="Sekretær Sofie"' in page
    item = meeting.agenda[0]
    post(staff_client, f"/meetings/{meeting.id}/minutes",
         {f"minutes-{item.id}": "Kort", f"decisions-{item.id}": "", "writer": "Ole Referent"})
    page = staff_client.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert 'value="Ole Referent"' in page and 'value="Sekretær Sofie"' not in page
