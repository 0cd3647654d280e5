"""Who acts: the user and the network address behind a change.

A request's actor is its logged-in user and client address; a command's is the operator at the command line.
The audit reads it, so services and views need not pass addresses around.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from flask import has_request_context, request
from flask_login import current_user


@dataclass(frozen=True)
class Actor:
    #: The acting User, or None for an anonymous visitor, a mail link or the command line.
    user: Any = None
    #: The client's IP address, or "cli" for a command.
    address: str | None = None

    @property
    def email(self):
        return getattr(self.user, "email", None)


COMMAND_LINE = Actor(address="cli")
_command_actor: ContextVar[Actor] = ContextVar("command_actor", default=COMMAND_LINE)


def current_actor():
    """The actor of the current request, or of the running command."""
    if has_request_context():
        user = current_user._get_current_object() if current_user.is_authenticated else None
        return Actor(user, request.remote_addr or "unknown")
    return _command_actor.get()


@contextmanager
def acting_as(actor):
    """Run a block (a command, the worker, a test) as this actor."""
    token = _command_actor.set(actor)
    try:
        yield actor
    finally:
        _command_actor.reset(token)
