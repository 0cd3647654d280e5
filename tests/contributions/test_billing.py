"""Billing runs: one invoice per paying company and year, gap-free numbers, mails with the PDF made when sent."""

from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from crm.companies.models import Activity, CompanyStatus
from crm.contributions import billing, schemes
from crm.contributions.models import Contribution, ContributionState, InvoiceSequence
from crm.mail.models import OutboundEmail
from tests.confirming import post_confirmed
from tests.conftest import post
from tests.contributions.helpers import YEAR, a_scheme, members


def invoices(db):
    return db.session.scalars(select(Contribution).order_by(Contribution.invoice_number)).all()


def test_billing_bills_each_paying_company_once_with_numbers_from_one(app, db, make_company):
    paying = members(db, make_company, n=3)
    make_company(name="Inviteret ApS", status=CompanyStatus.INVITED, employees=3)
    a_scheme(db)
    result = billing.bill(YEAR, today=date(YEAR, 2, 1))
    db.session.commit()
    rows = invoices(db)
    assert [row.invoice_number for row in rows] == [1, 2, 3]
    assert {row.company_id for row in rows} == {company.id for company in paying}
    # 2,000 kr. base + tiers 1,000 / 3,000 / 3,000 kr. (5, 15 and 25 employees), 25 % VAT on top
    assert sorted(row.net_ore for row in rows) == [300_000, 500_000, 500_000]
    assert all(row.vat_ore == row.net_ore // 4 and row.state == ContributionState.SENT for row in rows)
    assert rows[0].due_date == date(YEAR, 3, 3) and len(result.billed) == 3
    mails = db.session.scalars(select(OutboundEmail).where(OutboundEmail.object_type == "contributions")).all()
    assert len(mails) == 3 and all(mail.attachments[0].data is None for mail in mails), "PDF made at sending"
    assert mails[0].attachments[0].generator == "invoice_pdf"

    again = billing.bill(YEAR, today=date(YEAR, 3, 1))
    db.session.commit()
    assert again.billed == [] and again.already_billed == 3 and len(invoices(db)) == 3


def test_a_company_joining_later_is_billed_prorated_by_the_next_run(app, db, make_company):
    members(db, make_company, n=1)
    a_scheme(db)
    billing.bill(YEAR, today=date(YEAR, 2, 1))
    db.session.commit()
    late = make_company(name="Nytilflytter ApS", status="member", employees=2, joined_on=date(YEAR, 10, 15))
    billing.bill(YEAR, today=date(YEAR, 10, 20))
    db.session.commit()
    row = db.session.scalar(select(Contribution).where(Contribution.company_id == late.id))
    # (2,000 + 1,000 kr.) x 3 of 12 months (October to December) = 750 kr.
    assert (row.invoice_number, row.months, row.net_ore, row.vat_ore) == (2, 3, 75_000, 18_750)
    assert row.state == ContributionState.DRAFT, "no contact with e-mail: billed, not mailed"
    assert {"part": "prorated", "months": 3} in row.lines


def test_billing_a_year_without_an_adopted_scheme_is_refused(app, db, make_company):
    members(db, make_company, n=1)
    a_scheme(db, adopt=False)
    with pytest.raises(billing.BillingRefused) as refused:
        billing.bill(YEAR)
    assert refused.value.reason == "no_scheme"
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == 0


def test_dry_run_takes_no_number_and_writes_nothing(app, db, make_company):
    members(db, make_company, n=2)
    a_scheme(db)
    result = billing.bill(YEAR, dry_run=True)
    db.session.commit()
    assert len(result.billed) == 2 and result.total_ore == (300_000 + 500_000) * 5 // 4
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == 0
    assert (db.session.get(InvoiceSequence, YEAR) is None
            or db.session.get(InvoiceSequence, YEAR).last_number == 0)


def test_the_cli_bills_and_its_dry_run_only_tells(app, db, make_company):
    members(db, make_company, n=2)
    a_scheme(db)
    runner = CliRunner()
    cli = app.cli.commands["contributions"]
    dry = runner.invoke(cli, ["bill", str(YEAR), "--dry-run"])
    assert dry.exit_code == 0 and "Ville fakturere 2" in dry.output
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == 0
    done = runner.invoke(cli, ["bill", str(YEAR)])
    assert done.exit_code == 0 and "Faktureret 2" in done.output
    missing = runner.invoke(cli, ["bill", str(YEAR + 1)])
    assert missing.exit_code == 1 and "ingen vedtaget ordning" in missing.output


def test_the_billing_page_previews_then_bills_once_even_when_posted_twice(admin_client, db, make_company):
    members(db, make_company, n=2)
    a_scheme(db)
    preview = admin_client.get(f"/contributions/billing?year={YEAR}")
    assert preview.status_code == 200 and "Fakturér 2 virksomheder" in preview.get_data(as_text=True)
    first = post_confirmed(admin_client, "/contributions/billing", {"year": YEAR})
    second = post_confirmed(admin_client, "/contributions/billing", {"year": YEAR})
    assert first.status_code == second.status_code == 302
    assert [row.invoice_number for row in invoices(db)] == [1, 2]
    empty = admin_client.get(f"/contributions/billing?year={YEAR + 5}")
    assert "ingen vedtaget ordning" in empty.get_data(as_text=True)


def test_staff_cannot_bill_and_company_users_reach_nothing(staff_client, company_client, db, make_company):
    members(db, make_company, n=1)
    a_scheme(db)
    assert post(staff_client, "/contributions/billing", {"year": YEAR}).status_code == 403
    assert company_client.get("/contributions/").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == 0


def test_the_finance_export_never_hands_a_spreadsheet_a_formula(staff_client, db, make_company):
    import io

    from openpyxl import load_workbook

    company = make_company(name='=HYPERLINK("http://evil.example","Klik")', status="member", employees=3)
    a_scheme(db)
    billing.bill(YEAR, today=date(YEAR, 2, 1))
    db.session.commit()
    csv_text = staff_client.get(f"/contributions/export?year={YEAR}&format=csv").data.decode("utf-8-sig")
    assert f"'{company.name}" in csv_text.replace('""', '"')
    sheet = load_workbook(io.BytesIO(staff_client.get(f"/contributions/export?year={YEAR}&format=xlsx").data)).active
    names = [row[6] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == [f"'{company.name}"] and sheet["G2"].data_type == "s", "kept as text, not run as a formula"
    assert [row[9] for row in sheet.iter_rows(min_row=2, values_only=True)] == [3750.0]


def test_an_invoice_states_its_discount_and_reason(app, db, make_company):
    first, second = members(db, make_company, n=2)
    scheme = a_scheme(db)
    schemes.set_adjustment(scheme, second, "discount", 25, "Ny i området")
    db.session.commit()
    billing.bill(YEAR, today=date(YEAR, 2, 1))
    db.session.commit()
    rows = {row.company_id: row for row in invoices(db)}
    # (2,000 + 3,000 kr.) less 25 % = 3,750 kr.
    assert rows[second.id].net_ore == 375_000
    assert {"part": "discount", "percent": 25, "reason": "Ny i området"} in rows[second.id].lines
    assert not any(line["part"] == "discount" for line in rows[first.id].lines)


# A bad recipient ----------------------------------------------------------------------------------------------------

def with_a_bad_contact(db, make_company):
    """Two members: "Bidragyder 0 A/S" with a good contact, "Bidragyder 1 A/S" whose contact's name holds CR/LF
    (old data, from before the forms refused it)."""
    good, bad = members(db, make_company, n=2)
    bad.contacts[0].name = "Karen\r\nBcc: alle@example.com"
    db.session.commit()
    return good, bad


def timeline(db, company):
    return db.session.scalars(select(Activity.text).where(Activity.company_id == company.id)
                              .order_by(Activity.id)).all()


def test_a_contact_name_with_a_line_break_skips_that_mail_not_the_billing_run(admin_client, db, make_company):
    good, bad = with_a_bad_contact(db, make_company)
    a_scheme(db)
    response = post_confirmed(admin_client, "/contributions/billing", {"year": YEAR}, follow_redirects=True)
    assert response.status_code == 200
    shown = " ".join(response.get_data(as_text=True).split())
    assert "2 fakturaer er lavet for 2031; 1 er lagt i udbakken." in shown
    assert "Bidragyder 1 A/S (Karen Bcc: alle@example.com)" in shown
    by_company = {row.company_id: row for row in invoices(db)}
    assert set(by_company) == {good.id, bad.id}
    assert by_company[good.id].state == ContributionState.SENT
    assert by_company[bad.id].state == ContributionState.DRAFT, "not mailed: it waits as a draft"
    (mail,) = db.session.scalars(select(OutboundEmail)).all()
    assert mail.to_address == "bogholder0@bidrag0.example"
    assert any("Faktura 2031-2 blev ikke sendt" in text and "Karen Bcc: alle@example.com" in text
               for text in timeline(db, bad))


def test_the_cli_names_the_recipient_it_skipped(app, db, make_company):
    with_a_bad_contact(db, make_company)
    a_scheme(db)
    result = CliRunner().invoke(app.cli.commands["contributions"], ["bill", str(YEAR)])
    assert result.exit_code == 0, result.output
    assert "Faktureret 2 virksomheder" in result.output
    assert "Bidragyder 1 A/S (Karen Bcc: alle@example.com)" in result.output
    assert db.session.scalar(select(func.count()).select_from(OutboundEmail)) == 1


def test_sending_a_draft_to_a_bad_recipient_is_refused_by_name_not_a_server_error(staff_client, db,
                                                                                  make_company):
    good, bad = with_a_bad_contact(db, make_company)
    a_scheme(db)
    billing.bill(YEAR, today=date(YEAR, 2, 1))
    db.session.commit()
    draft = db.session.scalar(select(Contribution).where(Contribution.company_id == bad.id))
    response = post(staff_client, f"/contributions/invoices/{draft.id}/send", follow_redirects=True)
    assert response.status_code == 200
    shown = " ".join(response.get_data(as_text=True).split())
    assert "Karen Bcc: alle@example.com" in shown and "Bidragyder 1 A/S" in shown
    db.session.refresh(draft)
    assert draft.state == ContributionState.DRAFT


def test_reminders_skip_a_bad_recipient_and_remind_the_rest(staff_client, db, make_company):
    good, bad = members(db, make_company, n=2)
    a_scheme(db)
    billing.bill(YEAR, today=date.today() - timedelta(days=50))  # due 20 days ago: the first reminder is due
    bad.contacts[0].name = "Karen\nBcc: alle@example.com"
    db.session.commit()
    response = post_confirmed(staff_client, f"/contributions/reminders?year={YEAR}", follow_redirects=True)
    assert response.status_code == 200
    shown = " ".join(response.get_data(as_text=True).split())
    assert "Påmindelser lagt i udbakken: 1 første, 0 anden." in shown
    assert "Bidragyder 1 A/S (Karen Bcc: alle@example.com)" in shown
    reminders = db.session.scalars(select(OutboundEmail).where(OutboundEmail.subject.like("Påmindelse%"))).all()
    assert [mail.to_address for mail in reminders] == ["bogholder0@bidrag0.example"]
