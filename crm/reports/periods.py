"""A report's year as the municipality counts it: 1 January to 31 December, Danish time."""

from datetime import UTC, date, datetime

from crm.i18n import LOCAL

#: The first year a report can be asked for; earlier years hold nothing the CRM knew.
FIRST_YEAR = 2000


def year_bounds(year):
    """The year as UTC instants: [start, end)."""
    return (datetime(year, 1, 1, tzinfo=LOCAL).astimezone(UTC),
            datetime(year + 1, 1, 1, tzinfo=LOCAL).astimezone(UTC))


def last_day(year):
    return date(year, 12, 31)


def current_year(now=None):
    return (now or datetime.now(UTC)).astimezone(LOCAL).year


def valid_year(year, now=None):
    """A year a report can be made for: from FIRST_YEAR to next year."""
    return FIRST_YEAR <= year <= current_year(now) + 1
