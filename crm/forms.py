"""Small helpers shared by the areas' forms."""

import re

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

#: What breaks a text out of its line or cannot be seen: the C0 and C1 control characters (line feed, carriage
#: return, tab and NUL among them) and Unicode's line and paragraph separators. A name meets mail headers, CSV
#: rows and PDF lines, where any of these does harm; a browser's one-line input cannot even type them.
_NOT_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: In a text of several lines: the control characters but tab, line feed and carriage return (PostgreSQL refuses
#: NUL outright).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def errors_text(form):
    """Every error message of a form as one line, for a flash message after a redirect."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def is_single_line(text):
    """True if the text holds no line break, tab or other control character."""
    return not _NOT_ONE_LINE.search(text or "")


def single_line(message=None):
    """A validator: the field's text stands on one line, without tabs or other control characters."""
    message = message or _l("Skriv teksten på én linje, uden linjeskift, tabulatorer eller andre styretegn.")

    def validator(form, field):
        if isinstance(field.data, str) and not is_single_line(field.data):
            raise ValidationError(message)

    return validator


def plain_text(message=None):
    """A validator for a text of one or more lines: line breaks and tabs are fine, other control characters
    (NUL among them) are not."""
    message = message or _l("Teksten indeholder et usynligt styretegn. Skriv den igen uden det.")

    def validator(form, field):
        if isinstance(field.data, str) and _CONTROL.search(field.data):
            raise ValidationError(message)

    return validator
