"""The year's goals: measured against the hand-built network's figures, said in the municipality's words, and kept
by staff through the form."""

import io
from decimal import Decimal

from docx import Document
from pypdf import PdfReader
from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.reports.figures import year_report
from crm.reports.goals import fill_narrative, measure
from crm.reports.models import ReportGoal
from tests.conftest import post
from tests.reports.conftest import NOW, YEAR


def goal(**values):
    return ReportGoal(**{"year": YEAR, "text": "Et mål", "manual_source": "", "narrative": "", **values})


def test_a_goal_on_a_figure_is_exceeded_reached_or_missed(built):
    values = year_report(YEAR, NOW).values  # two portal-active companies
    verdicts = {target: measure(goal(figure="portal_active", target=Decimal(target)), values)
                for target in (1, 2, 3)}
    assert verdicts[1].verdict == "Målet om 1 er dermed overgået." and verdicts[1].reached is True
    assert verdicts[2].verdict == "Målet om 2 er dermed nået." and verdicts[2].reached is True
    assert verdicts[3].verdict == "Målet om 3 er ikke nået." and verdicts[3].reached is False
    assert verdicts[3].result_text == "2"


def test_a_ceiling_is_reached_from_below(built):
    values = year_report(YEAR, NOW).values  # minutes 4,0 days after the meeting on average
    assert measure(goal(figure="days_to_minutes", target=Decimal(14)), values).verdict == \
        "Målet om højst 14 er dermed nået."
    missed = measure(goal(figure="days_to_minutes", target=Decimal(3)), values)
    assert (missed.reached, missed.verdict, missed.result_text) == (False, "Målet om højst 3 er ikke nået.",
                                                                   "4,0 dage")


def test_money_goals_are_in_kroner(built):
    values = year_report(YEAR, NOW).values  # 2.250 kr. billed
    measured = measure(goal(figure="billed", target=Decimal(2000)), values)
    assert measured.result == Decimal("2250")
    assert measured.verdict == "Målet om 2.000,00 kr. er dermed overgået."


def test_a_result_entered_by_hand_as_the_municipality_reports_it(db):
    advised = goal(text="Rådgive 10 virksomheder om grøn omstilling", target=Decimal(10),
                   manual_result=Decimal(18), manual_source="Erhvervsteamets opgørelse")
    measured = measure(advised, {})
    assert (measured.result_text, measured.verdict) == ("18", "Målet om 10 er dermed overgået.")


def test_a_goal_without_a_result_or_target_says_so(db):
    assert measure(goal(figure="average_companies", target=Decimal(25)), {"average_companies": None}).verdict == \
        "Der er endnu intet resultat at måle målet på."
    plain = measure(goal(figure="portal_active"), {"portal_active": 5})
    assert (plain.reached, plain.verdict, plain.result_text) == (None, "", "5")


def test_the_narrative_gets_the_years_figures_and_nothing_else_is_interpreted(app):
    text = "Portalen bruges af {portal_active} virksomheder; {unknown}, {0.__class__} og {billed}."
    with app.test_request_context():
        assert fill_narrative(text, {"portal_active": 78, "billed": 125_000}) == \
            "Portalen bruges af 78 virksomheder; {unknown}, {0.__class__} og 1.250,00 kr.."


def test_staff_set_a_goal_and_the_report_shows_it_against_the_result(staff_client, built, db):
    response = post(staff_client, f"/reports/{YEAR}/goals/new", {
        "text": "Mindst 3 portalaktive virksomheder", "figure": "portal_active", "target": "3",
        "manual_result": "", "manual_source": "", "narrative": "I år brugte {portal_active} virksomheder portalen."})
    assert response.status_code == 302
    saved = db.session.scalars(select(ReportGoal).where(ReportGoal.year == YEAR)).one()
    assert (saved.figure, saved.target) == ("portal_active", Decimal(3))
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "report.goal_saved")).one()
    page = staff_client.get(f"/reports/{YEAR}").get_data(as_text=True)
    assert "Mindst 3 portalaktive virksomheder" in page
    assert "Målet om 3 er ikke nået." in page  # the page counts with today's date; the logins are in 2024
    assert "I år brugte 2 virksomheder portalen." in page


