"""Green-transition cases as staff keep them: logged from the company page, on its timeline in the reader's
language, edited to an outcome, listed and filtered; the partners staff keep; company users never reach them."""

from datetime import date

from sqlalchemy import func, select

from crm.audit.models import AuditEntry
from crm.companies.models import Activity, Contact
from crm.exchange import case_services as services
from crm.exchange.case_models import CaseKind, CaseOutcome, CasePartner, GreenCase
from tests.conftest import csrf_token, post


def partner(db, name):
    return db.session.scalars(select(CasePartner).where(CasePartner.name == name)).one()


def timeline(db, company):
    return [activity.text for activity in db.session.scalars(
        select(Activity).where(Activity.company_id == company.id).order_by(Activity.id))]


def case_form(db, **values):
    return {"kind": "screening", "partner_id": str(partner(db, "Gate 21").id), "contact_id": "",
            "started_on": "2026-03-02", "ended_on": "", "outcome": "open", "note": "", **values}


def test_the_partners_the_network_works_with_are_there_from_the_start(db):
    names = [p.name for p in services.partners()]
    assert {"Erhvervshus Hovedstaden", "Gate 21", "Ekstern konsulent"} <= set(names)


def test_staff_log_a_case_from_the_company_page_and_see_it_there_and_on_the_timeline(staff_client, db,
                                                                                      make_company):
    company = make_company(name="Symbiose Stål ApS")
    contact = Contact(company_id=company.id, name="Mette Møller", email="mette@stal.example")
    db.session.add(contact)
    db.session.commit()
    page = staff_client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "Rådgivningsforløb" in page and f"/exchange/cases/companies/{company.id}/new" in page
    assert "Virksomheden har ingen rådgivningsforløb endnu." in page

    form = staff_client.get(f"/exchange/cases/companies/{company.id}/new").get_data(as_text=True)
    assert "Mette Møller" in form and "Gate 21" in form and "Kommer med, når virksomheden henter sine data" in form
    response = post(staff_client, f"/exchange/cases/companies/{company.id}/new",
                    case_form(db, contact_id=str(contact.id), note="Træpaller kan gå til naboen."))
    assert response.status_code == 302 and response.location.endswith(f"/companies/{company.id}#raadgivning")

    case = db.session.scalars(select(GreenCase).where(GreenCase.company_id == company.id)).one()
    assert (case.kind, case.outcome, case.contact_id, case.started_on) == (
        CaseKind.SCREENING, CaseOutcome.OPEN, contact.id, date(2026, 3, 2))
    assert case.created_by_id == staff_client.user.id
    page = staff_client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "Screening af affald og ressourcer (symbiose)" in page and "startet 02.03.2026" in page
    assert "Screening af affald og ressourcer for symbiose startet 02.03.2026. Partner: Gate 21." in page
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "case.create", AuditEntry.object_id == case.id)) == 1


def test_the_outcome_needs_an_end_and_shows_on_the_timeline_once(staff_client, db, make_company):
    company = make_company(name="Videre ApS")
    case = services.save_case(company, {"kind": CaseKind.ADVICE, "partner_id": None, "contact_id": None,
                                        "started_on": date(2026, 2, 1), "ended_on": None,
                                        "outcome": CaseOutcome.OPEN, "note": ""})
    db.session.commit()
    url = f"/exchange/cases/{case.id}/edit"
    refused = post(staff_client, url, case_form(db, kind="advice", partner_id="", started_on="2026-02-01",
                                                outcome="went_on"))
    assert refused.status_code == 422
    assert "Skriv datoen, forløbet sluttede, når det har et udfald." in refused.get_data(as_text=True)
    backwards = post(staff_client, url, case_form(db, kind="advice", partner_id="", started_on="2026-02-01",
                                                  ended_on="2026-01-01"))
    assert "Slutdatoen kan ikke ligge før startdatoen." in backwards.get_data(as_text=True)

    saved = post(staff_client, url, case_form(db, kind="advice", partner_id="", started_on="2026-02-01",
                                              ended_on="2026-04-30", outcome="went_on"))
    assert saved.status_code == 302
    entries = timeline(db, company)
    assert entries[-1] == "Forløbet fra 01.02.2026 er afsluttet 30.04.2026: virksomheden gik videre med en ny løsning."
    assert "Rådgivningen om grøn omstilling fra 01.02.2026 er ændret." in entries, "the end date changed too"

    before = len(timeline(db, company))
    again = post(staff_client, url, case_form(db, kind="advice", partner_id="", started_on="2026-02-01",
                                              ended_on="2026-04-30", outcome="went_on"))
    assert again.status_code == 302 and len(timeline(db, company)) == before, "saved unchanged: nothing logged"


def test_the_timeline_reads_in_the_readers_language(staff_client, db, make_company):
    company = make_company(name="Sprogsag ApS")
    services.save_case(company, {"kind": CaseKind.ENERGY, "partner_id": partner(db, "Gate 21").id,
                                 "contact_id": None, "started_on": date(2026, 5, 4), "ended_on": date(2026, 6, 1),
                                 "outcome": CaseOutcome.NOT_ON, "note": ""})
    db.session.commit()
    staff_client.post("/language", data={"csrf_token": csrf_token(staff_client), "lang": "en"})
    english = staff_client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "Energy screening started 04.05.2026. Partner: Gate 21." in english
    assert "did not go on" in english and "Energiscreening startet" not in english


