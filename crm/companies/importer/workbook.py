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
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

from crm.companies.importer import limits, xml_parts
from crm.companies.importer.rows import ImportFileError

_CELL_REFERENCE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_COLUMN_LETTERS = re.compile(r"\$?([A-Za-z]{1,3})")


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
        except limits.ZIP_ERRORS as error:  # a damaged sheet inside an otherwise readable zip
            raise limits.unreadable() from error
        self.has_formulas = reader.has_formulas


def open_workbook(data):
    """The workbook in the bytes of an XLSX file; raises ImportFileError if it is damaged or over a limit."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except limits.ZIP_ERRORS as error:
        raise limits.unreadable() from error
    _check_sizes(parts)
    names = {info.filename for info in parts}
    try:
        workbook_path = _office_document(archive, names)
        sheets, date1904 = xml_parts.read_part(archive, workbook_path, xml_parts.WorkbookParser())
        targets = _relationships(archive, names, workbook_path)
        worksheets = [(name, targets.get(rid)) for name, rid in sheets]
        first = next(((name, target) for name, target in worksheets
                      if target and target[0].endswith("/worksheet") and target[1] in names), None)
        if first is None:
            if not sheets:
                raise ImportFileError(_l("Filen er tom."))
            raise limits.unreadable()
        title, (_type, sheet_path) = first
        workbook = Workbook(title=title, others=[name for name, _target in sheets if name != title],
                            archive=archive, sheet_path=sheet_path,
                            epoch=CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900)
        for relation, path in targets.values():
            if path not in names:
                continue
            if relation.endswith("/sharedStrings"):
                workbook.shared_strings = xml_parts.read_part(archive, path, xml_parts.SharedStringsParser(),
                                                              small=False)
            elif relation.endswith("/styles"):
                workbook.date_styles = xml_parts.read_part(archive, path, xml_parts.StylesParser())
        _check_dimension(archive, sheet_path)
    except ImportFileError:
        raise
    except limits.ZIP_ERRORS as error:
        raise limits.unreadable() from error
    return workbook


def _check_sizes(parts):
    if len(parts) > limits.MAX_PARTS:
        raise ImportFileError(_l(
            "Filen er ikke læst: den består af %(count)s dele, og et regneark har sjældent over hundrede. Gem den "
            "igen fra Excel som .xlsx eller CSV.", count=limits.danish_number(len(parts))))
    unpacked = sum(info.file_size for info in parts)
    if unpacked > limits.MAX_UNPACKED:
        raise ImportFileError(_l(
            "Excel-filen er for stor: udpakket fylder den over %(limit)s MB. Del den op i flere filer.",
            limit=limits.MAX_UNPACKED // (1024 * 1024)))
    for info in parts:
        packed = max(info.compress_size, 1)
        if info.file_size > limits.MAX_UNCHECKED_PART and info.file_size > limits.MAX_RATIO * packed:
            raise ImportFileError(_l(
                "Filen er ikke læst: en del af den fylder %(ratio)s gange mere udpakket, end den gør i filen, og "
                "sådan pakker et almindeligt regneark sig ikke. Gem listen igen fra Excel som .xlsx eller CSV.",
                ratio=limits.danish_number(info.file_size // max(info.compress_size, 1))))


def _office_document(archive, names):
    """The path of the workbook part, from the package's relationships (xl/workbook.xml in practice)."""
    if "_rels/.rels" in names:
        for relation, path in xml_parts.read_part(archive, "_rels/.rels", xml_parts.RelationshipsParser("")).values():
            if relation.endswith("/officeDocument") and path in names:
                return path
    if "xl/workbook.xml" in names:
        return "xl/workbook.xml"
    raise limits.unreadable()


def _relationships(archive, names, part_path):
    """rId -> (type, path in the zip) of a part's relationships."""
    folder, name = posixpath.split(part_path)
    rels_path = posixpath.join(folder, "_rels", name + ".rels")
    if rels_path not in names:
        return {}
    return xml_parts.read_part(archive, rels_path, xml_parts.RelationshipsParser(folder))


def _check_dimension(archive, sheet_path):
    """Refuse a sheet whose stated size (`<dimension ref="A1:N40001"/>`, before its rows) is over the limits."""
    parser = xml_parts.DimensionParser()
    with archive.open(sheet_path) as source:
        head = source.read(64 * 1024)
    try:
        parser.feed(head)
    except xml_parts.Done:
        pass
    if parser.ref:
        last = parser.ref.split(":")[-1]
        if match := _CELL_REFERENCE.fullmatch(last):
            column, row = _column_number(match[1]), int(match[2])
            if column > limits.MAX_COLUMNS:
                raise limits.sheet_too_large(columns=match[1].upper())
            if row > limits.MAX_ROWS:
                raise limits.sheet_too_large(rows=row)


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


class _SheetReader(xml_parts.TextCollector):
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
        if self.elements > limits.MAX_ELEMENTS:
            raise limits.sheet_too_large()
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
            if self.row_number > limits.MAX_ROWS:
                raise limits.sheet_too_large(rows=self.row_number)
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
        if column > limits.MAX_COLUMNS:
            raise limits.sheet_too_large(columns=_column_letters(column))
        self.cells += max(column - self.column, 1)
        if self.cells > limits.MAX_CELLS:
            raise limits.sheet_too_large()
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
                raise limits.unreadable() from error
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
