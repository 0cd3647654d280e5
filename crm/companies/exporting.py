"""Export of companies in the canonical columns of DESIGN.md, as CSV or XLSX, through the guarded table writer of
crm.downloads: what a portal user typed (`=HYPERLINK(...)` as a street) never runs as a formula in staff's
spreadsheet, and the importer reads the guarded text back as it was, so export and import round-trip."""

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.companies.importer import CANONICAL_COLUMNS
from crm.companies.models import Company, Contact
from crm.downloads import table_csv, table_xlsx
from crm.extensions import db

COLUMNS = CANONICAL_COLUMNS
#: Written as plain numbers (1250, 12500.5), never guarded as text.
NUMBER_COLUMNS = ("employees", "area_m2")


def plain_number(value):
    """Numbers written so any program reads them back: 1250, 12500.5."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def export_rows(statement):
    """One row per company with its primary contact, in the canonical columns."""
    statement = statement.options(selectinload(Company.contacts))
    for company in db.session.scalars(statement):
        contact = company.primary_contact
        yield {
            "cvr": company.cvr, "name": company.name, "street": company.street,
            "postal_code": company.postal_code, "city": company.city, "role": company.role,
            "employees": company.employees, "area_m2": company.area_m2, "industry": company.industry,
            "contact_name": contact.name if contact else "", "contact_email": (contact.email or "") if contact else "",
            "contact_phone": contact.phone if contact else "", "status": company.status,
            "member_since": company.joined_on,
        }


def exported_contacts(statement):
    """(id, company_id) of the primary contacts export_rows() writes for the companies of the statement."""
    companies = statement.with_only_columns(Company.id).order_by(None).subquery()
    return db.session.execute(select(Contact.id, Contact.company_id).where(
        Contact.is_primary, Contact.company_id.in_(select(companies.c.id)))).all()


def _cell(value, column):
    """A value as the canonical file writes it: plain numbers, English status and role words, ISO dates."""
    if column in NUMBER_COLUMNS:
        return plain_number(value)
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _table(rows):
    for row in rows:
        yield [_cell(row.get(column), column) for column in COLUMNS]


def write_csv(rows):
    """The rows as CSV: `;`, UTF-8 with BOM, the canonical header."""
    return table_csv(COLUMNS, _table(rows), NUMBER_COLUMNS)


def write_xlsx(rows, title="Virksomheder"):
    """The rows as a one-sheet workbook; employees and area as numbers."""
    return table_xlsx(COLUMNS, _table(rows), title, NUMBER_COLUMNS)
