"""Reading an uploaded company list (CSV or XLSX bytes) into checked rows. No database work happens here.

What Danish offices really produce is accepted: UTF-8 with or without BOM and Windows-1252, `;`, `,` or tab,
Danish numbers (`1.250`, `12.500,5`), Excel's empty rows, XLSX. Problems with one row become that row's errors;
only a file that cannot be read at all raises ImportFileError.
"""

import codecs
import csv
import io
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l

from crm.companies.models import CompanyRole
from crm.cvr import normalise_cvr

CANONICAL_COLUMNS = ("cvr", "name", "street", "postal_code", "city", "role", "employees", "area_m2",
                     "industry", "contact_name", "contact_email", "contact_phone")

#: Headers people use for each canonical column; compared after normalise_header().
HEADER_ALIASES = {
    "cvr": ("CVR-nr.", "CVR-nummer", "CVR"),
    "name": ("Navn", "Firmanavn", "Virksomhed"),
    "street": ("Adresse", "Vejnavn", "address"),
    "postal_code": ("Postnr.", "Postnummer"),
    "city": ("By",),
    "role": ("Ejer/lejer", "Rolle"),
    "employees": ("Antal ansatte", "Ansatte"),
    "area_m2": ("Grundareal (m²)", "Areal", "area m2"),
    "industry": ("Branche",),
    "contact_name": ("Kontaktperson",),
    "contact_email": ("E-mail", "Email"),
    "contact_phone": ("Telefon", "Tlf."),
}

#: The database column sizes; a longer text is an error, never cut short.
MAX_LENGTHS = {"name": 200, "street": 200, "city": 100, "postal_code": 10, "industry": 200,
               "contact_name": 200, "contact_email": 254, "contact_phone": 50}

MAX_EMPLOYEES = 2**31 - 1
MAX_AREA_M2 = Decimal("9999999999.99")  # Numeric(12, 2)
#: Formulas are looked for with a second reading of the workbook, so only in files this small.
FORMULA_SCAN_LIMIT = 2 * 1024 * 1024
#: An XLSX is a zip file; refuse one that would unpack to more than this (a "zip bomb").
MAX_UNPACKED_XLSX = 500 * 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and password-protected .xlsx
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
DELIMITERS = (";", "\t", ",")  # ties go to the first

# UTF-8 for æ, ø, å and other Latin letters, or for typographic dashes and quotes. Read as Windows-1252 these
# are "Ã¦" and "â€“", which real text never contains: a file holding them and also bytes that are not UTF-8
# mixes two encodings, and reading it as Windows-1252 would mangle the UTF-8 part.
_UTF8_TRACES = re.compile(rb"\xc3[\x80-\xbf]|\xe2\x80[\x80-\xbf]")
_SEP_LINE = re.compile(r"sep=([^\r\n])(?:\r\n|\r|\n|$)", re.IGNORECASE)
_SPACED_GROUPS = re.compile(r"\d{1,3}(?: \d{3})+(?:[.,]\d+)?")
_COMMA_DECIMAL = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+),(\d+)")
_DOT_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_NUMBER_SPACES = str.maketrans({"\xa0": " ", "\u202f": " ", "\u2009": " "})
_HUNDREDTH = Decimal("0.01")


class ImportFileError(ValueError):
    """The whole file cannot be read; str() is a Danish message (names the line/row where relevant)."""


@dataclass
class ParsedRow:
    #: The row number as the user sees it in Excel (the header is row 1); empty rows are counted too.
    number: int
    #: Canonical column -> cleaned value, for the columns the file has. A cell that fails its check keeps
    #: its text as typed (stripped), so a preview can show it; a row with errors must not be imported.
    values: dict
    #: Danish reasons; empty when the row is valid.
    errors: list[str] = field(default_factory=list)


@dataclass
class ParsedFile:
    #: Canonical name -> the header text found in the file, in the file's order.
    columns: dict
    #: Headers not recognised; their columns are ignored.
    unknown_headers: list[str]
    rows: list[ParsedRow]
    warnings: list[str]
    #: "utf-8", "utf-8-sig" or "cp1252"; None for XLSX.
    encoding: str | None
    #: ";", "," or "\t"; None for XLSX.
    delimiter: str | None


def normalise_header(text):
    """A header reduced for comparison: case, spaces and punctuation dropped, `m²` read as `m2`."""
    folded = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return "".join(char for char in folded if char.isalnum())


_HEADER_LOOKUP = {
    normalise_header(alias): column
    for column, aliases in HEADER_ALIASES.items()
    for alias in (column, *aliases)
}

