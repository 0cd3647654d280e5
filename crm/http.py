"""Reading numbers from what a request brings: ids in paths, query strings and form fields.

The database holds integers up to 2^63 - 1, and the tables' ids (INTEGER on PostgreSQL) up to 2^31 - 1. A larger
id in a path, or digits that are not ASCII ("²" passes str.isdigit()), must answer 404 or fall back to a default,
never reach the database as an overflow.
"""

import re

from werkzeug.routing import IntegerConverter

#: The largest value of a BIGINT column (and of SQLite's INTEGER).
DB_INT_MAX = 2**63 - 1
#: The largest id of a row: the primary keys are INTEGER, which PostgreSQL keeps in 32 bits.
DB_ID_MAX = 2**31 - 1

_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,19}")


def whole_number(text):
    """A text of ASCII digits as an int any INTEGER column can hold; ValueError otherwise. Use it as the `type` of
    `request.args.get(...)`, which then answers the default for anything else."""
    if not isinstance(text, str) or not _WHOLE_NUMBER.fullmatch(text.strip()):
        raise ValueError("not a whole number")
    value = int(text)
    if abs(value) > DB_ID_MAX:  # ids, years, pages and counts alike fit an INTEGER column
        raise ValueError("too large for the database")
    return value


def whole_numbers(texts):
    """The values of a repeated field that are whole numbers, the rest left out."""
    numbers = []
    for text in texts:
        try:
            numbers.append(whole_number(text))
        except ValueError:
            continue
    return numbers


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in a route: a non-negative id a table can hold, so a larger one is a 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", DB_ID_MAX)
        super().__init__(map, *args, **kwargs)


def init_app(app):
    app.url_map.converters["int"] = DatabaseIdConverter