def test_bad_goals_are_refused_in_danish_and_keep_what_was_typed(staff_client, db):
    cases = [
        ({"figure": "portal_active", "manual_result": "5", "manual_source": "Optælling"},
         "CRM'et tæller resultatet for det valgte tal"),
        ({"figure": "", "manual_result": "105", "manual_source": ""}, "Skriv, hvor resultatet kommer fra."),
        ({"target": "mange"}, "er ikke et tal"),
        ({"target": "-1"}, "Skriv et tal mellem 0 og 999.999.999.999."),
        ({"target": "1,555"}, "Skriv tallet med højst to decimaler."),
        ({"figure": "everything"}, "Vælg en af mulighederne på listen."),
    ]
    for fields, message in cases:
        data = {"text": "Et mål, der skal huskes", "figure": "", "target": "", "manual_result": "",
                "manual_source": "", "narrative": "Teksten bliver stående.", **fields}
        response = post(staff_client, f"/reports/{YEAR}/goals/new", data)
        page = response.get_data(as_text=True)
        assert response.status_code == 422, fields
        assert message in page, fields
        assert "Et mål, der skal huskes" in page and "Teksten bliver stående." in page
    assert db.session.scalars(select(ReportGoal)).all() == []


def test_a_goal_is_edited_and_deleted_only_under_its_own_year(staff_client, db):
    kept = ReportGoal(year=YEAR, text="Ti netværksmøder", figure="network_meetings", target=Decimal(10))
    db.session.add(kept)
    db.session.commit()
    assert staff_client.get(f"/reports/{YEAR + 1}/goals/{kept.id}/edit").status_code == 404
    assert post(staff_client, f"/reports/{YEAR + 1}/goals/{kept.id}/delete").status_code == 404
    response = post(staff_client, f"/reports/{YEAR}/goals/{kept.id}/edit", {
        "text": "Tolv netværksmøder", "figure": "network_meetings", "target": "12", "manual_result": "",
        "manual_source": "", "narrative": ""})
    assert response.status_code == 302
    db.session.refresh(kept)
    assert (kept.text, kept.target) == ("Tolv netværksmøder", Decimal(12))
    assert post(staff_client, f"/reports/{YEAR}/goals/{kept.id}/delete").status_code == 302
    assert db.session.get(ReportGoal, kept.id) is None


def test_the_report_pdf_has_the_goals_and_the_figures(staff_client, built, db):
    db.session.add(ReportGoal(year=YEAR, text="Mindst 7 virksomheder inviteret", figure="invited", target=Decimal(7),
                              narrative="{invited} virksomheder fik invitationer og referater."))
    db.session.commit()
    response = staff_client.get(f"/reports/{YEAR}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert "aarsrapport-2024.pdf" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    assert "Mindst 7 virksomheder inviteret" in text
    assert "Målet om 7 er dermed nået." in text
    assert "7 virksomheder fik invitationer og referater." in text
    assert "Netværksmøde marts" in text and "Prøvegruppe vand" in text


def test_the_report_word_file_has_the_goals_the_figures_and_the_tables(staff_client, built, db):
    db.session.add(ReportGoal(year=YEAR, text="Mindst 7 virksomheder inviteret", figure="invited", target=Decimal(7),
                              narrative="{invited} virksomheder fik invitationer og referater."))
    db.session.commit()
    response = staff_client.get(f"/reports/{YEAR}.docx")
    assert response.status_code == 200 and response.data.startswith(b"PK")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "aarsrapport-2024.docx" in response.headers["Content-Disposition"]
    document = Document(io.BytesIO(response.data))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert document.paragraphs[0].text == "Årsrapport 2024"
    assert "Mindst 7 virksomheder inviteret" in text and "Målet om 7 er dermed nået." in text
    assert "7 virksomheder fik invitationer og referater." in text
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    figures = {row[0]: row[1:] for table in tables for row in table}
    assert figures["Virksomheder, der har fået invitationer eller referater"][-1] == "7"
    assert figures["Tal"] == ["2020", "2021", "2022", "2023", "2024"], "the years before beside the year"
    meetings = next(table for table in tables if table[0][0] == "Møde")
    assert any(row[0] == "Netværksmøde marts" and row[2] == "10.03.2024 11:00" for row in meetings[1:])
    assert any(row[0] == "Prøvegruppe vand" for table in tables for row in table)
    assert staff_client.get(f"/reports/{YEAR + 5}.docx").status_code == 404


def pdf_text(data):
    """The text of a PDF, as a reader copies it out."""
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages)
