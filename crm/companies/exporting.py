"""Export of companies in the canonical columns of DESIGN.md, as CSV (UTF-8) or XLSX."""

import csv
import io
from decimal import Decimal

from sqlalchemy.orm import selectinload

from crm.companies.models import Company
from crm.extensions import db

COLUMNS = ("cvr", "name", "street", "postal_code", "city", "role", "employees", "area_m2", "industry",
           "contact_name", "contact_email", "contact_phone")


def plain_number(value):
    """Numbers written so any program reads them back: 1250, 12500.5."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)


def export_rows(statement):
    """One row per company with its primary contact, in the canonical columns."""
    statement = statement.options(selectinload(Company.contacts))
    for company in db.session.scalars(statement):
        contact = company.primary_contact
        yield {
            "cvr": company.cvr, "name": company.name, "street": company.street,
            "postal_code": company.postal_code, "city": company.city, "role": str(company.role),
            "employees": company.employees, "area_m2": company.area_m2, "industry": company.industry,
            "contact_name": contact.name if contact else "", "contact_email": (contact.email or "") if contact else "",
            "contact_phone": contact.phone if contact else "",
        }


def write_csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([plain_number(row[c]) if c in ("employees", "area_m2") else row[c] for c in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def write_xlsx(rows, title="Virksomheder"):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(COLUMNS)
    for row in rows:
        values = [row[c] for c in COLUMNS]
        values[COLUMNS.index("area_m2")] = float(row["area_m2"]) if row["area_m2"] is not None else None
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
