"""The parts of an XLSX workbook other than its sheet, streamed through expat within a budget: relationships,
the workbook's sheet list, shared strings and styles, and the sheet's stated dimension."""

import posixpath
from xml.parsers import expat

from flask_babel import lazy_gettext as _l
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

from crm.companies.importer import limits
from crm.companies.importer.rows import ImportFileError


class Done(Exception):  # noqa: N818  (not an error: the parser has what it came for)
    """Raised inside a parser that has read what it needs."""


def _local(name):
    return name.rpartition(":")[2]


class Parser:
    """An expat parser that refuses DTDs (no entity tricks) and counts its elements against limits.MAX_ELEMENTS."""

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
        raise limits.unreadable()

    def _local(self, name):
        local = self._locals.get(name)
        if local is None:
            local = self._locals[name] = _local(name)
        return local

    def _start(self, name, attributes):
        self.elements += 1
        if self.elements > limits.MAX_ELEMENTS:
            raise limits.sheet_too_large()
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


def read_part(archive, path, parser, *, small=True):
    """Stream a part through the parser and return its result."""
    info = archive.getinfo(path)
    if small and info.file_size > limits.MAX_SMALL_PART:
        raise limits.unreadable()
    with archive.open(info) as source:
        while chunk := source.read(256 * 1024):
            parser.feed(chunk)
        parser.feed(b"", True)
    return parser.result()


class RelationshipsParser(Parser):
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


class WorkbookParser(Parser):
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


class TextCollector(Parser):
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
            if self.length > limits.MAX_CELL_TEXT:
                raise self.too_long()
            self.parts.append(data)

    def too_long(self):
        return ImportFileError(_l(
            "Filen er ikke læst: en celle har over %(limit)s tegn, mere end Excel kan rumme.",
            limit=limits.danish_number(limits.MAX_CELL_TEXT)))

    in_t = False


class SharedStringsParser(TextCollector):
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
            if len(self.strings) > limits.MAX_SHARED_STRINGS or self.total > limits.MAX_SHARED_TEXT:
                raise ImportFileError(_l(
                    "Arket har for meget tekst: over %(strings)s forskellige tekster eller %(limit)s millioner tegn. "
                    "Del listen op i flere filer.", strings=limits.danish_number(limits.MAX_SHARED_STRINGS),
                    limit=limits.MAX_SHARED_TEXT // 1_000_000))

    def result(self):
        return self.strings


class StylesParser(Parser):
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


class DimensionParser(Parser):
    """Finds `<dimension ref="...">` among the first elements of a sheet, before its rows."""

    ref = None

    def start(self, name, attributes):
        if name == "dimension":
            self.ref = attributes.get("ref")
            raise Done
        if name == "sheetData":
            raise Done

    def feed(self, data, final=False):
        try:
            super().feed(data, final)
        except expat.ExpatError:  # the head is cut off mid-element; the rows are checked as they are read
            pass

