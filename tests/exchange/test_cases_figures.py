"""The cases in the year's figures and goals (companies, not cases), in the report's PDF and Word document, in the
company's data ZIP, through a merge and an erasure, and in the demo."""

import io
import zipfile
from datetime import date
from decimal import Decimal

from docx import Document
from sqlalchemy import func, select

from crm.companies.demo_data import load_network
from crm.companies.merging import merge_companies
from crm.companies.models import Contact
from crm.companies.services import erase_contact
from crm.exchange import case_services as services
from crm.exchange.case_demo import load_demo_cases
from crm.exchange.case_models import CaseKind, CaseOutcome, GreenCase
from crm.reports.figures import year_report
from crm.reports.goals import measure
from crm.reports.models import ReportGoal
from tests.reports.test_goals import pdf_text

YEAR = 2025


def case(company, kind, started, ended=None, outcome=CaseOutcome.OPEN, **values):
    return services.save_case(company, {"kind": kind, "partner_id": None, "contact_id": None, "started_on": started,
                                        "ended_on": ended, "outcome": outcome, "note": "", **values})


def test_the_year_counts_companies_advised_screened_and_gone_on(db, make_company):
    twice, once, screened, late = (make_company(name=name) for name in ("To ApS", "En ApS", "Skærm ApS", "Sen ApS"))
    case(twice, CaseKind.ADVICE, date(YEAR, 2, 1))
    case(twice, CaseKind.ADVICE, date(YEAR, 9, 1), date(YEAR, 10, 1), CaseOutcome.WENT_ON)
    case(once, CaseKind.ADVICE, date(YEAR, 12, 31))
    case(once, CaseKind.ENERGY, date(YEAR, 3, 1), date(YEAR, 4, 1), CaseOutcome.NOT_ON)
    case(screened, CaseKind.SCREENING, date(YEAR, 5, 1), date(YEAR, 6, 1), CaseOutcome.WENT_ON)
    # Started the year before and went on in this one: screened then, gone on now.
    case(late, CaseKind.SCREENING, date(YEAR - 1, 11, 1), date(YEAR, 1, 15), CaseOutcome.WENT_ON)
    case(late, CaseKind.ADVICE, date(YEAR + 1, 1, 1))
    db.session.commit()

    values = year_report(YEAR).values
    assert (values["advised"], values["screened"], values["gone_on"]) == (2, 1, 3), "companies, not cases"
    earlier = year_report(YEAR - 1).values
    assert (earlier["advised"], earlier["screened"], earlier["gone_on"]) == (0, 1, 0)

    goal = ReportGoal(year=YEAR, text="Rådgive 1 virksomhed om grøn omstilling", figure="advised",
                      target=Decimal(1), manual_source="", narrative="")
    assert measure(goal, values).verdict == "Målet om 1 er dermed overgået."


def test_the_report_shows_the_figures_and_the_goal_in_the_page_pdf_and_word(staff_client, db, make_company):
    for number in range(3):
        case(make_company(name=f"Rådgivet {number} ApS"), CaseKind.ADVICE, date(YEAR, 3, 1 + number))
    case(make_company(name="Screenet ApS"), CaseKind.SCREENING, date(YEAR, 4, 1), date(YEAR, 5, 1),
         CaseOutcome.WENT_ON)
    db.session.add(ReportGoal(year=YEAR, text="Mindst 2 virksomheder rådgives om grøn omstilling", figure="advised",
                              target=Decimal(2), manual_source="",
                              narrative="{advised} rådgivet; {screened} screenet, {gone_on} gået videre."))
    db.session.commit()

    page = staff_client.get(f"/reports/{YEAR}").get_data(as_text=True)
    assert 'id="groen-omstilling"' in page and "Virksomheder rådgivet om grøn omstilling" in page
    assert f"/exchange/cases/?year={YEAR}" in page and f"/reports/{YEAR}/companies/advised" in page
    listed = staff_client.get(f"/reports/{YEAR}/companies/advised").get_data(as_text=True)
    assert "Rådgivet 0 ApS" in listed and "Screenet ApS" not in listed
    pdf = pdf_text(staff_client.get(f"/reports/{YEAR}.pdf").data)
    assert "Grøn omstilling" in pdf and "Målet om 2 er dermed overgået." in pdf
    assert "3 rådgivet; 1 screenet, 1 gået videre." in pdf
    document = Document(io.BytesIO(staff_client.get(f"/reports/{YEAR}.docx").data))
    words = "\n".join(paragraph.text for paragraph in document.paragraphs)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Grøn omstilling" in words and "Virksomheder rådgivet om grøn omstilling" in cells


def test_the_data_zip_holds_the_cases_in_danish(company_client, db):
    company = company_client.user.company
    contact = Contact(company_id=company.id, name="Pia Poulsen", email="pia@firma.example")
    db.session.add(contact)
    db.session.flush()
    case(company, CaseKind.SCREENING, date(YEAR, 4, 1), date(YEAR, 5, 1), CaseOutcome.WENT_ON,
         contact_id=contact.id, note="Paller til naboen")
    db.session.commit()
    archive = zipfile.ZipFile(io.BytesIO(company_client.get("/portal/company/data.zip").data))
    table = archive.read("advice_cases.csv").decode("utf-8-sig")
    assert table.splitlines()[0] == "Slags forløb;Partner;Kontaktperson;Startet;Afsluttet;Udfald;Note"
    assert ("Screening af affald og ressourcer (symbiose);;Pia Poulsen;01.04.2025;01.05.2025;"
            "Gik videre med en ny løsning;Paller til naboen") in table
    assert '"outcome": "went_on"' in archive.read("advice_cases.json").decode()


def test_a_merge_moves_the_cases_and_joins_their_contact(db, make_company):
    survivor, duplicate = make_company(name="Holme Stål A/S"), make_company(name="Holme Staal A/S")
    kept = Contact(company_id=survivor.id, name="Jens Jensen", email="jens@stal.example")
    joined = Contact(company_id=duplicate.id, name="Jens Jensen", email="jens@stal.example")
    db.session.add_all([kept, joined])
    db.session.flush()
    moved = case(duplicate, CaseKind.ADVICE, date(YEAR, 1, 2), contact_id=joined.id)
    db.session.commit()
    merge_companies(survivor, duplicate)
    db.session.commit()
    db.session.expire_all()
    moved = db.session.get(GreenCase, moved.id)
    assert (moved.company_id, moved.contact_id) == (survivor.id, kept.id)


def test_an_erased_person_leaves_the_cases_but_the_cases_stay(db, make_company):
    company = make_company()
    person = Contact(company_id=company.id, name="Søren Sørensen", email="soren@firma.example")
    db.session.add(person)
    db.session.flush()
    kept = case(company, CaseKind.ADVICE, date(YEAR, 1, 2), contact_id=person.id,
                note="Søren Sørensen vil se på paller; soren@firma.example.")
    db.session.commit()
    erase_contact(person)
    db.session.commit()
    db.session.refresh(kept)
    assert kept.contact_id is None and kept.note == "Anonymiseret vil se på paller; Anonymiseret."
    assert year_report(YEAR).values["advised"] == 1


def test_the_demo_tells_last_years_story_once(db):
    load_network(394)
    today = date(2026, 6, 1)
    added = load_demo_cases(today=today)
    assert added == db.session.scalar(select(func.count()).select_from(GreenCase)) >= 30
    last_year = year_report(2025).values
    assert (last_year["advised"], last_year["screened"], last_year["gone_on"]) == (18, 7, 2)
    assert year_report(2026).values["advised"] == 4
    assert load_demo_cases(today=today) == 0, "loaded once"