def test_a_retired_partner_is_not_offered_for_new_cases_but_stays_on_old_ones(staff_client, db, make_company):
    company = make_company()
    response = post(staff_client, "/exchange/cases/partners", {"name": "Grøn Konsulent ApS"})
    assert response.status_code == 302
    consultant = partner(db, "Grøn Konsulent ApS")
    case = services.save_case(company, {"kind": CaseKind.ADVICE, "partner_id": consultant.id, "contact_id": None,
                                        "started_on": date(2026, 1, 5), "ended_on": None,
                                        "outcome": CaseOutcome.OPEN, "note": ""})
    db.session.commit()
    taken = post(staff_client, "/exchange/cases/partners", {"name": "Gate 21"})
    assert taken.status_code == 422 and "Der er allerede en partner med det navn." in taken.get_data(as_text=True)

    renamed = post(staff_client, f"/exchange/cases/partners/{consultant.id}/edit",
                   {"name": "Grøn Rådgivning ApS"})  # the box unticked: retired
    assert renamed.status_code == 302
    db.session.refresh(consultant)
    assert (consultant.name, consultant.active) == ("Grøn Rådgivning ApS", False)
    assert "Grøn Rådgivning ApS" not in staff_client.get(
        f"/exchange/cases/companies/{company.id}/new").get_data(as_text=True)
    assert "Grøn Rådgivning ApS" in staff_client.get(f"/exchange/cases/{case.id}/edit").get_data(as_text=True)
    refused = post(staff_client, f"/exchange/cases/companies/{company.id}/new",
                   case_form(db, partner_id=str(consultant.id)))
    assert refused.status_code == 422 and "Vælg en af mulighederne på listen." in refused.get_data(as_text=True)
    kept = post(staff_client, f"/exchange/cases/{case.id}/edit",
                case_form(db, kind="advice", partner_id=str(consultant.id), started_on="2026-01-05",
                          note="Stadig i gang."))
    assert kept.status_code == 302, "a case keeps its retired partner"


def test_the_list_filters_by_year_kind_partner_and_outcome(staff_client, db, make_company):
    gate = partner(db, "Gate 21").id
    rows = [("Alfa ApS", CaseKind.ADVICE, gate, date(2025, 11, 1), date(2026, 2, 1), CaseOutcome.WENT_ON),
            ("Beta ApS", CaseKind.SCREENING, None, date(2026, 3, 1), None, CaseOutcome.OPEN),
            ("Gamma ApS", CaseKind.ADVICE, None, date(2024, 3, 1), date(2024, 5, 1), CaseOutcome.NOT_ON)]
    for name, kind, partner_id, started, ended, outcome in rows:
        services.save_case(make_company(name=name), {"kind": kind, "partner_id": partner_id, "contact_id": None,
                                                     "started_on": started, "ended_on": ended, "outcome": outcome,
                                                     "note": ""})
    db.session.commit()

    def listed(query):
        page = staff_client.get(f"/exchange/cases/?{query}").get_data(as_text=True)
        return [name for name, *_ in rows if name in page]

    assert listed("") == ["Alfa ApS", "Beta ApS", "Gamma ApS"]
    assert listed("year=2026") == ["Alfa ApS", "Beta ApS"], "a case running into the year is in it"
    assert listed("year=2026&kind=advice") == ["Alfa ApS"]
    assert listed(f"partner={gate}") == ["Alfa ApS"]
    assert listed("outcome=not_on") == ["Gamma ApS"]
    assert listed("kind=nonsense&year=abc") == ["Alfa ApS", "Beta ApS", "Gamma ApS"], "a bad filter is no filter"


def test_company_users_never_reach_the_cases(company_client, db):
    company = company_client.user.company
    case = services.save_case(company, {"kind": CaseKind.ADVICE, "partner_id": None, "contact_id": None,
                                        "started_on": date(2026, 1, 5), "ended_on": None,
                                        "outcome": CaseOutcome.OPEN, "note": "Intern vurdering"})
    db.session.commit()
    for url in ("/exchange/cases/", f"/exchange/cases/{case.id}/edit",
                f"/exchange/cases/companies/{company.id}/new", "/exchange/cases/partners"):
        assert company_client.get(url).status_code in (403, 404), url
    portal = company_client.get("/portal/company").get_data(as_text=True)
    assert "Rådgivningsforløb" not in portal and "Intern vurdering" not in portal


def test_the_edit_form_shows_the_case_as_saved(staff_client, db, make_company):
    company = make_company()
    contact = Contact(company_id=company.id, name="Ole Olsen", email="ole@firma.example")
    db.session.add(contact)
    db.session.flush()
    gate = partner(db, "Gate 21")
    case = services.save_case(company, {"kind": CaseKind.ENERGY, "partner_id": gate.id, "contact_id": contact.id,
                                        "started_on": date(2025, 9, 1), "ended_on": date(2025, 10, 1),
                                        "outcome": CaseOutcome.NOT_ON, "note": "Æ, ø og å."})
    db.session.commit()
    page = staff_client.get(f"/exchange/cases/{case.id}/edit").get_data(as_text=True)
    for selected in (f'selected value="{gate.id}"', f'selected value="{contact.id}"', 'selected value="energy"',
                     'selected value="not_on"', 'value="2025-09-01"', "Æ, ø og å."):
        assert selected in page, selected
