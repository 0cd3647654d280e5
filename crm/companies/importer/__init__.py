"""Reading an uploaded company list (CSV or XLSX bytes) into checked rows. No database work happens here.

What Danish offices really produce is accepted: UTF-8 with or without BOM and Windows-1252, `;`, `,` or tab,
Danish numbers (`1.250`, `12.500,5`), Excel's empty rows, XLSX. Problems with one row become that row's errors;
only a file that cannot be read at all raises ImportFileError.

reading.py turns the bytes into records, rows.py maps the header and checks each row, danish_numbers.py reads
the numbers (the forms use it too).
"""

from crm.companies.importer.danish_numbers import parse_danish_number
from crm.companies.importer.reading import parse_file
from crm.companies.importer.rows import (
    CANONICAL_COLUMNS,
    HEADER_ALIASES,
    MAX_LENGTHS,
    ImportFileError,
    ParsedFile,
    ParsedRow,
    normalise_header,
)

__all__ = [
    "CANONICAL_COLUMNS",
    "HEADER_ALIASES",
    "MAX_LENGTHS",
    "ImportFileError",
    "ParsedFile",
    "ParsedRow",
    "normalise_header",
    "parse_danish_number",
    "parse_file",
]
