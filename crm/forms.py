"""Small helpers shared by the areas' forms."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Field, IntegerField, SelectField
from wtforms.validators import AnyOf, Length, ValidationError

from crm.cvr import InvalidNumber
from crm.http import whole_number

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
    message = message or _l("Skriv det på én linje, uden linjeskift eller kontroltegn.")

    def validator(form, field):
        if isinstance(field.data, str) and not is_single_line(field.data):
            raise ValidationError(message)

    return validator


def has_control_characters(text):
    """True if a text of several lines holds a control character other than tab and line breaks."""
    return bool(_CONTROL.search(text or ""))


def plain_text(message=None):
    """A validator for a text of one or more lines: line breaks and tabs are fine, other control characters
    (NUL among them) are not."""
    message = message or _l("Teksten indeholder et usynligt kontroltegn, som ikke kan gemmes. Fjern det.")

    def validator(form, field):
        if isinstance(field.data, str) and has_control_characters(field.data):
            raise ValidationError(message)

    return validator


#: A text over its limit is an error that names the limit, never cut short.
TOO_LONG = _l("Højst %(max)d tegn; der er %(length)d.")
NOT_A_CHOICE = _l("Vælg en af mulighederne på listen.")


def at_most(limit):
    """A validator: at most `limit` characters, refused with the limit and the length."""
    return Length(max=limit, message=TOO_LONG)


def one_of(values):
    """A choice from a list, refused in Danish (for a select field with validate_choice=False)."""
    return AnyOf([str(value) for value in values], message=NOT_A_CHOICE)


# --- WTForms' own messages in the app's language ----------------------------------------------------------------
# WTForms ships no Danish catalogue, so its built-in messages ("Not a valid integer value.", "This field is
# required.") reached Danish users in English. Flask-WTF looks for the translations of a request in
# `request.wtforms_translations`; crm.i18n puts WTFORMS_TRANSLATIONS there, which answers WTForms' English
# message ids with our own texts (Danish, the source language; English in the English catalogue).

_WTFORMS_LENGTH_MIN = _l("Skriv mindst %(min)d tegn.")
_WTFORMS_LENGTH_MAX = _l("Skriv højst %(max)d tegn.")
_WTFORMS_LENGTH_EXACT = _l("Skriv præcis %(max)d tegn.")
_WTFORMS_CSRF = _l("Formularen er udløbet. Genindlæs siden, og prøv igen.")
_WTFORMS_CHOICE = _l("Vælg en af mulighederne.")
_WTFORMS_NUMBER = _l("Skriv et tal.")

WTFORMS_MESSAGES = {
    "Invalid field name '%s'.": _l("Feltet «%s» findes ikke."),
    "Field must be equal to %(other_name)s.": _l("Feltet skal være det samme som %(other_name)s."),
    "Field must be at least %(min)d character long.": _WTFORMS_LENGTH_MIN,
    "Field must be at least %(min)d characters long.": _WTFORMS_LENGTH_MIN,
    "Field cannot be longer than %(max)d character.": _WTFORMS_LENGTH_MAX,
    "Field cannot be longer than %(max)d characters.": _WTFORMS_LENGTH_MAX,
    "Field must be exactly %(max)d character long.": _WTFORMS_LENGTH_EXACT,
    "Field must be exactly %(max)d characters long.": _WTFORMS_LENGTH_EXACT,
    "Field must be between %(min)d and %(max)d characters long.": _l("Skriv mellem %(min)d og %(max)d tegn."),
    "Number must be at least %(min)s.": _l("Tallet skal være mindst %(min)s."),
    "Number must be at most %(max)s.": _l("Tallet må højst være %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("Tallet skal være mellem %(min)s og %(max)s."),
    "Date must be at least %(min)s.": _l("Datoen skal være %(min)s eller senere."),
    "Date must be at most %(max)s.": _l("Datoen skal være %(max)s eller tidligere."),
    "Date must be between %(min)s and %(max)s.": _l("Datoen skal ligge mellem %(min)s og %(max)s."),
    "This field is required.": _l("Feltet skal udfyldes."),
    "Invalid input.": _l("Det skrevne kan ikke bruges her."),
    "Invalid email address.": _l("Skriv en gyldig e-mail."),
    "Invalid IP address.": _l("Skriv en gyldig IP-adresse."),
    "Invalid Mac address.": _l("Skriv en gyldig MAC-adresse."),
    "Invalid URL.": _l("Skriv en hel adresse, fx https://..."),
    "Invalid UUID.": _l("Skriv et gyldigt UUID."),
    "Invalid value, must be one of: %(values)s.": _l("Vælg en af: %(values)s."),
    "Invalid value, can't be any of: %(values)s.": _l("Værdien må ikke være nogen af: %(values)s."),
    "This field cannot be edited.": _l("Feltet kan ikke ændres."),
    "This field is disabled and cannot have a value.": _l("Feltet er slået fra og kan ikke have en værdi."),
    "Invalid CSRF Token.": _WTFORMS_CSRF,
    "CSRF token missing.": _WTFORMS_CSRF,
    "CSRF failed.": _WTFORMS_CSRF,
    "CSRF token expired.": _WTFORMS_CSRF,
    "Invalid Choice: could not coerce.": _WTFORMS_CHOICE,
    "Choices cannot be None.": _l("Der er ingen muligheder at vælge imellem."),
    "Not a valid choice.": _WTFORMS_CHOICE,
    "Invalid choice(s): one or more data inputs could not be coerced.": _WTFORMS_CHOICE,
    "'%(value)s' is not a valid choice for this field.": _l("«%(value)s» er ikke en af mulighederne."),
    "'%(value)s' are not valid choices for this field.": _l("«%(value)s» er ikke blandt mulighederne."),
    "Not a valid datetime value.": _l("Skriv en gyldig dato og et klokkeslæt."),
    "Not a valid date value.": _l("Skriv en gyldig dato."),
    "Not a valid time value.": _l("Skriv et gyldigt klokkeslæt, fx 09:30."),
    "Not a valid week value.": _l("Skriv en gyldig uge."),
    "Not a valid integer value.": _l("Skriv et helt tal."),
    "Not a valid decimal value.": _WTFORMS_NUMBER,
    "Not a valid float value.": _WTFORMS_NUMBER,
}


class _WTFormsTranslations:
    """The gettext interface Flask-WTF asks for WTForms' own messages."""

    def ugettext(self, string):
        text = WTFORMS_MESSAGES.get(string)
        return string if text is None else str(text)

    def ungettext(self, singular, plural, n):
        return self.ugettext(singular if n == 1 else plural)


