"""The company register as staff use it: list, search, create, edit, contacts, timeline, left, merge."""

from datetime import date

import pytest
from sqlalchemy import func, select

from crm.audit.models import AuditEntry
from crm.companies import services
from crm.companies.models import Activity, Company, CompanyStatus, Contact, Plot, Tenancy
from crm.companies.search import CompanyFilters, company_statement
from crm.extensions import db as _db
from tests.conftest import post, valid_cvr


def names(statement):
    return [company.name for company in _db.session.scalars(statement)]


def test_search_finds_name_cvr_street_contact_and_email_ignoring_case(db, make_company):
    hammer = make_company(name="Søholm Stål ApS", street="Hammerholmen 12")
    other = make_company(name="Jernholmen Bageri")
    services.add_contact(hammer, {"name": "Åse Ærø", "email": "ASE@soeholm.example"})
    services.refresh_search_text(other)
    db.session.commit()
    for query in ("søholm", "SØHOLM", "sø", "hammerholmen 12", hammer.cvr, "ærø", "åse", "ase@soeholm",
                  "stål søholm"):
        assert names(company_statement(CompanyFilters(q=query))) == ["Søholm Stål ApS"], query
    assert names(company_statement(CompanyFilters(q="ingen-sådan-virksomhed"))) == []
    assert "Jernholmen Bageri" in names(company_statement(CompanyFilters(q="bageri")))


def test_search_treats_quotes_and_percent_as_text(db, make_company):
    make_company(name='Firma "100%" ApS')
    db.session.commit()
    assert names(company_statement(CompanyFilters(q='"100%"'))) == ['Firma "100%" ApS']
    assert names(company_statement(CompanyFilters(q="%"))) == ['Firma "100%" ApS']


def test_list_filters_sorts_and_pages(staff_client, db, make_company):
    make_company(name="Alfa Ejer A/S", role="owner", status="member")
    make_company(name="Beta Lejer ApS", role="tenant", status="member")
    make_company(name="Gamma Lejer ApS", role="tenant", status="left")
    db.session.commit()
    page = staff_client.get("/companies/?role=tenant&status=member").get_data(as_text=True)
    assert "Beta Lejer ApS" in page and "Alfa Ejer A/S" not in page and "Gamma Lejer ApS" not in page
    page = staff_client.get("/companies/?sort=name&dir=desc").get_data(as_text=True)
    assert page.index("Gamma Lejer ApS") < page.index("Beta Lejer ApS") < page.index("Alfa Ejer A/S")


def test_list_pages_by_fifty(staff_client, db, make_company):
    for n in range(55):
        make_company(name=f"Sidefirma {n:02d} ApS")
    first = staff_client.get("/companies/?q=sidefirma").get_data(as_text=True)
    second = staff_client.get("/companies/?q=sidefirma&page=2").get_data(as_text=True)
    assert "55 virksomheder" in first
    assert "Sidefirma 00 ApS" in first and "Sidefirma 54 ApS" not in first
    assert "Sidefirma 54 ApS" in second


def test_export_is_exactly_what_is_filtered(staff_client, db, make_company):
    make_company(name="Eksport Ejer A/S", role="owner", employees=1250)
    make_company(name="Eksport Lejer ApS", role="tenant")
    db.session.commit()
    response = staff_client.get("/companies/export?format=csv&q=eksport&role=owner")
    text = response.data.decode("utf-8-sig")
    assert response.headers["Content-Disposition"].endswith('virksomheder.csv"')
    lines = text.strip().splitlines()
    assert lines[0].split(";")[:3] == ["cvr", "name", "street"]
    assert len(lines) == 2 and "Eksport Ejer A/S" in lines[1] and ";1250;" in lines[1]
    xlsx = staff_client.get("/companies/export?format=xlsx&q=eksport")
    assert xlsx.data[:2] == b"PK"


