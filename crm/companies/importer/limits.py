"""The limits a workbook is read within, and the Danish refusals that name them.

Kept in one module so the reader and the XML part parsers check the same figures (tests lower them).
"""

import zipfile
import zlib
from xml.parsers import expat

from flask_babel import lazy_gettext as _l

from crm.companies.importer.rows import ImportFileError

#: The unpacked size of the whole workbook, as the zip declares it (zipfile never unpacks more than declared).
#: A list of 40,000 companies written by openpyxl (every text in its cell) unpacks to 33 MB, by Excel to less.
MAX_UNPACKED = 64 * 1024 * 1024
#: Unpacked size / packed size of any part over MAX_UNCHECKED_PART. Spreadsheet XML packs about 5-20 times.
MAX_RATIO = 100
MAX_UNCHECKED_PART = 1024 * 1024
#: A workbook has a dozen parts; one with thousands is made to be a burden.
MAX_PARTS = 1000
#: The workbook's parts other than its sheet and shared strings (workbook, relationships, styles) are small.
MAX_SMALL_PART = 16 * 1024 * 1024
#: A member list has < 50,000 rows of ~20 columns; these limits leave room above that and stop anything else.
MAX_ROWS = 100_000
MAX_COLUMNS = 200
#: Cells of the sheet, counted up to the last cell of each row (the empty ones before it are rows' values too).
MAX_CELLS = 1_500_000
#: XML elements of one part: a cell is two to four (c, v / c, is, t, ...).
MAX_ELEMENTS = 8_000_000
#: Excel's own limit of a cell's text.
MAX_CELL_TEXT = 32_767
#: The shared strings (each text of the sheet once) and their characters: a member list of 50,000 rows of 20
#: columns has fewer than a million different texts.
MAX_SHARED_STRINGS = 1_000_000
MAX_SHARED_TEXT = 30_000_000
#: What a damaged or foreign zip raises while it is read.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, KeyError, RuntimeError,
              NotImplementedError, expat.ExpatError)


def danish_number(number):
    """50000 as `50.000`."""
    return f"{number:,}".replace(",", ".")


def unreadable():
    return ImportFileError(_l(
        "Filen kan ikke læses som Excel-projektmappe (.xlsx). Gem den igen fra Excel som .xlsx eller CSV."
    ))


def sheet_too_large(rows=None, columns=None):
    if columns is not None:
        return ImportFileError(_l(
            "Arket er for bredt: det har celler i kolonne %(column)s, og højst %(limit)s kolonner læses. Slet "
            "kolonnerne til højre for listen, og prøv igen.", column=columns, limit=MAX_COLUMNS))
    if rows is not None:
        return ImportFileError(_l(
            "Arket er for stort: det går til række %(row)s, og højst %(limit)s rækker læses. Slet de tomme rækker "
            "under listen, eller del den op i flere filer.", row=danish_number(rows), limit=danish_number(MAX_ROWS)))
    return ImportFileError(_l(
        "Arket er for stort: det har flere end %(limit)s celler. Del listen op i flere filer.",
        limit=danish_number(MAX_CELLS)))
