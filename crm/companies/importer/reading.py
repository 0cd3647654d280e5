"""From the bytes of an uploaded file to its records: encodings, delimiters, CSV, XLSX, and the files refused."""

import codecs
import csv
import io
import re

from flask_babel import lazy_gettext as _l

from crm.companies.importer.rows import ImportFileError, parse_records
from crm.companies.importer.workbook import open_workbook

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and password-protected .xlsx
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
DELIMITERS = (";", "\t", ",")  # ties go to the first
#: Delimiters one record may hold (a member list has ~20 columns); more would only fill the memory.
MAX_FIELDS = 500

# UTF-8 for æ, ø, å and other Latin letters, or for typographic dashes and quotes. Read as Windows-1252 these
# are "Ã¦" and "â€“", which real text never contains: a file holding them and also bytes that are not UTF-8
# mixes two encodings, and reading it as Windows-1252 would mangle the UTF-8 part.
_UTF8_TRACES = re.compile(rb"\xc3[\x80-\xbf]|\xe2\x80[\x80-\xbf]")
_SEP_LINE = re.compile(r"sep=([^\r\n])(?:\r\n|\r|\n|$)", re.IGNORECASE)


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
    return parse_records(records, warnings=[], encoding=encoding, delimiter=delimiter, check_width=True)


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
    budget = _FieldBudget(delimiter, lines_before)
    reader = csv.reader(budget.lines(io.StringIO(text, newline="")), delimiter=delimiter, strict=True)
    last_line = 0
    try:
        for record in reader:
            budget.reset()
            yield record
            last_line = reader.line_num
    except csv.Error as error:
        raise ImportFileError(_l(
            "Linje %(line)s kan ikke læses: tjek anførselstegnene. Et felt, der begynder med \", skal slutte "
            "med \" lige før næste skilletegn eller linjeskift, og \" inde i feltet skrives \"\".",
            line=lines_before + last_line + 1,
        )) from error


class _FieldBudget:
    """Stops a record with more than MAX_FIELDS delimiters before the csv module holds all its fields."""

    def __init__(self, delimiter, lines_before):
        self.delimiter, self.line = delimiter, lines_before
        self.reset()

    def reset(self):
        """A record is complete: the next line begins a new one."""
        self.spent, self.first_line = 0, None

    def lines(self, source):
        for line in source:
            self.line += 1
            self.first_line = self.first_line or self.line
            self.spent += line.count(self.delimiter)
            if self.spent > MAX_FIELDS:
                raise ImportFileError(_l(
                    "Linje %(line)s har flere end %(limit)s felter; en liste over virksomheder har omkring 20 "
                    "kolonner. Tjek skilletegnene og anførselstegnene i filen, og prøv igen.",
                    line=self.first_line, limit=MAX_FIELDS))
            yield line


# --- XLSX --------------------------------------------------------------------------------------------------


def _parse_xlsx(data):
    if not data.startswith(ZIP_MAGIC):
        raise ImportFileError(_l(
            "Filen hedder .xlsx, men er ikke en Excel-projektmappe. Gem den igen fra Excel som .xlsx eller CSV."
        ))
    workbook = open_workbook(data)
    warnings = []
    if workbook.others:
        warnings.append(str(_l(
            "Filen har flere ark; kun det første («%(first)s») er læst. Ikke læst: %(others)s.",
            first=workbook.title, others=", ".join(f"«{name}»" for name in workbook.others),
        )))
    parsed = parse_records(workbook.rows(), warnings=warnings, encoding=None, delimiter=None, check_width=False)
    if workbook.has_formulas:
        parsed.warnings.append(str(_l(
            "Arket indeholder formler. De er læst som de værdier, der sidst blev gemt i filen; "
            "en formel uden gemt værdi er læst som et tomt felt."
        )))
    return parsed