_ROLE_WORDS = {
    normalise_header(word): role
    for role, words in (
        (CompanyRole.OWNER, ("Ejer", "owner", "E")),
        (CompanyRole.TENANT, ("Lejer", "tenant", "L")),
        (CompanyRole.BOTH, ("Begge", "both", "Ejer og lejer", "ejer+lejer", "Lejer og ejer", "lejer+ejer")),
    )
    for word in words
}


def parse_file(data, filename):
    """The rows of an uploaded CSV or XLSX file, each checked; raises ImportFileError if it cannot be read."""
    if not data.removeprefix(codecs.BOM_UTF8).strip():
        raise ImportFileError(_l("Filen er tom."))
    if data.startswith(OLE2_MAGIC):
        raise ImportFileError(_l(
            "Filen er i det gamle Excel-format (.xls) eller beskyttet med adgangskode. Gem den som "
            "Excel-projektmappe (.xlsx) uden adgangskode eller som CSV, og prøv igen."
        ))
    if data.startswith(ZIP_MAGIC) or (filename or "").lower().endswith((".xlsx", ".xlsm")):
        return _parse_xlsx(data)
    return _parse_csv(data)


def parse_danish_number(text, *, integer=False):
    """`1.250`, `12.500,5`, `12 500,5` or plain `12500.5` as a number (int if integer, else Decimal); empty is None.

    A comma is the decimal comma and dots are then thousands separators; without a comma, dots in groups of
    three (`1.250`) are thousands separators, otherwise a dot is a decimal point. Spaces group thousands.
    Raises ValueError with a Danish message naming the text.
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise ValueError(_l("«%(text)s» er ikke et tal", text=text))
    if isinstance(text, int):
        return text if integer else Decimal(text)
    if isinstance(text, float | Decimal):
        if not math.isfinite(text):
            raise ValueError(_l("«%(text)s» er ikke et tal", text=text))
        value = Decimal(str(text)) if isinstance(text, float) else text
        shown = text
    else:
        shown = str(text).strip()
        if not shown:
            return None
        value = _danish_decimal(shown)
    if not integer:
        return value
    if value != value.to_integral_value():
        raise ValueError(_l("«%(text)s» er ikke et helt tal", text=shown))
    return int(value)


def _danish_decimal(text):
    cleaned = text.translate(_NUMBER_SPACES)
    negative = cleaned[0] in "-−"
    if cleaned[0] in "-−+":
        cleaned = cleaned[1:].lstrip()
    if " " in cleaned:
        if not _SPACED_GROUPS.fullmatch(cleaned):
            raise ValueError(_l("«%(text)s» er ikke et tal", text=text))
        cleaned = cleaned.replace(" ", "")
    if match := _COMMA_DECIMAL.fullmatch(cleaned):
        value = Decimal(f"{match[1].replace('.', '')}.{match[2]}")
    elif _DOT_THOUSANDS.fullmatch(cleaned):
        value = Decimal(cleaned.replace(".", ""))
    elif _PLAIN_NUMBER.fullmatch(cleaned):
        value = Decimal(cleaned)
    else:
        raise ValueError(_l("«%(text)s» er ikke et tal", text=text))
    return -value if negative and value else value


# --- CSV ---------------------------------------------------------------------------------------------------


def _parse_csv(data):
    if data.startswith(UTF16_BOMS):
        raise ImportFileError(_l(
            "Filen er gemt som Unicode-tekst (UTF-16). Gem den som «CSV UTF-8» eller som "
            "Excel-projektmappe (.xlsx), og prøv igen."
        ))
    if b"\x00" in data:
        raise ImportFileError(_l("Filen er hverken en CSV-fil eller en Excel-projektmappe (.xlsx)."))
    text, encoding = _decode(data)
    lines_before = 0
    if match := _SEP_LINE.match(text):  # Excel's "sep=;" first line: a hint Excel hides, not a row
        delimiter, text, lines_before = match[1], text[match.end():], 1
    else:
        delimiter = _sniff_delimiter(text)
    records = enumerate(_csv_records(text, delimiter, lines_before), start=1)
    return _parse_records(records, warnings=[], encoding=encoding, delimiter=delimiter, check_width=True)


def _decode(data):
    """The text and the name of its encoding: UTF-8 (strictly), else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        body = data[len(codecs.BOM_UTF8):]
        try:
            return body.decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as error:
            raise _mixed_encoding(body, error) from error
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        if _UTF8_TRACES.search(data):
            raise _mixed_encoding(data, error) from error
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        raise ImportFileError(_l(
            "Filen kan ikke læses: linje %(line)s indeholder et tegn, der hverken er UTF-8 eller Windows-1252. "
            "Gem filen som «CSV UTF-8», og prøv igen.",
            line=_line_of(data, error.start),
        )) from error


