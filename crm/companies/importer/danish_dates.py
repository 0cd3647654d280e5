"""Dates as Danish offices write them in a spreadsheet (`01-03-2024`, `1-3-2024`, `01.03.2024`) and as the
export writes them (`2024-03-01`)."""

import re
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

#: The dates the register holds: a company's membership or departure falls within these years.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)

_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DANISH = re.compile(r"([0-9]{1,2})([-.])([0-9]{1,2})\2([0-9]{4})")


def parse_danish_date(value):
    """`2024-03-01`, `01-03-2024`, `1-3-2024`, `01.03.2024` or a spreadsheet's date cell as a date; empty is None.

    Raises ValueError with a Danish message naming the text: for a text that is no date (`31-02-2024`,
    `03/01/2024`, `45352`) and for a date outside the years the register holds.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        found, shown = value.date(), value.date().isoformat()
    elif isinstance(value, date):
        found, shown = value, value.isoformat()
    else:
        shown = str(value).strip()
        if not shown:
            return None
        found = _date_of(shown)
        if found is None:
            raise ValueError(_l("«%(text)s» er ikke en dato; skriv fx 01-03-2024 eller 2024-03-01", text=shown))
    if not EARLIEST_DATE <= found <= LATEST_DATE:
        raise ValueError(_l("«%(text)s» ligger uden for årene %(first)s-%(last)s", text=shown,
                            first=EARLIEST_DATE.year, last=LATEST_DATE.year))
    return found


def _date_of(text):
    if match := _ISO.fullmatch(text):
        year, month, day = match[1], match[2], match[3]
    elif match := _DANISH.fullmatch(text):
        day, month, year = match[1], match[3], match[4]
    else:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:  # 31-02-2024, 2024-13-01
        return None