def test_create_a_company_with_its_primary_contact(staff_client, db):
    cvr = valid_cvr(4242)
    response = post(staff_client, "/companies/new", {
        "cvr": f"DK {cvr[:2]} {cvr[2:4]} {cvr[4:6]} {cvr[6:]}", "name": "Kystholmen Fisk ApS", "role": "owner",
        "status": "member", "employees": "12", "area_m2": "4500.5", "tags": "Affald, energi, affald",
        "contact-name": "Mette Mørch", "contact-email": "Mette@Kystfisk.example",
    })
    assert response.status_code == 302
    company = db.session.scalars(select(Company).where(Company.cvr == cvr)).one()
    assert company.name == "Kystholmen Fisk ApS" and company.tag_names == ["affald", "energi"]
    assert company.primary_contact.email == "mette@kystfisk.example"
    page = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mette Mørch" in page and "Virksomheden blev oprettet" in page


def test_same_cvr_is_refused_with_a_link_to_the_existing_company(staff_client, db, make_company):
    existing = make_company(name="Den Rigtige ApS")
    response = post(staff_client, "/companies/new", {"cvr": existing.cvr, "name": "Dublet ApS", "role": "tenant",
                                                      "status": "invited"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'href="/companies/{existing.id}"' in text and "findes allerede" in text
    assert db.session.scalar(select(func.count()).select_from(Company).where(Company.name == "Dublet ApS")) == 0


def test_bad_cvr_check_digit_is_explained(staff_client, db):
    response = post(staff_client, "/companies/new", {"cvr": "12345678", "name": "Forkert ApS", "role": "tenant",
                                                      "status": "invited"})
    assert response.status_code == 422
    assert "kontrolcifferet passer ikke" in response.get_data(as_text=True)


def test_similar_name_and_known_email_are_warned_before_create(staff_client, db, make_company):
    known = make_company(name="Stenholmen Maskinfabrik A/S")
    services.add_contact(known, {"name": "Lars", "email": "lars@sten.example"})
    db.session.commit()
    data = {"cvr": valid_cvr(777), "name": "Stenholmen Maskinfabrik ApS", "role": "tenant", "status": "invited",
            "contact-name": "Lars", "contact-email": "lars@sten.example"}
    warned = post(staff_client, "/companies/new", data)
    text = warned.get_data(as_text=True)
    assert "Findes virksomheden allerede?" in text and "lignende navn" in text and "e-mail findes allerede" in text
    assert services.find_by_cvr(data["cvr"]) is None
    created = post(staff_client, "/companies/new", {**data, "confirm_duplicates": "1"})
    assert created.status_code == 302 and services.find_by_cvr(data["cvr"]) is not None


def test_edit_is_audited_and_on_the_timeline(staff_client, db, make_company):
    company = make_company(name="Gammelt Navn ApS")
    response = post(staff_client, f"/companies/{company.id}/edit", {
        "cvr": company.cvr, "name": "Nyt Navn ApS", "role": "both", "status": "member", "employees": "40"})
    assert response.status_code == 302
    db.session.refresh(company)
    assert company.name == "Nyt Navn ApS" and company.employees == 40
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "company.update")).one()
    assert entry.changes["name"] == ["Gammelt Navn ApS", "Nyt Navn ApS"]
    assert "Oplysninger ændret" in staff_client.get(f"/companies/{company.id}").get_data(as_text=True)


def test_left_the_area_instead_of_delete(staff_client, db, make_company):
    company = make_company(status="member")
    post(staff_client, f"/companies/{company.id}/left", {"left_on": "2026-06-30"})
    db.session.refresh(company)
    assert company.status == CompanyStatus.LEFT and str(company.left_on) == "2026-06-30"
    assert staff_client.get(f"/companies/{company.id}").status_code == 200


def test_notes_calls_and_visits_on_the_timeline(staff_client, db, make_company):
    company = make_company()
    post(staff_client, f"/companies/{company.id}/activities", {"kind": "call", "text": "Talte om <b>affald</b>"})
    page = staff_client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "Talte om &lt;b&gt;affald&lt;/b&gt;" in page and "Opkald" in page
    assert post(staff_client, f"/companies/{company.id}/activities", {"kind": "note", "text": ""}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Activity).where(
        Activity.company_id == company.id, Activity.kind == "call")) == 1


