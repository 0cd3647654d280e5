"""Files out to the browser: downloads never shown inline, and tables whose text never runs as a formula."""

import csv
import io
import unicodedata
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

#: What a sheet title cannot hold, and what it becomes instead (the rest of the text stays as it was).
_TITLE_REPLACEMENTS = str.maketrans({"[": "(", "]": ")", "/": "-", "\\": "-", ":": " ", "*": " ", "?": " "})

def as_download(data, content_type, filename):
    """A response the browser saves as a file (the CSP and nosniff headers come on top)."""
    return Response(data, mimetype=content_type,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})


#: A text beginning with one of these is run as a formula by some spreadsheet program.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _needs_apostrophe(text):
    """A formula-like text, or one that would be read back as a guarded one: apostrophes before such a text."""
    return text.lstrip("'")[:1] in FORMULA_STARTS


def _safe_text(value):
    """Text a spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe, as Excel does."""
    if isinstance(value, str) and _needs_apostrophe(value):
        return "'" + value
    return value


def unguarded_text(text):
    """The text a table cell held before the writer guarded it: `'=1+2` is `=1+2` again, `'+45 12` is `+45 12`,
    and a text the writer never guards (`'Ø'`) stays as it is. The reader of our own exports uses it."""
    if text[:1] == "'" and _needs_apostrophe(text[1:]):
        return text[1:]
    return text


def _cell_text(value):
    """Text as a workbook can hold it: the control characters XML forbids are left out (openpyxl refuses them)."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _number(value):
    if isinstance(value, str):
        return float(value) if value else None
    return value


def table_csv(columns, rows, numbers=()):
    """A table as CSV the way Danish spreadsheets open it: `;`, UTF-8 with BOM. The columns named in `numbers`
    are written as they are; every other text is kept from becoming a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    plain = [column in numbers for column in columns]
    for row in rows:
        writer.writerow([value if number else _safe_text(value) for value, number in zip(row, plain, strict=True)])
    return buffer.getvalue().encode("utf-8-sig")


def sheet_title(text):
    """A title a spreadsheet accepts for a sheet, from any text: without []:*?/\\ and control characters, no
    apostrophe at either end, at most 31 characters, never empty and never Excel's reserved "History"."""
    text = "".join(" " if unicodedata.category(char).startswith("C") else char
                   for char in str(text or "").translate(_TITLE_REPLACEMENTS))
    title = " ".join(text.split()).strip("' ")[:31].rstrip("' ") or "Ark"
    return f"{title[:27]} (1)" if title.casefold() == "history" else title


def table_xlsx(columns, rows, title, numbers=()):
    """A table as a one-sheet workbook: the columns in `numbers` as numbers (from text like "1250.00" too), every
    other text never as a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(title))
    sheet.append(list(columns))
    plain = [column in numbers for column in columns]
    for row in rows:
        sheet.append([_number(value) if number else _cell_text(_safe_text(value))
                      for value, number in zip(row, plain, strict=True)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
