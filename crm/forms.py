"""Small helpers shared by the areas' forms."""

import re

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

#: Line breaks (CR, LF and Unicode's own) and every other control character except tab.
_NOT_ONE_LINE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def errors_text(form):
    """Every error message of a form as one line, for a flash message after a redirect."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def single_line(message=None):
    """A validator for a value that must stay on one line (a title, a subject, a name): it refuses CR, LF and
    the other control characters, tab excepted, which could otherwise break a mail header or a calendar line."""

    def validator(form, field):
        if isinstance(field.data, str) and _NOT_ONE_LINE.search(field.data):
            raise ValidationError(message or _l("Skriv det på én linje, uden linjeskift eller kontroltegn."))

    return validator