def test_contacts_add_edit_and_remove_keeps_the_timeline_words(staff_client, db, make_company):
    company = make_company()
    post(staff_client, f"/companies/{company.id}/contacts/new", {"name": "Bjørn Bæk", "email": "bjorn@x.example",
                                                                  "lawful_basis": "legitimate_interest"})
    contact = db.session.scalars(select(Contact).where(Contact.company_id == company.id)).one()
    assert contact.is_primary  # the first contact is primary
    duplicate = post(staff_client, f"/companies/{company.id}/contacts/new",
                     {"name": "Anden", "email": "BJORN@x.example", "lawful_basis": "consent"})
    assert duplicate.status_code == 422 and "allerede en kontaktperson" in duplicate.get_data(as_text=True)
    post(staff_client, f"/companies/{company.id}/contacts/{contact.id}/edit",
         {"name": "Bjørn Bæk", "email": "bjorn@x.example", "title": "Driftschef", "lawful_basis": "consent",
          "newsletter_consent": "y"})
    db.session.refresh(contact)
    assert contact.title == "Driftschef" and contact.newsletter_consent and contact.consent_at is not None
    post(staff_client, f"/companies/{company.id}/contacts/{contact.id}/delete")
    assert db.session.get(Contact, contact.id) is None
    page = staff_client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "Kontaktperson tilføjet: Bjørn Bæk" in page and "En kontaktperson blev fjernet." in page
    db.session.refresh(company)
    assert "bjorn" not in company.search_text


def test_another_companys_contact_id_is_404(staff_client, db, make_company):
    mine, theirs = make_company(), make_company()
    contact = services.add_contact(theirs, {"name": "Fremmed", "email": "f@x.example"})
    db.session.commit()
    assert staff_client.get(f"/companies/{mine.id}/contacts/{contact.id}/edit").status_code == 404
    assert post(staff_client, f"/companies/{mine.id}/contacts/{contact.id}/delete").status_code == 404
    assert db.session.get(Contact, contact.id) is not None


def test_merge_moves_everything_to_the_survivor_and_is_audited(staff_client, db, make_company, make_user):
    survivor = make_company(name="Holmens Stål A/S")
    duplicate = make_company(name="Holmens Staal A/S", street="Jernholmen 3", tags=[])
    services.add_contact(survivor, {"name": "Anne", "email": "anne@x.example"})
    services.add_contact(duplicate, {"name": "Anne igen", "email": "anne@x.example"})
    services.add_contact(duplicate, {"name": "Jens", "email": "jens@x.example"})
    services.add_activity(duplicate, "note", "Vigtig note")
    plot = Plot(cadastral_number="7b Avedøre By", owner_id=duplicate.id)
    db.session.add(plot)
    db.session.flush()
    db.session.add(Tenancy(plot_id=plot.id, company_id=duplicate.id))
    login = make_user("company", company=duplicate)
    db.session.commit()
    forged = staff_client.post(f"/companies/{survivor.id}/merge", data={"other_cvr": duplicate.cvr, "csrf_token": ""})
    assert forged.status_code == 400  # a merge posted without the form's CSRF token is refused
    assert "Formularen er udløbet eller blev ikke sendt fra Holme CRM." in forged.get_data(as_text=True)
    confirm = post(staff_client, f"/companies/{survivor.id}/merge", {"other_cvr": duplicate.cvr})
    assert "kan ikke fortrydes" in confirm.get_data(as_text=True)
    assert db.session.get(Company, duplicate.id) is not None  # nothing happens before the confirmation
    done = post(staff_client, f"/companies/{survivor.id}/merge", {"other_cvr": duplicate.cvr,
                                                                   "confirm": str(duplicate.id)})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Company, duplicate.id) is None
    survivor = db.session.get(Company, survivor.id)
    assert sorted(c.email for c in survivor.contacts) == ["anne@x.example", "jens@x.example"]
    assert survivor.street == "Jernholmen 3"
    assert db.session.get(Plot, plot.id).owner_id == survivor.id
    assert db.session.scalars(select(Tenancy.company_id)).all() == [survivor.id]
    assert db.session.get(type(login), login.id).company_id == survivor.id
    assert "Vigtig note" in staff_client.get(f"/companies/{survivor.id}").get_data(as_text=True)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "company.merge")).one()
    assert entry.changes["merged"][1] == duplicate.cvr
    assert "jens@x.example" in survivor.search_text


