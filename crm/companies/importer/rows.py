"""From a file's header and records to checked rows: header aliases, column mapping, per-cell checks."""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l

from crm.companies.importer.danish_dates import parse_danish_date
from crm.companies.importer.danish_numbers import parse_danish_number
from crm.companies.models import CompanyRole, CompanyStatus
from crm.cvr import normalise_cvr
from crm.downloads import unguarded_text
from crm.forms import is_single_line

CANONICAL_COLUMNS = ("cvr", "name", "street", "postal_code", "city", "role", "employees", "area_m2",
                     "industry", "contact_name", "contact_email", "contact_phone", "status", "member_since")

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
    "status": ("Status",),
    #: Company.joined_on
    "member_since": ("Indmeldt", "Medlem siden", "member since", "Indmeldelsesdato"),
}

#: The database column sizes; a longer text is an error, never cut short.
MAX_LENGTHS = {"name": 200, "street": 200, "city": 100, "postal_code": 10, "industry": 200,
               "contact_name": 200, "contact_email": 254, "contact_phone": 50}
#: The longest text a column of numbers, dates or words can sensibly hold (`DK 12 34 56 78`, `12.500.000,25`);
#: a longer one is refused before it is read, so no message repeats a cell's 30,000 characters.
MAX_WORD_LENGTHS = {"cvr": 20, "role": 20, "employees": 20, "area_m2": 30, "status": 20, "member_since": 20}
#: A refused cell is kept this long for the preview.
MAX_SHOWN = 300

#: Rows with content a file may have: a member list has fewer than 50,000 (the network has 394 companies).
MAX_DATA_ROWS = 50_000

#: The largest numbers the register takes, from a file and from its forms alike: no company on the Holme has a
#: million employees, and the whole area is 3 km² (the database holds more: INTEGER and NUMERIC(12, 2)).
MAX_EMPLOYEES = 1_000_000
MAX_AREA_M2 = Decimal(10_000_000)
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_HUNDREDTH = Decimal("0.01")


class ImportFileError(ValueError):
    """The whole file cannot be read; str() is a Danish message (names the line/row where relevant)."""


@dataclass(slots=True)
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

_STATUS_WORDS = {
    normalise_header(word): status
    for status, words in (
        (CompanyStatus.MEMBER, ("Medlem", "member")),
        (CompanyStatus.INVITED, ("Inviteret", "invited")),
        (CompanyStatus.LEFT, ("Udmeldt", "left", "Udtrådt", "Fraflyttet")),
    )
    for word in words
}

#: Texts that must stand on one line: they end up in mail headers and on one line of a list.
_ONE_LINE = ("name", "contact_name", "contact_phone")


def parse_records(records, *, warnings, encoding, delimiter, check_width):
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
    reasons = {}  # each reason once: 50,000 rows often share the same few
    for number, cells in records:
        if _is_empty(cells):
            continue
        if len(rows) == MAX_DATA_ROWS:
            raise ImportFileError(_l(
                "Filen har flere end %(limit)s rækker. Del den op i flere filer, og indlæs dem hver for sig.",
                limit=f"{MAX_DATA_ROWS:,}".replace(",", ".")))
        row = _parse_row(number, cells, fields, reasons)
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


def _parse_row(number, cells, fields, reasons):
    values, errors = {}, []
    count = len(cells)
    for index, column, header, read in fields:
        raw = cells[index] if index < count else None
        try:
            if isinstance(raw, str) and len(raw) > MAX_WORD_LENGTHS.get(column, len(raw)):
                raise _column_error(header, _l("teksten er %(length)s tegn lang; højst %(limit)s tegn er tilladt",
                                               length=len(raw.strip()), limit=MAX_WORD_LENGTHS[column]))
            values[column] = read(raw, header)
        except ValueError as error:
            text = _cell_text(raw)
            values[column] = text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"
            reason = str(error)
            errors.append(reasons.setdefault(reason, reason))
    return ParsedRow(number=number, values=values, errors=errors)


def _cell_text(value):
    """A cell as stripped text; Excel numbers without a needless `.0` (a CVR or postal code stored as number).
    A text our export kept from becoming a formula (`'=...`, `'+45 ...`) is read back as it was."""
    if isinstance(value, str):
        return unguarded_text(value.strip())
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
    if column in _ONE_LINE and not is_single_line(text):
        raise _column_error(header, _l("teksten skal stå på én linje, uden linjeskift og tabulatorer"))
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
    text = _checked_length(_cell_text(raw), "contact_email", header)
    if not text:
        return text
    if not _EMAIL.fullmatch(text):
        raise _column_error(header, _l("«%(value)s» er ikke en gyldig e-mailadresse", value=text))
    return text.lower()


def _read_role(raw, header):
    text = _cell_text(raw)
    if not text:
        return None
    role = _ROLE_WORDS.get(normalise_header(text))
    if role is None:
        raise ValueError(_l("Ukendt rolle «%(value)s»: skriv Ejer, Lejer eller Begge", value=text))
    return role


def _read_status(raw, header):
    text = _cell_text(raw)
    if not text:
        return None
    status = _STATUS_WORDS.get(normalise_header(text))
    if status is None:
        raise ValueError(_l("Ukendt status «%(value)s»: skriv Medlem, Inviteret eller Udmeldt", value=text))
    return status


def _read_date(raw, header):
    try:
        return parse_danish_date(unguarded_text(raw.strip()) if isinstance(raw, str) else raw)
    except ValueError as error:
        raise _column_error(header, error) from None


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
    "status": _read_status,
    "member_since": _read_date,
}
