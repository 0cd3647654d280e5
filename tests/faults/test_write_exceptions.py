"""An exception in the middle of a request that writes (billing, merge, import): the user gets the Danish error
page, the database is exactly as before (every row of every table, read over another connection), and the same
action succeeds when sent again.

The fault is real code in the request's path: a receiver of the merge signal, or a hook on the engine that raises
just before a given statement, after the request has written other rows in its transaction.
"""

import io

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from crm.companies import services as company_services
from crm.companies.models import Activity, Company, CompanyImport, Contact, Plot
from crm.contributions.models import Contribution
from crm.extensions import db
from crm.mail.models import OutboundEmail
from crm.security import Role
from crm.signals import company_merged
from tests.confirming import confirmation_form, press
from tests.conftest import make_app, valid_cvr
from tests.contributions.helpers import a_scheme, members
from tests.faults.conftest import InjectedFault, at_statement, count, logged_in, new_company, snapshot

YEAR = 2033


@pytest.fixture(scope="module")
def app(fault_database_url):
    app = make_app(fault_database_url)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def admin(app):
    return logged_in(app, Role.ADMIN, "fejl-admin@holme.example")


def assert_error_page(response):
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert '<html lang="da">' in page and "Der skete en fejl" in page
    assert "InjectedFault" not in page and "Traceback" not in page


def test_billing_that_fails_after_writing_the_invoices_leaves_the_database_unchanged(app, admin, fault_database_url):
    with app.app_context():
        payers = members(db, new_company, n=8)
        a_scheme(db, year=YEAR)
    before = snapshot(fault_database_url)

    billing = confirmation_form(admin.post("/contributions/billing", data={"year": YEAR, "csrf_token": admin.csrf}))
    with at_statement(app, "INSERT INTO outbound_emails") as written:
        response = press(admin, billing)

    assert_error_page(response)
    assert "INSERT INTO contributions" in written and "UPDATE invoice_sequences" in written, written
    assert snapshot(fault_database_url) == before

    assert press(admin, billing).status_code == 302, "the failed run spent not even its confirmation"
    with app.app_context():
        numbers = db.session.scalars(select(Contribution.invoice_number).where(Contribution.year == YEAR)
                                     .order_by(Contribution.invoice_number)).all()
    assert numbers == list(range(1, len(payers) + 1)), "the failed run used no invoice number"
    assert count(app, OutboundEmail, OutboundEmail.object_type == "contributions") == len(payers)


def test_a_merge_that_fails_after_the_areas_moved_their_rows_leaves_both_companies_as_they_were(
        app, admin, fault_database_url):
    with app.app_context():
        survivor = new_company(name="Holmens Stål A/S")
        duplicate = new_company(name="Holmens Staal A/S", street="Jernholmen 3")
        company_services.add_contact(survivor, {"name": "Anne Andersen", "email": "anne@stal.example",
                                                "is_primary": True})
        company_services.add_contact(duplicate, {"name": "Jens Jensen", "email": "jens@stal.example"})
        company_services.add_activity(duplicate, "note", "Vigtig note om affald")
        db.session.add(Plot(cadastral_number="7c Avedøre By", owner_id=duplicate.id))
        db.session.commit()
        survivor_id, duplicate_id, duplicate_cvr = survivor.id, duplicate.id, duplicate.cvr
    form = {"other_cvr": duplicate_cvr, "confirm": str(duplicate_id), "csrf_token": admin.csrf}
    before = snapshot(fault_database_url)
    seen_in_the_transaction = []

    def fail_after_the_others(survivor, duplicate):
        seen_in_the_transaction.append(db.session.scalar(
            select(func.count()).select_from(Contact).where(Contact.company_id == duplicate.id)))
        raise InjectedFault("a receiver of the merge failed")

    company_merged.connect(fail_after_the_others)
    try:
        with at_statement(app) as written:  # only watching the writes
            response = admin.post(f"/companies/{survivor_id}/merge", data=form)
    finally:
        company_merged.disconnect(fail_after_the_others)

    assert_error_page(response)
    assert seen_in_the_transaction == [0], "the contacts had moved when the fault struck"
    assert any(statement.startswith("UPDATE") for statement in written), written
    assert snapshot(fault_database_url) == before

    assert admin.post(f"/companies/{survivor_id}/merge", data=form).status_code == 302
    assert count(app, Company, Company.id == duplicate_id) == 0
    assert count(app, Activity, Activity.company_id == survivor_id, Activity.text == "Vigtig note om affald") == 1
    assert count(app, Plot, Plot.owner_id == survivor_id) == 1


def test_an_import_that_fails_after_writing_the_companies_leaves_the_upload_waiting_and_nothing_imported(
        app, admin, fault_database_url):
    header = "CVR-nr.;Firmanavn;Adresse;Postnr.;By;Ejer/lejer;Kontaktperson;E-mail"
    rows = [f"{valid_cvr(300_000 + 2 * n)};Importfirma {n} ApS;Stamholmen {n};2650;Hvidovre;Lejer;"
            f"Kontakt {n};kontakt{n}@import{n}.example" for n in range(30)]
    data = "\r\n".join([header, *rows]).encode("cp1252")
    upload = admin.post("/companies/import", data={"file": (io.BytesIO(data), "medlemmer.csv"),
                                                   "csrf_token": admin.csrf}, content_type="multipart/form-data")
    assert upload.status_code == 302
    with app.app_context():
        upload_id = db.session.scalar(select(func.max(CompanyImport.id)))
    companies_before = count(app, Company)
    before = snapshot(fault_database_url)

    with at_statement(app, "INSERT INTO contacts") as written:
        response = admin.post(f"/companies/import/{upload_id}/confirm", data={"csrf_token": admin.csrf})

    assert_error_page(response)
    assert "INSERT INTO companies" in written and "UPDATE company_imports" in written, written
    assert snapshot(fault_database_url) == before, "the upload still waits for confirmation; nothing imported"

    assert admin.post(f"/companies/import/{upload_id}/confirm", data={"csrf_token": admin.csrf}).status_code == 302
    assert count(app, Company) == companies_before + 30
    assert count(app, Contact, Contact.email.like("kontakt%@import%.example")) == 30


def _raise(error):
    def action(prefix):
        raise error
    return action


@pytest.mark.parametrize(("error", "status", "title"), [
    (OperationalError("INSERT INTO activities", {}, Exception("database is locked")), 503,
     "Holme CRM er midlertidigt utilgængelig"),
    (IntegrityError("INSERT INTO activities", {}, Exception("UNIQUE constraint failed")), 500, "Der skete en fejl"),
], ids=["unavailable", "broken-rule"])
def test_a_database_that_cannot_answer_now_is_a_503_and_a_broken_rule_a_500(app, admin, error, status, title):
    with app.app_context():
        company_id = new_company(name="Noteret ApS").id
    note = {"kind": "note", "text": f"Note der fejler med {status}", "csrf_token": admin.csrf}

    with at_statement(app, "INSERT INTO activities", _raise(error)):
        response = admin.post(f"/companies/{company_id}/activities", data=note)

    assert response.status_code == status and title in response.get_data(as_text=True)
    assert ("Retry-After" in response.headers) == (status == 503)
    assert count(app, Activity, Activity.text == note["text"]) == 0
    assert admin.get(f"/companies/{company_id}").status_code == 200, "the next request is served as usual"
