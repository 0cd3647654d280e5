"""The first sheet of an XLSX workbook as numbered rows of values, read within limits a member list never reaches.

An XLSX file is a zip of XML parts. A crafted one of a few hundred kilobytes can unpack to gigabytes ("zip bomb"),
and openpyxl's reader scans a whole sheet before the first row when the sheet does not state its size. So the
workbook is read here, streaming, with the limits checked before and during the reading:

- before: the zip's declared sizes and compression ratios, and the sheet's declared dimension;
- during: the row and column of every cell, the cells read, the XML elements parsed and each text's length.

A file over a limit raises ImportFileError with a Danish message at once, before its rest is unpacked.
Only the values are read (with formulas, their saved values, as Excel shows them), as openpyxl's
`read_only=True, data_only=True` would; openpyxl's own helpers read dates and number formats.
"""

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.parsers import expat

from flask_babel import lazy_gettext as _l
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

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

_CELL_REFERENCE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_COLUMN_LETTERS = re.compile(r"\$?([A-Za-z]{1,3})")


def danish_number(number):
    """50000 as `50.000`."""
    return f"{number:,}".replace(",", ".")


def unreadable():
    return ImportFileError(_l(
        "Filen kan ikke læses som Excel-projektmappe (.xlsx). Gem den igen fra Excel som .xlsx eller CSV."
    ))


def _sheet_too_large(rows=None, columns=None):
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


@dataclass
class Workbook:
    """What the importer needs of a workbook: its first sheet's rows and what to warn about."""

    #: The first worksheet's name, and the names of the sheets that are not read.
    title: str
    others: list
    archive: zipfile.ZipFile
    sheet_path: str
    shared_strings: list = field(default_factory=list)
    date_styles: dict = field(default_factory=dict)
    epoch: object = CALENDAR_WINDOWS_1900
    #: Set once the sheet is read: it holds formulas (their saved values were read).
    has_formulas: bool = False

    def rows(self):
        """(row number, [values]) of every row that has cells, numbered as Excel numbers them."""
        reader = _SheetReader(self)
        try:
            with self.archive.open(self.sheet_path) as source:
                yield from reader.read(source)
        except ImportFileError:
            raise
        except ZIP_ERRORS as error:  # a damaged sheet inside an otherwise readable zip
            raise unreadable() from error
        self.has_formulas = reader.has_formulas


def open_workbook(data):
    """The workbook in the bytes of an XLSX file; raises ImportFileError if it is damaged or over a limit."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except ZIP_ERRORS as error:
        raise unreadable() from error
    _check_sizes(parts)
    names = {info.filename for info in parts}
    try:
        workbook_path = _office_document(archive, names)
        sheets, date1904 = _read_part(archive, workbook_path, _WorkbookParser())
        targets = _relationships(archive, names, workbook_path)
        worksheets = [(name, targets.get(rid)) for name, rid in sheets]
        first = next(((name, target) for name, target in worksheets
                      if target and target[0].endswith("/worksheet") and target[1] in names), None)
        if first is None:
            if not sheets:
                raise ImportFileError(_l("Filen er tom."))
            raise unreadable()
        title, (_type, sheet_path) = first
        workbook = Workbook(title=title, others=[name for name, _target in sheets if name != title],
                            archive=archive, sheet_path=sheet_path,
                            epoch=CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900)
        for relation, path in targets.values():
            if path not in names:
                continue
            if relation.endswith("/sharedStrings"):
                workbook.shared_strings = _read_part(archive, path, _SharedStringsParser(), small=False)
            elif relation.endswith("/styles"):
                workbook.date_styles = _read_part(archive, path, _StylesParser())
        _check_dimension(archive, sheet_path)
    except ImportFileError:
        raise
    except ZIP_ERRORS as error:
        raise unreadable() from error
    return workbook


def _check_sizes(parts):
    if len(parts) > MAX_PARTS:
        raise ImportFileError(_l(
            "Filen er ikke læst: den består af %(count)s dele, og et regneark har sjældent over hundrede. Gem den "
            "igen fra Excel som .xlsx eller CSV.", count=danish_number(len(parts))))
    unpacked = sum(info.file_size for info in parts)
    if unpacked > MAX_UNPACKED:
        raise ImportFileError(_l(
            "Excel-filen er for stor: udpakket fylder den over %(limit)s MB. Del den op i flere filer.",
            limit=MAX_UNPACKED // (1024 * 1024)))
    for info in parts:
        if info.file_size > MAX_UNCHECKED_PART and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ImportFileError(_l(
                "Filen er ikke læst: en del af den fylder %(ratio)s gange mere udpakket, end den gør i filen, og "
                "sådan pakker et almindeligt regneark sig ikke. Gem listen igen fra Excel som .xlsx eller CSV.",
                ratio=danish_number(info.file_size // max(info.compress_size, 1))))


def _office_document(archive, names):
    """The path of the workbook part, from the package's relationships (xl/workbook.xml in practice)."""
    if "_rels/.rels" in names:
        for relation, path in _read_part(archive, "_rels/.rels", _RelationshipsParser("")).values():
            if relation.endswith("/officeDocument") and path in names:
                return path
    if "xl/workbook.xml" in names:
        return "xl/workbook.xml"
    raise unreadable()


