"""The yearly report's swap centre: the year's listings, exchanges, tonnes, CO2e and companies taking part, on the
page, in the PDF and in the Word file, and the list of companies behind the figure."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

from docx import Document
from pypdf import PdfReader
from sqlalchemy import select

from crm.exchange.models import ExchangeCategory, Listing, ListingKind, ListingState, Unit
from crm.exchange.savings import close_as_exchanged
from crm.reports.figures import year_report

YEAR = 2024


def listing(db, company, category, published, unit=Unit.PIECES, quantity=40):
    made = Listing(company_id=company.id, kind=ListingKind.OFFER, category_id=category.id, title="EUR-paller",
                   quantity=Decimal(quantity), unit=unit, state=ListingState.OPEN, published_at=published)
    db.session.add(made)
    db.session.flush()
    return made


def test_the_report_counts_the_years_exchanges_and_shows_them_by_category(db, make_company, staff_client):
    paller = db.session.scalars(select(ExchangeCategory).where(ExchangeCategory.slug == "paller")).one()
    andet = db.session.scalars(select(ExchangeCategory).where(ExchangeCategory.slug == "andet")).one()
    a, b, c, late = (make_company(name=name) for name in ("Holme Paller ApS", "Kystens Lager A/S", "Andet ApS",
                                                          "Næste År ApS"))
    # Pallets: 38 moved, 0.025 t and 10 kg CO2e each = 0.95 t and 380 kg; "andet" in kg: tonnes without a factor.
    close_as_exchanged(listing(db, a, paller, datetime(YEAR, 3, 1, tzinfo=UTC)), b.id, Decimal(38),
                       date(YEAR, 3, 20))
    close_as_exchanged(listing(db, c, andet, datetime(YEAR, 5, 1, tzinfo=UTC), Unit.KG, 500), None, Decimal(500),
                       date(YEAR, 5, 2))
    listing(db, a, paller, datetime(YEAR, 6, 1, tzinfo=UTC))  # still open: listed, not exchanged
    listing(db, late, paller, datetime(YEAR + 1, 1, 2, tzinfo=UTC))  # next year's
    db.session.commit()

    values = year_report(YEAR).values
    assert (values["exchange_listings"], values["exchanges"], values["exchange_companies"]) == (3, 2, 3)
    assert values["exchange_tonnes"] == 1.45 and values["exchange_co2e_tonnes"] == 0.38

    page = staff_client.get(f"/reports/{YEAR}").get_data(as_text=True)
    assert 'id="byttecentralen"' in page and "Ton CO2e undgået" in page and "Paller" in page
    assert "1 byt tæller kun ton" in page
    behind = staff_client.get(f"/reports/{YEAR}/companies/exchange").get_data(as_text=True)
    assert "Kystens Lager A/S" in behind and "Næste År ApS" not in behind

    pdf = staff_client.get(f"/reports/{YEAR}.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages).replace(" ", "")
    assert f"Byttecentralen{YEAR}" in text and "Tonholdtfraaffald" in text and "380" in text
    word = Document(io.BytesIO(staff_client.get(f"/reports/{YEAR}.docx").data))
    assert any(p.text == f"Byttecentralen {YEAR}" for p in word.paragraphs)
    cells = {cell.text for table in word.tables for row in table.rows for cell in row.cells}
    assert {"Paller", "Andet", "380"} <= cells
