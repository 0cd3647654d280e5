"""The report's tables as rows with Danish column names, for CSV and XLSX through crm.downloads."""

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from crm.companies.forms import ROLE_LABELS, STATUS_LABELS
from crm.companies.models import Company
from crm.downloads import CSV, XLSX, as_download, table_csv, table_xlsx
from crm.i18n import day, localtime
from crm.reports.figures import FIGURES, SECTIONS


def download(columns, rows, title, file_format, filename, numbers=()):
    """The table as a CSV (`;`, BOM) or XLSX download."""
    if file_format == "xlsx":
        return as_download(table_xlsx(columns, rows, title, numbers), XLSX, f"{filename}.xlsx")
    return as_download(table_csv(columns, rows, numbers), CSV, f"{filename}.csv")


def plain(value, kind="count"):
    """A figure as a file writes it: plain numbers (kroner with two decimals for money), empty for none."""
    if value is None:
        return ""
    if kind == "ore":
        return format(Decimal(value) / 100, ".2f")
    if isinstance(value, float):
        return format(round(value, 1), "g")
    return str(value)


def company_statement(company_ids, role=None):
    statement = select(Company).where(Company.id.in_(company_ids)).order_by(Company.name, Company.id)
    return statement.where(Company.role == role) if role else statement


def company_columns():
    return (_("CVR-nr."), _("Navn"), _("Rolle"), _("Status"), _("Indmeldt"), _("Udmeldt"))


def company_rows(companies):
    return [[company.cvr, company.name, str(ROLE_LABELS.get(company.role, company.role)),
             str(STATUS_LABELS.get(company.status, company.status)), day(company.joined_on), day(company.left_on)]
            for company in companies]


def figure_columns(years):
    return (_("Afsnit"), _("Tal"), *(str(year) for year in years))


def figure_rows(history):
    """One row per figure, one column per year: history is {year: YearReport values}."""
    return [[str(SECTIONS[figure.section]), str(figure.label),
             *(plain(values.get(figure.key), figure.kind) for values in history.values())] for figure in FIGURES]


def meeting_columns():
    return (_("Møde"), _("Type"), _("Tidspunkt"), _("Virksomheder til stede"), _("Personer til stede"),
            _("Inviterede"), _("Svar"), _("Referat udsendt"))


def meeting_rows(rows, kind_labels):
    return [[row.title, str(kind_labels.get(row.kind, row.kind)), localtime(row.starts_at), str(row.companies),
             str(row.persons), str(row.invited), str(row.answered),
             localtime(row.minutes_published_at) if row.minutes_published_at else ""] for row in rows]
