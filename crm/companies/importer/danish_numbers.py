"""Danish numbers as people type them in a spreadsheet or a form: `1.250`, `12.500,5`, `12 500,5`."""

import math
import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l

_SPACED_GROUPS = re.compile(r"\d{1,3}(?: \d{3})+(?:[.,]\d+)?")
_COMMA_DECIMAL = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+),(\d+)")
_DOT_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_NUMBER_SPACES = str.maketrans({"\xa0": " ", "\u202f": " ", "\u2009": " "})


def parse_danish_number(text, *, integer=False):
    """`1.250`, `12.500,5`, `12 500,5` or plain `12500.5` as a number (int if integer, else Decimal); empty is None.

    A comma is the decimal comma and dots are then thousands separators; without a comma, dots in groups of
    three (`1.250`) are thousands separators, otherwise a dot is a decimal point. Spaces group thousands.
    Raises ValueError with a Danish message naming the text.
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise ValueError(_l("«%(text)s» er ikke et tal", text=_quoted(text)))
    if isinstance(text, int):
        return text if integer else Decimal(text)
    if isinstance(text, float | Decimal):
        if not math.isfinite(text):
            raise ValueError(_l("«%(text)s» er ikke et tal", text=_quoted(text)))
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
        raise ValueError(_l("«%(text)s» er ikke et helt tal", text=_quoted(shown)))
    return int(value)


def _quoted(text, limit=40):
    """The text as a message quotes it: a long one cut short, so a refusal never repeats pages of input (a flash
    message lives in the session cookie, which browsers keep only up to 4 KB)."""
    text = str(text)
    return text if len(text) <= limit else text[:limit] + "…"


def _danish_decimal(text):
    cleaned = text.translate(_NUMBER_SPACES)
    negative = cleaned[0] in "-−"
    if cleaned[0] in "-−+":
        cleaned = cleaned[1:].lstrip()
    if " " in cleaned:
        if not _SPACED_GROUPS.fullmatch(cleaned):
            raise ValueError(_l("«%(text)s» er ikke et tal", text=_quoted(text)))
        cleaned = cleaned.replace(" ", "")
    if match := _COMMA_DECIMAL.fullmatch(cleaned):
        value = Decimal(f"{match[1].replace('.', '')}.{match[2]}")
    elif _DOT_THOUSANDS.fullmatch(cleaned):
        value = Decimal(cleaned.replace(".", ""))
    elif _PLAIN_NUMBER.fullmatch(cleaned):
        value = Decimal(cleaned)
    else:
        raise ValueError(_l("«%(text)s» er ikke et tal", text=_quoted(text)))
    return -value if negative and value else value
