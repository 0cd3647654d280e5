"""Importing and exporting company lists, from the command line and through the upload page."""

import io

from sqlalchemy import func, select

from crm.audit.models import AuditEntry
from crm.companies.models import Company, CompanyImport, Contact
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

    owner = make_company(name="Rund & Tur A/S", role="owner", employees=1250, area_m2=12500.5, street="Stamholmen 9")
    services.add_contact(owner, {"name": "Søren", "email": "soren@rund.example", "phone": "+45 11 22 33 44"})
    make_company(name="<b>Fed</b> ApS")
    db.session.commit()
    out = tmp_path / "eksport.csv"
    result = app.test_cli_runner().invoke(args=["companies", "export", "-o", str(out)])
    assert result.exit_code == 0
    text = out.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0] == ("cvr;name;street;postal_code;city;role;employees;area_m2;industry;contact_name;"
                                    "contact_email;contact_phone")
    assert ";1250;12500.5;" in text
    again = run_import(app, tmp_path, out.read_bytes(), name="eksport.csv")
    assert again.exit_code == 0 and "0 nye, 0 opdaterede, 2 uændrede" in again.output
    xlsx = tmp_path / "eksport.xlsx"
    app.test_cli_runner().invoke(args=["companies", "export", "-o", str(xlsx)])
    again = run_import(app, tmp_path, xlsx.read_bytes(), name="eksport.xlsx")
    assert "0 nye, 0 opdaterede, 2 uændrede" in again.output, again.output


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