def _relationships(archive, names, part_path):
    """rId -> (type, path in the zip) of a part's relationships."""
    folder, name = posixpath.split(part_path)
    rels_path = posixpath.join(folder, "_rels", name + ".rels")
    if rels_path not in names:
        return {}
    return _read_part(archive, rels_path, _RelationshipsParser(folder))


def _check_dimension(archive, sheet_path):
    """Refuse a sheet whose stated size (`<dimension ref="A1:N40001"/>`, before its rows) is over the limits."""
    parser = _DimensionParser()
    with archive.open(sheet_path) as source:
        head = source.read(64 * 1024)
    try:
        parser.feed(head)
    except _Done:
        pass
    if parser.ref:
        last = parser.ref.split(":")[-1]
        if match := _CELL_REFERENCE.fullmatch(last):
            column, row = _column_number(match[1]), int(match[2])
            if column > MAX_COLUMNS:
                raise _sheet_too_large(columns=match[1].upper())
            if row > MAX_ROWS:
                raise _sheet_too_large(rows=row)


def _column_letters(number):
    """16384 as `XFD`."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _column_number(letters):
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


_COLUMN_OF_LETTERS = {}


def _column_of(reference):
    """The column number of a cell reference such as `AB12`, or None if it is not one."""
    letters = reference.rstrip("0123456789")
    column = _COLUMN_OF_LETTERS.get(letters)
    if column is None:
        if not _COLUMN_LETTERS.fullmatch(letters):
            return None
        column = _column_number(letters.lstrip("$"))
        if len(_COLUMN_OF_LETTERS) < 20_000:
            _COLUMN_OF_LETTERS[letters] = column
    return column


# --- XML, streamed through expat with a budget ----------------------------------------------------------------


class _Done(Exception):  # noqa: N818  (not an error: the parser has what it came for)
    """Raised inside a parser that has read what it needs."""


def _local(name):
    return name.rpartition(":")[2]


class _Parser:
    """An expat parser that refuses DTDs (no entity tricks) and counts its elements against MAX_ELEMENTS."""

    def __init__(self):
        self._parser = expat.ParserCreate()
        self._parser.buffer_text = True
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.CharacterDataHandler = self.text
        self._parser.StartDoctypeDeclHandler = self._doctype
        self._parser.EntityDeclHandler = self._doctype
        self.elements = 0
        self._locals = {}

    def _doctype(self, *args):
        raise unreadable()

    def _local(self, name):
        local = self._locals.get(name)
        if local is None:
            local = self._locals[name] = _local(name)
        return local

    def _start(self, name, attributes):
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise _sheet_too_large()
        self.start(self._locals.get(name) or self._local(name), attributes)

    def _end(self, name):
        self.end(self._locals.get(name) or self._local(name))

    def start(self, name, attributes):
        pass

    def end(self, name):
        pass

    def text(self, data):
        pass

    def feed(self, data, final=False):
        self._parser.Parse(data, final)

    def result(self):
        return None


def _read_part(archive, path, parser, *, small=True):
    """Stream a part through the parser and return its result."""
    info = archive.getinfo(path)
    if small and info.file_size > MAX_SMALL_PART:
        raise unreadable()
    with archive.open(info) as source:
        while chunk := source.read(256 * 1024):
            parser.feed(chunk)
        parser.feed(b"", True)
    return parser.result()


class _RelationshipsParser(_Parser):
    def __init__(self, folder):
        super().__init__()
        self.folder = folder
        self.targets = {}

    def start(self, name, attributes):
        if name == "Relationship" and attributes.get("TargetMode") != "External":
            target = attributes.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(self.folder, target))
            self.targets[attributes.get("Id")] = (attributes.get("Type", ""), path)

    def result(self):
        return self.targets


class _WorkbookParser(_Parser):
    def __init__(self):
        super().__init__()
        self.sheets = []
        self.date1904 = False

    def start(self, name, attributes):
        if name == "sheet":
            rid = next((value for key, value in attributes.items() if _local(key) == "id"), None)
            self.sheets.append((attributes.get("name", ""), rid))
        elif name == "workbookPr":
            self.date1904 = attributes.get("date1904", "").lower() in ("1", "true")

    def result(self):
        return self.sheets, self.date1904


class _TextCollector(_Parser):
    """Collects the text of `t` elements (leaving out phonetic runs, `rPh`), within Excel's length of a cell."""

    def __init__(self):
        super().__init__()
        self.parts = None
        self.length = 0
        self.phonetic = 0

    def start_text(self):
        self.parts, self.length = [], 0

    def text(self, data):
        if self.parts is not None and self.in_t and not self.phonetic:
            self.length += len(data)
            if self.length > MAX_CELL_TEXT:
                raise self.too_long()
            self.parts.append(data)

    def too_long(self):
        return ImportFileError(_l(
            "Filen er ikke læst: en celle har over %(limit)s tegn, mere end Excel kan rumme.",
            limit=danish_number(MAX_CELL_TEXT)))

    in_t = False