def _mixed_encoding(data, error):
    return ImportFileError(_l(
        "Filen er skrevet i UTF-8, men linje %(line)s indeholder tegn i et andet tegnsæt. "
        "Ret tegnene i den linje (fx æ, ø og å), og prøv igen.",
        line=_line_of(data, error.start),
    ))


def _line_of(data, position):
    """The line (from 1, as a text editor counts) holding the byte at position."""
    before = data[:position].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return before.count(b"\n") + 1


def _sniff_delimiter(text):
    """`;`, tab or `,`: whichever the header line (the first line with text) holds most of outside quotes."""
    for line in io.StringIO(text, newline=""):
        if not line.strip(' \t\r\n;,"'):
            continue
        counts = dict.fromkeys(DELIMITERS, 0)
        quoted = False
        for char in line:
            if char == '"':
                quoted = not quoted
            elif not quoted and char in counts:
                counts[char] += 1
        return max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return DELIMITERS[0]


def _csv_records(text, delimiter, lines_before):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    last_line = 0
    try:
        for record in reader:
            yield record
            last_line = reader.line_num
    except csv.Error as error:
        raise ImportFileError(_l(
            "Linje %(line)s kan ikke læses: tjek anførselstegnene. Et felt, der begynder med \", skal slutte "
            "med \" lige før næste skilletegn eller linjeskift, og \" inde i feltet skrives \"\".",
            line=lines_before + last_line + 1,
        )) from error


# --- XLSX --------------------------------------------------------------------------------------------------


def _parse_xlsx(data):
    from openpyxl import load_workbook

    if not data.startswith(ZIP_MAGIC):
        raise ImportFileError(_l(
            "Filen hedder .xlsx, men er ikke en Excel-projektmappe. Gem den igen fra Excel som .xlsx eller CSV."
        ))
    _check_unpacked_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl fails in many ways on a broken or foreign zip
        raise _unreadable_xlsx() from error
    try:
        if not workbook.worksheets:
            raise ImportFileError(_l("Filen er tom."))
        sheet = workbook.worksheets[0]
        warnings = []
        others = [name for name in workbook.sheetnames if name != sheet.title]
        if others:
            warnings.append(str(_l(
                "Filen har flere ark; kun det første («%(first)s») er læst. Ikke læst: %(others)s.",
                first=sheet.title, others=", ".join(f"«{name}»" for name in others),
            )))
        sheet.reset_dimensions()  # some programs write a wrong size; read the cells that are there
        records = enumerate(_sheet_rows(sheet), start=1)
        parsed = _parse_records(records, warnings=warnings, encoding=None, delimiter=None, check_width=False)
    finally:
        workbook.close()
    if len(data) < FORMULA_SCAN_LIMIT and _first_sheet_has_formulas(data):
        parsed.warnings.append(str(_l(
            "Arket indeholder formler. De er læst som de værdier, der sidst blev gemt i filen; "
            "en formel uden gemt værdi er læst som et tomt felt."
        )))
    return parsed


def _unreadable_xlsx():
    return ImportFileError(_l(
        "Filen kan ikke læses som Excel-projektmappe (.xlsx). Gem den igen fra Excel som .xlsx eller CSV."
    ))


