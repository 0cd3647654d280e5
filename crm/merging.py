"""Helpers for the areas' receivers of a merge and an erasure (see crm.signals)."""

import json
import re

from sqlalchemy import Text, cast, or_, update

from crm.extensions import db

ANONYMISED_NAME = "Anonymiseret"
#: The domain of the placeholder addresses of anonymised persons and logins (never deliverable: RFC 2606).
ANONYMISED_DOMAIN = "anonymiseret.invalid"


def repoint(column, old_id, new_id):
    """Point every row whose `column` refers to old_id at new_id instead; the number of rows moved."""
    result = db.session.execute(update(column.class_).where(column == old_id).values({column.key: new_id})
                                .execution_options(synchronize_session=False))
    return result.rowcount


def text_contains_any(column, words):
    """A condition: the text (or JSON, compared as its stored text) holds one of the words, as typed or as JSON
    writes it ("Søren" is stored as "S\\u00f8ren" in a JSON column)."""
    column = cast(column, Text) if not isinstance(column.type, Text) else column
    forms = {form for word in words if word for form in (word, json.dumps(word)[1:-1])}
    return or_(*(column.contains(form, autoescape=True) for form in forms))


def scrub_words(text, words, replacement=ANONYMISED_NAME):
    """The text with each word (a name, an e-mail) replaced where it stands as a whole word: removing "Ole" must
    not turn "Olesen Transport" into something else."""
    for word in words:
        if word and text:
            text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", replacement, text)
    return text
