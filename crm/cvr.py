"""Danish CVR numbers (8 digits, modulus-11) and EAN/GLN location numbers (13 digits, GS1 check digit)."""

import re

from flask_babel import lazy_gettext as _l

CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


class InvalidNumber(ValueError):
    """The text is not a valid number of that kind; the message says why, in Danish."""


def _digits(text):
    """Only 0-9: str.isdigit() also passes "²" (which int() refuses) and other scripts' digits."""
    return text.isascii() and text.isdigit()


def normalise_cvr(text):
    """The 8 digits of a CVR number given as `12345678`, `DK12345678`, `DK 12 34 56 78` or `1234-5678`."""
    cleaned = re.sub(r"[\s.\-]", "", str(text or "")).upper()
    if cleaned.startswith("DK"):
        cleaned = cleaned[2:]
    if not cleaned:
        raise InvalidNumber(_l("CVR-nummer mangler"))
    if not _digits(cleaned) or len(cleaned) != 8:
        raise InvalidNumber(_l("CVR-nummeret «%(text)s» skal være 8 cifre", text=text))
    if cleaned[0] == "0" or sum(int(d) * w for d, w in zip(cleaned, CVR_WEIGHTS, strict=True)) % 11:
        raise InvalidNumber(_l("CVR-nummeret «%(text)s» findes ikke (kontrolcifferet passer ikke)", text=text))
    return cleaned


def is_valid_cvr(text):
    try:
        normalise_cvr(text)
    except InvalidNumber:
        return False
    return True


def normalise_ean(text):
    """The 13 digits of an EAN (GLN) location number, its GS1 check digit verified."""
    cleaned = re.sub(r"\s", "", str(text or ""))
    if not _digits(cleaned) or len(cleaned) != 13:
        raise InvalidNumber(_l("EAN-nummeret «%(text)s» skal være 13 cifre", text=text))
    body, check = cleaned[:12], int(cleaned[12])
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    if (10 - total % 10) % 10 != check:
        raise InvalidNumber(_l("EAN-nummeret «%(text)s» har forkert kontrolciffer", text=text))
    return cleaned


def normalise_p_number(text):
    """The 10 digits of a production-unit number (P-nummer)."""
    cleaned = re.sub(r"\s", "", str(text or ""))
    if not _digits(cleaned) or len(cleaned) != 10:
        raise InvalidNumber(_l("P-nummeret «%(text)s» skal være 10 cifre", text=text))
    return cleaned
