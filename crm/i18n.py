"""Language: Danish by default, English on request (the user's choice, then the browser's)."""

import os
from datetime import UTC, datetime, time
from decimal import Decimal, localcontext
from zoneinfo import ZoneInfo

import click
from babel.messages.pofile import read_po, write_po
from flask import current_app, has_request_context, request, session
from flask_babel import LazyString, force_locale, format_datetime, format_decimal, gettext
from flask_login import current_user

from crm.extensions import babel
from crm.forms import WTFORMS_TRANSLATIONS


def select_locale():
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the CLI and the mail worker write Danish
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app):
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=os.path.join(os.path.dirname(__file__), "translations"),
    )
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(day, "day")
    app.add_template_filter(number, "number")
    app.add_template_filter(kroner, "kroner")
    app.before_request(_wtforms_in_our_language)


def _wtforms_in_our_language():
    """WTForms' own messages in the user's language (Flask-WTF reads them from the request)."""
    request.wtforms_translations = WTFORMS_TRANSLATIONS


LOCAL = ZoneInfo("Europe/Copenhagen")


def kept_message(text):
    """A text to keep (a timeline entry): (the text in Danish, its message id, its values) for a text given as
    lazy_gettext("...", name=value), so it can be shown later in each reader's language; (text, None, None) for a
    text a person wrote. Values are kept as Danish text (numbers as they are)."""
    if not (isinstance(text, LazyString) and text._func is gettext and len(text._args) == 1):
        return text, None, None
    with force_locale("da"):
        values = {key: value if value is None or isinstance(value, (bool, int, float)) else str(value)
                  for key, value in text._kwargs.items()}
        return str(text), text._args[0], values


def number(value, format=None):
    """A number as the reader writes it ("1.250,5" in Danish). Babel rounds within the decimal context's 28 digits;
    a stored value wider than that (old data) is shown too instead of failing the page."""
    if isinstance(value, Decimal) and not value.is_finite():
        return str(value)
    with localcontext(prec=100):
        return format_decimal(value, format=format)


def kroner(ore):
    """An amount in øre as the reader writes kroner: "1.250,00 kr." in Danish."""
    return f"{format_decimal(Decimal(ore) / 100, format='#,##0.00')} kr."


#: The earliest and latest times a day filter can mean.
EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


def local_day(value, end=False):
    """The start (or end) of a YYYY-MM-DD day in Copenhagen, as a UTC time, or None. The calendar's first day
    begins before UTC's (0001-01-01 00:00 in Copenhagen is still year 0 in UTC): it means from the beginning."""
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except (AttributeError, TypeError, ValueError):
        return None
    try:
        return datetime.combine(day, time.max if end else time.min, tzinfo=LOCAL).astimezone(UTC)
    except OverflowError:
        return EARLIEST if day.year == 1 else LATEST


#: The app's one way of writing a day, as Danish public self-service writes it in numbers: 02.12.2026.
DAY_PATTERN = "dd.MM.yyyy"
#: A moment: the day and the time, 02.12.2026 14:30.
MOMENT_PATTERN = f"{DAY_PATTERN} HH:mm"

#: Babel patterns that are all digits, the same in every language: formatted directly, which is many times
#: faster than Babel on pages listing hundreds of times (the meeting list, the check-in page).
NUMERIC_PATTERNS = {MOMENT_PATTERN: "%d.%m.%Y %H:%M", DAY_PATTERN: "%d.%m.%Y", "HH:mm": "%H:%M"}


def day(value):
    """A date (or the day of a UTC time, in Copenhagen) as the app writes days: 02.12.2026."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return localtime(value, DAY_PATTERN)
    return value.strftime(NUMERIC_PATTERNS[DAY_PATTERN])


def localtime(value, pattern=MOMENT_PATTERN):
    """A UTC time shown in Europe/Copenhagen."""
    if value is None:
        return ""
    numeric = NUMERIC_PATTERNS.get(pattern)
    if numeric and current_app.config["BABEL_DEFAULT_TIMEZONE"] == "Europe/Copenhagen":
        return value.astimezone(LOCAL).strftime(numeric)
    return format_datetime(value, pattern)


@click.group("translations", help="Oversættelser.")
def translations_cli():
    pass


@translations_cli.command("fill-danish")
def fill_danish():
    """Danish is the source language: give every Danish entry its own text as translation."""
    path = os.path.join(os.path.dirname(__file__), "translations", "da", "LC_MESSAGES", "messages.po")
    with open(path, "rb") as handle:
        catalog = read_po(handle, locale="da")
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, str) and not message.string:
            message.string = message.id
            filled += 1
        elif not isinstance(message.id, str) and not all(message.string):
            message.string = tuple(message.id)
            filled += 1
        message.flags.discard("fuzzy")
    with open(path, "wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True, width=120)
    click.echo(f"{filled} danske tekster udfyldt.")