def _check_unpacked_size(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _unreadable_xlsx() from error
    if unpacked > MAX_UNPACKED_XLSX:
        raise ImportFileError(_l(
            "Excel-filen er for stor: udpakket fylder den over %(limit)s MB. Del den op i flere filer.",
            limit=MAX_UNPACKED_XLSX // (1024 * 1024),
        ))


def _sheet_rows(sheet):
    rows = sheet.iter_rows(values_only=True)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as error:  # a damaged sheet inside an otherwise readable zip
            raise _unreadable_xlsx() from error
        yield row


def _first_sheet_has_formulas(data):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # it was read once already; a warning is not worth failing for
        return False
    try:
        return any(
            cell.data_type == "f" for row in workbook.worksheets[0].iter_rows() for cell in row
        )
    except Exception:
        return False
    finally:
        workbook.close()


# --- rows --------------------------------------------------------------------------------------------------


def _parse_records(records, *, warnings, encoding, delimiter, check_width):
    """Find the header (the first row that is not empty), map it, and check every following non-empty row."""
    for _number, cells in records:
        if not _is_empty(cells):
            headers = [_cell_text(cell) for cell in cells]
            break
    else:
        raise ImportFileError(_l("Filen er tom."))
    columns, fields, unknown_headers = _map_headers(headers)
    width = len(headers)
    rows = []
    for number, cells in records:
        if _is_empty(cells):
            continue
        row = _parse_row(number, cells, fields)
        if check_width and len(cells) > width and any(cell.strip() for cell in cells[width:]):
            row.errors.append(str(_l(
                "Rækken har %(count)s felter, men filen har kun %(width)s kolonneoverskrifter. Står der et "
                "skilletegn i et felt uden anførselstegn, eller mangler en kolonne sin overskrift?",
                count=max(index for index, cell in enumerate(cells, start=1) if cell.strip()), width=width,
            )))
        rows.append(row)
    return ParsedFile(columns=columns, unknown_headers=unknown_headers, rows=rows, warnings=warnings,
                      encoding=encoding, delimiter=delimiter)


def _is_empty(cells):
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _map_headers(headers):
    columns, fields, unknown = {}, [], []
    for index, header in enumerate(headers):
        if not header:
            continue
        column = _HEADER_LOOKUP.get(normalise_header(header))
        if column is None:
            unknown.append(header)
        elif column in columns:
            raise ImportFileError(_l(
                "Kolonnerne «%(first)s» og «%(second)s» betyder det samme. Slet den ene, og prøv igen.",
                first=columns[column], second=header,
            ))
        else:
            columns[column] = header
            fields.append((index, column, header, _READERS[column]))
    missing = [column for column in ("cvr", "name") if column not in columns]
    if missing:
        found = ", ".join(f"«{header}»" for header in headers if header)
        if len(missing) == 2:
            message = _l("Filen mangler kolonnerne «CVR-nr.» og «Navn». Første række skal være overskrifterne; "
                         "den er: %(found)s.", found=found)
        elif missing == ["cvr"]:
            message = _l("Filen mangler kolonnen «CVR-nr.». Første række skal være overskrifterne; "
                         "den er: %(found)s.", found=found)
        else:
            message = _l("Filen mangler kolonnen «Navn». Første række skal være overskrifterne; "
                         "den er: %(found)s.", found=found)
        raise ImportFileError(message)
    return columns, fields, unknown


def _parse_row(number, cells, fields):
    values, errors = {}, []
    count = len(cells)
    for index, column, header, read in fields:
        raw = cells[index] if index < count else None
        try:
            values[column] = read(raw, header)
        except ValueError as error:
            values[column] = _cell_text(raw)
            errors.append(str(error))
    return ParsedRow(number=number, values=values, errors=errors)


def _cell_text(value):
    """A cell as stripped text; Excel numbers without a needless `.0` (a CVR or postal code stored as number)."""
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _column_error(header, message):
    return ValueError(f"{header}: {message}")


def _checked_length(text, column, header):
    limit = MAX_LENGTHS[column]
    if len(text) > limit:
        raise _column_error(header, _l("teksten er %(length)s tegn lang; højst %(limit)s tegn er tilladt",
                                       length=len(text), limit=limit))
    return text


def _read_cvr(raw, header):
    return normalise_cvr(_cell_text(raw))


def _read_name(raw, header):
    text = _cell_text(raw)
    if not text:
        raise ValueError(_l("Navnet mangler"))
    return _checked_length(text, "name", header)


def _text_reader(column):
    def read(raw, header):
        return _checked_length(_cell_text(raw), column, header)
    return read


def _read_email(raw, header):
    text = _cell_text(raw)
    if not text:
        return text
    if not _EMAIL.fullmatch(text):
        raise _column_error(header, _l("«%(value)s» er ikke en gyldig e-mailadresse", value=text))
    return _checked_length(text.lower(), "contact_email", header)


def _read_role(raw, header):
    text = _cell_text(raw)
    if not text:
        return None
    role = _ROLE_WORDS.get(normalise_header(text))
    if role is None:
        raise ValueError(_l("Ukendt rolle «%(value)s»: skriv Ejer, Lejer eller Begge", value=text))
    return role


def _read_number(raw, header, *, integer, maximum):
    try:
        value = parse_danish_number(raw, integer=integer)
    except ValueError as error:
        raise _column_error(header, error) from None
    if value is None:
        return None
    if value < 0:
        raise _column_error(header, _l("«%(text)s» må ikke være negativt", text=_cell_text(raw)))
    if not integer and value <= maximum:  # rounding a huge number would overflow Decimal's precision
        value = value.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)
    if value > maximum:
        raise _column_error(header, _l("«%(text)s» er for stort", text=_cell_text(raw)))
    return value


def _read_employees(raw, header):
    return _read_number(raw, header, integer=True, maximum=MAX_EMPLOYEES)


def _read_area(raw, header):
    return _read_number(raw, header, integer=False, maximum=MAX_AREA_M2)


_READERS = {
    "cvr": _read_cvr,
    "name": _read_name,
    "street": _text_reader("street"),
    "postal_code": _text_reader("postal_code"),
    "city": _text_reader("city"),
    "role": _read_role,
    "employees": _read_employees,
    "area_m2": _read_area,
    "industry": _text_reader("industry"),
    "contact_name": _text_reader("contact_name"),
    "contact_email": _read_email,
    "contact_phone": _text_reader("contact_phone"),
}
