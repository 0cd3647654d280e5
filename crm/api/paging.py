"""Pages of a list in the API: keyset on id (the next page starts after the last id seen), with an opaque cursor.

A keyset page stays right while rows are added or removed between two requests (an offset would skip or repeat
rows), and costs the same on the last page as on the first.
"""

import base64
import binascii

from flask_babel import gettext as _

from crm.api.errors import refuse
from crm.api.schemas import ID_MAX
from crm.extensions import db

_MARK = "after:"


def encode_cursor(last_id):
    return base64.urlsafe_b64encode(f"{_MARK}{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor):
    """The id after which the page starts (0 for none); 422 for a cursor this API did not give."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        after = int(text.removeprefix(_MARK), 10) if text.startswith(_MARK) else -1
    except (binascii.Error, UnicodeError, ValueError):
        after = -1
    if not 0 <= after <= ID_MAX:
        refuse(422, _("Markøren (cursor) er ikke en, API'et har givet. Brug next_cursor fra den forrige side."))
    return after


def keyset_page(statement, id_column, args):
    """{"items": one page of the statement's rows by id, "next_cursor": the cursor of the next page or None}.
    `args` holds the request's `limit` and `cursor`."""
    after, limit = decode_cursor(args.get("cursor")), args["limit"]
    rows = db.session.scalars(statement.where(id_column > after).order_by(None).order_by(id_column)
                              .limit(limit + 1)).unique().all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(rows[-1].id) if more else None}

