"""Attachments made when a mail is sent rather than when it is queued (an invoice PDF, say).

Queueing many mails then costs a row each, not a rendered file each. An area registers a generator under a name;
the outbox stores the name and an id, and the worker calls the generator as it builds the message, so the file
shows the object as it is at sending time.
"""

from dataclasses import dataclass

GENERATORS = {}


@dataclass(frozen=True)
class Generated:
    """The data part of an attachment given to queue_email: made later by the generator `name` for `object_id`."""

    name: str
    object_id: int


def attachment_generator(name):
    """Register fn(object_id) -> bytes as the generator called `name`."""
    def register(function):
        GENERATORS[name] = function
        return function
    return register


class MissingAttachment(LookupError):
    """The generator is unknown, or the object it should make a file of is gone."""


def attachment_data(attachment):
    """The bytes of an outbox attachment, made now if it was queued as Generated."""
    if attachment.data is not None:
        return attachment.data
    generator = GENERATORS.get(attachment.generator)
    data = generator(attachment.generator_id) if generator else None
    if data is None:
        raise MissingAttachment(f"{attachment.generator}:{attachment.generator_id}")
    return data