def test_plots_show_owner_and_tenants_from_either_side(staff_client, db, make_company):
    owner = make_company(name="Grundejer A/S", role="owner")
    tenant = make_company(name="Lejer ApS")
    post(staff_client, f"/companies/{owner.id}/plots", {"cadastral_number": "3c Avedøre By", "area_m2": "12500,5"})
    plot = db.session.scalars(select(Plot)).one()
    post(staff_client, f"/companies/{owner.id}/plots/{plot.id}/tenants", {"tenant_cvr": tenant.cvr,
                                                                           "from_date": "2024-01-01"})
    owner_page = staff_client.get(f"/companies/{owner.id}").get_data(as_text=True)
    tenant_page = staff_client.get(f"/companies/{tenant.id}").get_data(as_text=True)
    assert "3c Avedøre By" in owner_page and "Lejer ApS" in owner_page
    assert "3c Avedøre By" in tenant_page and "Grundejer A/S" in tenant_page


def test_script_in_a_name_is_stored_as_typed_and_shown_escaped(staff_client, db, make_company):
    company = make_company(name="<script>alert('x')</script> ApS")
    db.session.commit()
    page = staff_client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert db.session.get(Company, company.id).name.startswith("<script>")


def test_company_user_opening_a_company_is_refused_and_audited(company_client, db, make_company):
    other = make_company()
    for url in (f"/companies/{other.id}", f"/companies/{company_client.user.company_id}", "/companies/"):
        assert company_client.get(url).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "access.denied", AuditEntry.actor_id == company_client.user.id)) == 3


def test_dense_and_sparse_search_paths_give_the_same_page(db, make_company, monkeypatch):
    from crm.companies import search

    for n in range(12):
        make_company(name=f"Holmens Smedje {n:02d} ApS")
    make_company(name="Andet Firma ApS")
    filters = CompanyFilters(q="holmens smedje")
    sparse = search.company_page(filters, 2, per_page=5)
    monkeypatch.setattr(search, "DENSE_MATCHES", 3)  # many matches: walk the name index instead
    dense = search.company_page(filters, 2, per_page=5)
    assert sparse.total == dense.total == 12
    assert [c.name for c in sparse.items] == [c.name for c in dense.items] == [
        f"Holmens Smedje {n:02d} ApS" for n in range(5, 10)]
    assert dense.pages == 3 and dense.has_prev and dense.has_next
    assert search.company_page(filters, 99, per_page=5).page == 3  # past the end: the last page


def test_the_company_list_filters_on_a_working_group_the_groups_area_answers(staff_client, db, make_company):
    from crm.groups.models import GroupMembership, WorkingGroup

    water = db.session.scalars(select(WorkingGroup).where(WorkingGroup.slug == "vand")).one()
    member = make_company(name="Vandværket ApS")
    make_company(name="Tørre Tal ApS")
    db.session.add(GroupMembership(group_id=water.id, company_id=member.id))
    db.session.commit()
    page = staff_client.get("/companies/?group=vand").get_data(as_text=True)
    assert "Vandværket ApS" in page and "Tørre Tal ApS" not in page
    assert f'<option value="vand" selected>{water.name}</option>' in page
    assert "Vandværket ApS" not in staff_client.get("/companies/?group=findes-ikke").get_data(as_text=True)


def test_a_company_that_left_and_comes_back_as_a_member_is_no_longer_shown_as_left(staff_client, db, make_company):
    company = make_company(name="Tilbage Igen ApS", status="left", left_on=date(2025, 6, 30))
    post(staff_client, f"/companies/{company.id}/edit", {"cvr": company.cvr, "name": company.name,
                                                        "role": "tenant", "status": "member"})
    db.session.refresh(company)
    assert (company.status, company.left_on) == ("member", None)
    assert "Historikken er bevaret" not in staff_client.get(f"/companies/{company.id}").get_data(as_text=True)


def test_a_left_company_without_a_date_says_so_plainly(staff_client, db, make_company):
    company = make_company(name="Uden Dato ApS", status="left")
    page = staff_client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "Fraflyttet. Historikken er bevaret." in page and "Fraflyttet ." not in page


def test_a_refused_number_is_quoted_short_so_the_flash_fits_the_cookie():
    from crm.companies.importer import parse_danish_number

    with pytest.raises(ValueError) as refused:
        parse_danish_number("x" * 100_000)
    assert len(str(refused.value)) < 80 and "…" in str(refused.value)