class _SharedStringsParser(_TextCollector):
    def __init__(self):
        super().__init__()
        self.strings = []
        self.total = 0

    def start(self, name, attributes):
        if name == "si":
            self.start_text()
        elif name == "t":
            self.in_t = True
        elif name == "rPh":
            self.phonetic += 1

    def end(self, name):
        if name == "t":
            self.in_t = False
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "si" and self.parts is not None:
            self.strings.append("".join(self.parts))
            self.total += self.length
            self.parts = None
            if len(self.strings) > MAX_SHARED_STRINGS or self.total > MAX_SHARED_TEXT:
                raise ImportFileError(_l(
                    "Arket har for meget tekst: over %(strings)s forskellige tekster eller %(limit)s millioner tegn. "
                    "Del listen op i flere filer.", strings=danish_number(MAX_SHARED_STRINGS),
                    limit=MAX_SHARED_TEXT // 1_000_000))

    def result(self):
        return self.strings


class _StylesParser(_Parser):
    """style index -> True for a date, False for a duration format, of the styles that show a date or time."""

    def __init__(self):
        super().__init__()
        self.formats = {}
        self.cell_formats = []
        self.in_cell_xfs = False

    def start(self, name, attributes):
        if name == "numFmt":
            try:
                self.formats[int(attributes.get("numFmtId", ""))] = attributes.get("formatCode", "")
            except ValueError:
                pass
        elif name == "cellXfs":
            self.in_cell_xfs = True
        elif name == "xf" and self.in_cell_xfs:
            try:
                self.cell_formats.append(int(attributes.get("numFmtId", "0")))
            except ValueError:
                self.cell_formats.append(0)

    def end(self, name):
        if name == "cellXfs":
            self.in_cell_xfs = False

    def result(self):
        styles = {}
        for index, format_id in enumerate(self.cell_formats):
            code = self.formats.get(format_id) or BUILTIN_FORMATS.get(format_id)
            if code and is_date_format(code):
                styles[index] = not is_timedelta_format(code)
        return styles


class _DimensionParser(_Parser):
    """Finds `<dimension ref="...">` among the first elements of a sheet, before its rows."""

    ref = None

    def start(self, name, attributes):
        if name == "dimension":
            self.ref = attributes.get("ref")
            raise _Done
        if name == "sheetData":
            raise _Done

    def feed(self, data, final=False):
        try:
            super().feed(data, final)
        except expat.ExpatError:  # the head is cut off mid-element; the rows are checked as they are read
            pass


class _SheetReader(_TextCollector):
    """Turns the sheet's XML into rows of values, checking every limit as it goes."""

    def __init__(self, workbook):
        super().__init__()
        self.workbook = workbook
        self.ready = []
        self.row = None
        self.row_number = 0
        self.column = 0
        self.cells = 0
        self.has_formulas = False
        self.cell_type = self.cell_style = None
        self.in_cell = False

    def read(self, source):
        while chunk := source.read(256 * 1024):
            self.feed(chunk)
            yield from self.ready
            self.ready.clear()
        self.feed(b"", True)
        yield from self.ready

    # The handlers are expat's own (not start/end behind the base class's): a sheet has millions of elements.

    def _start(self, name, attributes):
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise _sheet_too_large()
        name = self._locals.get(name) or self._local(name)
        if name == "c":
            if self.row is not None:
                self._start_cell(attributes)
        elif name == "v":
            if self.in_cell:
                self.start_text()
                self.in_t = True
        elif name == "row":
            number = attributes.get("r")
            self.row_number = int(number) if number and number.isascii() and number.isdigit() else (
                self.row_number + 1)
            if self.row_number > MAX_ROWS:
                raise _sheet_too_large(rows=self.row_number)
            self.row, self.column = [], 0
        elif self.in_cell:
            if name == "t":
                self.in_t = True
            elif name == "is":
                self.start_text()
            elif name == "rPh":
                self.phonetic += 1
            elif name == "f":
                self.has_formulas = True

    def _start_cell(self, attributes):
        reference = attributes.get("r")
        column = (reference and _column_of(reference)) or self.column + 1
        if column > MAX_COLUMNS:
            raise _sheet_too_large(columns=_column_letters(column))
        self.cells += max(column - self.column, 1)
        if self.cells > MAX_CELLS:
            raise _sheet_too_large()
        if column > self.column + 1:
            self.row.extend([None] * (column - self.column - 1))
        self.column = column
        self.cell_type = attributes.get("t", "n")
        self.cell_style = attributes.get("s")
        self.in_cell = True

    def _end(self, name):
        name = self._locals.get(name) or self._local(name)
        if name == "v" or name == "t":
            self.in_t = False
        elif name == "c":
            if self.in_cell:
                text = "".join(self.parts) if self.parts is not None else None
                self.parts, self.in_cell = None, False
                if self.column > len(self.row):
                    self.row.append(self._value(text))
                else:
                    self.row[self.column - 1] = self._value(text)
        elif name == "row":
            if self.row:
                self.ready.append((self.row_number, self.row))
            self.row = None
        elif name == "rPh":
            self.phonetic -= 1

    def _value(self, text):
        """The cell's value as openpyxl reads it with data_only: numbers, dates, texts, booleans."""
        kind = self.cell_type
        if kind == "inlineStr":
            return text
        if not text:
            return None
        if kind == "s":
            try:
                return self.workbook.shared_strings[int(text)]
            except (ValueError, IndexError) as error:
                raise unreadable() from error
        if kind in ("str", "e"):
            return text
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "d":
            try:
                return from_ISO8601(text)
            except ValueError:
                return text
        try:
            number = float(text) if any(mark in text for mark in ".eE") else int(text)
        except ValueError:
            return text
        style = self.cell_style
        if style and style.isdigit() and int(style) in self.workbook.date_styles:
            try:
                return from_excel(number, self.workbook.epoch, timedelta=not self.workbook.date_styles[int(style)])
            except (OverflowError, ValueError):
                return number
        return number
