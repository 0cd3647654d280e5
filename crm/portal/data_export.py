"""'Download our data': a ZIP with JSON and CSV of everything the CRM holds about a company and its contacts.

The archive is assembled from the parts the areas give (crm.signals.company_export_parts): each part becomes
NAME.json (the values as they are stored, English keys) and NAME.csv (Danish column names and values: the part's
words for stored values, Ja/Nej, days and Danish times as the app writes them; `;`, a BOM, written by the one guarded
writer in crm.downloads, so no text becomes a formula in a spreadsheet).
"""

import enum
import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _

from crm.downloads import table_csv
from crm.i18n import day, localtime
from crm.signals import collect, company_export_parts


def _plain(value):
    """A value as JSON writes it: times and dates in ISO 8601, amounts as text, enums as their value."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _cell(value, words=None):
    """A value as a Danish spreadsheet shows it: the part's word for a stored value, Ja/Nej, decimals with a comma,
    days as 02.12.2026 and times in Danish time."""
    if isinstance(value, bool):
        return _("Ja") if value else _("Nej")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f").replace(".", ",")
    if isinstance(value, datetime):
        return localtime(value)
    if isinstance(value, date):
        return day(value)
    if words and isinstance(value, str) and value in words:
        return str(words[value])
    value = _plain(value)
    return "" if value is None else value


def parts(company):
    """The company's export parts from every area, in order; one part per name."""
    gathered = sorted(collect(company_export_parts, company), key=lambda part: (part.order, part.name))
    names = [part.name for part in gathered]
    duplicated = {name for name in names if names.count(name) > 1}
    if duplicated:
        raise ValueError(f"the archive has more than one part called {sorted(duplicated)}")
    return gathered


def company_archive(company):
    """The ZIP of every part, as NAME.json and NAME.csv."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in parts(company):
            rows = [{key: _plain(value) for key, value in row.items()} for row in part.rows]
            archive.writestr(f"{part.name}.json", json.dumps(rows, ensure_ascii=False, indent=2))
            columns = list(part.columns)
            archive.writestr(f"{part.name}.csv", table_csv(
                [str(part.columns[key]) for key in columns],
                ([_cell(row.get(key), part.values.get(key)) for key in columns] for row in part.rows)))
    return buffer.getvalue()