WTFORMS_TRANSLATIONS = _WTFormsTranslations()


#: Dates of meetings and deadlines lie in these years; anything else is a typing error (and 0001-01-01 or
#: 9999-12-31 cannot even be turned into UTC).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def within_years(form, field):
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(_l("Vælg en dato mellem år %(first)d og %(last)d.", first=FIRST_YEAR,
                                 last=LAST_YEAR))


def normalised_with(normalise):
    """A validator: the field's text replaced by normalise(text) (a CVR, phone or EAN number in its one form), or
    refused with the reason normalise gives (InvalidNumber). A text an earlier validator refused is left as it is."""
    def validator(form, field):
        if field.data and not field.errors:
            try:
                field.data = normalise(field.data)
            except InvalidNumber as error:
                raise ValidationError(str(error)) from None
    return validator


class DayField(DateField):
    """A date as the browser's date field sends it (åååå-mm-dd); anything else is refused in Danish."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "DateField"  # what the form macros know it by

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Skriv datoen som åååå-mm-dd, fx 2025-03-04.")) from None


class WholeNumberField(IntegerField):
    """A whole number of ASCII digits that the database can hold ("²" is not a number here)."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = whole_number(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(_l("Skriv et helt tal, fx 15.")) from None


class IdListField(Field):
    """A repeated hidden field of ids (`invitation=12&invitation=14`): a list of whole numbers, empty if none."""

    def process_formdata(self, valuelist):
        self.data = []
        for text in valuelist:
            try:
                self.data.append(whole_number(text))
            except ValueError:
                raise ValueError(_l("Valget «%(text)s» findes ikke. Genindlæs siden og prøv igen.",
                                    text=text[:20])) from None


class ChoiceField(SelectField):
    """A select field whose refusals (a value not on the list) are Danish."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "SelectField"  # the form macros draw a select (and no "optional" mark) by this type

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(NOT_A_CHOICE) from None

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(NOT_A_CHOICE) from None
